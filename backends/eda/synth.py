"""Synthesis with Yosys, and place and route with nextpnr-ice40, of a design `lowbitc -o
accel.v` emitted: LUTs, flip-flops, block RAMs, DSPs and carry cells in total and per top-level
instance (one or two per layer: `u<i>_mvu` and its ROM `u<i>_weights`, `u<i>_fifo`, `u<i>_swg`,
...), and fmax and utilisation after place and route on an iCE40.

Per-instance figures come from one run that keeps the boundaries of the top's instances
(`keep_hierarchy` on them) and flattens everything below, so each layer's unit is optimised as a
whole but not across units; `flat=True` flattens everything (what Vivado does by default) and
gives totals only. Keeping the boundaries changes the LUT count: on the corpus for xc7z020 from
-15% to +46% against a flat run (ABC's area recovery sees different netlists); flip-flops and
block RAMs are the same either way.

Runs are slow (seconds to many minutes), so results are cached under
`$XDG_CACHE_HOME/lowbitc/synth` (or `~/.cache/lowbitc/synth`), keyed by a hash of the Verilog,
the top, the device, the options, the tool versions and this flow's version.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lowbitc.backends.eda.synth_stats import (
    Figures,
    figures,
    flat_cells,
    instance_cells,
    parse_stat_json,
    parse_top_cells,
)
from lowbitc.backends.runtime.sim.verilator import cache_dir as _sim_cache_dir
from lowbitc.backends.target.devices import Device, Fabric, Family
from lowbitc.errors import LowbitcError

FLOW_VERSION = 3
"""Bump when the scripts below change, so cached results are not reused."""
SYNTH_TIMEOUT_S = 3600.0
PNR_TIMEOUT_S = 3600.0

_SYNTH_COMMAND = {
    Family.XILINX7: "synth_xilinx -family xc7 -flatten",
    Family.XILINXUS: "synth_xilinx -family xcup -flatten",
    Family.ICE40: "synth_ice40",  # flattens by default
    Family.ECP5: "synth_ecp5",  # flattens by default
}


class SynthError(LowbitcError):
    """A synthesis or place-and-route run could not be done or failed: one-line message."""


@dataclass(frozen=True)
class SynthResult:
    device: str
    top: str
    tool: str
    seconds: float
    """Wall time of the run that produced this result (a cached result keeps it)."""
    flat: bool
    total: Figures
    instances: dict[str, Figures]
    """Per top-level instance, submodules included; empty when ``flat``."""
    glue: Figures
    """The top's own logic outside any instance (a `flat` run puts everything here)."""
    cells: dict[str, int] = field(default_factory=dict)
    """Primitive counts of the whole design (I/O buffers and wide muxes included)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SynthResult:
        d = json.loads(text)
        return cls(
            **d
            | {
                "total": Figures(**d["total"]),
                "glue": Figures(**d["glue"]),
                "instances": {k: Figures(**v) for k, v in d["instances"].items()},
            }
        )


@dataclass(frozen=True)
class PnrResult:
    device: str
    package: str
    tool: str
    seconds: float
    fits: bool
    target_mhz: float
    fmax_mhz: float | None
    """Achieved fmax of the design clock; None when it did not fit."""
    utilisation: dict[str, tuple[int, int]]
    """nextpnr's {cell type: (used, available)}, e.g. ICESTORM_LC, ICESTORM_RAM, ICESTORM_DSP."""
    critical_path: list[str]
    """Nets of the critical path, source first (hierarchical names, `u_dut.u<i>_<kind>...`)."""
    critical_ns: dict[str, float] = field(default_factory=dict)
    """The critical path's delay by kind: clk-to-q, logic, routing, setup (ns), and
    `levels`, the number of logic cells on it."""
    message: str = ""
    """Why it did not fit (nextpnr's error), or empty."""

    @property
    def critical_instances(self) -> list[str]:
        """Top-level instances the critical path runs through, in order."""
        names = [m.group(1) for n in self.critical_path if (m := re.match(r"u_dut\.(u\d+_\w+?)\.", n))]
        return list(dict.fromkeys(names))

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PnrResult:
        d = json.loads(text)
        return cls(**d | {"utilisation": {k: tuple(v) for k, v in d["utilisation"].items()}})


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


