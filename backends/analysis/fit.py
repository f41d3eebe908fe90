"""Does a design fit its target? A check on figures that are exact reads of the rtl-stage IR
(resources.py: lane bits, weight-memory, line-buffer and FIFO bits) against the device's fabric,
so that `lowbitc MODEL -o accel.v --target DEVICE` refuses, with the shortfall per resource and
what to change, a design that cannot be built there, instead of writing Verilog that fails in
the vendor tools an hour later.

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

from lowbitc.backends.analysis.resources import Resource, design_resources
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


def shortfalls(module: ModuleOp, device: Device) -> list[Shortfall]:
    """The resources the rtl-stage ``module`` certainly lacks on ``device`` (empty: it may fit;
    a device without fabric, `generic`, has no limits)."""
    if device.fabric is None:
        return []
    totals = {u.resource: u.used for u in design_resources(module).totals}
    out = []
    luts = int(totals[Resource.LANE_BITS] * LUTS_PER_LANE_BIT_MIN)
    if luts > device.fabric.logic.luts:
        out.append(Shortfall("logic (the lanes alone)", luts, device.fabric.logic.luts, "LUTs"))
    bits = totals[Resource.WEIGHT_BITS] + totals[Resource.LINE_BUFFER_BITS] + totals[Resource.FIFO_BITS]
    storage = storage_capacity_bits(device)
    if bits > storage:
        out.append(Shortfall("on-chip memory (weights, line buffers, FIFOs)", bits, storage, "bits"))
    return out


def widest_layers(module: ModuleOp, n: int = 2) -> list[tuple[int, int]]:
    """(unit index, lane bits) of the ``n`` units with the most lane bits."""
    units = sorted(design_resources(module).units, key=lambda u: (-u.lane_bits, u.index))
    return [(u.index, u.lane_bits) for u in units[:n] if u.lane_bits]


def advice(module: ModuleOp, device: Device, found: list[Shortfall]) -> str:
    """What to change: fewer lanes (for logic), or a device the design may fit."""
    hints = []
    if any(s.resource.startswith("logic") for s in found):
        wide = ", ".join(f"unit {i}: {b:,} lane bits" for i, b in widest_layers(module))
        hints.append(f"lower --fps or fold the widest units with --fold ({wide})")
    if any(s.resource.startswith("on-chip memory") for s in found):
        hints.append("the weights and buffers need a part with more on-chip memory")
    larger = [d for d in DEVICES.values() if d.fabric is not None and d is not device and not shortfalls(module, d)]
    if larger:
        smallest = min(larger, key=lambda d: d.fabric.logic.luts)
        hints.append(f"or target a larger part such as {smallest.name}")
    return "; ".join(hints)


def check_fits(module: ModuleOp, device: Device) -> str | None:
    """None when the design may fit, else a one-line message: the shortfall per resource and
    what to change."""
    found = shortfalls(module, device)
    if not found:
        return None
    return (
        f"the design does not fit {device.name}: "
        + "; ".join(s.describe() for s in found)
        + "; "
        + advice(module, device, found)
    )


def overfull(module: ModuleOp, device: Device) -> list[Shortfall]:
    """The resources the structural model puts over ``device``'s capacity, for the design as
    generated (every weight in on-chip ROMs); empty for a device without fabric."""
    from lowbitc.backends.analysis.resource_model import design_cost

    fabric = device.fabric
    if fabric is None:
        return []
    total = design_cost(module, device).total
    capacity = fabric.capacity()
    names = MODEL_RESOURCES | {"brams": f"{fabric.bram.name} blocks"}
    found = []
    for key, name in names.items():
        used = getattr(total, key)
        if used > capacity[key]:
            shown = int(used) if float(used).is_integer() else used
            found.append(Shortfall(key, shown, capacity[key], name))
    return found


def overfull_message(module: ModuleOp, device: Device) -> str | None:
    """None when the resource model says the design fits, else one line: the shortfall per
    resource and what to change."""
    found = overfull(module, device)
    if not found:
        return None
    larger = [
        d
        for d in DEVICES.values()
        if d.fabric is not None and d.fabric.logic.luts > device.fabric.logic.luts and not overfull(module, d)
    ]
    hint = "fold for fewer lanes (--budget 0.9, a lower --fps, or --fold)"
    if larger:
        hint += f", target a larger part such as {min(larger, key=lambda d: d.fabric.logic.luts).name}"
    return (
        f"the design does not fit {device.name} by the structural resource model: "
        + ", ".join(s.describe_model() for s in found)
        + f"; {hint}"
    )
