"""Convolutional networks, first steps: import (8-bit input quantizer, binary Conv, MaxPool,
flatten to the dense part), `streamline`, and `bitserial`/`tile` to channels-last sliding
windows, `unroll`/`pipeline` to matrix-vector units on packed pixel streams, exact against the
framework's outputs and qonnx at every stage. Co-simulation is in test_conv_cosim.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.cli import MODELS, lowbitc

from lowbitc.backends.runtime.interpreter import run_module
from lowbitc.pipeline import compile_stages, compile_to
from lowbitc.zoo.reference import qonnx_reference

CNV = ["cnv_small_w1a1_dynamo", "bnnpynq_cnv_1w1a_ts"]
INPUTS = {"cnv_small_w1a1_dynamo": "cnv_small_w1a1", "bnnpynq_cnv_1w1a_ts": "bnnpynq_cnv_1w1a"}


def frames(model: str) -> np.ndarray:
    return np.load(MODELS / f"{INPUTS[model]}_in.npy")


@pytest.mark.parametrize("model", CNV)
def test_run_streamline_reproduces_expected(model: str, tmp_path: Path) -> None:
    np.save(tmp_path / "in.npy", frames(model))
    r = lowbitc(
        "run", MODELS / f"{model}.onnx", "-i", tmp_path / "in.npy", "-o", tmp_path / "out.npy", "--stage", "streamline"
    )
    assert r.returncode == 0, r.stderr
    # Integer logits (TensorNorm with unit statistics / no head BatchNorm): exact.
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), np.load(MODELS / f"{INPUTS[model]}_out_torch.npy"))


@pytest.mark.parametrize("model", CNV)
def test_stages_are_exact_and_streamline_folds_every_batchnorm(model: str) -> None:
    x = frames(model)
    stages = dict(compile_stages(MODELS / f"{model}.onnx", last="pipeline"))  # one import, every stage
    before = run_module(stages["lowbit"], x)
    module = stages["streamline"]
    text = str(module)
    assert "lowbit.batchnorm" not in text and "lowbit.threshold" in text
    np.testing.assert_array_equal(run_module(module, x), before)
    for stage in ("bitserial", "tile", "unroll", "pipeline"):
        module = stages[stage]
        assert "lowbit.conv" not in str(module) and "lowbit.window" in str(module)
        if stage in ("unroll", "pipeline"):
            assert "lowbit.xnor_popcount" not in str(module) and "lowbit.mvu" in str(module)
        np.testing.assert_array_equal(run_module(module, x), before, err_msg=stage)


def test_interpreter_matches_qonnx_on_cnv_small() -> None:
    model = MODELS / "cnv_small_w1a1_dynamo.onnx"
    x = frames("cnv_small_w1a1_dynamo")
    np.testing.assert_array_equal(run_module(compile_to(model, "lowbit"), x), qonnx_reference(model, x))


@pytest.mark.parametrize("kernel,stride,pad", [(3, 1, 1), (3, 2, 1), (1, 1, 0), (3, 2, 0), (1, 2, 0)])
def test_padding_stride_kernel_against_qonnx(kernel: int, stride: int, pad: int, tmp_path: Path) -> None:
    """Zero padding of bipolar and 8-bit inputs, strides and 1x1 kernels, exact against qonnx
    before and after streamline (negative and zero BatchNorm gamma included)."""
    from support.graphs import make_cnv

    model = make_cnv(tmp_path / "c.onnx", seed=kernel * 10 + stride * 3 + pad, kernel=kernel, stride=stride, pad=pad)
    x = np.random.default_rng(7).uniform(-1, 1, (6, 3, 12, 12)).astype(np.float32)
    ref = qonnx_reference(model, x)
    for stage, module in compile_stages(model, last="pipeline"):  # one import; every stage is exact
        np.testing.assert_array_equal(run_module(module, x), ref, err_msg=stage)


@pytest.mark.parametrize("group", [2, 8])
def test_grouped_and_depthwise_convolutions_against_qonnx(group: int, tmp_path: Path) -> None:
    """Grouped (2) and depthwise (8 = channels) convolutions: exact at every stage (bitserial
    makes them dense with ternary weights, 0 outside each group) and in Verilator."""
    from support.graphs import make_cnv

    model = make_cnv(tmp_path / "g.onnx", seed=group, kernel=3, stride=1, pad=1, channels=(8, 8), group=group)
    x = np.random.default_rng(2).uniform(-1, 1, (4, 3, 12, 12)).astype(np.float32)
    ref = qonnx_reference(model, x)
    for stage, module in compile_stages(model, last="pipeline"):  # one import; every stage is exact
        np.testing.assert_array_equal(run_module(module, x), ref, err_msg=stage)
    np.save(tmp_path / "in.npy", x)
    r = lowbitc("sim", model, "-i", tmp_path / "in.npy", "-o", tmp_path / "sim.npy", "--stall", "0.3")
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "sim.npy"), ref)
