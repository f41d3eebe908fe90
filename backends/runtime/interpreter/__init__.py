"""The bit-exact numpy interpreter: runs the IR of every stage on a batch of frames.

`planner.py` turns the entry function into a plan of numpy steps (`plan.py`, `steps.py`,
`spatial.py`, `values.py`, the C kernels in `native.py`); `plan.execute` runs it. Only
`planner.py` imports xDSL, so the names below load lazily: a cached plan runs without it.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "run_module": "planner",
    "entry_function": "planner",
    "frames_per_chunk": "planner",
    "prepare": "planner",
    "ENTRY": "planner",
    "CHUNK_BYTES": "planner",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
