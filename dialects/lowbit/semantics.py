"""Reference semantics of the float (host-side) lowbit ops: ONNX float32 arithmetic, shared by the interpreter and `streamline`
(which evaluates these very functions over every reachable accumulator value, so the folded
integer thresholds agree with the un-folded float graph by construction)."""

from __future__ import annotations

import numpy as np

from lowbitc.dialects.lowbit.attributes import ElementwiseKind, RoundingMode


def per_channel(const: np.ndarray, ndim: int) -> np.ndarray:
    """Broadcast a constant of shape [1], [C] or the full frame shape over [N, *frame]."""
    c = const.astype(np.float32)
    if c.size == 1:
        return c.reshape(())
    if c.ndim == 1:
        return c.reshape((1, -1) + (1,) * (ndim - 2))
    return c[None]


def elementwise(x: np.ndarray, kind: ElementwiseKind, const: np.ndarray, swapped: bool) -> np.ndarray:
    c = per_channel(const, x.ndim)
    a, b = (c, x) if swapped else (x, c)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if kind == ElementwiseKind.MUL:
            r = np.multiply(a, b, dtype=np.float32)
        elif kind == ElementwiseKind.ADD:
            r = np.add(a, b, dtype=np.float32)
        elif kind == ElementwiseKind.SUB:
            r = np.subtract(a, b, dtype=np.float32)
        elif kind == ElementwiseKind.MAX:
            r = np.maximum(a, b, dtype=np.float32)
        else:
            r = np.divide(a, b, dtype=np.float32)
    return r.astype(np.float32, copy=False)


def batchnorm(x: np.ndarray, scale, bias, mean, var, eps: float) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) * scale + bias, each step rounded to float32 as
    onnxruntime's reference kernel does."""
    nd = x.ndim
    f = np.float32
    inv = (per_channel(var, nd) + f(eps)).astype(f)
    inv = np.sqrt(inv, dtype=f)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.subtract(x, per_channel(mean, nd), dtype=f)
        y = np.divide(y, inv, dtype=f)
        y = np.multiply(y, per_channel(scale, nd), dtype=f)
        y = np.add(y, per_channel(bias, nd), dtype=f)
    return y


def round_mode(x: np.ndarray, mode: RoundingMode) -> np.ndarray:
    if mode == RoundingMode.FLOOR:
        return np.floor(x)
    if mode == RoundingMode.CEIL:
        return np.ceil(x)
    return np.round(x)  # half to even, as QONNX's ROUND


def quantize_int(x, scale, zero_point, lo: int, hi: int, mode: RoundingMode) -> np.ndarray:
    nd = x.ndim
    f = np.float32
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.divide(x, per_channel(scale, nd), dtype=f)
        y = np.add(y, per_channel(zero_point, nd), dtype=f)
    y = round_mode(y, mode)
    return np.clip(y, lo, hi).astype(np.int64)


def topk_indices(x: np.ndarray, k: int) -> np.ndarray:
    """Largest first; equal values keep the lower index first (stable), as onnxruntime."""
    order = np.argsort(-x, axis=-1, kind="stable")
    return order[..., :k].astype(np.int64)


def eval_host_op(op, x: np.ndarray) -> np.ndarray:
    """Evaluate one float-domain op (dequantize, elementwise, batchnorm, quantize) on [N, ...]
    values: the single definition used by the interpreter and by `streamline`."""
    from lowbitc.dialects.lowbit import ops_graph as g
    from lowbitc.dialects.lowbit.attributes import numpy_from_dense
    from lowbitc.dialects.lowbit.types import BipolarType, int_range
    from xdsl.dialects.builtin import Signedness

    if isinstance(op, g.DequantizeOp):
        scale = per_channel(numpy_from_dense(op.scale), x.ndim)
        return np.multiply(x.astype(np.float32), scale, dtype=np.float32)
    if isinstance(op, g.ElementwiseOp):
        swapped = op.swapped is not None and op.swapped.value.data != 0
        return elementwise(x, op.kind.data, numpy_from_dense(op.constant), swapped)
    if isinstance(op, g.BatchNormOp):
        p = [numpy_from_dense(a) for a in (op.scale, op.bias, op.mean, op.var)]
        return batchnorm(x, *p, op.epsilon.value.data)
    if isinstance(op, g.QuantizeOp):
        elt = op.output.type.element_type
        if isinstance(elt, BipolarType):
            return np.where(x >= 0, 1, -1).astype(np.int8)
        if op.thresholds is not None:
            th = numpy_from_dense(op.thresholds).astype(np.float32)
            channels = x.shape[1]
            th = np.broadcast_to(th, (channels, th.shape[1])) if th.shape[0] == 1 else th
            flat = x.reshape(x.shape[0], channels, -1)
            counts = (flat[..., None] >= th[None, :, None, :]).sum(axis=-1, dtype=np.int64)
            return counts.reshape(x.shape)
        lo, hi = int_range(elt)
        if op.narrow is not None and op.narrow.value.data:
            if elt.signedness.data == Signedness.SIGNED:
                lo += 1
            else:
                hi -= 1
        zp = numpy_from_dense(op.zero_point) if op.zero_point is not None else np.zeros(1, np.float32)
        mode = op.rounding.data if op.rounding is not None else RoundingMode.ROUND
        return quantize_int(x, numpy_from_dense(op.scale), zp, lo, hi, mode)
    raise TypeError(f"{op.name} is not a float-domain op")
