"""The window generators in Yosys `synth_xilinx` (flat, xc7z020, as `lowbitc report --synth` runs
it): lowbit_swg (a whole window per beat, its history in registers) against lowbit_swg_ram (the
pixels in a RAM, G elements per beat) on the window shapes of the BNN-PYNQ CNV, each unit alone
with its stream ports as the top's ports.

Columns: LUTs are logic LUTs (LUT1..LUT6), LUT-RAM the LUT sites used as memory (a RAM64M or
RAM32M counts 4), FFs the FD* cells, RAMB36 the block RAMs in RAMB36 units (a RAMB18 is 0.5);
per lane divides by the consumer's lanes, G elements of EW bits per cycle (SIMD = G*EW), per
stream bit by the generator's output width. Writes bench/results_swg.json.

    .venv/bin/python bench/units_swg.py [--lib DIR] [--shape NAME] [--ram-style 0|1|2]
    .venv/bin/python bench/units_swg.py --check     # the wrappers lint clean, no figures
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from common import ROOT, machine

from lowbitc.backends.eda.synth import synthesize
from lowbitc.backends.eda.tools import tool_version
from lowbitc.backends.target.devices import get_device
from lowbitc.backends.verilog.library import inline_includes

LIB = ROOT / "backends" / "verilog" / "lib"
DEVICE = "xc7z020"
MODULE_FILES = {
    "lowbit_swg": ("lowbit_swg.v", "lowbit_fifo.v"),
    "lowbit_swg_ram": ("lowbit_swg_ram.v", "lowbit_fifo.v"),
}


@dataclass(frozen=True)
class Shape:
    """A 3x3 (or KxK) stride-1 window on an H x W x C map of EW-bit elements, read G at a time."""

    name: str
    C: int
    EW: int
    H: int
    W: int
    G: int
    K: int = 3

    def params(self, module: str, ram_style: int = 0) -> dict[str, int]:
        p = {"C": self.C, "EW": self.EW, "H": self.H, "W": self.W, "KH": self.K, "KW": self.K, "SH": 1, "SW": 1}
        return p | ({"G": self.G, "RAM_STYLE": ram_style} if module == "lowbit_swg_ram" else {})

    def out_width(self, module: str) -> int:
        return self.K * self.K * self.C * self.EW if module == "lowbit_swg" else self.G * self.EW


SHAPES = (
    Shape("conv0 32x32x3 EW8", 3, 8, 32, 32, G=3),
    Shape("conv1 30x30x64", 64, 1, 30, 30, G=32),
    Shape("conv1 30x30x64", 64, 1, 30, 30, G=64),
    Shape("conv3 14x14x64", 64, 1, 14, 14, G=64),
    Shape("conv3 12x12x128", 128, 1, 12, 12, G=16),
    Shape("conv3 12x12x128", 128, 1, 12, 12, G=32),
    Shape("conv5 5x5x128", 128, 1, 5, 5, G=8),
    Shape("conv5 3x3x256", 256, 1, 3, 3, G=32),
    Shape("conv5 3x3x256", 256, 1, 3, 3, G=16),
)


def wrapped(module: str, files: tuple[str, ...], params: dict[str, int], widths: tuple[int, int], lib: Path) -> str:
    """One Verilog text: a top `top` around ``module`` with ``params``, its stream ports of
    ``widths`` (in, out) bits as the top's ports, and the library ``files`` it needs, headers
    inlined (as the emitter writes a design)."""
    library = {p.name: p.read_text() for p in lib.iterdir() if p.suffix in (".v", ".vh")}
    text = ", ".join(f".{k}({v})" for k, v in params.items())
    iw, ow = widths
    top = (
        f"module top (input wire clk, input wire rst,\n"
        f"  input wire [{iw - 1}:0] in_tdata, input wire in_tvalid, output wire in_tready,\n"
        f"  output wire [{ow - 1}:0] out_tdata, output wire out_tvalid, input wire out_tready);\n"
        f"  {module} #({text}) u (.clk(clk), .rst(rst), .in_tdata(in_tdata), .in_tvalid(in_tvalid),\n"
        f"    .in_tready(in_tready), .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));\n"
        "endmodule\n"
    )
    return top + "".join(inline_includes(library[f], library) for f in files)


def design(module: str, shape: Shape, lib: Path, ram_style: int = 0) -> str:
    """A window generator on ``shape`` in its top (`wrapped`)."""
    widths = (shape.C * shape.EW, shape.out_width(module))
    return wrapped(module, MODULE_FILES[module], shape.params(module, ram_style), widths, lib)


def measure(shape: Shape, lib: Path, ram_style: int = 0) -> dict:
    """Both generators on ``shape``: figures, per lane of the consumer (G*EW bits a cycle), and per
    bit of the generator's output stream; lowbit_swg_ram with RAM_STYLE ``ram_style``."""
    row: dict = asdict(shape) | {"ram_style": ram_style}
    lanes = shape.G * shape.EW
    for module in MODULE_FILES:
        fig = synthesize(design(module, shape, lib, ram_style), "top", get_device(DEVICE), flat=True).total
        width = shape.out_width(module)
        row[module] = asdict(fig) | {
            "stream_bits": width,
            "luts_per_lane": round((fig.luts + fig.lutram) / lanes, 2),
            "ffs_per_lane": round(fig.ffs / lanes, 2),
            "luts_per_stream_bit": round((fig.luts + fig.lutram) / width, 2),
        }
        print(f"{shape.name:22s} G {shape.G:3d} {module:15s} {fig}", flush=True)
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| shape | G | swg LUTs | swg FFs | swg RAMB36 | ram LUTs | ram LUT-RAM | ram FFs | ram RAMB36 "
        "| ram (LUTs + LUT-RAM) / lane |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        a, b = r["lowbit_swg"], r["lowbit_swg_ram"]
        lines.append(
            f"| {r['name']} | {r['G']} | {a['luts'] + a['lutram']} | {a['ffs']} | {a['brams']} | {b['luts']} | "
            f"{b['lutram']} | {b['ffs']} | {b['brams']} | {b['luts_per_lane']} |"
        )
    return "\n".join(lines)


def check(lib: Path) -> None:
    """Every wrapper of both modules lints clean in Verilator (no synthesis)."""
    from lowbitc.backends.runtime.sim.verilator import lint

    for shape in SHAPES:
        for module in MODULE_FILES:
            lint({"top.v": design(module, shape, lib)}, "top")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", type=Path, default=LIB, help="RTL library folder (default: backends/verilog/lib)")
    ap.add_argument("--shape", help="only the shapes whose name contains this")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results_swg.json")
    ap.add_argument("--check", action="store_true", help="lint the wrappers instead of measuring")
    ap.add_argument(
        "--ram-style",
        type=int,
        choices=(0, 1, 2),
        default=0,
        help="lowbit_swg_ram's RAM_STYLE: 0 Yosys's choice (default), 1 LUT RAM, 2 block RAM",
    )
    args = ap.parse_args()
    lib = args.lib.resolve()
    if args.check:
        check(lib)
        print("units_swg check: ok")
        return
    rows = [measure(s, lib, args.ram_style) for s in SHAPES if not args.shape or args.shape in s.name]
    result = {"machine": machine(), "yosys": tool_version("yosys"), "device": DEVICE, "rows": rows}
    if not args.shape and lib == LIB and args.ram_style == 0:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
