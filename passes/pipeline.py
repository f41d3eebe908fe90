"""pipeline: registers and FIFOs for the target clock.

Every edge between two stream units (matrix-vector units, sliding-window generators, pools,
collectors) gets a stream FIFO. Every unit buffers its own input and output and no stream
reconverges yet, so depth 2 cannot deadlock and absorbs jitter between neighbours; residual
branches will need deeper, computed FIFOs. A unit gets a register stage after its popcount when the estimated logic depth of
XNOR + popcount tree + accumulate + compare does not fit the clock period.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, log2

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.ops_pixels import PadOp, WindowMaxOp, WindowOp

FIFO_DEPTH = 2
STREAM_UNITS = (h.MVUOp, WindowOp, WindowMaxOp, h.CollectOp, PadOp)
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
        return max(FIFO_DEPTH, (kh - 1) * consumer.input.type.get_shape()[1] + kw)
    return FIFO_DEPTH


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
        for unit in [o for o in op.walk() if isinstance(o, STREAM_UNITS)]:
            if isinstance(unit, h.MVUOp):
                depth_ns = logic_levels(unit.fold.simd.data) * self.level_ns
                unit.pipe = IntegerAttr(1 if depth_ns > period / 2 else 0, i64)
            # window + window_max are one pool unit: no FIFO inside it.
            if not isinstance(unit.input.owner, STREAM_UNITS) or isinstance(unit, WindowMaxOp):
                continue
            fifo = h.FifoOp.create(operands=[unit.input], result_types=[unit.input.type],
                                   properties={"depth": IntegerAttr(fifo_depth(unit), i64)})
            rw.insert_op(fifo, InsertPoint.before(unit))
            unit.operands[0] = fifo.output
