"""bench/units.py tabulates Yosys's figures per unit kind: its self-check (`--check MODEL`) runs
the bench as a user would, never importing bench/, on a small CNN with every unit kind but the
residual add (its flatten is a gearbox into the dense layer's folds: no collector), and checks
its tables add up (every kind has figures, the kinds and the glue are the kept-hierarchy total,
which is near the flat run's). No figures are asserted here: those are the bench's business
(bench/results_units.json).

Needs Yosys like the other synthesis tests (`make test` installs it; tests/unit/test_synth.py);
its two runs are cached (~/.cache/lowbitc/synth), so a rerun takes seconds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.graphs import make_cnv

BENCH = Path(__file__).resolve().parents[2] / "bench" / "units.py"


def test_units_bench_self_check(tmp_path: Path) -> None:
    if shutil.which("yosys") is None:  # loud, never a silent skip
        pytest.fail("yosys not installed; the units bench needs it: apt-get install yosys")
    model = make_cnv(tmp_path / "tiny.onnx", seed=3, in_shape=(3, 6, 6), channels=(4, 4), classes=3, batch=1)
    r = subprocess.run([sys.executable, str(BENCH), "--check", str(model)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "units check: ok" in r.stdout
    for kind in ("swg", "pad", "pool", "mvu", "mvu_int", "weights", "gearbox"):
        assert f"| {kind} |" in r.stdout, f"no {kind} row in\n{r.stdout}"


@pytest.mark.parametrize(
    "args, names",
    [
        (["--models", "{tmp}/none"], "--models"),
        (["--models", "{tmp}", "no_such_model"], "no_such_model.onnx"),
        (["--check", "{tmp}/none.onnx"], "--check"),
    ],
)
def test_units_bench_refuses_in_one_line(tmp_path: Path, args: list[str], names: str) -> None:
    """A wrong folder or model: one line naming it, exit code 2, nothing written."""
    argv = [a.format(tmp=tmp_path) for a in args] + ["--no-readme", "--json", str(tmp_path / "out.json")]
    r = subprocess.run([sys.executable, str(BENCH), *argv], capture_output=True, text=True)
    assert r.returncode == 2 and names in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "out.json").exists()
