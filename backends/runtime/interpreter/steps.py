"""What each interpreter step computes, in numpy (and the C kernels) alone: functions of the
[N, ...] input values with the op's constants bound beforehand by `planner.py`.

Nothing here imports xDSL or reads an op: a plan of these steps pickles, and a cached plan runs
without loading the compiler (`lowbitc run` on a model it has seen). Steps are module-level
functions bound with `functools.partial`, or small dataclasses when a step has many constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from lowbitc.backends.runtime.interpreter import native
from lowbitc.backends.runtime.interpreter.spatial import channel_sums
from lowbitc.backends.runtime.interpreter.values import (
    and_popcount,
    bit_planes,
    count_thresholds,
    int_matmul,
    int_threshold_pack,
    over_last_axis,
    pack_bipolar,
    pack_bits,
    unpack_bipolar,
    xnor_popcount,
)


class OutKind(Enum):
    """How a thresholded result is held (the result type, read once at prepare time)."""

    PACKED = "packed"  # packed bipolar words
    BIPOLAR = "bipolar"  # int8 -1/+1
    CODES = "codes"  # int64 count + offset


def threshold_outputs(x: np.ndarray, thresholds: np.ndarray, axis: int, out: OutKind, offset: int) -> np.ndarray:
    """count(x >= t_i) over the channel axis ``axis`` of [N, ...] values, held as ``out``
    (threshold ops, matrix-vector and add units alike)."""
    # Channels move to axis 1, where count_thresholds expects them, and back.
    return hold_counts(np.moveaxis(count_thresholds(np.moveaxis(x, axis, 1), thresholds), 1, axis), out, offset)


def hold_counts(n: np.ndarray, out: OutKind, offset: int) -> np.ndarray:
    """Threshold counts n as the result holds them: packed bits, -1/+1, or codes n + offset."""
    if out is OutKind.PACKED:
        return pack_bits(n > 0)
    if out is OutKind.BIPOLAR:
        return (2 * n - 1).astype(np.int8)
    return n + offset


def border_threshold_outputs(
    x: np.ndarray, table: np.ndarray, cases: np.ndarray, out: OutKind, offset: int
) -> np.ndarray:
    """Thresholds of [N, Ho, Wo, C] values by border case: pixel (oy, ox) counts
    x >= table[cases[oy, ox], c, i] (``cases`` from the counters' rule, `lowbit.border`)."""
    return hold_counts((x[..., None] >= table[cases][None]).sum(axis=-1), out, offset)


def reshape_frames(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return x.reshape((x.shape[0],) + shape)


def xnor_dot(x: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """The bipolar dot product of -1/+1 values [N, ..., K] with packed weight rows: 2P - K."""
    return 2 * over_last_axis(xnor_popcount, pack_bipolar(x), rows, k) - k


def int_matmul_last(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return over_last_axis(int_matmul, x, w)


def xnor_popcount_last(x: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    return over_last_axis(xnor_popcount, x, rows, k)


def scale_and_subtract(x: np.ndarray, subtrahend) -> np.ndarray:
    """2x - s: XNOR and AND popcounts to dot products (s the fan-in or the rows' weight sums)."""
    return 2 * x - subtrahend


def collect(x: np.ndarray, channels: int | None) -> np.ndarray:
    """[N, H, W, C] pixels to one [N, H*W*C] vector; ``channels`` is C when packed pixels do
    not fill whole words (they are repacked), else None."""
    if channels is None:
        return x.reshape(x.shape[0], -1)
    flat = unpack_bipolar(x, channels).reshape(x.shape[0], -1)
    return pack_bipolar(flat)


def planes_of(x: np.ndarray, planes: int, bipolar: bool, packed: bool) -> np.ndarray:
    if packed:  # packed bipolar bits: already one plane
        return x[:, None]
    return bit_planes(x, planes, bipolar)


def add_codes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a.astype(np.int64) + b.astype(np.int64)


@dataclass(frozen=True)
class Requantized:
    """A unit that computes an integer total per channel (last axis), then applies its
    thresholds when it has them: the residual add and the global pool's sum."""

    thresholds: np.ndarray | None
    out: OutKind
    offset: int

    def requantize(self, total: np.ndarray) -> np.ndarray:
        if self.thresholds is None:
            return total
        return threshold_outputs(total, self.thresholds, -1, self.out, self.offset)


class AddThreshold(Requantized):
    """A residual add unit: the integer sum of its two inputs."""

    def __call__(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.requantize(add_codes(a, b))


class SumThreshold(Requantized):
    """A global pool's sum unit: each channel's sum over the [N, H, W, C] pixels."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.requantize(channel_sums(x, (1, 2)))


@dataclass(frozen=True)
class MatrixVector:
    """A matrix-vector unit (`lowbit.mvu`): XNOR lanes (wb = 1, packed input), AND lanes (wb > 1
    on input bits) or an integer input, then thresholds when it has them."""

    fan_in: int
    wb: int
    integer_input: bool
    values: np.ndarray
    """[C, K] weights as signed values (-1/+1 for wb = 1)."""
    rows: np.ndarray | None
    """Packed 0/1 weight rows of a binary unit."""
    thresholds: np.ndarray | None
    out: OutKind
    offset: int
    x_max: int
    """Bound of |x| for an integer input, from its type."""
    lowest: np.ndarray | None = None
    """Each channel's lowest threshold, for a packed bipolar output."""
    cases: np.ndarray | None = None
    """[Ho, Wo] border case of each output pixel when ``thresholds`` is a [cases, C, T] table."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        k = self.fan_in
        if self.cases is not None:  # XNOR lanes, thresholds chosen by each pixel's border case
            acc = over_last_axis(xnor_popcount, x, self.rows, k)
            return border_threshold_outputs(acc, self.thresholds, self.cases, self.out, self.offset)
        if self.thresholds is not None and self.out is OutKind.PACKED:
            # A bipolar output: the +1 bits are accumulators >= the lowest threshold
            # (count(acc >= t_i) > 0), so the integer matrix need not be kept.
            if self.integer_input:
                return over_last_axis(int_threshold_pack, x, self.values, self.lowest, self.x_max)
            if self.wb == 1 and native.library() is not None:  # XNOR, compare and pack in one pass
                return over_last_axis(native.xnor_threshold_pack, x, self.rows, k, self.lowest)
        if self.integer_input:
            acc = over_last_axis(int_matmul, x, self.values)
        elif self.wb == 1:
            acc = over_last_axis(xnor_popcount, x, self.rows, k)
        else:  # AND lanes: S = sum_k a_k w_k over the input bits a_k in {0, 1}
            acc = over_last_axis(lambda a: int_matmul((unpack_bipolar(a, k) > 0).astype(np.int64), self.values), x)
        if self.thresholds is None:
            return acc
        return threshold_outputs(acc, self.thresholds, -1, self.out, self.offset)


@dataclass(frozen=True)
class PlanePopcount:
    """`lowbit.plane_popcount`: AND-popcounts of each input bit plane with the weights (or with
    each weight bit plane), combined by the planes' coefficients, as the hardware does."""

    fan_in: int
    coefficients: tuple[int, ...]
    """c_i of input plane i; the input's value is sum_i c_i bit_i + x0."""
    x0: int
    weight_sums: np.ndarray
    bipolar_rows: np.ndarray | None
    """0/1 rows of bipolar weights (w = 2b - 1), else None."""
    weight_planes: tuple[tuple[int, np.ndarray], ...]
    """(d_j, 0/1 bits) of k-bit weights: w = sum_j d_j bit_j."""

    def __call__(self, planes: np.ndarray) -> np.ndarray:
        k = self.fan_in
        acc = None
        for i, ci in enumerate(self.coefficients):
            a = planes[:, i]
            if self.bipolar_rows is not None:
                ones = over_last_axis(lambda v: and_popcount(v, np.ones((1, k), np.uint8), k), a)
                term = 2 * over_last_axis(and_popcount, a, self.bipolar_rows, k) - ones
            else:
                term = sum(d * over_last_axis(and_popcount, a, bj, k) for d, bj in self.weight_planes)
            acc = ci * term if acc is None else acc + ci * term
        return acc + self.x0 * self.weight_sums
