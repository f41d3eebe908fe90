"""The report of `lowbitc report` as one typed object, `DesignReport`, built here and only here
(`design_report`) from the analyses: per unit and for the design, at the device's clock, the
cycles (perf), the resource model's LUTs, FFs, block RAMs and DSPs (resource_model), the weight
placement (projection) and the fit check (fit); `report.synth` adds the measured figures of
`--synth` and `--pnr`. The renderers take the object: `as_dict`/`to_json` here (the keys and
values of `--json`, which users and tests read), text.py, html.py and svg.py.

Resource figures are kept as the model gives them (ints, and floats for half block RAMs), so the
JSON prints them as it always has."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.analysis import resource_model
from lowbitc.backends.analysis.fit import FitCheck, fit_check
from lowbitc.backends.analysis.perf import LayerPerf, predict
from lowbitc.backends.analysis.projection import WeightPlacement, macs_per_frame, weight_placement
from lowbitc.backends.target.devices import Device

RESOURCE_KEYS = ("luts", "ffs", "brams", "dsps")
"""The resource model's figures, in the order every rendering lists them."""


@dataclass(frozen=True)
class ResourceFigures:
    """LUTs, flip-flops, block RAMs and DSPs: the resource model's, Yosys's or a device's (None
    where there is no figure: a target without fabric, a capacity of 0 for a share)."""

    luts: float | None = None
    ffs: float | None = None
    brams: float | None = None
    dsps: float | None = None

    @classmethod
    def of(cls, source: object) -> ResourceFigures:
        """The four figures of anything that has them as attributes (`Cost`)."""
        return cls(*(getattr(source, k) for k in RESOURCE_KEYS))

    def as_dict(self, suffix: str = "") -> dict:
        """``{"luts": ..., ...}``, each key with ``suffix`` (`_synth` for Yosys's)."""
        return {k + suffix: getattr(self, k) for k in RESOURCE_KEYS}


@dataclass(frozen=True)
class UnitRow(LayerPerf):
    """One unit of the pipeline: its `perf.predict` layer (same order and index) and what the
    report adds to it."""

    layer: int | None
    """The fold file's layer number (matrix-vector units in program order, as `--fold` and
    `inspect` count them); None for units that are not layers (windows, pools, ...)."""
    lanes: int
    bottleneck: bool
    """Its cycles per frame set the initiation interval."""
    model: ResourceFigures
    synth: ResourceFigures | None = None
    """Yosys's figures for the unit (`--synth`, from the kept-hierarchy run)."""

    def as_dict(self) -> dict:
        perf = {f.name: getattr(self, f.name) for f in fields(LayerPerf)}
        synth = {} if self.synth is None else self.synth.as_dict("_synth")
        return (
            perf
            | {"layer": self.layer, "lanes": self.lanes, "bottleneck": self.bottleneck}
            | self.model.as_dict()
            | synth
        )


@dataclass(frozen=True)
class Totals:
    lanes: int
    units: int
    model: ResourceFigures
    alms: int | None = None
    """Intel: the ALMs the model's LUT6-equivalents take; None elsewhere."""
    synth: ResourceFigures | None = None
    """Yosys's figures for the design (`--synth`, from the flat run)."""

    def as_dict(self) -> dict:
        out = {"lanes": self.lanes, "units": self.units} | self.model.as_dict()
        if self.alms is not None:
            out["alms"] = self.alms
        return out | ({} if self.synth is None else self.synth.as_dict("_synth"))


@dataclass(frozen=True)
class DeviceRecord:
    """The device's capacity and the names of its on-chip RAM kinds, so that the report can
    say which RAM each figure counts."""

    name: str
    part: str
    clock_mhz: float
    capacity: ResourceFigures
    """`Fabric.capacity()`: what the resource model's totals are measured against."""
    bram_kind: str
    dram_gbps: float | None
    board: str
    rams: tuple[str, ...]

    @classmethod
    def of(cls, device: Device) -> DeviceRecord | None:
        """None for a device without fabric (`generic`)."""
        fabric = device.fabric
        if fabric is None:
            return None
        return cls(
            device.name,
            fabric.part,
            device.clock_mhz,
            ResourceFigures(**fabric.capacity()),
            fabric.bram.name,
            fabric.dram_gbps,
            fabric.board,
            tuple(ram.name for ram in fabric.rams),
        )

    def as_dict(self) -> dict:
        head = {"name": self.name, "part": self.part, "clock_mhz": self.clock_mhz}
        tail = {"bram_kind": self.bram_kind, "dram_gbps": self.dram_gbps, "board": self.board, "rams": list(self.rams)}
        return head | self.capacity.as_dict() | tail


@dataclass(frozen=True)
class SynthRun:
    """Where the `--synth` figures come from (report/synth.py)."""

    tool: str
    per_layer_from: str
    totals_from: str
    kept_totals: ResourceFigures
    outside_layers: ResourceFigures
    seconds: float

    def as_dict(self) -> dict:
        return {
            "tool": self.tool,
            "per_layer_from": self.per_layer_from,
            "totals_from": self.totals_from,
            "kept_totals": self.kept_totals.as_dict("_synth"),
            "outside_layers": self.outside_layers.as_dict("_synth"),
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class PnrRun:
    """nextpnr-ice40's result for `--pnr` (report/synth.py)."""

    tool: str
    fits: bool
    target_mhz: float
    fmax_mhz_pnr: float | None
    utilisation: dict[str, tuple[int, int]]
    """Resource -> (used, available)."""
    seconds: float

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "utilisation": {k: list(v) for k, v in self.utilisation.items()}
        }


