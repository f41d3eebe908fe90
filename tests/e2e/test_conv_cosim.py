"""Convolutional networks through the generated Verilog: sliding-window generators, the
integer first layer, XNOR units over windows, pools and the collector, with random stalls on
both handshakes; outputs equal the interpreter's bit for bit, the measured initiation interval
is within 2% of the performance model, and the Verilog lints clean."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support.cli import MODELS, assert_ii_near_prediction, compile_and_lint, lowbitc, run_and_simulate
from support.graphs import make_cnv

from lowbitc.zoo.reference import qonnx_reference


def test_cnv_small_sim_equals_run_and_expected(tmp_path: Path) -> None:
    model = MODELS / "cnv_small_w1a1_dynamo.onnx"
    x = np.load(MODELS / "cnv_small_w1a1_in.npy")
    run, sim, stats = run_and_simulate(model, x, tmp_path)
    np.testing.assert_array_equal(sim, run)
    np.testing.assert_array_equal(run, np.load(MODELS / "cnv_small_w1a1_out_torch.npy"))
    assert_ii_near_prediction(stats)
    kinds = [layer["kind"] for layer in stats["layers"]]
    # no collector: the dense layer takes the pool's pixels fold by fold through a gearbox
    assert (
        kinds.count("swg") == 4 and kinds.count("pool") == 2 and kinds.count("collect") == 0 and kinds[1] == "mvu_int"
    )


def test_folds_of_whole_pixels(tmp_path: Path) -> None:
    """SIMD a multiple of the window's channels (48 = 3 pixels of 16; 64 = 2 of 32, padded: 288
    is no multiple of 64): the window generator emits pixel words, a gearbox joins them into
    folds and the FIFO in front holds a vector, so the units keep their II exactly."""
    model = MODELS / "cnv_small_w1a1_dynamo.onnx"
    x = np.load(MODELS / "cnv_small_w1a1_in.npy")
    fold = tmp_path / "fold.json"
    fold.write_text('{"1": {"pe": 4, "simd": 48}, "3": {"pe": 2, "simd": 64}}')
    run, sim, stats = run_and_simulate(model, x, tmp_path, run_options=("--fold", fold), sim_options=("--fold", fold))
    np.testing.assert_array_equal(sim, run)
    assert stats["ii_cycles"] == stats["ii_cycles_predicted"] == 784 * 4 * 3  # layer 1: 784 px x NF 4 x SF 3
    rtl = lowbitc(
        model, "--fold", fold, "--emit", "rtl", "--elide-constants-larger-than", "4", "-o", tmp_path / "r.mlir"
    )
    assert rtl.returncode == 0, rtl.stderr
    text = (tmp_path / "r.mlir").read_text()
    assert (
        "!rtl.stream<16> -> !rtl.stream<48>" in text and "pad = 1 : i64} : !rtl.stream<32> -> !rtl.stream<64>" in text
    )


def test_cnv_small_verilog_lints_clean(tmp_path: Path) -> None:
    compile_and_lint(MODELS / "cnv_small_w1a1_dynamo.onnx", tmp_path)


@pytest.mark.parametrize("kernel,stride", [(3, 2), (1, 1), (2, 1)])
def test_generated_cnv_strides_and_kernels(kernel: int, stride: int, tmp_path: Path) -> None:
    """Stride 2, 1x1 and 2x2 kernels, non-pooled and pooled maps, in hardware."""
    model = make_cnv(
        tmp_path / "c.onnx", seed=40 + kernel * 3 + stride, kernel=kernel, stride=stride, pad=0, channels=(8, 16)
    )
    x = np.random.default_rng(3).uniform(-1, 1, (5, 3, 12, 12)).astype(np.float32)
    run, sim, stats = run_and_simulate(model, x, tmp_path, stall="0.5")
    np.testing.assert_array_equal(sim, run)
    assert_ii_near_prediction(stats)


@pytest.mark.parametrize("input_bits", [1, 4])
def test_first_layer_input_widths(input_bits: int, tmp_path: Path) -> None:
    """The 1-bit input variant (XNOR first layer) and a 4-bit input (integer first layer)."""
    model = make_cnv(tmp_path / "c.onnx", seed=90 + input_bits, kernel=3, stride=1, pad=0, input_bits=input_bits)
    x = np.random.default_rng(5).uniform(-1, 1, (4, 3, 12, 12)).astype(np.float32)
    run, sim, stats = run_and_simulate(model, x, tmp_path)
    np.testing.assert_array_equal(run, qonnx_reference(model, x))
    np.testing.assert_array_equal(sim, run)
    assert stats["layers"][1]["kind"] == ("mvu" if input_bits == 1 else "mvu_int")


def test_report_matches_simulation(tmp_path: Path) -> None:
    model = MODELS / "cnv_small_w1a1_dynamo.onnx"
    r = lowbitc("report", model, "--json", tmp_path / "report.json")
    assert r.returncode == 0, r.stderr
    assert "<- bottleneck" in r.stdout and "frames/s" in r.stdout
    rep = json.loads((tmp_path / "report.json").read_text())
    assert {"ii_cycles", "fps", "layers", "totals"} <= set(rep)
    assert rep["fps"] == pytest.approx(rep["clock_mhz"] * 1e6 / rep["ii_cycles"])
    _, _, stats = run_and_simulate(model, np.load(MODELS / "cnv_small_w1a1_in.npy"), tmp_path, stall="0")
    assert abs(stats["ii_cycles"] - rep["ii_cycles"]) <= 0.02 * rep["ii_cycles"]


def test_bnnpynq_cnv_sim_equals_run_and_expected(tmp_path: Path) -> None:
    """The full BNN-PYNQ CNV (6 convolutions, 64 to 256 channels) in Verilator: about a minute."""
    model = MODELS / "bnnpynq_cnv_1w1a_ts.onnx"
    x = np.load(MODELS / "bnnpynq_cnv_1w1a_in.npy")
    run, sim, stats = run_and_simulate(model, x, tmp_path)
    np.testing.assert_array_equal(run, np.load(MODELS / "bnnpynq_cnv_1w1a_out_torch.npy"))
    np.testing.assert_array_equal(sim, run)
    assert abs(stats["ii_cycles"] - stats["ii_cycles_predicted"]) <= 0.02 * stats["ii_cycles_predicted"]


@pytest.mark.parametrize("stride", [1, 2])
def test_zero_padded_convolutions_in_hardware(stride: int, tmp_path: Path) -> None:
    """Padding 1 on the 8-bit input and on bipolar maps: the pad unit widens bits to si2 with 0
    borders and the integer unit computes the layer; exact against qonnx and the interpreter."""
    model = make_cnv(tmp_path / "c.onnx", seed=70 + stride, kernel=3, stride=stride, pad=1)
    x = np.random.default_rng(11).uniform(-1, 1, (4, 3, 12, 12)).astype(np.float32)
    run, sim, stats = run_and_simulate(model, x, tmp_path)
    np.testing.assert_array_equal(run, qonnx_reference(model, x))
    np.testing.assert_array_equal(sim, run)
    assert [layer["kind"] for layer in stats["layers"]].count("pad") == 2
    assert_ii_near_prediction(stats)


def test_bnnpynq_cnv_verilog_lints_clean(tmp_path: Path) -> None:
    compile_and_lint(MODELS / "bnnpynq_cnv_1w1a_ts.onnx", tmp_path)
