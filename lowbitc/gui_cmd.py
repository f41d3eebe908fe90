"""`lowbitc gui MODEL.onnx [--stage STAGE]`: xDSL's interactive pass explorer on a model's IR.

The model is imported and lowered to ``--stage`` (default ``lowbit``), printed as text and
loaded into the input pane of xDSL's Textual app (`xdsl.interactive.app.InputApp`, the
`xdsl-gui` tool), with lowbitc's dialects and passes registered beside xDSL's own: pick
`streamline`, `bitserial`, ... in the pass tree to see the IR after them. Stock `xdsl-gui`
cannot do this: it only registers xDSL's built-in dialects and passes, not the `xdsl.universe`
entry points.

Textual is an optional dependency (`pip install 'lowbitc[gui]'`); without it the command is a
one-line error, like every other user error.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lowbitc.errors import LowbitcError

if TYPE_CHECKING:
    from xdsl.interactive.app import InputApp
    from xdsl.ir import Dialect
    from xdsl.passes import ModulePass

DEFAULT_STAGE = "lowbit"


def build_parser(parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    from lowbitc.cli import _common
    from lowbitc.stages import IR_STAGES

    parser = parser_class(
        prog="lowbitc gui",
        description="Explore the model's IR and apply lowbitc's (and xDSL's) "
        "passes interactively in xDSL's terminal GUI (Textual). Keys: q quits, d toggles dark mode.",
    )
    _common(parser)
    parser.add_argument(
        "--stage",
        default=DEFAULT_STAGE,
        choices=IR_STAGES,
        help=f"IR stage loaded into the input pane (default: {DEFAULT_STAGE}, the imported IR)",
    )
    return parser


def gui_dialects() -> tuple[tuple[str, Callable[[], Dialect]], ...]:
    """xDSL's dialects and lowbitc's: the IR mixes func/arith/builtin with lowbit and rtl."""
    from xdsl.dialects import get_all_dialects

    from lowbitc.registry import all_dialects

    dialects = dict(get_all_dialects())
    for name, factory in all_dialects().items():
        dialects.setdefault(name, factory)
    return tuple(sorted(dialects.items()))


def gui_passes() -> tuple[tuple[str, type[ModulePass]], ...]:
    """xDSL's passes and lowbitc's, sorted by name as `xdsl-gui` lists them. lowbitc's win a
    name clash, as in `lowbitc-opt` (there is none in xdsl 0.74)."""
    from xdsl.transforms import get_all_passes

    from lowbitc.registry import all_passes

    passes = {**get_all_passes(), **all_passes()}
    return tuple((name, factory()) for name, factory in sorted(passes.items()))


def make_app(args: argparse.Namespace) -> InputApp:
    """The app on the model's IR at ``args.stage``, not yet running (tests drive it headless)."""
    try:
        from xdsl.interactive.app import InputApp
    except ImportError as exc:  # textual or pyclip missing
        raise LowbitcError(
            f"lowbitc gui needs the optional dependency '{exc.name}': pip install 'lowbitc[gui]'"
        ) from None

    from lowbitc.cli import options_from
    from lowbitc.pipeline import compile_to

    module = compile_to(args.model, args.stage, options_from(args))

    class LowbitcApp(InputApp):
        # InputApp's CSS_PATH is relative to the file of the class that sets it; a subclass
        # in another file must name xDSL's stylesheet explicitly.
        CSS_PATH = str(Path(sys.modules[InputApp.__module__].__file__ or "").parent / "app.tcss")
        TITLE = f"lowbitc gui {args.model} ({args.stage})"

        def get_query_string(self) -> str:
            # "Copy Query" gives a command that knows lowbitc's passes; on the model's emitted
            # IR unless a file was loaded with "Load File".
            query = super().get_query_string().removeprefix("xdsl-opt ")
            if self.current_file_path:
                return f"lowbitc-opt {query}"
            return f"lowbitc {shlex.quote(args.model)} --emit {args.stage} -o - | lowbitc-opt {query}"

    return LowbitcApp(gui_dialects(), gui_passes(), input_text=str(module) + "\n")


def run(args: argparse.Namespace) -> None:
    app = make_app(args)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise LowbitcError(
            "lowbitc gui needs an interactive terminal (stdin and stdout are not a tty); "
            "use 'lowbitc MODEL.onnx --emit STAGE' and lowbitc-opt in scripts"
        )
    app.run()