@dataclass(frozen=True)
class DesignReport:
    """Everything `lowbitc report` says about a design on a device."""

    model: str
    target: str
    clock_mhz: float
    ii_cycles: int
    fps: float
    latency_cycles: int | None
    """None once line buffers make the latency data-dependent."""
    macs_per_frame: int
    tops: float
    units: tuple[UnitRow, ...]
    totals: Totals
    shares: ResourceFigures | None
    """The totals' share of the device, rounded to 4 places; None without fabric (then the
    resource model did not run)."""
    device: DeviceRecord | None
    weights: WeightPlacement | None
    fit: FitCheck
    synth: SynthRun | None = None
    pnr: PnrRun | None = None

    @property
    def has_model(self) -> bool:
        """The resource model ran (the device has a fabric)."""
        return self.shares is not None

    @property
    def bottlenecks(self) -> list[UnitRow]:
        return [u for u in self.units if u.bottleneck]

    def as_dict(self) -> dict:
        """The JSON of `lowbitc report --json` (docs/cli.md lists its keys)."""
        out = {
            "model": self.model,
            "target": self.target,
            "clock_mhz": self.clock_mhz,
            "ii_cycles": self.ii_cycles,
            "fps": self.fps,
            "latency_cycles": self.latency_cycles,
            "macs_per_frame": self.macs_per_frame,
            "tops": self.tops,
            "layers": [u.as_dict() for u in self.units],
            "totals": self.totals.as_dict(),
            "shares": None if self.shares is None else self.shares.as_dict(),
            "device": None if self.device is None else self.device.as_dict(),
            "weights": None if self.weights is None else self.weights.as_dict(),
            "fit_problem": self.fit.problem,
            "fit_warning": self.fit.warning,
        }
        if self.synth is not None:
            out["synth"] = self.synth.as_dict()
        if self.pnr is not None:
            out["pnr"] = self.pnr.as_dict()
            out["fmax_mhz_pnr"] = self.pnr.fmax_mhz_pnr
        return out

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2) + "\n"


def design_report(module: ModuleOp, device: Device, model: str = "") -> DesignReport:
    """The report of the rtl-stage ``module`` (compiled from ``model``) on ``device``, at the
    device's clock.

    The resource model prices the design once as generated (every weight in on-chip ROMs) for
    the table and the fit check; only when the projection streams some units' weights from DRAM
    are the figures shown priced again, without those units' ROMs."""
    perf = predict(module)
    fps = device.clock_mhz * 1e6 / perf.ii_cycles
    macs = macs_per_frame(perf)
    placement = weight_placement(module, device, fps)
    streamed = frozenset(placement.streamed_units) if placement is not None else frozenset()
    as_generated = None if device.fabric is None else resource_model.design_cost(module, device)
    cost = as_generated if not streamed else resource_model.design_cost(module, device, streamed)
    figures = [ResourceFigures()] * len(perf.layers) if cost is None else [ResourceFigures.of(c) for c in cost.units]
    numbers = layer_numbers([layer.kind for layer in perf.layers])
    units = tuple(
        UnitRow(
            **{f.name: getattr(layer, f.name) for f in fields(LayerPerf)},
            layer=number,
            lanes=layer.pe * layer.simd,
            bottleneck=layer.cycles == perf.ii_cycles,
            model=unit_figures,
        )
        for layer, number, unit_figures in zip(perf.layers, numbers, figures, strict=True)
    )
    totals, shares = _totals(device, cost, sum(u.lanes for u in units), len(units))
    return DesignReport(
        model=model,
        target=device.name,
        clock_mhz=device.clock_mhz,
        ii_cycles=perf.ii_cycles,
        fps=fps,
        latency_cycles=perf.latency_cycles,
        macs_per_frame=macs,
        tops=2 * macs * fps / 1e12,
        units=units,
        totals=totals,
        shares=shares,
        device=DeviceRecord.of(device),
        weights=placement,
        fit=fit_check(module, device, as_generated),
    )


def _totals(
    device: Device, cost: resource_model.DesignCost | None, lanes: int, n_units: int
) -> tuple[Totals, ResourceFigures | None]:
    """The design's totals and their shares of the device (None without a priced fabric)."""
    if cost is None or device.fabric is None:
        return Totals(lanes, n_units, ResourceFigures()), None
    fabric = device.fabric
    total = ResourceFigures.of(cost.total)
    capacity = fabric.capacity()
    shares = ResourceFigures(
        *(round(getattr(total, k) / capacity[k], 4) if capacity[k] else None for k in RESOURCE_KEYS)
    )
    # Intel: the model's LUTs are LUT6-equivalents; the report adds the ALMs they take.
    alms = round(total.luts / fabric.logic.lut_equivalent) if fabric.logic.lut_equivalent != 1.0 else None
    return Totals(lanes, n_units, total, alms), shares


def layer_numbers(kinds: list[str]) -> list[int | None]:
    """The fold file's layer number of each unit (program order of the matrix-vector units, as
    `--fold` and `inspect` count them); None for units that are not layers (windows, pools, ...)."""
    numbers: list[int | None] = []
    count = 0
    for kind in kinds:
        numbers.append(count if kind.startswith("mvu") else None)
        count += kind.startswith("mvu")
    return numbers
