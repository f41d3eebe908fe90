"""Reading Yosys's output: `stat -json` into resource figures per module and per top-level
instance, for each device family's primitives. Pure functions on text, tested on saved output.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, fields

from lowbitc.backends.target.devices import Family

# Primitive -> (figure, amount), per family. LUT-based RAMs count the LUT sites they occupy
# (UG474 "7 Series FPGAs CLB", distributed RAM and SRL configurations); an ECP5 CCU2C holds two
# LUT4s besides its carry bits, and a TRELLIS_DPR16X4 stores its 64 bits in four LUT4s.
_XILINX = {
    **{f"LUT{n}": ("luts", 1) for n in range(1, 7)},
    **{p: ("lutram", 1) for p in ("SRL16E", "SRLC16E", "SRLC32E", "RAM32X1S", "RAM64X1S")},
    **{p: ("lutram", 2) for p in ("RAM32X1D", "RAM64X1D", "RAM128X1S")},
    **{p: ("lutram", 4) for p in ("RAM128X1D", "RAM256X1S", "RAM32M", "RAM64M")},
    **{p: ("lutram", 8) for p in ("RAM32M16", "RAM64M8", "RAM256X1D", "RAM512X1S")},
    **{p: ("ffs", 1) for p in ("FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE")},
    **{p: ("brams", 1.0) for p in ("RAMB36E1", "RAMB36E2", "FIFO36E1", "FIFO36E2")},
    **{p: ("brams", 0.5) for p in ("RAMB18E1", "RAMB18E2", "FIFO18E1", "FIFO18E2")},
    **{p: ("spram", 1) for p in ("URAM288", "URAM288_BASE")},
    **{p: ("dsps", 1) for p in ("DSP48E1", "DSP48E2")},
    **{p: ("carry", 1) for p in ("CARRY4", "CARRY8")},
}
_ICE40 = {
    "SB_LUT4": ("luts", 1),
    "SB_CARRY": ("carry", 1),
    "SB_SPRAM256KA": ("spram", 1),
    "SB_MAC16": ("dsps", 1),
    **{f"SB_RAM40_4K{s}": ("brams", 1) for s in ("", "NR", "NW", "NRNW")},
    **{
        f"SB_DFF{s}": ("ffs", 1)
        for s in (
            "",
            "E",
            "SR",
            "R",
            "SS",
            "S",
            "ESR",
            "ER",
            "ESS",
            "ES",
            "N",
            "NE",
            "NSR",
            "NR",
            "NSS",
            "NS",
            "NESR",
            "NER",
            "NESS",
            "NES",
        )
    },
}
_ECP5 = {
    "LUT4": ("luts", 1),
    "CCU2C": ("luts", 2),
    "TRELLIS_DPR16X4": ("lutram", 4),
    "TRELLIS_FF": ("ffs", 1),
    "DP16KD": ("brams", 1),
    "PDPW16KD": ("brams", 1),
    "MULT18X18D": ("dsps", 1),
}
PRIMITIVES: dict[Family, dict[str, tuple[str, float]]] = {
    Family.XILINX7: _XILINX,
    Family.XILINXUS: _XILINX,
    Family.ICE40: _ICE40,
    Family.ECP5: _ECP5,
}
CARRY_EXTRA = {"CCU2C": 1}  # ECP5: a CCU2C is two carry bits on top of its two LUT4s


@dataclass(frozen=True)
class Figures:
    """Resources of a netlist or part of one. `luts` are logic LUT sites (LUT6 on Xilinx, LUT4
    on iCE40 and ECP5, carry cells' LUTs included on ECP5); `lutram` LUT sites used as memory
    or shift registers; `brams` block RAMs (Xilinx in RAMB36 units, a RAMB18 counting 0.5;
    iCE40 and ECP5 EBRs); `spram` the large single-port RAMs (iCE40 SPRAM, UltraScale+ URAM);
    `carry` carry cells (CARRY4/CARRY8, SB_CARRY, CCU2C)."""

    luts: int = 0
    lutram: int = 0
    ffs: int = 0
    brams: float = 0.0
    spram: int = 0
    dsps: int = 0
    carry: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def scaled(self, n: int) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) * n for f in fields(self)})

    @property
    def lut_sites(self) -> int:
        """LUTs as the device counts them: logic plus memory."""
        return self.luts + self.lutram

    def as_dict(self) -> dict:
        return asdict(self)


def figures(cells: dict[str, int], family: Family) -> Figures:
    """Figures of a netlist with these primitive counts; other cells (I/O and clock buffers,
    wide-function muxes) are not counted."""
    table = PRIMITIVES[family]
    acc: dict[str, float] = Counter()
    for cell, n in cells.items():
        if cell in table:
            name, amount = table[cell]
            acc[name] += n * amount
        if family is Family.ECP5 and cell in CARRY_EXTRA:
            acc["carry"] += n * CARRY_EXTRA[cell]
    return Figures(**{k: (float(v) if k == "brams" else int(v)) for k, v in acc.items()})


def _name(ident: str) -> str:
    """A module or cell name as Yosys prints it, without RTLIL's leading backslash."""
    return ident[1:] if ident.startswith("\\") else ident


def parse_stat_json(text: str) -> dict[str, dict[str, int]]:
    """{module: {cell type: count}} from `stat -json` output. Yosys 0.23 prints the design
    hierarchy as plain text inside the JSON; lines holding no JSON punctuation are dropped."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = json.loads("\n".join(line for line in text.splitlines() if re.search(r'["{}\[\]]', line)))
    return {
        _name(m): {_name(t): n for t, n in info.get("num_cells_by_type", {}).items()}
        for m, info in data["modules"].items()
    }


def flat_cells(modules: dict[str, dict[str, int]], module: str) -> dict[str, int]:
    """Primitive counts of ``module`` with every submodule instance expanded."""
    memo: dict[str, Counter] = {}

    def expand(name: str, stack: tuple[str, ...]) -> Counter:
        if name in memo:
            return memo[name]
        if name in stack:
            raise ValueError(f"recursive module hierarchy through {name}")
        total: Counter = Counter()
        for cell, n in modules[name].items():
            if cell in modules:
                for prim, k in expand(cell, stack + (name,)).items():
                    total[prim] += n * k
            else:
                total[cell] += n
        memo[name] = total
        return total

    return dict(expand(module, ()))


def parse_top_cells(rtlil: str) -> dict[str, str]:
    """{cell name: cell type} of the module in an RTLIL `dump`."""
    return {_name(name): _name(kind) for kind, name in re.findall(r"^\s*cell\s+(\S+)\s+(\S+)\s*$", rtlil, re.M)}


def instance_cells(
    modules: dict[str, dict[str, int]], top: str, cells: dict[str, str]
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Per top-level instance, its primitive counts (submodules expanded), and the top's own
    primitives (glue logic and I/O buffers) that belong to no instance."""
    per = {name: flat_cells(modules, kind) for name, kind in cells.items() if kind in modules}
    own = {kind: n for kind, n in modules[top].items() if kind not in modules}
    return per, own
