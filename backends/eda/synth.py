"""Synthesis with Yosys of a design `lowbitc -o
accel.v` emitted: LUTs, flip-flops, block RAMs, DSPs and carry cells in total and per top-level
instance (one or two per layer: `u<i>_mvu` and its ROM `u<i>_weights`, `u<i>_fifo`, `u<i>_swg`,
...); place and route is pnr.py.

Per-instance figures come from one run that keeps the boundaries of the top's instances
(`keep_hierarchy` on them) and flattens everything below, so each layer's unit is optimised as a
whole but not across units; `flat=True` flattens everything (what Vivado does by default) and
gives totals only. Keeping the boundaries changes the LUT count: on the corpus for xc7z020 from
-15% to +46% against a flat run (ABC's area recovery sees different netlists); flip-flops and
block RAMs are the same either way.

Runs are slow (seconds to many minutes), so results are cached under
`$XDG_CACHE_HOME/lowbitc/synth` (or `~/.cache/lowbitc/synth`), keyed by a hash of the Verilog,
the top, the device, the options, the tool versions and this flow's version.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lowbitc.backends.eda.synth_stats import (
    Figures,
    figures,
    flat_cells,
    instance_cells,
    parse_stat_json,
    parse_top_cells,
)
from lowbitc.backends.eda.tools import (
    FLOW_VERSION,
    SynthError,
    cache_key,
    cached,
    fabric_for,
    run_yosys,
    store,
    tool_version,
    write_design,
)
from lowbitc.backends.target.devices import Device, Family

if TYPE_CHECKING:
    from xdsl.ir import Operation

SYNTH_TIMEOUT_S = 3600.0

_SYNTH_COMMAND = {
    Family.XILINX7: "synth_xilinx -family xc7 -flatten",
    Family.XILINXUS: "synth_xilinx -family xcup -flatten",
    Family.ICE40: "synth_ice40",  # flattens by default
    Family.ECP5: "synth_ecp5",  # flattens by default
}

__all__ = ["SynthError", "SynthResult", "instance_index", "instance_ops", "synthesize", "unit_figures", "yosys_script"]


@dataclass(frozen=True)
class SynthResult:
    device: str
    top: str
    tool: str
    seconds: float
    """Wall time of the run that produced this result (a cached result keeps it)."""
    flat: bool
    total: Figures
    instances: dict[str, Figures]
    """Per top-level instance, submodules included; empty when ``flat``."""
    glue: Figures
    """The top's own logic outside any instance (a `flat` run puts everything here)."""
    cells: dict[str, int] = field(default_factory=dict)
    """Primitive counts of the whole design (I/O buffers and wide muxes included)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SynthResult:
        d = json.loads(text)
        return cls(
            **d
            | {
                "total": Figures(**d["total"]),
                "glue": Figures(**d["glue"]),
                "instances": {k: Figures(**v) for k, v in d["instances"].items()},
            }
        )


def yosys_script(
    top: str, family: Family, *, flat: bool, abc9: bool, json_out: str | None = None, nested: bool = False
) -> str:
    """The Yosys script reading `design.v` and writing `stat.json` (and `top.il`, the top
    module's cells, unless ``flat``). ``nested``: every module keeps its boundary, not only the
    top's instances (synth_split.py)."""
    lines = ["read_verilog design.v", f"hierarchy -check -top {top}"]
    if not flat and not nested:  # the top's instances stay modules; everything below them is flattened into them
        lines.append(f"setattr -set keep_hierarchy 1 {top}/c:*")
    command = _SYNTH_COMMAND[family]
    if nested:
        command = command.replace(" -flatten", "") if " -flatten" in command else command + " -noflatten"
    synth = f"{command} -top {top}" + (" -abc9" if abc9 else "")
    lines.append(synth + (f" -json {json_out}" if json_out else ""))
    lines.append("tee -q -o stat.json stat -json")
    if not flat:
        lines.append(f"dump -o top.il {top}/c:*")
    return "\n".join(lines) + "\n"


def synthesize(
    verilog: str,
    top: str,
    device: Device,
    *,
    flat: bool = False,
    abc9: bool = False,
    timeout: float = SYNTH_TIMEOUT_S,
    use_cache: bool = True,
) -> SynthResult:
    """Synthesise ``verilog`` (top module ``top``) for ``device`` with Yosys.

    ``abc9``: Yosys's timing-driven ABC9 mapper, ~15-25% fewer LUTs on lowbitc designs, but
    Yosys 0.23 (Debian 12) aborts in ABC9_OPS on designs with LUT RAMs (YosysHQ/yosys#3384), so
    the default is the classic ABC flow."""
    fab = fabric_for(device, "synthesise")
    key = cache_key(FLOW_VERSION, verilog, top, device, flat, abc9, tool_version("yosys"))
    if use_cache and (hit := cached(key, "synth")) is not None:
        return SynthResult.from_json(hit)
    with tempfile.TemporaryDirectory(prefix="lowbitc-synth-") as tmp:
        folder = Path(tmp)
        write_design(folder, verilog)
        start = time.monotonic()
        run_yosys(folder, yosys_script(top, fab.family, flat=flat, abc9=abc9), "stat.json", timeout, device)
        seconds = time.monotonic() - start
        modules = parse_stat_json((folder / "stat.json").read_text())
        cells = parse_top_cells((folder / "top.il").read_text()) if not flat else {}
    result = _result(modules, cells, top, device, fab.family, flat, seconds)
    if use_cache:
        store(key, "synth", result.to_json())
    return result


def _result(
    modules: dict[str, dict[str, int]],
    top_cells: dict[str, str],
    top: str,
    device: Device,
    family: Family,
    flat: bool,
    seconds: float,
) -> SynthResult:
    per, own = instance_cells(modules, top, top_cells)
    instances = {name: figures(c, family) for name, c in per.items()}
    glue = figures(own, family)
    cells = flat_cells(modules, top)
    return SynthResult(
        device.name, top, tool_version("yosys"), round(seconds, 2), flat, figures(cells, family), instances, glue, cells
    )


# -- figures per layer -------------------------------------------------------------------------
def instance_ops(module) -> dict[int, Operation]:
    """The rtl-stage ``module``'s instance ops by the index ``i`` of their Verilog instances
    `u<i>_*` (the i-th op of the top, as backends/verilog/emit.py numbers them)."""
    from lowbitc.dialects.rtl import find_top
    from lowbitc.dialects.rtl.interfaces import HardwareInstance

    ops = find_top(module).body.block.ops
    return {i: op for i, op in enumerate(ops, start=1) if isinstance(op, HardwareInstance)}


def instance_index(name: str) -> int | None:
    """The op index ``i`` of a top-level instance named `u<i>_*`; None for any other name."""
    m = re.match(r"u(\d+)_", name)
    return int(m.group(1)) if m else None


def unit_figures(result: SynthResult, module) -> dict[int | None, Figures]:
    """``result``'s instances summed per unit of the rtl-stage ``module``, keyed by the unit
    indices of `perf.predict` and `resources.design_resources`: a matrix-vector unit with its
    weight ROM, a FIFO or duplicator with the unit owning it (`rtl.unit_owner`); key None
    collects the rest (the top's glue and instances belonging to no unit)."""
    from lowbitc.dialects.rtl.interfaces import StreamUnit, unit_owner

    ops = instance_ops(module)
    index = {op: n for n, op in enumerate(op for op in ops.values() if isinstance(op, StreamUnit))}
    owner: dict[int, int | None] = {}
    for i, op in ops.items():
        unit = op if isinstance(op, StreamUnit) else unit_owner(op)
        owner[i] = index.get(unit) if unit is not None else None
    out: dict[int | None, Figures] = {}
    for name, figs in result.instances.items():
        i = instance_index(name)
        key = owner.get(i) if i is not None else None
        out[key] = out.get(key, Figures()) + figs
    out[None] = out.get(None, Figures()) + result.glue
    return out
