"""A progress line on stderr for steps that take more than a couple of seconds.

    with progress("Verilator build of accel"):
        build()

While any step runs, and only once the outermost one has run for `DELAY_SECONDS`, stderr shows
one self-overwriting line: a spinner, the nested step names and the seconds elapsed. When the
outermost step ends the line is erased, so error messages and results print on a clean line.
Fast commands therefore print nothing at all, and when stderr is not a terminal (tests, CI, a
pipe, a log file) nothing is ever written: no thread is started, the step only runs.

Steps nest (a compilation stage inside `lowbitc sim`, a Verilator build inside a simulation):
one display thread per process shows the innermost step beside its parents, and the delay
counts from the outermost step, so a series of short stages that add up to a long wait still
shows. This module imports nothing from lowbitc, so any layer (backends included) may use it.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

DELAY_SECONDS = 2.0
"""How long the outermost step runs before the line first appears."""
REFRESH_SECONDS = 0.2
SPINNER = "|/-\\"
"""ASCII, so any terminal encoding can show it."""


class _Display:
    """The one progress line of the process and the thread that redraws it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.steps: list[str] = []
        self.stream: TextIO | None = None
        self.started = 0.0
        self.delay = DELAY_SECONDS
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.shown = False
        self.tick = 0

    def push(self, step: str, stream: TextIO, delay: float) -> bool:
        """Start showing ``step``; False (and nothing done) when ``stream`` is no terminal."""
        with self.lock:
            if not self.steps:
                if not _is_terminal(stream):
                    return False
                self.stream, self.started, self.delay, self.shown = stream, time.monotonic(), delay, False
                self.stop.clear()
                self.thread = threading.Thread(target=self._run, name="lowbitc-progress", daemon=True)
                self.thread.start()
            self.steps.append(step)
            if time.monotonic() - self.started >= self.delay:  # visible: name the new step at once
                self._draw()
            return True

    def pop(self) -> None:
        with self.lock:
            self.steps.pop()
            if self.steps:
                return
            self.stop.set()
            thread = self.thread
        if thread is not None:
            thread.join()
        if self.shown:
            self._write("\r\x1b[K")  # erase the line: what follows starts on a clean line

    def _run(self) -> None:
        if self.stop.wait(self.delay):
            return
        while True:
            with self.lock:
                if self.stop.is_set():
                    return
                self._draw()
            self.stop.wait(REFRESH_SECONDS)

    def _draw(self) -> None:
        """Write the line; the caller holds the lock."""
        self.shown = True
        self._write(self._line(self.tick))
        self.tick += 1

    def _line(self, tick: int) -> str:
        elapsed = time.monotonic() - self.started
        steps = " > ".join(self.steps)
        steps = "".join(c if c.isprintable() else "?" for c in steps)  # file names can hold escape codes
        text = f"{SPINNER[tick % len(SPINNER)]} {steps}  {elapsed:.1f} s"
        width = _columns(self.stream) - 1
        if len(text) > width:  # a wrapped line could not be overwritten by \r
            text = "..." + text[len(text) - width + 3 :]
        return f"\r{text}\x1b[K"

    def _write(self, text: str) -> None:
        try:
            assert self.stream is not None
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken terminal: progress is not worth an error
            pass


def _columns(stream: TextIO | None, default: int = 80) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns if stream is not None else default
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):  # not a real file descriptor
        return default
    return columns if columns > 10 else default  # a fresh pseudo-terminal reports 0 columns


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


_DISPLAY = _Display()


@contextmanager
def progress(step: str, *, stream: TextIO | None = None, delay: float | None = None) -> Iterator[None]:
    """Show ``step`` on ``stream`` (default: the current sys.stderr) while the block runs.

    ``delay`` (default `DELAY_SECONDS`) applies when this is the outermost step."""
    active = _DISPLAY.push(step, sys.stderr if stream is None else stream, DELAY_SECONDS if delay is None else delay)
    try:
        yield
    finally:
        if active:
            _DISPLAY.pop()
