"""ResNet's stem and head in hardware: a padded 3x3/2 max-pool on 2-bit unsigned codes (pad unit,
then pool unit) and a global average pool whose quantizer folds into thresholds on the integer
sums (lowbit_gap), exact against qonnx through `lowbitc run`, and the Verilog in Verilator
with random stalls equal to the interpreter, at the performance model's initiation interval."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.cli import assert_ii_near_prediction, compile_and_lint, lowbitc, run_and_simulate, simulate_cli

from lowbitc.zoo.graph import Act, Graph, Weights
from lowbitc.zoo.reference import qonnx_reference

TERNARY = Weights(2, narrow=True)
RELU2 = Act(2, signed=False, scale=0.5, relu=True)
INPUT8 = Act(8, signed=True, scale=2.0**-7)


def make_gap_net(
    path: Path, *, seed: int, size: int = 12, widths=(8, 12), classes: int = 6, head: Act | None = None
) -> Path:
    """conv 3x3 (pad 1) - ReLU2 - max-pool 3x3/2 (pad 1) - conv 3x3 (pad 1) - ReLU2 - global
    average pool - quantizer (``head``, default 2-bit unsigned) - FC: the map the pool averages
    is (size / 2)^2 pixels."""
    g = Graph(np.random.default_rng(seed))
    x = g.act(g.affine_input(g.input((3, size, size), frames=4)), INPUT8, "input")
    x = g.act(g.batchnorm(g.conv(x, widths[0], 3, TERNARY, "conv1", pad=1), "conv1"), RELU2, "conv1")
    x = g.maxpool(x, 3, 2, "conv1", pad=1)
    x = g.act(g.batchnorm(g.conv(x, widths[1], 3, TERNARY, "conv2", pad=1), "conv2"), RELU2, "conv2")
    x = g.act(g.global_avgpool(x, "avgpool"), head or Act(2, signed=False, scale=RELU2.scale), "avgpool")
    out = g.bias(g.dense(g.flatten(x, "flatten"), classes, TERNARY, "fc"), "fc")
    path.write_bytes(g.model(out, "gapnet", "padded max-pool and global average pool").SerializeToString())
    return path


def make_bipolar_pool_net(path: Path, *, seed: int, size: int = 11) -> Path:
    """Binary conv 3x3 - BipolarQuant - max-pool 3x3/2 (pad 1, on bits: -1 borders) - binary conv -
    BipolarQuant - FC."""
    g = Graph(np.random.default_rng(seed))
    x = g.act(g.affine_input(g.input((3, size, size), frames=4)), INPUT8, "input")
    x = g.act(g.batchnorm(g.conv(x, 16, 3, Weights(1), "conv1"), "conv1"), Act(1), "conv1")
    x = g.maxpool(x, 3, 2, "conv1", pad=1)
    x = g.act(g.batchnorm(g.conv(x, 16, 3, Weights(1), "conv2"), "conv2"), Act(1), "conv2")
    out = g.bias(g.dense(g.flatten(x, "flatten"), 5, Weights(1), "fc"), "fc")
    path.write_bytes(g.model(out, "bipolarpool", "padded max-pool of bits").SerializeToString())
    return path


def frames(n: int, size: int) -> np.ndarray:
    return (np.random.default_rng(5).integers(0, 256, (n, 3, size, size)) / 255).astype(np.float32)


@pytest.mark.parametrize("size", [12, 10])
def test_gap_net_run_equals_qonnx(size: int, tmp_path: Path) -> None:
    """6x6 (36 pixels: averages can tie at a half, where the quantizer rounds to even) and 5x5."""
    model = make_gap_net(tmp_path / "g.onnx", seed=size, size=size)
    x = frames(16, size)
    np.save(tmp_path / "in.npy", x)
    ref = qonnx_reference(model, x)
    for stage in ("lowbit", "streamline", "bitserial", "unroll", "pipeline"):
        r = lowbitc("run", model, "-i", tmp_path / "in.npy", "-o", tmp_path / "out.npy", "--stage", stage)
        assert r.returncode == 0, r.stderr
        np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), ref, err_msg=stage)
    assert len(np.unique(ref, axis=0)) > 4  # the logits depend on the input


def test_gap_net_ties_occur(tmp_path: Path) -> None:
    """The 6x6 average of 2-bit codes hits a half (a code sum of 18 mod 36) in the frames of the
    exactness test, where round-half-to-even decides: that case is exercised, not assumed."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    model = ModelWrapper(str(make_gap_net(tmp_path / "g.onnx", seed=12, size=12))).transform(InferShapes())
    ties = 0
    for frame in frames(16, 12):
        ctx = execute_onnx(model, {"input": frame[None]}, return_full_exec_context=True)
        sums = np.rint(ctx["avgpool.avgpool"] * 36 / 0.5).astype(np.int64)
        ties += int((sums % 36 == 18).sum())
    assert ties > 0


