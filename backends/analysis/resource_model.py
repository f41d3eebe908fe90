"""The structural resource model: LUTs, flip-flops, block RAMs and DSPs per unit of the
rtl-stage IR and in total, for a device family, as a pure analysis.

Structural: every figure is a count of what the library blocks (`backends/verilog/lib/*.v`)
instantiate for the unit's parameters, one term per piece of hardware, each explained where it
is computed. The unit of logic is the family's own LUT: LUT6 on Xilinx 7-series and
UltraScale+, LUT4 on iCE40 and ECP5, and LUT6-equivalents on Intel (the unit of the device's
`Logic.luts`, ALMs x `lut_equivalent`; `lowbitc report` adds the ALMs). LUTs count every LUT
site, logic and memory (LUT RAM) alike, as a device's utilisation report does.

Memories are mapped as Yosys's `memory_libmap` does (Yosys 0.23, `techlibs/xilinx/
brams_xc4v.txt`, `lutrams_xc5v.txt` and `passes/memory/memory_libmap.cc`): the cheapest of
soft logic (ROMs cost 1/64 per bit, RAMs 1 per bit), LUT RAM (8 per cell) and block RAM
(129 per 18 Kb half, 257 per 36 Kb block, in the geometry that needs the fewest), so the
model places a weight memory in LUTs or block RAM where synthesis does. A ROM in soft logic
costs one LUT per distinct output column (identical columns share one, constant ones and plain
address bits need none; Yosys's opt_merge does the same), times ceil(depth / 64) LUT6 for a
deep column (MUXF7/MUXF8 join up to four for free).

Few constants are calibrated rather than derived, each marked so below: the control flags of a
block (a fixed number of LUTs and FFs beyond its counters, from Yosys `synth_xilinx` on xc7z020
with the corpus of bench/resources.py), the LUTs per adder bit of the integer first layer's
adder tree, and the LUT4-per-LUT6 factors of the LUT4 families (synth_ice40 on digits and TFC,
synth_ecp5 on digits). Intel has no open synthesis flow to check against: its figures are the
LUT6 model's.

DSPs: no library block multiplies (XNOR/AND popcounts, adders, comparators and shifts only),
so every unit needs 0 DSP blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation

from lowbitc.backends.analysis.resource_cells import (
    Cost,
    _lut_inputs,
    adder_luts,
    clog2,
    count_tree_luts,
    ram_cost,
    rom_columns,
    rom_cost,
)
from lowbitc.backends.target.devices import Device, Family
from lowbitc.dialects import rtl
from lowbitc.dialects.rtl import find_top
from lowbitc.dialects.rtl.residual import AddInstanceOp, DupInstanceOp

# -- calibrated constants (Yosys 0.23 synth_xilinx, xc7z020, corpus of bench/resources.py) ----
MVU_CONTROL = (2, 10)
"""LUTs, FFs of lowbit_mvu's issue and fold flags (ibuf_v, in_ready, active, alast, the step
flags of stages 1 and 2) beyond the counter terms in mvu_cost: the median residual of the 23
matrix-vector units of the corpus (calibrated; ABC merges most flag logic into other LUTs)."""
FIFO_CONTROL = (5, 3)
"""LUTs, FFs of lowbit_fifo's handshake: head_v, ready and the ring count (measured: a depth-2
FIFO of W bits is W + 5 LUTs and 2W + 3 FFs)."""
SWG_CONTROL = (26, 6)
"""LUTs, FFs of lowbit_swg's x, y, xc, yc counters, their compares and the run flag beyond the
width terms in swg_cost (calibrated: the median residual of the corpus's window units)."""
NEG_LUTS_PER_ADDER_BIT = 1.3
"""LUTs per adder bit of lowbit_mvu_negtree (calibrated on the corpus's 8-bit first layers):
each node adds two lanes and a correction bit, a three-operand sum that Yosys's alumacc maps
to more than one LUT per bit beside the carry chain."""
LUT4_PER_LUT6 = 1.3
"""LUT4s per LUT6 of logic other than the lanes (calibrated on synth_ice40, digits and TFC):
most of it is adders (one LUT4 and a carry cell per bit, as one LUT6) and multiplexers."""
TREE_LUT4_PER_LUT6 = {Family.ICE40: 1.2, Family.ECP5: 3.6}
"""LUT4s per LUT6 of the lanes' counter trees, whose outputs are functions of 6 inputs: four
LUT4s and the slice multiplexers in principle. Calibrated, each on one design: synth_ecp5 on
digits at 512 lanes (3.6); synth_ice40 on digits and TFC at 32-69 lanes (1.2: with few
counters ABC shares much of their logic)."""


# -- the blocks ------------------------------------------------------------------------------
def fifo_cost(width: int, depth: int, device: Device) -> Cost:
    """lowbit_fifo: depth 1 is a W-bit head register; deeper, a head register fed by a
    2:1 multiplexer (ring or bypass: one LUT per bit) and a ring of depth - 1 entries (a
    register for one entry, else a RAM), plus handshake control."""
    if depth <= 1:
        return Cost(2, width + 2)
    ring = Cost(ffs=width) if depth == 2 else ram_cost(depth - 1, width, device) + Cost(luts=2 * clog2(depth))
    return Cost(luts=width, ffs=width) + ring + Cost(*FIFO_CONTROL)


def mvu_cost(op: rtl.MVUInstanceOp, roms: dict[str, rtl.RomOp], device: Device) -> tuple[Cost, Cost]:
    """lowbit_mvu and its weight ROM: (unit, ROM)."""
    k, c = op.fan_in, op.channels.value.data
    pe, simd = op.fold.pe.data, op.fold.simd.data
    ew, wb, pw = op.input_element_width or 0, op.wb, op.popcount_width.value.data
    es = 1 if op.signed_input else 0
    ps = 1 if op.is_serial else 0
    mode = 0 if op.thresholds is not None else 1
    th = None if op.thresholds is None else _dense(op.thresholds)
    nt = 1 if th is None else th.shape[-1]
    ob = op.ob
    # the Verilog instance pads K to SF x SIMD and C to NF x PE (backends/verilog/instances.py)
    nf, sf = op.fold.folds(c, k)
    k, c = sf * simd, nf * pe
    lw = max(1, ew)
    iw, xw = k * lw, simd * lw
    ta = 1 if mode == 0 and nt == 1 else 0
    aw = pw + ta
    lk = 0 if ew == 0 and wb == 1 else 1 if ew > 0 and wb == 1 and ps == 0 else 2
    # lane sum width RW (lowbit_mvu's header), truncated to AW
    if lk == 0:
        rw = clog2(simd + 1)
    elif lk == 1:
        rw = ew + 1 - es + clog2(simd)
    else:
        rw = min(aw, clog2(simd + 1) + wb + lw)
    sw = min(rw, aw)
    ow = c * ob if mode == 0 else c * pw
    bw = ow // nf

    # Lanes, per PE: the counter tree (XNOR folded into its first level), or the NEG adder tree
    # (SIMD leaves of XE bits, SIMD - 1 adders growing one bit per level), or the bit-plane
    # popcounts (NA x NB AND counters) with their shifted sum.
    if lk == 0:
        lanes = count_tree_luts(simd, sw, 1)
    elif lk == 1:
        xe = ew + 1 - es
        bits, nodes = 0, simd
        for level in range(1, clog2(simd) + 1):  # level l: nodes // 2 adders of XE + l bits
            bits += nodes // 2 * (xe + level)
            nodes = (nodes + 1) // 2
        lanes = round(bits * NEG_LUTS_PER_ADDER_BIT)
        if simd == 1:  # no adder to fold the leaf's XOR into; its sign bit fans into AW - SW bits
            lanes = xe + max(0, aw - sw)
        elif simd % 2:  # the odd last leaf passes level 1 without an adder: its XOR is its own
            lanes += xe
    else:
        na = 1 if ps else lw
        nb = 2 if wb == 1 else wb
        pcw = clog2(simd + 1)
        # heaps: each further term is an adder about as wide as its popcount (the bits below its
        # shift are zero, the ones above only carries), and P - N at the root
        lanes = na * nb * count_tree_luts(simd, pcw, 2) + max(0, na * nb - 1) * (pcw + 2) + rw
    fam = device.fabric.family  # design_cost requires a fabric
    if fam in TREE_LUT4_PER_LUT6:  # the lanes' 6-input functions in LUT4s (logic is scaled later)
        lanes = lanes * TREE_LUT4_PER_LUT6[fam] / LUT4_PER_LUT6
    luts = pe * lanes
    # Accumulator: (first ? acc0 : acc) + lane sum, one LUT per bit beside the carry chain.
    luts += pe * adder_luts(aw)
    ffs = pe * aw
    # Threshold table (TA: the -T words, PE x AW bits; else PE x NT x PW bits) as
    # lowbit_mvu_rom: one LUT6 per distinct, non-trivial column of its NF words.
    if mode == 0:
        assert th is not None
        # A border table [cases, C, NT] is NCASE tables of NF words each (word case*NF + nf).
        blocks = th if th.ndim == 3 else th[None]
        nt = blocks.shape[-1]
        if c > blocks.shape[1]:
            blocks = np.concatenate([blocks, np.zeros((len(blocks), c - blocks.shape[1], nt), blocks.dtype)], axis=1)
        words = len(blocks) * nf
        table = _threshold_table(blocks.reshape(-1, nt), pe, words, aw if ta else pw, ta)
        _, logic = rom_columns(table)
        luts += logic * (ceil(words / 64) if words > 1 else 0)
        if not ta:  # NT comparators of PW bits per channel and the NT-bit count
            luts += pe * nt * adder_luts(pw) + pe * max(1, ceil(nt / 3))
        ffs += clog2(words)  # anf/onf fold counter, or lowbit_mvu_border's table address
        if op.border is not None:
            luts += border_cost(op.border, nf, words)
            ho, wo = op.border.output_hw
            ffs += clog2(ho) + clog2(wo)
    # Issue: the K-element working register cur, loaded from ibuf or the input and rotated by
    # SIMD elements each fold: one LUT (3:1 multiplexer) and two FFs (cur, ibuf) per bit;
    # the stage-1 lane register (SIMD elements) and, with PIPE, the lane sums per PE.
    # LUT4: the rotation makes it a 5-input function, two LUT4s per bit (one without rotation).
    cur = iw if _lut_inputs(fam) == 6 else iw * (2 if sf > 1 else 1)
    ffs += 2 * iw + xw + op.pipe.value.data * pe * sw
    if ps:
        luts += xw  # the plane shift of s1
    # Output: NF - 1 channel folds of assembly (flip-flops with an enable) and the 2-deep FIFO.
    ffs += (nf - 1) * bw
    out = fifo_cost(ow, 2, device)
    # Control: counters addr (clog2(NF*SF) bits) and sf, plus the fixed flags.
    ctl = Cost(MVU_CONTROL[0] + 2 * clog2(nf * sf) + clog2(sf), MVU_CONTROL[1] + clog2(nf * sf) + clog2(sf))
    unit = Cost(luts, ffs, mem_luts=cur) + out + ctl
    rom = rom_cost(_rom_bits(roms[op.rom.root_reference.data]), device)
    return unit, rom


def border_cost(border, nf: int, words: int) -> int:
    """lowbit_mvu_border's LUTs: the (oy, ox) counters (an incrementer and an end compare of
    each), the two case tables (TW-bit words, one LUT6 per bit per 64 rows or columns), and
    the table address: by + bx or address + 1 (an adder with a multiplexer, a LUT per bit)."""
    ho, wo = border.output_hw
    tw = max(1, clog2(words))
    counters = sum(2 * clog2(n) for n in (ho, wo) if n > 1)
    tables = sum(tw * ceil(n / 64) for n in (ho, wo) if n > 1)
    return counters + tables + adder_luts(tw)


def _dense(attr) -> np.ndarray:
    from lowbitc.dialects.lowbit.attributes import numpy_from_dense

    return np.asarray(numpy_from_dense(attr))


def _rom_bits(rom: rtl.RomOp) -> np.ndarray:
    return np.asarray(rom.contents.to_numpy(), dtype=np.uint8)


def _threshold_table(th: np.ndarray, pe: int, nf: int, width: int, ta: int) -> np.ndarray:
    """lowbit_mvu_rom's words as a 0/1 matrix: word nf holds channels nf*PE .. +PE-1, each
    threshold (negated when TA) in ``width`` two's-complement bits."""
    vals = (-th[:, 0] if ta else th.reshape(th.shape[0], -1)).reshape(nf, -1).astype(np.int64)
    vals = vals & ((1 << width) - 1)
    bits = (vals[:, :, None] >> np.arange(width)) & 1
    return bits.reshape(nf, -1).astype(np.uint8)


def swg_cost(c_ew: int, width: int, kh: int, kw: int, device: Device) -> Cost:
    """lowbit_swg: a line buffer of W entries of (KH - 1) x C x EW bits (a RAM, its read
    register included), the window history of KH x (KW - 1) pixels (flip-flops with an
    enable), the 2-deep output FIFO of the KH x KW window, and x/y/xc/yc counters."""
    pw = c_ew
    cost = Cost(ffs=kh * (kw - 1) * pw) + fifo_cost(kh * kw * pw, 2, device)
    if kh > 1:
        cost += ram_cost(width, (kh - 1) * pw, device) if width > 1 else Cost(ffs=(kh - 1) * pw)
    return cost + Cost(SWG_CONTROL[0] + 2 * clog2(width), SWG_CONTROL[1] + clog2(width) + 4)


def pool_cost(op: rtl.PoolInstanceOp, device: Device) -> Cost:
    """lowbit_pool: lowbit_swg with K x K windows, the reduction per channel (bits: an OR of
    K*K bits, ceil((K*K - 1) / 5) LUT6; integers: K*K - 1 comparators and multiplexers of EW
    bits) and a 2-deep FIFO of C x EW bits."""
    k, ew = op.kernel.value.data, op.ew
    cw = op.input.type.width.data
    c = cw // ew
    swg = swg_cost(cw, op.width.value.data, k, k, device)
    # a max node of 2-bit elements is one LUT per bit (4 inputs); wider ones a comparator on
    # the carry chain and a multiplexer, two LUTs per bit
    red = c * max(1, ceil((k * k - 1) / 5)) if ew == 1 else c * (k * k - 1) * ew * (1 if ew <= 2 else 2)
    return swg + Cost(luts=red) + fifo_cost(cw, 2, device)


def unit_cost(op: Operation, roms: dict[str, rtl.RomOp], device: Device, *, weights_on_chip: bool = True) -> Cost:
    """The unit's own hardware (a matrix-vector unit with its weight ROM, unless its weights
    stream from off-chip memory)."""
    if isinstance(op, rtl.MVUInstanceOp):
        unit, rom = mvu_cost(op, roms, device)
        return unit + rom if weights_on_chip else unit
    if isinstance(op, rtl.SWGInstanceOp):
        kh, kw = op.kernel.get_values()
        return swg_cost(op.input.type.width.data, op.width.value.data, kh, kw, device)
    if isinstance(op, rtl.PoolInstanceOp):
        return pool_cost(op, device)
    if isinstance(op, rtl.PadInstanceOp):
        # lowbit_pad: the pixel or zero (one LUT per output bit, feeding the FIFO) and a
        # 2-deep FIFO of the output pixel; oy/ox counters and their compares.
        ow = op.output.type.width.data
        hw = op.height.value.data + op.width.value.data
        return Cost(luts=ow + 10 + 2 * clog2(hw), ffs=clog2(hw) + 4) + fifo_cost(ow, 2, device)
    if isinstance(op, rtl.CollectInstanceOp):
        # lowbit_collect: assembly and output registers (2 x N x WI flip-flops), the output
        # register loaded from asm or the input (one LUT per bit), a beat counter.
        n, wi = op.count.value.data, op.input.type.width.data
        return Cost(luts=n * wi + 4 + clog2(n + 1), ffs=2 * n * wi + clog2(n + 1) + 3)
    if isinstance(op, AddInstanceOp):
        # lowbit_add: per channel an XW-bit adder and (MODE 0) NT constant comparators of XW
        # bits (half a LUT per bit on a carry chain) and the count; a 2-deep output FIFO.
        ch = op.channels.value.data
        ea, eb = op.lhs_width.value.data, op.rhs_width.value.data
        xw = max(ea + 1 - op.lhs_signed.value.data, eb + 1 - op.rhs_signed.value.data) + 1
        luts = ch * adder_luts(xw)
        if op.thresholds is not None:
            nt = _dense(op.thresholds).reshape(ch, -1).shape[1]
            luts += ch * nt * ceil(xw / 2) + ch * nt
        return Cost(luts=luts + 6) + fifo_cost(op.output.type.width.data, 2, device)
    if isinstance(op, rtl.GapInstanceOp):
        # lowbit_gap: per channel an SW-bit accumulator (flip-flops) and its adder with the
        # first-pixel clear folded in, (MODE 0) NT constant comparators of SW bits and the
        # count; a pixel counter; a 2-deep output FIFO.
        ch, sw = op.channels.value.data, op.sum_width.value.data
        luts = ch * adder_luts(sw)
        if op.thresholds is not None:
            nt = _dense(op.thresholds).reshape(ch, -1).shape[1]
            luts += ch * nt * ceil(sw / 2) + ch * nt
        n = clog2(op.pixels.value.data)
        return Cost(luts=luts + n + 4, ffs=ch * sw + n) + fifo_cost(op.output.type.width.data, 2, device)
    return Cost()


def pass_through_cost(op: Operation, device: Device) -> Cost:
    """FIFOs and duplicators (counted at the unit `resources` gives them to)."""
    if isinstance(op, rtl.FifoInstanceOp):
        return fifo_cost(op.output.type.width.data, op.depth.value.data, device)
    if isinstance(op, DupInstanceOp):
        # lowbit_dup as emitted (backends/verilog/instances.py): two 2-deep FIFOs and the
        # input handshake gating.
        w = op.input.type.width.data
        return fifo_cost(w, 2, device) + fifo_cost(w, 2, device) + Cost(2, 0)
    return Cost()


def _family_scale(cost: Cost, device: Device) -> Cost:
    """LUT6 figures into the family's logic unit (see LUT4_PER_LUT6; Intel keeps LUT6
    equivalents, the unit of its capacity in `Logic.luts`)."""
    fab = device.fabric
    assert fab is not None
    factor = LUT4_PER_LUT6 if _lut_inputs(fab.family) == 4 else 1.0
    return Cost(cost.luts * factor + cost.mem_luts, cost.ffs, cost.brams, cost.dsps)


@dataclass(frozen=True)
class DesignCost:
    units: list[Cost]
    """Per unit, in the order and with the indices of `perf.predict`."""
    other: Cost
    """FIFOs belonging to no unit (input straight to output)."""
    total: Cost


def design_cost(module: ModuleOp, device: Device, streamed: frozenset[int] = frozenset()) -> DesignCost:
    """Per-unit and total resources of the rtl-stage ``module`` on ``device`` (which must have
    a fabric). The units in ``streamed`` (`projection.weight_placement`) read their weights
    from off-chip memory: their ROMs are not counted (the DRAM interface and the batch's
    weight buffer are not modelled)."""
    from lowbitc.backends.analysis.resources import PASS_THROUGH, UNIT_OPS, _reader, _writer

    top = find_top(module)
    roms = {op.sym_name.data: op for op in module.ops if isinstance(op, rtl.RomOp)}
    ops = list(top.body.block.ops)
    units = [op for op in ops if isinstance(op, UNIT_OPS)]
    index = {op: i for i, op in enumerate(units)}
    costs = [unit_cost(op, roms, device, weights_on_chip=i not in streamed) for i, op in enumerate(units)]
    other = Cost()
    for op in ops:
        if isinstance(op, PASS_THROUGH):
            owner = next((u for r in op.results if (u := _reader(r)) is not None), None) or _writer(op.operands[0])
            c = pass_through_cost(op, device)
            if owner is None:
                other += c
            else:
                costs[index[owner]] += c
    costs = [_family_scale(c, device).rounded() for c in costs]
    other = _family_scale(other, device).rounded()
    total = other
    for c in costs:
        total += c
    return DesignCost(costs, other, total.rounded())
