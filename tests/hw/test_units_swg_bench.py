"""bench/units_swg.py synthesizes lowbit_swg and lowbit_swg_ram on the CNV's window shapes: its
wrappers must stay valid designs as the library changes. The bench checks itself (`--check`);
the test runs it as a user would, never importing bench/. No figures here (bench/results_swg.json)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "units_swg.py"


def test_window_generator_wrappers_lint() -> None:
    r = subprocess.run([sys.executable, str(BENCH), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "units_swg check: ok" in r.stdout
