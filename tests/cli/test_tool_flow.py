"""The MLIR tool flow: IR emitted at any stage parses again in stock xdsl-opt (through the
xdsl.universe entry point) and in lowbitc-opt, and every registered pass runs from the command
line, reproducing what the driver does."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import MODELS, lowbitc, tool

from lowbitc.stages import STAGES

CNV = MODELS / "cnv_small_w1a1_dynamo.onnx"


@pytest.mark.parametrize("stage", [s for s in STAGES if s not in ("onnx", "verilog")])
def test_emitted_ir_round_trips_through_stock_xdsl_opt(stage: str, tmp_path: Path) -> None:
    ir = tmp_path / "m.mlir"
    assert lowbitc(CNV, "--emit", stage, "-o", ir).returncode == 0
    r = tool("xdsl-opt", ir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ir.read_text().strip()


def test_lowbitc_opt_runs_the_whole_pipeline_like_the_driver(tmp_path: Path) -> None:
    ir = tmp_path / "m.mlir"
    assert lowbitc(CNV, "--emit", "lowbit", "-o", ir).returncode == 0
    r = tool("lowbitc-opt", ir, "-p", "streamline,bitserial,tile,unroll,pipeline,rtl")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == lowbitc(CNV, "--emit", "rtl").stdout.strip()
    v = tool("lowbitc-opt", ir, "-p", "streamline,bitserial,tile,unroll,pipeline,rtl", "-t", "verilog")
    assert v.returncode == 0 and v.stdout == lowbitc(CNV, "-o", "-").stdout


def test_lowbitc_opt_missing_file_is_a_user_error(tmp_path: Path) -> None:
    r = tool("lowbitc-opt", tmp_path / "nope.mlir")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == f"lowbitc-opt: error: {tmp_path / 'nope.mlir'}: No such file or directory"
