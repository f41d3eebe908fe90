"""Target devices: what the passes need (clock, LUT-level delay, a default lane budget) and the
fabric a resource model and synthesis check against (logic cells, flip-flops, block RAMs with
their geometry, DSPs, the off-chip bandwidth of the usual board).

Every figure names its source in a comment: the vendor's data sheet or device overview table,
or, for the few engineering choices (default clocks, LUT-level delays, the ALM-to-LUT factor),
the reasoning behind them. `generic` is an abstract target with no fabric.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from lowbitc.errors import LowbitcError


class Family(Enum):
    """Selects the synthesis flow and the primitives (backends/eda/synth.py)."""

    ICE40 = "ice40"
    ECP5 = "ecp5"
    XILINX7 = "xilinx7"
    XILINXUS = "xilinxus"  # UltraScale+
    INTEL = "intel"


class LogicCell(Enum):
    LUT4 = "LUT4"
    LUT6 = "LUT6"
    ALM = "ALM"  # Intel adaptive logic module: a fracturable 8-input LUT with two adder bits


@dataclass(frozen=True)
class Logic:
    cell: LogicCell
    count: int
    lut_equivalent: float = 1.0
    """LUTs of the family's own size (LUT4 on iCE40/ECP5, LUT6 elsewhere) per cell: 1 for LUT
    cells; for ALMs the LUT6-equivalents stated, with its reason, at the device."""

    @property
    def luts(self) -> int:
        """Capacity in LUTs (LUT6-equivalents for ALM devices)."""
        return int(self.count * self.lut_equivalent)


@dataclass(frozen=True)
class RamBlock:
    """One kind of on-chip RAM block and how many the device has."""

    name: str
    count: int
    bits: int
    """Bits per block, parity/extra bits included."""
    data_bits: int
    """Bits per block in the configurations without parity bits (x1, x2, x4, ...)."""
    modes: tuple[tuple[int, int], ...]
    """(depth, width) configurations of one port; depth x width is `bits` or `data_bits`."""

    @property
    def max_width(self) -> int:
        return max(w for _, w in self.modes)


@dataclass(frozen=True)
class Fabric:
    family: Family
    part: str
    """The part as the vendor tools name it (package and speed grade of the usual board)."""
    logic: Logic
    ffs: int
    rams: tuple[RamBlock, ...]
    """Block RAMs first (the resource `brams` counts), then larger single-port RAMs if any."""
    dsps: int
    """DSP blocks as the vendor counts them (DSP48E1/E2 slices, MAC16s, 18x18 multipliers on
    ECP5, variable-precision DSP blocks on Intel)."""
    board: str
    dram_gbps: float | None
    """Peak off-chip DRAM bandwidth of `board` in GB/s (data bits x transfers/s / 8); None
    when the usual board has no DRAM."""
    package: str = ""
    """nextpnr package name, for the families it places and routes (iCE40)."""

    @property
    def bram(self) -> RamBlock:
        return self.rams[0]

    def capacity(self) -> dict[str, int]:
        """What the resource model's totals are measured against: LUTs (LUT6-equivalents on
        Intel), flip-flops, block RAMs (`bram`'s unit) and DSP blocks."""
        return {"luts": self.logic.luts, "ffs": self.ffs, "brams": self.bram.count, "dsps": self.dsps}


@dataclass(frozen=True)
class Device:
    name: str
    clock_mhz: float
    """Default clock for deeply pipelined LUT logic on this part."""
    lut_level_ns: float
    """Delay of one LUT level plus local routing, for the pipeline pass's depth estimate."""
    default_lanes: int
    """PE x SIMD lanes given to the largest layer when the user sets no folding."""
    fabric: Fabric | None = None
    """None for `generic`, which stands for no particular part."""


# Block RAM geometries ----------------------------------------------------------------------
# Xilinx 7 series RAMB36E1 (UG473 "7 Series FPGAs Memory Resources", chapter 1, port aspect
# ratios: 32Kx1 .. 1Kx36, and 512x72 in simple dual-port mode; 36 Kb with parity, 32 Kb without). UltraScale+
# RAMB36E2 has the same geometry (UG573 "UltraScale Architecture Memory Resources", chapter 1).
RAMB36_MODES = ((32768, 1), (16384, 2), (8192, 4), (4096, 9), (2048, 18), (1024, 36), (512, 72))
# UltraScale+ URAM288: 4K x 72 only (UG573 chapter 2, "UltraRAM").
URAM_MODES = ((4096, 72),)
# iCE40 sysMEM EBR SB_RAM40_4K: 256x16, 512x8, 1024x4, 2048x2 (Lattice TN1250 "Memory Usage
# Guide for iCE40 Devices", EBR configurations); 4 Kb, no parity.
EBR4K_MODES = ((256, 16), (512, 8), (1024, 4), (2048, 2))
# iCE40 UltraPlus SPRAM SB_SPRAM256KA: 16K x 16 (Lattice FPGA-TN-02022 "iCE40 SPRAM Usage Guide").
SPRAM_MODES = ((16384, 16),)
# ECP5 sysMEM EBR DP16KD: 16Kx1, 8Kx2, 4Kx4, 2Kx9, 1Kx18, and 512x36 as PDPW16KD (Lattice
# FPGA-DS-02012 "ECP5 and ECP5-5G Family Data Sheet", table "sysMEM Block Configurations").
EBR18K_MODES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))
# Intel M20K: 512x40/x32, 1Kx20/x16, 2Kx10/x8, 4Kx5/x4, 8Kx2, 16Kx1 (Intel "Arria 10 Core
# Fabric and General Purpose I/Os Handbook", table "Embedded Memory Configurations"; Stratix 10
# "Embedded Memory User Guide", same table).
M20K_MODES = (
    (512, 40),
    (512, 32),
    (1024, 20),
    (1024, 16),
    (2048, 10),
    (2048, 8),
    (4096, 5),
    (4096, 4),
    (8192, 2),
    (16384, 1),
)


