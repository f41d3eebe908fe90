"""A small QONNX graph builder that also runs the graph it builds, on calibration frames.

Every layer method appends the ONNX nodes Brevitas would export for the layer (`Quant` and
`BipolarQuant` of domain `qonnx.custom_op.general` on weights and activations, `Conv`,
`MatMul` with a transposed weight, `BatchNormalization`, `Relu`, `MaxPool`, `Add`...) and
computes the layer's output on a few random input frames with numpy (float32: the integer
accumulators of codes times power-of-two scales are exact). BatchNorm statistics are chosen
from those values: the mean is the per-channel median of the accumulator and the variance its
variance, so each activation quantizer's thresholds sit inside the accumulator's range and the
network computes something non-trivial, as a trained one does. Names, initializers and the
finished model come from `OnnxBuilder` (builder.py).

The same seed always gives the same bytes: the random draws come from one
`numpy.random.Generator`, and the statistics are medians and variances of exact integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from numpy.lib.stride_tricks import sliding_window_view

from lowbitc.zoo.builder import OnnxBuilder

MIN_DENSE_SAMPLES = 64
"""Calibration vectors a dense layer's statistics are taken over (see `Graph.flatten`)."""


@dataclass(frozen=True)
class Act:
    """An activation quantizer: ``bits`` 1 is `BipolarQuant`, 2..8 a `Quant` (after a `Relu`
    when ``relu``, as Brevitas' QuantReLU exports)."""

    bits: int
    signed: bool = True
    narrow: bool = False
    scale: float = 1.0
    relu: bool = False

    def describe(self) -> str:
        if self.bits == 1:
            return "bipolar"
        kind = "u" if not self.signed else ("s n" if self.narrow else "s")
        return f"{self.bits}b {kind} x{self.scale:g}" + (" (Relu)" if self.relu else "")


@dataclass(frozen=True)
class Weights:
    """A weight quantizer: ``bits`` 1 is `BipolarQuant` (+-1), 2 with ``narrow`` is ternary."""

    bits: int
    narrow: bool = True
    scale: float = 1.0


@dataclass
class Tensor:
    """A tensor of the graph: its name and its value on the calibration frames."""

    name: str
    value: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape[1:]


