"""unroll: materialise every folded XNOR-popcount layer as a matrix-vector unit.

The C x K weight matrix is laid out as the unit reads it: NF = C/PE by SF = K/SIMD words of
PE*SIMD bits, word nf*SF+sf holding W[nf*PE+p, sf*SIMD+s] in bit p*SIMD+s. A threshold on the
popcount whose bipolar result is only packed again becomes the unit's comparators, producing
packed bits directly. Afterwards no `lowbit.xnor_popcount` or `lowbit.threshold` may remain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import BitMatrixAttr
from lowbitc.dialects.lowbit.ops_pixels import ToPixelsOp, WindowOp
from lowbitc.dialects.lowbit.types import PackedType
from lowbitc.passes.bitserial import require_gone


def weight_memory(w: np.ndarray, pe: int, simd: int) -> np.ndarray:
    """[C, K] bits -> [NF*SF, PE*SIMD] memory words (see the module docstring)."""
    c, k = w.shape
    nf, sf = c // pe, k // simd
    return w.reshape(nf, pe, sf, simd).transpose(0, 2, 1, 3).reshape(nf * sf, pe * simd)


@dataclass(frozen=True)
class UnrollPass(ModulePass):
    """Turn folded `lowbit.xnor_popcount` (+ threshold) into `lowbit.mvu`."""

    name = "unroll"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for o in op.walk():
            if isinstance(o, (WindowOp, ToPixelsOp)) or (isinstance(o, g.MatMulOp) and o.input.type.get_num_dims() > 1):
                raise DiagnosticException(
                    f"unroll: {o.name}: convolutional layers (sliding windows) are not lowered to hardware units yet; "
                    "interpret them with lowbitc run --stage tile")
        rw = Rewriter()
        for pop in [o for o in op.walk() if isinstance(o, h.XnorPopcountOp)]:
            if pop.fold is None:
                raise DiagnosticException("unroll: lowbit.xnor_popcount has no fold; run the tile pass first")
            pe, simd = pop.fold.pe.data, pop.fold.simd.data
            memory = BitMatrixAttr.from_numpy(weight_memory(pop.weights.to_numpy(), pe, simd))
            props = {"fold": pop.fold, "memory": memory}
            users = [u.operation for u in pop.output.uses]
            th = users[0] if len(users) == 1 and isinstance(users[0], g.ThresholdOp) else None
            if th is not None and th.thresholds.get_shape()[1] == 1:
                packs = [u.operation for u in th.output.uses]
                if not all(isinstance(p, h.PackOp) for p in packs):
                    raise DiagnosticException("unroll: a thresholded layer feeds something other than another layer; only packed bipolar outputs are supported")
                c = pop.weights.shape[0]
                mvu = h.MVUOp.create(
                    operands=[pop.input], result_types=[PackedType((c,), th.output.type.element_type)],
                    properties=props | {"thresholds": th.thresholds})
                rw.insert_op(mvu, InsertPoint.before(pop))
                for p in packs:
                    rw.replace_op(p, [], [mvu.output])
                rw.erase_op(th)
                rw.erase_op(pop)
            else:
                mvu = h.MVUOp.create(operands=[pop.input], result_types=[pop.output.type], properties=props)
                rw.replace_op(pop, mvu)
        require_gone(op, (h.XnorPopcountOp, g.ThresholdOp), self.name)

