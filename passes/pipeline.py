"""pipeline: registers and FIFOs for the target clock.

Every edge between two stream units (matrix-vector units, sliding-window generators, pools,
collectors, residual adds, global pools) gets a stream FIFO. A stream with two consumers (the input of a
residual block) is duplicated by a `lowbit.dup`, which passes a beat only when both sides have
room; the add joins the two paths again, taking a beat from both at once. The branch absorbs
many pixels before its first result (line buffers, FIFOs), and all of them must fit on the skip
side meanwhile, or the dup stalls the branch and the add waits forever: so the FIFO after the
dup on the path that buffers less grows by the difference (see `path_capacity`, an upper
bound of each path's buffering up to the join) plus a unit's slack, which cannot deadlock. A window
generator reads rows in which no window ends (every other row at stride 2): the FIFO to its unit
holds enough windows to keep the unit busy meanwhile, and the FIFO in front of it the pixels of
that stretch (`window_fifo_depth`, `fifo_depth`). A unit gets a register stage after its popcount when
the estimated logic depth of XNOR + popcount tree + accumulate + compare does not fit the clock
period.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, log2, prod

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import frame_cycles
from lowbitc.dialects.lowbit.ops_gap import SumUnitOp
from lowbitc.dialects.lowbit.ops_pixels import PadOp, WindowMaxOp, WindowOp
from lowbitc.dialects.lowbit.ops_residual import AddUnitOp, DupOp

FIFO_DEPTH = 2
STREAM_UNITS = (h.MVUOp, WindowOp, WindowMaxOp, h.CollectOp, PadOp, AddUnitOp, SumUnitOp)
"""Ops that are hardware units after `unroll` (every window there is a sliding-window generator)."""


def logic_levels(simd: int) -> int:
    """LUT levels from the input bits to the accumulator: XNOR folded into the first level of a
    6-input LUT compressor tree (~log6 of SIMD levels of 3-bit sums), then the adder."""
    tree = max(1, ceil(log2(max(simd, 2)) / log2(6) * 2))
    return tree + 2


def fifo_depth(consumer) -> int:
    """A window generator (or pool) takes (KH-1)*W + KW pixels of each frame before its first
    window, while its consumer is still busy with the previous frame's last windows. Unless the
    producer can run that far ahead, the consumer idles at every frame boundary (measured: 2% of
    the II of the small CNV with a one-row FIFO, 12% with depth 2). The pixel beats are narrow,
    so a FIFO of exactly that many pixels is cheap; vector streams need only FIFO_DEPTH."""
    window = consumer
    if isinstance(consumer, PadOp):  # buffer in front of the pad, which feeds the window
        users = [u.operation for u in consumer.output.uses]
        window = users[0] if len(users) == 1 else None
    elif isinstance(consumer, WindowOp) and isinstance(consumer.input.owner, PadOp):
        return FIFO_DEPTH
    if isinstance(window, WindowOp):
        kh, kw = window.kernel.get_values()
        rush = max(real for _, _, real in window_gaps(window, consumer if isinstance(consumer, PadOp) else None))
        return max(FIFO_DEPTH, (kh - 1) * consumer.input.type.get_shape()[1] + kw, rush)
    return FIFO_DEPTH


def window_gaps(window: WindowOp, pad: PadOp | None) -> list[tuple[int, int, int]]:
    """The stretches between two window-completing pixels (the bottom-right corners) of a
    frame, cyclically: (how many per frame, pixels = cycles the generator takes at one pixel
    per cycle, pixels of them that come from upstream rather than from ``pad``). Row ends and
    the frame end are long for strided windows: a 3x3/2 window skips a whole row, a 1x1/2 one
    a row and a half."""
    hp, wp = window.input.type.get_shape()[:2]
    kh, kw = window.kernel.get_values()
    sh, sw = window.strides.get_values()
    ho, wo = window.output.type.get_shape()[:2]
    top, left, bottom, right = pad.pads.get_values() if pad is not None else (0, 0, 0, 0)
    h, w = hp - top - bottom, wp - left - right

    def upstream(r: int, c: int) -> int:
        """Real pixels before padded position (r, c) of the frame."""
        inside = c - left if top <= r < top + h else 0
        return min(max(r - top, 0), h) * w + min(max(inside, 0), w)

    cols = [kw - 1 + j * sw for j in range(wo)]
    rows = [kh - 1 + i * sh for i in range(ho)]
    gaps: dict[tuple[int, int], int] = {}
    if wo > 1:  # within a row: sw pixels, at most sw of them real
        gaps[(sw, sw)] = ho * (wo - 1)
    for i, r in enumerate(rows):
        nr, nc = (rows[i + 1], cols[0]) if i + 1 < ho else (rows[0] + hp, cols[0])  # the next frame's
        a, b = r * wp + cols[-1], nr * wp + nc  # the pixels after a up to b
        if nr >= hp:
            real = h * w - upstream(r, cols[-1] + 1) + upstream(nr - hp, nc + 1)
        else:
            real = upstream(nr, nc + 1) - upstream(r, cols[-1] + 1)
        gaps[(b - a, real)] = gaps.get((b - a, real), 0) + 1
    return [(n, g, real) for (g, real), n in gaps.items()]


WINDOWS_HELD = 2
"""Windows the generator's own output FIFO holds besides the stream FIFO after it."""


