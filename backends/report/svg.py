"""Inline SVG charts of the HTML report: cycles per frame per unit against the initiation
interval, and the design's resources against the device. Plain strings, no JavaScript; every
text that could come from a model goes through `esc`, so the SVG is well-formed XML as well as
safe inside HTML."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from lowbitc.backends.report.design import UnitRow

KIND_COLOURS = {
    "mvu": "#4e79a7",
    "mvu_int": "#59a14f",
    "swg": "#f28e2b",
    "pad": "#9d9d9d",
    "pool": "#b07aa1",
    "collect": "#9c755f",
    "add": "#76b7b2",
    "fifo": "#edc948",
    "dup": "#d4a6c8",
}
"""Fill of each unit kind, in charts, the pipeline diagram and the legend."""
BOTTLENECK_COLOUR = "#e15759"
"""Bars of the units that set the initiation interval."""
CAPACITY_COLOUR = "#222222"
OTHER_COLOUR = "#cccccc"
FONT = "font-family:Helvetica,Arial,sans-serif"


def esc(value: object) -> str:
    """Text or attribute value, escaped for HTML and XML alike."""
    return html.escape(str(value), quote=True)


def kind_colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, OTHER_COLOUR)


def svg_open(width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" role="img" aria-label="{esc(label)}" style="{FONT}">'
        f"<title>{esc(label)}</title>"
    )


def text(
    x: float, y: float, body: str, *, size: int = 12, anchor: str = "start", weight: str = "normal", fill: str = "#222"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="{fill}">{esc(body)}</text>'
    )


def cycles_chart(units: Sequence[UnitRow], ii_cycles: int) -> str:
    """Horizontal bars of cycles per frame, one per unit of the report; the bottleneck units in
    `BOTTLENECK_COLOUR` and labelled, the II as a dashed line."""
    label_w, bar_w, right_w, row_h, top = 150, 640, 190, 22, 34
    width, height = label_w + bar_w + right_w, top + row_h * len(units) + 16
    scale = bar_w / max(ii_cycles, 1)
    parts = [svg_open(width, height, f"cycles per frame of {len(units)} units; II {ii_cycles} cycles")]
    for i, unit in enumerate(units):
        y = top + i * row_h
        w = max(unit.cycles * scale, 1.0)
        colour = BOTTLENECK_COLOUR if unit.bottleneck else kind_colour(unit.kind)
        tip = f"unit {unit.index} {unit.kind}: {unit.cycles:,} cycles/frame ({unit.vectors:,} vectors)"
        parts.append(text(label_w - 8, y + 15, f"{unit.index} {unit.kind}", anchor="end"))
        parts.append(
            f'<rect class="bar{" bottleneck" if unit.bottleneck else ""}" x="{label_w}" y="{y + 3}" '
            f'width="{w:.1f}" height="{row_h - 6}" fill="{colour}"><title>{esc(tip)}</title></rect>'
        )
        value = f"{unit.cycles:,}"
        parts.append(text(label_w + w + 6, y + 15, value, size=11))
        if unit.bottleneck:
            parts.append(
                text(
                    label_w + w + 12 + 7 * len(value),
                    y + 15,
                    "\u25c0 bottleneck",
                    size=11,
                    weight="bold",
                    fill=BOTTLENECK_COLOUR,
                )
            )
    x_ii = label_w + ii_cycles * scale
    parts.append(
        f'<line class="ii" x1="{x_ii:.1f}" y1="{top - 8}" x2="{x_ii:.1f}" y2="{height - 8}" '
        f'stroke="{CAPACITY_COLOUR}" stroke-width="1.5" stroke-dasharray="5,3"/>'
    )
    parts.append(text(x_ii, top - 12, f"II = {ii_cycles:,} cycles/frame", anchor="end", weight="bold"))
    parts.append(f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 8}" stroke="#888"/>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Panel:
    """One bar of the resources chart: a resource's total, split into one segment per unit."""

    label: str
    used: float
    capacity: float | None
    """The device's capacity; None where there is none to draw (then `no_capacity` says why)."""
    segments: list[tuple[int, str, float]]
    """(unit index, unit kind, amount) of the units that use it."""
    no_capacity: str = "device capacity unknown"


def _amount(value: float) -> str:
    return f"{value:,.1f}" if not float(value).is_integer() else f"{int(value):,}"


def resources_chart(panels: list[Panel]) -> str:
    """One stacked bar per panel, a segment per unit; scaled to the device's capacity where there
    is one (with a marker and the share), else to the design's own total with the panel's note."""
    label_w, bar_w, panel_h = 10, 900, 64
    width, height = label_w + bar_w + 60, panel_h * len(panels) + 6
    parts = [svg_open(width, height, "resources of the design against the device")]
    for p, panel in enumerate(panels):
        y = p * panel_h + 18
        scale_to = max(panel.used, panel.capacity or 0, 1)
        over = panel.capacity is not None and panel.used > panel.capacity
        if panel.capacity is None:
            note = panel.no_capacity
        else:
            share = 100 * panel.used / panel.capacity if panel.capacity else float("inf")
            note = f"of {_amount(panel.capacity)} on the device ({share:.1f}%)" + (
                " \u2014 exceeds the device" if over else ""
            )
        parts.append(text(label_w, y, f"{panel.label}: {_amount(panel.used)} ", weight="bold"))
        parts.append(text(label_w + bar_w, y, note, anchor="end", fill="#b00" if over else "#222"))
        bar_y = y + 8
        parts.append(f'<rect x="{label_w}" y="{bar_y}" width="{bar_w}" height="22" fill="#f3f3f3" stroke="#bbb"/>')
        x = float(label_w)
        for index, kind, amount in panel.segments:
            if not amount:
                continue
            w = bar_w * amount / scale_to
            tip = f"unit {index} {kind}: {_amount(amount)} {panel.label}"
            parts.append(
                f'<rect class="segment" x="{x:.2f}" y="{bar_y}" width="{w:.2f}" height="22" '
                f'fill="{kind_colour(kind)}" stroke="#fff" stroke-width="0.8"><title>{esc(tip)}</title></rect>'
            )
            if w >= 18:
                parts.append(text(x + w / 2, bar_y + 15, str(index), size=10, anchor="middle", fill="#fff"))
            x += w
        if panel.used == 0:
            parts.append(text(label_w + 6, bar_y + 15, "none in this design", size=11, fill="#666"))
        if panel.capacity is not None:
            x_cap = label_w + bar_w * panel.capacity / scale_to
            parts.append(
                f'<line class="capacity" x1="{x_cap:.1f}" y1="{bar_y - 4}" x2="{x_cap:.1f}" y2="{bar_y + 26}" '
                f'stroke="{CAPACITY_COLOUR}" stroke-width="2"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def legend(kinds: list[str]) -> str:
    """HTML swatches of the unit kinds present, and of the bottleneck colour."""
    items = [(k, kind_colour(k)) for k in kinds] + [("bottleneck", BOTTLENECK_COLOUR)]
    return "".join(f'<span class="swatch"><i style="background:{c}"></i>{esc(k)}</span>' for k, c in items)