def test_gap_net_sim_equals_run(tmp_path: Path) -> None:
    model = make_gap_net(tmp_path / "g.onnx", seed=3)
    x = frames(6, 12)
    run, sim, stats = run_and_simulate(model, x, tmp_path, stall="0.4")
    np.testing.assert_array_equal(sim, run)
    np.testing.assert_array_equal(run, qonnx_reference(model, x))
    kinds = [layer["kind"] for layer in stats["layers"]]
    assert kinds.count("gap") == 1 and kinds.count("pool") == 1 and kinds.count("pad") == 3
    assert next(layer for layer in stats["layers"] if layer["kind"] == "gap")["cycles"] == 36


def test_gap_net_no_stall_ii_matches_model(tmp_path: Path) -> None:
    model = make_gap_net(tmp_path / "g.onnx", seed=4)
    np.save(tmp_path / "in.npy", frames(6, 12))
    _, stats = simulate_cli(model, tmp_path / "in.npy", tmp_path, stall="0")
    assert_ii_near_prediction(stats)


def test_gap_net_verilog_lints_clean(tmp_path: Path) -> None:
    model = make_gap_net(tmp_path / "g.onnx", seed=3)
    text = compile_and_lint(model, tmp_path).read_text()
    assert "lowbit_gap #(" in text and "lowbit_pool #(" in text


def test_padded_bipolar_maxpool_exact_and_in_hardware(tmp_path: Path) -> None:
    """-1 borders (bit 0) on a bipolar map: exact against qonnx at every stage, and in Verilator
    the pad unit (no widening) feeds the OR pool."""
    model = make_bipolar_pool_net(tmp_path / "b.onnx", seed=8)
    x = frames(8, 11)
    np.save(tmp_path / "in.npy", x)
    ref = qonnx_reference(model, x)
    for stage in ("lowbit", "bitserial", "unroll", "pipeline"):
        r = lowbitc("run", model, "-i", tmp_path / "in.npy", "-o", tmp_path / "out.npy", "--stage", stage)
        assert r.returncode == 0, r.stderr
        np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), ref, err_msg=stage)
    assert len(np.unique(ref, axis=0)) > 4
    ir = lowbitc(model, "--emit", "rtl", "-o", "-")
    assert ir.returncode == 0, ir.stderr
    assert "widen = 0 : i64" in ir.stdout and "rtl.pool" in ir.stdout
    s = lowbitc("sim", model, "-i", tmp_path / "in.npy", "-o", tmp_path / "sim.npy", "--stall", "0.3")
    assert s.returncode == 0, s.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "sim.npy"), ref)


