"""Acceptance for 1- and 2-bit networks with ternary weights, k-bit activations and residual adds.

Models: the corpus's zoo_TFC_2W2A and cnv_small_w2a2 (copies in tests/models) and the generated
ones (tests/models/generated, made by tests/models/generate.py with Brevitas): the BNN-PYNQ TFC
and CNV at W1A2 and W2A2, the digits MLP at W1A2 (signed activations) and W2A2 (unsigned,
QuantReLU), and a residual network at W2A2. For each: `lowbitc run` reproduces the framework's
outputs, the interpreter agrees with qonnx, every IR stage is bit-identical, `lowbitc sim`
(Verilator, random stalls on both handshakes) equals `lowbitc run` bit for bit with the
simulated initiation interval equal to the prediction, and the Verilog lints clean.
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

GENERATED = MODELS / "generated"


@dataclass(frozen=True)
class Case:
    model: str
    folder: Path = GENERATED
    inputs: str | None = None  # default: <model>_in
    expected: str | None = "default"  # default: <model>_out_torch
    scale: float = 1.0
    argmax: tuple[int, ...] | None = None

    @property
    def path(self) -> Path:
        return self.folder / f"{self.model}.onnx"

    def frames(self) -> np.ndarray:
        x = np.load(self.folder / f"{self.inputs or self.model + '_in'}.npy")
        return (x * np.float32(self.scale)).astype(np.float32)

    def expected_outputs(self) -> np.ndarray | None:
        if self.expected is None:
            return None
        name = self.model + "_out_torch" if self.expected == "default" else self.expected
        return np.load(self.folder / f"{name}.npy")


CASES = [
    Case("zoo_TFC_2W2A", MODELS, inputs="finn_build_dataflow_input", expected=None, scale=1 / 255, argmax=(7, 2, 1, 0)),
    Case("cnv_small_w2a2_ts", MODELS, inputs="cnv_small_w2a2_in", expected="cnv_small_w2a2_out_torch"),
    Case("tfc_w1a2"),
    Case("tfc_w2a2"),
    Case("cnv_w1a2"),
    Case("cnv_w2a2"),
    Case("digits_w1a2"),
    Case("digits_w2a2"),
    Case("resnet_w2a2"),
]
IDS = [c.model for c in CASES]
BIG = {"cnv_w1a2", "cnv_w2a2"}
"""Full BNN-PYNQ CNVs: simulated on 2 frames (their II is 112896 cycles)."""


def check_expected(case: Case, out: np.ndarray) -> None:
    exp = case.expected_outputs()
    if exp is not None:
        # Integer logits are exact; BatchNorm heads may differ from PyTorch by a few ULP.
        np.testing.assert_allclose(out, exp, rtol=0, atol=4 * np.finfo(np.float32).eps * max(1.0, np.abs(exp).max()))
    if case.argmax is not None:
        assert tuple(int(v) for v in out.reshape(len(out), -1).argmax(-1)) == case.argmax


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_run_reproduces_expected_outputs(case: Case, tmp_path: Path) -> None:
    np.save(tmp_path / "in.npy", case.frames())
    r = lowbitc("run", case.path, "-i", tmp_path / "in.npy", "-o", tmp_path / "out.npy")
    assert r.returncode == 0, r.stderr
    check_expected(case, np.load(tmp_path / "out.npy"))


@pytest.mark.parametrize("model", ["digits_w1a2", "digits_w2a2"])
def test_digits_accuracy(model: str) -> None:
    case = Case(model)
    out = run_module(compile_to(case.path, "pipeline"), case.frames())
    acc = (out.argmax(-1) == np.load(GENERATED / f"{model}_test_labels.npy")).mean()
    assert len(out) == 360 and acc >= 0.95


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_interpreter_matches_qonnx(case: Case) -> None:
    assert_matches_qonnx(case.path, case.frames())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_stage_is_bit_exact(case: Case) -> None:
    assert_stages_bit_exact(case.path, case.frames())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sim_equals_run_with_stalls(case: Case, tmp_path: Path) -> None:
    frames = case.frames()[:2] if case.model in BIG else case.frames()[:64]
    run, sim, stats = run_and_simulate(case.path, frames, tmp_path)
    assert run.dtype == sim.dtype
    np.testing.assert_array_equal(sim, run)
    assert stats["frames"] == len(frames)
    # Dense networks: exactly the prediction; line buffers at frame boundaries may add a little.
    assert stats["ii_cycles_predicted"] <= stats["ii_cycles"] <= 1.02 * stats["ii_cycles_predicted"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_verilog_lints_clean(case: Case, tmp_path: Path) -> None:
    compile_and_lint(case.path, tmp_path)
