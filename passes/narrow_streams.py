"""narrow-streams: the stream into a convolution's matrix-vector unit carries one fold per
beat, not a whole window (rtl to rtl; the `rtl` stage runs it after lowering).

A sliding-window generator that emits a whole KHxKW window per beat holds the window in
registers, its FIFO holds two more, and the unit holds two more (its input buffer and working
register): on the CNV at 3,000 frames/s that was a third of the flip-flops. Here each
`rtl.swg` that feeds exactly one `rtl.mvu` (through FIFOs only) becomes an `rtl.swg_ram`,
whose rows live in a RAM and which emits the window as words of G elements, G the smallest
divisor of the channels that is at least the unit's SIMD; the FIFOs between carry words; the
unit takes one fold of SIMD elements per beat and keeps the vector for its channel folds in a
RAM (`fan_in` set: lowbit_mvu's NARROW). Where G differs from SIMD, or SIMD does not divide
the fan-in, an `rtl.gearbox` between them cuts the words into folds and adds the padding the
weight memory expects (a 1 bit against XNOR lanes' 0 weight, else 0).

Left as they are: a unit whose SIMD exceeds the channels (a window word would have to span
pixels: the first layers, whose windows are small), a window generator whose output is
duplicated, and units fed by anything but a window generator.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from lowbitc.dialects import rtl

WORD_FIFO_DEPTH = 2
"""Beats of the FIFO between a window generator and its unit once it carries words: the
generator's RAM rows absorb the rows in which no window ends, so two words keep the unit fed."""


def word_elements(channels: int, simd: int) -> int | None:
    """G: the smallest divisor of ``channels`` that is at least ``simd`` (the window generator
    then reads a word per cycle at least as fast as the unit takes folds); None when SIMD
    exceeds the channels."""
    return next((g for g in range(simd, channels + 1) if channels % g == 0), None)


def fifo_chain(value: SSAValue) -> tuple[list[rtl.FifoInstanceOp], Operation | None]:
    """The FIFOs (producer side first) between ``value``'s producer and its one reader, and the
    producer; a value read twice on the way has no chain (None)."""
    chain: list[rtl.FifoInstanceOp] = []
    while isinstance(owner := value.owner, rtl.FifoInstanceOp):
        if len(list(owner.output.uses)) != 1:
            return [], None
        chain.insert(0, owner)
        value = owner.input
    if not isinstance(owner, Operation) or len(list(value.uses)) != 1:
        return [], None
    return chain, owner


def narrow(mvu: rtl.MVUInstanceOp, rw: Rewriter) -> bool:
    """Feed ``mvu`` one fold per beat from a RAM window generator; False where it is left."""
    if mvu.fold_per_beat:
        return False
    chain, swg = fifo_chain(mvu.input)
    if not isinstance(swg, rtl.SWGInstanceOp):
        return False
    c, ew = swg.channels.value.data, swg.element_width.value.data
    simd, k = mvu.fold.simd.data, mvu.fan_in
    g = word_elements(c, simd)
    if g is None:
        return False
    props = dict(swg.properties) | {"word": IntegerAttr(g, i64)}
    words = rtl.SWGRamInstanceOp.create(operands=[swg.input], result_types=[rtl.StreamType(g * ew)], properties=props)
    new_ops: list[Operation] = [words]
    stream = words.output
    for _ in chain:  # the same FIFOs, now carrying words
        again = rtl.FifoInstanceOp.create(
            operands=[stream], result_types=[stream.type], properties={"depth": IntegerAttr(WORD_FIFO_DEPTH, i64)}
        )
        new_ops.append(again)
        stream = again.output
    folds = -(-k // simd)
    fold_bits = simd * (mvu.input_element_width or 1)
    if g != simd or folds * simd != k:
        gear_props = {"in_beats": IntegerAttr(k // g, i64), "out_beats": IntegerAttr(folds, i64)}
        if mvu.input_element_width is None and folds * simd != k:
            gear_props["pad"] = IntegerAttr(1, i64)  # a 1 bit mismatches the pad's 0 weight bit
        gear = rtl.GearboxInstanceOp.create(
            operands=[stream], result_types=[rtl.StreamType(fold_bits)], properties=gear_props
        )
        new_ops.append(gear)
        stream = gear.output
    unit = rtl.MVUInstanceOp.create(
        operands=[stream],
        result_types=[mvu.output.type],
        properties=dict(mvu.properties) | {"fan_in": IntegerAttr(k, i64)},
    )
    new_ops.append(unit)
    rw.insert_op(new_ops, InsertPoint.before(mvu))
    mvu.output.replace_all_uses_with(unit.output)
    for old in (mvu, *reversed(chain), swg):
        rw.erase_op(old)
    return True


@dataclass(frozen=True)
class NarrowStreamsPass(ModulePass):
    """Window generators feed their units one fold per beat (see the module docstring)."""

    name = "narrow-streams"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        rw = Rewriter()
        for top in [o for o in op.ops if isinstance(o, rtl.ModuleOp)]:
            for mvu in [o for o in top.body.block.ops if isinstance(o, rtl.MVUInstanceOp)]:
                narrow(mvu, rw)
