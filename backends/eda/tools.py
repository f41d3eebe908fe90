"""What the EDA runners share: finding and running the tools (in their own process group, with
a timeout), the device's fabric, the design folder Yosys reads, one Yosys run, and the result
cache (`$XDG_CACHE_HOME/lowbitc/synth`, keyed by a hash of everything a result depends on)."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from lowbitc.backends.runtime.sim.build import cache_dir as _sim_cache_dir
from lowbitc.backends.target.devices import Device, Fabric, Family
from lowbitc.errors import LowbitcError

FLOW_VERSION = 3
"""Bump when the scripts of synth.py or pnr.py change, so cached results are not reused."""


class SynthError(LowbitcError):
    """A synthesis or place-and-route run could not be done or failed: one-line message."""


# -- tools -----------------------------------------------------------------------------------
def find_tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise SynthError(
            f"{name} not found on PATH; install it (Debian/Ubuntu: apt-get install yosys nextpnr-ice40 fpga-icestorm)"
        )
    return exe


@functools.cache
def tool_version(name: str) -> str:
    flag = "-V" if name == "yosys" else "--version"
    proc = subprocess.run([find_tool(name), flag], capture_output=True, text=True, check=False)
    return (proc.stdout + proc.stderr).strip().splitlines()[-1]


def run_tool(cmd: list[str], cwd: Path, timeout: float, what: str) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own process group, killed as a whole (ABC children included) when it
    takes longer than ``timeout`` seconds."""
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise SynthError(
            f"{what} did not finish within {timeout:g} s (raise the timeout, or fold the design into fewer lanes)"
        ) from None
    except BaseException:  # interrupted: take the tool down with us
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def fabric_for(device: Device, action: str) -> Fabric:
    fab = device.fabric
    if fab is None:
        raise SynthError(
            f"target '{device.name}' stands for no particular FPGA, so there is nothing to {action}; "
            "choose a device with --target"
        )
    if fab.family is Family.INTEL:
        raise SynthError(
            f"no open-source synthesis flow exists for Intel parts ({device.name}): Yosys maps Intel "
            "ALMs for Cyclone V, Arria V and Cyclone 10 GX only, and lowbitc does not run Quartus; "
            "use the resource model, or synthesise in Quartus"
        )
    return fab


# -- the design and one Yosys run -------------------------------------------------------------
_ROM = re.compile(
    r"(  reg \[\d+:0\] mem \[0:\d+\];\n)  initial begin\n((?:    mem\[\d+\] = \d+'h[0-9a-f]+;\n)+)  end\n"
)


def roms_to_readmemh(verilog: str) -> tuple[str, dict[str, str]]:
    """The weight ROMs' `initial` blocks (one assignment per word, backends/verilog/rom.py) as
    `$readmemh` of hex files: the same contents, but Yosys reads them in a second instead of
    many minutes (bnnpynq_cnv_1w1a's 127K words: over 8 minutes in read_verilog, 1.7 s)."""
    files: dict[str, str] = {}

    def hexfile(m: re.Match) -> str:
        words = re.findall(r"mem\[(\d+)\] = \d+'h([0-9a-f]+);", m.group(2))
        if [int(i) for i, _ in words] != list(range(len(words))):
            return m.group(0)  # not in address order: leave it as written
        name = f"rom{len(files)}.hex"
        files[name] = "\n".join(w for _, w in words) + "\n"
        return m.group(1) + f'  initial $readmemh("{name}", mem);\n'

    return _ROM.sub(hexfile, verilog), files


def write_design(folder: Path, verilog: str) -> None:
    text, hexfiles = roms_to_readmemh(verilog)
    (folder / "design.v").write_text(text)
    for name, words in hexfiles.items():
        (folder / name).write_text(words)


def last_error(log: Path, proc: subprocess.CompletedProcess) -> str:
    text = (log.read_text(errors="replace") if log.is_file() else "") + proc.stdout + proc.stderr
    errors = [
        line.strip() for line in text.splitlines() if "ERROR" in line or "terminate called" in line or "what():" in line
    ]
    return errors[-1] if errors else f"exit code {proc.returncode}, no error message"


def run_yosys(folder: Path, script: str, output: str, timeout: float, device: Device) -> None:
    """Run the Yosys ``script`` in ``folder`` (which holds `design.v`), failing in one line
    unless it exits 0 and writes ``output``."""
    (folder / "run.ys").write_text(script)
    command = [find_tool("yosys"), "-q", "-l", "yosys.log", "-s", "run.ys"]
    proc = run_tool(command, folder, timeout, f"Yosys synthesis for {device.name}")
    if proc.returncode != 0 or not (folder / output).is_file():
        raise SynthError(f"Yosys failed for {device.name}: {last_error(folder / 'yosys.log', proc)}")


# -- cache -----------------------------------------------------------------------------------
def cache_dir() -> Path:
    return _sim_cache_dir().parent / "synth"


def cache_key(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def cached(key: str, kind: str) -> str | None:
    path = cache_dir() / f"{key}.{kind}.json"
    return path.read_text() if path.is_file() else None


def store(key: str, kind: str, text: str) -> None:
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, folder / f"{key}.{kind}.json")  # atomic: concurrent runs never see half a file
