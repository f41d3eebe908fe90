"""`lowbitc report --html`: one self-contained page (inline CSS and SVG, no scripts, nothing
fetched) with the per-layer table of the text report, cycles per frame against the initiation
interval, resources against the device and the dataflow pipeline.

The page is also well-formed XML (void elements closed, every model-derived text escaped), so
tests can parse it whole; browsers read it as ordinary HTML.
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.analysis.resources import DesignResources, design_resources
from lowbitc.backends.report.dataflow import dataflow_svg
from lowbitc.backends.report.design import DesignReport
from lowbitc.backends.report.svg import BOTTLENECK_COLOUR, Panel, cycles_chart, esc, legend, resources_chart
from lowbitc.dialects.rtl import find_top
from lowbitc.dialects.rtl.interfaces import HardwareInstance

CSS = f"""
body {{ font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1280px; }}
h1 {{ font-size: 20px; margin: 0 0 4px 0; word-break: break-all; }}
h2 {{ font-size: 16px; margin: 28px 0 8px 0; border-bottom: 1px solid #ddd; padding-bottom: 4px; }}
.summary span {{ display: inline-block; margin: 6px 18px 6px 0; }}
.summary b {{ font-size: 18px; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ padding: 3px 8px; border-bottom: 1px solid #e4e4e4; text-align: right; }}
th {{ background: #f4f4f4; }}
td.kind, th.kind {{ text-align: left; }}
tr.bottleneck td {{ background: #fbe0e0; font-weight: bold; }}
td.mark {{ color: {BOTTLENECK_COLOUR}; text-align: left; }}
.swatch {{ display: inline-block; margin-right: 14px; font-size: 12px; }}
.swatch i {{ display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }}
.note {{ font-size: 12px; color: #555; max-width: 960px; }}
.scroll {{ overflow-x: auto; }}
.warning {{ background: #fde8e8; border: 2px solid {BOTTLENECK_COLOUR}; color: #7a0000; padding: 10px 14px;
  margin: 12px 0; font-size: 14px; max-width: 1200px; }}
"""

CYCLES_NOTE = (
    "Cycles per frame: matrix-vector units vectors x ceil(C/PE) x ceil(K/SIMD) (x input planes when "
    "serial); window generators, pools and pads one pixel per cycle; collectors one beat per cycle; "
    "residual adds one pixel per cycle. The slowest unit sets the initiation interval (II)."
)
RESOURCES_NOTE = (
    "LUTs, flip-flops, block RAMs and DSPs: the structural resource model of the library blocks (checked "
    "against Yosys by bench/resources.py), per unit, against the device's capacity. Below them, what the IR "
    "states exactly, in bits: lane bits (PE x SIMD x weight bits per matrix-vector unit), weight-memory bits "
    "(the rows x columns of each unit's ROM), line-buffer bits ((KH-1) x W x C x EW per window generator, "
    "pools included) and FIFO bits (depth x width, counted at the unit reading the FIFO)."
)
NO_DEVICE_NOTE = (
    "The generic target stands for no particular part, so these bars show the design's own totals: give "
    "--target DEVICE (or a board such as pynq-z2) to see LUTs, FFs, block RAMs and DSPs against its capacity."
)
MODEL_PANELS = (("luts", "LUTs"), ("ffs", "FFs"), ("brams", "{bram} blocks"), ("dsps", "DSPs"))
"""The resource model's figures in the chart and the table: `ResourceFigures` field and label."""
DATAFLOW_NOTE = (
    "One box per instance of the rtl.module; arrows are AXI4-Stream channels labelled with their width; "
    "skip paths of residual blocks run beside the branch, from the duplicator to the add."
)
COLUMNS = (
    "#",
    "layer",
    "unit",
    "fan-in",
    "out",
    "PE",
    "SIMD",
    "lanes",
    "vectors",
    "cycles/frame",
    "",
    "lane bits",
    "weight bits",
    "line-buffer bits",
    "FIFO bits",
)
MODEL_COLUMNS = ("LUTs", "FFs", "BRAM", "DSPs")


def _cell_class(column: str) -> str:
    return {"unit": ' class="kind"', "": ' class="mark"'}.get(column, "")


def _table(rep: DesignReport, res: DesignResources) -> str:
    columns = COLUMNS + (MODEL_COLUMNS if rep.has_model else ())
    head = "".join(f"<th{_cell_class(c)}>{esc(c)}</th>" for c in columns)
    rows = []
    for layer, unit in zip(rep.units, res.units, strict=True):
        mvu = layer.kind.startswith("mvu")
        number = "" if layer.layer is None else layer.layer
        cells = [layer.index, number, layer.kind] + (
            [layer.fan_in, layer.channels, layer.pe, layer.simd, layer.lanes] if mvu else [""] * 5
        )
        cells += [layer.vectors, layer.cycles, "\u2190 bottleneck" if layer.bottleneck else ""]
        cells += [unit.lane_bits, unit.weight_bits, unit.line_buffer_bits, unit.fifo_bits]
        if rep.has_model:
            cells += ["-" if v is None else v for v in (getattr(layer.model, k) for k, _ in MODEL_PANELS)]
        tds = "".join(f"<td{_cell_class(c)}>{esc(_shown(v))}</td>" for c, v in zip(columns, cells))
        cls = ' class="bottleneck"' if layer.bottleneck else ""
        rows.append(f"<tr{cls}>{tds}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def _shown(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int | float) else value


def resource_panels(rep: DesignReport, res: DesignResources) -> list[Panel]:
    """The chart's bars: the resource model's LUTs, FFs, block RAMs and DSPs against the device
    (a device with fabric), then the exact bits of the IR."""
    panels = []
    device = rep.device
    if rep.has_model and device is not None:
        for key, label in MODEL_PANELS:
            segments = [(u.index, u.kind, getattr(u.model, key)) for u in rep.units if getattr(u.model, key)]
            name = label.format(bram=device.bram_kind)
            panels.append(Panel(name, getattr(rep.totals.model, key), getattr(device.capacity, key), segments))
    no_capacity = "exact bits from the IR" if panels else "device capacity unknown"
    for use in res.totals:
        segments = [(u.index, u.kind, u.amount(use.resource)) for u in res.units]
        panels.append(Panel(use.resource.value, use.used, use.capacity, segments, no_capacity))
    return panels


def render_html(rep: DesignReport, module: ModuleOp) -> str:
    """The page for ``rep`` (`report.design.design_report` of the rtl-stage ``module``)."""
    res = design_resources(module)
    bottlenecks = {unit.index for unit in rep.bottlenecks}
    names = ", ".join(f"{unit.index} {unit.kind}" for unit in rep.bottlenecks)
    latency = "n/a (line buffers)" if rep.latency_cycles is None else f"{rep.latency_cycles:,} cycles"
    ops = find_top(module).body.block.ops
    kinds = list(dict.fromkeys(op.report_kind for op in ops if isinstance(op, HardwareInstance)))
    summary = [
        ("target", f"{rep.target} at {rep.clock_mhz:g} MHz"),
        ("II", f"{rep.ii_cycles:,} cycles/frame"),
        ("throughput", f"{rep.fps:,.1f} frames/s"),
        ("latency", latency),
        ("lanes", f"{rep.totals.lanes:,}"),
        ("units", f"{rep.totals.units}"),
        ("bottleneck", names),
    ]
    capacity_note = NO_DEVICE_NOTE if rep.device is None else ""  # a target without fabric
    banner = "".join(f'<div class="warning"><b>Does not fit:</b> {esc(w)}</div>' for w in rep.fit.messages)
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>',
            f"<title>lowbitc report: {esc(rep.model)}</title><style>{CSS}</style></head><body>",
            f"<h1>lowbitc report: {esc(rep.model)}</h1>",
            '<div class="summary">',
            "".join(f"<span>{esc(k)}: <b>{esc(v)}</b></span>" for k, v in summary),
            "</div>",
            banner,
            f'<p class="legend">{legend(kinds)}</p>',
            "<h2>Units</h2>",
            _table(rep, res),
            f'<p class="note">{CYCLES_NOTE}</p>',
            "<h2>Cycles per frame</h2>",
            '<div class="scroll">',
            cycles_chart(rep.units, rep.ii_cycles),
            "</div>",
            "<h2>Resources against the device</h2>",
            '<div class="scroll">',
            resources_chart(resource_panels(rep, res)),
            "</div>",
            f'<p class="note">{RESOURCES_NOTE} {esc(capacity_note)}</p>',
            "<h2>Dataflow pipeline</h2>",
            '<div class="scroll">',
            dataflow_svg(module, bottlenecks),
            "</div>",
            f'<p class="note">{DATAFLOW_NOTE}</p>',
            "</body></html>\n",
        ]
    )
