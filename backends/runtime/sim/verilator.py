"""Cached Verilator co-simulation of AXI4-Stream designs.

A design is any Verilog top with ports ``clk``, ``rst``, ``in_tdata``,
``in_tvalid``, ``in_tready``, ``out_tdata``, ``out_tvalid``, ``out_tready``.
:func:`simulate` Verilates it together with the fixed C++ driver
``tb_axis.cpp`` (which adapts to any port width through the Verilated types),
caches the executable, streams input beats through it with optional random
stalls on both sides and returns the output beats with handshake cycle stamps.

Executables are cached under ``$XDG_CACHE_HOME/lowbitc/verilator`` (or
``~/.cache/lowbitc/verilator``), keyed by
a sha256 of everything that affects the build, so each distinct design is
compiled once across processes and test runs. Builds happen in private
temporary folders and are published with an atomic rename, so concurrent
processes never see a half-written binary.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lowbitc.backends.runtime.sim.build import (
    VerilatorError,
    build_simulator,
    check_top,
    find_verilator,
    write_sources,
)
from lowbitc.progress import progress

__all__ = ["LintError", "SimResult", "SimulationError", "SimulationTimeout", "lint", "simulate"]
"""Building (finding Verilator, its cache) is build.py's."""

_LINT_WAIVERS = ("DECLFILENAME",)

_DEFAULT_TIMEOUT = 100_000
_TAIL_CYCLES = 32


class LintError(VerilatorError):
    """Verilator reported a warning or error while linting."""


class SimulationError(RuntimeError):
    """The simulation ran but the design misbehaved (protocol violation etc.)."""


class SimulationTimeout(SimulationError):
    """No handshake happened for ``timeout_cycles`` cycles (deadlock)."""


@dataclass(frozen=True)
class SimResult:
    """Outcome of :func:`simulate`.

    ``outputs`` are the output beats in order; ``in_accept_cycles`` and
    ``out_accept_cycles`` are the cycles (0 = first cycle after reset) in which
    each input/output handshake happened; ``total_cycles`` is the cycle of the
    last expected output handshake plus one.

    With a mid-run reset (``reset_after_beats``), ``reset_cycle`` is the first
    cycle rst was high, and the lists above hold only the handshakes after it
    (cycles keep counting across the reset); ``inputs_before_reset`` and
    ``outputs_before_reset`` are what was accepted and received before it, and
    ``output_pending_at_reset`` says whether an output beat was waiting for
    ``out_tready`` when the reset began.
    """

    outputs: list[int]
    in_accept_cycles: list[int]
    out_accept_cycles: list[int]
    total_cycles: int
    reset_cycle: int | None = None
    inputs_before_reset: int = 0
    outputs_before_reset: list[int] = field(default_factory=list)
    output_pending_at_reset: bool = False


def lint(sources: dict[str, str], top: str) -> None:
    """Run ``verilator --lint-only -Wall`` on ``sources`` with ``top`` as top module.

    Raises :class:`LintError` (with Verilator's output) on any warning or error.
    Only the DECLFILENAME style check is waived, since file names are chosen
    by the caller of this API rather than by the design.
    """
    check_top(top)
    exe = find_verilator()
    with tempfile.TemporaryDirectory(prefix="lowbitc-lint-") as tmp:
        files = write_sources(Path(tmp), sources)
        cmd = [exe, "--lint-only", "-Wall", *(f"-Wno-{w}" for w in _LINT_WAIVERS)]
        cmd += ["--top-module", top, "-I" + tmp, *files]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, check=False)
    out = (proc.stdout + proc.stderr).replace(tmp + os.sep, "")
    if proc.returncode != 0 or "%Warning" in out or "%Error" in out:
        raise LintError(f"verilator lint of {top!r} failed:\n{out.strip()}")


