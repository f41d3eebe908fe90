"""Interpreter implementations of the lowbit ops: vectorised numpy over all frames at once
(one call per op, so the ~20 us per-op dispatch cost of xDSL's interpreter does not matter)."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialects.builtin import Signedness

from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, numpy_from_dense, weight_values
from lowbitc.dialects.lowbit.types import WORD_BITS, BipolarType, PackedType, element_range
from lowbitc.dialects.lowbit import semantics as float_ops
from lowbitc.dialects.lowbit.ops_residual import AddOp, AddUnitOp, DupOp
from lowbitc.dialects.lowbit.ops_planes import BitPlanesOp, PlanePopcountOp, plane_count, plane_weights
from lowbitc.backends.interpreter import native
from lowbitc.backends.interpreter.values import (
    and_popcount,
    bit_planes,
    count_thresholds,
    int_matmul,
    int_threshold_pack,
    over_last_axis,
    pack_bipolar,
    pack_bits,
    pack_rows,
    unpack_bipolar,
    xnor_popcount,
)


def _frames(x: np.ndarray) -> int:
    return x.shape[0]


def weights_from_memory(memory: np.ndarray, channels: int, fan_in: int, pe: int, simd: int, wb: int = 1) -> np.ndarray:
    """Undo the MVU's memory layout (word nf*SF+sf, bits (p*SIMD+s)*WB +: WB hold
    W[nf*PE+p, sf*SIMD+s]) and crop the padding: 0/1 bits for WB = 1, else the two's-complement
    values."""
    nf, sf = -(-channels // pe), -(-fan_in // simd)
    if wb > 1:
        bits = memory.reshape(nf * sf, pe * simd, wb).astype(np.int64)
        memory = (bits << np.arange(wb)).sum(axis=-1)
        memory = np.where(memory >= 1 << (wb - 1), memory - (1 << wb), memory)
    full = memory.reshape(nf, sf, pe, simd).transpose(0, 2, 1, 3).reshape(nf * pe, sf * simd)
    return full[:channels, :fan_in]


def threshold_outputs(x: np.ndarray, thresholds, axis: int, out_type, offset: int) -> np.ndarray:
    """count(x >= t_i) over the channel axis ``axis`` of [N, ...] values, as the result type
    holds it: packed bits, bipolar -1/+1, or codes count + offset (threshold ops, matrix-vector
    and add units alike)."""
    # Channels move to axis 1, where count_thresholds expects them, and back.
    n = np.moveaxis(count_thresholds(np.moveaxis(x, axis, 1), numpy_from_dense(thresholds)), 1, axis)
    if isinstance(out_type, PackedType):
        return pack_bits(n > 0)
    if isinstance(out_type.element_type, BipolarType):
        return (2 * n - 1).astype(np.int8)
    return n + offset


def memo(functions: InterpreterFunctions, key: Any, compute):
    """``compute()``, once per ``key`` (an op or attribute of the running module) and run:
    frames run in chunks, and decoding weight attributes for every chunk would cost more than
    the arithmetic on small layers."""
    cache = functions.__dict__.setdefault("_memo", {})
    if id(key) not in cache:
        cache[id(key)] = (key, compute())  # holding the key keeps its id from being reused
    return cache[id(key)][1]


def _mvu_weights(op: h.MVUOp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The unit's weights read back through its memory layout (so a layout bug in `unroll`
    shows up here and not only in simulation): raw 0/1 bits or values, signed values, and the
    packed rows of a binary unit."""
    w = weights_from_memory(op.memory.to_numpy(), op.channels, op.fan_in, op.fold.pe.data, op.fold.simd.data, op.wb)
    if op.wb == 1:
        return w, w.astype(np.int8) * 2 - 1, pack_rows(w)
    return w, w, w


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
        if isinstance(op.input.type.element_type, BipolarType) and isinstance(op.weights, BitMatrixAttr):
            # Exact integer product through the packed XNOR path: dot = 2P - K.
            rows = memo(self, op, lambda: pack_rows(op.weights.to_numpy()))
            return (2 * over_last_axis(xnor_popcount, pack_bipolar(x), rows, k) - k,)
        return (over_last_axis(int_matmul, x, memo(self, op, lambda: weight_values(op.weights))),)

    @impl(g.ThresholdOp)
    def run_threshold(self, interpreter: Interpreter, op: g.ThresholdOp, args: tuple[Any, ...]):
        return (threshold_outputs(args[0], op.thresholds, op.channel_axis + 1, op.output.type, op.output_offset),)

    @impl(g.TopKOp)
    def run_topk(self, interpreter: Interpreter, op: g.TopKOp, args: tuple[Any, ...]):
        return (float_ops.topk_indices(args[0], op.k.value.data),)

    @impl(h.PackOp)
    def run_pack(self, interpreter: Interpreter, op: h.PackOp, args: tuple[Any, ...]):
        return (pack_bipolar(args[0]),)

    @impl(h.XnorPopcountOp)
    def run_xnor_popcount(self, interpreter: Interpreter, op: h.XnorPopcountOp, args: tuple[Any, ...]):
        k = op.weights.shape[1]
        return (over_last_axis(xnor_popcount, args[0], memo(self, op, lambda: pack_rows(op.weights.to_numpy())), k),)

    @impl(h.XnorToDotOp)
    def run_xnor_to_dot(self, interpreter: Interpreter, op: h.XnorToDotOp, args: tuple[Any, ...]):
        return (2 * args[0] - op.fan_in.value.data,)

    @impl(h.AndToDotOp)
    def run_and_to_dot(self, interpreter: Interpreter, op: h.AndToDotOp, args: tuple[Any, ...]):
        return (2 * args[0] - numpy_from_dense(op.row_sums),)

    @impl(h.MVUOp)
    def run_mvu(self, interpreter: Interpreter, op: h.MVUOp, args: tuple[Any, ...]):
        k, c = op.fan_in, op.channels
        w, values, rows = memo(self, op, lambda: _mvu_weights(op))
        if op.thresholds is not None and isinstance(op.output.type, PackedType):
            # A bipolar output: the +1 bits are accumulators >= the lowest threshold
            # (count(acc >= t_i) > 0), so the integer matrix need not be kept.
            lowest = memo(self, op.thresholds, lambda: numpy_from_dense(op.thresholds).min(axis=1))
            if op.integer_input:
                lo, hi = element_range(op.input.type.element_type)  # the bound of |x| without a scan
                x_max = max(abs(lo), abs(hi))
                return (over_last_axis(int_threshold_pack, args[0], values, lowest, x_max),)
            if op.wb == 1 and native.library() is not None:  # XNOR, compare and pack in one pass
                return (over_last_axis(native.xnor_threshold_pack, args[0], rows, k, lowest),)
        if op.integer_input:
            acc = over_last_axis(int_matmul, args[0], values)
        elif op.wb == 1:
            acc = over_last_axis(xnor_popcount, args[0], rows, k)
        else:  # AND lanes: S = sum_k a_k w_k over the input bits a_k in {0, 1}
            acc = over_last_axis(lambda a: int_matmul((unpack_bipolar(a, k) > 0).astype(np.int64), values), args[0])
        if op.thresholds is None:
            return (acc,)
        return (threshold_outputs(acc, op.thresholds, -1, op.output.type, op.output_offset),)

    @impl(h.CollectOp)
    def run_collect(self, interpreter: Interpreter, op: h.CollectOp, args: tuple[Any, ...]):
        (x,) = args
        hgt, wid, c = op.input.type.get_shape()
        if not isinstance(op.input.type, PackedType) or c % WORD_BITS == 0:  # whole words per pixel
            return (x.reshape(x.shape[0], -1),)
        flat = unpack_bipolar(x, c).reshape(x.shape[0], hgt * wid * c)
        return (pack_bipolar(flat),)

    @impl(h.FifoOp)
    def run_fifo(self, interpreter: Interpreter, op: h.FifoOp, args: tuple[Any, ...]):
        return args


