"""Interpreter steps of convolution, max-pool and pixel streams (numpy alone, like steps.py):
im2col and an exact integer GEMM, windows and pads of [N, H, W, C] pixels.

The GEMM runs in float BLAS: every product and partial sum is an integer, exact in float32 while
below 2^24 (all binary layers and 8-bit first layers here) and in float64 below 2^53 otherwise,
and much faster than an int64 matmul.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lowbitc.backends.runtime.interpreter.values import pack_bipolar, unpack_bipolar
from lowbitc.dialects.numerics import WORD_BITS

CHUNK_ELEMENTS = 1 << 24
"""im2col elements per chunk of frames, to bound memory for large batches."""


def windows(x: np.ndarray, kh: int, kw: int, sh: int, sw: int) -> np.ndarray:
    """[N, C, H, W] -> [N, C, Ho, Wo, kh, kw] strided view."""
    v = sliding_window_view(x, (kh, kw), axis=(2, 3))
    return v[:, :, ::sh, ::sw]


def conv2d(x: np.ndarray, weights: np.ndarray, kernel, strides, pads) -> np.ndarray:
    """x: [N, Cin, H, W] integers; weights: [Cout, Cin*kh*kw] integers -> [N, Cout, Ho, Wo] int64."""
    kh, kw = kernel
    sh, sw = strides
    top, left, bottom, right = pads
    if any(pads):
        x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, cin, h, w = x.shape
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    k = cin * kh * kw
    # Exact in float32 while every partial sum stays below 2^24 (BLAS sgemm is ~2x dgemm).
    dtype = (
        np.float32
        if int(np.abs(x).max(initial=0)) * int(np.abs(weights).max(initial=0)) * k < (1 << 24)
        else np.float64
    )
    wt = weights.astype(dtype).T
    out = np.empty((n, weights.shape[0], ho, wo), dtype=np.int64)
    step = max(1, CHUNK_ELEMENTS // (ho * wo * k))
    for s in range(0, n, step):
        win = windows(x[s : s + step], kh, kw, sh, sw)  # [b, Cin, Ho, Wo, kh, kw]
        b = win.shape[0]
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(b * ho * wo, k).astype(dtype)
        out[s : s + b] = np.rint(cols @ wt).reshape(b, ho, wo, -1).transpose(0, 3, 1, 2)
    return out


def maxpool2d(x: np.ndarray, kernel, strides) -> np.ndarray:
    return windows(x, *kernel, *strides).max(axis=(-2, -1))


def maxpool_padded(x: np.ndarray, kernel, strides, pads, lowest: int) -> np.ndarray:
    """Max-pool of [N, C, H, W] codes padded with ``lowest`` (below every code: padding never
    wins, as ONNX's -inf)."""
    top, left, bottom, right = pads
    x = np.pad(x.astype(np.int64), ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=lowest)
    return maxpool2d(x, kernel, strides)


def channel_sums(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """A global pool's integer sums over the pixel ``axes``, kept as size-1 axes."""
    return x.astype(np.int64).sum(axis=axes, keepdims=True)


def conv(x: np.ndarray, weights: np.ndarray, kernel, strides, pads, groups: int) -> np.ndarray:
    if groups == 1:
        return conv2d(x, weights, kernel, strides, pads)
    cin, cout = x.shape[1] // groups, weights.shape[0] // groups
    return np.concatenate(
        [
            conv2d(x[:, i * cin : (i + 1) * cin], weights[i * cout : (i + 1) * cout], kernel, strides, pads)
            for i in range(groups)
        ],
        axis=1,
    )


def to_pixels(x: np.ndarray) -> np.ndarray:
    """[N, C, H, W] -> [N, H, W, C]."""
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def window(x: np.ndarray, kernel, strides, repack_channels: int | None) -> np.ndarray:
    """Windows of a pixel stream. Packed pixels of whole words gather words; ``repack_channels``
    (C) is given when packed pixels end mid-word, and they are unpacked and packed again."""
    (kh, kw), (sh, sw) = kernel, strides
    if repack_channels is None:
        return window_hwc(x, kh, kw, sh, sw)
    return pack_bipolar(window_hwc(unpack_bipolar(x, repack_channels), kh, kw, sh, sw))


def pad(x: np.ndarray, pads, unpack_channels: int | None) -> np.ndarray:
    """Zero padding of [N, H, W, C] pixels (packed ones unpacked to -1/+1 first)."""
    if unpack_channels is not None:
        x = unpack_bipolar(x, unpack_channels)
    top, left, bottom, right = pads
    return np.pad(x.astype(np.int64), ((0, 0), (top, bottom), (left, right), (0, 0)))


def pad_bipolar(x: np.ndarray, pads, packed_channels: int | None, fill: int = -1) -> np.ndarray:
    """-1 (or +1) padding of bipolar [N, H, W, C] pixels, which stay bipolar (packed when the input is)."""
    if packed_channels is not None:
        x = unpack_bipolar(x, packed_channels)
    top, left, bottom, right = pads
    out = np.pad(x.astype(np.int8), ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    return pack_bipolar(out) if packed_channels is not None else out


def window_max(x: np.ndarray, size: int, packed_channels: int | None) -> np.ndarray:
    """The max over each window's ``size`` pixels; ``packed_channels`` (size x C) for packed input."""
    if packed_channels is not None:
        if (packed_channels // size) % WORD_BITS == 0:  # the max of -1/+1 values is the OR of their +1 bits
            n, ho, wo, words = x.shape
            return np.bitwise_or.reduce(x.reshape(n, ho, wo, size, words // size), axis=3)
        x = unpack_bipolar(x, packed_channels)
    n, ho, wo, kc = x.shape
    out = x.reshape(n, ho, wo, size, kc // size).max(axis=3)
    return pack_bipolar(out) if packed_channels is not None else out


def window_hwc(x: np.ndarray, kh: int, kw: int, sh: int, sw: int) -> np.ndarray:
    """[N, H, W, C] -> [N, Ho, Wo, kh*kw*C], element (ky, kx, c) at (ky*kw + kx)*C + c."""
    x = x.transpose(0, 3, 1, 2)  # [N, C, H, W] for `windows`
    win = windows(x, kh, kw, sh, sw)  # [N, C, Ho, Wo, kh, kw]
    n, c, ho, wo = win.shape[:4]
    return np.ascontiguousarray(win.transpose(0, 2, 3, 4, 5, 1)).reshape(n, ho, wo, kh * kw * c)
