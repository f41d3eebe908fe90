"""The structural resource model: LUTs, flip-flops, block RAMs and DSPs per unit of the
rtl-stage IR and in total, for a device family, as a pure analysis.

Structural: every figure is a count of what the library blocks (`backends/verilog/lib/*.v`)
instantiate for the unit's parameters. Each rtl op lists that hardware device-independently as
resource cells (`dialects/rtl/cells.py`, explained where the op builds them); this model prices
each kind of cell per family (`price`) and sums a unit's cells with those of the FIFOs and
duplicators it owns (`rtl.unit_owner`). The unit of logic is the family's own LUT: LUT6 on Xilinx 7-series and
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

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.analysis.resource_cells import (
    Cost,
    _lut_inputs,
    adder_luts,
    count_tree_luts,
    ram_cost,
    rom_columns,
    rom_cost,
)
from lowbitc.backends.target.devices import Device, Family
from lowbitc.dialects.rtl import find_top
from lowbitc.dialects.rtl.cells import (
    Adder,
    AdderTree,
    Cell,
    ConstantTable,
    Control,
    CounterTree,
    Fifo,
    Lanes,
    LineBuffer,
    Logic,
    Registers,
    Rom,
    WorkingRegister,
    clog2,
)
from lowbitc.dialects.rtl.interfaces import HardwareInstance, StreamUnit, unit_owner

# -- calibrated constants (Yosys 0.23 synth_xilinx, xc7z020, corpus of bench/resources.py) ----
MVU_CONTROL = (2, 10)
"""LUTs, FFs of lowbit_mvu's issue and fold flags (ibuf_v, in_ready, active, alast, the step
flags of stages 1 and 2) beyond the counter terms of rtl.mvu's cells: the median residual of the 23
matrix-vector units of the corpus (calibrated; ABC merges most flag logic into other LUTs)."""
FIFO_CONTROL = (5, 3)
"""LUTs, FFs of lowbit_fifo's handshake: head_v, ready and the ring count (measured: a depth-2
FIFO of W bits is W + 5 LUTs and 2W + 3 FFs)."""
SWG_CONTROL = (26, 6)
"""LUTs, FFs of lowbit_swg's x, y, xc, yc counters, their compares and the run flag beyond the
width terms of rtl.swg's cells (calibrated: the median residual of the corpus's window units)."""
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


CONTROL = {
    "lowbit_mvu": MVU_CONTROL,
    "lowbit_swg": SWG_CONTROL,
    "lowbit_pool": (4, 1),
    "lowbit_pad": (10, 4),
    "lowbit_collect": (4, 3),
    "lowbit_add": (6, 0),
    "lowbit_gap": (4, 0),
    "lowbit_dup": (2, 0),
    "lowbit_gearbox": (30, 1),
    "lowbit_gearbox_ds": (6, 2),
}
"""LUTs, FFs of each block's fixed control beyond its counters (`rtl.cells.Control`): the
calibrated flags above, and the handshake and flag logic read from the smaller blocks' Verilog
(lowbit_dup: the input handshake gating; lowbit_gearbox_ds, the deserializing gearbox: its
output valid and run flops and their logic, within one LUT of Yosys on six shapes; lowbit_pool's
row accumulator: the run flag, and the covered, emit, in_tready and in_fire terms)."""


# -- the blocks ------------------------------------------------------------------------------
def fifo_cost(width: int, depth: int, device: Device) -> Cost:
    """lowbit_fifo: depth 1 is a W-bit head register; deeper, a head register fed by a
    2:1 multiplexer (ring or bypass: one LUT per bit) and a ring of depth - 1 entries (a
    register for one entry, else a RAM whose read register is the head, with its read and
    write pointers and its count beyond the handshake's one bit: each an incrementer with a
    wrap or an up/down step), plus handshake control."""
    if depth <= 1:
        return Cost(2, width + 2)
    if depth == 2:
        ring = Cost(ffs=width)
    else:
        counters = 2 * clog2(depth - 1) + clog2(depth) - 1
        ring = ram_cost(depth - 1, width, device, block_ram=False) + Cost(luts=2 * counters, ffs=counters - width)
    return Cost(luts=width, ffs=width) + ring + Cost(*FIFO_CONTROL)


def price(cell: Cell, device: Device, fam: Family) -> Cost:
    """One resource cell (dialects/rtl/cells.py) on ``device``, whose fabric is of family ``fam``."""
    match cell:
        case Logic(luts):
            return Cost(luts=luts)
        case Registers(bits):
            return Cost(ffs=bits)
        case Adder(width, copies):
            return Cost(luts=copies * adder_luts(width))
        case CounterTree(inputs, width, gate, copies):
            return Cost(luts=copies * count_tree_luts(inputs, width, gate.value))
        case AdderTree():
            return Cost(luts=_adder_tree_luts(cell))
        case Lanes(pe, _, _, parts):
            lanes = sum(price(part, device, fam).luts for part in parts)
            if fam in TREE_LUT4_PER_LUT6:  # the lanes' 6-input functions in LUT4s (logic is scaled later)
                lanes = lanes * TREE_LUT4_PER_LUT6[fam] / LUT4_PER_LUT6
            return Cost(luts=pe * lanes)
        case WorkingRegister(bits, rotates):
            # LUT4: the rotation makes it a 5-input function, two LUT4s per bit (one without it).
            return Cost(mem_luts=bits if _lut_inputs(fam) == 6 else bits * (2 if rotates else 1))
        case LineBuffer(depth, width, registered_read):
            if depth <= 1:
                return Cost(ffs=width)
            ram = ram_cost(depth, width, device)  # priced with a read register: drop it for an asynchronous read
            return ram if registered_read else Cost(ram.luts, ram.ffs - width, ram.brams, ram.dsps, ram.mem_luts)
        case Rom(contents):
            return rom_cost(contents, device)
        case ConstantTable(contents):
            # lowbit_mvu_rom: one LUT6 per distinct, non-trivial column of its words (per 64 words);
            # LUT4: one per 16 words and a 2:1 tree joining them (as rom_cost prices logic ROMs)
            words, columns = contents.shape[0], rom_columns(contents)[1]
            if words <= 1:
                return Cost()
            if _lut_inputs(fam) == 4:
                return Cost(mem_luts=columns * (2 * ceil(words / 16) - 1))
            return Cost(luts=columns * ceil(words / 64))
        case Fifo(width, depth):
            return fifo_cost(width, depth, device)
        case Control(block, counter_luts, counter_ffs):
            luts, ffs = CONTROL[block]
            return Cost(luts + counter_luts, ffs + counter_ffs)
    raise TypeError(f"the resource model has no price for {cell!r}")


def _adder_tree_luts(tree: AdderTree) -> int:
    """lowbit_mvu_negtree: SIMD leaves of XE bits, SIMD - 1 adders growing one bit per level."""
    simd, xe = tree.leaves, tree.leaf_bits
    if simd == 1:  # no adder to fold the leaf's XOR into; its sign bit fans into AW - SW bits
        return xe + tree.extension_bits
    bits, nodes = 0, simd
    for level in range(1, clog2(simd) + 1):  # level l: nodes // 2 adders of XE + l bits
        bits += nodes // 2 * (xe + level)
        nodes = (nodes + 1) // 2
    lanes = round(bits * NEG_LUTS_PER_ADDER_BIT)
    return lanes + (xe if simd % 2 else 0)  # the odd last leaf passes level 1 without an adder: its XOR is its own


def instance_cost(op: HardwareInstance, device: Device, *, weights_on_chip: bool = True) -> Cost:
    """The instance's own hardware (a matrix-vector unit with its weight ROM, unless its weights
    stream from off-chip memory), in LUT6 logic until `family_scale`."""
    fab = device.fabric
    assert fab is not None  # design_cost requires a fabric
    total = Cost()
    for cell in op.resource_cells():
        if weights_on_chip or not (isinstance(cell, Rom) and cell.weights):
            total += price(cell, device, fab.family)
    return total


def family_scale(cost: Cost, device: Device) -> Cost:
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
    ops = [op for op in find_top(module).body.block.ops if isinstance(op, HardwareInstance)]
    units = [op for op in ops if isinstance(op, StreamUnit)]
    index = {op: i for i, op in enumerate(units)}
    costs = [instance_cost(op, device, weights_on_chip=i not in streamed) for i, op in enumerate(units)]
    other = Cost()
    for op in ops:
        if not isinstance(op, StreamUnit):
            owner = unit_owner(op)
            c = instance_cost(op, device)
            if owner is None:
                other += c
            else:
                costs[index[owner]] += c
    costs = [family_scale(c, device).rounded() for c in costs]
    other = family_scale(other, device).rounded()
    total = other
    for c in costs:
        total += c
    return DesignCost(costs, other, total.rounded())
