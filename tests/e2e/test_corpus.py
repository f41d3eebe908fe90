"""Acceptance: every MLP of the shared corpus, end to end.

For each model: `lowbitc run` reproduces the framework's expected outputs; the interpreter
agrees with qonnx's node-by-node execution; every IR stage gives bit-identical outputs;
`lowbitc sim` (Verilator, random stalls on both handshakes) equals `lowbitc run` bit for bit;
the measured initiation interval equals the model's prediction; the Verilog lints clean.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from support.cli import MODELS, compile_and_lint, lowbitc, run_and_simulate
from support.stages import assert_matches_qonnx, assert_stages_bit_exact

from lowbitc.backends.runtime.interpreter import run_module
from lowbitc.pipeline import compile_to


@dataclass(frozen=True)
class Case:
    model: str
    inputs: str
    scale: float = 1.0  # the zoo model takes pixels in [0, 1]; the FINN input file holds 0..255
    expected: str | None = None
    argmax: tuple[int, ...] | None = None

    @property
    def path(self) -> Path:
        return MODELS / f"{self.model}.onnx"

    def frames(self) -> np.ndarray:
        return (np.load(MODELS / f"{self.inputs}.npy") * np.float32(self.scale)).astype(np.float32)


CASES = [
    Case("digits_bnn_w1a1", "digits_bnn_w1a1_test_in", expected="digits_bnn_w1a1_test_out_torch"),
    Case("tfc_w1a1_ts", "tfc_w1a1_in", expected="tfc_w1a1_out_torch"),
    Case("tfc_w1a1_dynamo", "tfc_w1a1_in", expected="tfc_w1a1_out_torch"),
    Case("zoo_TFC_1W1A", "finn_build_dataflow_input", scale=1 / 255, argmax=(7, 2, 1, 0)),
    Case("finn_build_dataflow_model", "finn_build_dataflow_input", argmax=(7, 2, 1, 0)),
]
IDS = [c.model for c in CASES]


def check_expected(case: Case, out: np.ndarray) -> None:
    if case.expected is not None:
        exp = np.load(MODELS / f"{case.expected}.npy")
        # Integer logits are exact; BatchNorm heads may differ from PyTorch by a few ULP.
        np.testing.assert_allclose(out, exp, rtol=0, atol=4 * np.finfo(np.float32).eps * max(1.0, np.abs(exp).max()))
    if case.argmax is not None:
        got = out.reshape(len(out), -1)
        labels = got[:, 0] if got.dtype == np.int64 else got.argmax(-1)
        assert tuple(int(v) for v in labels) == case.argmax


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_run_reproduces_expected_outputs(case: Case, tmp_path: Path) -> None:
    np.save(tmp_path / "in.npy", case.frames())
    r = lowbitc("run", case.path, "-i", tmp_path / "in.npy", "-o", tmp_path / "out.npy")
    assert r.returncode == 0, r.stderr
    out = np.load(tmp_path / "out.npy")
    assert out.shape[0] == len(case.frames())
    check_expected(case, out)


def test_digits_accuracy() -> None:
    case = CASES[0]
    out = run_module(compile_to(case.path, "pipeline"), case.frames())
    acc = (out.argmax(-1) == np.load(MODELS / "digits_bnn_w1a1_test_labels.npy")).mean()
    assert len(out) == 360 and 0.90 <= acc <= 0.92


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_interpreter_matches_qonnx(case: Case) -> None:
    assert_matches_qonnx(case.path, case.frames())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_stage_is_bit_exact(case: Case) -> None:
    assert_stages_bit_exact(case.path, case.frames())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sim_equals_run_with_stalls(case: Case, tmp_path: Path) -> None:
    run, sim, stats = run_and_simulate(case.path, case.frames(), tmp_path)
    assert run.dtype == sim.dtype
    np.testing.assert_array_equal(sim, run)
    assert stats["frames"] == len(case.frames())
    assert stats["ii_cycles"] == stats["ii_cycles_predicted"]
    assert stats["latency_cycles"] == stats["latency_cycles_predicted"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_verilog_lints_clean(case: Case, tmp_path: Path) -> None:
    compile_and_lint(case.path, tmp_path)


def test_folds_that_do_not_divide_pad_channels_and_inputs(tmp_path: Path) -> None:
    """PE/SIMD that divide neither the channels nor the fan-in: the units pad (ceil folds), the
    simulation stays exact and the II is the padded formula."""
    case = CASES[0]
    fold = tmp_path / "fold.json"
    fold.write_text('{"0": {"pe": 3, "simd": 10}, "1": {"pe": 5, "simd": 7}, "2": {"pe": 4, "simd": 9}}')
    run, sim, stats = run_and_simulate(
        case.path, case.frames()[:40], tmp_path, run_options=("--fold", fold), sim_options=("--fold", fold)
    )
    np.testing.assert_array_equal(sim, run)
    assert stats["ii_cycles"] == stats["ii_cycles_predicted"] == 22 * 7  # ceil(64/3) x ceil(64/10)
    compile_and_lint(case.path, tmp_path, "--fold", fold)
