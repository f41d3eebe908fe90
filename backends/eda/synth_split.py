"""Where a unit's logic goes inside it: a Yosys run that keeps every module's boundary, so each
top-level instance's figures split by the library modules it is built from (lowbit_mvu's own
logic, lowbit_mvu_issue with the input buffer, lowbit_mvu_lane, lowbit_mvu_acc, lowbit_fifo, ...).

Boundaries stop ABC from optimising across them, so the parts add up to more than the same
instance in the run that flattens each instance (synth.py); the split shows the shares, the
per-instance run the cost. Cached like the other runs.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from lowbitc.backends.eda import tools
from lowbitc.backends.eda.synth import SYNTH_TIMEOUT_S, yosys_script
from lowbitc.backends.eda.synth_stats import Figures, figures, flat_cells, parse_stat_json, parse_top_cells
from lowbitc.backends.target.devices import Device, Family

Split = dict[str, dict[str, Figures]]
"""Per top-level instance, its figures by library module, its own module's logic under OWN."""
OWN = "own logic"
"""The part of an instance in its own module, outside every submodule (a generated ROM's module
has a name per design, so the part is named for what it is)."""


def library_module(name: str) -> str:
    """The library module a Yosys module was derived from: `$paramod$<hash>\\lowbit_fifo` and
    `$paramod\\lowbit_fifo\\W=...` are both lowbit_fifo."""
    m = re.match(r"\$paramod(?:\$[0-9a-f]+)?\\([^\\]+)", name)
    return m.group(1) if m else name


def split_modules(modules: dict[str, dict[str, int]], top_cells: dict[str, str], family: Family) -> Split:
    """Each top-level instance's figures: its module's own primitives under OWN, and each
    submodule instance (everything below it included) under its library module's name."""
    out: Split = {}
    for instance, kind in top_cells.items():
        if kind not in modules:
            continue  # a primitive in the top (I/O buffers): glue, not an instance
        own = {cell: n for cell, n in modules[kind].items() if cell not in modules}
        by_module: dict[str, Figures] = {OWN: figures(own, family)}
        for child, n in modules[kind].items():
            if child in modules:
                name = library_module(child)
                by_module[name] = by_module.get(name, Figures()) + figures(flat_cells(modules, child), family).scaled(n)
        out[instance] = by_module
    return out


def submodule_figures(
    verilog: str, top: str, device: Device, *, timeout: float = SYNTH_TIMEOUT_S, use_cache: bool = True
) -> Split:
    """Synthesise ``verilog`` for ``device`` keeping every module boundary; each top-level
    instance's figures by library module (see the module docstring). The cache keeps Yosys's
    cell counts per module, so a change to the split needs no new run."""
    fab = tools.fabric_for(device, "synthesise")
    key = tools.cache_key(tools.FLOW_VERSION, "nested", verilog, top, device, tools.tool_version("yosys"))
    if use_cache and (hit := tools.cached(key, "split")) is not None:
        raw = json.loads(hit)
    else:
        with tempfile.TemporaryDirectory(prefix="lowbitc-split-") as tmp:
            folder = Path(tmp)
            tools.write_design(folder, verilog)
            script = yosys_script(top, fab.family, flat=False, abc9=False, nested=True)
            tools.run_yosys(folder, script, "stat.json", timeout, device)
            raw = {
                "modules": parse_stat_json((folder / "stat.json").read_text()),
                "top_cells": parse_top_cells((folder / "top.il").read_text()),
            }
        if use_cache:
            tools.store(key, "split", json.dumps(raw))
    return split_modules(raw["modules"], raw["top_cells"], fab.family)
