"""The numeric core of lowbit's semantics, in numpy alone: float32 host arithmetic as ONNX
computes it, and the packed-word size. It imports no xDSL, so a cached interpreter plan
(backends/runtime/interpreter/plan.py) runs without loading the compiler.

Kinds and rounding modes are their string values ("mul", "round", ...): the dialect's
`ElementwiseKind` and `RoundingMode` are `StrEnum`s and compare equal to them."""

from __future__ import annotations

import numpy as np

WORD_BITS = 64
"""Bits per word of a packed bipolar tensor (`!lowbit.packed`)."""


def per_channel(const: np.ndarray, ndim: int) -> np.ndarray:
    """Broadcast a constant of shape [1], [C] or the full frame shape over [N, *frame]."""
    c = const.astype(np.float32)
    if c.size == 1:
        return c.reshape(())
    if c.ndim == 1:
        return c.reshape((1, -1) + (1,) * (ndim - 2))
    return c[None]


def elementwise(x: np.ndarray, kind: str, const: np.ndarray, swapped: bool) -> np.ndarray:
    c = per_channel(const, x.ndim)
    a, b = (c, x) if swapped else (x, c)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if kind == "mul":
            r = np.multiply(a, b, dtype=np.float32)
        elif kind == "add":
            r = np.add(a, b, dtype=np.float32)
        elif kind == "sub":
            r = np.subtract(a, b, dtype=np.float32)
        elif kind == "max":
            r = np.maximum(a, b, dtype=np.float32)
        else:
            r = np.divide(a, b, dtype=np.float32)
    return r.astype(np.float32, copy=False)


def batchnorm(x: np.ndarray, scale, bias, mean, var, eps: float) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) * scale + bias, each step rounded to float32 as
    onnxruntime's reference kernel does."""
    nd = x.ndim
    f = np.float32
    inv = (per_channel(var, nd) + f(eps)).astype(f)
    inv = np.sqrt(inv, dtype=f)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.subtract(x, per_channel(mean, nd), dtype=f)
        y = np.divide(y, inv, dtype=f)
        y = np.multiply(y, per_channel(scale, nd), dtype=f)
        y = np.add(y, per_channel(bias, nd), dtype=f)
    return y


def round_mode(x: np.ndarray, mode: str) -> np.ndarray:
    if mode == "floor":
        return np.floor(x)
    if mode == "ceil":
        return np.ceil(x)
    return np.round(x)  # half to even, as QONNX's ROUND


def quantize_int(x, scale, zero_point, lo: int, hi: int, mode: str) -> np.ndarray:
    nd = x.ndim
    f = np.float32
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.divide(x, per_channel(scale, nd), dtype=f)
        y = np.add(y, per_channel(zero_point, nd), dtype=f)
    y = round_mode(y, mode)
    return np.clip(y, lo, hi).astype(np.int64)


def topk_indices(x: np.ndarray, k: int) -> np.ndarray:
    """Largest first; equal values keep the lower index first (stable), as onnxruntime."""
    order = np.argsort(-x, axis=-1, kind="stable")
    return order[..., :k].astype(np.int64)


def dequantize(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return np.multiply(x.astype(np.float32), per_channel(scale, x.ndim), dtype=np.float32)


def quantize_bipolar(x: np.ndarray) -> np.ndarray:
    """BipolarQuant: +1 where x >= 0 (0 maps to +1), else -1."""
    return np.where(x >= 0, 1, -1).astype(np.int8)


def quantize_thresholds(x: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """count(x >= t_i) per channel (axis 1) over float thresholds [C or 1, T] (FINN's MultiThreshold)."""
    channels = x.shape[1]
    th = np.broadcast_to(thresholds, (channels, thresholds.shape[1])) if thresholds.shape[0] == 1 else thresholds
    flat = x.reshape(x.shape[0], channels, -1)
    counts = (flat[..., None] >= th[None, :, None, :]).sum(axis=-1, dtype=np.int64)
    return counts.reshape(x.shape)
