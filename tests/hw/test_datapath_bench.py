"""bench/datapath.py measures the library's own lowbit_mvu: its wrappers must stay valid designs
and the signals it cuts the datapath out at must keep existing. No LUT figures here: those are
the bench's business (bench/results_datapath.json)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lowbitc.backends.runtime.sim.verilator import lint
from lowbitc.backends.verilog.library import library_sources

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load_bench():
    sys.path.insert(0, str(BENCH))  # datapath.py imports its sibling common.py
    try:
        spec = importlib.util.spec_from_file_location("bench_datapath", BENCH / "datapath.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod  # dataclasses look their module up there
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(BENCH))
    return mod


dp = load_bench()
SMALL = dp.Unit(K=24, C=4, PE=2, SIMD=8)  # same wrapper code as the bench, a faster build


def lib() -> dict[str, str]:
    src = library_sources()
    return {f: src[f] for f in dp.LIB_FILES}


@pytest.mark.parametrize("unit", [SMALL, dp.Unit(576, 64, 1, 64)], ids=["small", "bench"])
def test_whole_unit_wrapper_lints(unit) -> None:
    lint(lib() | {"top.v": dp.unit_top(unit)}, "top")


def test_popcount_wrappers_lint() -> None:
    lint(lib() | {"top.v": dp.popcount_top("module lowbit_mvu_count")}, "top")
    lint({"top.v": dp.ANCHOR}, "top")


def test_cut_points_exist(tmp_path: Path) -> None:
    """The bench's `expose` cut runs on the flattened unit and every cut signal is found."""
    if shutil.which("yosys") is None:  # loud, never a silent skip
        pytest.fail("yosys not installed; the datapath bench needs it: apt-get install yosys")
    files = dp.library_args(dp.LIB)
    top = tmp_path / "top.v"
    top.write_text(dp.datapath_top(SMALL))
    r = subprocess.run(
        ["yosys", "-q", "-p", f"read_verilog {files} {top}; {dp.cut_script()}"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr
