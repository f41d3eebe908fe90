"""bitserial: matrix products become XNOR- and AND-popcounts over packed bits.

* Bipolar inputs and binary weights: for K weights and inputs in {-1, +1}, the dot product is
  ``2P - K`` where P counts the positions where input and weight bits agree. A threshold
  ``dot >= t`` becomes ``P >= ceil((t + K) / 2)``, clamped to [0, K + 1] (0 always fires,
  K + 1 never), so the hardware compares the popcount directly; any other use of the dot
  product gets an explicit ``xnor_to_dot``.
* Activations of 1 to 4 bits with multi-bit weights, or of 2 to 4 bits with any weights:
  `lowbit.bitplanes` splits the activations into planes and `lowbit.plane_popcount` combines
  AND-popcounts of activation and weight planes by shifts and subtractions (see ops_planes);
  the result is the exact dot product, so thresholds are unchanged.
* Wider inputs (the 8-bit first layer) keep the integer product: at equal throughput the
  integer unit takes fewer LUTs even against a lower bound for the bit-serial one (its lanes
  alone over the 8 planes, without the plane shifts): 1064 vs 1111 LUTs at 48 cycles per
  vector, 3040 vs 4967 at 8 (K = 27, C = 64, EW = 8; Yosys synth_xilinx, bench/first_layer.py).

Convolutional layers first become channels-last windows (see `bitserial_pixels`). Afterwards
no product on bipolar or narrow values may remain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType, i1, i64
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, dense_from_numpy, numpy_from_dense
from lowbitc.dialects.lowbit.ops_conv import ConvOp, MaxPoolOp
from lowbitc.dialects.lowbit.ops_planes import MAX_PLANES, BitPlanesOp, PlanePopcountOp, plane_count
from lowbitc.dialects.lowbit.types import BipolarType, PackedType, bits_for_range, int_type
from lowbitc.passes.bitserial_pixels import lower_pixels


def require_gone(module: ModuleOp, op_types: tuple[type[Operation], ...], pass_name: str) -> None:
    """A lowering states which ops it removes and fails loudly if any survived."""
    for op in module.walk():
        if isinstance(op, op_types):
            raise DiagnosticException(f"{pass_name}: {op.name} could not be lowered (result type {op.results[0].type})")


@dataclass(frozen=True)
class BitserialPass(ModulePass):
    """Rewrite `lowbit.matmul` into XNOR- or AND-popcounts (see the module docstring)."""

    name = "bitserial"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        lower_pixels(op)
        rw = Rewriter()
        for mm in [o for o in op.walk() if isinstance(o, g.MatMulOp)]:
            elt = mm.input.type.element_type
            if isinstance(elt, BipolarType) and isinstance(mm.weights, BitMatrixAttr):
                xnor_popcount(mm, rw)
            elif plane_count(elt) <= MAX_PLANES:
                planes(mm, rw)
        for o in op.walk():
            if isinstance(o, (g.MatMulOp, ConvOp, MaxPoolOp)) and plane_count(o.input.type.element_type) <= MAX_PLANES:
                raise DiagnosticException(
                    f"bitserial: {o.name} on {o.input.type.element_type} values could not be lowered"
                )


def popcount_thresholds(dot_thresholds: np.ndarray, fan_in: int) -> np.ndarray:
    """dot >= t  <=>  2P - K >= t  <=>  P >= ceil((t + K) / 2), clamped to [0, K + 1]."""
    p = -((-(dot_thresholds + fan_in)) // 2)
    return np.clip(p, 0, fan_in + 1).astype(np.int64)


def xnor_popcount(mm: g.MatMulOp, rw: Rewriter) -> None:
    k = mm.fan_in
    c = mm.weights.shape[0]
    shape = mm.input.type.get_shape()
    pack = h.PackOp.create(operands=[mm.input], result_types=[PackedType(shape, mm.input.type.element_type)])
    width, signed = bits_for_range(0, k)
    pop = h.XnorPopcountOp.create(
        operands=[pack.output],
        result_types=[TensorType(int_type(width, signed), shape[:-1] + (c,))],
        properties={"weights": mm.weights},
    )
    rw.insert_op([pack, pop], InsertPoint.before(mm))
    dot = None
    for use in list(mm.output.uses):
        user = use.operation
        if isinstance(user, g.ThresholdOp):
            th = popcount_thresholds(numpy_from_dense(user.thresholds), k)
            new = g.ThresholdOp.create(
                operands=[pop.output],
                result_types=[user.output.type],
                properties=dict(user.properties) | {"thresholds": dense_from_numpy(th)},
            )
            rw.replace_op(user, new)
        else:
            if dot is None:
                dot = h.XnorToDotOp.create(
                    operands=[pop.output], result_types=[mm.output.type], properties={"fan_in": IntegerAttr(k, i64)}
                )
                rw.insert_op(dot, InsertPoint.after(pop))
            use.operation.operands[use.index] = dot.output
    rw.erase_op(mm)


def planes(mm: g.MatMulOp, rw: Rewriter) -> None:
    elt = mm.input.type.element_type
    shape = mm.input.type.get_shape()
    split = BitPlanesOp.create(operands=[mm.input], result_types=[PackedType((plane_count(elt),) + shape, i1)])
    pop = PlanePopcountOp.create(
        operands=[split.output], result_types=[mm.output.type], properties={"element": elt, "weights": mm.weights}
    )
    rw.insert_op([split, pop], InsertPoint.before(mm))
    mm.output.replace_all_uses_with(pop.output)
    rw.erase_op(mm)
