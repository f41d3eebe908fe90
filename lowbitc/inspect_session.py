"""`lowbitc inspect`: the session state and what each command does, without terminal I/O (the
command language is in `inspect_grammar`). Each command returns its text; a user error is a
one-line LowbitcError and leaves the session as it was."""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from lowbitc.backends.target.devices import get_device
from lowbitc.errors import LowbitcError
from lowbitc.inspect_commands import (
    Apply,
    Command,
    Compare,
    Cost,
    Fold,
    Help,
    Passes,
    Run,
    Show,
    Stages,
    Write,
    help_text,
)
from lowbitc.inspect_passes import (
    PassFactory,
    Value,
    apply_pass,
    available_passes,
    build_pass,
    describe_options,
    did_you_mean,
    pass_module_doc,
)
from lowbitc.inspect_views import (
    CostView,
    first_difference,
    first_sentence,
    fold_change,
    format_cost,
    layer_excerpt,
    layer_ops,
    run_summary,
)
from lowbitc.ir_print import ir_text
from lowbitc.options import LayerFold, Options, read_folds
from lowbitc.pipeline import compile_stages, stage_passes
from lowbitc.stages import IR_STAGES, RUN_STAGES, STAGE_TABLE, STAGES

# -- the session ---------------------------------------------------------------------------
FOLDED_STAGES = IR_STAGES[IR_STAGES.index("tile") :]
"""Stages whose IR depends on the folds, recompiled when `fold` changes them."""

Folds = dict[int, LayerFold]
TEXT_STAGES = {"onnx": " (show only)", "verilog": " (show, write)"}
"""The stages that are text, not IR, and the commands that take them."""