def _run(cmd: list[str], cwd: Path, timeout: float, what: str) -> subprocess.CompletedProcess:
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


def _fabric(device: Device, action: str) -> Fabric:
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


# -- cache -----------------------------------------------------------------------------------
def cache_dir() -> Path:
    return _sim_cache_dir().parent / "synth"


def _key(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def _cached(key: str, kind: str) -> str | None:
    path = cache_dir() / f"{key}.{kind}.json"
    return path.read_text() if path.is_file() else None


def _store(key: str, kind: str, text: str) -> None:
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, folder / f"{key}.{kind}.json")  # atomic: concurrent runs never see half a file


# -- synthesis -------------------------------------------------------------------------------
def yosys_script(top: str, family: Family, *, flat: bool, abc9: bool, json_out: str | None = None) -> str:
    """The Yosys script reading `design.v` and writing `stat.json` (and `top.il`, the top
    module's cells, unless ``flat``)."""
    lines = ["read_verilog design.v", f"hierarchy -check -top {top}"]
    if not flat:  # the top's instances stay modules; everything below them is flattened into them
        lines.append(f"setattr -set keep_hierarchy 1 {top}/c:*")
    synth = f"{_SYNTH_COMMAND[family]} -top {top}" + (" -abc9" if abc9 else "")
    lines.append(synth + (f" -json {json_out}" if json_out else ""))
    lines.append("tee -q -o stat.json stat -json")
    if not flat:
        lines.append(f"dump -o top.il {top}/c:*")
    return "\n".join(lines) + "\n"


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


def synthesize(
    verilog: str,
    top: str,
    device: Device,
    *,
    flat: bool = False,
    abc9: bool = False,
    timeout: float = SYNTH_TIMEOUT_S,
    use_cache: bool = True,
) -> SynthResult:
    """Synthesise ``verilog`` (top module ``top``) for ``device`` with Yosys.

    ``abc9``: Yosys's timing-driven ABC9 mapper, ~15-25% fewer LUTs on lowbitc designs, but
    Yosys 0.23 (Debian 12) aborts in ABC9_OPS on designs with LUT RAMs (YosysHQ/yosys#3384), so
    the default is the classic ABC flow."""
    fab = _fabric(device, "synthesise")
    key = _key(FLOW_VERSION, verilog, top, device, flat, abc9, tool_version("yosys"))
    if use_cache and (hit := _cached(key, "synth")) is not None:
        return SynthResult.from_json(hit)
    with tempfile.TemporaryDirectory(prefix="lowbitc-synth-") as tmp:
        folder = Path(tmp)
        _write_design(folder, verilog)
        (folder / "run.ys").write_text(yosys_script(top, fab.family, flat=flat, abc9=abc9))
        start = time.monotonic()
        proc = _run(
            [find_tool("yosys"), "-q", "-l", "yosys.log", "-s", "run.ys"],
            folder,
            timeout,
            f"Yosys synthesis for {device.name}",
        )
        seconds = time.monotonic() - start
        if proc.returncode != 0 or not (folder / "stat.json").is_file():
            raise SynthError(f"Yosys failed for {device.name}: {_last_error(folder / 'yosys.log', proc)}")
        modules = parse_stat_json((folder / "stat.json").read_text())
        cells = parse_top_cells((folder / "top.il").read_text()) if not flat else {}
    result = _result(modules, cells, top, device, fab.family, flat, seconds)
    if use_cache:
        _store(key, "synth", result.to_json())
    return result


def _write_design(folder: Path, verilog: str) -> None:
    text, hexfiles = roms_to_readmemh(verilog)
    (folder / "design.v").write_text(text)
    for name, words in hexfiles.items():
        (folder / name).write_text(words)


def _result(
    modules: dict[str, dict[str, int]],
    top_cells: dict[str, str],
    top: str,
    device: Device,
    family: Family,
    flat: bool,
    seconds: float,
) -> SynthResult:
    per, own = instance_cells(modules, top, top_cells)
    instances = {name: figures(c, family) for name, c in per.items()}
    glue = figures(own, family)
    cells = flat_cells(modules, top)
    return SynthResult(
        device.name, top, tool_version("yosys"), round(seconds, 2), flat, figures(cells, family), instances, glue, cells
    )


