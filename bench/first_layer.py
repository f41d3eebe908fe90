"""The first layer's datapath, measured: an integer unit (8-bit inputs x binary weights,
conditional negate + adder tree) against the bit-serial alternative (8 bit planes through
AND/XNOR-popcount lanes), at equal throughput, in LUTs from Yosys `synth_xilinx`.

The bit-serial side is modelled, in its favour, by the XNOR unit alone processing the 8 planes
of a vector (K*8 bits) at 8x the SIMD, so it takes as many cycles per vector as the integer
unit; the shifts and the signed recombination of the planes it would also need are not
counted. Writes bench/results_first_layer.json.

    .venv/bin/python bench/first_layer.py
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from lowbitc.dialects.rtl.mvu import MVUInstanceOp

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "backends" / "verilog" / "lib"
MVU_FILES = MVUInstanceOp.LIBRARY_FILES

WRAPPER = """module top #(
  parameter integer IW = 8, parameter integer OW = 8, parameter integer AW = 4, parameter integer DW = 8
) (
  input wire clk, input wire rst, input wire [IW-1:0] in_tdata, input wire in_tvalid, output wire in_tready,
  output wire [OW-1:0] out_tdata, output wire out_tvalid, input wire out_tready,
  output wire [AW-1:0] wmem_addr, output wire wmem_en, input wire [DW-1:0] wmem_data);
  lowbit_mvu #({params}) u (.clk(clk), .rst(rst), .in_tdata(in_tdata), .in_tvalid(in_tvalid), .in_tready(in_tready),
    .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready),
    .wmem_addr(wmem_addr), .wmem_en(wmem_en), .wmem_data(wmem_data));
endmodule
"""


def luts(params: dict[str, int], iw: int, ow: int, aw: int, dw: int) -> int:
    with tempfile.TemporaryDirectory() as d:
        top = Path(d) / "top.v"
        top.write_text(WRAPPER.format(params=", ".join(f".{k}({v})" for k, v in params.items())))
        script = (
            f"read_verilog -I{LIB} {' '.join(str(LIB / f) for f in MVU_FILES)} {top}; "
            f"chparam -set IW {iw} -set OW {ow} -set AW {aw} -set DW {dw} top; synth_xilinx -top top -flatten; stat"
        )
        out = subprocess.run(["yosys", "-p", script], capture_output=True, text=True, check=True).stdout
    stat = out[out.rindex("Printing statistics") :]  # the one `stat` at the end
    return sum(int(n) for n in re.findall(r"^\s+LUT\d\s+(\d+)", stat, flags=re.M))


def main() -> None:
    if shutil.which("yosys") is None:
        raise SystemExit("yosys not found: apt-get install -y yosys")
    k, c, ew = 27, 64, 8
    rows = []
    for pe, simd in ((4, 9), (8, 27)):
        cycles = (c // pe) * (k // simd)
        nfsf = cycles
        aw = max(1, (nfsf - 1).bit_length())
        pw_int = ew + k.bit_length()
        integer = luts(
            {"K": k, "C": c, "PE": pe, "SIMD": simd, "EW": ew, "PW": pw_int, "MODE": 0, "PIPE": 1},
            k * ew,
            c,
            aw,
            pe * simd,
        )
        kb = k * ew
        pw_x = (kb + 1).bit_length()
        serial = luts(
            {"K": kb, "C": c, "PE": pe, "SIMD": simd * ew, "PW": pw_x, "MODE": 0, "PIPE": 1}, kb, c, aw, pe * simd * ew
        )
        rows.append(
            {
                "K": k,
                "C": c,
                "PE": pe,
                "SIMD": simd,
                "cycles_per_vector": cycles,
                "integer_luts": integer,
                "bit_serial_luts_lower_bound": serial,
                "ratio": serial / integer,
            }
        )
        print(rows[-1])
    (ROOT / "bench" / "results_first_layer.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
