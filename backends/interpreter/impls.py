"""Interpreter implementations of the lowbit ops: vectorised numpy over all frames at once
(one call per op, so the ~20 us per-op dispatch cost of xDSL's interpreter does not matter)."""

from __future__ import annotations

from typing import Any

import numpy as np

from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import numpy_from_dense
from lowbitc.dialects.lowbit.types import BipolarType
from lowbitc.dialects.lowbit import semantics as float_ops
from lowbitc.backends.interpreter.values import (
    count_thresholds,
    int_matmul,
    over_last_axis,
    pack_bipolar,
    pack_bits,
    pack_rows,
    unpack_bipolar,
    xnor_popcount,
)


def _frames(x: np.ndarray) -> int:
    return x.shape[0]


def weights_from_memory(memory: np.ndarray, channels: int, fan_in: int, pe: int, simd: int) -> np.ndarray:
    """Undo the MVU's memory layout (word nf*SF+sf, bit p*SIMD+s = W[nf*PE+p, sf*SIMD+s]) and
    crop the padding."""
    nf, sf = -(-channels // pe), -(-fan_in // simd)
    full = memory.reshape(nf, sf, pe, simd).transpose(0, 2, 1, 3).reshape(nf * pe, sf * simd)
    return full[:channels, :fan_in]


@register_impls
class LowbitFunctions(InterpreterFunctions):
    @impl(g.ReshapeOp)
    def run_reshape(self, interpreter: Interpreter, op: g.ReshapeOp, args: tuple[Any, ...]):
        (x,) = args
        return (x.reshape((_frames(x),) + op.output.type.get_shape()),)

    @impl(g.ElementwiseOp)
    def run_elementwise(self, interpreter: Interpreter, op: g.ElementwiseOp, args: tuple[Any, ...]):
        return (float_ops.eval_host_op(op, args[0]),)

    @impl(g.BatchNormOp)
    def run_batchnorm(self, interpreter: Interpreter, op: g.BatchNormOp, args: tuple[Any, ...]):
        return (float_ops.eval_host_op(op, args[0]),)

    @impl(g.QuantizeOp)
    def run_quantize(self, interpreter: Interpreter, op: g.QuantizeOp, args: tuple[Any, ...]):
        return (float_ops.eval_host_op(op, args[0]),)

    @impl(g.DequantizeOp)
    def run_dequantize(self, interpreter: Interpreter, op: g.DequantizeOp, args: tuple[Any, ...]):
        return (float_ops.eval_host_op(op, args[0]),)

    @impl(g.MatMulOp)
    def run_matmul(self, interpreter: Interpreter, op: g.MatMulOp, args: tuple[Any, ...]):
        (x,) = args
        k = op.fan_in
        if isinstance(op.input.type.element_type, BipolarType):
            # Exact integer product through the packed XNOR path: dot = 2P - K.
            return (2 * over_last_axis(xnor_popcount, pack_bipolar(x), pack_rows(op.weights.to_numpy()), k) - k,)
        return (over_last_axis(int_matmul, x, op.weights.to_numpy().astype(np.int8) * 2 - 1),)

    @impl(g.ThresholdOp)
    def run_threshold(self, interpreter: Interpreter, op: g.ThresholdOp, args: tuple[Any, ...]):
        # Channels move to axis 1, where count_thresholds expects them, and back.
        x = np.moveaxis(args[0], op.channel_axis + 1, 1)
        n = np.moveaxis(count_thresholds(x, numpy_from_dense(op.thresholds)), 1, op.channel_axis + 1)
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
        return (over_last_axis(xnor_popcount, args[0], pack_rows(op.weights.to_numpy()), k),)

    @impl(h.XnorToDotOp)
    def run_xnor_to_dot(self, interpreter: Interpreter, op: h.XnorToDotOp, args: tuple[Any, ...]):
        return (2 * args[0] - op.fan_in.value.data,)

    @impl(h.MVUOp)
    def run_mvu(self, interpreter: Interpreter, op: h.MVUOp, args: tuple[Any, ...]):
        # Read the weights back through the hardware memory layout, so a layout bug in
        # `unroll` shows up here and not only in simulation.
        k, c = op.fan_in, op.channels
        w = weights_from_memory(op.memory.to_numpy(), c, k, op.fold.pe.data, op.fold.simd.data)
        if op.integer_input:
            acc = over_last_axis(int_matmul, args[0], w.astype(np.int8) * 2 - 1)
        else:
            acc = over_last_axis(xnor_popcount, args[0], pack_rows(w), k)
        if op.thresholds is None:
            return (acc,)
        return (pack_bits(acc >= numpy_from_dense(op.thresholds)[:, 0]),)

    @impl(h.CollectOp)
    def run_collect(self, interpreter: Interpreter, op: h.CollectOp, args: tuple[Any, ...]):
        (x,) = args
        hgt, wid, c = op.input.type.get_shape()
        flat = unpack_bipolar(x, c).reshape(x.shape[0], hgt * wid * c)
        return (pack_bipolar(flat),)

    @impl(h.FifoOp)
    def run_fifo(self, interpreter: Interpreter, op: h.FifoOp, args: tuple[Any, ...]):
        return args
