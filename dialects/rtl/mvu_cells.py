"""What `rtl.mvu` builds, cell by cell (its `resource_cells`): lowbit_mvu's lanes, accumulators,
threshold table and its addressing, the input feed (a whole vector in registers, or fold by fold
through a RAM) and the output assembly and FIFO, and its weight ROM. Beside the op (mvu.py)
because the cells follow the library's structure, not the op's semantics."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.traits import SymbolTable

from lowbitc.dialects.lowbit.attributes import numpy_from_dense
from lowbitc.dialects.lowbit.border import BorderAttr
from lowbitc.dialects.rtl.cells import (
    Adder,
    AdderTree,
    Cell,
    ConstantTable,
    Control,
    CounterTree,
    Fifo,
    Gate,
    LaneCell,
    Lanes,
    LineBuffer,
    Logic,
    Registers,
    Rom,
    WorkingRegister,
    clog2,
)

MVUInstanceOp = Any
"""An `rtl.mvu` (dialects/rtl/mvu.py): not imported, the op imports this module for its cells."""


def _lane_parts(op: MVUInstanceOp, accumulator_width: int) -> tuple[tuple[LaneCell, ...], int]:
    """One PE's lane logic and its sum width SW (lowbit_mvu's RW, truncated to AW)."""
    simd, wb = op.fold.simd.data, op.wb
    ew = op.input_element_width or 0
    lw = max(1, ew)
    if ew == 0 and wb == 1:  # XNOR lanes
        sw = min(clog2(simd + 1), accumulator_width)
        return (CounterTree(simd, sw, Gate.XNOR),), sw
    if ew > 0 and wb == 1 and not op.is_serial:  # NEG adder tree: SIMD leaves of XE bits
        xe = ew + 1 - (1 if op.signed_input else 0)
        sw = min(ew + 1 - (1 if op.signed_input else 0) + clog2(simd), accumulator_width)
        return (AdderTree(simd, xe, max(0, accumulator_width - sw)),), sw
    # NA x NB AND counters of the bit planes; each further term is an adder about as wide as its
    # popcount (the bits below its shift are zero, the ones above only carries), P - N at the root
    na = 1 if op.is_serial else lw
    nb = 2 if wb == 1 else wb
    pcw = clog2(simd + 1)
    rw = min(accumulator_width, pcw + wb + lw)
    parts: tuple[LaneCell, ...] = (CounterTree(simd, pcw, Gate.AND, na * nb), Adder(pcw + 2, max(0, na * nb - 1)))
    return (*parts, Adder(rw)), min(rw, accumulator_width)


def _threshold_table(th: np.ndarray, pe: int, words: int, width: int, ta: bool) -> np.ndarray:
    """lowbit_mvu_rom's words as a 0/1 matrix: word nf holds channels nf*PE .. +PE-1, each
    threshold (negated when TA) in ``width`` two's-complement bits."""
    vals = (-th[:, 0] if ta else th.reshape(th.shape[0], -1)).reshape(words, -1).astype(np.int64)
    vals = vals & ((1 << width) - 1)
    bits = (vals[:, :, None] >> np.arange(width)) & 1
    return bits.reshape(words, -1).astype(np.uint8)


