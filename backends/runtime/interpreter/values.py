"""How the interpreter represents values: numpy arrays with the frame (batch) axis first.

* f32 tensors: float32 arrays,
* integer tensors (siN, uiN): int64 arrays,
* bipolar tensors: int8 arrays of -1/+1,
* packed bipolar tensors: uint64 arrays, the last logical axis in 64-bit words, bit k%64 of
  word k//64 holding element k (1 = +1); bits past the end are 0.
"""

from __future__ import annotations

import numpy as np

from lowbitc.backends.runtime.interpreter import native
from lowbitc.dialects.numerics import WORD_BITS


def pack_bipolar(x: np.ndarray) -> np.ndarray:
    """[..., K] of -1/+1 -> [..., ceil(K/64)] uint64 words."""
    return pack_bits(x > 0)


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """[..., K] booleans (True = +1) -> [..., ceil(K/64)] uint64 words."""
    bits = bits.view(np.uint8) if bits.dtype == np.bool_ else bits.astype(np.uint8, copy=False)
    k = bits.shape[-1]
    words = -(-k // WORD_BITS)
    pad = words * WORD_BITS - k
    if pad:
        bits = np.concatenate([bits, np.zeros(bits.shape[:-1] + (pad,), np.uint8)], axis=-1)
    packed = np.packbits(bits, axis=-1, bitorder="little")  # [..., words*8] bytes
    return np.ascontiguousarray(packed).view("<u8")


def unpack_bipolar(words: np.ndarray, k: int) -> np.ndarray:
    """Inverse of pack_bipolar: [..., W] uint64 -> [..., K] int8 of -1/+1."""
    raw = np.ascontiguousarray(words, dtype="<u8").view(np.uint8)
    bits = np.unpackbits(raw, axis=-1, count=k, bitorder="little")
    return bits.astype(np.int8) * 2 - 1


def pack_rows(bits01: np.ndarray) -> np.ndarray:
    """A [C, K] 0/1 matrix -> [C, ceil(K/64)] uint64 rows, padded with zero bits."""
    return pack_bipolar(bits01.astype(np.int8) * 2 - 1)


def xnor_popcount(x_words: np.ndarray, w_words: np.ndarray, k: int) -> np.ndarray:
    """P[n, c] = number of the K positions where x[n] and w[c] agree.

    The C kernel counts popcounts over the packed words (native.py). Without it: (K + x . w) / 2
    with x and w as -1/+1 in float32 BLAS, where every partial sum is an integer of magnitude
    <= K < 2^24, which float32 represents exactly; chunked over rows to bound the unpacked
    temporary.
    """
    native_result = native.xnor_popcount(x_words, w_words, k)
    if native_result is not None:
        return native_result
    n = x_words.shape[0]
    w = unpack_bipolar(w_words, k).astype(np.float32).T
    out = np.empty((n, w.shape[1]), dtype=np.int64)
    step = max(1, (1 << 23) // k)
    for s in range(0, n, step):
        x = unpack_bipolar(x_words[s : s + step], k).astype(np.float32)
        out[s : s + step] = (np.rint(x @ w).astype(np.int64) + k) >> 1
    return out


def count_thresholds(x: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """count(x[n, c, ...] >= t[c, i]) over i; x is [N, C, ...] int64, thresholds [C, T]."""
    flat = x.reshape(x.shape[0], x.shape[1], -1)
    counts = (flat[..., None] >= thresholds[None, :, None, :]).sum(axis=-1, dtype=np.int64)
    return counts.reshape(x.shape)


def over_last_axis(fn, x: np.ndarray, *args) -> np.ndarray:
    """Apply a [N, K] -> [N, C] function to [N, ..., K], keeping the middle axes."""
    lead = x.shape[:-1]
    out = fn(x.reshape(-1, x.shape[-1]), *args)
    return out.reshape(lead + out.shape[-1:])


def int_matmul(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """[N, K] integers times [C, K] integers, exact: BLAS on integers whose every partial sum
    fits the float mantissa (float32 below 2^24, which first layers meet; float64 otherwise)."""
    bound = int(np.abs(x).max(initial=0)) * int(np.abs(w).max(initial=0)) * x.shape[-1]
    dtype = np.float32 if bound < (1 << 24) else np.float64
    return np.rint(x.astype(dtype) @ w.astype(dtype).T).astype(np.int64)


def int_threshold_pack(x: np.ndarray, w: np.ndarray, lowest: np.ndarray, x_max: int) -> np.ndarray:
    """Packed bits [N, ceil(C/64)]: (x @ w.T)[n, c] >= lowest[c], for integer x [N, K] (|x| <=
    x_max, from its type) and w [C, K]. The product stays in float, exact for the same reason
    as int_matmul; thresholds are clipped to just outside the product's range first, so they
    too are exact floats."""
    bound = x_max * int(np.abs(w).max(initial=0)) * x.shape[-1]
    native_result = native.int_threshold_pack(x, w, lowest, bound)
    if native_result is not None:
        return native_result
    dtype = np.float32 if bound < (1 << 24) else np.float64
    t = np.clip(lowest, -bound - 1, bound + 1).astype(dtype)
    return pack_bits((x.astype(dtype) @ w.astype(dtype).T) >= t)


def bit_planes(x: np.ndarray, planes: int, bipolar: bool) -> np.ndarray:
    """[N, ..., K] integers (or -1/+1) -> [N, planes, ..., ceil(K/64)] packed bit planes, plane i
    holding bit i of the two's-complement code (bipolar: 1 for +1)."""
    if bipolar:
        return pack_bits(x > 0)[:, None]
    return np.stack([pack_bits((x >> i) & 1) for i in range(planes)], axis=1)


def and_popcount(a_words: np.ndarray, b01: np.ndarray, k: int) -> np.ndarray:
    """P[n, c] = popcount(a[n] AND b[c]) over K bits: a as packed words [N, W], b a [C, K] 0/1
    matrix. The C kernel counts over packed words; the fallback is float32 BLAS on 0/1 values,
    exact since every sum is an integer <= K < 2^24."""
    native_result = native.and_popcount(a_words, pack_bits(np.asarray(b01) != 0))
    if native_result is not None:
        return native_result
    a = np.unpackbits(np.ascontiguousarray(a_words, dtype="<u8").view(np.uint8), axis=-1, count=k, bitorder="little")
    return np.rint(a.astype(np.float32) @ b01.astype(np.float32).T).astype(np.int64)
