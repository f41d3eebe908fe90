"""The commands of `lowbitc inspect`: one frozen dataclass per command (what the grammar in
`inspect_session` builds) and the help texts, which also give the usage in syntax errors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lark import Token, Transformer

from lowbitc.errors import LowbitcError
from lowbitc.inspect_passes import Value, did_you_mean


@dataclass(frozen=True)
class Stages:
    pass


@dataclass(frozen=True)
class Passes:
    all: bool


@dataclass(frozen=True)
class Show:
    stage: str | None
    layer: int | None


@dataclass(frozen=True)
class Apply:
    name: str
    options: tuple[tuple[str, tuple[Value, ...]], ...]


@dataclass(frozen=True)
class Cost:
    pass


@dataclass(frozen=True)
class Fold:
    layer: int | None
    pe: int | None = None
    simd: int | None = None
    serial: bool = False
    auto: bool = False


@dataclass(frozen=True)
class Run:
    path: str
    stage: str | None


@dataclass(frozen=True)
class Compare:
    first: str
    second: str
    path: str


@dataclass(frozen=True)
class Write:
    path: str


@dataclass(frozen=True)
class Help:
    topic: str | None


@dataclass(frozen=True)
class Quit:
    pass


Command = Stages | Passes | Show | Apply | Cost | Fold | Run | Compare | Write | Help | Quit

HELP: dict[str, tuple[str, str, str]] = {
    # name: (usage, one-line summary, details)
    "stages": (
        "stages",
        "list the pipeline stages and the one the session is at",
        "The session starts at lowbit. 'show STAGE' moves it to an IR stage ('show STAGE LAYER' does not);\n"
        "'apply' adds passes on top.",
    ),
    "passes": (
        "passes [all]",
        "list lowbitc's passes with their options ('all': every xDSL pass too)",
        "Options show the values the session's pipeline uses (target, lanes, folds); 'apply' starts from them.",
    ),
    "show": (
        "show [STAGE] [LAYER]",
        "print the IR at STAGE (default: the current IR), whole or one layer",
        "STAGE is onnx, lowbit .. rtl, verilog or current. Showing a whole IR stage (lowbit .. rtl) makes it\n"
        "the current IR; showing one layer of a stage does not. LAYER i is the i-th matrix product in\n"
        "program order (lowbit.conv/matmul, then xnor_popcount/plane_popcount, lowbit.mvu, rtl.mvu): the\n"
        "same layer at every stage, the 'layer' column of 'cost' and the numbering of fold files. It is\n"
        "printed with the ops that produce its operands and those that use its results, with the SSA\n"
        "names of the whole IR.",
    ),
    "apply": (
        "apply PASS [{opt=value ...}]",
        "apply one pass to the current IR; the result becomes the current IR",
        "Any pass of the xDSL universe ('passes all'). lowbitc's passes start from the session's settings\n"
        '(target, lanes, folds), others from their defaults; options as in xdsl-opt: {lanes=64 fold-file="f.json"}.\n'
        "A failing pass leaves the current IR as it was.",
    ),
    "cost": (
        "cost",
        "per-unit cycles per frame, folding and lanes; the design's II and frames/s",
        "The performance model on the rtl stage compiled with the session's folds ('fixed' marks your folds);\n"
        "with a target that has a fabric (--target xc7z020, ice40-up5k, ...) the resource model's LUTs, FFs and\n"
        "block RAMs per unit, and the design's against the device.",
    ),
    "fold": (
        "fold [LAYER pe=N simd=M [serial|parallel] | LAYER auto]",
        "fix (or free) a layer's folding and show the effect",
        "Without arguments, lists the fixed folds. 'auto' lets the tile pass balance the layer again. Prints the\n"
        "layer's and the design's II, frames/s and lanes before -> after; other free layers rebalance to the new II.",
    ),
    "run": (
        "run IN.npy [STAGE]",
        "interpret the frames of IN.npy at STAGE (default: the current IR)",
        "STAGE is lowbit .. pipeline or current (rtl runs in Verilator: 'lowbitc sim'). Prints the output shape,\n"
        "the argmax of float outputs and the first rows.",
    ),
    "compare": (
        "compare STAGE1 STAGE2 IN.npy",
        "run both stages on IN.npy: bit-identical, or where they first differ",
        "A difference is an error, so that a '-c' script stops with exit code 2.",
    ),
    "write": (
        "write FILE.v",
        "write the Verilog of the rtl stage (with the session's folds)",
        "Written atomically: all or nothing.",
    ),
    "help": ("help [COMMAND]", "list the commands, or explain one", ""),
    "quit": ("quit | exit", "leave the session (so does end of input, Ctrl-D)", ""),
}
COMMANDS = tuple(HELP) + ("exit",)


def help_text(topic: str | None) -> str:
    if topic is None:
        width = max(len(u) for u, _, _ in HELP.values())
        lines = [f"  {usage:<{width}}  {summary}" for usage, summary, _ in HELP.values()]
        return (
            "Commands (separate them with ';' or newlines; '#' starts a comment; quote paths with spaces):\n"
            + "\n".join(lines)
            + "\n'help COMMAND' explains one; TAB completes commands, stages, passes and file names.\n"
        )
    key = "quit" if topic == "exit" else topic
    if key not in HELP:
        raise LowbitcError(f"help: no command '{topic}'{did_you_mean(topic, COMMANDS)}; 'help' lists them")
    usage, summary, details = HELP[key]
    return f"{usage}\n  {summary}\n" + "".join(f"  {line}\n" for line in details.splitlines())


# -- parse tree -> commands ----------------------------------------------------------------
def _value(token: Token) -> Value:
    """Option values as xdsl-opt reads them: numbers, true/false, strings and bare words."""
    text = str(token)
    if token.type == "NUMBER":
        return int(text) if text.lstrip("+-").isdigit() else float(text)
    if token.type == "STRING":
        return unquote(text)
    return {"true": True, "false": False}.get(text, text)


def unquote(text: str) -> str:
    """A quoted string's contents; a backslash keeps the next character as it is (\\" and \\\\)."""
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _path(token: Token) -> str:
    return unquote(str(token)) if token.type == "STRING" else str(token)


