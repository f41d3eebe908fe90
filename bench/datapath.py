"""The binary datapath in LUTs per lane, from Yosys `synth_xilinx` (with and without -abc9), built
from the library's own Verilog: lowbit_mvu with XNOR lanes (EW = 0, WB = 1), one threshold per
channel (MODE 0, NT = 1), fan-in K = 576 (a 3x3x64 convolution) folded over SF = 9 steps of
SIMD = 64 lanes, C = 64 channels, so a PW = 10-bit accumulator.

* datapath: the lanes as the issue counts them: XNOR, popcount tree, pipeline registers,
  accumulator and threshold compare, with the constant threshold table and its fold counter. The
  rest of the unit is cut away with Yosys `expose -input`: the weight memory (the weight word is
  a port), the K-bit input buffer, the issue counters and the output assembly and FIFO.
* whole unit: lowbit_mvu as the compiler instantiates it, minus only the weight memory; the
  K-bit input buffer and its rotation are per unit, shared by all PE rows.
* whole unit, narrow: the same with NARROW = 1: 64-bit beats (one fold), the vector kept for the
  channel folds after the first in a RAM of SF = 9 words x 64 bits (Xilinx LUT RAM).
* popcount alone: 64 XNORs and their count, combinational, against the issue's anchor, a naive
  XNOR + adder-chain popcount written inline here (137 LUTs with -abc9 in the issue).

LUTs are LUT sites: LUT1..LUT6 and the LUT RAM (also listed apart; a RAM32M is four sites, as
backends/eda/synth_stats.py counts them); MUXF7/MUXF8 are listed apart; FFs are the FD* cells. Writes
bench/results_datapath.json and the README table between the datapath-table markers.

    .venv/bin/python bench/datapath.py [--lib DIR] [--no-readme]
    .venv/bin/python bench/datapath.py --check unit-small   # one self-check of the wrappers, no figures

The self-checks (`--check`, run by tests/hw/test_datapath_bench.py) keep the wrappers valid
designs and the cut signals present as the library changes.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, machine, replace_table

from lowbitc.backends.eda.synth_stats import figures
from lowbitc.backends.target.devices import Family
from lowbitc.dialects.rtl.mvu import MVUInstanceOp

LIB = ROOT / "backends" / "verilog" / "lib"
LIB_FILES = ("lowbit_functions.vh", *MVUInstanceOp.LIBRARY_FILES)
FLOWS = {"synth_xilinx": "", "synth_xilinx -abc9": "-abc9"}
HEADLINE = "datapath, PE 1 x SIMD 64"

# Where the datapath is cut from the rest of lowbit_mvu (flattened instance u): g_wide.slice is
# the (NARROW = 0) issue stage's fold slice of the input vector (it feeds the lane register s1), v1 .. fin1 the
# step flags of the issue stage, ofifo_ready the output FIFO's ready; blk and blk_v (the
# threshold results and their valid) become outputs. Everything that only feeds the cut inputs
# (input buffer, rotation, counters) or only reads the outputs (assembly, FIFO) is then unused.
CUT_INPUTS = ("g_wide.slice", "v1", "first1", "last1", "fin1", "ofifo_ready")
CUT_OUTPUTS = ("blk", "blk_v")


@dataclass(frozen=True)
class Unit:
    K: int
    C: int
    PE: int
    SIMD: int
    NARROW: int = 0

    @property
    def in_width(self) -> int:
        """Input beat bits: one fold (NARROW = 1) or a whole vector."""
        return self.SIMD if self.NARROW else self.K

    @property
    def PW(self) -> int:
        return (self.K + 1).bit_length()  # clog2(K + 2): 0..K and the never-firing K + 1

    @property
    def lanes(self) -> int:
        return self.PE * self.SIMD

    def thresholds(self) -> int:
        """THRESH: one random threshold in 0..K+1 per channel (a fixed draw, so reruns match)."""
        rnd = random.Random(576)
        return sum(rnd.randint(0, self.K + 1) << (c * self.PW) for c in range(self.C))

    def instance(self, ports: str) -> str:
        params = (
            f".K({self.K}), .C({self.C}), .PE({self.PE}), .SIMD({self.SIMD}), .MODE(0), "
            f".THRESH({self.C * self.PW}'h{self.thresholds():x})"
        )
        if self.NARROW:
            params += f", .NARROW({self.NARROW})"

        return f"  lowbit_mvu #({params}) u (\n{ports});\n"


def unit_top(u: Unit) -> str:
    """The whole unit; the weight word is a port, so the weight memory is outside."""
    nf_sf = (u.C // u.PE) * (u.K // u.SIMD)
    adw = max(1, (nf_sf - 1).bit_length())
    ports = (
        "    .clk(clk), .rst(rst), .in_tdata(in_tdata), .in_tvalid(in_tvalid), .in_tready(in_tready),\n"
        "    .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready),\n"
        "    .wmem_addr(wmem_addr), .wmem_en(wmem_en), .wmem_data(wmem_data)"
    )
    return (
        f"module top (input wire clk, input wire rst,\n"
        f"  input wire [{u.in_width - 1}:0] in_tdata, input wire in_tvalid, output wire in_tready,\n"
        f"  output wire [{u.C - 1}:0] out_tdata, output wire out_tvalid, input wire out_tready,\n"
        f"  output wire [{adw - 1}:0] wmem_addr, output wire wmem_en, input wire [{u.lanes - 1}:0] wmem_data);\n"
        + u.instance(ports)
        + "endmodule\n"
    )


def datapath_top(u: Unit) -> str:
    """The unit with its stream ports tied off; `expose` (CUT_*) supplies the datapath's
    inputs and outputs instead."""
    ports = (
        f"    .clk(clk), .rst(rst), .in_tdata({{{u.K}{{1'b0}}}}), .in_tvalid(1'b0), .in_tready(),\n"
        "    .out_tdata(), .out_tvalid(), .out_tready(1'b1), .wmem_addr(), .wmem_en(), .wmem_data(wmem_data)"
    )
    return (
        f"module top (input wire clk, input wire rst, input wire [{u.lanes - 1}:0] wmem_data);\n"
        + u.instance(ports)
        + "endmodule\n"
    )


def cut_script() -> str:
    names = CUT_INPUTS + CUT_OUTPUTS
    # A renamed signal must fail loudly rather than silently measure something else.
    checks = "".join(f"select -assert-count 1 w:u.{n}; " for n in names)
    ins = " ".join(f"w:u.{n}" for n in CUT_INPUTS)
    outs = " ".join(f"w:u.{n}" for n in CUT_OUTPUTS)
    return f"hierarchy -top top; proc; flatten; {checks}expose -input {ins}; expose {outs}; "


def popcount_top(lib_text: str) -> str:
    """64 XNOR lanes and their count through the library's counter (or, in a library from
    before lowbit_mvu_count, its popcount)."""
    if "module lowbit_mvu_count" in lib_text:
        body = "  lowbit_mvu_count #(.N(64), .W(7), .OP(1)) u (.a(a), .b(w), .y(y));\n"
    else:
        body = "  lowbit_mvu_popcount #(.N(64), .W(7)) u (.x(~(a ^ w)), .y(y));\n"
    return "module top (input wire [63:0] a, input wire [63:0] w, output wire [6:0] y);\n" + body + "endmodule\n"


# The anchor: XNOR + adder-chain popcount of 64 bits, as one would write it naively.
ANCHOR = """module top (input wire [63:0] a, input wire [63:0] w, output reg [6:0] y);
    integer i;
    always @* begin
        y = 7'd0;
        for (i = 0; i < 64; i = i + 1) y = y + {6'd0, ~(a[i] ^ w[i])};
    end
endmodule
"""


def library_args(lib: Path) -> str:
    """read_verilog's arguments for the library files: the modules as sources, the headers
    (*.vh) found through the include path."""
    return f"-I{lib} " + " ".join(str(lib / f) for f in LIB_FILES if f.endswith(".v"))


def synth(top: str, flow: str, lib: Path | None, prep: str = "") -> dict[str, int]:
    """Cell counts of the whole design (kept sub-modules included) after synth_xilinx."""
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "top.v").write_text(top)
        files = library_args(lib) if lib else ""
        script = (
            f"read_verilog {files} {d}/top.v; {prep}synth_xilinx -top top -flatten {FLOWS[flow]}; "
            f"tee -q -o {d}/stat.json stat -json -top top"
        )
        r = subprocess.run(["yosys", "-q", "-p", script], capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(f"yosys failed ({flow}):\n{(r.stdout + r.stderr)[-3000:]}")
        cells = json.loads((Path(d) / "stat.json").read_text())["design"]["num_cells_by_type"]
    fig = figures(cells, Family.XILINX7)
    return {
        "luts": fig.lut_sites,
        "lutram": fig.lutram,
        "ffs": sum(n for k, n in cells.items() if k.startswith("FD")),
        "carry4": cells.get("CARRY4", 0),
        "muxf": cells.get("MUXF7", 0) + cells.get("MUXF8", 0),
    }


def measure(lib: Path) -> list[dict]:
    lib_text = "".join((lib / f).read_text() for f in LIB_FILES)
    designs = [
        (HEADLINE, 64, datapath_top(Unit(576, 64, 1, 64)), lib, cut_script()),
        ("datapath, PE 4 x SIMD 64", 256, datapath_top(Unit(576, 64, 4, 64)), lib, cut_script()),
        ("whole unit, PE 1 x SIMD 64", 64, unit_top(Unit(576, 64, 1, 64)), lib, ""),
        ("whole unit, PE 4 x SIMD 64", 256, unit_top(Unit(576, 64, 4, 64)), lib, ""),
        ("whole unit, narrow, PE 1 x SIMD 64", 64, unit_top(Unit(576, 64, 1, 64, NARROW=1)), lib, ""),
        ("whole unit, narrow, PE 4 x SIMD 64", 256, unit_top(Unit(576, 64, 4, 64, NARROW=1)), lib, ""),
        ("popcount alone: 64 XNOR + lowbit_mvu_count", 64, popcount_top(lib_text), lib, ""),
        ("popcount alone: anchor, 64 XNOR + adder chain", 64, ANCHOR, None, ""),
    ]
    rows = []
    for name, lanes, top, dlib, prep in designs:
        row: dict = {"design": name, "lanes": lanes}
        for flow in FLOWS:
            counts = synth(top, flow, dlib, prep)
            row[flow] = counts | {"luts_per_lane": round(counts["luts"] / lanes, 3)}
            print(f"{name:48s} {flow:20s} {counts}", flush=True)
        rows.append(row)
    return rows


def worst_flow(row: dict) -> str:
    return max(FLOWS, key=lambda f: row[f]["luts"])


def table(result: dict) -> str:
    lines = [
        f"Measured by `bench/datapath.py` on {result['machine']}, {result['yosys']}: lowbit_mvu with XNOR "
        "lanes, K = 576 folded over 9 steps, C = 64 channels, 10-bit accumulator, one threshold per channel; "
        "weight memory excluded. *datapath* is XNOR, popcount tree, pipeline registers, accumulator and "
        "threshold compare (with the threshold table); *whole unit* adds the 576-bit input buffer, the "
        "issue counters and the output FIFO; *narrow* takes one 64-bit fold per beat and keeps the vector "
        "in a 9 x 64 RAM (LUT RAM) instead. LUTs are LUT sites, LUT RAM included (its share listed apart).",
        "",
        "| design | lanes | LUTs synth_xilinx | LUTs -abc9 | LUTs/lane (worse flow) | LUT RAM | FFs | CARRY4 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        a, b = (r[f] for f in FLOWS)
        worst = r[worst_flow(r)]
        lines.append(
            f"| {r['design']} | {r['lanes']} | {a['luts']} | {b['luts']} | {worst['luts_per_lane']:.2f} | "
            f"{a['lutram']} | {a['ffs']} | {a['carry4']} |"
        )
    return "\n".join(lines)


def ensure_markers(readme: Path) -> None:
    """Add a Datapath subsection with the table markers to the Measured section (after the
    interpreter table, else before the Layout section, else at the end)."""
    text = readme.read_text()
    if "<!-- datapath-table -->" in text:
        return
    section = (
        "\nDatapath: LUTs per binary lane of the matrix-vector unit (target: 2.0 or below; the lanes are\n"
        "`lowbit_mvu_count`: LUT6 three-lane counters summed on carry chains):\n\n"
        "<!-- datapath-table -->\n(not measured yet)\n<!-- /datapath-table -->\n"
    )
    after = "<!-- /interpreter-table -->\n"
    if after in text:
        at = text.index(after) + len(after)
    else:
        at = text.find("\n## Layout") + 1 if "\n## Layout" in text else len(text)
    readme.write_text(text[:at] + section + text[at:])


SMALL = Unit(K=24, C=4, PE=2, SIMD=8)
"""The same wrapper code as the measured units, a faster build."""
CHECKS = ("unit-small", "unit-bench", "unit-narrow", "popcount", "cut")


def check(name: str) -> None:
    """One self-check: a wrapper lints clean in Verilator (`unit-*`, `popcount`), or the `expose`
    cut runs on the flattened small unit and finds every cut signal (`cut`)."""
    from lowbitc.backends.runtime.sim.verilator import lint
    from lowbitc.backends.verilog.library import library_sources

    lib = {f: text for f, text in library_sources().items() if f in LIB_FILES}
    if name == "unit-small":
        lint(lib | {"top.v": unit_top(SMALL)}, "top")
    elif name == "unit-bench":
        lint(lib | {"top.v": unit_top(Unit(576, 64, 1, 64))}, "top")
    elif name == "unit-narrow":
        lint(lib | {"top.v": unit_top(Unit(576, 64, 4, 64, NARROW=1))}, "top")
    elif name == "popcount":
        lint(lib | {"top.v": popcount_top("module lowbit_mvu_count")}, "top")
        lint({"top.v": ANCHOR}, "top")
    else:
        if shutil.which("yosys") is None:
            raise SystemExit("yosys not found: apt-get install -y yosys")
        files = " ".join(str(LIB / f) for f in LIB_FILES)
        with tempfile.TemporaryDirectory() as d:
            top = Path(d) / "top.v"
            top.write_text(datapath_top(SMALL))
            script = f"read_verilog {files} {top}; {cut_script()}"
            r = subprocess.run(["yosys", "-q", "-p", script], capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(f"the datapath cut failed:\n{r.stdout + r.stderr}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", type=Path, default=LIB, help="RTL library folder (default: backends/verilog/lib)")
    ap.add_argument("--no-readme", action="store_true", help="do not rewrite the README table")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results_datapath.json")
    ap.add_argument("--check", choices=CHECKS, help="run one self-check of the wrappers instead of measuring")
    args = ap.parse_args()
    if args.check:
        check(args.check)
        print(f"datapath check {args.check}: ok")
        return
    if shutil.which("yosys") is None:
        raise SystemExit("yosys not found: apt-get install -y yosys")
    version = subprocess.run(["yosys", "-V"], capture_output=True, text=True, check=True).stdout.strip()
    rows = measure(args.lib.resolve())
    by_name = {r["design"]: r for r in rows}
    head, anchor = by_name[HEADLINE], rows[-1]
    flow = worst_flow(head)
    result = {
        "machine": machine(),
        "yosys": version.split(" (")[0],
        "lib": str(args.lib.resolve().relative_to(ROOT)) if args.lib.resolve().is_relative_to(ROOT) else str(args.lib),
        "lowbitc": {
            "design": HEADLINE,
            "flow": flow,
            "luts": head[flow]["luts"],
            "luts_per_lane": head[flow]["luts_per_lane"],
        },
        "anchor": {
            "design": anchor["design"],
            "flow": flow,
            "luts": anchor[flow]["luts"],
            "luts_per_lane": anchor[flow]["luts_per_lane"],
        },
        "rows": rows,
    }
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    if not args.no_readme:
        ensure_markers(ROOT / "README.md")
        replace_table("datapath-table", table(result))


if __name__ == "__main__":
    main()
