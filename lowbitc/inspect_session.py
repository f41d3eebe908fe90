"""`lowbitc inspect`: the command language and the session state, without terminal I/O.

A script is commands separated by ``;`` or newlines (``#`` starts a comment); it is parsed
whole before anything runs, so a typo late in a ``-c`` script costs nothing. Each command
returns its text; a user error is a one-line LowbitcError and leaves the session as it was."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from lowbitc.backends.target.devices import get_device
from lowbitc.errors import LowbitcError
from lowbitc.inspect_commands import (
    HELP,
    Apply,
    BuildCommands,
    Command,
    Compare,
    Cost,
    Fold,
    Help,
    Passes,
    Quit,
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
    first_line_of,
    pass_module_doc,
)
from lowbitc.inspect_views import (
    first_difference,
    first_sentence,
    fold_change,
    format_cost,
    layer_excerpt,
    layer_ops,
    run_summary,
    unit_rows,
)
from lowbitc.ir_print import ir_text
from lowbitc.pipeline import STAGES, Options, compile_to, stage_passes

GRAMMAR = r"""
start: _sep* (command _sep+)* command?
_sep: ";" | _NL

?command: stages | passes | show | apply | cost | fold | run | compare | write | help | quit | unknown
stages: "stages"
passes: "passes" [ALL]
show: "show" [WORD] [INT]
apply: "apply" WORD [options]
options: "{" option* "}"
option: WORD ["=" value ("," value)*]
value: NUMBER | STRING | WORD
cost: "cost"
fold: "fold" [INT fold_item+]
fold_item: "pe" "=" INT     -> pe
         | "simd" "=" INT   -> simd
         | "serial"         -> serial
         | "parallel"       -> parallel
         | "auto"           -> auto
run: "run" path [WORD]
compare: "compare" WORD WORD path
write: "write" path
help: "help" [WORD]
quit: "quit" | "exit"
// Any other word where a command starts: reported as an unknown command, not a syntax error.
unknown: WORD REST?
path: WORD | STRING

