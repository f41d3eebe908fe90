"""`--budget F`: the highest throughput whose design takes at most a share F of the device.

A search over the target initiation interval of `tile{cycles=N}` (which gives every layer the
fewest lanes that meet N, so the pipeline stays balanced): each probe folds a copy of the
bitserial-stage IR for N, lowers it to the rtl stage and prices it with the structural
resource model (backends/analysis/resource_model.py). Fewer cycles need more lanes, so the share grows
as N shrinks; the search bisects N geometrically down to 1% (or one cycle) and keeps the
fastest design that fits. Deterministic: the same model, device and budget give the same N.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.backends.analysis.perf import predict
from lowbitc.backends.analysis.projection import weight_placement
from lowbitc.backends.analysis.resource_model import design_cost
from lowbitc.backends.target.devices import Device
from lowbitc.errors import LowbitcError
from lowbitc.passes.pipeline import PipelinePass
from lowbitc.passes.tile import TilePass, stream_floor
from lowbitc.passes.to_rtl import ToRTLPass
from lowbitc.passes.unroll import UnrollPass

RESOURCES = ("luts", "ffs", "brams", "dsps")
SLOWEST = 1 << 62
"""A cycle target no layer reaches even fully folded: every layer gets its fewest lanes."""
PRECISION = 1.01


@dataclass(frozen=True)
class Probe:
    cycles: int
    """The target asked of `tile`."""
    ii_cycles: int
    """The design's initiation interval (at most `cycles`)."""
    shares: dict[str, float]
    module: ModuleOp = field(compare=False, repr=False)
    """The rtl-stage design."""

    @property
    def worst(self) -> tuple[str, float]:
        return max(self.shares.items(), key=lambda kv: kv[1])


def capacity(device: Device) -> dict[str, float]:
    fabric = device.fabric
    if fabric is None:
        raise LowbitcError(
            f"--budget needs a device whose capacity is known; target {device.name} has none: "
            "give --target with a part such as xc7z020"
        )
    return fabric.capacity()


def probe(module: ModuleOp, cycles: int, device: Device) -> Probe | None:
    """The design folded for ``cycles`` and its shares of ``device``; None when no folding
    reaches ``cycles``."""
    m = module.clone()
    ctx = Context()
    try:
        TilePass(cycles=cycles).apply(ctx, m)
    except DiagnosticException:
        return None
    for p in (UnrollPass(), PipelinePass(clock_mhz=device.clock_mhz, level_ns=device.lut_level_ns), ToRTLPass()):
        p.apply(ctx, m)
    ii = predict(m).ii_cycles
    # Weights that do not fit on chip stream from DRAM (projection.py): their memories leave
    # the budget, and the batch the bandwidth needs is the report's business.
    placement = weight_placement(m, device, device.clock_mhz * 1e6 / ii)
    total = design_cost(m, device, frozenset(placement.streamed_units)).total
    cap = capacity(device)
    shares = {
        r: (getattr(total, r) / cap[r] if cap[r] else (0.0 if not getattr(total, r) else float("inf")))
        for r in RESOURCES
    }
    return Probe(cycles, ii, shares, m)


def cycles_for_budget(module: ModuleOp, device: Device, budget: float, model: str) -> Probe:
    """The fastest folding of the bitserial-stage ``module`` within ``budget`` of ``device``."""
    if not 0 < budget <= 1:
        raise LowbitcError(f"--budget {budget:g} must be a share of the device in (0, 1]")
    capacity(device)  # a clear error before any work
    slow = probe(module, SLOWEST, device)
    assert slow is not None  # every layer can fold to one lane
    if slow.worst[1] > budget:
        name, share = slow.worst
        raise LowbitcError(
            f"{model}: even with the fewest lanes the design needs {share:.0%} of {device.name}'s {name} "
            f"(budget {budget:.0%}): raise --budget or target a larger part"
        )
    fits, lo = slow, stream_floor(module)  # lo: no folding is faster than the pixel streams
    fast = probe(module, lo, device)
    if fast is not None and fast.worst[1] <= budget:
        return fast
    hi = slow.ii_cycles  # fits; lo does not
    while hi > lo + 1 and hi > lo * PRECISION:
        mid = int((lo * hi) ** 0.5)
        mid = min(max(mid, lo + 1), hi - 1)
        p = probe(module, mid, device)
        if p is not None and p.worst[1] <= budget:
            hi, fits = p.ii_cycles, p
        else:
            lo = mid
    return fits
