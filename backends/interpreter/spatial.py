"""Interpreter implementations of convolution and max-pool: im2col and an exact integer GEMM.

The GEMM runs in float BLAS: every product and partial sum is an integer, exact in float32 while
below 2^24 (all binary layers and 8-bit first layers here) and in float64 below 2^53 otherwise,
and much faster than an int64 matmul.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from lowbitc.dialects.lowbit.ops_conv import ConvOp, MaxPoolOp
from lowbitc.dialects.lowbit.ops_pixels import PadOp, ToPixelsOp, WindowMaxOp, WindowOp
from lowbitc.dialects.lowbit.attributes import weight_values
from lowbitc.dialects.lowbit.types import WORD_BITS, PackedType
from lowbitc.backends.interpreter.impls import memo
from lowbitc.backends.interpreter.values import pack_bipolar, unpack_bipolar

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
    dtype = np.float32 if int(np.abs(x).max(initial=0)) * int(np.abs(weights).max(initial=0)) * k < (1 << 24) else np.float64
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


@register_impls
class SpatialFunctions(InterpreterFunctions):
    @impl(ConvOp)
    def run_conv(self, interpreter: Interpreter, op: ConvOp, args: tuple[Any, ...]):
        w = memo(self, op, lambda: weight_values(op.weights))
        geometry = (op.kernel.get_values(), op.strides.get_values(), op.pads.get_values())
        g = op.groups
        if g == 1:
            return (conv2d(args[0], w, *geometry),)
        cin, cout = args[0].shape[1] // g, w.shape[0] // g
        return (np.concatenate([conv2d(args[0][:, i * cin : (i + 1) * cin], w[i * cout : (i + 1) * cout], *geometry)
                                for i in range(g)], axis=1),)

    @impl(MaxPoolOp)
    def run_maxpool(self, interpreter: Interpreter, op: MaxPoolOp, args: tuple[Any, ...]):
        return (maxpool2d(args[0], op.kernel.get_values(), op.strides.get_values()),)

    @impl(ToPixelsOp)
    def run_to_pixels(self, interpreter: Interpreter, op: ToPixelsOp, args: tuple[Any, ...]):
        return (np.ascontiguousarray(args[0].transpose(0, 2, 3, 1)),)

    @impl(WindowOp)
    def run_window(self, interpreter: Interpreter, op: WindowOp, args: tuple[Any, ...]):
        (kh, kw), (sh, sw) = op.kernel.get_values(), op.strides.get_values()
        if isinstance(op.input.type, PackedType):  # the hardware's packed pixel stream
            c = op.input.type.get_shape()[-1]
            if c % WORD_BITS == 0:  # whole words per pixel: the window is a gather of words
                return (window_hwc(args[0], kh, kw, sh, sw),)
            unpacked = unpack_bipolar(args[0], c)
            return (pack_bipolar(window_hwc(unpacked, kh, kw, sh, sw)),)
        return (window_hwc(args[0], kh, kw, sh, sw),)

    @impl(PadOp)
    def run_pad(self, interpreter: Interpreter, op: PadOp, args: tuple[Any, ...]):
        x = args[0]
        if isinstance(op.input.type, PackedType):
            x = unpack_bipolar(x, op.input.type.get_shape()[-1])
        top, left, bottom, right = op.pads.get_values()
        return (np.pad(x.astype(np.int64), ((0, 0), (top, bottom), (left, right), (0, 0))),)

    @impl(WindowMaxOp)
    def run_window_max(self, interpreter: Interpreter, op: WindowMaxOp, args: tuple[Any, ...]):
        x, size = args[0], op.size.value.data
        if isinstance(op.input.type, PackedType):
            kc = op.input.type.get_shape()[-1]
            if (kc // size) % WORD_BITS == 0:  # the max of -1/+1 values is the OR of their +1 bits
                n, ho, wo, words = x.shape
                return (np.bitwise_or.reduce(x.reshape(n, ho, wo, size, words // size), axis=3),)
            x = unpack_bipolar(x, kc)
        n, ho, wo, kc = x.shape
        out = x.reshape(n, ho, wo, size, kc // size).max(axis=3)
        return (pack_bipolar(out) if isinstance(op.input.type, PackedType) else out,)


def window_hwc(x: np.ndarray, kh: int, kw: int, sh: int, sw: int) -> np.ndarray:
    """[N, H, W, C] -> [N, Ho, Wo, kh*kw*C], element (ky, kx, c) at (ky*kw + kx)*C + c."""
    x = x.transpose(0, 3, 1, 2)  # [N, C, H, W] for `windows`
    win = windows(x, kh, kw, sh, sw)  # [N, C, Ho, Wo, kh, kw]
    n, c, ho, wo = win.shape[:4]
    return np.ascontiguousarray(win.transpose(0, 2, 3, 4, 5, 1)).reshape(n, ho, wo, kh * kw * c)
