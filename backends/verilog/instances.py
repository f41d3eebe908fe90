"""Syntax-tree items for each rtl instance: the library module with its parameters and stream
connections (and, for matrix-vector units, the weight ROM), plus which library files each
instance needs."""

from __future__ import annotations

from dataclasses import dataclass

from lowbitc.backends.sim.rom import rom_addr_width
from lowbitc.backends.verilog.vast import Assign, Comment, Instance, Wire, sized_hex
from lowbitc.dialects import rtl
from lowbitc.dialects.lowbit.attributes import numpy_from_dense

LIBRARY_FILES: dict[type, tuple[str, ...]] = {
    rtl.MVUInstanceOp: ("lowbit_mvu.v", "lowbit_fifo.v"),  # the unit buffers its outputs in a lowbit_fifo
    rtl.SWGInstanceOp: ("lowbit_swg.v", "lowbit_fifo.v"),
    rtl.PoolInstanceOp: ("lowbit_pool.v", "lowbit_swg.v", "lowbit_fifo.v"),
    rtl.PadInstanceOp: ("lowbit_pad.v",),
    rtl.CollectInstanceOp: ("lowbit_collect.v",),
    rtl.FifoInstanceOp: ("lowbit_fifo.v",),
}
"""The library files each instance needs: only those go into the design."""


@dataclass(frozen=True)
class Stream:
    prefix: str
    width: int

    def connect(self, port: str) -> tuple[tuple[str, str], ...]:
        return ((f"{port}_tdata", f"{self.prefix}_tdata"), (f"{port}_tvalid", f"{self.prefix}_tvalid"), (f"{port}_tready", f"{self.prefix}_tready"))

    def wires(self) -> list[Wire]:
        return [Wire(f"{self.prefix}_tdata", self.width), Wire(f"{self.prefix}_tvalid"), Wire(f"{self.prefix}_tready")]


def threshold_vector(mvu: rtl.MVUInstanceOp, padded_channels: int) -> str:
    """Thresholds packed PW bits per channel, two's complement for signed accumulators; padded
    channels (dropped at the output) get 0."""
    c, pw = padded_channels, mvu.popcount_width.value.data
    if mvu.thresholds is None:
        return sized_hex(0, c * pw)
    value = 0
    for ch, t in enumerate(numpy_from_dense(mvu.thresholds)[:, 0]):
        value |= (int(t) & ((1 << pw) - 1)) << (ch * pw)
    return sized_hex(value, c * pw)


def library_files(op) -> tuple[str, ...]:
    return LIBRARY_FILES.get(type(op), ())


def instance_items(op, i: int, current: Stream, nxt: Stream) -> list:
    streams = (("clk", "clk"), ("rst", "rst")) + current.connect("in") + nxt.connect("out")
    if isinstance(op, rtl.MVUInstanceOp):
        return mvu_items(op, i, streams)
    if isinstance(op, rtl.SWGInstanceOp):
        (kh, kw), (sh, sw) = op.kernel.get_values(), op.strides.get_values()
        params = (("C", op.channels.value.data), ("EW", op.element_width.value.data), ("H", op.height.value.data),
                  ("W", op.width.value.data), ("KH", kh), ("KW", kw), ("SH", sh), ("SW", sw))
        return [Instance("lowbit_swg", f"u{i}_swg", tuple((n, str(v)) for n, v in params), streams)]
    if isinstance(op, rtl.PadInstanceOp):
        top, left, bottom, right = op.pads.get_values()
        params = (("C", op.channels.value.data), ("EW", op.element_width.value.data), ("H", op.height.value.data),
                  ("W", op.width.value.data), ("PT", top), ("PL", left), ("PB", bottom), ("PR", right), ("WIDEN", op.widen.value.data))
        return [Instance("lowbit_pad", f"u{i}_pad", tuple((n, str(v)) for n, v in params), streams)]
    if isinstance(op, rtl.PoolInstanceOp):
        params = (("C", current.width), ("H", op.height.value.data), ("W", op.width.value.data),
                  ("K", op.kernel.value.data), ("S", op.stride.value.data))
        return [Instance("lowbit_pool", f"u{i}_pool", tuple((n, str(v)) for n, v in params), streams)]
    if isinstance(op, rtl.CollectInstanceOp):
        return [Instance("lowbit_collect", f"u{i}_collect", (("WI", str(current.width)), ("N", str(op.count.value.data))), streams)]
    if isinstance(op, rtl.FifoInstanceOp):
        return [Instance("lowbit_fifo", f"u{i}_fifo", (("W", str(current.width)), ("DEPTH", str(op.depth.value.data))), streams)]
    raise ValueError(f"no Verilog for {op.name}")


def mvu_items(op: rtl.MVUInstanceOp, i: int, streams) -> list:
    from lowbitc.backends.verilog.emit import legal_identifier

    rom = legal_identifier(op.rom.root_reference.data)
    pe, simd = op.fold.pe.data, op.fold.simd.data
    c, k = op.channels.value.data, op.fan_in
    nf, sf = op.fold.folds(c, k)
    depth = nf * sf
    ew = op.input_element_width
    pw = op.popcount_width.value.data
    kind = "XNOR" if ew is None else f"{ew}-bit integer"
    items: list = [Comment(f"unit {i}: {kind} {k} -> {c}, PE {pe} x SIMD {simd}, "
                           f"{op.vectors_per_frame} x {depth} cycles per frame")]
    items += [Wire(f"u{i}_wmem_addr", rom_addr_width(depth)), Wire(f"u{i}_wmem_en"), Wire(f"u{i}_wmem_data", pe * simd)]
    conns = dict(streams)
    kp, cp = sf * simd, nf * pe  # padded fan-in and channels when PE/SIMD do not divide
    if kp > k:
        # Padded inputs must not change the accumulator: a 1 bit against the 0 weight the ROM
        # holds there (an XNOR mismatch), or an integer 0.
        eb = ew or 1
        fill = f"{{{kp - k}{{1'b1}}}}" if ew is None else f"{(kp - k) * eb}'d0"
        items += [Wire(f"u{i}_in", kp * eb), Assign(f"u{i}_in", f"{{{fill}, {conns['in_tdata']}}}")]
        conns["in_tdata"] = f"u{i}_in"
    if cp > c:
        ob = 1 if op.thresholds is not None else pw
        items += [Wire(f"u{i}_out", cp * ob), Assign(conns["out_tdata"], f"u{i}_out[{c * ob - 1}:0]"),
                  Wire(f"unused_u{i}_out"), Assign(f"unused_u{i}_out", f"&{{1'b0, u{i}_out[{cp * ob - 1}:{c * ob}]}}")]
        conns["out_tdata"] = f"u{i}_out"
    width_params = (("PW", str(pw)),) if ew is None else (("EW", str(ew)), ("PW", str(pw)))
    params = (("K", str(kp)), ("C", str(cp)), ("PE", str(pe)), ("SIMD", str(simd))) + width_params + (
        ("MODE", "0" if op.thresholds is not None else "1"), ("THRESH", threshold_vector(op, cp)), ("PIPE", str(op.pipe.value.data)))
    conns_t = tuple(conns.items()) + (("wmem_addr", f"u{i}_wmem_addr"), ("wmem_en", f"u{i}_wmem_en"), ("wmem_data", f"u{i}_wmem_data"))
    items.append(Instance("lowbit_mvu", f"u{i}_mvu", params, conns_t))
    items.append(Instance(rom, f"u{i}_weights", (), (("clk", "clk"), ("en", f"u{i}_wmem_en"), ("addr", f"u{i}_wmem_addr"), ("data", f"u{i}_wmem_data"))))
    return items
