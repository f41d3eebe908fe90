"""The folds of window-fed layers, weighed with the stream that feeds them (for `tile`).

Fed fold by fold (passes/narrow_streams.py), a convolution's window generator emits words of G
elements (G the smallest divisor of the window's channels C at least SIMD, or C itself when SIMD
is a multiple of C), and where G differs from SIMD, or SIMD does not divide the fan-in, a
gearbox turns words into folds. A gearbox between widths with a small common divisor costs more
than the lanes it saves: on the CNV at 3,000 frames/s a 32 -> 28-bit gearbox took 544 LUTs to
spare 128 lanes (about 250 LUTs). A SIMD beyond C that is no multiple of it keeps whole windows
in registers (about three LUTs per window bit in generator, FIFO and unit). So for a binary
layer fed by windows, `tile` takes, among the folds that meet its cycle budget, the one with the
fewest lanes plus stream LUTs in lane units, not just the fewest lanes.
"""

from __future__ import annotations

from functools import lru_cache
from math import ceil

from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import frame_cycles
from lowbitc.dialects.lowbit.ops_pixels import WindowOp
from lowbitc.dialects.rtl.cells import Control, Logic
from lowbitc.dialects.rtl.gearbox import gearbox_cells
from lowbitc.passes.narrow_streams import word_elements

LANE_LUTS = 2.0
"""LUTs of a binary lane with its share of the counter tree (bench/datapath.py: 1.92 in Yosys
synth_xilinx), the unit a stream's LUTs are weighed against."""
PE_LUTS_PER_ACCUMULATOR_BIT = 1.0
"""A PE's accumulator: an adder of PW = clog2(K + 1) bits and its threshold (one LUT a bit,
the first-step multiplexer sharing them); fewer PEs of more SIMD are cheaper at equal lanes."""
WHOLE_WINDOW_LUTS_PER_BIT = 3.0
"""A window kept whole in registers: the generator's window, its FIFO and the unit's input
buffer and rotating working register (CNV, bench/units.py: 2,557 LUTs for a 576-bit window)."""


def window_channels(layer) -> int | None:
    """C of the pixels of the window that feeds a binary ``layer`` through its pack; None for
    layers fed otherwise (dense layers, integer and plane layers)."""
    if not isinstance(layer, h.XnorPopcountOp) or not isinstance(pack := layer.input.owner, h.PackOp):
        return None
    window = pack.input.owner
    return window.input.type.get_shape()[-1] if isinstance(window, WindowOp) else None


@lru_cache(maxsize=4096)
def stream_luts(channels: int, k: int, simd: int) -> float:
    """LUTs of the stream from a window of ``channels``-bit pixels into folds of ``simd`` bits,
    beyond the window generator every fold-wide stream has: the gearbox's logic, if any."""
    g = word_elements(channels, simd)
    if g is None:
        return WHOLE_WINDOW_LUTS_PER_BIT * k
    folds = ceil(k / simd)
    if g == simd and folds * simd == k:
        return 0.0
    cells = gearbox_cells(g, simd, k // g, folds)
    return float(
        sum(c.luts for c in cells if isinstance(c, Logic))
        + sum(c.counter_luts for c in cells if isinstance(c, Control))
    )


def cheapest_streamed_fold(
    c: int, k: int, channels: int, pes: list[int], simds: list[int], max_cycles: int, *, vector_out: bool
) -> tuple[int, int] | None:
    """Among PE in ``pes`` and SIMD in ``simds`` with cycles <= ``max_cycles``, the fold with the
    fewest lanes plus the LUTs of its accumulators and its stream (in lanes); ties: fewer lanes,
    fewer PEs. None if none fits.
    ``vector_out``: the layer's one output vector feeds a dense layer, which takes it channel
    fold by channel fold only when PE divides the channels (else a LUT per channel bit more:
    the vector's FIFO and the gearbox that cuts it)."""
    best: tuple[float, int, int, int] | None = None
    accumulator = PE_LUTS_PER_ACCUMULATOR_BIT * (k + 1).bit_length()
    for pe in pes:
        whole_vector = c if vector_out and c % pe else 0
        for simd in simds:
            if frame_cycles(c, k, pe, simd) > max_cycles:
                continue
            luts = stream_luts(channels, k, simd) + whole_vector + pe * accumulator
            key = (pe * simd + luts / LANE_LUTS, pe * simd, pe, simd)
            if best is None or key < best:
                best = key
    return None if best is None else (best[2], best[3])
