"""Does a design fit its target? A check on figures that are exact reads of the rtl-stage IR
(resources.py: lane bits, weight-memory, line-buffer and FIFO bits) against the device's fabric,
so that `lowbitc MODEL -o accel.v --target DEVICE` refuses, with the shortfall per resource and
what to change, a design that cannot be built there, instead of writing Verilog that fails in
the vendor tools an hour later.

`fit_check` is the one call: it runs both checks below and returns their findings and messages
as a `FitCheck`; a caller that has already priced the resource model (the report) passes its
cost in, so the design is priced once.

The check is deliberately one-sided: it uses lower bounds of what the design needs and upper
bounds of what the device offers, so it never refuses a design that would fit.

* Logic: every lane bit (PE x SIMD x weight bits) needs at least LUTS_PER_LANE_BIT_MIN LUTs:
  the XNOR (or AND) and its share of the popcount tree. bench/datapath.py measures ~1.5-2 on a
  64-lane unit; half a LUT is below any mapping we have seen, and accumulators, thresholds and
  control come on top.
* Memory: weights, line buffers and FIFOs must be stored somewhere on chip: in block RAM, or in
  LUTs used as distributed RAM (at most DISTRIBUTED_BITS_PER_LUT bits per LUT on average: a
  quarter of the LUTs of a 7-series part are SLICEM LUTs holding 64 bits; other families hold
  less), or in flip-flops.

Beyond that floor, `overfull` compares the structural resource model (resource_model.py: LUTs,
flip-flops, block RAMs, DSPs, checked against Yosys within a few percent) with the device's
capacity. A design it puts over 100% of a resource almost certainly fails in the vendor tools,
but the model is an estimate, so the compiler refuses it only until the user asks to build it
anyway (`--allow-overfull`); the report and the co-simulation warn.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.analysis import resource_model
from lowbitc.backends.analysis.resource_cells import Cost
from lowbitc.backends.analysis.resource_model import DesignCost
from lowbitc.backends.analysis.resources import DesignResources, Resource, design_resources
from lowbitc.backends.target.devices import DEVICES, Device

LUTS_PER_LANE_BIT_MIN = 0.5
DISTRIBUTED_BITS_PER_LUT = 16
MODEL_RESOURCES = {"luts": "LUTs", "ffs": "FFs", "brams": "block RAMs", "dsps": "DSPs"}
"""The resource model's totals (`Fabric.capacity()` keys) and how a message names them."""


@dataclass(frozen=True)
class Shortfall:
    resource: str
    needed: int
    available: int
    unit: str

    def describe(self) -> str:
        share = self.needed / self.available
        return f"{self.resource} needs at least {self.needed:,} {self.unit} of {self.available:,} ({share:.0%})"

    def describe_model(self) -> str:
        """As the resource model's estimate: 'LUTs 6,258 of 5,280 (118.5%)'."""
        return f"{self.unit} {self.needed:,} of {self.available:,} ({self.needed / self.available:.1%})"


def storage_capacity_bits(device: Device) -> int:
    fabric = device.fabric
    assert fabric is not None
    rams = sum(r.count * r.bits for r in fabric.rams)
    return rams + fabric.logic.luts * DISTRIBUTED_BITS_PER_LUT + fabric.ffs


def shortfalls(ir: DesignResources, device: Device) -> list[Shortfall]:
    """The resources a design with the exact IR figures ``ir`` (`design_resources`) certainly
    lacks on ``device`` (empty: it may fit; a device without fabric, `generic`, has no limits)."""
    if device.fabric is None:
        return []
    totals = {u.resource: u.used for u in ir.totals}
    out = []
    luts = int(totals[Resource.LANE_BITS] * LUTS_PER_LANE_BIT_MIN)
    if luts > device.fabric.logic.luts:
        out.append(Shortfall("logic (the lanes alone)", luts, device.fabric.logic.luts, "LUTs"))
    bits = totals[Resource.WEIGHT_BITS] + totals[Resource.LINE_BUFFER_BITS] + totals[Resource.FIFO_BITS]
    storage = storage_capacity_bits(device)
    if bits > storage:
        out.append(Shortfall("on-chip memory (weights, line buffers, FIFOs)", bits, storage, "bits"))
    return out


def widest_layers(ir: DesignResources, n: int = 2) -> list[tuple[int, int]]:
    """(unit index, lane bits) of the ``n`` units with the most lane bits."""
    units = sorted(ir.units, key=lambda u: (-u.lane_bits, u.index))
    return [(u.index, u.lane_bits) for u in units[:n] if u.lane_bits]