def _border_logic(border: BorderAttr, words: int) -> int:
    """lowbit_mvu_border's LUT6s: the (oy, ox) counters (an incrementer and an end compare of
    each), the two case tables (TW-bit words, one LUT6 per bit per 64 rows or columns), and
    the table address: by + bx or address + 1 (an adder with a multiplexer, a LUT per bit)."""
    ho, wo = border.output_hw
    tw = max(1, clog2(words))
    counters = sum(2 * clog2(n) for n in (ho, wo) if n > 1)
    tables = sum(tw * -(-n // 64) for n in (ho, wo) if n > 1)
    return counters + tables + tw


def mvu_cells(op: MVUInstanceOp) -> tuple[Cell, ...]:
    """lowbit_mvu and its weight ROM, cell by cell (see the module docstring)."""
    pe, simd = op.fold.pe.data, op.fold.simd.data
    nf, sf = op.fold.folds(op.channels.value.data, op.fan_in)
    k, c = sf * simd, nf * pe
    lw = max(1, op.input_element_width or 0)
    iw, xw = k * lw, simd * lw
    pw = op.popcount_width.value.data
    th = None if op.thresholds is None else np.asarray(numpy_from_dense(op.thresholds))
    ta = th is not None and th.shape[-1] == 1  # one threshold: the accumulator starts at -T
    aw = pw + (1 if ta else 0)
    parts, sw = _lane_parts(op, aw)
    ow = c * op.ob if th is not None else c * pw
    cells: list[Cell] = [Lanes(pe, simd, op.wb, parts), Adder(aw, pe), Registers(pe * aw)]  # + the accumulators
    if th is not None:
        # A border table [cases, C, NT] is NCASE tables of NF words each (word case*NF + nf).
        blocks = th if th.ndim == 3 else th[None]
        nt = blocks.shape[-1]
        if c > blocks.shape[1]:
            blocks = np.concatenate([blocks, np.zeros((len(blocks), c - blocks.shape[1], nt), blocks.dtype)], axis=1)
        words = len(blocks) * nf
        cells.append(ConstantTable(_threshold_table(blocks.reshape(-1, nt), pe, words, aw if ta else pw, ta)))
        if not ta:  # NT comparators of PW bits per channel and the NT-bit count
            cells += [Adder(pw, pe * nt), Logic(pe * max(1, -(-nt // 3)))]
        # lowbit_mvu_table's channel-fold counter nf, or lowbit_mvu_border's table address
        cells.append(Registers(clog2(words)))
        if op.border is not None:
            ho, wo = op.border.output_hw
            cells += [Logic(_border_logic(op.border, words)), Registers(clog2(ho) + clog2(wo))]
    # Issue: the K-element working register cur (rotated by SIMD elements each fold), ibuf, the
    # stage-1 lane register (SIMD elements) and, with PIPE, the lane sums per PE.
    if op.fold_per_beat:
        # NARROW (lowbit_mvu_feed): with R, every beat goes through a RAM of the vector's SF folds,
        # whose read register is the lane register (priced with the RAM), and a write counter;
        # without, the beat goes straight into the lane register. Serial planes shift it (the
        # plane shift below) and, with R, hold the fold beside it.
        cells += [Registers(op.pipe.value.data * pe * sw)]
        if op.keeps_folds:  # the RAM, its write counter (an incrementer with a wrap) and pend
            cells += [LineBuffer(sf, xw), Registers(clog2(sf) + 1), Logic(2 * clog2(sf) + 1)]
            if op.is_serial:
                cells.append(Registers(xw + 1))
        else:
            cells.append(Registers(xw))
    else:
        cells += [WorkingRegister(iw, sf > 1), Registers(2 * iw + xw + op.pipe.value.data * pe * sw)]
    if op.is_serial:
        cells.append(Logic(xw))  # the plane shift of s1
    # Output: NF - 1 channel folds of assembly (flip-flops with an enable) and the 2-deep FIFO;
    # control: the address (clog2(NF*SF) bits) and sf counters beside the fixed flags.
    # (fed fold by fold and S > 1 steps a vector, the FIFO is one deep: the next result is S away;
    # a channel fold per output beat (FOLDOUT): no assembly, a FIFO of one fold, one deep when
    # the folds are SF x NPL > 1 steps apart)
    if op.fold_per_output_beat:
        steps_per_fold = op.cycles_per_vector // nf
        cells.append(Fifo(ow // nf, 1 if steps_per_fold > 1 else 2))
    else:
        out_depth = 1 if op.fold_per_beat and op.cycles_per_vector > 1 else 2
        cells += [Registers((nf - 1) * (ow // nf)), Fifo(ow, out_depth)]
    cells.append(Control("lowbit_mvu", 2 * clog2(nf * sf) + clog2(sf), clog2(nf * sf) + clog2(sf)))
    rom = SymbolTable.lookup_symbol(op, op.rom)
    cells.append(Rom(np.asarray(rom.contents.to_numpy(), dtype=np.uint8)))  # type: ignore[union-attr]
    return tuple(cells)