@dataclass
class Graph(OnnxBuilder):
    """Layers as Brevitas exports them, each computed on the calibration frames as it is added."""

    rng: np.random.Generator
    input_shape: tuple[int, ...] = ()

    def input(self, shape: tuple[int, ...], frames: int) -> Tensor:
        """The graph input: pixel values k/255 in [0, 1] (or anything in [0, 1])."""
        self.input_shape = shape
        return Tensor("input", (self.rng.integers(0, 256, (frames, *shape)) / 255.0).astype(np.float32))

    def model(self, out: Tensor, name: str, doc: str) -> onnx.ModelProto:
        self.nodes[-1].output[0] = "logits"
        return self.finish(
            name,
            {"input": [1, *self.input_shape]},
            {"logits": [1, *out.shape]},
            producer="lowbitc zoo",
            doc=doc,
        )

    # -- quantizers -------------------------------------------------------------------------
    def act(self, x: Tensor, q: Act, stem: str) -> Tensor:
        if q.relu:
            x = Tensor(self.node("Relu", [x.name], f"{stem}.relu"), np.maximum(x.value, 0.0))
        if q.bits == 1:
            return Tensor(
                self.node("BipolarQuant", [x.name, self.scalar(q.scale)], f"{stem}.act"),
                np.where(x.value >= 0, np.float32(q.scale), np.float32(-q.scale)),
            )
        name = self.node(
            "Quant",
            [x.name, self.scalar(q.scale), self.scalar(0.0), self.scalar(q.bits)],
            f"{stem}.act",
            signed=int(q.signed),
            narrow=int(q.narrow),
            rounding_mode="ROUND",
        )
        return Tensor(name, _int_quant(x.value, q))

    def weights(self, shape: tuple[int, ...], q: Weights, stem: str) -> tuple[str, np.ndarray]:
        """Random float weights (standard normal) and their quantizer; returns the quantized
        tensor's name and value."""
        w = self.rng.standard_normal(shape, dtype=np.float32)
        raw = self.const(f"{stem}.weight", w)
        if q.bits == 1:
            return self.node("BipolarQuant", [raw, self.scalar(q.scale)], f"{stem}.wq"), np.where(
                w >= 0, np.float32(q.scale), np.float32(-q.scale)
            )
        act = Act(q.bits, True, q.narrow, q.scale)
        name = self.node(
            "Quant",
            [raw, self.scalar(q.scale), self.scalar(0.0), self.scalar(q.bits)],
            f"{stem}.wq",
            signed=1,
            narrow=int(q.narrow),
            rounding_mode="ROUND",
        )
        return name, _int_quant(w, act)

    # -- layers -----------------------------------------------------------------------------
    def affine_input(self, x: Tensor) -> Tensor:
        """2x - 1: pixels in [0, 1] to [-1, 1], as BNN-PYNQ's CNV and FC models start."""
        y = self.node("Mul", [x.name, self.scalar(2.0)], "input.mul")
        return Tensor(self.node("Sub", [y, self.scalar(1.0)], "input.sub"), 2.0 * x.value - 1.0)

    def conv(self, x: Tensor, cout: int, k: int, q: Weights, stem: str, stride: int = 1, pad: int = 0) -> Tensor:
        cin = x.shape[0]
        wq, w = self.weights((cout, cin, k, k), q, stem)
        name = self.node(
            "Conv",
            [x.name, wq],
            f"{stem}.conv",
            kernel_shape=[k, k],
            strides=[stride, stride],
            pads=[pad] * 4,
            dilations=[1, 1],
            group=1,
        )
        return Tensor(name, conv2d(x.value, w, stride, pad))

    def dense(self, x: Tensor, cout: int, q: Weights, stem: str) -> Tensor:
        wq, w = self.weights((cout, x.shape[0]), q, stem)
        wt = self.node("Transpose", [wq], f"{stem}.transpose", perm=[1, 0])
        return Tensor(self.node("MatMul", [x.name, wt], f"{stem}.matmul"), x.value @ w.T)

    def bias(self, x: Tensor, stem: str) -> Tensor:
        b = (self.rng.standard_normal(x.shape[0]) * x.value.std() * 0.1).astype(np.float32)
        return Tensor(self.node("Add", [x.name, self.const(f"{stem}.bias", b)], f"{stem}.add"), x.value + b)

    def batchnorm(self, x: Tensor, stem: str, eps: float = 1e-5, negative: float = 0.15) -> Tensor:
        """BatchNorm whose statistics are the accumulator's: mean = per-channel median,
        var = per-channel variance; gamma in +-[0.5, 1.5] (a fraction ``negative`` of them
        negative), beta ~ N(0, 0.25)."""
        c = x.shape[0]
        a = np.moveaxis(x.value, 1, 0).reshape(c, -1)
        mean = np.median(a, axis=1).astype(np.float32)
        var = np.maximum(a.var(axis=1, dtype=np.float64), 1.0).astype(np.float32)
        gamma = (self.rng.uniform(0.5, 1.5, c) * np.where(self.rng.random(c) < negative, -1.0, 1.0)).astype(np.float32)
        beta = (self.rng.normal(0.0, 0.25, c)).astype(np.float32)
        params = [
            self.const(f"{stem}.bn.{p}", v)
            for p, v in (("weight", gamma), ("bias", beta), ("running_mean", mean), ("running_var", var))
        ]
        name = self.node("BatchNormalization", [x.name, *params], f"{stem}.bn", epsilon=eps)
        shape = (1, c) + (1,) * (x.value.ndim - 2)
        y = (x.value - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + np.float32(eps)) * gamma.reshape(
            shape
        ) + beta.reshape(shape)
        return Tensor(name, y)

    def tensornorm(self, x: Tensor, stem: str, eps: float = 1e-4) -> Tensor:
        """BNN-PYNQ's TensorNorm head (one scalar affine), exported as Brevitas does:
        (x - mean) / (var + eps) ** 0.5 * weight + bias."""
        mean, var = np.float32(np.median(x.value)), np.float32(max(x.value.var(dtype=np.float64), 1.0))
        weight, bias = np.float32(self.rng.uniform(0.5, 1.5)), np.float32(self.rng.normal(0.0, 0.1))
        y = self.node("Sub", [x.name, self.const(f"{stem}.running_mean", mean.reshape(1))], f"{stem}.sub")
        std = self.node(
            "Pow",
            [self.const(f"{stem}.var_eps", np.float32(var + np.float32(eps)).reshape(1)), self.scalar(0.5)],
            f"{stem}.pow",
        )
        y = self.node("Div", [y, std], f"{stem}.div")
        y = self.node("Mul", [y, self.const(f"{stem}.weight", weight.reshape(1))], f"{stem}.mul")
        y = self.node("Add", [y, self.const(f"{stem}.bias", bias.reshape(1))], f"{stem}.add")
        return Tensor(y, (x.value - mean) / np.sqrt(float(var) + eps) * weight + bias)

    def maxpool(self, x: Tensor, k: int, stride: int, stem: str, pad: int = 0) -> Tensor:
        name = self.node(
            "MaxPool",
            [x.name],
            f"{stem}.maxpool",
            kernel_shape=[k, k],
            strides=[stride, stride],
            pads=[pad] * 4,
            ceil_mode=0,
            dilations=[1, 1],
        )
        v = np.pad(x.value, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
        return Tensor(name, sliding_window_view(v, (k, k), axis=(2, 3))[:, :, ::stride, ::stride].max(axis=(4, 5)))

    def add(self, a: Tensor, b: Tensor, stem: str) -> Tensor:
        return Tensor(self.node("Add", [a.name, b.name], f"{stem}.add"), a.value + b.value)

    def global_avgpool(self, x: Tensor, stem: str) -> Tensor:
        return Tensor(
            self.node("GlobalAveragePool", [x.name], f"{stem}.avgpool"), x.value.mean(axis=(2, 3), keepdims=True)
        )

    def flatten(self, x: Tensor, stem: str) -> Tensor:
        """Flatten to [batch, features]. Convolutional networks see few calibration frames; the
        dense layers after them get MIN_DENSE_SAMPLES vectors whose elements are drawn from
        their channel's values (over pixels and frames), so their statistics are per channel."""
        v = x.value.reshape(x.value.shape[0], -1)
        if x.value.ndim == 4 and v.shape[0] < MIN_DENSE_SAMPLES:
            _, c, h, w = x.value.shape
            pool = np.moveaxis(x.value, 1, 0).reshape(c, -1)
            pick = self.rng.integers(0, pool.shape[1], (MIN_DENSE_SAMPLES, c, h * w))
            v = np.take_along_axis(pool[None], pick, axis=2).reshape(MIN_DENSE_SAMPLES, -1)
        return Tensor(self.node("Flatten", [x.name], f"{stem}.flatten", axis=1), v)


def _int_quant(x: np.ndarray, q: Act) -> np.ndarray:
    """QONNX Quant with zero point 0 and ROUND (half to even), in the dtype of ``x`` (the
    scales are powers of two: exact)."""
    lo = -(2 ** (q.bits - 1)) + int(q.narrow) if q.signed else 0
    hi = 2 ** (q.bits - 1) - 1 if q.signed else 2**q.bits - 1 - int(q.narrow)
    y = np.rint(x / x.dtype.type(q.scale))
    np.clip(y, lo, hi, out=y)
    y *= x.dtype.type(q.scale)
    return y


def conv2d(x: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """[N, C, H, W] * [O, C, KH, KW] with zero padding, by im2col and one matrix product per
    frame (float32)."""
    o, c, kh, kw = w.shape
    wm = w.reshape(o, -1).astype(np.float32).T
    out = []
    for frame in x:
        f = np.pad(frame, ((0, 0), (pad, pad), (pad, pad)))
        win = sliding_window_view(f, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]  # C, Ho, Wo, KH, KW
        ho, wo = win.shape[1:3]
        cols = win.transpose(1, 2, 0, 3, 4).reshape(ho * wo, c * kh * kw)
        out.append((cols @ wm).T.reshape(o, ho, wo))
    return np.stack(out)
