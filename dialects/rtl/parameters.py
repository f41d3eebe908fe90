"""Verilog parameter values shared by several rtl units: packed threshold tables and the
requantizer parameters of lowbit_thresholds."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerAttr

from lowbitc.dialects.lowbit.attributes import numpy_from_dense
from lowbitc.dialects.rtl.interfaces import SizedBits, VerilogValue


def threshold_vector(thresholds, padded_channels: int, width: int) -> SizedBits:
    """Thresholds T[c, i] packed at bits (c*NT + i)*width, two's complement; padded channels
    (dropped at the output) get 0. No thresholds: one zero threshold per channel. A border
    table [cases, C, NT] is the cases' blocks one after the other, each padded alike."""
    th = np.zeros((padded_channels, 1), np.int64) if thresholds is None else numpy_from_dense(thresholds)
    blocks = th if th.ndim == 3 else th[None]
    nt = th.shape[-1]
    value = 0
    for j, block in enumerate(blocks):
        for ch in range(block.shape[0]):
            for i in range(nt):
                value |= (int(block[ch, i]) & ((1 << width) - 1)) << (((j * padded_channels + ch) * nt + i) * width)
    return SizedBits(value, len(blocks) * padded_channels * nt * width)


def requantizer_parameters(
    thresholds: DenseIntOrFPElementsAttr | None,
    output_bits: IntegerAttr | None,
    offset: IntegerAttr | None,
    channels: int,
    sum_width: int,
) -> tuple[tuple[str, VerilogValue], ...]:
    """NT, OB, OOFF and THRESH of a unit (residual add, global pool) requantizing its sums with
    lowbit_thresholds; none without thresholds (MODE 1 passes the raw sums)."""
    if thresholds is None:
        return ()
    return (
        ("NT", numpy_from_dense(thresholds).shape[1]),
        ("OB", 1 if output_bits is None else output_bits.value.data),
        ("OOFF", 0 if offset is None else offset.value.data),
        ("THRESH", threshold_vector(thresholds, channels, sum_width)),
    )
