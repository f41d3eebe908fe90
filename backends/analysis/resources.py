"""What the rtl-stage IR says about a design's storage and lanes, per unit, as a pure analysis.

It reports only figures that are exact reads of the IR, in bits, and never converts them into
LUTs or block RAMs: that is the structural resource model's job (backends/analysis/resource_model.py,
checked against Yosys by bench/resources.py); `fit.py` keeps these exact bits for its one-sided
check. Per unit (in the order and with the indices of `perf.predict`), read from the resource
cells the unit and the FIFOs it owns state (`dialects/rtl/cells.py`, `rtl.unit_owner`):

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

from lowbitc.dialects.rtl import find_top
from lowbitc.dialects.rtl.cells import Fifo, Lanes, LineBuffer, Rom
from lowbitc.dialects.rtl.interfaces import HardwareInstance, StreamUnit, unit_owner


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


def _own_resources(unit: StreamUnit) -> tuple[int, int, int, int]:
    """(lanes, lane bits, weight bits, line-buffer bits) of one unit, read from its cells."""
    lanes = lane_bits = weight_bits = line_buffer_bits = 0
    for cell in unit.resource_cells():
        if isinstance(cell, Lanes):
            lanes += cell.count
            lane_bits += cell.count * cell.weight_bits
        elif isinstance(cell, Rom) and cell.weights:
            weight_bits += cell.bits
        elif isinstance(cell, LineBuffer):
            line_buffer_bits += cell.bits
    return lanes, lane_bits, weight_bits, line_buffer_bits


def _stream_fifo_bits(instance: HardwareInstance) -> int:
    return sum(c.width * c.depth for c in instance.resource_cells() if isinstance(c, Fifo) and c.stream)


def design_resources(module: ModuleOp, capacity: dict[Resource, int | None] | None = None) -> DesignResources:
    """Per-unit and total resources of the rtl-stage ``module``, against ``capacity``."""
    ops = list(find_top(module).body.block.ops)
    units = [op for op in ops if isinstance(op, StreamUnit)]
    index = {op: i for i, op in enumerate(units)}
    fifo_bits = [0] * len(units)
    for op in ops:
        if isinstance(op, HardwareInstance) and not isinstance(op, StreamUnit):
            owner = unit_owner(op)
            if owner is not None:  # a FIFO straight from input to output belongs to no unit
                fifo_bits[index[owner]] += _stream_fifo_bits(op)
    rows = [UnitResources(i, op.report_kind, *_own_resources(op), fifo_bits[i]) for i, op in enumerate(units)]
    capacity = capacity or {}
    totals = [ResourceUse(r, sum(u.amount(r) for u in rows), capacity.get(r)) for r in Resource]
    return DesignResources(rows, totals)
