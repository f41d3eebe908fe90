"""Hostile model files beyond the everyday mistakes of test_errors.py: broken graph structure,
absurd sizes, external data, and names that must never leak raw into Verilog. Each gets one line
on stderr naming the file (and the node where there is one) and the fix, exit code 2, no
traceback and no output file; names become legal Verilog.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from support.cli import lint_verilog_file, lowbitc

QONNX = "qonnx.custom_op.general"
ONE = np.ones(1, np.float32)
W = np.sign(np.random.default_rng(0).standard_normal((8, 4))).astype(np.float32)


def save(path: Path, nodes, inits, in_shape=(1, 8), out_shape=(1, 4), names=("x", "y")) -> Path:
    graph = helper.make_graph(
        nodes,
        "t",
        [helper.make_tensor_value_info(names[0], TensorProto.FLOAT, list(in_shape))],
        [helper.make_tensor_value_info(names[1], TensorProto.FLOAT, list(out_shape))],
        [numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QONNX, 1)])
    m.ir_version = 8
    onnx.save(m, str(path))
    return path


def bq(src: str, dst: str, name: str = "q") -> onnx.NodeProto:
    return helper.make_node("BipolarQuant", [src, "one"], [dst], name=name, domain=QONNX)


def refused(path: Path, tmp_path: Path, *fragments: str) -> None:
    out = tmp_path / "accel.v"
    r = lowbitc(path, "-o", out)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert str(path) in lines[0]
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    assert not out.exists() and not list(tmp_path.glob(".accel.v.*"))


def test_cycle(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("Add", ["x", "b"], ["a"], name="A"),
        bq("a", "b", "B"),
        helper.make_node("MatMul", ["b", "w"], ["y"], name="mm"),
    ]
    refused(
        save(tmp_path / "cycle.onnx", nodes, {"w": W, "one": ONE}),
        tmp_path,
        "'A'",
        "comes from node 'B' later",
        "topological order",
    )


def test_tensor_produced_twice(tmp_path: Path) -> None:
    nodes = [bq("x", "q", "first"), bq("x", "q", "second"), helper.make_node("MatMul", ["q", "w"], ["y"], name="mm")]
    refused(
        save(tmp_path / "dup.onnx", nodes, {"w": W, "one": ONE}),
        tmp_path,
        "'q' is produced twice",
        "'first'",
        "'second'",
    )


def test_zero_dimension(tmp_path: Path) -> None:
    nodes = [bq("x", "q"), helper.make_node("MatMul", ["q", "w"], ["y"], name="mm")]
    refused(save(tmp_path / "zero.onnx", nodes, {"w": W, "one": ONE}, in_shape=(1, 0)), tmp_path, "zero dimension")


def test_absurd_input_fails_fast(tmp_path: Path) -> None:
    nodes = [bq("x", "q"), helper.make_node("MatMul", ["q", "w"], ["y"], name="mm")]
    t0 = time.perf_counter()
    refused(
        save(tmp_path / "big.onnx", nodes, {"w": W, "one": ONE}, in_shape=(1, 3, 60000, 60000)),
        tmp_path,
        "10800000000 elements per frame",
        "limit of 16777216",
    )
    assert time.perf_counter() - t0 < 20  # nothing of that size was allocated


def test_absurd_feature_map_fails_fast(tmp_path: Path) -> None:
    """A 2048 x 2048 input is allowed; a convolution making 8 channels of it is not."""
    nodes = [
        bq("x", "q"),
        helper.make_node("BipolarQuant", ["wc", "one"], ["wcq"], name="wq", domain=QONNX),
        helper.make_node("Conv", ["q", "wcq"], ["y"], name="conv", kernel_shape=[1, 1]),
    ]
    path = save(
        tmp_path / "map.onnx",
        nodes,
        {"wc": np.ones((8, 1, 1, 1), np.float32), "one": ONE},
        in_shape=(1, 1, 2048, 2048),
        out_shape=(1, 8, 2048, 2048),
    )
    refused(path, tmp_path, "'conv'", "33554432 elements per frame")


@pytest.mark.parametrize("location", ["../../etc/passwd", "/etc/passwd", "weights.bin"])
def test_external_data_is_refused(location: str, tmp_path: Path) -> None:
    """External data could point anywhere on the machine: lowbitc reads only the model file."""
    nodes = [bq("x", "q"), helper.make_node("MatMul", ["q", "w"], ["y"], name="mm")]
    path = save(tmp_path / "ext.onnx", nodes, {"w": W, "one": ONE})
    m = onnx.load(str(path))
    w = next(i for i in m.graph.initializer if i.name == "w")
    w.ClearField("raw_data")
    w.data_location = TensorProto.EXTERNAL
    w.external_data.add(key="location", value=location)
    onnx.save(m, str(path))
    refused(path, tmp_path, "'w' uses external data", "all tensors inside the file")


HOSTILE_NAMES = ["my layer", "fc;endmodule", "`define X", "$display", "módulo_ß", "module", "1st", "a/b:c"]


def test_hostile_names_make_legal_verilog(tmp_path: Path) -> None:
    """Node and tensor names with spaces, keywords, backticks, $, non-ASCII or Verilog-ending
    text: the design compiles, lints clean, and none of them appears raw in the Verilog."""
    n = HOSTILE_NAMES
    nodes = [
        helper.make_node("BipolarQuant", [n[0], "one"], [n[1]], name=n[2], domain=QONNX),
        helper.make_node("MatMul", [n[1], n[3]], [n[4]], name=n[5]),
        helper.make_node("BatchNormalization", [n[4], "g", "b", "m", "v"], [n[6]], name=n[7]),
        helper.make_node("BipolarQuant", [n[6], "one"], ["q2"], name="`timescale 1ns", domain=QONNX),
        helper.make_node("MatMul", ["q2", "w2"], ["y"], name="endmodule module evil("),
    ]
    inits = {
        n[3]: W,
        "one": ONE,
        "g": np.ones(4, np.float32),
        "b": np.zeros(4, np.float32),
        "m": np.zeros(4, np.float32),
        "v": np.ones(4, np.float32),
        "w2": np.sign(np.random.default_rng(1).standard_normal((4, 2))).astype(np.float32),
    }
    path = save(tmp_path / "names.onnx", nodes, inits, out_shape=(1, 2), names=(n[0], "y"))
    out = tmp_path / "accel.v"
    r = lowbitc(path, "-o", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    for raw in ["my layer", "fc;endmodule", "`define", "`timescale", "$display", "módulo", "a/b:c", "evil("]:
        assert raw not in text, raw
    assert text.isascii()
    lint_verilog_file(out, "accel")
