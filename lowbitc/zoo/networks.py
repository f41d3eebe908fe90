"""The networks of the zoo: topologies from the papers, quantizers as Brevitas exports them.

FINN's BNN-PYNQ models (CNV, LFC, SFC, TFC) follow `brevitas_examples.bnn_pynq`: input
`2x - 1`, then an input quantizer (8-bit signed x2^-7 for CNV, the activation quantizer for the
MLPs), layers of quantized Conv/MatMul + BatchNorm + activation quantizer, a TensorNorm head.
The ImageNet networks (AlexNet, ResNet-34, ternary weights and 2-bit activations) follow the
same conventions as `tests/models/generated/resnet_w2a2`: an 8-bit first-layer input, Relu +
unsigned 2-bit quantizers (QuantReLU), residual branches and skips quantized with the block
input's scale before the `Add`, and every layer, first and last included, with ternary weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import onnx

from lowbitc.zoo.graph import Act, Graph, Tensor, Weights

BINARY = Weights(1)
TERNARY = Weights(2, narrow=True)
BIPOLAR = Act(1)
SIGNED2 = Act(2, signed=True, narrow=True, scale=1.0)
"""BNN-PYNQ's 2-bit activation: {-1, 0, +1}."""
RELU2 = Act(2, signed=False, scale=0.5, relu=True)
"""QuantReLU at 2 bits: {0, 0.5, 1, 1.5}."""
INPUT8 = Act(8, signed=True, scale=2.0**-7)
"""The first layer's 8-bit input, as BNN-PYNQ's CNV quantizes it: [-1, 1 - 2^-7]."""
MIN_MLP_FRAMES = 64
"""Calibration frames of the MLPs (each frame is one vector per layer)."""


@dataclass(frozen=True)
class Network:
    name: str
    description: str
    builder: Callable[..., tuple[Tensor, str]]

    def build(self, seed: int = 0, **scale) -> onnx.ModelProto:
        """The network with random weights from ``seed``; ``scale`` (keyword arguments of the
        builder, such as ``size`` or ``widths``) gives scaled-down variants for tests."""
        g = Graph(np.random.default_rng(seed))
        out, graph_name = self.builder(g, **scale)
        return g.model(out, graph_name, f"lowbitc zoo {self.name} (seed {seed}, random weights): {self.description}")


# -- FINN / BNN-PYNQ --------------------------------------------------------------------------
def mlp(hidden: tuple[int, ...], w: Weights, a: Act, name: str) -> Callable[[Graph], tuple[Tensor, str]]:
    def build(g: Graph) -> tuple[Tensor, str]:
        x = g.input((1, 28, 28), frames=MIN_MLP_FRAMES)
        x = g.act(g.affine_input(g.flatten(x, "input")), a, "input")
        for i, n in enumerate(hidden):
            x = g.act(g.batchnorm(g.dense(x, n, w, f"fc{i}"), f"fc{i}", eps=1e-5), a, f"fc{i}")
        return g.tensornorm(g.dense(x, 10, w, f"fc{len(hidden)}"), "tensornorm"), name

    return build


def cnv(w: Weights, a: Act, name: str) -> Callable[[Graph], tuple[Tensor, str]]:
    def build(g: Graph) -> tuple[Tensor, str]:
        x = g.act(g.affine_input(g.input((3, 32, 32), frames=8)), INPUT8, "input")
        for i, c in enumerate((64, 64, 128, 128, 256, 256)):
            x = g.act(g.batchnorm(g.conv(x, c, 3, w, f"conv{i}"), f"conv{i}", eps=1e-4), a, f"conv{i}")
            if i in (1, 3):
                x = g.maxpool(x, 2, 2, f"conv{i}")
        x = g.flatten(x, "flatten")
        for i in range(2):
            x = g.act(g.batchnorm(g.dense(x, 512, w, f"fc{i}"), f"fc{i}", eps=1e-4), a, f"fc{i}")
        return g.tensornorm(g.dense(x, 10, w, "fc2"), "tensornorm"), name

    return build


