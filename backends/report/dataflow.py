"""The dataflow pipeline of an rtl.module as an inline SVG diagram.

One box per instance (units, FIFOs, duplicators, residual adds) plus the module's input and
output, one arrow per stream labelled with its width. Layout: a box's row is its longest path
from the input (so a join sits below both of its inputs), its lane is 0 for the main path and
1, 2, ... for skip paths, which run beside the branch they bypass. At a duplicator the stream
with the longer way to the output stays in the duplicator's lane. Long pipelines are cut into
column groups, only between rows that a single main-lane stream crosses, and the groups are
placed left to right, wrapping to a new band below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue

from lowbitc.backends.analysis.resources import UNIT_OPS, unit_kind
from lowbitc.backends.report.svg import BOTTLENECK_COLOUR, kind_colour, svg_open, text
from lowbitc.dialects import rtl
from lowbitc.dialects.rtl import find_top

BOX_W, UNIT_H, SMALL_H, LANE_W, ROW_H = 164, 38, 26, 196, 54
GUTTER, BAND_PAD, MAX_WIDTH, MIN_ROWS = 28, 22, 1240, 10
ARROW_MARKER = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
    'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
)


@dataclass
class Node:
    kind: str
    title: str
    detail: str
    bottleneck: bool = False
    row: int = 0
    lane: int = 0
    height: int = UNIT_H
    x: float = 0.0
    y: float = 0.0

    @property
    def cx(self) -> float:
        return self.x + BOX_W / 2


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[int, int, int]] = field(default_factory=list)
    """(source node, destination node, stream width in bits)."""


def _detail(op: Operation) -> str:
    if isinstance(op, rtl.MVUInstanceOp):
        serial = ", serial" if op.is_serial else ""
        return f"PE {op.fold.pe.data} x SIMD {op.fold.simd.data}, W{op.wb}{serial}"
    if isinstance(op, rtl.SWGInstanceOp):
        kh, kw = op.kernel.get_values()
        return f"{kh}x{kw} on {op.height.value.data}x{op.width.value.data}x{op.channels.value.data}"
    if isinstance(op, rtl.PadInstanceOp):
        return f"{op.height.value.data}x{op.width.value.data} pads {','.join(map(str, op.pads.get_values()))}"
    if isinstance(op, rtl.PoolInstanceOp):
        k, s = op.kernel.value.data, op.stride.value.data
        return f"{k}x{k}/{s} on {op.height.value.data}x{op.width.value.data}"
    if isinstance(op, rtl.CollectInstanceOp):
        return f"{op.count.value.data} beats -> 1"
    if isinstance(op, rtl.AddInstanceOp):
        return f"{op.channels.value.data} ch, {op.pixels.value.data} px" + (
            ", requant" if op.thresholds is not None else ""
        )
    if isinstance(op, rtl.GapInstanceOp):
        return f"{op.channels.value.data} ch, {op.pixels.value.data} px -> 1" + (
            ", requant" if op.thresholds is not None else ""
        )
    if isinstance(op, rtl.FifoInstanceOp):
        return f"depth {op.depth.value.data}"
    return ""


def build_graph(module: ModuleOp, bottleneck_units: set[int]) -> Graph:
    """Nodes in block order (a topological order), with rows and lanes assigned."""
    top = find_top(module)
    g = Graph()
    node_of: dict[SSAValue, int] = {top.body.block.args[0]: 0}
    node_of_op: dict[Operation, int] = {}
    g.nodes.append(Node("in", "in", "", height=SMALL_H))
    unit = 0
    for op in top.body.block.ops:
        if isinstance(op, rtl.OutputOp):
            g.nodes.append(Node("out", "out", "", height=SMALL_H))
        else:
            kind = unit_kind(op)
            is_unit = isinstance(op, UNIT_OPS)
            title = f"{kind} {unit}" if is_unit else kind
            g.nodes.append(
                Node(
                    kind,
                    title,
                    _detail(op),
                    is_unit and unit in bottleneck_units,
                    height=UNIT_H if is_unit else SMALL_H,
                )
            )
            unit += is_unit
        n = node_of_op[op] = len(g.nodes) - 1
        for v in op.operands:
            g.edges.append((node_of[v], n, v.type.width.data))
        for r in op.results:
            node_of[r] = n
    _assign_rows_and_lanes(g, top, node_of_op)
    return g


def _assign_rows_and_lanes(g: Graph, top: rtl.ModuleOp, node_of_op: dict[Operation, int]) -> None:
    preds: list[list[int]] = [[] for _ in g.nodes]
    succs: list[list[int]] = [[] for _ in g.nodes]
    for s, d, _ in g.edges:
        preds[d].append(s)
        succs[s].append(d)
    for n, node in enumerate(g.nodes):
        node.row = max((g.nodes[p].row + 1 for p in preds[n]), default=0)
    to_sink = [0] * len(g.nodes)  # longest path to the output
    for n in reversed(range(len(g.nodes))):
        to_sink[n] = max((to_sink[s] + 1 for s in succs[n]), default=0)

    def way_out(value: SSAValue) -> int:
        return max((to_sink[node_of_op[u.operation]] for u in value.uses), default=0)

    live: dict[SSAValue, int] = {top.body.block.args[0]: 0}  # stream -> lane, until consumed
    for op in top.body.block.ops:
        lane = min(live.pop(v) for v in op.operands)
        g.nodes[node_of_op[op]].lane = lane
        results = sorted(op.results, key=way_out, reverse=True)  # stable: ties keep result order
        for i, r in enumerate(results):
            if i == 0:
                live[r] = lane
            else:
                taken = set(live.values()) | {lane}
                live[r] = min(k for k in range(len(taken) + 1) if k not in taken)


def _groups(g: Graph) -> list[tuple[int, int]]:
    """Row ranges [first, last] of the column groups, cut only where one main-lane stream crosses."""
    rows = max(n.row for n in g.nodes) + 1
    crossing = [0] * rows  # streams crossing the cut below row r
    side = [False] * rows
    for s, d, _ in g.edges:
        for r in range(g.nodes[s].row, g.nodes[d].row):
            crossing[r] += 1
            side[r] |= g.nodes[s].lane != 0 or g.nodes[d].lane != 0
    lanes = max(n.lane for n in g.nodes) + 1
    per_band = max(1, int(MAX_WIDTH // (lanes * LANE_W + GUTTER)))
    target = max(MIN_ROWS, ceil(rows / per_band))
    groups, first = [], 0
    while first < rows:
        if rows - first <= target:
            last = rows - 1
        else:
            cuts = [r for r in range(first, rows - 1) if crossing[r] == 1 and not side[r]]
            fitting = [r for r in cuts if r < first + target]
            last = fitting[-1] if fitting else (cuts[0] if cuts else rows - 1)
        groups.append((first, last))
        first = last + 1
    return groups


def _place(g: Graph) -> tuple[float, float, list[tuple[int, int, float, float, float]]]:
    """Set box positions; returns the size and each group's (first row, last row, x, top, bottom)."""
    placed, x, band_top, band_h, width = [], 0.0, 0.0, 0.0, 0.0
    for first, last in _groups(g):
        members = [n for n in g.nodes if first <= n.row <= last]
        w = (max(n.lane for n in members) + 1) * LANE_W
        h = (last - first + 1) * ROW_H + 2 * BAND_PAD
        if x > 0 and x + w > MAX_WIDTH:
            x, band_top, band_h = 0.0, band_top + band_h, 0.0
        for n in members:
            n.x = x + GUTTER + n.lane * LANE_W
            n.y = band_top + BAND_PAD + (n.row - first) * ROW_H + (UNIT_H - n.height) / 2
        placed.append((first, last, x, band_top, band_top + h))
        x += w + GUTTER
        band_h = max(band_h, h)
        width = max(width, x + GUTTER)
    return width, band_top + band_h, placed


