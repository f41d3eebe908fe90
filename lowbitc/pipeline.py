"""The compilation pipeline: named stages, each printable with `--emit <stage>`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException, VerifyException

from lowbitc.backends.target.devices import Device, get_device
from lowbitc.errors import LowbitcError
from lowbitc.importer import import_onnx
from lowbitc.passes.bitserial import BitserialPass
from lowbitc.passes.pipeline import PipelinePass
from lowbitc.passes.streamline import StreamlinePass
from lowbitc.passes.tile import TilePass
from lowbitc.passes.to_rtl import ToRTLPass
from lowbitc.passes.unroll import UnrollPass
from lowbitc.progress import progress
from lowbitc.stages import STAGES  # noqa: E402,F401  (re-exported)


@dataclass(frozen=True)
class Options:
    target: str = "generic"
    fold_file: str | None = None
    lanes: int | None = None
    fps: float | None = None
    """Target frames/s at the device's clock: tile folds every layer for it."""
    budget: float | None = None
    """Share of the device (0, 1]: tile folds for the highest frames/s that fits it (lowbitc/budget.py)."""

    def __post_init__(self) -> None:
        if self.budget is not None and self.fps is not None:  # refused before any work
            raise LowbitcError("give --fps or --budget, not both")

    @property
    def device(self) -> Device:
        return get_device(self.target)

    @property
    def target_cycles(self) -> int:
        """The initiation interval --fps asks for at the device clock (0: no target)."""
        if self.fps is None:
            return 0
        if not self.fps > 0:
            raise LowbitcError(f"--fps {self.fps:g} must be positive")
        cycles = int(self.device.clock_mhz * 1e6 // self.fps)
        if cycles < 1:  # a streaming design takes at least one cycle per frame
            raise LowbitcError(
                f"--fps {self.fps:g} at {self.device.clock_mhz:g} MHz is under one cycle per frame: "
                f"ask for at most {self.device.clock_mhz * 1e6:.0f} frames/s"
            )
        return cycles


def stage_passes(options: Options) -> list[tuple[str, ModulePass]]:
    dev = options.device
    return [
        ("streamline", StreamlinePass()),
        ("bitserial", BitserialPass()),
        (
            "tile",
            TilePass(
                lanes=options.lanes or dev.default_lanes, fold_file=options.fold_file, cycles=options.target_cycles
            ),
        ),
        ("unroll", UnrollPass()),
        ("pipeline", PipelinePass(clock_mhz=dev.clock_mhz, level_ns=dev.lut_level_ns)),
        ("rtl", ToRTLPass()),
    ]


def compile_to(model: str | Path, stage: str, options: Options = Options()) -> ModuleOp:
    """Import ``model`` and run the passes up to and including ``stage``."""
    if stage not in STAGES or stage in ("onnx", "verilog"):
        raise ValueError(f"no IR at stage {stage}")
    with progress(f"compiling {Path(model).name}"):  # on a terminal, once it takes seconds
        return _run_stages(model, stage, options)


def _run_stages(model: str | Path, stage: str, options: Options) -> ModuleOp:
    with progress("ONNX import"):
        module = import_onnx(model)
    if stage == "lowbit":
        return module
    ctx = Context()
    for name, p in stage_passes(options):
        if name == "tile" and options.budget is not None:
            from lowbitc.budget import cycles_for_budget

            with progress(f"folding for {options.budget:.0%} of {options.device.name}"):
                p = TilePass(cycles=cycles_for_budget(module, options.device, options.budget, Path(model).name).cycles)
        try:
            with progress(f"{name} pass"):
                p.apply(ctx, module)
                module.verify()
        except (DiagnosticException, VerifyException) as exc:
            message = str(exc).strip().splitlines()[0]
            if not message.startswith(f"{name}: "):  # verifier errors do not name the pass
                message = f"{name} pass produced invalid IR: {message}"
            elif name == "tile" and options.fps and "cycles per frame" in message:
                floor = max(int(n) for n in re.findall(r"(\d+) cycles per frame", message))
                clock = options.device.clock_mhz
                message += (
                    f"; --fps {options.fps:g} at {clock:g} MHz means {options.target_cycles} cycles per frame: "
                    f"ask for at most {clock * 1e6 / floor:.0f} frames/s"
                )
            raise LowbitcError(f"{model}: {message}") from None
        if name == stage:
            break
    return module