@register_impls
class PlaneFunctions(InterpreterFunctions):
    """The bit-plane ops, computed plane by plane as the hardware does (AND-popcounts combined
    by shifts and subtractions), so `bitserial` is checked against the integer product."""

    @impl(BitPlanesOp)
    def run_bitplanes(self, interpreter: Interpreter, op: BitPlanesOp, args: tuple[Any, ...]):
        if isinstance(op.input.type, PackedType):  # packed bipolar bits: already one plane
            return (args[0][:, None],)
        elt = op.input.type.element_type
        return (bit_planes(args[0], plane_count(elt), isinstance(elt, BipolarType)),)

    @impl(AddOp)
    def run_add(self, interpreter: Interpreter, op: AddOp, args: tuple[Any, ...]):
        return (args[0].astype(np.int64) + args[1].astype(np.int64),)

    @impl(AddUnitOp)
    def run_add_unit(self, interpreter: Interpreter, op: AddUnitOp, args: tuple[Any, ...]):
        total = args[0].astype(np.int64) + args[1].astype(np.int64)
        if op.thresholds is None:
            return (total,)
        return (threshold_outputs(total, op.thresholds, -1, op.output.type, op.output_offset),)

    @impl(DupOp)
    def run_dup(self, interpreter: Interpreter, op: DupOp, args: tuple[Any, ...]):
        return (args[0], args[0])

    @impl(PlanePopcountOp)
    def run_plane_popcount(self, interpreter: Interpreter, op: PlanePopcountOp, args: tuple[Any, ...]):
        (planes,) = args
        k = op.fan_in
        c_i, x0 = plane_weights(op.element)
        w = weight_values(op.weights).astype(np.int64)
        if isinstance(op.weights, BitMatrixAttr):
            b = op.weights.to_numpy()
            w_planes = None
        else:
            bits = op.weights.bits
            d_j = [1 << j for j in range(bits)]
            if op.weights.element_type.signedness.data == Signedness.SIGNED:
                d_j[-1] = -d_j[-1]
            w_planes = [(d, (w >> j) & 1) for j, d in enumerate(d_j)]
        acc = None
        for i, ci in enumerate(c_i):
            a = planes[:, i]
            if w_planes is None:
                ones = over_last_axis(lambda v: and_popcount(v, np.ones((1, k), np.uint8), k), a)
                term = 2 * over_last_axis(and_popcount, a, b, k) - ones
            else:
                term = sum(d * over_last_axis(and_popcount, a, bj, k) for d, bj in w_planes)
            acc = ci * term if acc is None else acc + ci * term
        return (acc + x0 * w.sum(axis=1),)
