"""Helpers shared by the benchmark scripts: the machine line, medians of whole-process runs,
and rewriting one README table between its markers."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "models"
CORPUS = ROOT.parent / "shared" / "models"
"""The corpus of real models beside the repository's folder (`../shared/models`); the scripts
that read it take --models DIR for another."""
LOWBITC = Path(sys.executable).parent / "lowbitc"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}"


def lowbitc(*args: str, env: dict | None = None) -> float:
    """Run the lowbitc command line once; its wall time in seconds (raises on failure)."""
    t0 = time.perf_counter()
    r = subprocess.run([str(LOWBITC), *args], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    if r.returncode:
        raise SystemExit(f"lowbitc {' '.join(args)} failed: {r.stderr.strip()}")
    return elapsed


def median_of(fn, repeats: int) -> float:
    times = sorted(fn() for _ in range(repeats))
    return times[len(times) // 2]


def replace_table(marker: str, table: str) -> None:
    """Put ``table`` between <!-- marker --> and <!-- /marker --> in README.md."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = rf"(<!-- {marker} -->\n)(?:.*?\n)?(<!-- /{marker} -->)"  # the markers may hold nothing yet
    if not re.search(pattern, text, flags=re.S):
        raise SystemExit(f"README.md has no <!-- {marker} --> markers")
    readme.write_text(
        re.sub(pattern, lambda m: m.group(1) + table.rstrip("\n") + "\n" + m.group(2), text, count=1, flags=re.S)
    )