def _last_error(log: Path, proc: subprocess.CompletedProcess) -> str:
    text = (log.read_text(errors="replace") if log.is_file() else "") + proc.stdout + proc.stderr
    errors = [
        line.strip() for line in text.splitlines() if "ERROR" in line or "terminate called" in line or "what():" in line
    ]
    return errors[-1] if errors else f"exit code {proc.returncode}, no error message"


# -- place and route (iCE40) -----------------------------------------------------------------
def _ports(verilog: str, top: str) -> dict[str, int]:
    head = re.search(rf"module\s+{re.escape(top)}\s*\((.*?)\);", verilog, re.S)
    if head is None:
        raise SynthError(f"no module '{top}' in the Verilog")
    return {
        name: int(msb) + 1 if msb else 1
        for msb, name in re.findall(r"(?:input|output)\s+wire\s*(?:\[(\d+):0\])?\s*(\w+)", head.group(1))
    }


def pin_wrapper(verilog: str, top: str) -> str:
    """A top `lowbitc_pnr_top` with 8 pins around ``top``: `in_tdata` comes from a shift
    register fed by one pin, `out_tdata` leaves as its registered XOR, so every bit stays live
    but the design fits a small package. It adds width(in_tdata) + 1 flip-flops and about
    width(out_tdata) / 3 LUT4s."""
    ports = _ports(verilog, top)
    iw, ow = ports["in_tdata"], ports["out_tdata"]
    shift = "sr <= sin;" if iw == 1 else f"sr <= {{sr[{iw - 2}:0], sin}};"
    return (
        verilog
        + f"""
module lowbitc_pnr_top(input wire clk, input wire rst, input wire sin, input wire in_tvalid, output wire in_tready,
                       output reg out_parity, output wire out_tvalid, input wire out_tready);
  reg [{iw - 1}:0] sr;
  wire [{ow - 1}:0] out_tdata;
  always @(posedge clk) {shift}
  always @(posedge clk) out_parity <= ^out_tdata;
  {top} u_dut(.clk(clk), .rst(rst), .in_tdata(sr), .in_tvalid(in_tvalid), .in_tready(in_tready),
      .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));
endmodule
"""
    )


def place_and_route(
    verilog: str,
    top: str,
    device: Device,
    *,
    freq_mhz: float | None = None,
    seed: int = 1,
    timeout: float = PNR_TIMEOUT_S,
    use_cache: bool = True,
) -> PnrResult:
    """Synthesise (flat) and place and route ``verilog`` on an iCE40 with nextpnr-ice40, inside
    `pin_wrapper`, at ``freq_mhz`` (default: the device's clock). A design too large for the
    part gives ``fits=False`` with nextpnr's message, not an exception."""
    fab = _fabric(device, "place and route")
    if fab.family is not Family.ICE40:
        raise SynthError(f"place and route is implemented for iCE40 parts only (nextpnr-ice40), not {device.name}")
    target = freq_mhz or device.clock_mhz
    key = _key(FLOW_VERSION, verilog, top, device, target, seed, tool_version("yosys"), tool_version("nextpnr-ice40"))
    if use_cache and (hit := _cached(key, "pnr")) is not None:
        return PnrResult.from_json(hit)
    with tempfile.TemporaryDirectory(prefix="lowbitc-pnr-") as tmp:
        folder = Path(tmp)
        _write_design(folder, pin_wrapper(verilog, top))
        (folder / "run.ys").write_text(
            yosys_script("lowbitc_pnr_top", fab.family, flat=True, abc9=False, json_out="netlist.json")
        )
        start = time.monotonic()
        proc = _run(
            [find_tool("yosys"), "-q", "-l", "yosys.log", "-s", "run.ys"],
            folder,
            timeout,
            f"Yosys synthesis for {device.name}",
        )
        if proc.returncode != 0 or not (folder / "netlist.json").is_file():
            raise SynthError(f"Yosys failed for {device.name}: {_last_error(folder / 'yosys.log', proc)}")
        part = fab.part.split("-")[0].lower().removeprefix("ice40")  # iCE40UP5K-SG48 -> up5k
        cmd = [
            find_tool("nextpnr-ice40"),
            f"--{part}",
            "--package",
            fab.package,
            "--json",
            "netlist.json",
            "--freq",
            f"{target:g}",
            "--seed",
            str(seed),
            "--report",
            "report.json",
            "--timing-allow-fail",
            "--log",
            "nextpnr.log",
            "-q",
        ]
        proc = _run(cmd, folder, max(1.0, timeout - (time.monotonic() - start)), f"nextpnr-ice40 for {device.name}")
        seconds = time.monotonic() - start
        log = (folder / "nextpnr.log").read_text(errors="replace") if (folder / "nextpnr.log").is_file() else ""
        report = json.loads((folder / "report.json").read_text()) if (folder / "report.json").is_file() else None
    if proc.returncode == 0 and report is not None:
        result = _pnr_result(report, device, target, seconds)
    else:
        errors = [line.strip() for line in (log + proc.stderr).splitlines() if "ERROR" in line]
        if not errors:
            raise SynthError(f"nextpnr-ice40 failed for {device.name} (exit code {proc.returncode}) without an error")
        result = PnrResult(
            device.name,
            fab.package,
            tool_version("nextpnr-ice40"),
            round(seconds, 2),
            False,
            target,
            None,
            parse_utilisation_log(log),
            [],
            {},
            errors[-1],
        )
    if use_cache:
        _store(key, "pnr", result.to_json())
    return result