# -- BinaryNet on CIFAR-10 --------------------------------------------------------------------
def binarynet(g: Graph, widths: tuple[int, ...] = (128, 256, 512), fc: int = 1024) -> tuple[Tensor, str]:
    """``widths`` and ``fc`` scale it down for tests."""
    x = g.act(g.affine_input(g.input((3, 32, 32), frames=4)), INPUT8, "input")
    i = 0
    for c in widths:
        for j in range(2):
            x = g.batchnorm(g.conv(x, c, 3, BINARY, f"conv{i}", pad=1), f"conv{i}", eps=1e-4)
            x = g.act(x, BIPOLAR, f"conv{i}")
            if j == 1:
                x = g.maxpool(x, 2, 2, f"conv{i}")
            i += 1
    x = g.flatten(x, "flatten")
    for k in range(2):
        x = g.act(g.batchnorm(g.dense(x, fc, BINARY, f"fc{k}"), f"fc{k}", eps=1e-4), BIPOLAR, f"fc{k}")
    return g.batchnorm(g.dense(x, 10, BINARY, "fc2"), "fc2", eps=1e-4, negative=0.0), "binarynet_cifar10"


# -- ImageNet: AlexNet and ResNet-34 ----------------------------------------------------------
def alexnet(
    g: Graph, size: int = 224, widths: tuple[int, ...] = (64, 192, 384, 256, 256), fc: int = 4096, classes: int = 1000
) -> tuple[Tensor, str]:
    """torchvision's AlexNet (the single-GPU channel counts of Krizhevsky's "one weird trick"
    paper) with BatchNorm after every hidden layer; the adaptive average pool is the identity
    at 224x224 (the features are already 6x6) and dropout is gone at inference. ``size``,
    ``widths``, ``fc`` and ``classes`` scale it down for tests."""
    x = g.act(g.affine_input(g.input((3, size, size), frames=2)), INPUT8, "input")
    for i, (c, (k, s, p, pool)) in enumerate(
        zip(widths, [(11, 4, 2, True), (5, 1, 2, True), (3, 1, 1, False), (3, 1, 1, False), (3, 1, 1, True)])
    ):
        x = g.act(
            g.batchnorm(g.conv(x, c, k, TERNARY, f"features.conv{i}", stride=s, pad=p), f"features.conv{i}"),
            RELU2,
            f"features.conv{i}",
        )
        if pool:
            x = g.maxpool(x, 3, 2, f"features.conv{i}")
    x = g.flatten(x, "flatten")
    for i in range(2):
        x = g.act(
            g.batchnorm(g.dense(x, fc, TERNARY, f"classifier.fc{i}"), f"classifier.fc{i}"), RELU2, f"classifier.fc{i}"
        )
    return g.bias(g.dense(x, classes, TERNARY, "classifier.fc2"), "classifier.fc2"), "alexnet_t2a2"


