"""The hand-written RTL library (`backends/verilog/lib/*.v`, `*.vh`), read from the installed package."""

from __future__ import annotations

import importlib.resources
import re

_INCLUDE = re.compile(r'^[ \t]*`include "([^"]+)"[ \t]*\n', re.MULTILINE)
"""An `include line of the library; the library includes only its own headers, by bare file name."""
_LEADING_COMMENT = re.compile(r"\A(?:[ \t]*(?://[^\n]*)?\n)+")
"""A file's opening comment lines (and blank lines)."""


def library_sources() -> dict[str, str]:
    """The hand-written RTL library as ``{file name: text}``: the modules (``lowbit_*.v``) and the
    headers they include (``lowbit_*.vh``), so that a folder holding them all compiles."""
    root = importlib.resources.files("lowbitc.backends.verilog.lib")
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(root.iterdir(), key=lambda p: p.name)
        if p.name.endswith((".v", ".vh"))
    }


def with_headers(files: dict[str, str]) -> dict[str, str]:
    """``files`` (library modules by name, as tests pick them) plus the library headers they
    include, for tools that take files one by one and find headers through -I."""
    library = library_sources()
    headers = {h for text in files.values() for h in included_files(text)}
    return {**files, **{h: library[h] for h in sorted(headers)}}


def included_files(text: str) -> list[str]:
    """The files ``text`` includes, in order of first appearance."""
    return list(dict.fromkeys(_INCLUDE.findall(text)))


def inline_includes(text: str, library: dict[str, str]) -> str:
    """``text`` with every `include line replaced by the included file's text, so that one file
    stands alone. Headers are included inside module bodies (their constant functions must be
    declared in the module calling them), so each `include gets its own copy."""

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in library:
            raise KeyError(f'`include "{name}": no such file in the RTL library')
        # The header's own file comment (how to include it) says nothing inside a design.
        body = _LEADING_COMMENT.sub("", inline_includes(library[name], library), count=1)
        return f"    // {name}, inlined\n{body.rstrip()}\n"

    return _INCLUDE.sub(expand, text)
