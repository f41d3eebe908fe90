"""Random small QONNX networks for differential fuzzing, without torch.

`random_network(seed)` draws a network the way Brevitas exports them: an input quantizer (1-bit
BipolarQuant or a 2..8-bit Quant), then convolutional layers (kernel 1..3, stride 1..2, zero
padding 0..1, groups), max-pools (2x2/2, or 3x3/2 padded on bits and unsigned codes) and
residual blocks (two quantizers of one scale joined by Add), a global average pool with a
quantizer now and then, a flatten and dense layers, with 1..4-bit weights (BipolarQuant, ternary or k-bit Quant)
and 1..4-bit activations (bipolar, signed narrow or not, unsigned), BatchNorm with negative and
zero gammas, and either integer logits or a BatchNorm head. The same seed always gives the same
network, so a failure reported by the long profile can be replayed. Built on `OnnxBuilder`
(builder.py); used by the fast fuzz profile in the tests and the long one in bench/fuzz_long.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx

from lowbitc.zoo.builder import OnnxBuilder


@dataclass(frozen=True)
class ActQuant:
    bits: int  # 1 = bipolar
    signed: bool
    narrow: bool
    scale: float

    def apply(self, net: OnnxBuilder, x: str) -> str:
        if self.bits == 1:
            return net.node("BipolarQuant", [x, net.const("s", np.float32(self.scale))], "a")
        return net.node(
            "Quant",
            [
                x,
                net.const("s", np.float32(self.scale)),
                net.const("z", np.float32(0)),
                net.const("b", np.float32(self.bits)),
            ],
            "a",
            signed=int(self.signed),
            narrow=int(self.narrow),
            rounding_mode="ROUND",
        )


def draw_act(rng: np.random.Generator, max_bits: int = 4) -> ActQuant:
    bits = int(rng.integers(1, max_bits + 1))
    signed = bool(rng.integers(0, 2)) if bits > 1 else True
    narrow = bool(rng.integers(0, 2)) and signed and bits > 1
    return ActQuant(bits, signed, narrow, float(rng.choice([0.5, 1.0, 2.0])))


def quant_weights(net: OnnxBuilder, rng: np.random.Generator, shape: tuple[int, ...]) -> str:
    """1-bit: BipolarQuant; 2..4 bits: Quant with a per-tensor scale (ternary when narrow)."""
    bits = int(rng.integers(1, 5))
    w = rng.standard_normal(shape).astype(np.float32)
    if bits == 1:
        return net.node("BipolarQuant", [net.const("w", w), net.const("s", np.float32(1.0))], "wq")
    narrow = bool(rng.integers(0, 2))
    signed = bool(rng.integers(0, 4))  # mostly signed; unsigned weights now and then
    scale = np.float32(rng.choice([0.5, 1.0]))
    return net.node(
        "Quant",
        [net.const("w", w * 2), net.const("s", scale), net.const("z", np.float32(0)), net.const("b", np.float32(bits))],
        "wq",
        signed=int(signed),
        narrow=int(narrow),
        rounding_mode="ROUND",
    )


def random_batchnorm(
    net: OnnxBuilder,
    rng: np.random.Generator,
    x: str,
    c: int,
    fan_in: int,
    *,
    zero_gamma: float | None,
    eps: float,
    stem: str = "bn",
) -> str:
    """BatchNorm with random parameters around an accumulator of ``fan_in`` terms: gamma
    standard normal (a fraction ``zero_gamma`` of them, or with None channel 0, set to zero: a
    constant channel), beta standard normal, mean ~ N(0, fan_in), variance in [1, fan_in + 1)."""
    gamma = rng.standard_normal(c).astype(np.float32)
    if zero_gamma is None:
        gamma[0] = 0.0
    else:
        gamma[rng.random(c) < zero_gamma] = 0.0
    params = [
        ("g", gamma),
        ("b", rng.standard_normal(c).astype(np.float32)),
        ("m", (rng.standard_normal(c) * np.sqrt(fan_in)).astype(np.float32)),
        ("v", (rng.random(c) * fan_in + 1).astype(np.float32)),
    ]
    names = [net.const(f"{stem}_{p}", v) for p, v in params]
    return net.node("BatchNormalization", [x, *names], stem, epsilon=eps)


def batchnorm(net: OnnxBuilder, rng: np.random.Generator, x: str, c: int, fan_in: int) -> str:
    """The fuzzer's BatchNorm: 15% zero gammas."""
    return random_batchnorm(net, rng, x, c, fan_in, zero_gamma=0.15, eps=1e-4)


