"""The compilation pipeline: the stages of lowbitc/stages.py run in order on one imported model,
each printable with `--emit <stage>`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException, VerifyException

from lowbitc.errors import LowbitcError
from lowbitc.importer import import_onnx
from lowbitc.options import Options
from lowbitc.passes.tile import TileError
from lowbitc.progress import progress
from lowbitc.stages import IR_STAGES, PASS_STAGES, pass_stages_from

__all__ = ["compile_stages", "compile_to", "stage_passes"]


def stage_passes(options: Options) -> list[tuple[str, ModulePass]]:
    """Every pass stage's name and pass, set up for ``options`` (--budget is resolved on the IR:
    `compile_stages` replaces tile's)."""
    return [(s.name, s.make_pass(options)) for s in PASS_STAGES]


def compile_stages(
    model: str | Path, options: Options | None = None, last: str = "rtl", start: tuple[str, ModuleOp] | None = None
) -> Iterator[tuple[str, ModuleOp]]:
    """Import ``model`` once and yield each IR stage's name and module, from `lowbit` up to and
    including ``last`` (``options``: the defaults when None). Each module is the stage's own
    copy: later passes do not change it. With ``start`` (a stage's name and IR, the model's
    compiled before), the passes continue from there, without importing the model again."""
    for name, module in _run_stages(model, last, options or Options(), start):
        yield name, module.clone()


def compile_to(model: str | Path, stage: str, options: Options | None = None) -> ModuleOp:
    """Import ``model`` and run the passes up to and including ``stage``."""
    *_, (_, module) = _run_stages(model, stage, options or Options())
    return module


def _run_stages(
    model: str | Path, last: str, options: Options, start: tuple[str, ModuleOp] | None = None
) -> Iterator[tuple[str, ModuleOp]]:
    """The stages after ``start`` (default: the import) up to ``last``, each module yielded as it
    is, before the next pass changes it."""
    if last not in IR_STAGES:
        raise ValueError(f"no IR at stage {last}")
    with progress(f"compiling {Path(model).name}"):  # on a terminal, once it takes seconds
        if start is None:
            with progress("ONNX import"):
                module = import_onnx(model)
            yield "lowbit", module
            done = "lowbit"
        else:
            done, module = start[0], start[1].clone()
        if IR_STAGES.index(last) <= IR_STAGES.index(done):
            return
        ctx = Context()
        for s in pass_stages_from(IR_STAGES[IR_STAGES.index(done) + 1]):
            if s.name == "tile" and options.budget is not None:
                options = _fold_for_budget(module, options, Path(model).name)
            _apply(s.name, s.make_pass(options), ctx, module, model, options)
            yield s.name, module
            if s.name == last:
                return


def _fold_for_budget(module: ModuleOp, options: Options, model_name: str) -> Options:
    """``options`` with --budget resolved to the cycle target the search settles on."""
    from lowbitc.budget import cycles_for_budget

    try:
        with progress(f"folding for {options.budget:.0%} of {options.device.name}"):
            return options.with_ii_cycles(cycles_for_budget(module, options, model_name).cycles)
    except DiagnosticException as exc:  # a fold of --fold that tile refuses
        raise LowbitcError(f"{model_name}: {str(exc).strip().splitlines()[0]}") from None


def _apply(name: str, p: ModulePass, ctx: Context, module: ModuleOp, model: str | Path, options: Options) -> None:
    try:
        with progress(f"{name} pass"):
            p.apply(ctx, module)
            module.verify()
    except (DiagnosticException, VerifyException) as exc:
        message = str(exc).strip().splitlines()[0]
        if not message.startswith(f"{name}: "):  # verifier errors do not name the pass
            message = f"{name} pass produced invalid IR: {message}"
        elif isinstance(exc, TileError) and exc.floor is not None and options.fps:
            clock = options.device.clock_mhz
            message += (
                f"; --fps {options.fps:g} at {clock:g} MHz means {options.target_cycles} cycles per frame: "
                f"ask for at most {clock * 1e6 / exc.floor:.0f} frames/s"
            )
        raise LowbitcError(f"{model}: {message}") from None
