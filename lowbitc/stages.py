"""The one table of the pipeline's stages, in order: it feeds the command line (`--emit`,
`run --stage`), `lowbitc-opt` and `xdsl-opt` (registry.py), the inspector, `--budget` and the
tests.

A stage is named after the pass that makes its IR; each pass stage knows its pass class and
the pass's options for the user's `Options`. Nothing of the compiler is imported until a pass
is made: the command line reads the names without loading xDSL (a cached `lowbitc run` never
imports it)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xdsl.passes import ModulePass

    from lowbitc.options import Options


def _no_settings(options: Options) -> dict[str, Any]:
    return {}


def _tile_settings(options: Options) -> dict[str, Any]:
    return {
        "lanes": options.lanes or options.device.default_lanes,
        "folds": options.fold_specs,
        "cycles": options.target_cycles,
    }


def _pipeline_settings(options: Options) -> dict[str, Any]:
    device = options.device
    return {"clock_mhz": device.clock_mhz, "level_ns": device.lut_level_ns}


@dataclass(frozen=True)
class Stage:
    name: str
    summary: str
    """One line for listings (the inspector's `stages`); pass stages say what their pass does."""
    pass_class_path: str | None = None
    """``module:Class`` of the pass that makes this stage's IR from the previous stage's."""
    settings: Callable[[Options], dict[str, Any]] = _no_settings
    """The pass's options for the user's `Options` (target clock, lanes, folds, cycles)."""

    @property
    def has_pass(self) -> bool:
        return self.pass_class_path is not None

    def pass_class(self) -> type[ModulePass]:
        assert self.pass_class_path is not None, f"stage {self.name} has no pass"
        module, name = self.pass_class_path.split(":")
        return getattr(importlib.import_module(module), name)

    def make_pass(self, options: Options) -> ModulePass:
        return self.pass_class()(**self.settings(options))


STAGE_TABLE: tuple[Stage, ...] = (
    Stage("onnx", "the ONNX model as read"),
    Stage("lowbit", "the imported IR: float host ops and integer lowbit ops"),
    Stage("streamline", "BatchNorm, scales and signs folded into integer thresholds",
          "lowbitc.passes.streamline:StreamlinePass"),
    Stage("bitserial", "every product as XNOR- or AND-popcounts over packed bit planes",
          "lowbitc.passes.bitserial:BitserialPass"),
    Stage("tile", "the folding (PE x SIMD) of every layer", "lowbitc.passes.tile:TilePass", _tile_settings),
    Stage("unroll", "tiles materialised as lanes, accumulators, comparators and weight memories",
          "lowbitc.passes.unroll:UnrollPass"),
    Stage("pipeline", "registers for the clock, line buffers, FIFOs and stream handshakes",
          "lowbitc.passes.pipeline:PipelinePass", _pipeline_settings),
    Stage("rtl", "the hardware IR the Verilog emitter prints", "lowbitc.passes.to_rtl:ToRTLPass"),
    Stage("verilog", "the emitted design"),
)  # fmt: skip

STAGES: tuple[str, ...] = tuple(s.name for s in STAGE_TABLE)
"""`onnx` prints the model as read; `lowbit` is the imported IR; each later stage is the IR
after the pass of that name; `verilog` is the emitted design."""
IR_STAGES: tuple[str, ...] = tuple(s for s in STAGES if s not in ("onnx", "verilog"))
"""The stages that are IR (lowbit .. rtl)."""
RUN_STAGES: tuple[str, ...] = tuple(s for s in IR_STAGES if s != "rtl")
"""The stages the interpreter runs: `rtl.invoke` needs Verilator."""
PASS_STAGES: tuple[Stage, ...] = tuple(s for s in STAGE_TABLE if s.has_pass)
"""The stages made by a pass, in pipeline order."""


def stage(name: str) -> Stage:
    return next(s for s in STAGE_TABLE if s.name == name)


def pass_stages_from(first: str) -> tuple[Stage, ...]:
    """The pass stages from ``first`` on, in order."""
    names = [s.name for s in PASS_STAGES]
    return PASS_STAGES[names.index(first) :]