def random_network(path: str | Path, seed: int, batch: int = 2) -> tuple[Path, tuple[int, ...]]:
    """Write a random network to ``path``; returns (path, input shape with the batch axis)."""
    rng = np.random.default_rng(seed)
    extra = np.random.default_rng(seed ^ 0x9A9)  # later features draw here: older seeds keep their draws
    net = OnnxBuilder()
    spatial = bool(rng.integers(0, 3))  # two in three are convolutional
    in_shape = (
        (int(rng.integers(1, 4)), int(rng.integers(5, 11)), int(rng.integers(5, 11)))
        if spatial
        else (int(rng.integers(4, 41)),)
    )
    in_bits = int(rng.choice([1, 2, 4, 8]))
    cur = ActQuant(in_bits, True, False, 2.0**-2)  # the quantizer of x
    x = cur.apply(net, "x")
    shape = in_shape
    if spatial:
        for _ in range(int(rng.integers(1, 4))):
            c, h, w = shape
            kind = rng.choice(["conv", "conv", "pool", "residual"])
            if kind == "pool" and min(h, w) >= 3 and (cur.bits == 1 or not cur.signed) and extra.random() < 0.5:
                # ResNet's padded 3x3/2 pool, on maps whose lowest value pads exactly (bits, unsigned codes).
                x = net.node("MaxPool", [x], "mp", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
                shape = (c, (h - 1) // 2 + 1, (w - 1) // 2 + 1)
                continue
            if kind == "pool" and min(h, w) >= 4:
                x = net.node("MaxPool", [x], "mp", kernel_shape=[2, 2], strides=[2, 2])
                shape = (c, h // 2, w // 2)
                continue
            if kind == "residual" and min(h, w) >= 3 and 2 <= cur.bits <= 4:
                # The branch is quantized like the skip (one scale), as Brevitas shares the quantizer.
                wq = quant_weights(net, rng, (c, c, 3, 3))
                y = net.node("Conv", [x, wq], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
                y = cur.apply(net, batchnorm(net, rng, y, c, 9 * c))
                s = net.node("Add", [y, x], "add")
                cur = draw_act(rng)
                x = cur.apply(net, s)
                continue
            cout, k = int(rng.integers(1, 9)), int(rng.integers(1, 4))
            stride, pad = int(rng.integers(1, 3)), int(rng.integers(0, 2))
            if (h + 2 * pad - k) // stride + 1 < 1 or (w + 2 * pad - k) // stride + 1 < 1:
                continue
            groups = int(rng.choice([g for g in (1, 2, c) if c % g == 0 and cout % g == 0]))
            wq = quant_weights(net, rng, (cout, c // groups, k, k))
            y = net.node(
                "Conv", [x, wq], "conv", kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4, group=groups
            )
            cur = draw_act(rng)
            x = cur.apply(net, batchnorm(net, rng, y, cout, c // groups * k * k))
            shape = (cout, (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1)
        if cur.bits > 1 and extra.random() < 0.3:
            # A global average pool and a quantizer of the average (ResNet's head).
            cur = draw_act(extra)
            x = cur.apply(net, net.node("GlobalAveragePool", [x], "gap"))
            shape = (shape[0], 1, 1)
        x = net.node("Flatten", [x], "flat", axis=1)
        shape = (int(np.prod(shape)),)
    for _ in range(int(rng.integers(0, 3))):
        n = int(rng.integers(2, 33))
        wq = quant_weights(net, rng, (n, shape[0]))
        y = net.node("MatMul", [x, net.node("Transpose", [wq], "t", perm=[1, 0])], "mm")
        cur = draw_act(rng)
        x = cur.apply(net, batchnorm(net, rng, y, n, shape[0]))
        shape = (n,)
    classes = int(rng.integers(2, 11))
    wq = quant_weights(net, rng, (classes, shape[0]))
    y = net.node("MatMul", [x, net.node("Transpose", [wq], "t", perm=[1, 0])], "logits")
    if rng.integers(0, 2):
        y = batchnorm(net, rng, y, classes, shape[0])
    net.nodes[-1].output[0] = "y"
    model = net.finish(f"fuzz{seed}", {"x": [batch, *in_shape]}, {"y": [batch, classes]})
    onnx.save(model, str(path))
    return Path(path), (batch, *in_shape)


def random_inputs(seed: int, shape: tuple[int, ...], frames: int = 4) -> np.ndarray:
    """Frames in [-2, 2]: every input code occurs, clipping included (scale 1/4)."""
    return np.random.default_rng(seed ^ 0x5EED).uniform(-2, 2, (frames, *shape[1:])).astype(np.float32)
