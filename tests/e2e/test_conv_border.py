"""Zero-padded binary convolutions on XNOR lanes: the bipolar map is padded with +1 and each
threshold is corrected per border case (`#lowbit.border`). Exact against qonnx at every stage,
and in Verilator with random stalls (outputs equal to `lowbitc run`, II within 2% of the model):
3x3 pad 1 at strides 1 and 2, asymmetric pads, 5x5 pad 2, a 2-bit (multi-threshold) output, and
a 1-bit input layer padded the same way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.cli import assert_ii_near_prediction, compile_and_lint, run_and_simulate
from support.graphs import make_cnv

from lowbitc.backends.runtime.interpreter import run_module
from lowbitc.pipeline import compile_stages, compile_to
from lowbitc.zoo.reference import qonnx_reference

CASES = {
    "k3_s1_p1": dict(kernel=3, stride=1, pad=1),
    "k3_s2_p1": dict(kernel=3, stride=2, pad=1),
    "k3_asym": dict(kernel=3, stride=1, pads=(0, 2, 1, 0)),
    "k3_s2_asym": dict(kernel=3, stride=2, pads=(2, 1, 0, 1)),
    "k5_p2": dict(kernel=5, stride=1, pad=2),
    "k3_p1_2bit": dict(kernel=3, stride=1, pad=1, last_act_bits=2),
    "k3_p1_1bit_input": dict(kernel=3, stride=1, pad=1, input_bits=1),
}


def build(name: str, tmp_path: Path) -> tuple[Path, np.ndarray]:
    model = make_cnv(tmp_path / f"{name}.onnx", seed=sum(map(ord, name)), channels=(8, 16), **CASES[name])
    x = np.random.default_rng(len(name)).uniform(-1, 1, (6, 3, 12, 12)).astype(np.float32)
    return model, x


@pytest.mark.parametrize("name", list(CASES))
def test_border_lowering_is_exact_at_every_stage(name: str, tmp_path: Path) -> None:
    model, x = build(name, tmp_path)
    ref = qonnx_reference(model, x)
    stages = dict(compile_stages(model, last="pipeline"))  # one import, every stage
    assert tuple(stages) == ("lowbit", "streamline", "bitserial", "tile", "unroll", "pipeline")
    for stage, module in stages.items():
        np.testing.assert_array_equal(run_module(module, x), ref, err_msg=stage)
    text = str(stages["unroll"])
    # The padded binary layer runs on XNOR lanes with a per-case threshold table; no si2 pad.
    assert "border = #lowbit.border<" in text and "fill = 1 : i64" in text
    assert "xsi2>" not in text


@pytest.mark.parametrize("name", list(CASES))
def test_border_units_in_verilator_with_stalls(name: str, tmp_path: Path) -> None:
    model, x = build(name, tmp_path)
    run, sim, stats = run_and_simulate(model, x, tmp_path)
    np.testing.assert_array_equal(sim, run)
    np.testing.assert_array_equal(run, qonnx_reference(model, x))
    assert_ii_near_prediction(stats)
    kinds = [layer["kind"] for layer in stats["layers"]]
    # Integer units: only the 8-bit first layer and the dense layer after a 2-bit map; the
    # padded binary layers are XNOR units.
    ints = (CASES[name].get("input_bits") != 1) + (CASES[name].get("last_act_bits", 1) > 1)
    assert kinds.count("mvu_int") == ints, kinds


def test_ternary_weights_keep_the_si2_path(tmp_path: Path) -> None:
    """Out of scope (here: grouped convolutions, whose dense weights are ternary) keeps today's
    si2 padding and the integer unit, still exact."""
    model = make_cnv(tmp_path / "g.onnx", seed=5, kernel=3, stride=1, pad=1, channels=(8, 8), group=2)
    text = str(compile_to(model, "bitserial"))
    assert "xsi2>" in text and "#lowbit.border" not in text


@pytest.mark.parametrize("name", ["k3_s2_asym", "k3_p1_2bit"])
def test_border_verilog_lints_clean(name: str, tmp_path: Path) -> None:
    """The bordered units (sign-bit and comparator thresholds) and the +1 pad lint clean."""
    model, _ = build(name, tmp_path)
    text = compile_and_lint(model, tmp_path).read_text()
    assert ".NCASE(" in text and ".ONES(1)" in text
