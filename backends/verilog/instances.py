"""Syntax-tree items for each rtl instance: the library module with the parameters and stream
ports the op states (`rtl.HardwareInstance`), and for matrix-vector units the weight ROM."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.ir import Operation

from lowbitc.backends.verilog.names import legal_identifier
from lowbitc.backends.verilog.rom import rom_addr_width
from lowbitc.backends.verilog.vast import Assign, Comment, Instance, Wire, sized_hex
from lowbitc.dialects import rtl
from lowbitc.dialects.rtl.interfaces import HardwareInstance, SizedBits, VerilogValue


@dataclass(frozen=True)
class Stream:
    prefix: str
    width: int

    def connect(self, port: str) -> tuple[tuple[str, str], ...]:
        return (
            (f"{port}_tdata", f"{self.prefix}_tdata"),
            (f"{port}_tvalid", f"{self.prefix}_tvalid"),
            (f"{port}_tready", f"{self.prefix}_tready"),
        )

    def wires(self) -> list[Wire]:
        return [Wire(f"{self.prefix}_tdata", self.width), Wire(f"{self.prefix}_tvalid"), Wire(f"{self.prefix}_tready")]


def parameter_text(value: VerilogValue) -> str:
    """A parameter value as Verilog: a decimal integer, or a literal of exactly its width."""
    return sized_hex(value.value, value.width) if isinstance(value, SizedBits) else str(value)


def library_files(op: Operation) -> tuple[str, ...]:
    """The library files an op of the rtl module needs (none for its output)."""
    return op.LIBRARY_FILES if isinstance(op, HardwareInstance) else ()


def instance_items(op: HardwareInstance, i: int, ins: list[Stream], outs: list[Stream]) -> list:
    """The instance of ``op``'s library module with its parameters and streams (and, for a unit
    with a weight memory, the memory's wires, its ROM instance and the padding of its streams)."""
    in_ports, out_ports = op.STREAM_PORTS
    conns = (("clk", "clk"), ("rst", "rst"))
    conns += tuple(c for port, stream in zip(in_ports, ins) for c in stream.connect(port))
    conns += tuple(c for port, stream in zip(out_ports, outs) for c in stream.connect(port))
    params = tuple((name, parameter_text(value)) for name, value in op.verilog_parameters())
    if isinstance(op, rtl.MVUInstanceOp):
        return mvu_items(op, i, conns, params)
    return [Instance(op.VERILOG_MODULE, f"u{i}_{op.name.removeprefix('rtl.')}", params, conns)]


def mvu_items(op: rtl.MVUInstanceOp, i: int, streams, params) -> list:
    """A matrix-vector unit: its instance, its weight ROM and, where PE or SIMD do not divide the
    channels or the fan-in, the padding of its streams to the instance's K and C."""
    rom = legal_identifier(op.rom.root_reference.data)
    pe, simd = op.fold.pe.data, op.fold.simd.data
    c, k = op.channels.value.data, op.fan_in
    nf, sf = op.fold.folds(c, k)
    depth = nf * sf
    ew = op.input_element_width
    pw = op.popcount_width.value.data
    wb = op.wb
    if ew is None:
        kind = "XNOR" if wb == 1 else f"AND x {wb}-bit weights"
    else:
        kind = (
            f"{ew}-bit {'signed' if op.signed_input else 'unsigned'}"
            + (f" x {wb}-bit weights" if wb > 1 else "")
            + (", serial planes" if op.is_serial else "")
        )
    items: list = [
        Comment(
            f"unit {i}: {kind} {k} -> {c}, PE {pe} x SIMD {simd}, "
            f"{op.vectors_per_frame} x {op.cycles_per_vector} cycles per frame"
        )
    ]
    items += [
        Wire(f"u{i}_wmem_addr", rom_addr_width(depth)),
        Wire(f"u{i}_wmem_en"),
        Wire(f"u{i}_wmem_data", pe * simd * wb),
    ]
    conns = dict(streams)
    kp, cp = sf * simd, nf * pe  # padded fan-in and channels when PE/SIMD do not divide
    if kp > k and not op.fold_per_beat:  # fed fold by fold, the gearbox in front pads
        # Padded inputs must not change the accumulator: a 1 bit against the 0 weight the ROM
        # holds there (an XNOR mismatch), or an integer 0.
        eb = ew or 1
        fill = f"{{{kp - k}{{1'b1}}}}" if ew is None else f"{(kp - k) * eb}'d0"
        items += [Wire(f"u{i}_in", kp * eb), Assign(f"u{i}_in", f"{{{fill}, {conns['in_tdata']}}}")]
        conns["in_tdata"] = f"u{i}_in"
    if cp > c:
        ob = op.ob if op.thresholds is not None else pw
        items += [
            Wire(f"u{i}_out", cp * ob),
            Assign(conns["out_tdata"], f"u{i}_out[{c * ob - 1}:0]"),
            Wire(f"unused_u{i}_out"),
            Assign(f"unused_u{i}_out", f"&{{1'b0, u{i}_out[{cp * ob - 1}:{c * ob}]}}"),
        ]
        conns["out_tdata"] = f"u{i}_out"
    conns_t = tuple(conns.items()) + (
        ("wmem_addr", f"u{i}_wmem_addr"),
        ("wmem_en", f"u{i}_wmem_en"),
        ("wmem_data", f"u{i}_wmem_data"),
    )
    items.append(Instance(op.VERILOG_MODULE, f"u{i}_mvu", params, conns_t))
    items.append(
        Instance(
            rom,
            f"u{i}_weights",
            (),
            (("clk", "clk"), ("en", f"u{i}_wmem_en"), ("addr", f"u{i}_wmem_addr"), ("data", f"u{i}_wmem_data")),
        )
    )
    return items
