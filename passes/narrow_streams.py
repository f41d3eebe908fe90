"""narrow-streams: the stream into a matrix-vector unit carries one fold per beat, not a whole
window or vector (rtl to rtl; the `rtl` stage runs it after lowering).

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

The same holds for the vectors a unit takes from anything else (the dense layers; a
convolution whose map has shrunk to what the first dense layer flattens; a 1x1 convolution
after a pool or an add): fed through FIFOs and at most one `rtl.collect` (the flatten, whose
beats already come in flatten order, so it goes), the unit takes its vector fold by fold. A
matrix-vector unit producing it emits one channel fold (PE channels) per beat instead
(`fold_out`: lowbit_mvu's FOLDOUT) unless PE does not divide its channels (its last fold
would carry padding channels); a pool, pad, add or global pool keeps its pixel beats. A
gearbox cuts those beats into the consumer's folds where they differ, and the FIFO in front of
the consumer holds a whole vector of folds (SF + 2 beats, in LUT RAM): a unit with several
channel folds takes its vector in one burst of SF cycles, and its producer must not wait for
it meanwhile.

Left as they are: a unit whose SIMD exceeds the channels of its window and is not a multiple
of them (a fold would straddle pixels at varying offsets; the tile pass avoids such folds where
the narrow stream is cheaper), a window generator whose output is duplicated, and a unit fed by
the design's input.
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
    then reads a word per cycle at least as fast as the unit takes folds), or the channels when
    SIMD is a multiple of them (a fold of SIMD / C pixels, which a deserializing gearbox puts
    together); None when SIMD exceeds the channels otherwise (a fold would straddle pixels at
    varying offsets)."""
    if simd > channels:
        return channels if simd % channels == 0 else None
    return next(g for g in range(simd, channels + 1) if channels % g == 0)


def fifo(stream: SSAValue, depth: int) -> rtl.FifoInstanceOp:
    return rtl.FifoInstanceOp.create(
        operands=[stream], result_types=[stream.type], properties={"depth": IntegerAttr(depth, i64)}
    )


