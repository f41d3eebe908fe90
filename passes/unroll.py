"""unroll: materialise every folded matrix product as a matrix-vector unit, and the pixel
streams between them as packed bits.

The C x K weight matrix is laid out as the unit reads it: NF = C/PE by SF = K/SIMD words of
PE*SIMD bits, word nf*SF+sf holding W[nf*PE+p, sf*SIMD+s] in bit p*SIMD+s. A threshold whose
bipolar result only travels on to other hardware becomes the unit's comparators, producing
packed bits directly; the sliding windows, pools and the flatten downstream then work on the
packed stream. Afterwards no `lowbit.xnor_popcount`, `lowbit.threshold` or matrix product
over windows may remain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import BitMatrixAttr
from lowbitc.dialects.lowbit.ops_pixels import PadOp, WindowMaxOp, WindowOp, same_kind
from lowbitc.dialects.lowbit.types import PackedType
from lowbitc.passes.bitserial import require_gone
from lowbitc.passes.tile import fold_of


def weight_memory(w: np.ndarray, pe: int, simd: int) -> np.ndarray:
    """[C, K] bits -> [NF*SF, PE*SIMD] memory words (see the module docstring). When PE or SIMD
    do not divide C or K, the matrix is padded with 0 bits: padded channels are computed and
    dropped, and padded inputs get a 1 bit (bipolar) or 0 (integer) from the unit's wrapper, so
    for XNOR the bit mismatches the 0 weight and for integers it multiplies to 0: neither
    changes the accumulator."""
    c, k = w.shape
    nf, sf = -(-c // pe), -(-k // simd)
    w = np.pad(w, ((0, nf * pe - c), (0, sf * simd - k)))
    return w.reshape(nf, pe, sf, simd).transpose(0, 2, 1, 3).reshape(nf * sf, pe * simd)


class Unroller:
    def __init__(self) -> None:
        self.rw = Rewriter()

    def unit(self, product: h.XnorPopcountOp | g.MatMulOp) -> None:
        fold = fold_of(product)
        if fold is None:
            raise DiagnosticException(f"unroll: {product.name} has no fold; run the tile pass first")
        memory = BitMatrixAttr.from_numpy(weight_memory(product.weights.to_numpy(), fold.pe.data, fold.simd.data))
        props = {"fold": fold, "memory": memory}
        users = [u.operation for u in product.output.uses]
        th = users[0] if len(users) == 1 and isinstance(users[0], g.ThresholdOp) else None
        if th is not None and th.thresholds.get_shape()[1] == 1:
            out_type = PackedType(th.output.type.get_shape(), th.output.type.element_type)
            mvu = h.MVUOp.create(operands=[product.input], result_types=[out_type], properties=props | {"thresholds": th.thresholds})
            self.rw.insert_op(mvu, InsertPoint.before(product))
            self.forward_packed(th.output, mvu.output)
            self.rw.erase_op(th)
            self.rw.erase_op(product)
        else:
            mvu = h.MVUOp.create(operands=[product.input], result_types=[product.output.type], properties=props)
            self.rw.replace_op(product, mvu)

    def forward_packed(self, logical: SSAValue, packed: SSAValue) -> None:
        """Let every user of ``logical`` (bipolar) read the packed twin instead."""
        for use in list(logical.uses):
            user = use.operation
            if isinstance(user, h.PackOp):
                self.rw.replace_op(user, [], [packed])
                continue
            if isinstance(user, (WindowOp, WindowMaxOp)):
                new: Operation = type(user).create(
                    operands=[packed], result_types=[same_kind(packed.type, user.output.type.get_shape())],
                    properties=dict(user.properties))
            elif isinstance(user, PadOp):  # reads the packed stream, produces integers as before
                new = PadOp.create(operands=[packed], result_types=[user.output.type], properties=dict(user.properties))
                self.rw.insert_op(new, InsertPoint.before(user))
                self.rw.replace_op(user, [], [new.output])
                continue
            elif isinstance(user, g.ReshapeOp) and len(logical.type.get_shape()) == 3:
                new = h.CollectOp.create(operands=[packed], result_types=[PackedType(user.output.type.get_shape(), packed.type.element_type)])
            else:
                raise DiagnosticException(f"unroll: a layer's bipolar output feeds {user.name}, which has no hardware unit")
            self.rw.insert_op(new, InsertPoint.before(user))
            self.forward_packed(user.results[0], new.results[0])
            self.rw.erase_op(user)

    def pack_before_window(self, pack: h.PackOp) -> None:
        """pack(window(x)) -> window(pack(x)): a bipolar first layer's window generator then
        works on the packed pixel stream the host sends, like every later one."""
        window = pack.input.owner
        x = window.input
        packed = h.PackOp.create(operands=[x], result_types=[PackedType(x.type.get_shape(), x.type.element_type)])
        new = WindowOp.create(operands=[packed.output], result_types=[pack.output.type], properties=dict(window.properties))
        self.rw.insert_op([packed, new], InsertPoint.before(pack))
        self.rw.replace_op(pack, [], [new.output])
        if not window.output.uses:
            self.rw.erase_op(window)

    def run(self, module: ModuleOp) -> None:
        for pack in [o for o in module.walk() if isinstance(o, h.PackOp)]:
            if isinstance(pack.input.owner, WindowOp):
                self.pack_before_window(pack)
        products = [o for o in module.walk() if isinstance(o, h.XnorPopcountOp)
                    or (isinstance(o, g.MatMulOp) and o.input.type.get_num_dims() > 1)]
        for product in products:
            self.unit(product)


def matmul_over_windows(op: Operation) -> bool:
    return isinstance(op, g.MatMulOp) and op.input.type.get_num_dims() > 1


@dataclass(frozen=True)
class UnrollPass(ModulePass):
    """Turn folded products (+ thresholds) into `lowbit.mvu` and pixel maps into packed streams."""

    name = "unroll"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        Unroller().run(op)
        require_gone(op, (h.XnorPopcountOp, g.ThresholdOp), self.name)
        for o in op.walk():
            if matmul_over_windows(o):
                raise DiagnosticException(f"unroll: {o.name} over windows could not be lowered")



