"""bench/datapath.py measures the library's own lowbit_mvu: its wrappers must stay valid designs
and the signals it cuts the datapath out at must keep existing. The bench checks itself
(`--check`); the tests run it as a user would, never importing bench/. No LUT figures here:
those are the bench's business (bench/results_datapath.json)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "datapath.py"


def bench_check(name: str) -> None:
    r = subprocess.run([sys.executable, str(BENCH), "--check", name], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"datapath check {name}: ok" in r.stdout


@pytest.mark.parametrize("unit", ["small", "bench", "narrow"])
def test_whole_unit_wrapper_lints(unit: str) -> None:
    bench_check(f"unit-{unit}")


def test_popcount_wrappers_lint() -> None:
    bench_check("popcount")


def test_cut_points_exist() -> None:
    """The bench's `expose` cut runs on the flattened unit and every cut signal is found."""
    if shutil.which("yosys") is None:  # loud, never a silent skip
        pytest.fail("yosys not installed; the datapath bench needs it: apt-get install yosys")
    bench_check("cut")
