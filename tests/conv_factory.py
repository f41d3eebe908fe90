"""Small random convolutional networks in QONNX form (as Brevitas exports them), without torch:
an 8-bit input Quant, binary convolutions with BatchNorm and BipolarQuant, max-pool, flatten and
a binary dense head."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QONNX_DOMAIN = "qonnx.custom_op.general"


def make_cnv(
    path: str | Path,
    *,
    seed: int,
    in_shape=(3, 12, 12),
    channels=(8, 8),
    kernel=3,
    stride=1,
    pad=1,
    pool: bool = True,
    classes: int = 5,
    batch: int = 2,
    input_bits: int = 8,
    group: int = 1,
    pads: tuple[int, int, int, int] | None = None,
    last_act_bits: int = 1,
) -> Path:
    """``pads`` (top, left, bottom, right) overrides the symmetric ``pad``; ``last_act_bits`` > 1
    quantizes the last convolution's output to that many unsigned bits (multi-threshold)."""
    pads = tuple(pads) if pads is not None else (pad,) * 4
    rng = np.random.default_rng(seed)
    nodes, inits = [], []

    def const(name: str, value) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    one = const("one", np.ones(1, np.float32))
    if input_bits == 1:  # the 1-bit input variant: BipolarQuant on the pixels
        nodes.append(helper.make_node("BipolarQuant", ["x", one], ["q0"], domain=QONNX_DOMAIN))
    else:
        nodes.append(
            helper.make_node(
                "Quant",
                [
                    "x",
                    const("s8", np.float32(2.0 ** (1 - input_bits))),
                    const("z", np.float32(0)),
                    const("b8", np.float32(input_bits)),
                ],
                ["q0"],
                domain=QONNX_DOMAIN,
                signed=1,
                narrow=0,
                rounding_mode="ROUND",
            )
        )
    act, (c, h, w) = "q0", in_shape
    for i, cout in enumerate(channels):
        g = group if i > 0 else 1  # the input layer has 3 channels: groups only later
        wt = const(f"w{i}", rng.standard_normal((cout, c // g, kernel, kernel)).astype(np.float32))
        nodes.append(helper.make_node("BipolarQuant", [wt, one], [f"wq{i}"], domain=QONNX_DOMAIN))
        nodes.append(
            helper.make_node(
                "Conv",
                [act, f"wq{i}"],
                [f"conv{i}"],
                kernel_shape=[kernel, kernel],
                strides=[stride, stride],
                pads=list(pads),
                group=g,
            )
        )
        k = c // g * kernel * kernel
        gamma = rng.standard_normal(cout).astype(np.float32)
        gamma[0] = 0.0
        bn = [
            const(f"bn{i}_{p}", v)
            for p, v in (
                ("g", gamma),
                ("b", rng.standard_normal(cout).astype(np.float32)),
                ("m", (rng.standard_normal(cout) * np.sqrt(k)).astype(np.float32)),
                ("v", (rng.random(cout) * k + 1).astype(np.float32)),
            )
        ]
        nodes.append(helper.make_node("BatchNormalization", [f"conv{i}"] + bn, [f"bn{i}"], epsilon=1e-4))
        if i == len(channels) - 1 and last_act_bits > 1:
            nodes.append(
                helper.make_node(
                    "Quant",
                    [
                        f"bn{i}",
                        const(f"sa{i}", np.float32(0.5)),
                        const(f"za{i}", np.float32(0)),
                        const(f"ba{i}", np.float32(last_act_bits)),
                    ],
                    [f"a{i}"],
                    domain=QONNX_DOMAIN,
                    signed=0,
                    narrow=0,
                    rounding_mode="ROUND",
                )
            )
        else:
            nodes.append(helper.make_node("BipolarQuant", [f"bn{i}", one], [f"a{i}"], domain=QONNX_DOMAIN))
        act, c = f"a{i}", cout
        top, left, bottom, right = pads
        h, w = (h + top + bottom - kernel) // stride + 1, (w + left + right - kernel) // stride + 1
        if pool and i == 0 and h >= 6 and w >= 6:
            nodes.append(helper.make_node("MaxPool", [act], [f"p{i}"], kernel_shape=[2, 2], strides=[2, 2]))
            act, h, w = f"p{i}", h // 2, w // 2
    nodes.append(helper.make_node("Flatten", [act], ["flat"], axis=1))
    wf = const("wf", rng.standard_normal((classes, c * h * w)).astype(np.float32))
    nodes.append(helper.make_node("BipolarQuant", [wf, one], ["wfq"], domain=QONNX_DOMAIN))
    nodes.append(helper.make_node("Gemm", ["flat", "wfq"], ["y"], transB=1))
    graph = helper.make_graph(
        nodes,
        "cnv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, *in_shape])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, classes])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QONNX_DOMAIN, 1)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return Path(path)
