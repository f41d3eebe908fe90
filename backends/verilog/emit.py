"""Verilog emission: prepare (names, widths), build the syntax tree, print.

The output is one self-contained file: the library blocks the design instantiates, one ROM
module per weight memory, and the AXI4-Stream top. Stream widths are rounded up to whole
bytes at the top's ports, as AXI4-Stream requires; the padding bits of the input are ignored
and those of the output are zero.
"""

from __future__ import annotations

import re

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.sim.rom import rom_module
from lowbitc.backends.verilog.instances import Stream, instance_items, library_files
from lowbitc.backends.verilog.printer import print_module
from lowbitc.backends.verilog.vast import Assign, Module, Port, Wire
from lowbitc.dialects import rtl
from lowbitc.dialects.lowbit.attributes import BitMatrixAttr

VERILOG_KEYWORDS = frozenset(
    """always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default
    defparam design disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive
    endspecify endtable endtask event for force forever fork function generate genvar highz0 highz1 if ifnone
    incdir include initial inout input instance integer join large liblist library localparam macromodule medium
    module nand negedge nmos nor noshowcancelled not notif0 notif1 or output parameter pmos posedge primitive pull0
    pull1 pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg release repeat rnmos rpmos
    rtran rtranif0 rtranif1 scalared showcancelled signed small specify specparam strong0 strong1 supply0 supply1
    table task time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand
    weak0 weak1 while wire wor xnor xor logic bit byte int shortint longint""".split()
)


def legal_identifier(name: str) -> str:
    """A readable, legal Verilog-2005 identifier for any symbol name."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not ident or not (ident[0].isalpha() or ident[0] == "_"):
        ident = "m_" + ident
    if ident in VERILOG_KEYWORDS:
        ident += "_"
    return ident


def byte_width(bits: int) -> int:
    return -(-bits // 8) * 8


def rom_words(contents: BitMatrixAttr) -> list[int]:
    rows = np.frombuffer(contents.data.data, dtype=np.uint8).reshape(contents.rows.data, -1)
    return [int.from_bytes(r.tobytes(), "little") for r in rows]


def top_module(module: rtl.ModuleOp, roms: dict[str, str]) -> Module:
    name = legal_identifier(module.sym_name.data)
    iw, ow = module.input_width, module.output_width
    ports = [Port("input", "clk"), Port("input", "rst"),
             Port("input", "in_tdata", byte_width(iw)), Port("input", "in_tvalid"), Port("output", "in_tready"),
             Port("output", "out_tdata", byte_width(ow)), Port("output", "out_tvalid"), Port("input", "out_tready")]
    m = Module(name, ports)
    current = Stream("s0", iw)
    m.items += current.wires()
    m.items.append(Assign("s0_tdata", f"in_tdata[{iw - 1}:0]" if iw > 1 else "in_tdata[0]"))
    m.items += [Assign("s0_tvalid", "in_tvalid"), Assign("in_tready", "s0_tready")]
    if byte_width(iw) > iw:
        # AXI4-Stream pads tdata to whole bytes; Verilator's -Wall accepts unused signals named *unused*.
        m.items.append(Wire("unused_in_pad"))
        m.items.append(Assign("unused_in_pad", f"&{{1'b0, in_tdata[{byte_width(iw) - 1}:{iw}]}}"))
    # Every stream (SSA value) gets a wire bundle named after the instance producing it.
    streams = {module.body.block.args[0]: current}
    for i, op in enumerate(module.body.block.ops, start=1):
        if isinstance(op, rtl.OutputOp):
            current = streams[op.input]
            break
        suffixes = [""] if len(op.results) == 1 else [f"_{k}" for k in range(len(op.results))]
        outs = [Stream(f"s{i}{sfx}", r.type.width.data) for sfx, r in zip(suffixes, op.results)]
        for out, r in zip(outs, op.results):
            m.items += out.wires()
            streams[r] = out
        m.items += instance_items(op, i, [streams[v] for v in op.operands], outs)
    pad = byte_width(ow) - ow
    data = f"{{{pad}'d0, {current.prefix}_tdata}}" if pad else f"{current.prefix}_tdata"
    m.items += [Assign("out_tdata", data), Assign("out_tvalid", f"{current.prefix}_tvalid"), Assign(f"{current.prefix}_tready", "out_tready")]
    return m


def find_top(module: ModuleOp) -> rtl.ModuleOp:
    tops = [op for op in module.ops if isinstance(op, rtl.ModuleOp)]
    if len(tops) != 1:
        raise ValueError(f"expected one rtl.module, found {len(tops)}; run the pipeline up to the rtl stage")
    return tops[0]


def emit_sources(module: ModuleOp) -> tuple[str, dict[str, str]]:
    """(top module name, {file name: Verilog}) for the design in ``module``."""
    from lowbitc.backends.sim.verilator import library_sources

    top = find_top(module)
    roms = {}
    for op in module.ops:
        if isinstance(op, rtl.RomOp):
            name = legal_identifier(op.sym_name.data)
            roms[name] = rom_module(name, rom_words(op.contents), op.contents.cols.data)
    top_ast = top_module(top, roms)
    library = library_sources()
    needed = sorted({f for op in top.body.block.ops for f in library_files(op)})
    sources = {name: library[name] for name in needed}
    sources.update({f"{n}.v": text for n, text in roms.items()})
    sources[f"{top_ast.name}.v"] = print_module(top_ast)
    return top_ast.name, sources


def emit_verilog(module: ModuleOp) -> str:
    """The whole design as one Verilog file."""
    top, sources = emit_sources(module)
    header = (
        f"// Generated by lowbitc. Top module: {top} (AXI4-Stream in_* / out_*, clk, synchronous active-high rst).\n"
        "// One file holds several modules, which Verilator's DECLFILENAME rule (one module per\n"
        "// file, named alike) cannot accept; that rule alone is switched off.\n"
        "/* verilator lint_off DECLFILENAME */\n"
    )
    return header + "\n".join(sources[name] for name in sorted(sources, key=lambda n: n != f"{top}.v"))