def advice(ir: DesignResources, device: Device, found: list[Shortfall]) -> str:
    """What to change: fewer lanes (for logic), or a device the design may fit."""
    hints = []
    if any(s.resource.startswith("logic") for s in found):
        wide = ", ".join(f"unit {i}: {b:,} lane bits" for i, b in widest_layers(ir))
        hints.append(f"lower --fps or fold the widest units with --fold ({wide})")
    if any(s.resource.startswith("on-chip memory") for s in found):
        hints.append("the weights and buffers need a part with more on-chip memory")
    larger = [d for d in DEVICES.values() if d.fabric is not None and d is not device and not shortfalls(ir, d)]
    if larger:
        smallest = min(larger, key=lambda d: d.fabric.logic.luts)
        hints.append(f"or target a larger part such as {smallest.name}")
    return "; ".join(hints)


def misfit_message(ir: DesignResources, device: Device, found: list[Shortfall]) -> str | None:
    """None when nothing is certainly lacking, else a one-line message: the shortfall per
    resource and what to change."""
    if not found:
        return None
    return (
        f"the design does not fit {device.name}: "
        + "; ".join(s.describe() for s in found)
        + "; "
        + advice(ir, device, found)
    )


def overfull(total: Cost, device: Device) -> list[Shortfall]:
    """The resources the structural model's ``total`` (the design as generated, every weight in
    on-chip ROMs) puts over ``device``'s capacity; empty for a device without fabric."""
    fabric = device.fabric
    if fabric is None:
        return []
    capacity = fabric.capacity()
    names = MODEL_RESOURCES | {"brams": f"{fabric.bram.name} blocks"}
    found = []
    for key, name in names.items():
        used = getattr(total, key)
        if used > capacity[key]:
            shown = int(used) if float(used).is_integer() else used
            found.append(Shortfall(key, shown, capacity[key], name))
    return found


def smallest_larger_fitting(module: ModuleOp, device: Device) -> Device | None:
    """The part with the fewest LUTs, more than ``device`` has, that the resource model says
    holds the design. Each candidate is priced on its own fabric, smallest first, stopping at
    the first that fits."""
    assert device.fabric is not None
    larger = [d for d in DEVICES.values() if d.fabric is not None and d.fabric.logic.luts > device.fabric.logic.luts]
    for candidate in sorted(larger, key=lambda d: d.fabric.logic.luts):  # stable: ties keep DEVICES order
        if not overfull(resource_model.design_cost(module, candidate).total, candidate):
            return candidate
    return None


def overfull_message(module: ModuleOp, device: Device, found: list[Shortfall]) -> str | None:
    """None when the resource model says the design fits, else one line: the shortfall per
    resource and what to change."""
    if not found:
        return None
    hint = "fold for fewer lanes (--budget 0.9, a lower --fps, or --fold)"
    larger = smallest_larger_fitting(module, device)
    if larger is not None:
        hint += f", target a larger part such as {larger.name}"
    return (
        f"the design does not fit {device.name} by the structural resource model: "
        + ", ".join(s.describe_model() for s in found)
        + f"; {hint}"
    )


@dataclass(frozen=True)
class FitCheck:
    """Whether a design fits its device, by both checks."""

    shortfalls: tuple[Shortfall, ...]
    """What the design certainly lacks (lower bounds of its needs against upper bounds of the
    device's): it cannot be built there."""
    overfull: tuple[Shortfall, ...]
    """What the structural resource model puts over the device's capacity: an estimate."""
    problem: str | None
    """The refusal for `shortfalls`, one line (the report's `fit_problem`); None when empty."""
    warning: str | None
    """The message for `overfull` (the report's `fit_warning`): the compile command refuses
    with it unless --allow-overfull, everything else warns; None when empty."""

    @property
    def messages(self) -> tuple[str, ...]:
        """The problem and the warning that apply, in that order."""
        return tuple(m for m in (self.problem, self.warning) if m)


def fit_check(module: ModuleOp, device: Device, cost: DesignCost | None = None) -> FitCheck:
    """Both checks of the rtl-stage ``module`` on ``device``. ``cost`` is the resource model's
    price of the design as generated (`resource_model.design_cost` without streamed units) when
    the caller has it; otherwise it is priced here. A device without fabric has no limits."""
    if device.fabric is None:
        return FitCheck((), (), None, None)
    ir = design_resources(module)
    certain = shortfalls(ir, device)
    if cost is None:
        cost = resource_model.design_cost(module, device)
    over = overfull(cost.total, device)
    return FitCheck(
        tuple(certain), tuple(over), misfit_message(ir, device, certain), overfull_message(module, device, over)
    )
