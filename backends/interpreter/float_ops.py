"""ONNX float32 semantics of the host-side ops, shared by the interpreter and `streamline`
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