class BuildCommands(Transformer):
    """Parse tree -> command objects, as the LALR parser reduces (so errors come in order)."""

    def start(self, items):
        return list(items)

    def stages(self, _):
        return Stages()

    def passes(self, items):
        return Passes(items[0] is not None)

    def show(self, items):
        stage, layer = items
        return Show(None if stage is None else str(stage), None if layer is None else int(layer))

    def value(self, items):
        return _value(items[0])

    def option(self, items):
        key, *values = items
        return str(key), tuple(v for v in values if v is not None)

    def options(self, items):
        return tuple(items)

    def apply(self, items):
        name, options = items
        keys = [k for k, _ in options or ()]
        for k in keys:
            if keys.count(k) > 1:
                raise LowbitcError(f"apply {name}: option '{k}' given twice")
        return Apply(str(name), options or ())

    def cost(self, _):
        return Cost()

    def pe(self, items):
        return "pe", int(items[0])

    def simd(self, items):
        return "simd", int(items[0])

    def serial(self, _):
        return "serial", True

    def parallel(self, _):
        return "serial", False

    def auto(self, _):
        return "auto", True

    def fold(self, items):
        layer, *rest = items
        if layer is None:
            return Fold(None)
        given: dict[str, int | bool] = {}
        for key, value in rest:
            if key in given:
                raise LowbitcError(f"fold {layer}: {'serial/parallel' if key == 'serial' else key} given twice")
            given[key] = value
        if given.get("auto") and len(given) > 1:
            raise LowbitcError(f"fold {layer}: 'auto' frees the layer; give it alone")
        if not given.get("auto") and not {"pe", "simd"} <= set(given):
            raise LowbitcError(f"fold {layer}: give both pe=N and simd=M (or 'auto')")
        return Fold(
            int(layer),
            given.get("pe"),
            given.get("simd"),
            bool(given.get("serial", False)),
            bool(given.get("auto", False)),
        )

    def path(self, items):
        return _path(items[0])

    def run(self, items):
        return Run(items[0], None if items[1] is None else str(items[1]))

    def compare(self, items):
        return Compare(str(items[0]), str(items[1]), items[2])

    def write(self, items):
        return Write(items[0])

    def help(self, items):
        return Help(None if items[0] is None else str(items[0]))

    def quit(self, _):
        return Quit()

    def unknown(self, items):
        word = str(items[0])
        raise LowbitcError(f"unknown command '{word}'{did_you_mean(word, COMMANDS)}; 'help' lists the commands")
