"""`lowbitc report --synth / --pnr`: measured figures beside the resource model's.

* `--synth` runs Yosys for the device's family twice: with the top's instances kept as modules
  (per-layer figures, `synth.unit_figures`) and flat (the totals, what a real flow gives; keeping
  the boundaries changes LUT counts by up to tens of percent). Each layer and `totals` get
  `luts_synth`, `ffs_synth`, `brams_synth`, `dsps_synth` beside the model's `luts`, `ffs`,
  `brams`, `dsps`; `luts_synth` counts LUT sites (logic and LUT RAM), as the model does.
* `--pnr` (iCE40 only) places and routes with nextpnr-ice40: `fmax_mhz_pnr` and nextpnr's
  utilisation.
"""

from __future__ import annotations

from dataclasses import replace

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.eda.synth_stats import Figures
from lowbitc.backends.report.design import DesignReport, PnrRun, ResourceFigures, SynthRun
from lowbitc.backends.target.devices import Device, Family
from lowbitc.errors import LowbitcError


def _synth_figures(f: Figures) -> ResourceFigures:
    """Yosys's figures as the report keeps them: LUT sites (logic and LUT RAM), as the model counts."""
    return ResourceFigures(f.lut_sites, f.ffs, f.brams, f.dsps)


def check_pnr_target(device: Device) -> None:
    """Refuse --pnr before anything runs, when the target is not an iCE40."""
    if device.fabric is None or device.fabric.family is not Family.ICE40:
        raise LowbitcError(
            f"--pnr places and routes on iCE40 parts only (nextpnr-ice40), not {device.name}; "
            "choose --target ice40-up5k, or use --synth for the other families"
        )


def with_synth(rep: DesignReport, module: ModuleOp, device: Device) -> DesignReport:
    """``rep`` with Yosys's figures (kept hierarchy per unit, flat for the totals) beside the model's."""
    from lowbitc.backends.eda.synth import synthesize, unit_figures
    from lowbitc.backends.verilog.emit import emit_verilog
    from lowbitc.dialects.rtl import find_top

    verilog, top = emit_verilog(module), find_top(module).sym_name.data
    kept = synthesize(verilog, top, device)
    flat = synthesize(verilog, top, device, flat=True)
    per_unit = unit_figures(kept, module)
    units = tuple(replace(u, synth=_synth_figures(per_unit.get(u.index, Figures()))) for u in rep.units)
    run = SynthRun(
        tool=flat.tool,
        per_layer_from="kept-hierarchy run (top-level instances kept as modules)",
        totals_from="flat run",
        kept_totals=_synth_figures(kept.total),
        outside_layers=_synth_figures(per_unit.get(None, Figures())),
        seconds=round(kept.seconds + flat.seconds, 2),
    )
    return replace(rep, units=units, totals=replace(rep.totals, synth=_synth_figures(flat.total)), synth=run)


def with_pnr(rep: DesignReport, module: ModuleOp, device: Device) -> DesignReport:
    """``rep`` with fmax and utilisation from placing and routing on the iCE40 ``device``."""
    from lowbitc.backends.eda.pnr import place_and_route
    from lowbitc.backends.verilog.emit import emit_verilog
    from lowbitc.dialects.rtl import find_top

    check_pnr_target(device)
    res = place_and_route(emit_verilog(module), find_top(module).sym_name.data, device)
    run = PnrRun(res.tool, res.fits, res.target_mhz, res.fmax_mhz, dict(res.utilisation), res.seconds)
    return replace(rep, pnr=run)