def _pnr_result(report: dict, device: Device, target: float, seconds: float) -> PnrResult:
    fab = device.fabric
    assert fab is not None
    util = {k: (v["used"], v["available"]) for k, v in report.get("utilization", {}).items()}
    fmax = [v["achieved"] for v in report.get("fmax", {}).values()]
    paths = report.get("critical_paths", [])
    steps = paths[0].get("path", []) if paths else []
    breakdown: dict[str, float] = {}
    for step in steps:
        breakdown[step["type"]] = round(breakdown.get(step["type"], 0.0) + step["delay"], 3)
    breakdown["levels"] = sum(1 for step in steps if step["type"] == "logic")
    nets = [step["net"] for step in steps if step.get("net")]
    return PnrResult(
        device.name,
        fab.package,
        tool_version("nextpnr-ice40"),
        round(seconds, 2),
        True,
        target,
        round(min(fmax), 2) if fmax else None,
        util,
        nets,
        breakdown,
    )


def parse_utilisation_log(log: str) -> dict[str, tuple[int, int]]:
    """nextpnr's "Device utilisation" lines (`ICESTORM_LC:  6000/ 5280   113%`)."""
    return {
        name: (int(used), int(avail))
        for name, used, avail in re.findall(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)", log, re.M)
    }


# -- figures per layer -------------------------------------------------------------------------
def unit_figures(result: SynthResult, module) -> dict[int | None, Figures]:
    """``result``'s instances summed per unit of the rtl-stage ``module``, keyed by the unit
    indices of `perf.predict` and `resources.design_resources`: a matrix-vector unit with its
    weight ROM, a FIFO or duplicator with the unit owning it (`rtl.unit_owner`); key None
    collects the rest (the top's glue and instances belonging to no unit)."""
    from lowbitc.dialects.rtl import find_top
    from lowbitc.dialects.rtl.interfaces import HardwareInstance, StreamUnit, unit_owner

    ops = list(find_top(module).body.block.ops)
    units = [op for op in ops if isinstance(op, StreamUnit)]
    index = {op: i for i, op in enumerate(units)}
    owner: dict[int, int | None] = {}
    for i, op in enumerate(ops, start=1):  # instance u<i>_* belongs to the i-th op (backends/verilog/emit.py)
        if isinstance(op, StreamUnit):
            owner[i] = index[op]
        elif isinstance(op, HardwareInstance):
            unit = unit_owner(op)
            owner[i] = index.get(unit) if unit is not None else None
    out: dict[int | None, Figures] = {}
    for name, figs in result.instances.items():
        m = re.match(r"u(\d+)_", name)
        key = owner.get(int(m.group(1))) if m else None
        out[key] = out.get(key, Figures()) + figs
    out[None] = out.get(None, Figures()) + result.glue
    return out