class Session:
    """One model under inspection: compiled stages (cached, per fold setting), the current IR
    (a stage plus the passes applied on top of it) and the folds the user fixed."""

    def __init__(self, model: str, target: str = "generic", lanes: int | None = None, fold_file: str | None = None):
        self.model = str(model)
        self.device = get_device(target)
        if lanes is not None and lanes < 1:
            raise LowbitcError(f"--lanes {lanes}: must be positive")
        self.target, self.lanes = target, lanes
        self._cache: dict[str, ModuleOp] = {}
        self._passes: dict[str, PassFactory] | None = None
        self.folds: Folds = {}
        self.elide_larger_than: int | None = None
        """`show` prints constants of more than this many elements as __elided__ (None: all)."""
        # Import now, so that a bad model fails before the first prompt.
        self.current = self.module("lowbit")
        self.position, self.applied = "lowbit", list[str]()
        self.layer_count = len(layer_ops(self.current))
        if fold_file is not None:
            self._set_folds(self._read_folds(fold_file))

    def close(self) -> None:
        """Nothing to release: the session keeps its state in memory (kept for callers' sake)."""

    # -- state ---------------------------------------------------------------------------
    @property
    def options(self) -> Options:
        return Options(self.target, lanes=self.lanes, folds=self.folds)

    @property
    def label(self) -> str:
        """The current IR: a stage and the passes applied on top of it."""
        return " + ".join([self.position, *self.applied])

    def module(self, stage: str) -> ModuleOp:
        """The IR at ``stage`` with the session's settings; the passes continue from the latest
        stage compiled before (the model is imported once)."""
        if stage not in self._cache:
            done = [s for s in IR_STAGES[: IR_STAGES.index(stage)] if s in self._cache]
            start = (done[-1], self._cache[done[-1]]) if done else None
            for name, module in compile_stages(self.model, self.options, stage, start):
                self._cache[name] = module
        return self._cache[stage]

    def passes(self) -> dict[str, PassFactory]:
        if self._passes is None:
            self._passes = available_passes()
        return self._passes

    def pipeline_passes(self) -> dict[str, ModulePass]:
        return {p.name: p for _, p in stage_passes(self.options)}

    def _read_folds(self, path: str) -> Folds:
        folds = read_folds(path)
        for layer in folds:
            self._check_layer(layer, f"--fold {path}")
        return folds

    def _check_layer(self, layer: int, what: str) -> None:
        if not 0 <= layer < self.layer_count:
            span = f" (0..{self.layer_count - 1})" if self.layer_count else ""
            raise LowbitcError(f"{what}: no layer {layer}; the model has {self.layer_count} layers{span}")

    def _set_folds(self, folds: Folds) -> None:
        self.folds = dict(folds)
        for stage in FOLDED_STAGES:
            self._cache.pop(stage, None)

    # -- commands ------------------------------------------------------------------------
    def execute(self, command: Command) -> str:
        match command:
            case Stages():
                return self.stages()
            case Passes(all=everything):
                return self.list_passes(everything)
            case Show(stage=stage, layer=layer):
                return self.show(stage, layer)
            case Apply(name=name, options=options):
                return self.apply(name, dict(options))
            case Cost():
                return self.cost()
            case Fold():
                return self.fold(command)
            case Run(path=path, stage=stage):
                return self.run(path, stage)
            case Compare(first=a, second=b, path=path):
                return self.compare(a, b, path)
            case Write(path=path):
                return self.write(path)
            case Help(topic=topic):
                return help_text(topic)
        raise AssertionError(f"no handler for {command}")

    def stages(self) -> str:
        fixed = ", ".join(map(str, sorted(self.folds))) or "none"
        lines = [
            f"{self.model}: {self.layer_count} layers; target {self.target} at {self.device.clock_mhz:g} MHz; "
            f"fixed folds: {fixed}"
        ]
        for stage in STAGE_TABLE:
            mark = "*" if stage.name == self.position else " "
            lines.append(f" {mark} {stage.name:<10}  {stage.summary}{TEXT_STAGES.get(stage.name, '')}")
        lines.append(f"current IR: {self.label}")
        return "\n".join(lines) + "\n"

    def list_passes(self, everything: bool) -> str:
        registry, ours = self.passes(), self.pipeline_passes()
        lines = ["lowbitc passes (options as the session's pipeline sets them; 'apply PASS{opt=value ...}'):"]
        for name, instance in ours.items():
            cls = type(instance)
            lines.append(f"  {name:<12}{first_sentence(pass_module_doc(cls), name)}")
            lines.extend(f"  {'':<12}  {o}" for o in describe_options(cls, instance))
        others = sorted(n for n in registry if n not in ours)
        if not everything:
            known = [n for n in ("canonicalize", "cse", "dce") if n in others] or others[:3]
            lines.append(f"and {len(others)} xDSL passes ({', '.join(known)}, ...): 'passes all' lists them")
        else:
            lines.append(f"xDSL passes ({len(others)}):")
            for name in others:
                options = describe_options(registry[name](), None)
                lines.append(f"  {name}" + (f"{{{', '.join(options)}}}" if options else ""))
        return "\n".join(lines) + "\n"

    def _stage(self, command: str, name: str, allowed: tuple[str, ...]) -> str:
        if name in allowed:
            return name
        if name == "rtl" and "rtl" not in allowed:
            raise LowbitcError(
                f"{command}: the rtl stage runs in Verilator, not the interpreter; choose one of "
                f"{', '.join(allowed)} (or use 'lowbitc sim')"
            )
        raise LowbitcError(
            f"{command}: unknown stage '{name}'{did_you_mean(name, allowed)}; stages: {', '.join(allowed)}"
        )

    def show(self, stage: str | None, layer: int | None) -> str:
        stage = self._stage("show", stage or "current", (*STAGES, "current"))
        if stage in ("onnx", "verilog"):
            if layer is not None:
                raise LowbitcError(
                    f"show: layers are numbered in the IR (stages {IR_STAGES[0]} .. {IR_STAGES[-1]}), not at {stage}"
                )
            return self._text_at(stage)
        if layer is None:  # a whole IR stage becomes the current IR (the prompt shows it)
            if stage != "current":
                self.current, self.position, self.applied = self.module(stage), stage, []
            return ir_text(self.current, self.elide_larger_than)
        # One layer is a look at a stage: the session stays where it is.
        module, label = (self.current, self.label) if stage == "current" else (self.module(stage), stage)
        count = len(layer_ops(module))
        if not 0 <= layer < count:
            span = f" (0..{count - 1})" if count else ""
            raise LowbitcError(f"show: no layer {layer} in {label}; it has {count} layers{span}")
        return layer_excerpt(module, layer, label, self.elide_larger_than)

    def _text_at(self, stage: str) -> str:
        if stage == "onnx":
            import onnx

            from lowbitc.importer.onnx_graph import load

            return onnx.printer.to_text(load(self.model).model) + "\n"
        from lowbitc.backends.verilog.emit import emit_verilog

        return emit_verilog(self.module("rtl"))

    def apply(self, name: str, options: dict[str, tuple[Value, ...]]) -> str:
        self._check_not_past(name)
        p = build_pass(name, options, self.passes(), self.pipeline_passes().get(name))
        before = self.current
        self.current = apply_pass(p, before)
        self.applied.append(str(p))
        changed = "" if not before.is_structurally_equivalent(self.current) else " (no change)"
        count = sum(1 for _ in before.walk()), sum(1 for _ in self.current.walk())
        return f"applied {p}: {count[0]} -> {count[1]} ops{changed}; current IR: {self.label}\n"

    def _check_not_past(self, name: str) -> None:
        """A pipeline pass applied to IR that a later pipeline pass already made would find
        nothing of its own to work on: say so, and where it runs."""
        if name not in IR_STAGES[1:]:
            return
        reached = max(
            IR_STAGES.index(s) for s in (self.position, *(a.split("{")[0] for a in self.applied)) if s in IR_STAGES
        )
        if reached > IR_STAGES.index(name):
            before = IR_STAGES[IR_STAGES.index(name) - 1]
            raise LowbitcError(
                f"apply {name}: the current IR ({self.label}) is past the {name} stage; "
                f"{name} runs on the IR of {before}: 'show {before}' first"
            )

    def _cost_view(self) -> CostView:
        from lowbitc.backends.report.design import design_report

        rtl = self.module("rtl")
        serial = frozenset(i for i, op in enumerate(layer_ops(rtl)) if op.is_serial)
        return CostView(design_report(rtl, self.device, self.model), serial)

    def cost(self) -> str:
        return format_cost(self._cost_view(), set(self.folds))

    def fold(self, command: Fold) -> str:
        if command.layer is None:
            if not self.folds:
                return "no fixed folds: the tile pass balances every layer to the largest one's cycles\n"
            return "".join(
                f"layer {k}: pe={pe} simd={simd}{' serial' if serial else ''}\n"
                for k, (pe, simd, serial) in sorted(self.folds.items())
            )
        layer = command.layer
        self._check_layer(layer, f"fold {layer}")
        if command.pe == 0 or command.simd == 0:
            raise LowbitcError(f"fold {layer}: pe and simd must be positive")
        old_folds, old_cache = dict(self.folds), dict(self._cache)
        before = self._cost_view()
        folds = dict(self.folds)
        if command.auto:
            folds.pop(layer, None)
        else:
            assert command.pe is not None and command.simd is not None
            folds[layer] = LayerFold(command.pe, command.simd, command.serial)
        self._set_folds(folds)
        try:
            after = self._cost_view()
        except BaseException as exc:  # the tile pass refused the fold (or Ctrl-C): back to the old one
            self._set_folds(old_folds)
            self._cache = old_cache
            if isinstance(exc, LowbitcError):
                raise LowbitcError(f"fold {layer}: {str(exc).removeprefix(f'{self.model}: ')}") from None
            raise
        note = ""
        if self.position in FOLDED_STAGES:
            if self.applied:
                note = f"note: the current IR ({self.label}) keeps the folds it was made with\n"
            else:
                self.current = self.module(self.position)
        return fold_change(layer, before, after) + note

    def _runnable(self, command: str, stage: str | None) -> tuple[ModuleOp, str]:
        stage = self._stage(command, stage or "current", (*RUN_STAGES, "current"))
        if stage != "current":
            return self.module(stage), stage
        if self.position == "rtl" or any(op.name.startswith("rtl.") for op in self.current.walk()):
            raise LowbitcError(
                f"{command}: the current IR ({self.label}) holds rtl ops, which run in Verilator, "
                f"not the interpreter; give a stage up to pipeline (or use 'lowbitc sim')"
            )
        return self.current, self.label

    def _interpret(self, module: ModuleOp, path: str, frames=None):
        from lowbitc.backends.runtime.interpreter import run_module
        from lowbitc.cli_io import frame_shape, load_frames, output_array

        if frames is None:
            frames = load_frames(path, self.model, frame_shape(module))
        return frames, output_array(run_module(module, frames))

    def run(self, path: str, stage: str | None) -> str:
        module, label = self._runnable("run", stage)
        frames, result = self._interpret(module, path)
        return run_summary(label, frames, result)

    def compare(self, first: str, second: str, path: str) -> str:
        (m1, l1), (m2, l2) = self._runnable("compare", first), self._runnable("compare", second)
        frames, r1 = self._interpret(m1, path)
        _, r2 = self._interpret(m2, path, frames)
        difference = first_difference(r1, r2)
        if difference is not None:
            raise LowbitcError(f"compare: {l1} and {l2} differ on {path}: {difference}")
        return f"{l1} and {l2} agree bit for bit on {frames.shape[0]} frames (output {list(r1.shape)} {r1.dtype})\n"

    def write(self, path: str) -> str:
        from lowbitc.backends.analysis.fit import fit_check
        from lowbitc.backends.verilog.emit import emit_verilog
        from lowbitc.cli_io import write_atomic

        rtl = self.module("rtl")
        text = emit_verilog(rtl)
        write_atomic(path, text)
        # Hardware built here gets the compile command's check; the session only warns, so that
        # a design can still be explored and written while its folding is worked on.
        problems = fit_check(rtl, self.device).messages
        return f"wrote {path}: {text.count(chr(10))} lines of Verilog\n" + "".join(f"WARNING: {p}\n" for p in problems)
