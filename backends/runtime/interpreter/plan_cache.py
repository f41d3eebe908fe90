"""Plans of `lowbitc run`, cached on disk: the second run of a model loads its plan and imports
neither onnx nor xDSL (about 0.3 s of a 0.5 s run on this machine's CNV benchmark).

The key is a hash of everything the plan depends on: the model file's bytes, the options that
shape the compiled IR (stage, target, fold file's bytes, --fps, --budget), lowbitc's own source files and
the Python and numpy versions. Any change gives a new key, so a stale plan is never used. Plans
live under ``$XDG_CACHE_HOME/lowbitc/plans`` (or ``~/.cache/lowbitc/plans``); a cache that cannot
be read or written is skipped, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
from pathlib import Path

import numpy as np

from lowbitc.backends.runtime.interpreter.plan import Plan

PLAN_FORMAT = 1
"""Bump when Plan's layout changes."""
SOURCE_PACKAGES = ("lowbitc", "lowbitc.backends", "lowbitc.dialects", "lowbitc.passes")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lowbitc" / "plans"


@functools.cache
def code_fingerprint() -> str:
    """A hash of lowbitc's Python and C sources (a few milliseconds)."""
    h = hashlib.sha256(f"{PLAN_FORMAT} {sys.version} {np.__version__}".encode())
    for package in SOURCE_PACKAGES:
        spec = importlib.util.find_spec(package)
        for root in spec.submodule_search_locations or ():
            for path in sorted(Path(root).rglob("*")):
                if path.suffix in (".py", ".c") and "__pycache__" not in path.parts:
                    h.update(str(path.relative_to(root)).encode())
                    h.update(path.read_bytes())
    return h.hexdigest()


def plan_key(model: str, stage: str, target: str, fold_file: str | None, folding: object) -> str | None:
    """The cache key of a run (``folding``: the --fps and --budget values), or None when an
    input cannot be read (the uncached path then reports the problem)."""
    h = hashlib.sha256(code_fingerprint().encode())
    h.update(repr((stage, target, folding)).encode())
    try:
        h.update(Path(model).read_bytes())
        h.update(Path(fold_file).read_bytes() if fold_file else b"")
    except OSError:
        return None
    return h.hexdigest()


def load(key: str | None) -> Plan | None:
    if key is None:
        return None
    path = cache_dir() / f"{key}.plan"
    try:
        with open(path, "rb") as f:
            plan = pickle.load(f)
    except Exception:  # missing, truncated or from an incompatible build: compile afresh
        return None
    return plan if isinstance(plan, Plan) else None


def store(key: str | None, plan: Plan) -> None:
    if key is None or not plan.picklable:
        return
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    except OSError:  # a read-only cache only costs speed
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(plan, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.plan")
    except OSError:  # a full disk, likewise
        Path(tmp).unlink(missing_ok=True)
