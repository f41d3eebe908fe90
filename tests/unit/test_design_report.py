"""The typed report (`report.design.DesignReport`) and its JSON: the keys `lowbitc report --json`
has always written, in their order, with and without a fabric, on Intel (ALMs) and with the
figures of `--synth` and `--pnr` added."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from support.cli import MODELS

from lowbitc.backends.report.design import DesignReport, PnrRun, ResourceFigures, SynthRun, design_report
from lowbitc.backends.report.text import format_report
from lowbitc.backends.target.devices import get_device
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

TOP_KEYS = [
    "model",
    "target",
    "clock_mhz",
    "ii_cycles",
    "fps",
    "latency_cycles",
    "macs_per_frame",
    "tops",
    "layers",
    "totals",
    "shares",
    "device",
    "weights",
    "fit_problem",
    "fit_warning",
]
PERF_KEYS = ["index", "kind", "fan_in", "channels", "pe", "simd", "vectors", "cycles"]
MODEL_KEYS = ["luts", "ffs", "brams", "dsps"]
SYNTH_KEYS = [k + "_synth" for k in MODEL_KEYS]


@pytest.fixture(scope="module")
def digits():
    return compile_to(MODELS / "digits_bnn_w1a1.onnx", "rtl", Options(target="xc7z020"))


def report_on(module, target: str) -> DesignReport:
    return design_report(module, get_device(target), "digits.onnx")


def test_the_json_keys_and_their_order(digits) -> None:
    rep = report_on(digits, "xc7z020").as_dict()
    assert list(rep) == TOP_KEYS and rep["model"] == "digits.onnx"
    assert all(list(layer) == [*PERF_KEYS, "layer", "lanes", "bottleneck", *MODEL_KEYS] for layer in rep["layers"])
    assert [layer["layer"] for layer in rep["layers"] if layer["kind"].startswith("mvu")] == [0, 1, 2]
    assert list(rep["totals"]) == ["lanes", "units", *MODEL_KEYS]
    assert list(rep["shares"]) == MODEL_KEYS
    assert list(rep["device"]) == ["name", "part", "clock_mhz", *MODEL_KEYS, "bram_kind", "dram_gbps", "board", "rams"]
    assert rep["device"]["rams"] == ["RAMB36"] and rep["device"]["luts"] == 53200
    assert rep["weights"]["fits_on_chip"] and rep["fit_problem"] is None and rep["fit_warning"] is None


def test_to_json_is_the_dict(digits) -> None:
    rep = report_on(digits, "xc7z020")
    text = rep.to_json()
    assert text.endswith("}\n") and json.loads(text) == rep.as_dict()


def test_without_fabric_the_model_figures_are_null(digits) -> None:
    rep = report_on(digits, "generic")
    assert not rep.has_model and rep.device is None and rep.weights is None
    d = rep.as_dict()
    assert list(d) == TOP_KEYS and d["shares"] is None and d["device"] is None and d["weights"] is None
    assert all(layer[k] is None for layer in d["layers"] for k in MODEL_KEYS)
    assert d["totals"] == {"lanes": rep.totals.lanes, "units": len(rep.units)} | dict.fromkeys(MODEL_KEYS)


def test_intel_totals_add_the_alms(digits) -> None:
    rep = report_on(digits, "arria10-gx1150")
    device = get_device("arria10-gx1150")
    assert rep.totals.alms == round(rep.totals.model.luts / device.fabric.logic.lut_equivalent)
    assert list(rep.as_dict()["totals"]) == ["lanes", "units", *MODEL_KEYS, "alms"]
    assert f"LUT6-equivalents (= {rep.totals.alms:,} ALMs)" in format_report(rep)


def test_synth_and_pnr_figures_follow_the_model(digits) -> None:
    rep = report_on(digits, "ice40-up5k")
    measured = ResourceFigures(100, 90, 2, 0)
    synth = SynthRun("yosys", "kept", "flat", measured, ResourceFigures(1, 2, 0, 0), 1.5)
    pnr = PnrRun("nextpnr-ice40", True, 48.0, 51.25, {"ICESTORM_LC": (120, 5280)}, 3.0)
    rep = replace(
        rep,
        units=tuple(replace(u, synth=measured) for u in rep.units),
        totals=replace(rep.totals, synth=measured),
        synth=synth,
        pnr=pnr,
    )
    d = rep.as_dict()
    assert list(d) == [*TOP_KEYS, "synth", "pnr", "fmax_mhz_pnr"] and d["fmax_mhz_pnr"] == 51.25
    assert list(d["layers"][0])[-8:] == MODEL_KEYS + SYNTH_KEYS
    assert list(d["totals"]) == ["lanes", "units", *MODEL_KEYS, *SYNTH_KEYS]
    assert d["synth"]["kept_totals"] == {"luts_synth": 100, "ffs_synth": 90, "brams_synth": 2, "dsps_synth": 0}
    assert d["pnr"]["utilisation"] == {"ICESTORM_LC": [120, 5280]} and json.loads(rep.to_json()) == d
    text = format_report(rep)
    assert "LUTs syn" in text and "resources (Yosys, flat): 100 LUTs, 90 FFs, 2 EBR, 0 DSPs" in text
    assert "place and route (nextpnr-ice40): fits, fmax 51.25 MHz; ICESTORM_LC 120/5280" in text
