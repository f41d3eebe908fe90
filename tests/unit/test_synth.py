"""backends/eda (synth.py, pnr.py, tools.py, synth_stats.py): parsing of Yosys/nextpnr output (on saved text), and
real runs: a small CNN synthesised for xc7z020 and ice40-up5k, the digits MLP placed and routed
on an iCE40 UltraPlus at its default clock, a design too large for it, and the Intel error."""

from __future__ import annotations

import shutil
import time

import pytest
from support.cli import MODELS
from support.graphs import make_cnv

from lowbitc.backends.analysis.perf import predict
from lowbitc.backends.eda.pnr import pin_wrapper, place_and_route, top_ports
from lowbitc.backends.eda.synth import synthesize, unit_figures, yosys_script
from lowbitc.backends.eda.synth_stats import (
    Figures,
    figures,
    flat_cells,
    instance_cells,
    parse_stat_json,
    parse_top_cells,
)
from lowbitc.backends.eda.tools import SynthError, roms_to_readmemh
from lowbitc.backends.target.devices import Family, get_device
from lowbitc.backends.verilog.emit import emit_verilog
from lowbitc.backends.verilog.rom import rom_module
from lowbitc.dialects.rtl import find_top
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

# `stat -json` of Yosys 0.23 on a three-level design (top: pair p0 + inv4 q0; pair: two inv4),
# with the hierarchy that version prints as plain text inside the JSON (trimmed of wire counts).
STAT_023 = """{
   "creator": "Yosys 0.23 (git sha1 7ce5011c24b)",
   "invocation": "stat -json ",
   "modules": {
      "\\\\inv4": {
         "num_cells":         7,
         "num_cells_by_type": {
            "CARRY4": 1,
            "FDRE": 4,
            "INV": 2
         }
      },
      "\\\\pair": {
         "num_cells":         2,
         "num_cells_by_type": {
            "inv4": 2
         }
      },
      "\\\\top": {
         "num_cells":         16,
         "num_cells_by_type": {
            "BUFG": 1,
            "IBUF": 5,
            "OBUF": 8,
            "inv4": 1,
            "pair": 1
         }
      }
   },
       inv4                          2
      "design": {
         "num_cells":         35,
         "num_cells_by_type": {
            "BUFG": 1,
            "CARRY4": 3,
            "FDRE": 12,
            "INV": 6,
            "IBUF": 5,
            "OBUF": 8
         }
      }
}
"""
# `dump -o top.il top/c:*` of the same design (one I/O buffer kept of each kind).
TOP_IL = """
  attribute \\keep 1
  cell \\IBUF $iopadmap$top.a
    connect \\I \\a [0]
  end
  cell \\BUFG $auto$clkbufmap.cc:261:execute$2155
  end
  attribute \\src "t.v:10.8-10.35"
  cell \\pair \\p0
    connect \\a $iopadmap$a
  end
  cell \\inv4 \\q0
    connect \\a $iopadmap$y
  end
"""


def test_parse_stat_json_of_yosys_023() -> None:
    modules = parse_stat_json(STAT_023)
    assert modules["pair"] == {"inv4": 2} and modules["top"]["pair"] == 1
    assert flat_cells(modules, "top") == {"CARRY4": 3, "FDRE": 12, "INV": 6, "BUFG": 1, "IBUF": 5, "OBUF": 8}
    cells = parse_top_cells(TOP_IL)
    assert cells == {
        "$iopadmap$top.a": "IBUF",
        "$auto$clkbufmap.cc:261:execute$2155": "BUFG",
        "p0": "pair",
        "q0": "inv4",
    }
    per, own = instance_cells(modules, "top", cells)
    assert per == {"p0": {"CARRY4": 2, "FDRE": 8, "INV": 4}, "q0": {"CARRY4": 1, "FDRE": 4, "INV": 2}}
    assert own == {"BUFG": 1, "IBUF": 5, "OBUF": 8}
    assert figures(per["p0"], Family.XILINX7) == Figures(ffs=8, carry=2)