def _ramb36(count: int) -> RamBlock:
    return RamBlock("RAMB36", count, 36 * 1024, 32 * 1024, RAMB36_MODES)


def _m20k(count: int) -> RamBlock:
    return RamBlock("M20K", count, 20 * 1024, 16 * 1024, M20K_MODES)


def _ebr4k(count: int) -> RamBlock:
    return RamBlock("EBR", count, 4096, 4096, EBR4K_MODES)


def _ebr18k(count: int) -> RamBlock:
    return RamBlock("EBR", count, 18 * 1024, 16 * 1024, EBR18K_MODES)


# The ALM factor, in LUT6-equivalents per ALM. An ALM holds two adaptive LUTs (ALUTs) of up to
# 6 inputs sharing 8 inputs in all, two full-adder bits and four registers (Intel "Arria 10 Core
# Fabric and General Purpose I/Os Handbook", chapter 1, ALM resources); one ALUT does the work
# of one LUT6 (Yosys's synth_intel_alm for Cyclone 10 GX, the Arria 10 fabric, maps
# digits_bnn_w1a1 to 3,781 ALUTs + 341 arithmetic ALUTs where synth_xilinx needs 3,981 LUT6s +
# 105 CARRY4s), so the factor is how many ALUTs share an ALM: 2 at best (adder trees, which
# use both adder bits), 1 for 6-input functions with unrelated inputs. 1.68 is the vendors' own
# equivalence (Arria 10 GX 1150: 1,150K LEs / 427,200 ALMs = 2.69 LEs per ALM; Xilinx: 1.6 logic
# cells per LUT6, e.g. DS180's 693,120 logic cells / 433,200 LUTs for the XC7VX690T), within
# that range and the safer choice for a capacity.
ALM_LUT6_EQUIVALENT = 1.68

FAMILY_FABRIC = {
    Family.ICE40: (LogicCell.LUT4, 1.0, _ebr4k),
    Family.ECP5: (LogicCell.LUT4, 1.0, _ebr18k),
    Family.XILINX7: (LogicCell.LUT6, 1.0, _ramb36),
    Family.XILINXUS: (LogicCell.LUT6, 1.0, _ramb36),
    Family.INTEL: (LogicCell.ALM, ALM_LUT6_EQUIVALENT, _m20k),
}
"""What a family fixes: its logic cell, that cell's LUT equivalent and its block RAM."""


def _fabric(
    family: Family,
    part: str,
    cells: int,
    ffs: int,
    brams: int,
    dsps: int,
    board: str,
    dram_gbps: float | None,
    larger_rams: tuple[RamBlock, ...] = (),
    package: str = "",
) -> Fabric:
    """A part's `Fabric` from its data-sheet counts: logic cells, flip-flops, block RAMs and DSPs
    of the family's kinds (`FAMILY_FABRIC`), then any larger RAMs; its usual board."""
    cell, lut_equivalent, block_ram = FAMILY_FABRIC[family]
    rams = (block_ram(brams), *larger_rams)
    return Fabric(family, part, Logic(cell, cells, lut_equivalent), ffs, rams, dsps, board, dram_gbps, package)


