"""What `lowbitc inspect` prints: layer excerpts of the IR, the cost table, run summaries and
comparisons. Pure functions from IR and arrays to text, so that the session stays a thin layer
of state and the formats can be tested on their own."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.printer import Printer

from lowbitc.backends.report.design import DesignReport, UnitRow
from lowbitc.ir_print import ir_printer

LAYER_OPS = frozenset(
    {"lowbit.conv", "lowbit.matmul", "lowbit.xnor_popcount", "lowbit.plane_popcount", "lowbit.mvu", "rtl.mvu"}
)
"""The matrix products. Every pass maps one such op to exactly one at the next stage and keeps
their program order, so "layer i" names the same layer at every stage; it is also the tile
pass's numbering of layers in a fold file (`--fold`, `fold`)."""


def layer_ops(module: ModuleOp) -> list[Operation]:
    return [op for op in module.walk() if op.name in LAYER_OPS]


def first_sentence(doc: str | None, name: str = "", width: int = 96) -> str:
    """The first sentence of a pass module's docstring, without its leading ``name: ``."""
    text = " ".join((doc or "").strip().split("\n\n")[0].split())
    if name and text.startswith(f"{name}: "):
        text = text[len(name) + 2 :]
    end = text.find(". ")
    text = text if end < 0 else text[: end + 1]
    # One line in a listing: long first sentences (tile's) are cut at a word.
    return text if len(text) <= width else text[: text.rfind(" ", 0, width - 3)] + " ..."


# -- show STAGE LAYER ----------------------------------------------------------------------
def layer_excerpt(module: ModuleOp, index: int, stage: str, elide_larger_than: int | None = None) -> str:
    """Layer ``index`` with the ops that produce its operands and those that use its results,
    constants of more than ``elide_larger_than`` elements elided (lowbitc/ir_print.py).

    The whole module is printed once first (into nothing) so that the excerpt's SSA names are
    the ones `show STAGE` prints for the whole IR."""
    op = layer_ops(module)[index]
    printer = ir_printer(io.StringIO(), elide_larger_than)
    printer.print_op(module)
    producers = _unique(v.owner for v in op.operands if isinstance(v.owner, Operation))
    arguments = [v for v in op.operands if not isinstance(v.owner, Operation)]
    consumers = _unique(use.operation for r in op.results for use in r.uses)
    out = io.StringIO()
    printer.stream = out

    def emit(ops: Sequence[Operation]) -> None:
        for o in ops:
            printer.print_op(o)
            printer.print_string("\n")

    total = len(layer_ops(module))
    out.write(f"// layer {index} of {total} at {stage}: {op.name}, with its producers and consumers\n")
    if producers or arguments:
        out.write("// producers:\n")
        emit(producers)
        for v in arguments:
            out.write(f"//   {_ssa_name(printer, v)}: block argument (input)\n")
    out.write("// layer:\n")
    emit([op])
    if consumers:
        out.write("// consumers:\n")
        emit(consumers)
    return out.getvalue()


def _ssa_name(printer: Printer, value: SSAValue) -> str:
    buf = io.StringIO()
    saved, printer.stream = printer.stream, buf
    try:
        printer.print_ssa_value(value)
    finally:
        printer.stream = saved
    return buf.getvalue()


def _unique(ops) -> list[Operation]:
    seen: dict[int, Operation] = {}
    for o in ops:
        seen.setdefault(id(o), o)
    return list(seen.values())


# -- cost ----------------------------------------------------------------------------------
RESOURCES = (("luts", "LUTs"), ("ffs", "FFs"), ("brams", "BRAM"), ("dsps", "DSPs"))
"""The resource model's totals, in the order `cost` prints them."""


@dataclass(frozen=True)
class CostView:
    """What `cost` and `fold` show: the design's report (`report.design.design_report`, whose
    rows number the layers as `fold` does) and the layers folded bit-serially."""

    report: DesignReport
    serial: frozenset[int]
    """Layer numbers of the matrix-vector units that take their input one bit plane at a time."""

    def unit_of_layer(self, layer: int) -> UnitRow:
        return next(u for u in self.report.units if u.layer == layer)

    def fold_of(self, unit: UnitRow) -> tuple[int, int, bool]:
        """(PE, SIMD, serial) of a layer."""
        return unit.pe, unit.simd, unit.layer in self.serial


def format_cost(view: CostView, fixed: set[int]) -> str:
    """The cost table: per unit its folding and cycles, and with a target that has a fabric its
    LUTs, FFs and block RAMs; then the design's II, throughput and resources."""
    report = view.report
    resources = report.has_model
    head = (
        f"{'#':>3} {'layer':>5} {'unit':<8} {'fan-in':>7} {'out':>5} {'PE':>4} {'SIMD':>5} {'lanes':>6} "
        f"{'vectors':>8} {'cycles/frame':>13}" + (f" {'LUTs':>8} {'FFs':>8} {'BRAM':>6}" if resources else "")
    )
    lines = [f"{report.model} on {report.target} at {report.clock_mhz:g} MHz", head, "-" * len(head)]
    for r in report.units:
        notes = [n for n, on in (("serial", r.layer in view.serial), ("fixed", r.layer in fixed)) if on]
        tail = ("  " + ", ".join(notes) if notes else "") + ("  <- bottleneck" if r.bottleneck else "")
        m = r.model
        cost = f" {_figure(m.luts):>8} {_figure(m.ffs):>8} {_figure(m.brams):>6}" if resources else ""
        if r.layer is not None:
            lines.append(
                f"{r.index:>3} {r.layer:>5} {r.kind:<8} {r.fan_in:>7} {r.channels:>5} {r.pe:>4} {r.simd:>5} "
                f"{r.lanes:>6} {r.vectors:>8} {r.cycles:>13}{cost}{tail}"
            )
        else:
            blank = f"{'':>7} {'':>5} {'':>4} {'':>5} {'':>6}"  # fan-in .. lanes
            lines.append(f"{r.index:>3} {'':>5} {r.kind:<8} {blank} {r.vectors:>8} {r.cycles:>13}{cost}{tail}")
    lines.append(design_line(report))
    if resources:
        lines.append(resource_line(report))
    lines += [f"WARNING: {p}" for p in report.fit.messages]
    return "\n".join(lines) + "\n"


