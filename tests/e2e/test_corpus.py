"""Acceptance: every model of the corpus, end to end.

Models: the shared corpus's MLPs (digits, TFC as TorchScript and dynamo exports, the zoo's and
FINN's TFC) and its 1- and 2-bit networks with ternary weights, k-bit activations and residual
adds: zoo_TFC_2W2A and cnv_small_w2a2 (copies in tests/models) and the generated ones
(tests/models/generated, made by tests/models/generate.py with Brevitas): the BNN-PYNQ TFC and CNV
at W1A2 and W2A2, the digits MLP at W1A2 (signed activations) and W2A2 (unsigned, QuantReLU), and a
residual network at W2A2.

For each: `lowbitc run` reproduces the framework's expected outputs; the interpreter agrees with
both independent references side by side, qonnx's node-by-node execution and onnxruntime on the
plain-ONNX form of the model; every IR stage gives bit-identical outputs; `lowbitc sim`
(Verilator, random stalls on both handshakes) equals `lowbitc run` bit for bit, with the measured
initiation interval equal to the prediction; the Verilog lints clean.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from support.cli import MODELS, compile_and_lint, lowbitc, run_and_simulate
from support.stages import assert_matches_references, assert_stages_bit_exact

from lowbitc.backends.runtime.interpreter import run_module
from lowbitc.pipeline import compile_to
from lowbitc.zoo.reference import onnxruntime_reference

GENERATED = MODELS / "generated"


@dataclass(frozen=True)
class Case:
    model: str
    folder: Path = MODELS
    inputs: str | None = None
    """The frames' .npy in `folder`; None: <model>_in."""
    expected: str | None = None
    """The framework's outputs (.npy in `folder`); None: none recorded (see `argmax`)."""
    scale: float = 1.0  # the zoo models take pixels in [0, 1]; the FINN input file holds 0..255
    argmax: tuple[int, ...] | None = None
    sim_frames: int | None = None
    """Frames simulated; None: all of them."""
    exact_timing: bool = True
    """The simulated II and latency equal the prediction; False (convolutions, whose line buffers
    may add a little at frame boundaries): the II is within 2% above it."""
    onnxruntime_refuses: str | None = None
    """Why onnxruntime cannot run the model (a custom op with no plain ONNX form): the test asserts
    the runner says so, instead of comparing."""

    @property
    def path(self) -> Path:
        return self.folder / f"{self.model}.onnx"

    def frames(self) -> np.ndarray:
        x = np.load(self.folder / f"{self.inputs or self.model + '_in'}.npy")
        return (x * np.float32(self.scale)).astype(np.float32)


def generated(model: str, sim_frames: int = 64) -> Case:
    """A model of tests/models/generated with its recorded PyTorch outputs."""
    return Case(model, GENERATED, expected=f"{model}_out_torch", sim_frames=sim_frames, exact_timing=False)


TFC_DIGITS = "finn_build_dataflow_input"  # four MNIST digits, labels 7, 2, 1, 0
CASES = [
    Case("digits_bnn_w1a1", inputs="digits_bnn_w1a1_test_in", expected="digits_bnn_w1a1_test_out_torch"),
    Case("tfc_w1a1_ts", inputs="tfc_w1a1_in", expected="tfc_w1a1_out_torch"),
    Case("tfc_w1a1_dynamo", inputs="tfc_w1a1_in", expected="tfc_w1a1_out_torch"),
    Case("zoo_TFC_1W1A", inputs=TFC_DIGITS, scale=1 / 255, argmax=(7, 2, 1, 0)),
    Case(
        "finn_build_dataflow_model",
        inputs=TFC_DIGITS,
        argmax=(7, 2, 1, 0),
        onnxruntime_refuses="finn.custom_op.general:MultiThreshold has no plain ONNX form",
    ),
    Case("zoo_TFC_2W2A", inputs=TFC_DIGITS, scale=1 / 255, argmax=(7, 2, 1, 0), sim_frames=64, exact_timing=False),
    Case(
        "cnv_small_w2a2_ts",
        inputs="cnv_small_w2a2_in",
        expected="cnv_small_w2a2_out_torch",
        sim_frames=64,
        exact_timing=False,
    ),
    generated("tfc_w1a2"),
    generated("tfc_w2a2"),
    generated("cnv_w1a2", sim_frames=2),  # full BNN-PYNQ CNVs: their II is 112896 cycles
    generated("cnv_w2a2", sim_frames=2),
    generated("digits_w1a2"),
    generated("digits_w2a2"),
    generated("resnet_w2a2"),
]
IDS = [c.model for c in CASES]
BY_NAME = {c.model: c for c in CASES}


def check_expected(case: Case, out: np.ndarray) -> None:
    if case.expected is not None:
        exp = np.load(case.folder / f"{case.expected}.npy")
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


@pytest.mark.parametrize(
    ("model", "lowest", "highest"),
    [("digits_bnn_w1a1", 0.90, 0.92), ("digits_w1a2", 0.95, 1.0), ("digits_w2a2", 0.95, 1.0)],
)
def test_digits_accuracy(model: str, lowest: float, highest: float) -> None:
    case = BY_NAME[model]
    out = run_module(compile_to(case.path, "pipeline"), case.frames())
    acc = (out.argmax(-1) == np.load(case.folder / f"{model}_test_labels.npy")).mean()
    assert len(out) == 360 and lowest <= acc <= highest


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_interpreter_matches_qonnx_and_onnxruntime(case: Case) -> None:
    frames = case.frames()
    if case.onnxruntime_refuses is None:
        assert_matches_references(case.path, frames, ("qonnx", "onnxruntime"))
    else:
        assert_matches_references(case.path, frames, ("qonnx",))
        with pytest.raises(ValueError, match=case.onnxruntime_refuses):
            onnxruntime_reference(case.path, frames)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_stage_is_bit_exact(case: Case) -> None:
    assert_stages_bit_exact(case.path, case.frames())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sim_equals_run_with_stalls(case: Case, tmp_path: Path) -> None:
    frames = case.frames()[: case.sim_frames]
    run, sim, stats = run_and_simulate(case.path, frames, tmp_path)
    assert run.dtype == sim.dtype
    np.testing.assert_array_equal(sim, run)
    assert stats["frames"] == len(frames)
    if case.exact_timing:
        assert stats["ii_cycles"] == stats["ii_cycles_predicted"]
        assert stats["latency_cycles"] == stats["latency_cycles_predicted"]
    else:
        assert stats["ii_cycles_predicted"] <= stats["ii_cycles"] <= 1.02 * stats["ii_cycles_predicted"]


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
