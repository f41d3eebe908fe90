"""What the rtl-stage IR says about a design's storage and lanes, per unit, as a pure analysis.

It reports only figures that are exact reads of the IR, in bits, and never converts them into
LUTs or block RAMs: that is the structural resource model's job (backends/analysis/resource_model.py,
checked against Yosys by bench/resources.py); `fit.py` keeps these exact bits for its one-sided
check. Per unit (in the order and with the indices of `perf.predict`):

* lanes: PE x SIMD, and lane bits PE x SIMD x WB (a WB-bit weight makes a lane WB bits wide);
* weight-memory bits: the shape of the unit's `rtl.rom` contents, rows x columns;
* line-buffer bits: (KH - 1) x W x C x EW of a sliding-window generator, and of the one inside
  each pool unit (lowbit_pool instantiates lowbit_swg with K x K windows);
* FIFO bits: depth x stream width of every `rtl.fifo`, counted at the unit that reads it (a
  skip FIFO at its residual add), or at the unit that feeds it when only the output follows.

The device's capacity is in LUTs, flip-flops, block RAMs and DSPs (`Fabric.capacity()`), against
the resource model's figures, not these bits; `design_resources` takes a capacity per resource
only from a caller that has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue

from lowbitc.dialects import rtl
from lowbitc.dialects.rtl import find_top

UNIT_OPS = (
    rtl.MVUInstanceOp,
    rtl.SWGInstanceOp,
    rtl.PoolInstanceOp,
    rtl.PadInstanceOp,
    rtl.CollectInstanceOp,
    rtl.AddInstanceOp,
    rtl.GapInstanceOp,
)
"""The ops `perf.predict` counts as layers, so that both number units alike."""
PASS_THROUGH = (rtl.FifoInstanceOp, rtl.DupInstanceOp)


class Resource(Enum):
    LANE_BITS = "lane bits (PE x SIMD x weight bits)"
    WEIGHT_BITS = "weight-memory bits"
    LINE_BUFFER_BITS = "line-buffer bits"
    FIFO_BITS = "FIFO bits"


@dataclass(frozen=True)
class UnitResources:
    index: int
    kind: str
    lanes: int
    lane_bits: int
    weight_bits: int
    line_buffer_bits: int
    fifo_bits: int

    def amount(self, resource: Resource) -> int:
        return {
            Resource.LANE_BITS: self.lane_bits,
            Resource.WEIGHT_BITS: self.weight_bits,
            Resource.LINE_BUFFER_BITS: self.line_buffer_bits,
            Resource.FIFO_BITS: self.fifo_bits,
        }[resource]


@dataclass(frozen=True)
class ResourceUse:
    resource: Resource
    used: int
    capacity: int | None
    """None: the device library does not know this capacity."""

    @property
    def fraction(self) -> float | None:
        return None if not self.capacity else self.used / self.capacity


@dataclass(frozen=True)
class DesignResources:
    units: list[UnitResources]
    totals: list[ResourceUse]


def unit_kind(op: Operation) -> str:
    if isinstance(op, rtl.MVUInstanceOp):
        return "mvu" if op.input_element_width is None else "mvu_int"
    return op.name.removeprefix("rtl.")


def _own_resources(op: Operation, roms: dict[str, rtl.RomOp]) -> tuple[int, int, int, int]:
    """(lanes, lane bits, weight bits, line-buffer bits) of one unit."""
    if isinstance(op, rtl.MVUInstanceOp):
        lanes = op.fold.pe.data * op.fold.simd.data
        rows, cols = roms[op.rom.root_reference.data].contents.shape
        return lanes, lanes * op.wb, rows * cols, 0
    if isinstance(op, rtl.SWGInstanceOp):
        kh, _ = op.kernel.get_values()
        return 0, 0, 0, (kh - 1) * op.width.value.data * op.input.type.width.data
    if isinstance(op, rtl.PoolInstanceOp):  # pixel width = C x EW
        return 0, 0, 0, (op.kernel.value.data - 1) * op.width.value.data * op.input.type.width.data
    return 0, 0, 0, 0


def _reader(value: SSAValue) -> Operation | None:
    """The first unit reading ``value``, looking through FIFOs and duplicators."""
    for use in value.uses:
        op = use.operation
        if isinstance(op, UNIT_OPS):
            return op
        if isinstance(op, PASS_THROUGH):
            for result in op.results:
                found = _reader(result)
                if found is not None:
                    return found
    return None


def _writer(value: SSAValue) -> Operation | None:
    """The unit producing ``value``, looking back through FIFOs and duplicators."""
    op = value.owner
    while isinstance(op, PASS_THROUGH):
        op = op.operands[0].owner
    return op if isinstance(op, UNIT_OPS) else None


def design_resources(module: ModuleOp, capacity: dict[Resource, int | None] | None = None) -> DesignResources:
    """Per-unit and total resources of the rtl-stage ``module``, against ``capacity``."""
    top = find_top(module)
    roms = {op.sym_name.data: op for op in module.ops if isinstance(op, rtl.RomOp)}
    units = [op for op in top.body.block.ops if isinstance(op, UNIT_OPS)]
    index = {op: i for i, op in enumerate(units)}
    fifo_bits = [0] * len(units)
    for op in top.body.block.ops:
        if isinstance(op, rtl.FifoInstanceOp):
            owner = _reader(op.output) or _writer(op.input)
            if owner is not None:  # a FIFO straight from input to output belongs to no unit
                fifo_bits[index[owner]] += op.depth.value.data * op.output.type.width.data
    rows = [UnitResources(i, unit_kind(op), *_own_resources(op, roms), fifo_bits[i]) for i, op in enumerate(units)]
    capacity = capacity or {}
    totals = [ResourceUse(r, sum(u.amount(r) for u in rows), capacity.get(r)) for r in Resource]
    return DesignResources(rows, totals)
