"""Primitive counts for the structural resource model (backends/analysis/resource_model.py): the
Cost record, the LUT6 counter tree of lowbit_mvu_count, and memories placed as Yosys 0.23's
`memory_libmap` places them (soft logic, LUT RAM or block RAM, whichever its cost model finds
cheapest: `techlibs/xilinx/brams_xc4v.txt`, `lutrams_xc5v.txt`, `techlibs/ice40/brams.txt`,
`techlibs/ecp5/*.txt`, `passes/memory/memory_libmap.cc`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from math import ceil

import numpy as np

from lowbitc.backends.target.devices import Device, Family, RamBlock
from lowbitc.dialects.rtl.cells import clog2

ROM_LOGIC_COST = 1 / 64
ROM_LOGIC_COST_LUT4 = 1 / 16
RAM_LOGIC_COST = 1.0
LUTRAM_COST = 8
BRAM18_COST, BRAM36_COST = 129, 257
EBR4K_COST, EBR18K_COST = 64, 128
"""Costs in memory_libmap's units (Yosys 0.23: soft logic per bit, 1/64 for a ROM in
synth_xilinx and the default 1/16 elsewhere; a LUT RAM cell; a RAMB18/RAMB36 in the xc7
library, an iCE40 RAM4K, an ECP5 DP16KD)."""


@dataclass(frozen=True)
class Cost:
    """Resources of one piece of hardware: LUT sites (logic and LUT RAM), flip-flops, block RAMs
    (the device's block-RAM unit: RAMB36 on Xilinx with an 18 Kb half as 0.5, M20K on Intel,
    EBR on iCE40 and ECP5) and DSP blocks."""

    luts: float = 0
    ffs: float = 0
    brams: float = 0
    dsps: float = 0
    mem_luts: float = 0
    """LUTs already counted in the family's own LUTs (memories: ROMs in logic, LUT RAM; and logic
    whose LUT4 mapping is counted directly); `luts` counts logic in LUT6 until `design_cost`
    converts it (LUT4_PER_LUT6) and adds these."""

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.luts + other.luts,
            self.ffs + other.ffs,
            self.brams + other.brams,
            self.dsps + other.dsps,
            self.mem_luts + other.mem_luts,
        )

    def rounded(self) -> Cost:
        return Cost(round(self.luts), round(self.ffs), round(self.brams * 2) / 2, round(self.dsps))

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "mem_luts"}


# -- the counter of lowbit_mvu_count ---------------------------------------------------------
COUNT_CHAIN_STEPS = 8
"""Steps per carry chain of lowbit_mvu_count (its localparam L)."""


def count_steps(n: int, w: int) -> list[tuple[int, int]]:
    """(shift, live count bits) of each step of lowbit_mvu_count with N = n lanes and W = w
    output bits: n // 3 three-lane counters leave n // 3 + n % 3 column-0 bits and n // 3
    carries (none kept when W == 1); each column-1 step (shift 1) adds 5 carries and takes a
    column-0 bit as carry-in, then each column-0 step (shift 0) a carry-in and 5 more
    column-0 bits; at least one step."""
    g0 = n // 3
    n0, n1 = g0 + n % 3, g0 if w > 1 else 0
    s1 = (n1 + 4) // 5
    m0 = max(0, n0 - s1)
    s0 = 1 if s1 == 0 and m0 == 0 else (m0 + 5) // 6
    steps = [(1, min(5, n1 - 5 * t)) for t in range(s1)]
    return steps + [(0, max(0, min(5, n0 - (s1 + 6 * t) - 1))) for t in range(s0)]


def count_tree_luts(n: int, w: int, op: int) -> int:
    """LUT6s of lowbit_mvu_count (N = n lanes, W = w output bits, OP 0 identity, 1 XNOR,
    2 AND), following its structure: n // 3 lowbit_mvu_c32 (sum and carry of three lane
    products, one LUT6 each; the carry not built when W == 1), a LUT for each of the n % 3
    left-over lanes that needs an XNOR/AND; each step (lowbit_mvu_cstep) is an adder whose
    LUTs compute r_j ^ (count bit j) for the live bits of its count (bit_length of the
    count's live inputs, from column sh, below W; a chain's first step adds to zero, so a
    one-input count is a wire); the bits above take only the carry, on the chain. Chains of
    COUNT_CHAIN_STEPS steps meet in an adder tree of W-bit adders."""
    ws = max(1, w)
    luts = (n // 3) * (2 if ws > 1 else 1) + (n % 3 if op else 0)
    steps = count_steps(n, ws)
    for t, (sh, k) in enumerate(steps):
        first = t % COUNT_CHAIN_STEPS == 0
        if not (first and k <= 1):
            luts += max(0, min(sh + k.bit_length(), ws) - sh)
    chains = -(-len(steps) // COUNT_CHAIN_STEPS)
    return luts + (chains - 1) * adder_luts(ws)


def adder_luts(width: int) -> int:
    """A two-operand adder: one LUT per bit beside the carry chain (CARRY4 on 7-series)."""
    return max(0, width)


# -- memories --------------------------------------------------------------------------------
def _bram_cells(depth: int, width: int, block: RamBlock, half: bool) -> float:
    """Blocks of ``block`` (or its 18 Kb halves with ``half``: half the depth in each mode) a
    depth x width memory needs in its best geometry, in units of whole blocks."""
    best = None
    for d, w in block.modes:
        if half and w > 36:
            continue  # RAMB18 has no 72-bit mode: its widest is 512 x 36, the halved 1K x 36
        d = d // 2 if half else d
        if d < 1:
            continue
        n = ceil(depth / d) * ceil(width / w)
        best = n if best is None else min(best, n)
    assert best is not None
    return best / 2 if half else best


def _bram_choice(depth: int, width: int, block: RamBlock, family: Family) -> tuple[float, float]:
    """(memory_libmap cost, blocks) of the cheapest block-RAM mapping."""
    if family in (Family.XILINX7, Family.XILINXUS):
        full = _bram_cells(depth, width, block, False)
        half = _bram_cells(depth, width, block, True)
        options = [(full * BRAM36_COST, full), (half * 2 * BRAM18_COST, half)]
        return min(options)
    n = _bram_cells(depth, width, block, False)
    return n * (EBR4K_COST if family is Family.ICE40 else EBR18K_COST), n


def rom_columns(bits: np.ndarray) -> tuple[int, int]:
    """(distinct non-constant columns, those of them that are not a plain address bit) of a
    depth x width 0/1 ROM: what soft logic must build per output bit after opt_merge."""
    depth = bits.shape[0]
    cols = np.packbits(bits.astype(np.uint8), axis=0).T if depth else np.zeros((bits.shape[1], 0), np.uint8)
    distinct = {c.tobytes() for c in cols}
    const = {np.packbits(np.full(depth, v, np.uint8)).tobytes() for v in (0, 1)}
    addr = {np.packbits(((np.arange(depth) >> b) & 1).astype(np.uint8)).tobytes() for b in range(clog2(depth))}
    live = distinct - const
    return len(live), len(live - addr)


def rom_cost(bits: np.ndarray, device: Device) -> Cost:
    """A synchronous-read ROM (rom.py's weight memory, data registered): block RAM when
    memory_libmap finds it cheaper than logic, else one LUT per distinct column (ceil(depth/64)
    LUT6 joined by MUXF7/F8 for deep ones; LUT4: ceil(depth/16) and a mux tree) and its
    output flip-flop."""
    depth, width = bits.shape
    fab = device.fabric
    assert fab is not None
    if depth > 2:
        cost, blocks = _bram_choice(depth, width, fab.bram, fab.family)
        if cost < depth * width * (ROM_LOGIC_COST if _lut_inputs(fab.family) == 6 else ROM_LOGIC_COST_LUT4):
            if fab.family in (Family.XILINX7, Family.XILINXUS) and depth > 512:
                # Deeper than the widest mode: Yosys folds address bits into the data width and
                # uses the parity bits as data (4K x 9 per RAMB36), so the blocks fill to their
                # 36 Kb in 18 Kb steps over the depth in whole 1K slices, with an output
                # multiplexer (about six LUTs per block). Calibrated on the corpus's six deep
                # ROMs (BNN-PYNQ CNV: 6144 x 48 in 8, 49152 x 12 in 16, 32768 x 8 in 7.5).
                halves = ceil(ceil(depth / 1024) * 1024 * width / (fab.bram.bits // 2))
                used = min(blocks, halves / 2)
                return Cost(brams=used, mem_luts=6 * used if depth > 1024 else 0)
            return Cost(brams=blocks, mem_luts=_depth_mux_luts(depth, width, fab.bram, fab.family))
    live, logic = rom_columns(bits)
    if _lut_inputs(fab.family) == 6:
        per = ceil(depth / 64) + max(0, ceil(depth / 256) - 1)  # beyond MUXF8, a LUT mux level
    else:
        per = ceil(depth / 16) + max(0, ceil(depth / 16) - 1)  # LUT4 leaves and a LUT4 mux tree
    return Cost(mem_luts=logic * per, ffs=live)


def ram_cost(depth: int, width: int, device: Device, *, block_ram: bool = True) -> Cost:
    """A RAM with one write and one synchronous read port (line buffer, FIFO ring): flip-flops
    and multiplexers, LUT RAM (Xilinx RAM32M: 32 x 6, RAM64M: 64 x 3, RAM128X1D: 128 x 1, each
    four LUT sites) or block RAM, whichever memory_libmap finds cheapest; the registered read
    adds `width` flip-flops in every case. Without ``block_ram`` (a read whose register also
    takes another source, as lowbit_fifo's head: block RAMs read into their own register only)
    iCE40, which has no LUT RAM, builds it in logic, as Yosys did for the FIFOs of the narrow
    dense chains (tfc_w1a1: 18 x 4 and 66 x 1 took no RAM4K)."""
    fab = device.fabric
    assert fab is not None
    bits = depth * width
    if _lut_inputs(fab.family) == 4:
        # Flip-flops with an enable, a write decode per word, a 2:1 LUT4 per bit and word of
        # the read multiplexer (LUT4s, not scaled: tfc_w1a1's narrow units and FIFOs on iCE40).
        logic = Cost(mem_luts=(depth - 1) * width + depth if depth > 1 else 0, ffs=bits)
    else:
        logic = Cost(luts=bits * _mux_luts(depth) / depth, ffs=bits)
    options: list[tuple[float, Cost]] = [(bits * RAM_LOGIC_COST, logic)]
    if fab.family in (Family.XILINX7, Family.XILINXUS) and depth <= 128:
        per = 6 if depth <= 32 else 3 if depth <= 64 else 1
        cells = ceil(width / per)
        options.append((cells * LUTRAM_COST, Cost(mem_luts=4 * cells)))
    if fab.family is Family.ECP5 and depth <= 16:  # TRELLIS_DPR16X4: 16 x 4, cost 4
        cells = ceil(width / 4)
        options.append((cells * 4, Cost(mem_luts=4 * cells)))
    if depth > 2 and (block_ram or fab.family is not Family.ICE40):
        cost, blocks = _bram_choice(depth, width, fab.bram, fab.family)
        options.append((cost, Cost(brams=blocks)))
    return min(options, key=lambda o: o[0])[1] + Cost(ffs=width)


def _depth_mux_luts(depth: int, width: int, block: RamBlock, family: Family) -> int:
    """Block RAMs stacked in depth (the geometry with the fewest blocks) need an output
    multiplexer per bit: a LUT4 per 2:1 step, or a LUT6 per 4:1 (MUXF7/F8 join four)."""
    best = min(((ceil(depth / d) * ceil(width / w), ceil(depth / d)) for d, w in block.modes))
    splits = best[1]
    if splits <= 1:
        return 0
    return width * (splits - 1) if _lut_inputs(family) == 4 else width * ceil(splits / 4)


def _mux_luts(depth: int) -> float:
    """LUT6s of a depth:1 read multiplexer per bit (a LUT6 is a 4:1 mux, MUXF7/F8 free)."""
    return 0 if depth <= 1 else ceil(depth / 4) if depth > 4 else 1


def _lut_inputs(family: Family) -> int:
    return 4 if family in (Family.ICE40, Family.ECP5) else 6