def resnet34(
    g: Graph,
    size: int = 224,
    widths: tuple[int, ...] = (64, 128, 256, 512),
    blocks: tuple[int, ...] = (3, 4, 6, 3),
    classes: int = 1000,
) -> tuple[Tensor, str]:
    """ResNet-34 (He et al. 2016, torchvision's layout): 7x7/2 stem, 3x3/2 max-pool (padded),
    BasicBlocks [3, 4, 6, 3] of 64..512 channels with 1x1/2 downsampling convolutions on the
    skip path, global average pool, FC 1000. ``size``, ``widths``, ``blocks`` and ``classes``
    scale it down for tests."""
    x = g.act(g.affine_input(g.input((3, size, size), frames=1)), INPUT8, "input")
    x = g.act(g.batchnorm(g.conv(x, widths[0], 7, TERNARY, "conv1", stride=2, pad=3), "conv1"), RELU2, "conv1")
    x = g.maxpool(x, 3, 2, "conv1", pad=1)
    cin = widths[0]
    for layer, (c, n) in enumerate(zip(widths, blocks), 1):
        for b in range(n):
            stem, stride = f"layer{layer}.{b}", (2 if b == 0 and layer > 1 else 1)
            y = g.act(
                g.batchnorm(g.conv(x, c, 3, TERNARY, f"{stem}.conv1", stride=stride, pad=1), f"{stem}.conv1"),
                RELU2,
                f"{stem}.conv1",
            )
            y = g.act(
                g.batchnorm(g.conv(y, c, 3, TERNARY, f"{stem}.conv2", pad=1), f"{stem}.conv2"), RELU2, f"{stem}.conv2"
            )
            if stride != 1 or cin != c:
                x = g.act(
                    g.batchnorm(g.conv(x, c, 1, TERNARY, f"{stem}.downsample", stride=stride), f"{stem}.downsample"),
                    RELU2,
                    f"{stem}.downsample",
                )
            x = g.act(g.add(y, x, stem), RELU2, f"{stem}.out")
            cin = c
    x = g.act(g.global_avgpool(x, "avgpool"), Act(2, signed=False, scale=RELU2.scale), "avgpool")
    return g.bias(g.dense(g.flatten(x, "flatten"), classes, TERNARY, "fc"), "fc"), "resnet34_t2a2"


NETWORKS: dict[str, Network] = {
    n.name: n
    for n in [
        Network(
            "binarynet-cifar10",
            "BinaryNet on CIFAR-10 3x32x32 (Virtex-7 BNN paper): 2x128C3-MP-2x256C3-MP-2x512C3-MP-FC1024-FC1024-FC10, "
            "binary weights and activations, 8-bit input, BatchNorm head",
            binarynet,
        ),
        Network(
            "alexnet-t2a2",
            "AlexNet on ImageNet 3x224x224 (torchvision): "
            "64C11/4-MP3/2-192C5-MP3/2-384C3-256C3-256C3-MP3/2-FC4096-FC4096-FC1000, "
            "ternary weights, 2-bit unsigned activations, 8-bit input",
            alexnet,
        ),
        Network(
            "resnet34-t2a2",
            "ResNet-34 on ImageNet 3x224x224: 64C7/2-MP3/2, BasicBlocks [3,4,6,3] x 64..512 with 1x1/2 downsampling "
            "skips, "
            "global average pool, FC1000; ternary weights, 2-bit unsigned activations, 8-bit input",
            resnet34,
        ),
    ]
}
_BITS = {
    "w1a1": (BINARY, BIPOLAR, "binary weights and activations"),
    "w2a2": (TERNARY, SIGNED2, "ternary weights, 2-bit activations {-1,0,1}"),
}
for _bits, (_w, _a, _what) in _BITS.items():
    NETWORKS[f"cnv-{_bits}"] = Network(
        f"cnv-{_bits}",
        f"FINN/BNN-PYNQ CNV on CIFAR-10 3x32x32: 64C3-64C3-MP-128C3-128C3-MP-256C3-256C3-FC512-FC512-FC10 "
        f"(valid convolutions), {_what}, 8-bit input, TensorNorm head",
        cnv(_w, _a, f"cnv_{_bits}"),
    )
for _net, _width in (("lfc", 1024), ("sfc", 256), ("tfc", 64)):
    for _bits, (_w, _a, _what) in _BITS.items():
        NETWORKS[f"{_net}-{_bits}"] = Network(
            f"{_net}-{_bits}",
            f"FINN/BNN-PYNQ {_net.upper()} on MNIST 1x28x28: 784-{_width}-{_width}-{_width}-10, {_what}, TensorNorm "
            "head",
            mlp((_width,) * 3, _w, _a, f"{_net}_{_bits}"),
        )