def stream_cycles(op: Operation) -> int:
    """Cycles per frame of a unit, as its rtl op will state them (`rtl.StreamUnit.cycles_per_frame`;
    0: not a rate-setting unit)."""
    if isinstance(op, h.MVUOp):
        pe, simd = op.fold.pe.data, op.fold.simd.data
        return frame_cycles(op.channels, op.fan_in, pe, simd, vectors=op.pixels, planes=op.planes)
    if isinstance(op, WindowOp):
        return prod(op.input.type.get_shape()[:2])
    if isinstance(op, (PadOp, AddUnitOp)):
        return prod(op.output.type.get_shape()[:-1])
    if isinstance(op, (h.CollectOp, SumUnitOp)):  # one input beat (pixel) per cycle
        return prod(op.input.type.get_shape()[:-1])
    return 0


def window_fifo_depth(window: WindowOp, mvu: h.MVUOp, ii: int) -> int:
    """Depth of the FIFO from a sliding-window generator to its matrix-vector unit. The unit
    takes T cycles per window; between two windows the generator reads g pixels (one per
    cycle, the upstream FIFO holding them, see `fifo_depth`), so with B windows queued the
    unit idles max(0, g - B*T) cycles in that stretch. Over a frame that idling must fit in
    the unit's slack (II - windows*T), or the slowest unit no longer sets the II: B is the
    least number of windows for which it does, less the generator's own WINDOWS_HELD."""
    pad = window.input.owner
    while isinstance(pad, h.FifoOp):
        pad = pad.input.owner
    gaps = window_gaps(window, pad if isinstance(pad, PadOp) else None)
    per_window = frame_cycles(mvu.channels, mvu.fan_in, mvu.fold.pe.data, mvu.fold.simd.data, planes=mvu.planes)
    slack = ii - mvu.pixels * per_window
    queued = 1
    while sum(n * max(0, g - queued * per_window) for n, g, _ in gaps) > slack:
        queued += 1
    return max(FIFO_DEPTH, queued - WINDOWS_HELD)


UNIT_BEATS = 4
"""Beats a unit holds besides its line buffers: input register, working register, a 2-deep
output FIFO."""


def unit_capacity(op) -> int:
    """Input beats ``op`` can take in without passing any on (an upper bound)."""
    if isinstance(op, h.FifoOp):
        return op.depth.value.data
    if isinstance(op, WindowOp):
        kh, kw = op.kernel.get_values()
        return kh * op.input.type.get_shape()[1] + kw + UNIT_BEATS
    return UNIT_BEATS


