"""Interpreter implementations of the lowbit ops: vectorised numpy over all frames at once
(one call per op, so the ~20 us per-op dispatch cost of xDSL's interpreter does not matter)."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialects.builtin import IntegerType, Signedness
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import RoundingMode, numpy_from_dense
from lowbitc.dialects.lowbit.types import BipolarType, int_range
from lowbitc.backends.interpreter import float_ops
from lowbitc.backends.interpreter.values import (
    count_thresholds,
    pack_bipolar,
    pack_rows,
    unpack_bipolar,
    xnor_popcount,
)


def _frames(x: np.ndarray) -> int:
    return x.shape[0]


def weights_from_memory(memory: np.ndarray, channels: int, fan_in: int, pe: int, simd: int) -> np.ndarray:
    """Undo the MVU's memory layout: word nf*SF+sf, bit p*SIMD+s = W[nf*PE+p, sf*SIMD+s]."""
    nf, sf = channels // pe, fan_in // simd
    return memory.reshape(nf, sf, pe, simd).transpose(0, 2, 1, 3).reshape(channels, fan_in)


@register_impls
class LowbitFunctions(InterpreterFunctions):
    @impl(g.ReshapeOp)
    def run_reshape(self, interpreter: Interpreter, op: g.ReshapeOp, args: tuple[Any, ...]):
        (x,) = args
        return (x.reshape((_frames(x),) + op.output.type.get_shape()),)

    @impl(g.ElementwiseOp)
    def run_elementwise(self, interpreter: Interpreter, op: g.ElementwiseOp, args: tuple[Any, ...]):
        swapped = op.swapped is not None and op.swapped.value.data != 0
        return (float_ops.elementwise(args[0], op.kind.data, numpy_from_dense(op.constant), swapped),)

    @impl(g.BatchNormOp)
    def run_batchnorm(self, interpreter: Interpreter, op: g.BatchNormOp, args: tuple[Any, ...]):
        p = [numpy_from_dense(a) for a in (op.scale, op.bias, op.mean, op.var)]
        return (float_ops.batchnorm(args[0], *p, op.epsilon.value.data),)

    @impl(g.QuantizeOp)
    def run_quantize(self, interpreter: Interpreter, op: g.QuantizeOp, args: tuple[Any, ...]):
        (x,) = args
        elt = op.output.type.element_type
        if isinstance(elt, BipolarType):
            return (np.where(x >= 0, 1, -1).astype(np.int8),)
        if op.thresholds is not None:
            th = numpy_from_dense(op.thresholds).astype(np.float32)
            th = np.broadcast_to(th, (x.shape[1], th.shape[1])) if th.shape[0] == 1 else th
            flat = x.reshape(x.shape[0], x.shape[1], -1)
            counts = (flat[..., None] >= th[None, :, None, :]).sum(axis=-1, dtype=np.int64)
            return (counts.reshape(x.shape),)
        lo, hi = int_range(elt)
        if op.narrow is not None and op.narrow.value.data:
            if elt.signedness.data == Signedness.SIGNED:
                lo += 1
            else:
                hi -= 1
        zp = numpy_from_dense(op.zero_point) if op.zero_point is not None else np.zeros(1, np.float32)
        mode = op.rounding.data if op.rounding is not None else RoundingMode.ROUND
        return (float_ops.quantize_int(x, numpy_from_dense(op.scale), zp, lo, hi, mode),)

    @impl(g.MatMulOp)
    def run_matmul(self, interpreter: Interpreter, op: g.MatMulOp, args: tuple[Any, ...]):
        # Exact integer product through the packed XNOR path: dot = 2P - K.
        (x,) = args
        k = op.fan_in
        p = xnor_popcount(pack_bipolar(x), pack_rows(op.weights.to_numpy()), k)
        return (2 * p - k,)

    @impl(g.DequantizeOp)
    def run_dequantize(self, interpreter: Interpreter, op: g.DequantizeOp, args: tuple[Any, ...]):
        (x,) = args
        scale = float_ops.per_channel(numpy_from_dense(op.scale), x.ndim)
        return (np.multiply(x.astype(np.float32), scale, dtype=np.float32),)

    @impl(g.ThresholdOp)
    def run_threshold(self, interpreter: Interpreter, op: g.ThresholdOp, args: tuple[Any, ...]):
        n = count_thresholds(args[0], numpy_from_dense(op.thresholds))
        if isinstance(op.output.type.element_type, BipolarType):
            return ((2 * n - 1).astype(np.int8),)
        return (n,)

    @impl(g.TopKOp)
    def run_topk(self, interpreter: Interpreter, op: g.TopKOp, args: tuple[Any, ...]):
        return (float_ops.topk_indices(args[0], op.k.value.data),)

    @impl(h.PackOp)
    def run_pack(self, interpreter: Interpreter, op: h.PackOp, args: tuple[Any, ...]):
        return (pack_bipolar(args[0]),)

    @impl(h.XnorPopcountOp)
    def run_xnor_popcount(self, interpreter: Interpreter, op: h.XnorPopcountOp, args: tuple[Any, ...]):
        k = op.weights.shape[1]
        return (xnor_popcount(args[0], pack_rows(op.weights.to_numpy()), k),)

    @impl(h.XnorToDotOp)
    def run_xnor_to_dot(self, interpreter: Interpreter, op: h.XnorToDotOp, args: tuple[Any, ...]):
        return (2 * args[0] - op.fan_in.value.data,)

    @impl(h.MVUOp)
    def run_mvu(self, interpreter: Interpreter, op: h.MVUOp, args: tuple[Any, ...]):
        # Read the weights back through the hardware memory layout, so a layout bug in
        # `unroll` shows up here and not only in simulation.
        k, c = op.fan_in, op.channels
        w = weights_from_memory(op.memory.to_numpy(), c, k, op.fold.pe.data, op.fold.simd.data)
        p = xnor_popcount(args[0], pack_rows(w), k)
        if op.thresholds is None:
            return (p,)
        bits = p >= numpy_from_dense(op.thresholds)[:, 0][None, :]
        return (pack_bipolar(np.where(bits, 1, -1).astype(np.int8)),)

    @impl(h.FifoOp)
    def run_fifo(self, interpreter: Interpreter, op: h.FifoOp, args: tuple[Any, ...]):
        return args
