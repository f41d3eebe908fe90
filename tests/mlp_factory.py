"""Random binary MLPs in QONNX form (as Brevitas exports them), built with onnx.helper so the
tests need no torch: BipolarQuant on inputs, weights and activations, MatMul+Transpose or Gemm,
BatchNormalization with positive, negative and zero gamma."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QONNX_DOMAIN = "qonnx.custom_op.general"


def make_mlp(
    path: str | Path, widths: list[int], *, seed: int = 0, style: str = "matmul", batch: int = 1, head_bn: bool = True
) -> Path:
    rng = np.random.default_rng(seed)
    nodes, inits = [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    one = const("one", np.ones(1, np.float32))
    nodes.append(helper.make_node("BipolarQuant", ["x", one], ["a0"], domain=QONNX_DOMAIN))
    act = "a0"
    for i, (k, c) in enumerate(zip(widths[:-1], widths[1:])):
        w = const(f"w{i}", rng.standard_normal((c, k)).astype(np.float32))
        nodes.append(helper.make_node("BipolarQuant", [w, one], [f"wq{i}"], domain=QONNX_DOMAIN))
        if style == "gemm":
            nodes.append(helper.make_node("Gemm", [act, f"wq{i}"], [f"mm{i}"], transB=1))
        else:
            nodes.append(helper.make_node("Transpose", [f"wq{i}"], [f"wt{i}"], perm=[1, 0]))
            nodes.append(helper.make_node("MatMul", [act, f"wt{i}"], [f"mm{i}"]))
        last = i == len(widths) - 2
        out = f"mm{i}"
        if not last or head_bn:
            gamma = rng.standard_normal(c).astype(np.float32)
            gamma[rng.random(c) < 0.1] = 0.0  # zero gamma: a constant channel
            bn = [
                const(f"bn{i}_{p}", v)
                for p, v in (
                    ("g", gamma),
                    ("b", rng.standard_normal(c).astype(np.float32)),
                    ("m", (rng.standard_normal(c) * np.sqrt(k)).astype(np.float32)),
                    ("v", (rng.random(c) * k + 1).astype(np.float32)),
                )
            ]
            nodes.append(helper.make_node("BatchNormalization", [out] + bn, [f"bn{i}"], epsilon=1e-5))
            out = f"bn{i}"
        if not last:
            nodes.append(helper.make_node("BipolarQuant", [out, one], [f"a{i + 1}"], domain=QONNX_DOMAIN))
            act = f"a{i + 1}"
        else:
            nodes[-1].output[0] = "y"
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, widths[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, widths[-1]])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QONNX_DOMAIN, 1)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return Path(path)
