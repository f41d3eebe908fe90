"""unroll: materialise every folded matrix product as a matrix-vector unit, and the pixel
streams between them as packed bits.

The C x K weight matrix is laid out as the unit reads it: NF = C/PE by SF = K/SIMD words of
PE*SIMD*WB bits, word nf*SF+sf holding W[nf*PE+p, sf*SIMD+s] in bits (p*SIMD+s)*WB +: WB (WB = 1
for binary weights). A plane-popcount reads the elements whose planes it took (the planes are
wires). A threshold after a product becomes the unit's comparators, producing packed bits
(bipolar) or k-bit codes directly, and so does a threshold after a residual add or a global
pool's sums in that unit; the sliding windows, pools and the flatten downstream then work on
the unit's stream. Afterwards no product, bit-plane split or threshold may remain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, IntegerType, ModuleOp, Signedness, TensorType, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import (
    BitMatrixAttr,
    IntMatrixAttr,
    dense_from_numpy,
    numpy_from_dense,
    weight_values,
)
from lowbitc.dialects.lowbit.ops_gap import SumUnitOp
from lowbitc.dialects.lowbit.ops_pixels import PadOp, WindowMaxOp, WindowOp, same_kind
from lowbitc.dialects.lowbit.ops_planes import BitPlanesOp, PlanePopcountOp
from lowbitc.dialects.lowbit.ops_residual import AddOp, AddUnitOp
from lowbitc.dialects.lowbit.types import BipolarType, PackedType, bits_for_range, int_range, int_type
from lowbitc.passes.bitserial import require_gone
from lowbitc.passes.tile import fold_of


def weight_memory(w: np.ndarray, pe: int, simd: int, wb: int = 1) -> np.ndarray:
    """[C, K] weights -> [NF*SF, PE*SIMD*WB] memory bits (see the module docstring): for WB = 1
    the weight bits themselves, for WB >= 2 each weight in WB-bit two's complement, least
    significant bit first. When PE or SIMD do not divide C or K, the matrix is padded with 0:
    padded channels are computed and dropped, and padded inputs get a 1 bit (bipolar) or 0
    (integer) from the unit's wrapper, so for XNOR the bit mismatches the 0 weight bit and
    otherwise it multiplies to 0 (a 0 weight times anything is 0 too): the accumulator is
    unchanged."""
    c, k = w.shape
    nf, sf = -(-c // pe), -(-k // simd)
    w = np.pad(w.astype(np.int64), ((0, nf * pe - c), (0, sf * simd - k)))
    words = w.reshape(nf, pe, sf, simd).transpose(0, 2, 1, 3).reshape(nf * sf, pe * simd)
    if wb == 1:
        return words.astype(np.uint8)
    bits = (words[..., None] >> np.arange(wb)) & 1  # [depth, PE*SIMD, WB], two's complement
    return bits.reshape(nf * sf, pe * simd * wb).astype(np.uint8)


def memory_weights(weights: BitMatrixAttr | IntMatrixAttr) -> tuple[np.ndarray, int]:
    """The matrix as the memory stores it and WB: bits for binary weights, values otherwise
    (unsigned types get a sign bit: the lanes read two's complement; at least 2 bits)."""
    if isinstance(weights, BitMatrixAttr):
        return weights.to_numpy(), 1
    signed = weights.element_type.signedness.data == Signedness.SIGNED
    # WB = 1 means bipolar bits to the unit, so 1-bit integers (si1 = {-1, 0}) take 2 bits.
    return weight_values(weights), max(2, weights.bits + (0 if signed else 1))


def and_thresholds(dot_thresholds: np.ndarray, row_sums: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """For a bipolar input x = 2a - 1 the AND lanes compute S = sum a_k w_k, and
    dot = 2S - sum_k w_k: dot >= t  <=>  S >= ceil((t + sum_k w_k) / 2), clamped to the
    unit's accumulator range [lo, hi + 1] (lo always fires, hi + 1 never)."""
    s = -((-(dot_thresholds + row_sums[:, None])) // 2)
    return np.clip(s, lo, hi + 1).astype(np.int64)


class Unroller:
    def __init__(self) -> None:
        self.rw = Rewriter()

    def unit(self, product: h.XnorPopcountOp | g.MatMulOp | PlanePopcountOp) -> None:
        fold = fold_of(product)
        if fold is None:
            raise DiagnosticException(f"unroll: {product.name} has no fold; run the tile pass first")
        values, wb = memory_weights(product.weights)
        memory = BitMatrixAttr.from_numpy(weight_memory(values, fold.pe.data, fold.simd.data, wb))
        props: dict = {"fold": fold, "memory": memory}
        if wb > 1:
            props["weight_bits"] = IntegerAttr(wb, i64)
        source = product.input
        and_lanes = False
        if isinstance(product, PlanePopcountOp):
            # The planes are the wires of the elements: the unit reads the elements.
            source = product.input.owner.input
            if product.is_serial:
                props["serial"] = product.serial
            if isinstance(source.type, PackedType):  # already the packed output of a unit
                and_lanes = True
            elif isinstance(source.type.element_type, BipolarType):
                pack = h.PackOp.create(
                    operands=[source], result_types=[PackedType(source.type.get_shape(), BipolarType())]
                )
                self.rw.insert_op(pack, InsertPoint.before(product))
                source, and_lanes = pack.output, True
        # The unit's accumulator range follows from its lanes (the weight width, which may be
        # wider than the weights present: ternary weights in si2 lanes).
        probe = h.MVUOp.create(operands=[source], result_types=[product.output.type], properties=props)
        lo, hi = probe.value_range()
        probe.erase()
        users = [u.operation for u in product.output.uses]
        th = users[0] if len(users) == 1 and isinstance(users[0], g.ThresholdOp) else None
        if th is None:
            # The raw result widens to the unit's range when the product's type is narrower.
            out_type = product.output.type
            tlo, thi = int_range(out_type.element_type)
            if lo < tlo or hi > thi:
                width, signed = bits_for_range(lo, hi)
                out_type = TensorType(int_type(width, signed), out_type.get_shape())
            mvu = h.MVUOp.create(operands=[source], result_types=[out_type], properties=props)
            if not and_lanes:
                self.rw.replace_op(product, mvu)
                return
            # AND lanes count sum a_k w_k; the host turns that into the dot product.
            sums = weight_values(product.weights).astype(np.int64).sum(axis=1)
            dot = h.AndToDotOp.create(
                operands=[mvu.output],
                result_types=[product.output.type],
                properties={"row_sums": dense_from_numpy(sums)},
            )
            self.rw.replace_op(product, [mvu, dot])
            return
        t = numpy_from_dense(th.thresholds)
        if and_lanes:
            t = and_thresholds(t, weight_values(product.weights).astype(np.int64).sum(axis=1), lo, hi)
        # A threshold at or below the lowest accumulator value always fires, one above the
        # highest never: clamped to [lo, hi + 1], the comparators stay as narrow as the sums.
        props["thresholds"] = dense_from_numpy(np.clip(t, lo, hi + 1).astype(np.int64))
        if th.border is not None:
            props["border"] = th.border
        elt = th.output.type.element_type
        if isinstance(elt, BipolarType):
            out_type = PackedType(th.output.type.get_shape(), elt)
        else:
            out_type = th.output.type
            if th.offset is not None:
                props["offset"] = th.offset
        mvu = h.MVUOp.create(operands=[source], result_types=[out_type], properties=props)
        self.rw.insert_op(mvu, InsertPoint.before(product))
        if isinstance(elt, BipolarType):
            self.forward_packed(th.output, mvu.output)
        else:
            th.output.replace_all_uses_with(mvu.output)
            self.collect_codes(mvu.output)
        self.rw.erase_op(th)
        self.rw.erase_op(product)

    def forward_packed(self, logical: SSAValue, packed: SSAValue, only: Operation | None = None) -> None:
        """Let every user of ``logical`` (bipolar), or just ``only``, read the packed twin."""
        for use in list(logical.uses):
            user = use.operation
            if only is not None and user is not only:
                continue
            if isinstance(user, h.PackOp):
                self.rw.replace_op(user, [], [packed])
                continue
            if isinstance(user, BitPlanesOp):  # a bipolar layer with multi-bit weights reads the bits
                new = BitPlanesOp.create(operands=[packed], result_types=[user.output.type])
                self.rw.replace_op(user, new)
                continue
            if isinstance(user, (WindowOp, WindowMaxOp)):
                new: Operation = type(user).create(
                    operands=[packed],
                    result_types=[same_kind(packed.type, user.output.type.get_shape())],
                    properties=dict(user.properties),
                )
            elif isinstance(user, PadOp) and user.fill_value:  # -1 or +1 padding keeps the bits packed
                new = PadOp.create(
                    operands=[packed],
                    result_types=[same_kind(packed.type, user.output.type.get_shape())],
                    properties=dict(user.properties),
                )
            elif isinstance(user, PadOp):  # reads the packed stream, produces integers as before
                new = PadOp.create(operands=[packed], result_types=[user.output.type], properties=dict(user.properties))
                self.rw.insert_op(new, InsertPoint.before(user))
                self.rw.replace_op(user, [], [new.output])
                continue
            elif isinstance(user, g.ReshapeOp) and len(logical.type.get_shape()) == 3:
                new = h.CollectOp.create(
                    operands=[packed], result_types=[PackedType(user.output.type.get_shape(), packed.type.element_type)]
                )
            else:
                raise DiagnosticException(
                    f"unroll: a layer's bipolar output feeds {user.name}, which has no hardware unit"
                )
            self.rw.insert_op(new, InsertPoint.before(user))
            self.forward_packed(user.results[0], new.results[0])
            self.rw.erase_op(user)

    def add_unit(self, add: AddOp) -> None:
        """A residual add and the threshold after it become one add unit."""
        for operand in (add.lhs, add.rhs):
            if isinstance(operand.type, PackedType) or not isinstance(operand.type.element_type, IntegerType):
                raise DiagnosticException(
                    f"unroll: a residual add of {operand.type} values has no hardware unit; quantize both inputs to "
                    "2..4 bits"
                )
        users = [u.operation for u in add.output.uses]
        th = users[0] if len(users) == 1 and isinstance(users[0], g.ThresholdOp) else None
        if th is None:
            self.rw.replace_op(add, AddUnitOp.create(operands=[add.lhs, add.rhs], result_types=[add.output.type]))
            return
        props = {"thresholds": th.thresholds} | ({"offset": th.offset} if th.offset is not None else {})
        elt = th.output.type.element_type
        out_type = PackedType(th.output.type.get_shape(), elt) if isinstance(elt, BipolarType) else th.output.type
        unit = AddUnitOp.create(operands=[add.lhs, add.rhs], result_types=[out_type], properties=props)
        self.rw.insert_op(unit, InsertPoint.before(add))
        if isinstance(elt, BipolarType):
            self.forward_packed(th.output, unit.output)
        else:
            th.output.replace_all_uses_with(unit.output)
            self.collect_codes(unit.output)
        self.rw.erase_op(th)
        self.rw.erase_op(add)

    def sum_unit(self, unit: SumUnitOp) -> None:
        """The threshold after a global pool's sums becomes the unit's comparators."""
        users = [u.operation for u in unit.output.uses]
        th = users[0] if len(users) == 1 and isinstance(users[0], g.ThresholdOp) else None
        if th is None:
            return
        props = {"thresholds": th.thresholds} | ({"offset": th.offset} if th.offset is not None else {})
        elt = th.output.type.element_type
        out_type = PackedType(th.output.type.get_shape(), elt) if isinstance(elt, BipolarType) else th.output.type
        new = SumUnitOp.create(operands=[unit.input], result_types=[out_type], properties=props)
        self.rw.insert_op(new, InsertPoint.before(unit))
        if isinstance(elt, BipolarType):
            self.forward_packed(th.output, new.output)
        else:
            th.output.replace_all_uses_with(new.output)
            self.collect_codes(new.output)
        self.rw.erase_op(th)
        self.rw.erase_op(unit)

    def collect_codes(self, value: SSAValue) -> None:
        """k-bit maps need no packing; only the flatten of an [H, W, C] map becomes a collector
        (through any windows and pools in between, which stay as they are)."""
        for use in list(value.uses):
            user = use.operation
            if isinstance(user, (WindowOp, WindowMaxOp)):
                self.collect_codes(user.results[0])
            elif isinstance(user, g.ReshapeOp) and len(value.type.get_shape()) == 3:
                new = h.CollectOp.create(operands=[value], result_types=[user.output.type])
                self.rw.replace_op(user, new)

    def pack_before_window(self, pack: h.PackOp) -> None:
        """pack(window(x)) -> window(pack(x)): a bipolar first layer's window generator then
        works on the packed pixel stream the host sends, like every later one."""
        window = pack.input.owner
        x = window.input
        packed = h.PackOp.create(operands=[x], result_types=[PackedType(x.type.get_shape(), x.type.element_type)])
        new = WindowOp.create(
            operands=[packed.output], result_types=[pack.output.type], properties=dict(window.properties)
        )
        self.rw.insert_op([packed, new], InsertPoint.before(pack))
        self.rw.replace_op(pack, [], [new.output])
        if not window.output.uses:
            self.rw.erase_op(window)

    def run(self, module: ModuleOp) -> None:
        for pack in [o for o in module.walk() if isinstance(o, h.PackOp)]:
            if isinstance(pack.input.owner, WindowOp):
                self.pack_before_window(pack)
        products = [o for o in module.walk() if isinstance(o, (h.XnorPopcountOp, PlanePopcountOp, g.MatMulOp))]
        for product in products:
            self.unit(product)
        for add in [o for o in module.walk() if isinstance(o, AddOp)]:
            self.add_unit(add)
        for unit in [o for o in module.walk() if isinstance(o, SumUnitOp) and o.thresholds is None]:
            self.sum_unit(unit)
        for split in [o for o in module.walk() if isinstance(o, BitPlanesOp)]:
            if not split.output.uses:
                self.rw.erase_op(split)
        # Packs added for AND lanes may follow a window: the window then reads packed pixels.
        for pack in [o for o in module.walk() if isinstance(o, h.PackOp)]:
            if isinstance(pack.input.owner, WindowOp):
                self.pack_before_window(pack)
        self.pack_host_streams(module)
        # A flatten of a map that a unit produced (e.g. a pool right on the input) collects it.
        for reshape in [o for o in module.walk() if isinstance(o, g.ReshapeOp)]:
            x = reshape.input
            if (
                isinstance(x.owner, (WindowOp, WindowMaxOp, PadOp, h.MVUOp, AddUnitOp, SumUnitOp))
                and len(x.type.get_shape()) == 3
            ):
                self.rw.replace_op(reshape, h.CollectOp.create(operands=[x], result_types=[reshape.output.type]))

    def pack_host_streams(self, module: ModuleOp) -> None:
        """The host sends bipolar maps packed: a window, pool or pad that still reads logical
        bipolar values (the quantized input itself) reads their packed form."""
        units = (WindowOp, WindowMaxOp, PadOp)
        for op in [o for o in module.walk() if isinstance(o, units)]:
            x = op.operands[0]
            if (
                op.parent is None
                or not isinstance(x.type, TensorType)
                or not isinstance(x.type.element_type, BipolarType)
            ):
                continue
            if isinstance(x.owner, (*units, h.MVUOp)):
                continue  # produced in hardware: packed when its producer was unrolled
            pack = h.PackOp.create(operands=[x], result_types=[PackedType(x.type.get_shape(), BipolarType())])
            self.rw.insert_op(pack, InsertPoint.before(op))
            self.forward_packed(x, pack.output, only=op)


@dataclass(frozen=True)
class UnrollPass(ModulePass):
    """Turn folded products (+ thresholds) into `lowbit.mvu` and pixel maps into packed streams."""

    name = "unroll"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        Unroller().run(op)
        require_gone(op, (h.XnorPopcountOp, PlanePopcountOp, BitPlanesOp, g.MatMulOp, g.ThresholdOp, AddOp), self.name)