def test_figures_per_family() -> None:
    xc = figures(
        {
            "LUT6": 10,
            "LUT2": 3,
            "MUXF7": 4,
            "SRLC32E": 2,
            "RAM64M": 1,
            "RAMB18E1": 3,
            "RAMB36E1": 1,
            "FDRE": 7,
            "FDSE": 1,
            "DSP48E1": 2,
            "CARRY4": 5,
            "IBUF": 9,
        },
        Family.XILINX7,
    )
    assert xc == Figures(luts=13, lutram=6, ffs=8, brams=2.5, dsps=2, carry=5) and xc.lut_sites == 19
    up = figures(
        {
            "SB_LUT4": 100,
            "SB_CARRY": 20,
            "SB_DFFE": 30,
            "SB_DFFSR": 2,
            "SB_RAM40_4K": 3,
            "SB_SPRAM256KA": 1,
            "SB_MAC16": 1,
            "SB_IO": 8,
        },
        Family.ICE40,
    )
    assert up == Figures(luts=100, ffs=32, brams=3.0, spram=1, dsps=1, carry=20)
    ecp5 = figures(
        {"LUT4": 50, "CCU2C": 4, "PFUMX": 3, "TRELLIS_FF": 9, "DP16KD": 2, "TRELLIS_DPR16X4": 1}, Family.ECP5
    )
    assert ecp5 == Figures(luts=58, lutram=4, ffs=9, brams=2.0, carry=4)
    assert figures({}, Family.XILINXUS) + xc == xc and xc.scaled(2).luts == 26


def test_yosys_script() -> None:
    kept = yosys_script("accel", Family.XILINX7, flat=False, abc9=False)
    assert "setattr -set keep_hierarchy 1 accel/c:*" in kept and "dump -o top.il accel/c:*" in kept
    assert "synth_xilinx -family xc7 -flatten -top accel\n" in kept and "stat -json" in kept
    flat = yosys_script("accel", Family.XILINXUS, flat=True, abc9=True, json_out="n.json")
    assert "keep_hierarchy" not in flat and "synth_xilinx -family xcup -flatten -top accel -abc9 -json n.json" in flat
    assert "synth_ice40 -top t" in yosys_script("t", Family.ICE40, flat=True, abc9=False)
    assert "synth_ecp5 -top t" in yosys_script("t", Family.ECP5, flat=True, abc9=False)


def test_intel_and_generic_are_refused() -> None:
    for name in ("arria10-gx1150", "stratix10-gx2800"):
        with pytest.raises(SynthError, match=rf"no open-source synthesis flow exists for Intel parts \({name}\)"):
            synthesize("module t; endmodule", "t", get_device(name))
    with pytest.raises(SynthError, match="target 'generic' stands for no particular FPGA"):
        synthesize("module t; endmodule", "t", get_device("generic"))
    with pytest.raises(SynthError, match="iCE40 parts only"):
        place_and_route("module t; endmodule", "t", get_device("xc7z020"))


def test_pin_wrapper() -> None:
    v = (
        "module accel (\n    input  wire clk,\n    input  wire [63:0] in_tdata,\n"
        "    output wire [71:0] out_tdata\n);\nendmodule\n"
    )
    assert top_ports(v, "accel") == {"clk": 1, "in_tdata": 64, "out_tdata": 72}
    w = pin_wrapper(v, "accel")
    assert "reg [63:0] sr;" in w and "wire [71:0] out_tdata;" in w and "out_parity <= ^out_tdata;" in w
    with pytest.raises(SynthError, match="no module 'other'"):
        top_ports(v, "other")


def test_roms_become_readmemh_files() -> None:
    """Yosys reads `$readmemh` fast and big `initial` blocks slowly: same words, other form."""
    words = [0x5, 0x0, 0xF, 0xA]
    text = "module top; endmodule\n" + rom_module("w0", words, 4) + rom_module("w1", [1, 0], 1)
    out, files = roms_to_readmemh(text)
    assert files == {"rom0.hex": "5\n0\nf\na\n", "rom1.hex": "1\n0\n"}
    assert out.count("$readmemh") == 2 and "mem[0] =" not in out and out.startswith("module top; endmodule\n")
    assert 'initial $readmemh("rom0.hex", mem);' in out and "always @(posedge clk) if (en) data <= mem[addr];" in out
    assert roms_to_readmemh("module t; endmodule\n") == ("module t; endmodule\n", {})


