"""The max-pools in Yosys `synth_xilinx` (flat, xc7z020, as `lowbitc report --synth` runs it):
lowbit_pool alone, its stream ports as the top's ports, on the pool shapes of the BNN-PYNQ CNV
and a 2-bit one, next to the structural resource model's figures for the same `rtl.pool`.

Columns: LUTs are logic LUTs (LUT1..LUT6), LUT-RAM the LUT sites used as memory (a RAM64M or
RAM32M counts 4), FFs the FD* cells; the model's LUTs are its logic and LUT-RAM sites together.
Writes bench/results_pool.json (only for the repository's own library).

    .venv/bin/python bench/units_pool.py [--lib DIR]     # --lib: another library, e.g. before a change
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from common import ROOT, machine
from units_swg import DEVICE, LIB, wrapped
from xdsl.context import Context
from xdsl.dialects import get_all_dialects
from xdsl.parser import Parser

from lowbitc.backends.analysis.resource_model import family_scale, instance_cost
from lowbitc.backends.eda.synth import synthesize
from lowbitc.backends.eda.tools import tool_version
from lowbitc.backends.target.devices import get_device
from lowbitc.dialects import rtl
from lowbitc.registry import all_dialects

FILES = ("lowbit_pool.v", "lowbit_swg.v", "lowbit_fifo.v")


@dataclass(frozen=True)
class PoolShape:
    """A K x K max-pool of stride S on an H x W x C map of EW-bit elements (ES: signed)."""

    name: str
    C: int
    H: int
    W: int
    K: int = 2
    S: int = 2
    EW: int = 1
    ES: int = 1

    def params(self) -> dict[str, int]:
        return {"C": self.C, "H": self.H, "W": self.W, "K": self.K, "S": self.S, "EW": self.EW, "ES": self.ES}

    def op(self) -> rtl.PoolInstanceOp:
        """The `rtl.pool` the compiler would emit for this shape."""
        pw = self.C * self.EW
        text = (
            "builtin.module {\nrtl.module @accel {\n"
            f"^bb0(%in: !rtl.stream<{pw}>):\n"
            f"%y = rtl.pool %in {{height = {self.H} : i64, width = {self.W} : i64, kernel = {self.K} : i64, "
            f"stride = {self.S} : i64, element_width = {self.EW} : i64, element_signed = {self.ES} : i64}}"
            f" : !rtl.stream<{pw}> -> !rtl.stream<{pw}>\n"
            f"rtl.output %y : !rtl.stream<{pw}>\n}}\n}}"
        )
        ctx = Context()
        for dialect, factory in {**get_all_dialects(), **all_dialects()}.items():
            ctx.register_dialect(dialect, factory)
        module = Parser(ctx, text).parse_module()
        return next(o for o in module.walk() if isinstance(o, rtl.PoolInstanceOp))


SHAPES = (
    PoolShape("cnv pool1 28x28x64", 64, 28, 28),
    PoolShape("cnv pool2 10x10x128", 128, 10, 10),
    PoolShape("2-bit 28x28x64 signed", 64, 28, 28, EW=2),
)


def measure(shape: PoolShape, lib: Path) -> dict:
    """Yosys' figures for lowbit_pool on ``shape`` and the resource model's."""
    device = get_device(DEVICE)
    pw = shape.C * shape.EW
    fig = synthesize(wrapped("lowbit_pool", FILES, shape.params(), (pw, pw), lib), "top", device, flat=True).total
    model = family_scale(instance_cost(shape.op(), device), device)
    row = asdict(shape) | {
        "yosys": asdict(fig),
        "model": {"luts": round(model.luts), "ffs": round(model.ffs), "brams": model.brams},
    }
    print(f"{shape.name:24s} yosys {fig}  model {row['model']}", flush=True)
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| pool | Yosys LUTs | Yosys LUT-RAM | Yosys FFs | model LUTs (+ LUT-RAM) | model FFs |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        y, m = r["yosys"], r["model"]
        lines.append(f"| {r['name']} | {y['luts']} | {y['lutram']} | {y['ffs']} | {m['luts']} | {m['ffs']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", type=Path, default=LIB, help="RTL library folder (default: backends/verilog/lib)")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results_pool.json")
    args = ap.parse_args()
    lib = args.lib.resolve()
    rows = [measure(s, lib) for s in SHAPES]
    if lib == LIB:
        result = {"machine": machine(), "yosys": tool_version("yosys"), "device": DEVICE, "rows": rows}
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