def design_line(report: DesignReport) -> str:
    latency = "n/a (line buffers)" if report.latency_cycles is None else f"{report.latency_cycles} cycles"
    return (
        f"II {report.ii_cycles} cycles/frame, {report.fps:.1f} frames/s, latency {latency}, {report.totals.lanes} lanes"
    )


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}" if value != int(value) else f"{int(value):,}"


def resource_line(report: DesignReport) -> str:
    """The design's resources against the device: ``14,844 LUTs (27.9%), ...``."""
    totals, shares = report.totals.model, report.shares
    assert shares is not None
    return "resources (model): " + ", ".join(
        f"{_figure(getattr(totals, key))} {name}"
        + (f" ({getattr(shares, key):.1%})" if getattr(shares, key) is not None else "")
        for key, name in RESOURCES
    )


def fold_change(layer: int, before: CostView, after: CostView) -> str:
    """`fold`'s answer: the layer and the design before -> after, and what else moved."""
    old, new = before.unit_of_layer(layer), after.unit_of_layer(layer)

    def fold(view: CostView, r: UnitRow) -> str:
        pe, simd, serial = view.fold_of(r)
        return f"PE {pe} SIMD {simd}" + (" serial" if serial else "")

    others = [
        a.layer
        for b, a in zip(before.report.units, after.report.units, strict=True)
        if a.layer not in (None, layer) and before.fold_of(b) != after.fold_of(a)
    ]
    rep0, rep1 = before.report, after.report
    lines = [
        f"layer {layer} (unit #{new.index}, {new.kind} {new.fan_in} -> {new.channels}): "
        f"{fold(before, old)} -> {fold(after, new)}, "
        f"lanes {old.lanes} -> {new.lanes}, cycles/frame {old.cycles} -> {new.cycles}",
        f"design: II {rep0.ii_cycles} -> {rep1.ii_cycles} cycles/frame, "
        f"{rep0.fps:.1f} -> {rep1.fps:.1f} frames/s, lanes {rep0.totals.lanes} -> {rep1.totals.lanes}"
        + "".join(
            f", {name} {_figure(getattr(rep0.totals.model, key))} -> {_figure(getattr(rep1.totals.model, key))}"
            for key, name in RESOURCES[:3]
            if rep0.has_model
        ),
    ]
    if others:
        lines.append(f"rebalanced to the new II: layer{'s' if len(others) > 1 else ''} {', '.join(map(str, others))}")
    return "\n".join(lines) + "\n"


# -- run and compare -----------------------------------------------------------------------
SHOWN_ROWS = 4


def run_summary(label: str, frames: np.ndarray, result: np.ndarray) -> str:
    lines = [
        f"{frames.shape[0]} frame{'s' if frames.shape[0] != 1 else ''} of {list(frames.shape[1:])} at {label} "
        f"-> output {list(result.shape)} {result.dtype}"
    ]
    if result.dtype.kind == "f" and result.ndim == 2:
        arg = result.argmax(axis=1)
        shown = " ".join(map(str, arg[:32])) + (" ..." if arg.size > 32 else "")
        lines.append(f"argmax: {shown}")
    rows = result[:SHOWN_ROWS]
    text = np.array2string(rows, precision=4, suppress_small=True, max_line_width=100, threshold=200)
    lines.append(f"first {rows.shape[0]} row{'s' if rows.shape[0] != 1 else ''}:")
    lines.extend("  " + line for line in text.splitlines())
    return "\n".join(lines) + "\n"


def first_difference(a: np.ndarray, b: np.ndarray) -> str | None:
    """None when ``a`` and ``b`` are bit-identical (shape, dtype and every bit, so -0.0 differs
    from 0.0 and equal NaNs agree); otherwise where and how they first differ."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return f"outputs {list(a.shape)} {a.dtype} and {list(b.shape)} {b.dtype} differ in shape or type"
    bits = np.dtype(f"u{a.dtype.itemsize}") if a.dtype.itemsize in (1, 2, 4, 8) else None
    ne = (a.view(bits) != b.view(bits)) if bits is not None else (a != b)
    if not ne.any():
        return None
    where = tuple(int(i) for i in np.argwhere(ne)[0])
    element = f", element {list(where[1:])}" if len(where) > 1 else ""
    return (
        f"first at frame {where[0]}{element}: {a[where].item()!r} vs {b[where].item()!r}; "
        f"{int(ne.sum())} of {ne.size} values differ"
    )