# -- real tool runs ------------------------------------------------------------------------------
def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:  # loud, never a silent skip
        pytest.fail(
            f"{', '.join(missing)} not installed; the synthesis tests need them: apt-get install yosys "
            "nextpnr-ice40 fpga-icestorm"
        )


@pytest.fixture(scope="module")
def tiny_cnv(tmp_path_factory):
    """Pad, window generators, an integer and two binary matrix-vector units, a pool and a
    collector: every unit kind but the residual add, small enough for ~20 s of synthesis."""
    return make_cnv(
        tmp_path_factory.mktemp("synth") / "tiny.onnx", seed=3, in_shape=(3, 6, 6), channels=(4, 4), classes=3, batch=1
    )


def _check(module, result) -> None:
    tot = result.total
    assert tot.luts > 0 and tot.ffs > 0 and tot.carry > 0
    summed = sum(result.instances.values(), Figures()) + result.glue
    assert summed == tot  # the instances and the glue are the whole design
    per_unit = unit_figures(result, module)
    layers = predict(module).layers
    assert set(per_unit) == set(range(len(layers))) | {None}
    assert sum(per_unit.values(), Figures()) == tot
    for layer in layers:
        assert per_unit[layer.index].luts <= tot.luts and per_unit[layer.index].ffs > 0
        if layer.kind.startswith("mvu"):
            assert per_unit[layer.index].luts > 0


def test_synth_xc7z020(tiny_cnv, tmp_path, monkeypatch) -> None:
    need("yosys")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # a fresh cache: Yosys really runs
    module = compile_to(tiny_cnv, "rtl", Options(target="xc7z020", lanes=64))
    verilog, top, dev = emit_verilog(module), find_top(module).sym_name.data, get_device("xc7z020")
    result = synthesize(verilog, top, dev)
    _check(module, result)
    assert result.device == "xc7z020" and result.tool.startswith("Yosys") and result.seconds > 0
    start = time.monotonic()
    assert synthesize(verilog, top, dev) == result and time.monotonic() - start < 2  # cached
    assert any(p.name.endswith(".synth.json") for p in (tmp_path / "lowbitc" / "synth").iterdir())


def test_synth_ice40(tiny_cnv, tmp_path, monkeypatch) -> None:
    need("yosys")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    module = compile_to(tiny_cnv, "rtl", Options(target="ice40-up5k"))
    result = synthesize(emit_verilog(module), find_top(module).sym_name.data, get_device("ice40-up5k"))
    _check(module, result)
    assert result.total.brams >= 1  # line buffers and weights in EBRs


def test_pnr_ice40_digits_meets_the_default_clock(tmp_path, monkeypatch) -> None:
    """The smallest corpus model fits the UP5K and closes timing at the device's 24 MHz."""
    need("yosys", "nextpnr-ice40")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    dev = get_device("ice40-up5k")
    module = compile_to(MODELS / "digits_bnn_w1a1.onnx", "rtl", Options(target=dev.name))
    res = place_and_route(emit_verilog(module), find_top(module).sym_name.data, dev)
    used, avail = res.utilisation["ICESTORM_LC"]
    assert res.fits and res.message == "" and 0 < used <= avail == 5280
    assert res.fmax_mhz is not None and res.fmax_mhz >= dev.clock_mhz, res.critical_instances
    assert res.critical_path and res.critical_instances and res.critical_ns["levels"] > 0
    assert sum(v for k, v in res.critical_ns.items() if k != "levels") <= 1000 / res.fmax_mhz + 0.01


def test_pnr_reports_a_design_that_does_not_fit(tmp_path, monkeypatch) -> None:
    """digits folded for a Zynq (512 lanes) needs more logic cells than the UP5K has: a
    result saying so, with nextpnr's message, not an exception."""
    need("yosys", "nextpnr-ice40")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    module = compile_to(MODELS / "digits_bnn_w1a1.onnx", "rtl", Options(target="xc7z020"))
    res = place_and_route(emit_verilog(module), find_top(module).sym_name.data, get_device("ice40-up5k"))
    assert not res.fits and res.fmax_mhz is None and "ERROR" in res.message
    used, avail = res.utilisation["ICESTORM_LC"]
    assert used > avail == 5280
