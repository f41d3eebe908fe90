"""`lowbitc inspect MODEL.onnx`: an interactive session over the pipeline (the commands are in
`inspect_commands`, their grammar and the session state in `inspect_session`).

    lowbitc inspect MODEL.onnx [-c "show streamline; cost"] [--target DEVICE] [--fold FOLD.json] [--lanes N]

With ``-c`` the commands run and the program exits; without it, commands come from the terminal
(prompt, history, TAB completion) or, when stdin is not a terminal, line by line from stdin.
Scripts (``-c`` and stdin) stop at the first failing command with its one-line error and exit
code 2, so that a shell script notices; at the terminal an error is printed and the session
goes on."""

from __future__ import annotations

import argparse
import glob
import os
import sys
from collections.abc import Callable
from pathlib import Path

from lowbitc.backends.target.devices import target_names
from lowbitc.errors import LowbitcError
from lowbitc.inspect_commands import COMMANDS
from lowbitc.inspect_grammar import run_script
from lowbitc.inspect_session import Session
from lowbitc.ir_print import ELIDE_HELP, check_elide_limit
from lowbitc.stages import STAGES

HISTORY = Path("~/.cache/lowbitc/inspect_history")
HISTORY_LENGTH = 1000
WORD_BREAKS = " \t\n;{}=,"
"""Where a completed word starts: paths keep their '/', '.' and '-'."""


def build_parser(parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = parser_class(
        prog="lowbitc inspect",
        description="An interactive session over the pipeline: show the IR at any stage or layer, apply passes, "
        "change folds and see the cost, run and compare stages, write Verilog. 'help' inside lists the commands.",
    )
    p.add_argument("model", help="the ONNX model")
    p.add_argument(
        "-c",
        "--command",
        metavar="COMMANDS",
        help="run these commands (separated by ';' or newlines) and exit; the first failing one exits with code 2",
    )
    p.add_argument(
        "--target",
        default="generic",
        metavar="DEVICE",
        help=f"target device or board (default: generic): {target_names()}",
    )
    p.add_argument("--fold", help='JSON file of initial folds: {"0": {"pe": 4, "simd": 32}}')
    p.add_argument("--lanes", type=int, help="PE x SIMD lanes of the largest layer (default: the target's)")
    p.add_argument("--elide-constants-larger-than", type=int, metavar="N", help=f"in 'show': {ELIDE_HELP}")
    return p


def run(args: argparse.Namespace) -> None:
    check_elide_limit(args.elide_constants_larger_than)
    session = Session(args.model, target=args.target, lanes=args.lanes, fold_file=args.fold)
    session.elide_larger_than = args.elide_constants_larger_than
    try:
        if args.command is not None:
            run_script(session.execute, args.command, _print)
        elif sys.stdin.isatty():
            interactive(session)
        else:
            for line in sys.stdin:
                if not run_script(session.execute, line, _print):
                    break
    finally:
        session.close()


def _print(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# -- the terminal ----------------------------------------------------------------------------
def interactive(session: Session) -> None:
    readline = _setup_readline(session)
    print(
        f"lowbitc inspect {session.model}: {session.layer_count} layers, at stage {session.position}. "
        "'help' lists the commands, TAB completes, 'quit' or Ctrl-D leaves."
    )
    try:
        while True:
            more = f"+{len(session.applied)}" if session.applied else ""
            try:
                line = input(f"lowbitc[{session.position}{more}]> ")
            except EOFError:
                print()
                return
            except KeyboardInterrupt:  # as in a shell: drop the line, new prompt
                print()
                continue
            try:
                if not run_script(session.execute, line, _print):
                    return
            except LowbitcError as exc:
                print(f"error: {exc}", file=sys.stderr)
            except KeyboardInterrupt:
                print("interrupted", file=sys.stderr)
            except Exception as exc:  # a bug in lowbitc or in a pass: say so, keep the session
                first = (str(exc).strip().splitlines() or [""])[0]
                print(
                    f"internal error: {type(exc).__name__}: {first} (a bug in lowbitc or the pass: please report it)",
                    file=sys.stderr,
                )
    finally:
        if readline is not None:
            _save_history(readline)


def _setup_readline(session: Session):
    try:
        import readline
    except ImportError:  # no readline on this platform: a plain prompt still works
        return None
    try:
        readline.read_history_file(HISTORY.expanduser())
    except OSError:
        pass
    readline.set_history_length(HISTORY_LENGTH)
    readline.set_completer_delims(WORD_BREAKS)
    readline.set_completer(_completer(readline, lambda: sorted(session.passes())))
    if "libedit" in (readline.__doc__ or ""):  # macOS's readline emulation
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
    return readline


def _save_history(readline) -> None:
    path = HISTORY.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        readline.write_history_file(path)
    except OSError:  # history is a convenience: an unwritable home must not fail the session
        pass


def _completer(readline, pass_names: Callable[[], list[str]]):
    matches: list[str] = []

    def complete(text: str, state: int) -> str | None:
        nonlocal matches
        if state == 0:
            before = readline.get_line_buffer()[: readline.get_begidx()]
            matches = candidates(before, text, pass_names)
        return matches[state] if state < len(matches) else None

    return complete


# -- completion (pure: testable without a terminal) -----------------------------------------
def candidates(before: str, text: str, pass_names: Callable[[], list[str]]) -> list[str]:
    """Completions of the word ``text``, given the line ``before`` it: command names first,
    then per command its stages, pass names, option words or file names."""
    words = before.replace("\n", ";").split(";")[-1].split()
    if not words:
        return _starting(text, COMMANDS)
    command, position = words[0], len(words)  # position: the index of the word being completed
    stages_ir = [s for s in STAGES if s not in ("onnx", "verilog")] + ["current"]
    runnable = [s for s in stages_ir if s != "rtl"]
    if command == "show" and position == 1:
        return _starting(text, [*STAGES, "current"])
    if command == "apply" and position == 1:
        return _starting(text, pass_names())
    if command == "help" and position == 1:
        return _starting(text, COMMANDS)
    if command == "passes" and position == 1:
        return _starting(text, ["all"])
    if command == "fold" and position >= 2:
        return _starting(text, ["pe=", "simd=", "serial", "parallel", "auto"])
    if command == "run":
        return _paths(text, ".npy") if position == 1 else _starting(text, runnable) if position == 2 else []
    if command == "compare":
        return _starting(text, runnable) if position in (1, 2) else _paths(text, ".npy") if position == 3 else []
    if command == "write" and position == 1:
        return _paths(text, ".v")
    return []


def _starting(text: str, words) -> list[str]:
    return sorted({w for w in words if w.startswith(text)})


def _paths(text: str, suffix: str) -> list[str]:
    """Files ending in ``suffix`` and folders. A lone folder is completed to its entries, so
    that readline does not end it with a space as it does a finished word."""
    found = sorted(p + "/" if os.path.isdir(p) else p for p in glob.glob(glob.escape(text) + "*"))
    found = [p for p in found if p.endswith("/") or p.endswith(suffix)]
    if len(found) == 1 and found[0].endswith("/"):
        inside = _paths(found[0], suffix)
        return inside or found
    return found
