"""Larger MLPs of the same family (256 and 1024 wide, both exporter styles) with random
weights and BatchNorm statistics (negative and zero gamma included): interpreter against
qonnx, bit-exact through every stage, and through Verilator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.cli import lowbitc
from support.graphs import make_mlp

from lowbitc.backends.runtime.interpreter import run_module
from lowbitc.pipeline import compile_stages, compile_to
from lowbitc.zoo.reference import qonnx_reference

SHAPES = {
    "w256-matmul": ([784, 256, 256, 256, 10], "matmul"),
    "w1024-gemm": ([784, 1024, 1024, 1024, 10], "gemm"),
    "w64-narrow-gemm": ([100, 64, 48, 10], "gemm"),
}


@pytest.fixture(scope="module", params=sorted(SHAPES))
def mlp(request, tmp_path_factory) -> tuple[Path, np.ndarray]:
    widths, style = SHAPES[request.param]
    path = make_mlp(
        tmp_path_factory.mktemp("mlp") / f"{request.param}.onnx", widths, seed=len(widths) + widths[1], style=style
    )
    frames = np.random.default_rng(1).uniform(-1, 1, (16, widths[0])).astype(np.float32)
    return path, frames


def test_interpreter_matches_qonnx(mlp) -> None:
    path, frames = mlp
    ours = run_module(compile_to(path, "lowbit"), frames)
    ref = qonnx_reference(path, frames)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=4 * np.finfo(np.float32).eps * max(1.0, np.abs(ref).max()))


def test_stages_bit_exact(mlp) -> None:
    path, frames = mlp
    stages = compile_stages(path, last="pipeline")  # one import, every stage
    _, lowbit = next(stages)
    reference = run_module(lowbit, frames)
    for stage, module in stages:  # streamline .. pipeline
        np.testing.assert_array_equal(run_module(module, frames), reference, err_msg=stage)


def test_sim_equals_run(mlp, tmp_path: Path) -> None:
    path, frames = mlp
    np.save(tmp_path / "in.npy", frames)
    assert lowbitc("run", path, "-i", tmp_path / "in.npy", "-o", tmp_path / "run.npy").returncode == 0
    s = lowbitc("sim", path, "-i", tmp_path / "in.npy", "-o", tmp_path / "sim.npy", "--stall", "0.3")
    assert s.returncode == 0, s.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "sim.npy"), np.load(tmp_path / "run.npy"))
