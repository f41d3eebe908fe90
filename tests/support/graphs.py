"""Small random QONNX models for the tests, as Brevitas exports them, built without torch on the
package's `OnnxBuilder` (lowbitc/zoo/builder.py, which the zoo and the fuzzer's random networks
use too): binary MLPs (`make_mlp`) and small convolutional networks (`make_cnv`). The same seed
always gives the same network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from lowbitc.zoo.builder import OnnxBuilder
from lowbitc.zoo.random_nets import random_batchnorm


def make_mlp(
    path: str | Path, widths: list[int], *, seed: int = 0, style: str = "matmul", batch: int = 1, head_bn: bool = True
) -> Path:
    """BipolarQuant on inputs, weights and activations, MatMul+Transpose (or Gemm with
    ``style="gemm"``), BatchNorm with positive, negative and zero gammas (none on the head
    unless ``head_bn``)."""
    rng = np.random.default_rng(seed)
    net = OnnxBuilder()
    one = net.const("one", np.ones(1, np.float32))
    act = net.node("BipolarQuant", ["x", one], "a0")
    for i, (k, c) in enumerate(zip(widths[:-1], widths[1:])):
        w = net.const(f"w{i}", rng.standard_normal((c, k)).astype(np.float32))
        wq = net.node("BipolarQuant", [w, one], f"wq{i}")
        if style == "gemm":
            out = net.node("Gemm", [act, wq], f"mm{i}", transB=1)
        else:
            out = net.node("MatMul", [act, net.node("Transpose", [wq], f"wt{i}", perm=[1, 0])], f"mm{i}")
        last = i == len(widths) - 2
        if not last or head_bn:
            out = random_batchnorm(net, rng, out, c, k, zero_gamma=0.1, eps=1e-5, stem=f"bn{i}")
        if not last:
            act = net.node("BipolarQuant", [out, one], f"a{i + 1}")
    net.nodes[-1].output[0] = "y"
    model = net.finish("mlp", {"x": [batch, widths[0]]}, {"y": [batch, widths[-1]]})
    onnx.save(model, str(path))
    return Path(path)


def _input_quant(net: OnnxBuilder, one: str, bits: int) -> str:
    """The pixels' quantizer: BipolarQuant at 1 bit, else a signed ``bits``-bit Quant of scale
    2^(1-bits)."""
    if bits == 1:
        return net.node("BipolarQuant", ["x", one], "q0")
    scale, zero, width = (
        net.const("s8", np.float32(2.0 ** (1 - bits))),
        net.const("z", np.float32(0)),
        net.const("b8", np.float32(bits)),
    )
    return net.node("Quant", ["x", scale, zero, width], "q0", signed=1, narrow=0, rounding_mode="ROUND")


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
    """An 8-bit (or ``input_bits``) input Quant, binary convolutions with BatchNorm and
    BipolarQuant, a 2x2 max-pool after the first one (``pool``, maps of 6 and more), flatten and
    a binary Gemm head. ``pads`` (top, left, bottom, right) overrides the symmetric ``pad``;
    ``last_act_bits`` > 1 quantizes the last convolution's output to that many unsigned bits
    (multi-threshold)."""
    pads = tuple(pads) if pads is not None else (pad,) * 4
    rng = np.random.default_rng(seed)
    net = OnnxBuilder()
    one = net.const("one", np.ones(1, np.float32))
    act, (c, h, w) = _input_quant(net, one, input_bits), in_shape
    for i, cout in enumerate(channels):
        g = group if i > 0 else 1  # the input layer has 3 channels: groups only later
        wt = net.const(f"w{i}", rng.standard_normal((cout, c // g, kernel, kernel)).astype(np.float32))
        wq = net.node("BipolarQuant", [wt, one], f"wq{i}")
        y = net.node(
            "Conv",
            [act, wq],
            f"conv{i}",
            kernel_shape=[kernel, kernel],
            strides=[stride, stride],
            pads=list(pads),
            group=g,
        )
        y = random_batchnorm(net, rng, y, cout, c // g * kernel * kernel, zero_gamma=None, eps=1e-4, stem=f"bn{i}")
        if i == len(channels) - 1 and last_act_bits > 1:
            quant = [net.const(f"sa{i}", np.float32(0.5)), net.const(f"za{i}", np.float32(0))]
            quant.append(net.const(f"ba{i}", np.float32(last_act_bits)))
            act = net.node("Quant", [y, *quant], f"a{i}", signed=0, narrow=0, rounding_mode="ROUND")
        else:
            act = net.node("BipolarQuant", [y, one], f"a{i}")
        c = cout
        top, left, bottom, right = pads
        h, w = (h + top + bottom - kernel) // stride + 1, (w + left + right - kernel) // stride + 1
        if pool and i == 0 and h >= 6 and w >= 6:
            act = net.node("MaxPool", [act], f"p{i}", kernel_shape=[2, 2], strides=[2, 2])
            h, w = h // 2, w // 2
    flat = net.node("Flatten", [act], "flat", axis=1)
    wf = net.const("wf", rng.standard_normal((classes, c * h * w)).astype(np.float32))
    net.node("Gemm", [flat, net.node("BipolarQuant", [wf, one], "wfq")], "y", transB=1)
    model = net.finish("cnv", {"x": [batch, *in_shape]}, {"y": [batch, classes]})
    onnx.save(model, str(path))
    return Path(path)