def gearbox(stream: SSAValue, in_beats: int, mvu: rtl.MVUInstanceOp) -> rtl.GearboxInstanceOp | None:
    """The gearbox from ``in_beats`` beats of ``stream`` per vector to ``mvu``'s folds (SIMD
    elements, the last padded as the weight memory expects: a 1 bit against XNOR lanes' 0 weight,
    else 0); None where the beats already are the folds."""
    simd, k, ew = mvu.fold.simd.data, mvu.fan_in, mvu.input_element_width
    folds, fold_bits = -(-k // simd), simd * (ew or 1)
    if stream.type.width.data == fold_bits and folds == in_beats:
        return None
    props = {"in_beats": IntegerAttr(in_beats, i64), "out_beats": IntegerAttr(folds, i64)}
    if ew is None and folds * simd != k:
        props["pad"] = IntegerAttr(1, i64)
    return rtl.GearboxInstanceOp.create(operands=[stream], result_types=[rtl.StreamType(fold_bits)], properties=props)


def fed_fold_by_fold(mvu: rtl.MVUInstanceOp, stream: SSAValue, **extra: IntegerAttr) -> rtl.MVUInstanceOp:
    """``mvu`` taking one fold per beat from ``stream`` (``extra``: further properties)."""
    return rtl.MVUInstanceOp.create(
        operands=[stream],
        result_types=[mvu.output.type],
        properties=dict(mvu.properties) | {"fan_in": IntegerAttr(mvu.fan_in, i64)} | extra,
    )


def narrow(mvu: rtl.MVUInstanceOp, rw: Rewriter) -> bool:
    """Feed ``mvu`` one fold per beat from a RAM window generator; False where it is left."""
    if mvu.fold_per_beat:
        return False
    chain, windows, vectors = vector_chain(mvu.input)
    if windows is None or vectors != 1 or not isinstance(swg := windows.owner, rtl.SWGInstanceOp):
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
    for _ in [op for op in chain if isinstance(op, rtl.FifoInstanceOp)]:  # the same FIFOs, carrying words
        new_ops.append(again := fifo(stream, WORD_FIFO_DEPTH))
        stream = again.output
    if (gear := gearbox(stream, k // g, mvu)) is not None:
        new_ops.append(gear)
        stream = gear.output
    nf, sf = mvu.fold.folds(mvu.channels.value.data, k)
    if g < simd and nf > 1:
        # A fold takes SIMD / G words, so the folds come slower than one per cycle: the FIFO in
        # front holds a vector of them for the burst of channel fold 0, as between units.
        new_ops.append(last := fifo(stream, sf + WORD_FIFO_DEPTH))
        stream = last.output
    new_ops.append(unit := fed_fold_by_fold(mvu, stream))
    rw.insert_op(new_ops, InsertPoint.before(mvu))
    mvu.output.replace_all_uses_with(unit.output)
    for old in (mvu, *reversed(chain), swg):
        rw.erase_op(old)
    return True


def vector_chain(value: SSAValue) -> tuple[list[Operation], SSAValue | None, int]:
    """The FIFOs and collectors (producer side first) between ``value`` and the unit that
    produces it, that unit's stream, and how many of its beats (vectors, pixels) make one of
    ``value``'s; no stream (None) where one is read twice or it is the design's input."""
    chain: list[Operation] = []
    vectors = 1
    while isinstance(owner := value.owner, (rtl.FifoInstanceOp, rtl.CollectInstanceOp)):
        if len(list(owner.output.uses)) != 1:
            return [], None, 0
        if isinstance(owner, rtl.CollectInstanceOp):
            vectors *= owner.count.value.data
        chain.insert(0, owner)
        value = owner.input
    if not isinstance(owner, Operation) or len(list(value.uses)) != 1:
        return [], None, 0
    return chain, value, vectors


def emits_folds(op: Operation) -> bool:
    """A matrix-vector unit that can emit one channel fold per beat: PE divides its channels."""
    return isinstance(op, rtl.MVUInstanceOp) and op.channels.value.data % op.fold.pe.data == 0


def narrow_vectors(mvu: rtl.MVUInstanceOp, rw: Rewriter) -> bool:
    """Feed ``mvu`` one fold per beat from the unit producing its vectors: a matrix-vector unit
    then emits one channel fold per beat, any other (a pool's pixels, a unit whose PE does not
    divide its channels) keeps its beats; False where it is left."""
    if mvu.fold_per_beat:
        return False
    chain, produced, vectors = vector_chain(mvu.input)
    if produced is None or isinstance(producer := produced.owner, rtl.SWGInstanceOp):  # windows: `narrow`
        return False
    new_ops: list[Operation] = []
    replaced = emits_folds(producer)
    if replaced:
        assert isinstance(producer, rtl.MVUInstanceOp)
        if producer.fold_per_output_beat:
            return False
        folds = producer.channels.value.data // producer.fold.pe.data
        new_ops.append(
            out_folds := rtl.MVUInstanceOp.create(
                operands=list(producer.operands),
                result_types=[rtl.StreamType(producer.output.type.width.data // folds)],
                properties=dict(producer.properties) | {"fold_out": IntegerAttr(1, i64)},
            )
        )
        stream, folds_in = out_folds.output, vectors * folds
    else:
        stream, folds_in = produced, vectors
    for _ in [op for op in chain if isinstance(op, rtl.FifoInstanceOp)][1:]:
        new_ops.append(again := fifo(stream, WORD_FIFO_DEPTH))
        stream = again.output
    if (gear := gearbox(stream, folds_in, mvu)) is not None:
        new_ops.append(gear)
        stream = gear.output
    # The FIFO in front of the unit holds a whole vector of folds (see the module docstring).
    nf, sf = mvu.fold.folds(mvu.channels.value.data, mvu.fan_in)
    new_ops.append(last := fifo(stream, sf + WORD_FIFO_DEPTH if nf > 1 else WORD_FIFO_DEPTH))
    new_ops.append(unit := fed_fold_by_fold(mvu, last.output))
    rw.insert_op(new_ops, InsertPoint.before(mvu))
    mvu.output.replace_all_uses_with(unit.output)
    for old in (mvu, *reversed(chain)):
        rw.erase_op(old)
    if replaced:
        rw.erase_op(producer)  # its one reader was the chain's first op, erased above
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
            # A unit that both consumes and produces vectors (a dense layer between two others)
            # is replaced as a consumer, then its replacement as a producer: skip erased ops.
            for mvu in [o for o in top.body.block.ops if isinstance(o, rtl.MVUInstanceOp)]:
                if mvu.parent is not None:
                    narrow_vectors(mvu, rw)