def _edge_path(
    g: Graph, s: int, d: int, groups: list[tuple[int, int, float, float, float]]
) -> tuple[str, float, float]:
    """SVG path of one stream and where to put its width label."""
    a, b = g.nodes[s], g.nodes[d]
    ga = next(i for i, (first, last, *_) in enumerate(groups) if first <= a.row <= last)
    gb = next(i for i, (first, last, *_) in enumerate(groups) if first <= b.row <= last)
    x1, y1, x2, y2 = a.cx, a.y + a.height, b.cx, b.y
    if ga != gb:  # continue in the next group: through the gap below the band, or the gutter
        below = groups[ga][4] - 6
        if groups[gb][3] >= groups[ga][4]:  # next band
            return f"M{x1:.1f},{y1:.1f} V{below:.1f} H{x2:.1f} V{y2:.1f}", x1 + 4, y1 + 12
        gutter = groups[gb][2] + GUTTER / 2
        above = groups[gb][3] + 6
        return f"M{x1:.1f},{y1:.1f} V{below:.1f} H{gutter:.1f} V{above:.1f} H{x2:.1f} V{y2:.1f}", x1 + 4, y1 + 12
    if a.lane == b.lane:
        return f"M{x1:.1f},{y1:.1f} V{y2:.1f}", x1 + 4, (y1 + y2) / 2 + 4
    if a.lane < b.lane:  # out of the side of a duplicator, into a skip lane
        ym = a.y + a.height / 2
        return f"M{a.x + BOX_W:.1f},{ym:.1f} H{x2:.1f} V{y2:.1f}", x2 + 4, y2 - 4
    ym = b.y + b.height / 2  # back from a skip lane into the join
    return f"M{x1:.1f},{y1:.1f} V{ym:.1f} H{b.x + BOX_W:.1f}", x1 + 4, y1 + 12


