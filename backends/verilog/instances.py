"""Syntax-tree items for each rtl instance: the library module with its parameters and stream
connections (and, for matrix-vector units, the weight ROM), plus which library files each
instance needs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lowbitc.backends.verilog.names import legal_identifier
from lowbitc.backends.verilog.rom import rom_addr_width
from lowbitc.backends.verilog.vast import Assign, Comment, Instance, Wire, sized_hex
from lowbitc.dialects import rtl
from lowbitc.dialects.lowbit.attributes import numpy_from_dense

LIBRARY_FILES: dict[type, tuple[str, ...]] = {
    rtl.MVUInstanceOp: (
        "lowbit_mvu.v",
        "lowbit_mvu_issue.v",
        "lowbit_mvu_acc.v",
        "lowbit_mvu_lanes.v",
        "lowbit_mvu_count.v",
        "lowbit_mvu_tables.v",
        "lowbit_fifo.v",
    ),  # outputs in a lowbit_fifo
    rtl.SWGInstanceOp: ("lowbit_swg.v", "lowbit_fifo.v"),
    rtl.PoolInstanceOp: ("lowbit_pool.v", "lowbit_swg.v", "lowbit_fifo.v"),
    rtl.PadInstanceOp: ("lowbit_pad.v",),
    rtl.CollectInstanceOp: ("lowbit_collect.v",),
    rtl.FifoInstanceOp: ("lowbit_fifo.v",),
    rtl.DupInstanceOp: ("lowbit_dup.v", "lowbit_fifo.v"),
    rtl.AddInstanceOp: ("lowbit_add.v", "lowbit_thresholds.v", "lowbit_fifo.v"),
    rtl.GapInstanceOp: ("lowbit_gap.v", "lowbit_thresholds.v", "lowbit_fifo.v"),
}
"""The library files each instance needs: only those go into the design."""


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


def threshold_vector(thresholds, padded_channels: int, width: int) -> str:
    """Thresholds T[c, i] packed at bits (c*NT + i)*width, two's complement; padded channels
    (dropped at the output) get 0. No thresholds: one zero threshold per channel. A border
    table [cases, C, NT] is the cases' blocks one after the other, each padded alike."""
    th = np.zeros((padded_channels, 1), np.int64) if thresholds is None else numpy_from_dense(thresholds)
    blocks = th if th.ndim == 3 else th[None]
    nt = th.shape[-1]
    value = 0
    for j, block in enumerate(blocks):
        for ch in range(block.shape[0]):
            for i in range(nt):
                value |= (int(block[ch, i]) & ((1 << width) - 1)) << (((j * padded_channels + ch) * nt + i) * width)
    return sized_hex(value, len(blocks) * padded_channels * nt * width)


def border_params(border, channel_folds: int) -> tuple[tuple[str, str], ...]:
    """NCASE, HO, WO and the case tables of a bordered unit (lowbit_mvu's header): row table
    cy(oy) * NCX * NF and column table cx(ox) * NF, TW-bit words, from `lowbit.border`."""
    from lowbitc.dialects.lowbit.border import axis_case

    (ho, nt, nb), (wo, nl, nr) = border.rows(), border.columns()
    ncx, cases = 1 + nl + nr, border.cases
    tw = max(1, (cases * channel_folds - 1).bit_length())
    cyt = sum((axis_case(o, ho, nt, nb) * ncx * channel_folds) << (o * tw) for o in range(ho))
    cxt = sum((axis_case(o, wo, nl, nr) * channel_folds) << (o * tw) for o in range(wo))
    return (
        ("NCASE", str(cases)),
        ("HO", str(ho)),
        ("WO", str(wo)),
        ("CYT", sized_hex(cyt, ho * tw)),
        ("CXT", sized_hex(cxt, wo * tw)),
    )


def library_files(op) -> tuple[str, ...]:
    return LIBRARY_FILES.get(type(op), ())