def simulate(
    sources: dict[str, str],
    top: str,
    in_width: int,
    out_width: int,
    inputs: list[int],
    *,
    stall_in: float = 0.0,
    stall_out: float = 0.0,
    seed: int = 0,
    timeout_cycles: int | None = None,
    expected_outputs: int | None = None,
    reset_after_beats: int = 0,
    reset_cycles: int = 4,
    idle_every: int = 0,
    idle_cycles: int = 0,
) -> SimResult:
    """Stream ``inputs`` through the AXI4-Stream top ``top`` and collect its outputs.

    Each cycle the driver offers the next input beat unless a random stall
    (probability ``stall_in``) keeps ``in_tvalid`` low; an offered beat stays
    valid and unchanged until accepted. ``out_tready`` is low with probability
    ``stall_out`` per cycle. The run ends ``_TAIL_CYCLES`` cycles after
    ``expected_outputs`` (default ``len(inputs)``) output beats were received.

    Mid-run reset (``reset_after_beats`` = R >= 1; 0 = off): once R input
    beats have been accepted, the driver keeps streaming (stalls included) for
    1 to 64 more cycles drawn from ``seed``, then holds ``rst`` high for
    ``reset_cycles`` cycles (default 4, as the initial reset) with
    ``in_tvalid`` low, drops everything seen so far and streams
    all of ``inputs`` again from the first beat; the result holds only the
    outputs after the reset, which must be those of a clean run.

    Idle gaps (``idle_every`` = N >= 1 and ``idle_cycles`` = M >= 1, both 0 =
    off): after every N-th accepted input beat (except the last), ``in_tvalid``
    stays low for M cycles, so the pipeline drains; gap cycles do not count
    towards ``timeout_cycles``.

    Raises :class:`SimulationTimeout` if no handshake happens for
    ``timeout_cycles`` (default 100000) cycles, and :class:`SimulationError` if
    the design breaks the AXI4-Stream rules (out_tvalid depending
    combinationally on out_tready, a pending beat being withdrawn or changed)
    or produces more than ``expected_outputs`` beats.
    """
    if in_width < 1 or out_width < 1:
        raise ValueError("port widths must be >= 1")
    for name, p in (("stall_in", stall_in), ("stall_out", stall_out)):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"{name} must be in [0, 1), got {p}")
    for i, v in enumerate(inputs):
        if not 0 <= int(v) < (1 << in_width):
            raise ValueError(f"input beat {i} does not fit in {in_width} bits")
    n_expected = len(inputs) if expected_outputs is None else expected_outputs
    timeout = _DEFAULT_TIMEOUT if timeout_cycles is None else timeout_cycles
    if n_expected < 0 or timeout < 1:
        raise ValueError("expected_outputs must be >= 0 and timeout_cycles >= 1")
    if not 0 <= reset_after_beats <= len(inputs):
        raise ValueError(f"reset_after_beats must be in [0, {len(inputs)}] (the input beats), got {reset_after_beats}")
    if idle_every < 0 or idle_cycles < 0 or (idle_every == 0) != (idle_cycles == 0):
        raise ValueError(f"idle_every and idle_cycles must both be >= 1 or both 0, got {idle_every} and {idle_cycles}")
    # Options are only passed when used, so the default command line is unchanged.
    if reset_cycles < 1:
        raise ValueError(f"reset_cycles must be >= 1, got {reset_cycles}")
    options = [f"reset_after={reset_after_beats}", f"reset_cycles={reset_cycles}"] if reset_after_beats else []
    if idle_every:
        options += [f"idle_every={idle_every}", f"idle_cycles={idle_cycles}"]

    binary = build_simulator(sources, top, in_width, out_width)

    with tempfile.TemporaryDirectory(prefix="lowbitc-sim-") as tmp:
        in_path = Path(tmp) / "in.hex"
        out_path = Path(tmp) / "out.txt"
        in_path.write_text("".join(f"{int(v):x}\n" for v in inputs))
        cmd = [
            str(binary),
            str(in_path),
            str(out_path),
            str(n_expected),
            repr(float(stall_in)),
            repr(float(stall_out)),
            str(seed % (1 << 64)),
            str(timeout),
            str(_TAIL_CYCLES),
            *options,
            "+verilator+rand+reset+2",
            f"+verilator+seed+{seed % 0x7FFFFFFF + 1}",
        ]
        with progress(f"simulating {top}, {len(inputs)} input beats"):
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        lines = out_path.read_text().splitlines() if out_path.exists() else []

    outputs: list[int] = []
    in_cycles: list[int] = []
    out_cycles: list[int] = []
    total = None
    reset_cycle, inputs_before, outputs_before, pending = None, 0, [], False
    mask = (1 << out_width) - 1
    for line in lines:
        tag, _, rest = line.partition(" ")
        if tag == "R":
            cyc, n_in, _, pend = rest.split()
            reset_cycle, inputs_before, outputs_before, pending = int(cyc), int(n_in), outputs, pend == "1"
            outputs, in_cycles, out_cycles = [], [], []
        elif tag == "I":
            in_cycles.append(int(rest))
        elif tag == "O":
            cyc, _, data = rest.partition(" ")
            out_cycles.append(int(cyc))
            outputs.append(int(data, 16) & mask)
        elif tag == "T":
            total = int(rest)
        elif tag == "E":
            exc = SimulationTimeout if proc.returncode == 3 else SimulationError
            raise exc(f"simulation of {top!r}: {rest}")
    if proc.returncode != 0 or total is None:
        raise SimulationError(
            f"simulation of {top!r} failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr).strip()[-5000:]}"
        )
    if reset_after_beats and reset_cycle is None:
        raise SimulationError(
            f"simulation of {top!r}: the mid-run reset after {reset_after_beats} beats did not happen"
        )
    return SimResult(outputs, in_cycles, out_cycles, total, reset_cycle, inputs_before, outputs_before, pending)