def dataflow_svg(module: ModuleOp, bottleneck_units: set[int]) -> str:
    g = build_graph(module, bottleneck_units)
    width, height, groups = _place(g)
    parts = [svg_open(width, height, f"dataflow pipeline: {len(g.nodes) - 2} instances"), ARROW_MARKER]
    for s, d, bits in g.edges:
        path, lx, ly = _edge_path(g, s, d, groups)
        parts.append(
            f'<path class="stream" d="{path}" fill="none" stroke="#555" stroke-width="1.3" '
            f'marker-end="url(#arrow)"><title>{bits} bits</title></path>'
        )
        parts.append(text(lx, ly, f"{bits} b", size=9, fill="#555"))
    for node in g.nodes:
        colour = "#ffffff" if node.kind in ("in", "out") else kind_colour(node.kind)
        stroke, sw = (BOTTLENECK_COLOUR, 3) if node.bottleneck else ("#333", 1)
        cls = "node bottleneck" if node.bottleneck else "node"
        parts.append(
            f'<g class="{cls}"><rect x="{node.x:.1f}" y="{node.y:.1f}" width="{BOX_W}" height="{node.height}" '
            f'rx="5" fill="{colour}" fill-opacity="0.35" stroke="{stroke}" stroke-width="{sw}"/>'
        )
        if node.height == UNIT_H:
            parts.append(
                text(
                    node.cx,
                    node.y + 15,
                    node.title + ("  (bottleneck)" if node.bottleneck else ""),
                    size=12,
                    anchor="middle",
                    weight="bold",
                )
            )
            parts.append(text(node.cx, node.y + 30, node.detail, size=10, anchor="middle"))
        else:
            label = f"{node.title} {node.detail}".strip()
            parts.append(text(node.cx, node.y + node.height / 2 + 4, label, size=10, anchor="middle"))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