ALL: "all"
INT.2: /[0-9]+/
NUMBER.2: /[-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?/
STRING: /"(\\.|[^"\\\n])*"/
// Bare words: stage, pass and option names, paths. Keywords are whole words: where a command
// starts, "showx" is the word "showx", not "show" followed by "x".
WORD: /[^\s;{}=,"#]+/
REST.3: /[^;\n]+/
_NL: /\r?\n/
COMMENT: /#[^\n]*/
%ignore /[ \t]+/
%ignore COMMENT
"""


# -- parsing -------------------------------------------------------------------------------
_PARSER = Lark(GRAMMAR, parser="lalr", transformer=BuildCommands())


def parse_commands(text: str) -> list[Command]:
    try:
        return _PARSER.parse(text)
    except UnexpectedInput as exc:
        raise LowbitcError(_syntax_message(text, exc)) from None


def _syntax_message(text: str, exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        pos, found = len(text), None
    elif isinstance(exc, UnexpectedToken):
        pos, found = exc.token.start_pos, str(exc.token)
    else:
        assert isinstance(exc, UnexpectedCharacters)
        pos, found = exc.pos_in_stream, text[exc.pos_in_stream]
    start = max(text.rfind(";", 0, pos), text.rfind("\n", 0, pos)) + 1
    words = text[start:pos].split()
    line = text.count("\n", 0, pos) + 1
    where = f"column {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}" + (f" of line {line}" if line > 1 else "")
    command = "quit" if words and words[0] == "exit" else (words[0] if words else None)
    if command not in HELP:
        return f"unexpected '{found}' at {where} where a command should start; 'help' lists the commands"
    usage = HELP[command][0]
    if found is None or found.strip() in ("", ";"):  # the command ended early
        return f"{command}: incomplete command; usage: {usage}"
    if found.startswith('"'):
        return f"{command}: unterminated string at {where}"
    found = (found.split() or [found])[0]  # the lexer's fallback may take the rest of the line
    return f"{command}: unexpected '{found}' at {where}; usage: {usage}"


def run_script(execute: Callable[[Command], str], text: str, out: Callable[[str], None]) -> bool:
    """Parse ``text`` and run its commands in order through ``execute``, giving each command's
    text to ``out``; False once a `quit` is reached."""
    for command in parse_commands(text):
        if isinstance(command, Quit):
            return False
        out(execute(command))
    return True


# -- the session ---------------------------------------------------------------------------
IR_STAGES = tuple(s for s in STAGES if s not in ("onnx", "verilog"))
RUN_STAGES = tuple(s for s in IR_STAGES if s != "rtl")
"""The interpreter runs the host part and every op up to `pipeline`; `rtl.invoke` needs Verilator."""
FOLDED_STAGES = IR_STAGES[IR_STAGES.index("tile") :]
"""Stages whose IR depends on the folds, recompiled when `fold` changes them."""
OTHER_STAGES = {
    "onnx": "the ONNX model as read (show only)",
    "lowbit": "the imported IR: float host ops and integer lowbit ops",
    "verilog": "the emitted design (show, write)",
}

Folds = dict[int, tuple[int, int, bool]]


class Session:
    """One model under inspection: compiled stages (cached, per fold setting), the current IR
    (a stage plus the passes applied on top of it) and the folds the user fixed."""

    def __init__(self, model: str, target: str = "generic", lanes: int | None = None, fold_file: str | None = None):
        self.model = str(model)
        self.device = get_device(target)
        if lanes is not None and lanes < 1:
            raise LowbitcError(f"--lanes {lanes}: must be positive")
        self.target, self.lanes = target, lanes
        self._tmp = tempfile.TemporaryDirectory(prefix="lowbitc-inspect-")
        self._fold_path = Path(self._tmp.name) / "folds.json"
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
        self._tmp.cleanup()

    # -- state ---------------------------------------------------------------------------
    @property
    def options(self) -> Options:
        return Options(self.target, str(self._fold_path) if self.folds else None, self.lanes)

    @property
    def label(self) -> str:
        """The current IR: a stage and the passes applied on top of it."""
        return " + ".join([self.position, *self.applied])

    def module(self, stage: str) -> ModuleOp:
        if stage not in self._cache:
            self._cache[stage] = compile_to(self.model, stage, self.options)
        return self._cache[stage]

    def passes(self) -> dict[str, PassFactory]:
        if self._passes is None:
            self._passes = available_passes()
        return self._passes

    def pipeline_passes(self) -> dict[str, ModulePass]:
        return {p.name: p for _, p in stage_passes(self.options)}

    def _read_folds(self, path: str) -> Folds:
        from xdsl.utils.exceptions import DiagnosticException

        from lowbitc.passes.tile import read_fold_file

        try:
            folds = read_fold_file(path)
        except DiagnosticException as exc:
            raise LowbitcError(f"--fold: {first_line_of(exc, 'tile')}") from None
        for layer in folds:
            self._check_layer(layer, f"--fold {path}")
        return folds

    def _check_layer(self, layer: int, what: str) -> None:
        if not 0 <= layer < self.layer_count:
            span = f" (0..{self.layer_count - 1})" if self.layer_count else ""
            raise LowbitcError(f"{what}: no layer {layer}; the model has {self.layer_count} layers{span}")

    def _set_folds(self, folds: Folds) -> None:
        self.folds = dict(folds)
        payload = {
            str(k): {"pe": pe, "simd": simd, "serial": serial} for k, (pe, simd, serial) in sorted(folds.items())
        }
        self._fold_path.write_text(json.dumps(payload, indent=1) + "\n")
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
        described = {name: first_sentence(pass_module_doc(type(p)), name) for name, p in self.pipeline_passes().items()}
        for stage in STAGES:
            mark = "*" if stage == self.position else " "
            lines.append(f" {mark} {stage:<10}  {OTHER_STAGES.get(stage) or described.get(stage, '')}")
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
        if stage != "current":
            self.current, self.position, self.applied = self.module(stage), stage, []
        if layer is None:
            return ir_text(self.current, self.elide_larger_than)
        count = len(layer_ops(self.current))
        if not 0 <= layer < count:
            span = f" (0..{count - 1})" if count else ""
            raise LowbitcError(f"show: no layer {layer} in {self.label}; it has {count} layers{span}")
        return layer_excerpt(self.current, layer, self.label, self.elide_larger_than)

    def _text_at(self, stage: str) -> str:
        if stage == "onnx":
            import onnx

            from lowbitc.importer.onnx_graph import load

            return onnx.printer.to_text(load(self.model).model) + "\n"
        from lowbitc.backends.verilog.emit import emit_verilog

        return emit_verilog(self.module("rtl"))

    def apply(self, name: str, options: dict[str, tuple[Value, ...]]) -> str:
        p = build_pass(name, options, self.passes(), self.pipeline_passes().get(name))
        before = self.current
        self.current = apply_pass(p, before)
        self.applied.append(str(p))
        changed = "" if not before.is_structurally_equivalent(self.current) else " (no change)"
        count = sum(1 for _ in before.walk()), sum(1 for _ in self.current.walk())
        return f"applied {p}: {count[0]} -> {count[1]} ops{changed}; current IR: {self.label}\n"

    def _cost_rows(self):
        from lowbitc.backends.report.design import design_report

        rtl = self.module("rtl")
        report = design_report(rtl, self.device)
        return report, unit_rows(report, [op.is_serial for op in layer_ops(rtl)])

    def cost(self) -> str:
        report, rows = self._cost_rows()
        return format_cost(self.model, report, rows, set(self.folds))

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
        rep0, rows0 = self._cost_rows()
        folds = dict(self.folds)
        if command.auto:
            folds.pop(layer, None)
        else:
            assert command.pe is not None and command.simd is not None
            folds[layer] = (command.pe, command.simd, command.serial)
        self._set_folds(folds)
        try:
            rep1, rows1 = self._cost_rows()
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
        return fold_change(layer, rows0, rows1, rep0, rep1) + note

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
        from lowbitc.cli import frame_shape, load_frames, output_array

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
        from lowbitc.backends.verilog.emit import emit_verilog
        from lowbitc.cli import write_atomic

        text = emit_verilog(self.module("rtl"))
        write_atomic(path, text)
        return f"wrote {path}: {text.count(chr(10))} lines of Verilog\n"
