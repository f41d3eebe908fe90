"""Per-instance and per-kind figures of one compiled design for bench/units.py: Yosys
`synth_xilinx` (the kept-hierarchy run per instance, the flat run for the total) beside the
structural resource model, instance by instance.

Every rtl instance op is one Verilog instance `u<i>_<op>`, and a matrix-vector unit a second one,
its weight ROM `u<i>_weights` (backends/verilog/instances.py). An instance's kind is its op's
report kind (`HardwareInstance.report_kind`: mvu, mvu_int, swg, fifo, ...); a second instance of
an op takes its own name's suffix as its kind (`weights`), and the model's `Rom` cells of the op
are priced there, the op's other cells at its main instance. The top's own logic outside every
instance is the kind `glue` (Yosys only: the model has none).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from lowbitc.backends.analysis.resource_cells import Cost
from lowbitc.backends.analysis.resource_model import design_cost, family_scale, price
from lowbitc.backends.eda.synth import SynthResult, instance_index, instance_ops, synthesize
from lowbitc.backends.eda.synth_split import submodule_figures
from lowbitc.backends.eda.synth_stats import Figures
from lowbitc.backends.target.devices import Device
from lowbitc.backends.verilog.emit import emit_verilog
from lowbitc.dialects.rtl import StreamType, find_top
from lowbitc.dialects.rtl.cells import Cell, Rom
from lowbitc.dialects.rtl.interfaces import StreamUnit, unit_owner

GLUE = "glue"
"""The kind of the top's own logic (padding assigns, I/O), which belongs to no instance."""
FIGURES = ("luts", "ffs", "brams")


@dataclass
class Amounts:
    """LUT sites, flip-flops and RAMB36 of a piece of hardware, measured or modelled."""

    luts: float = 0
    ffs: float = 0
    brams: float = 0

    def add(self, other: Amounts) -> None:
        self.luts += other.luts
        self.ffs += other.ffs
        self.brams += other.brams

    def as_dict(self) -> dict:
        return {"luts": round(self.luts, 1), "ffs": round(self.ffs, 1), "brams": self.brams}

    @classmethod
    def of_figures(cls, f: Figures) -> Amounts:
        return cls(f.lut_sites, f.ffs, f.brams)

    @classmethod
    def of_cost(cls, c: Cost) -> Amounts:
        """A family-scaled model cost (LUT sites are logic plus memory LUTs)."""
        return cls(c.luts + c.mem_luts, c.ffs, c.brams)


@dataclass
class InstanceRow:
    """One Verilog instance of the design."""

    instance: str
    kind: str
    layer: int | None
    """The unit (perf.predict's index) it is or belongs to; None for a FIFO from input to output."""
    shape: str
    in_bits: int
    out_bits: int
    lanes: int
    synth: Amounts
    model: Amounts
    model_cells: dict[str, Amounts] = field(default_factory=dict)
    """The model's figures by resource-cell class (dialects/rtl/cells.py): where they come from."""

    def as_dict(self) -> dict:
        """Its figures; the model's by cell class are summed per kind only (kind_table)."""
        d = {k: v for k, v in self.__dict__.items() if k not in ("synth", "model", "model_cells")}
        return d | {"synth": self.synth.as_dict(), "model": self.model.as_dict()}


def _stream_bits(values) -> int:
    return sum(v.type.width.data for v in values if isinstance(v.type, StreamType))


def _priced(cells: list[Cell], device: Device) -> tuple[Amounts, dict[str, Amounts]]:
    """The model's figures of ``cells``, in total and by cell class."""
    fam = device.fabric.family  # type: ignore[union-attr]  # synthesis needs a fabric
    total, by_class = Amounts(), defaultdict(Amounts)
    for cell in cells:
        amounts = Amounts.of_cost(family_scale(price(cell, device, fam), device))
        total.add(amounts)
        by_class[type(cell).__name__].add(amounts)
    return total, dict(by_class)