def path_capacity(value: SSAValue) -> tuple[int, Operation]:
    """Buffering from ``value`` along its single-consumer chain up to the add that joins it:
    (beats, the add)."""
    total = 0
    while True:
        uses = list(value.uses)
        if len(uses) != 1:
            raise DiagnosticException(
                "pipeline: a skip connection forks again before its add; nested skips are not built yet"
            )
        user = uses[0].operation
        if isinstance(user, AddUnitOp):
            return total, user
        if not isinstance(user, (*STREAM_UNITS, h.FifoOp)):
            raise DiagnosticException(f"pipeline: a duplicated stream reaches {user.name} before any residual add")
        total += unit_capacity(user)
        value = user.results[0]


def duplicate(value: SSAValue, rw: Rewriter) -> DupOp | None:
    """A `lowbit.dup` for a stream with two hardware consumers (a unit's output, or the host
    stream when the first unit of a residual block reads it)."""
    uses = [u for u in value.uses if isinstance(u.operation, STREAM_UNITS)]
    if len(uses) < 2:
        return None
    if len(uses) > 2 or len(list(value.uses)) != len(uses):
        raise DiagnosticException(
            f"pipeline: a stream feeds {len(list(value.uses))} consumers; the hardware duplicates a stream "
            "for exactly two units (a skip connection)"
        )
    dup = DupOp.create(operands=[value], result_types=[value.type, value.type])
    where = InsertPoint.after(value.owner) if isinstance(value.owner, Operation) else InsertPoint.at_start(value.owner)
    rw.insert_op(dup, where)
    for use, result in zip(uses, dup.results):
        use.operation.operands[use.index] = result
    return dup


@dataclass(frozen=True)
class PipelinePass(ModulePass):
    """Insert `lowbit.fifo` between units and set each unit's `pipe` (see the docstring)."""

    name = "pipeline"

    clock_mhz: int | float = 100.0
    level_ns: int | float = 1.0
    """Delay of one LUT level plus routing, the unit of the depth estimate."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.clock_mhz <= 0:
            raise DiagnosticException(f"pipeline: clock-mhz must be positive, got {self.clock_mhz}")
        period = 1000.0 / self.clock_mhz
        rw = Rewriter()
        units = [o for o in op.walk() if isinstance(o, STREAM_UNITS)]
        streams = list(dict.fromkeys([u.results[0] for u in units] + [v for u in units for v in u.operands]))
        dups = [d for v in streams if (d := duplicate(v, rw)) is not None]
        ii = max([stream_cycles(u) for u in units] + [1])
        for unit in units:
            if isinstance(unit, h.MVUOp):
                depth_ns = logic_levels(unit.fold.simd.data) * self.level_ns
                unit.pipe = IntegerAttr(1 if depth_ns > period / 2 else 0, i64)
            # window + window_max are one pool unit: no FIFO inside it.
            if isinstance(unit, WindowMaxOp):
                continue
            for i, operand in enumerate(unit.operands):
                if not isinstance(operand.owner, (*STREAM_UNITS, DupOp)):
                    continue
                depth = fifo_depth(unit)
                if isinstance(unit, h.MVUOp) and isinstance(operand.owner, WindowOp):
                    depth = max(depth, window_fifo_depth(operand.owner, unit, ii))
                fifo = h.FifoOp.create(
                    operands=[operand], result_types=[operand.type], properties={"depth": IntegerAttr(depth, i64)}
                )
                rw.insert_op(fifo, InsertPoint.before(unit))
                unit.operands[i] = fifo.output
        for dup in dups:
            (cap0, join0), (cap1, join1) = path_capacity(dup.first), path_capacity(dup.second)
            if join0 is not join1:
                raise DiagnosticException("pipeline: the two copies of a duplicated stream reach different adds")
            # The path that buffers less gets the difference (plus a unit's slack) in its FIFO.
            short, extra = (dup.first, cap1 - cap0) if cap0 <= cap1 else (dup.second, cap0 - cap1)
            fifo = next(iter(short.uses)).operation
            assert isinstance(fifo, h.FifoOp)
            fifo.depth = IntegerAttr(fifo.depth.value.data + extra + UNIT_BEATS, i64)
