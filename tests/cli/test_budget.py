"""`--budget F` (lowbitc/budget.py): the fastest folding whose modelled resources stay within
the share F of the target, its errors, and that it is deterministic and monotone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import MODELS

from lowbitc.budget import RESOURCES, probe
from lowbitc.cli import main
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

TFC = MODELS / "tfc_w1a1_ts.onnx"
CNV = MODELS / "bnnpynq_cnv_1w1a_ts.onnx"


def report(model: Path, tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "r.json"
    assert main(["report", str(model), "--json", str(out), *args]) == 0
    return json.loads(out.read_text())


def shares(rep: dict) -> dict[str, float]:
    dev = rep["device"]
    return {r: rep["totals"][r] / dev[r] for r in RESOURCES if dev[r]}


@pytest.mark.parametrize("budget", [0.1, 0.3])
def test_the_design_fits_its_budget_and_a_faster_one_would_not(budget: float, tmp_path: Path) -> None:
    rep = report(TFC, tmp_path, "--target", "xc7z020", "--budget", str(budget))
    assert max(shares(rep).values()) <= budget
    # One step faster than the search's answer (1% fewer cycles) breaks the budget or is unreachable.
    module = compile_to(TFC, "bitserial")
    faster = probe(module, int(rep["ii_cycles"] / 1.01), Options(target="xc7z020"))
    assert faster is None or max(faster.shares.values()) > budget


def test_a_larger_budget_is_never_slower_and_the_search_is_deterministic(tmp_path: Path) -> None:
    small = report(TFC, tmp_path, "--target", "xc7z020", "--budget", "0.05")
    large = report(TFC, tmp_path, "--target", "xc7z020", "--budget", "0.4")
    again = report(TFC, tmp_path, "--target", "xc7z020", "--budget", "0.4")
    assert large["ii_cycles"] <= small["ii_cycles"]
    assert large["layers"] == again["layers"]


def test_the_cnv_at_seventy_percent_of_a_zynq(tmp_path: Path) -> None:
    rep = report(CNV, tmp_path, "--target", "xc7z020", "--budget", "0.7")
    assert max(shares(rep).values()) <= 0.7
    assert rep["fps"] > 1000  # FINN's published build of this network on this part: 3,000 frames/s


def test_a_fold_file_fixes_its_layers_and_the_budget_folds_the_rest(tmp_path: Path) -> None:
    fold = tmp_path / "fold.json"
    fold.write_text('{"1": {"pe": 4, "simd": 16}}')
    free = report(TFC, tmp_path, "--target", "xc7z020", "--budget", "0.3")
    fixed = report(TFC, tmp_path, "--target", "xc7z020", "--budget", "0.3", "--fold", str(fold))
    assert (fixed["layers"][1]["pe"], fixed["layers"][1]["simd"]) == (4, 16)
    assert (free["layers"][1]["pe"], free["layers"][1]["simd"]) != (4, 16)
    assert max(shares(fixed).values()) <= 0.3
    # Layer 1 at 4 x 16 takes 16 x 4 = 64 cycles a frame: the others fold no faster than it needs.
    assert fixed["ii_cycles"] == fixed["layers"][1]["cycles"] == 64
    assert all(layer["cycles"] <= 64 for layer in fixed["layers"])
    assert fixed["totals"]["lanes"] <= free["totals"]["lanes"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--budget", "0.5"], "--budget needs a device whose capacity is known; target generic has none"),
        (["--target", "xc7z020", "--budget", "0"], "--budget 0 must be a share of the device in (0, 1]"),
        (["--target", "xc7z020", "--budget", "1.5"], "--budget 1.5 must be a share of the device in (0, 1]"),
        (["--target", "xc7z020", "--budget", "0.5", "--fps", "1000"], "give --fps or --budget, not both"),
        (["--target", "ice40-up5k", "--budget", "0.01"], "even with the fewest lanes the design needs"),
        (["--target", "vax", "--budget", "0.5"], "unknown target device 'vax'; choose one of: generic"),
    ],
)
def test_budget_errors_are_one_line_with_exit_2(args: list[str], message: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "accel.v"
    assert main([str(TFC), "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()
