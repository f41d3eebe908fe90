"""bitserial: bipolar matrix products become XNOR-popcounts over packed bits.

For K weights and inputs in {-1, +1}, the dot product is ``2P - K`` where P counts the positions
where input and weight bits agree. A threshold ``dot >= t`` becomes ``P >= ceil((t + K) / 2)``,
clamped to [0, K + 1] (0 always fires, K + 1 never), so the hardware compares the popcount
directly; any other use of the dot product gets an explicit ``xnor_to_dot``. Convolutional
layers first become channels-last windows (see `bitserial_pixels`). Afterwards no product on
bipolar values may remain; the multi-bit first layer keeps an integer `lowbit.matmul`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType, i64
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import dense_from_numpy, numpy_from_dense
from lowbitc.dialects.lowbit.ops_conv import ConvOp, MaxPoolOp
from lowbitc.passes.bitserial_pixels import lower_pixels, popcount_thresholds
from lowbitc.dialects.lowbit.types import BipolarType, PackedType, bits_for_range, int_type


def require_gone(module: ModuleOp, op_types: tuple[type[Operation], ...], pass_name: str) -> None:
    """A lowering states which ops it removes and fails loudly if any survived."""
    for op in module.walk():
        if isinstance(op, op_types):
            raise DiagnosticException(f"{pass_name}: {op.name} could not be lowered (result type {op.results[0].type})")


@dataclass(frozen=True)
class BitserialPass(ModulePass):
    """Rewrite `lowbit.matmul` into pack + `lowbit.xnor_popcount` (see the module docstring)."""

    name = "bitserial"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        lower_pixels(op)
        rw = Rewriter()
        # Bipolar products become XNOR-popcounts; the multi-bit first layer keeps its integer product.
        for mm in [o for o in op.walk() if isinstance(o, g.MatMulOp) and isinstance(o.input.type.element_type, BipolarType)]:
            k = mm.fan_in
            c = mm.weights.shape[0]
            pack = h.PackOp.create(operands=[mm.input], result_types=[PackedType((k,), mm.input.type.element_type)])
            width, signed = bits_for_range(0, k)
            pop = h.XnorPopcountOp.create(
                operands=[pack.output], result_types=[TensorType(int_type(width, signed), (c,))],
                properties={"weights": mm.weights})
            rw.insert_op([pack, pop], InsertPoint.before(mm))
            dot = None
            for use in list(mm.output.uses):
                user = use.operation
                if isinstance(user, g.ThresholdOp):
                    th = popcount_thresholds(numpy_from_dense(user.thresholds), k)
                    new = g.ThresholdOp.create(
                        operands=[pop.output], result_types=[user.output.type],
                        properties={"thresholds": dense_from_numpy(th)})
                    rw.replace_op(user, new)
                else:
                    if dot is None:
                        dot = h.XnorToDotOp.create(
                            operands=[pop.output], result_types=[mm.output.type],
                            properties={"fan_in": IntegerAttr(k, i64)})
                        rw.insert_op(dot, InsertPoint.after(pop))
                    use.operation.operands[use.index] = dot.output
            rw.erase_op(mm)
        for o in op.walk():
            if isinstance(o, (g.MatMulOp, ConvOp, MaxPoolOp)) and isinstance(o.input.type.element_type, BipolarType):
                raise DiagnosticException(f"bitserial: {o.name} on bipolar values could not be lowered")
