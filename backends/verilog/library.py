"""The hand-written RTL library (`backends/verilog/lib/*.v`), read from the installed package."""

from __future__ import annotations

import importlib.resources


def library_sources() -> dict[str, str]:
    """The hand-written RTL library (``lowbit_*.v``) as ``{file name: text}``."""
    root = importlib.resources.files("lowbitc.backends.verilog.lib")
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(root.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".v")
    }
