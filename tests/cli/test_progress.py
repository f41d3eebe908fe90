"""lowbitc/progress.py: a progress line on a terminal's stderr for slow steps, nothing at all when
stderr is not a terminal (tests, CI, pipes), and nothing for steps shorter than the delay."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from support.cli import BIN, MODELS

from lowbitc import progress as progress_module
from lowbitc.progress import DELAY_SECONDS, progress

DIGITS = MODELS / "digits_bnn_w1a1.onnx"
ERASE = "\r\x1b[K"


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal and records when each write happened."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[float, str]] = []

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.writes.append((time.monotonic(), s))
        return super().write(s)


def progress_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "lowbitc-progress"]


def test_quiet_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with progress("slow step", stream=stream, delay=0.0):
        assert progress_threads() == []  # not even a thread
        time.sleep(0.3)
    assert stream.getvalue() == ""


def test_first_appearance_is_delayed() -> None:
    fast = FakeTerminal()
    with progress("fast step", stream=fast, delay=0.5):
        time.sleep(0.2)
    assert fast.writes == []  # shorter than the delay: silent, not even an erase
    slow = FakeTerminal()
    start = time.monotonic()
    with progress("slow step", stream=slow, delay=0.5):
        time.sleep(1.0)
    first_at, first = slow.writes[0]
    assert first_at - start >= 0.5
    assert first.startswith("\r") and "slow step" in first and first.rstrip("\x1b[K").endswith(" s")
    assert slow.writes[-1][1] == ERASE  # the line is gone afterwards
    assert progress_threads() == []


def test_nested_steps_and_delay_from_the_outermost() -> None:
    term = FakeTerminal()
    with progress("compiling m.onnx", stream=term, delay=0.4):
        for stage in ("streamline", "tile", "unroll"):  # each shorter than the delay
            with progress(f"{stage} pass"):
                time.sleep(0.25)
    text = "".join(s for _, s in term.writes)
    assert "compiling m.onnx > tile pass" in text or "compiling m.onnx > unroll pass" in text
    assert text.endswith(ERASE)


def test_line_erased_when_a_step_fails() -> None:
    term = FakeTerminal()
    with pytest.raises(RuntimeError, match="boom"):
        with progress("failing step", stream=term, delay=0.0):
            time.sleep(0.3)
            raise RuntimeError("boom")
    assert "failing step" in term.getvalue() and term.writes[-1][1] == ERASE
    assert progress_threads() == []


def test_control_characters_in_names_are_not_sent_to_the_terminal() -> None:
    term = FakeTerminal()
    with progress("model\x1b]0;title\x07.onnx", stream=term, delay=0.0):
        time.sleep(0.3)
    shown = term.getvalue().replace(ERASE, "").replace("\x1b[K", "")
    assert "\x1b" not in shown and "\x07" not in shown and "model?]0;title?.onnx" in shown


def test_no_knobs() -> None:
    source = Path(progress_module.__file__).read_text()
    assert "environ" not in source and "getenv" not in source


# -- the wired-in steps, seen from outside ---------------------------------------------------------
@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "in.npy"
    np.save(path, np.load(MODELS / "digits_bnn_w1a1_test_in.npy")[:8])
    return path


def run_with_pty_stderr(
    cmd: list[str], env: dict[str, str] | None = None, timeout: float = 300
) -> tuple[int, str, float | None]:
    """Run ``cmd`` with a pseudo-terminal as stderr: (exit code, everything it wrote there, seconds
    from the start until its first output, None without output)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))  # 50 rows, 200 columns
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    chunks, deadline, first = [], start + timeout, None
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:  # EIO: the child closed its end
                    break
                if not data:
                    break
                first = time.monotonic() - start if first is None else first
                chunks.append(data)
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        return code, b"".join(chunks).decode(errors="replace"), first
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


def sim_without_delay(args: list[str]) -> list[str]:
    """`lowbitc sim` in a child whose progress delay is 0: anything progress could print, it would."""
    code = (
        "import sys, lowbitc.progress as p; p.DELAY_SECONDS = 0.0; from lowbitc.cli import main; "
        f"sys.exit(main({args!r}))"
    )
    return [sys.executable, "-c", code]


def test_sim_quiet_when_stderr_is_captured(frames: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.npy"
    r = subprocess.run(
        sim_without_delay(["sim", str(DIGITS), "-i", str(frames), "-o", str(out), "--stall", "0.3"]),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    # No progress on a pipe: only the one line saying what was written.
    assert r.stderr == ""
    assert r.stdout.startswith(f"lowbitc: wrote {out} (8 frames through the Verilog") and r.stdout.count("\n") == 1
    assert np.load(out).shape[0] == 8


def test_sim_shows_the_wired_steps_on_a_terminal(frames: Path, tmp_path: Path) -> None:
    code, text, _ = run_with_pty_stderr(
        sim_without_delay(["sim", str(DIGITS), "-i", str(frames), "-o", str(tmp_path / "out.npy"), "--stall", "0.3"])
    )
    assert code == 0, text
    for step in (
        "compiling digits_bnn_w1a1.onnx > ONNX import",
        "compiling digits_bnn_w1a1.onnx > streamline pass",
        "compiling digits_bnn_w1a1.onnx > rtl pass",
        "Verilog emission",
        "co-simulation of 8 frames, stall probability 0.3 > simulating accel, 8 input beats",
    ):
        assert step in text, (step, text[-2000:])
    assert text.endswith(ERASE)


def test_real_verilator_build_shows_progress_after_the_delay(frames: Path, tmp_path: Path) -> None:
    """The installed command, default delay: a cold Verilator build (an empty cache) takes longer
    than the delay, so the build step shows, and the line is erased at the end."""
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    code, text, first = run_with_pty_stderr(
        [str(BIN / "lowbitc"), "sim", str(DIGITS), "-i", str(frames), "-o", str(tmp_path / "out.npy")], env=env
    )
    assert code == 0, text
    assert first is not None and first >= DELAY_SECONDS
    assert "co-simulation of 8 frames > Verilator build of accel" in text, text[-2000:]
    assert text.endswith(ERASE) and "error" not in text


def test_fast_command_silent_on_a_terminal(tmp_path: Path) -> None:
    """`lowbitc report` of a small model takes well under a second: nothing on the terminal.
    Whatever the machine's load, nothing may appear before the delay."""
    code, text, first = run_with_pty_stderr(
        [str(BIN / "lowbitc"), "report", str(DIGITS), "--json", str(tmp_path / "r.json")]
    )
    assert code == 0, text
    assert first is None or first >= DELAY_SECONDS, (first, text)