def instance_rows(module, kept: SynthResult, device: Device) -> list[InstanceRow]:
    """Every instance of ``kept`` (the kept-hierarchy run of ``module``) with its op's facts and
    the model's figures of the part of the op it builds."""
    ops = instance_ops(module)
    units = [op for op in ops.values() if isinstance(op, StreamUnit)]
    layer = {op: n for n, op in enumerate(units)}
    names = defaultdict(list)
    for name in kept.instances:
        i = instance_index(name)
        if i is None or i not in ops:
            raise SystemExit(f"synthesis has an instance {name} that no rtl op of the design built")
        names[i].append(name)
    rows = []
    for i, op in sorted(ops.items()):
        main = f"u{i}_{op.name.removeprefix('rtl.')}"
        others = [n for n in names[i] if n != main]
        if len(others) > 1:  # the Rom cells could not be placed: fail rather than misattribute
            raise SystemExit(f"op {i} ({op.name}) has instances {others}: only one besides {main} is understood")
        cells = list(op.resource_cells())
        at_rom = bool(others)  # the weight ROM's cells go to its own instance
        rom_cells = [c for c in cells if at_rom and isinstance(c, Rom)]
        parts = [(main, op.report_kind, [c for c in cells if not (at_rom and isinstance(c, Rom))])]
        parts += [(n, n.removeprefix(f"u{i}_"), rom_cells) for n in others]
        owner = op if isinstance(op, StreamUnit) else unit_owner(op)
        fold = op.matrix_fold() if isinstance(op, StreamUnit) else None
        for name, kind, part in parts:
            model, by_class = _priced(part, device)
            primary = name == main
            rows.append(
                InstanceRow(
                    instance=name,
                    kind=kind,
                    layer=layer.get(owner) if owner is not None else None,
                    shape=(f"{fold.fan_in} -> {fold.channels}, PE {fold.pe} x SIMD {fold.simd}" if fold else "")
                    if primary
                    else f"{sum(c.bits for c in part)} bits",
                    in_bits=_stream_bits(op.operands) if primary else 0,
                    out_bits=_stream_bits(op.results) if primary else 0,
                    lanes=fold.pe * fold.simd if fold and primary else 0,
                    synth=Amounts.of_figures(kept.instances.get(name, Figures())),
                    model=model,
                    model_cells=by_class,
                )
            )
            if primary and not fold:
                rows[-1].shape = op.summary()
    return rows


def kind_table(rows: list[InstanceRow], glue: Figures) -> dict[str, dict]:
    """Per kind: units, lanes, stream bits in, and Yosys's and the model's figures, summed."""
    kinds: dict[str, dict] = {}
    for r in rows:
        k = kinds.setdefault(
            r.kind, {"units": 0, "lanes": 0, "in_bits": 0, "synth": Amounts(), "model": Amounts(), "cells": {}}
        )
        k["units"] += 1
        k["lanes"] += r.lanes
        k["in_bits"] += r.in_bits
        k["synth"].add(r.synth)
        k["model"].add(r.model)
        for cls, amounts in r.model_cells.items():
            k["cells"].setdefault(cls, Amounts()).add(amounts)
    kinds[GLUE] = {"units": 0, "lanes": 0, "in_bits": 0, "synth": Amounts.of_figures(glue), "model": Amounts()}
    return {
        kind: {
            "units": k["units"],
            "lanes": k["lanes"],
            "in_bits": k["in_bits"],
            "synth": k["synth"].as_dict(),
            "model": k["model"].as_dict(),
            "model_cells": {c: a.as_dict() for c, a in sorted(k.get("cells", {}).items())},
        }
        for kind, k in kinds.items()
    }


def kind_parts(rows: list[InstanceRow], split: dict[str, dict[str, Figures]]) -> dict[str, dict[str, dict]]:
    """Per kind, Yosys's figures by library module from the run keeping every boundary
    (synth_split.py): which part of a unit its logic is in; `lutram` counts the LUT sites used
    as memory (line buffers, FIFO rings), included in `luts`."""
    kind_of = {r.instance: r.kind for r in rows}
    out: dict[str, dict[str, Figures]] = {}
    for instance, parts in split.items():
        kind = out.setdefault(kind_of.get(instance, GLUE), {})
        for part, figs in parts.items():
            kind[part] = kind.get(part, Figures()) + figs
    return {
        k: {
            part: Amounts.of_figures(f).as_dict() | {"lutram": f.lutram}
            for part, f in sorted(v.items(), key=lambda x: -x[1].lut_sites)
        }
        for k, v in out.items()
    }


def measure(module, device: Device, *, split: bool = False) -> dict:
    """Synthesise ``module`` (both runs, cached) and tabulate it per instance and per kind; with
    ``split``, also each kind's figures by library module (a third run)."""
    verilog, top = emit_verilog(module), find_top(module).sym_name.data
    kept = synthesize(verilog, top, device)
    flat = synthesize(verilog, top, device, flat=True)
    rows = instance_rows(module, kept, device)
    model_total = design_cost(module, device).total
    parts = kind_parts(rows, submodule_figures(verilog, top, device)) if split else None
    return {
        "parts": parts,
        "instances": [r.as_dict() for r in rows],
        "kinds": kind_table(rows, kept.glue),
        "total": {
            "synth_flat": Amounts.of_figures(flat.total).as_dict(),
            "synth_kept": Amounts.of_figures(kept.total).as_dict(),
            "model": Amounts.of_cost(model_total).as_dict(),
        },
        "synth_seconds": {"kept": kept.seconds, "flat": flat.seconds},
    }
