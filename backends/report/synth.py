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

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.eda.synth_stats import Figures
from lowbitc.backends.target.devices import Device, Family
from lowbitc.errors import LowbitcError


def _synth_keys(f: Figures) -> dict:
    return {"luts_synth": f.lut_sites, "ffs_synth": f.ffs, "brams_synth": f.brams, "dsps_synth": f.dsps}


def check_pnr_target(device: Device) -> None:
    """Refuse --pnr before anything runs, when the target is not an iCE40."""
    if device.fabric is None or device.fabric.family is not Family.ICE40:
        raise LowbitcError(
            f"--pnr places and routes on iCE40 parts only (nextpnr-ice40), not {device.name}; "
            "choose --target ice40-up5k, or use --synth for the other families"
        )


def add_synth(rep: dict, module: ModuleOp, device: Device) -> None:
    """Run Yosys (kept hierarchy, then flat) and put its figures into ``rep`` in place."""
    from lowbitc.backends.eda.synth import synthesize, unit_figures
    from lowbitc.backends.verilog.emit import emit_verilog
    from lowbitc.dialects.rtl import find_top

    verilog, top = emit_verilog(module), find_top(module).sym_name.data
    kept = synthesize(verilog, top, device)
    flat = synthesize(verilog, top, device, flat=True)
    per_unit = unit_figures(kept, module)
    for layer in rep["layers"]:
        layer.update(_synth_keys(per_unit.get(layer["index"], Figures())))
    rep["totals"].update(_synth_keys(flat.total))
    rep["synth"] = {
        "tool": flat.tool,
        "per_layer_from": "kept-hierarchy run (top-level instances kept as modules)",
        "totals_from": "flat run",
        "kept_totals": _synth_keys(kept.total),
        "outside_layers": _synth_keys(per_unit.get(None, Figures())),
        "seconds": round(kept.seconds + flat.seconds, 2),
    }


def add_pnr(rep: dict, module: ModuleOp, device: Device) -> None:
    """Place and route on the iCE40 ``device`` and put fmax and utilisation into ``rep``."""
    from lowbitc.backends.eda.pnr import place_and_route
    from lowbitc.backends.verilog.emit import emit_verilog
    from lowbitc.dialects.rtl import find_top

    check_pnr_target(device)
    res = place_and_route(emit_verilog(module), find_top(module).sym_name.data, device)
    rep["pnr"] = {
        "tool": res.tool,
        "fits": res.fits,
        "target_mhz": res.target_mhz,
        "fmax_mhz_pnr": res.fmax_mhz,
        "utilisation": {k: list(v) for k, v in res.utilisation.items()},
        "seconds": res.seconds,
    }
    rep["fmax_mhz_pnr"] = res.fmax_mhz