# Each part's fabric. Figures: the vendor's table cited above each; the board's DRAM bandwidth is
# data bits x transfers/s / 8.
#
# Lattice FPGA-DS-02008 "iCE40 UltraPlus Family Data Sheet", Table 1.1 (Family Selection Guide):
# 5,280 LUT4s; one D flip-flop per logic cell (section 2.2, PLB); 30 EBR blocks of 4 Kb (120 Kb),
# 4 SPRAM blocks of 256 Kb; 8 DSP blocks (SB_MAC16, 16x16 multiply, 32-bit accumulate); SG48 (QFN
# 48) has 39 user I/Os. iCEBreaker and UPduino carry a QSPI flash (16 MB on iCEBreaker), no DRAM.
ICE40_UP5K = _fabric(
    Family.ICE40,
    "iCE40UP5K-SG48",
    5280,
    5280,
    30,
    8,
    "iCEBreaker",
    None,
    larger_rams=(RamBlock("SPRAM", 4, 262144, 262144, SPRAM_MODES),),
    package="sg48",
)
# Lattice FPGA-DS-02012 "ECP5 and ECP5-5G Family Data Sheet", Table 1.1: 84K LUTs, i.e. 41,820
# slices x 2 LUT4 = 83,640 (the count nextpnr-ecp5 reports); each slice has two flip-flops
# (section 2.2, Slices), so flip-flops equal LUTs; 208 sysMEM blocks of 18 Kb (3,744 Kb); 156
# 18x18 multipliers (MULT18X18D). ULX3S (85F variant): 32 MB SDR SDRAM, 16 data bits; at 100 MHz,
# 0.2 GB/s peak (the SDRAM's rating allows more; 100 MHz is an assumption, not a board
# specification).
ECP5_85F = _fabric(Family.ECP5, "LFE5U-85F-8BG381C", 83640, 83640, 208, 156, "ULX3S", 0.2)
# Xilinx DS190 "Zynq-7000 SoC Data Sheet: Overview", device table "Zynq-7000 SoCs": Z-7020:
# 53,200 LUTs, 106,400 flip-flops, 140 block RAMs of 36 Kb (4.9 Mb), 220 DSP slices. PYNQ-Z1
# reference manual (Digilent): 512 MB DDR3, 16-bit bus at 1050 MT/s: 2 bytes x 1.05 GT/s = 2.1 GB/s.
XC7Z020 = _fabric(Family.XILINX7, "xc7z020clg400-1", 53200, 106400, 140, 220, "PYNQ-Z1", 2.1)
# Xilinx DS891 "Zynq UltraScale+ MPSoC Data Sheet: Overview", table "EV Device Feature Summary":
# ZU7EV: 230,400 CLB LUTs, 460,800 CLB flip-flops, 312 block RAMs of 36 Kb (11 Mb), 96 UltraRAM
# blocks of 288 Kb (27 Mb), 1,728 DSP slices. ZCU104 (UG1267 "ZCU104 Board User Guide"): PS-side
# DDR4, 64-bit, 2 GB; the PS DDR controller runs DDR4 at up to 2400 MT/s (DS925): 8 bytes x 2.4
# GT/s = 19.2 GB/s. (The PL-side SODIMM socket is empty as shipped.)
XCZU7EV = _fabric(
    Family.XILINXUS,
    "xczu7ev-ffvc1156-2-e",
    230400,
    460800,
    312,
    1728,
    "ZCU104",
    19.2,
    larger_rams=(RamBlock("URAM288", 96, 288 * 1024, 288 * 1024, URAM_MODES),),
)
# Xilinx DS180 "7 Series FPGAs Data Sheet: Overview", table "Virtex-7 FPGA Feature Summary":
# XC7VX690T: 108,300 slices x 4 = 433,200 LUTs, 866,400 flip-flops, 1,470 block RAMs of 36 Kb
# (52,920 Kb), 3,600 DSP slices. VC709 (UG887 "VC709 Evaluation Board User Guide"): two DDR3
# SODIMMs (4 GB each), 64-bit, 1866 MT/s: 2 x 8 bytes x 1.866 GT/s = 29.9 GB/s.
XC7VX690T = _fabric(Family.XILINX7, "xc7vx690tffg1761-2", 433200, 866400, 1470, 3600, "VC709", 29.9)
# Intel "Arria 10 Device Overview", Table "Maximum Resources of Arria 10 GX Devices" (also the
# Arria 10 GX FPGA Development Kit User Guide, Table 16): GX 1150: 427,200 ALMs, 1,708,800
# registers, 2,713 M20K blocks (54,260 Kb), 1,518 variable-precision DSP blocks (3,036 18x19
# multipliers). Development kit user guide, Table 55 (Daughter Cards): DDR4 HiLo card, x72 (64
# data bits + 8 ECC), 2,666 MT/s: 8 bytes x 2.666 GT/s = 21.3 GB/s.
ARRIA10_GX1150 = _fabric(
    Family.INTEL, "10AX115S2F45I1SG", 427200, 1708800, 2713, 1518, "Arria 10 GX FPGA Development Kit", 21.3
)
# Intel "Stratix 10 GX/SX Device Overview", Table "Stratix 10 GX FPGA Features" (also the Stratix
# 10 GX FPGA Development Kit User Guide, Table 10): GX 2800: 933,120 ALMs, 3,732,480 registers,
# 11,721 M20K blocks (229 Mb), 5,760 variable-precision DSP blocks. Development kit user guide,
# Table 37 (Daughtercards): DDR4 x72 HiLo card (64 data bits), 2,666 MT/s: 8 bytes x 2.666 GT/s =
# 21.3 GB/s.
STRATIX10_GX2800 = _fabric(
    Family.INTEL, "1SG280LU2F50E2VG", 933120, 3732480, 11721, 5760, "Stratix 10 GX FPGA Development Kit", 21.3
)

