"""The compilation pipeline: named stages, each printable with `--emit <stage>`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException, VerifyException

from lowbitc.backends.devices import Device, get_device
from lowbitc.errors import LowbitcError
from lowbitc.importer import import_onnx
from lowbitc.passes.bitserial import BitserialPass
from lowbitc.passes.pipeline import PipelinePass
from lowbitc.passes.streamline import StreamlinePass
from lowbitc.passes.tile import TilePass
from lowbitc.passes.to_rtl import ToRTLPass
from lowbitc.passes.unroll import UnrollPass
from lowbitc.progress import progress

STAGES = ("onnx", "lowbit", "streamline", "bitserial", "tile", "unroll", "pipeline", "rtl", "verilog")
"""`onnx` prints the model as read; `lowbit` is the imported IR; each later stage is the IR
after the pass of that name; `verilog` is the emitted design."""


@dataclass(frozen=True)
class Options:
    target: str = "generic"
    fold_file: str | None = None
    lanes: int | None = None

    @property
    def device(self) -> Device:
        return get_device(self.target)


def stage_passes(options: Options) -> list[tuple[str, ModulePass]]:
    dev = options.device
    return [
        ("streamline", StreamlinePass()),
        ("bitserial", BitserialPass()),
        ("tile", TilePass(lanes=options.lanes or dev.default_lanes, fold_file=options.fold_file)),
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
        try:
            with progress(f"{name} pass"):
                p.apply(ctx, module)
                module.verify()
        except (DiagnosticException, VerifyException) as exc:
            message = str(exc).strip().splitlines()[0]
            if not message.startswith(f"{name}: "):  # verifier errors do not name the pass
                message = f"{name} pass produced invalid IR: {message}"
            raise LowbitcError(f"{model}: {message}") from None
        if name == stage:
            break
    return module