def test_scaled_down_resnet34_in_hardware(tmp_path: Path) -> None:
    """The zoo's ResNet-34 at 64x64 and toy width (stem, padded pool, one block per stage with the
    strided 1x1 downsampling skips, the global pool over a 2x2 map, the classifier): the Verilog
    with random stalls equals qonnx (about a minute in Verilator)."""
    from lowbitc.zoo import NETWORKS

    model = tmp_path / "r.onnx"
    model.write_bytes(
        NETWORKS["resnet34-t2a2"]
        .build(0, size=64, widths=(8, 8, 16, 16), blocks=(1, 1, 1, 1), classes=10)
        .SerializeToString()
    )
    x = frames(3, 64)
    np.save(tmp_path / "in.npy", x)
    s = lowbitc("sim", model, "-i", tmp_path / "in.npy", "-o", tmp_path / "sim.npy", "--stall", "0.3")
    assert s.returncode == 0, s.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "sim.npy"), qonnx_reference(model, x))


def test_gap_with_a_bipolar_quantizer_in_hardware(tmp_path: Path) -> None:
    """A BipolarQuant after the average (x >= 0.75, i.e. a threshold on the sum): the sum unit
    emits packed bits for the binary classifier."""
    from lowbitc.zoo.graph import Act as A

    model = make_gap_net(tmp_path / "g.onnx", seed=21, head=A(1, scale=1.0))
    # BipolarQuant(avg) = +1 iff avg >= 0: always +1 for ReLU codes; shift by a Sub first.
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.load(str(model))
    node = next(n for n in m.graph.node if n.op_type == "BipolarQuant" and n.input[0] == "avgpool.avgpool")
    m.graph.initializer.append(numpy_helper.from_array(np.array([0.75], np.float32), "avgpool.shift"))
    m.graph.node.insert(
        list(m.graph.node).index(node),
        helper.make_node("Sub", ["avgpool.avgpool", "avgpool.shift"], ["avgpool.sub"], name="avgpool.sub"),
    )
    node.input[0] = "avgpool.sub"
    onnx.save(m, str(model))
    x = frames(6, 12)
    np.save(tmp_path / "in.npy", x)
    ref = qonnx_reference(model, x)
    ir = lowbitc("run", model, "-i", tmp_path / "in.npy", "-o", tmp_path / "run.npy")
    assert ir.returncode == 0, ir.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "run.npy"), ref)
    rtl = lowbitc(model, "--emit", "rtl", "-o", "-")
    assert rtl.returncode == 0 and "rtl.gap" in rtl.stdout and "output_bits = 1 : i64" in rtl.stdout, rtl.stderr
    s = lowbitc("sim", model, "-i", tmp_path / "in.npy", "-o", tmp_path / "sim.npy", "--stall", "0.3")
    assert s.returncode == 0, s.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "sim.npy"), ref)


def test_gap_as_the_output_in_hardware(tmp_path: Path) -> None:
    """A network ending on the global average pool: the sum unit sends the raw sums, the host
    divides them by H*W as the model does (float32), exact against qonnx and in Verilator."""
    g = Graph(np.random.default_rng(31))
    x = g.act(g.affine_input(g.input((3, 12, 12), frames=4)), INPUT8, "input")
    x = g.act(g.batchnorm(g.conv(x, 8, 3, TERNARY, "conv1", pad=1), "conv1"), RELU2, "conv1")
    x = g.maxpool(x, 3, 2, "conv1", pad=1)
    out = g.global_avgpool(x, "avgpool")
    model = tmp_path / "g.onnx"
    model.write_bytes(g.model(out, "gapout", "global average pool as the output").SerializeToString())
    x = frames(6, 12)
    np.save(tmp_path / "in.npy", x)
    ref = qonnx_reference(model, x)
    for stage in ("lowbit", "bitserial", "pipeline"):
        r = lowbitc("run", model, "-i", tmp_path / "in.npy", "-o", tmp_path / "run.npy", "--stage", stage)
        assert r.returncode == 0, r.stderr
        np.testing.assert_array_equal(np.load(tmp_path / "run.npy"), ref, err_msg=stage)
    s = lowbitc("sim", model, "-i", tmp_path / "in.npy", "-o", tmp_path / "sim.npy", "--stall", "0.3")
    assert s.returncode == 0, s.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "sim.npy"), ref)