DEVICES = {
    d.name: d
    for d in (
        Device("generic", 100.0, 1.0, 256),
        # iCE40 UltraPlus UP5K. Clock: 24 MHz is half the on-chip 48 MHz HFOSC and what the
        # iCEBreaker/UPduino designs run at; the slow LUT4 fabric (about 3 ns per LUT level with
        # routing, the lut_level_ns here) makes 24 MHz the safe target for deep logic, checked by
        # nextpnr-ice40 in tests/unit/test_synth.py.
        Device("ice40-up5k", 24.0, 3.0, 32, ICE40_UP5K),
        # ECP5 LFE5U-85F. Clock: 100 MHz; LUT4 + local routing is about 1.5 ns on the -8 grade
        # (nextpnr-ecp5 timing model), and LUT4 logic takes more levels than LUT6 logic.
        Device("ecp5-85f", 100.0, 1.5, 512, ECP5_85F),
        # Zynq-7020. Clock: FINN's PYNQ-Z1 builds run the fabric at 100 MHz (-1 speed grade);
        # one LUT6 level with local routing is about 1 ns on 7-series -1.
        Device("xc7z020", 100.0, 1.0, 512, XC7Z020),
        # Zynq UltraScale+ ZU7EV. Clock: 250 MHz; an UltraScale+ -2 LUT6 level with local
        # routing is about 0.5 ns, so 250 MHz leaves room for ~6 levels per stage.
        Device("xczu7ev", 250.0, 0.5, 2048, XCZU7EV),
        # Virtex-7 VX690T. Clock: 200 MHz, the FINN paper's rate on 7-series -2 parts (ZC706);
        # a 7-series -2 LUT level with routing is about 0.8 ns.
        Device("xc7vx690t", 200.0, 0.8, 4096, XC7VX690T),
        # Arria 10 GX 1150. Clock: 250 MHz, -2 speed grade fabric with registered ALMs; about
        # 0.6 ns per ALM level with local routing.
        Device("arria10-gx1150", 250.0, 0.6, 4096, ARRIA10_GX1150),
        # Stratix 10 GX 2800. Clock: 300 MHz, without relying on Hyperflex retiming (the fabric
        # reaches more with hyper-registers); about 0.5 ns per ALM level with routing.
        Device("stratix10-gx2800", 300.0, 0.5, 8192, STRATIX10_GX2800),
    )
}
# default_lanes beyond xc7z020's 512: scaled by LUT capacity (LUT6-equivalents), rounded down to
# a power of two: ZU7EV 4.3x -> 2048, VX690T 8.1x -> 4096, Arria 10 (ALMs x 1.68) 13.5x -> 4096,
# Stratix 10 29.5x -> 8192; ECP5-85F's 83,640
# LUT4s hold about as much popcount logic as 53,200 LUT6s -> 512.


BOARDS = {
    # The boards the entries above name (their `board`, with the source of each figure there).
    "icebreaker": "ice40-up5k",
    "upduino": "ice40-up5k",  # UPduino v3: the same iCE40UP5K-SG48
    "ulx3s": "ecp5-85f",
    "pynq-z1": "xc7z020",
    # PYNQ-Z2 (TUL "PYNQ-Z2 Reference Manual"): the same XC7Z020-1CLG400C and 512 MB DDR3, 16 bits.
    "pynq-z2": "xc7z020",
    "zcu104": "xczu7ev",
    "vc709": "xc7vx690t",
    "arria10-gx-devkit": "arria10-gx1150",
    "stratix10-gx-devkit": "stratix10-gx2800",
}
"""Board names accepted as `--target`, each an alias of its part."""


def target_names() -> str:
    """The targets for help texts and errors: the parts, then the boards with their part."""
    boards = ", ".join(f"{board} (= {part})" for board, part in BOARDS.items())
    return f"{', '.join(DEVICES)}; boards: {boards}"


def get_device(name: str) -> Device:
    """The device called ``name``: a part, or a board of `BOARDS` (any case)."""
    key = name.lower()
    found = DEVICES.get(name) or DEVICES.get(key) or DEVICES.get(BOARDS.get(key, ""))
    if found is None:
        raise LowbitcError(f"unknown target device '{name}'; choose one of: {target_names()}")
    return found
