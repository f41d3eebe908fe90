"""The linter and formatter (ruff, configured in pyproject.toml) are clean on the whole tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ruff() -> str:
    exe = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    assert Path(exe).exists(), "ruff is not installed: pip install -e '.[test]' installs it"
    return exe


def test_ruff_check_is_clean() -> None:
    r = subprocess.run([ruff(), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format_leaves_every_file_unchanged() -> None:
    r = subprocess.run([ruff(), "format", "--check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
