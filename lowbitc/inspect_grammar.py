"""The command language of `lowbitc inspect`: its grammar, the parser that builds the command
objects of `inspect_commands`, syntax errors that name the command and its usage, and running a
script through a session.

A script is commands separated by ``;`` or newlines (``#`` starts a comment); it is parsed
whole before anything runs, so a typo late in a ``-c`` script costs nothing."""

from __future__ import annotations

from collections.abc import Callable

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from lowbitc.errors import LowbitcError
from lowbitc.inspect_commands import HELP, BuildCommands, Command, Quit

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