def instance_items(op, i: int, ins: list[Stream], outs: list[Stream]) -> list:
    clocks = (("clk", "clk"), ("rst", "rst"))
    if isinstance(op, rtl.DupInstanceOp):
        conns = clocks + ins[0].connect("in") + outs[0].connect("out0") + outs[1].connect("out1")
        return [Instance("lowbit_dup", f"u{i}_dup", (("W", str(ins[0].width)),), conns)]
    if isinstance(op, rtl.AddInstanceOp):
        return add_items(op, i, clocks + ins[0].connect("a") + ins[1].connect("b") + outs[0].connect("out"))
    current, nxt = ins[0], outs[0]
    streams = clocks + current.connect("in") + nxt.connect("out")
    if isinstance(op, rtl.MVUInstanceOp):
        return mvu_items(op, i, streams)
    if isinstance(op, rtl.SWGInstanceOp):
        (kh, kw), (sh, sw) = op.kernel.get_values(), op.strides.get_values()
        params = (
            ("C", op.channels.value.data),
            ("EW", op.element_width.value.data),
            ("H", op.height.value.data),
            ("W", op.width.value.data),
            ("KH", kh),
            ("KW", kw),
            ("SH", sh),
            ("SW", sw),
        )
        return [Instance("lowbit_swg", f"u{i}_swg", tuple((n, str(v)) for n, v in params), streams)]
    if isinstance(op, rtl.PadInstanceOp):
        top, left, bottom, right = op.pads.get_values()
        params = (
            ("C", op.channels.value.data),
            ("EW", op.element_width.value.data),
            ("H", op.height.value.data),
            ("W", op.width.value.data),
            ("PT", top),
            ("PL", left),
            ("PB", bottom),
            ("PR", right),
            ("WIDEN", op.widen.value.data),
        )
        if op.ones is not None and op.ones.value.data:
            params += (("ONES", 1),)
        return [Instance("lowbit_pad", f"u{i}_pad", tuple((n, str(v)) for n, v in params), streams)]
    if isinstance(op, rtl.PoolInstanceOp):
        params = (
            ("C", current.width // op.ew),
            ("H", op.height.value.data),
            ("W", op.width.value.data),
            ("K", op.kernel.value.data),
            ("S", op.stride.value.data),
        )
        if op.element_width is not None:
            params += (("EW", op.ew), ("ES", op.element_signed.value.data))
        return [Instance("lowbit_pool", f"u{i}_pool", tuple((n, str(v)) for n, v in params), streams)]
    if isinstance(op, rtl.GapInstanceOp):
        return gap_items(op, i, streams)
    if isinstance(op, rtl.CollectInstanceOp):
        return [
            Instance(
                "lowbit_collect",
                f"u{i}_collect",
                (("WI", str(current.width)), ("N", str(op.count.value.data))),
                streams,
            )
        ]
    if isinstance(op, rtl.FifoInstanceOp):
        return [
            Instance(
                "lowbit_fifo", f"u{i}_fifo", (("W", str(current.width)), ("DEPTH", str(op.depth.value.data))), streams
            )
        ]
    raise ValueError(f"no Verilog for {op.name}")


def add_items(op: rtl.AddInstanceOp, i: int, conns) -> list:
    c, sw = op.channels.value.data, op.sum_width.value.data
    params = [
        ("C", c),
        ("EA", op.lhs_width.value.data),
        ("SA", op.lhs_signed.value.data),
        ("EB", op.rhs_width.value.data),
        ("SB", op.rhs_signed.value.data),
        ("MODE", 1 if op.thresholds is None else 0),
        ("SW", sw),
    ]
    if op.thresholds is not None:
        nt = numpy_from_dense(op.thresholds).shape[1]
        params += [
            ("NT", nt),
            ("OB", 1 if op.output_bits is None else op.output_bits.value.data),
            ("OOFF", 0 if op.offset is None else op.offset.value.data),
            ("THRESH", threshold_vector(op.thresholds, c, sw)),
        ]
    return [Instance("lowbit_add", f"u{i}_add", tuple((n, str(v)) for n, v in params), conns)]


def gap_items(op: rtl.GapInstanceOp, i: int, conns) -> list:
    c, sw = op.channels.value.data, op.sum_width.value.data
    params = [
        ("C", c),
        ("EW", op.element_width.value.data),
        ("ES", op.element_signed.value.data),
        ("N", op.pixels.value.data),
        ("MODE", 1 if op.thresholds is None else 0),
        ("SW", sw),
    ]
    if op.thresholds is not None:
        nt = numpy_from_dense(op.thresholds).shape[1]
        params += [
            ("NT", nt),
            ("OB", 1 if op.output_bits is None else op.output_bits.value.data),
            ("OOFF", 0 if op.offset is None else op.offset.value.data),
            ("THRESH", threshold_vector(op.thresholds, c, sw)),
        ]
    return [Instance("lowbit_gap", f"u{i}_gap", tuple((n, str(v)) for n, v in params), conns)]


def mvu_items(op: rtl.MVUInstanceOp, i: int, streams) -> list:

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
    if kp > k:
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
    # Parameters at their defaults are left out, so binary designs print as they always did.
    width_params = (("PW", str(pw)),) if ew is None else (("EW", str(ew)), ("PW", str(pw)))
    if ew is not None and not op.signed_input:
        width_params += (("ES", "0"),)
    if wb > 1:
        width_params += (("WB", str(wb)),)
    if op.is_serial:
        width_params += (("PS", "1"),)
    th = op.thresholds
    if th is not None and numpy_from_dense(th).shape[-1] > 1:
        width_params += (("NT", str(numpy_from_dense(th).shape[-1])),)
    if th is not None and op.ob > 1:
        width_params += (("OB", str(op.ob)),)
    if th is not None and op.offset is not None and op.offset.value.data:
        width_params += (("OOFF", str(op.offset.value.data)),)
    params = (
        (("K", str(kp)), ("C", str(cp)), ("PE", str(pe)), ("SIMD", str(simd)))
        + width_params
        + (
            ("MODE", "0" if th is not None else "1"),
            ("THRESH", threshold_vector(th, cp, pw)),
            ("PIPE", str(op.pipe.value.data)),
        )
    )
    if op.border is not None:
        params += border_params(op.border, nf)
    conns_t = tuple(conns.items()) + (
        ("wmem_addr", f"u{i}_wmem_addr"),
        ("wmem_en", f"u{i}_wmem_en"),
        ("wmem_data", f"u{i}_wmem_data"),
    )
    items.append(Instance("lowbit_mvu", f"u{i}_mvu", params, conns_t))
    items.append(
        Instance(
            rom,
            f"u{i}_weights",
            (),
            (("clk", "clk"), ("en", f"u{i}_wmem_en"), ("addr", f"u{i}_wmem_addr"), ("data", f"u{i}_wmem_data")),
        )
    )
    return items
