"""`lowbitc report --synth / --pnr`: Yosys's figures beside the resource model's (per layer from the
kept-hierarchy run, totals from the flat run), nextpnr-ice40's fmax and utilisation, and the
one-line errors for targets without a flow."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import MODELS, lowbitc

DIGITS = MODELS / "digits_bnn_w1a1.onnx"
KEYS = ("luts", "ffs", "brams", "dsps")


def test_synth_puts_yosys_beside_the_model(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r = lowbitc("report", DIGITS, "--target", "xc7z020", "--synth", "--json", out)
    assert r.returncode == 0, r.stderr
    rep = json.loads(out.read_text())
    for entry in [*rep["layers"], rep["totals"]]:
        for key in KEYS:
            assert isinstance(entry[key], (int, float)) and isinstance(entry[f"{key}_synth"], (int, float)), (
                key,
                entry,
            )
        # the model's figure is next to the measured one
        names = list(entry)
        assert names.index("luts_synth") > names.index("luts")
    assert rep["synth"]["totals_from"] == "flat run" and rep["synth"]["per_layer_from"].startswith("kept-hierarchy")
    t = rep["totals"]
    assert t["luts_synth"] > 0 and abs(t["luts"] / t["luts_synth"] - 1) <= 0.15
    assert rep["shares"]["luts"] == round(t["luts"] / rep["device"]["luts"], 4)
    # the text report shows both
    assert "LUTs syn" in r.stdout and "resources (model):" in r.stdout and "resources (Yosys, flat run):" in r.stdout


def test_pnr_needs_an_ice40(tmp_path: Path) -> None:
    r = lowbitc("report", DIGITS, "--target", "xc7z020", "--pnr", "--json", tmp_path / "r.json")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "--pnr places and routes on iCE40 parts only" in r.stderr
    assert not (tmp_path / "r.json").exists()


def test_synth_refuses_intel(tmp_path: Path) -> None:
    r = lowbitc("report", DIGITS, "--target", "arria10-gx1150", "--synth", "--json", tmp_path / "r.json")
    assert (
        r.returncode == 2 and r.stderr.count("\n") == 1 and "no open-source synthesis flow exists for Intel" in r.stderr
    )
    assert not (tmp_path / "r.json").exists()


def test_pnr_on_ice40(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r = lowbitc("report", DIGITS, "--target", "ice40-up5k", "--pnr", "--json", out)
    assert r.returncode == 0, r.stderr
    rep = json.loads(out.read_text())
    assert rep["pnr"]["fits"] and rep["fmax_mhz_pnr"] >= 24.0
    assert rep["pnr"]["utilisation"]["ICESTORM_LC"][1] == 5280
    assert "place and route (nextpnr-ice40): fits, fmax" in r.stdout
