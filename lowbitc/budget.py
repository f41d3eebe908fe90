"""`--budget F`: the highest throughput whose design takes at most a share F of the device.

A search over the target initiation interval of `tile{cycles=N}` (which gives every layer the
fewest lanes that meet N, so the pipeline stays balanced): each probe folds a copy of the
bitserial-stage IR for N, lowers it to the rtl stage and prices it with the structural
resource model (backends/analysis/resource_model.py). Fewer cycles need more lanes, so the share grows
as N shrinks; the search bisects N geometrically down to 1% (or one cycle) and keeps the
fastest design that fits. Deterministic: the same model, device and budget give the same N.

Layers fixed by `--fold` keep their folds in every probe and the search folds the rest; when
the fixed layers set a slower pace than the target, the others are folded for that pace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.analysis.perf import predict
from lowbitc.backends.analysis.projection import weight_placement
from lowbitc.backends.analysis.resource_model import design_cost
from lowbitc.errors import LowbitcError
from lowbitc.options import Options, budget_capacity
from lowbitc.passes.tile import TileError, stream_floor
from lowbitc.stages import pass_stages_from

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


HARDWARE_STAGES = pass_stages_from("tile")
"""tile .. rtl: what each probe runs on a copy of the bitserial-stage IR."""


def probe(module: ModuleOp, cycles: int, options: Options) -> Probe | None:
    """The design folded for ``cycles`` (the layers ``options`` fixes keep their folds) and its
    shares of the device; None when no folding reaches ``cycles``."""
    m = module.clone()
    ctx = Context()
    settings = options.with_ii_cycles(cycles)
    for stage in HARDWARE_STAGES:
        try:
            stage.make_pass(settings).apply(ctx, m)
        except TileError as exc:
            if exc.floor is None:  # not the cycle target: a fold the user fixed, reported as it is
                raise
            return None
    device = options.device
    ii = predict(m).ii_cycles
    # Weights that do not fit on chip stream from DRAM (projection.py): their memories leave
    # the budget, and the batch the bandwidth needs is the report's business.
    placement = weight_placement(m, device, device.clock_mhz * 1e6 / ii)
    total = design_cost(m, device, frozenset(placement.streamed_units)).total
    cap = budget_capacity(device)
    shares = {
        r: (getattr(total, r) / cap[r] if cap[r] else (0.0 if not getattr(total, r) else float("inf")))
        for r in RESOURCES
    }
    return Probe(cycles, ii, shares, m)


def cycles_for_budget(module: ModuleOp, options: Options, model: str) -> Probe:
    """The fastest folding of the bitserial-stage ``module`` within ``options.budget`` of the
    device; the layers ``options`` fixes (--fold) keep their folds and the search folds the rest."""
    budget, device = options.budget, options.device
    assert budget is not None  # Options checked its range and the device's capacity
    slow = probe(module, SLOWEST, options)
    assert slow is not None  # every layer can fold to one lane
    if slow.worst[1] > budget:
        name, share = slow.worst
        fixed = " and the folds of --fold" if options.folds else ""
        raise LowbitcError(
            f"{model}: even with the fewest lanes{fixed} the design needs {share:.0%} of {device.name}'s {name} "
            f"(budget {budget:.0%}): raise --budget or target a larger part"
        )
    fits, lo = slow, stream_floor(module)  # lo: no folding is faster than the pixel streams
    fast = probe(module, lo, options)
    if fast is not None and fast.ii_cycles > lo:  # layers fixed by --fold set a slower pace
        lo = fast.ii_cycles
        fast = probe(module, lo, options)  # the free layers folded no faster than they are
    if fast is not None and fast.worst[1] <= budget:
        return fast
    hi = slow.ii_cycles  # fits; lo does not
    while hi > lo + 1 and hi > lo * PRECISION:
        mid = int((lo * hi) ** 0.5)
        mid = min(max(mid, lo + 1), hi - 1)
        p = probe(module, mid, options)
        if p is not None and p.worst[1] <= budget:
            if p.ii_cycles >= hi:  # the fixed layers' pace: no smaller target is faster
                break
            hi, fits = p.ii_cycles, p
        else:
            lo = mid
    if fits.ii_cycles > fits.cycles:  # layers fixed by --fold set the pace: fold the rest no faster
        relaxed = probe(module, fits.ii_cycles, options)
        if relaxed is not None and relaxed.worst[1] <= fits.worst[1]:
            return relaxed
    return fits
