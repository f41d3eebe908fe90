"""Place and route with nextpnr-ice40 of a design `lowbitc -o accel.v` emitted, inside a pin
wrapper that fits a small package: fmax, utilisation and the critical path. Cached as synthesis
is (tools.py)."""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lowbitc.backends.eda.synth import yosys_script
from lowbitc.backends.eda.tools import (
    FLOW_VERSION,
    SynthError,
    cache_key,
    cached,
    fabric_for,
    find_tool,
    run_tool,
    run_yosys,
    store,
    tool_version,
    write_design,
)
from lowbitc.backends.target.devices import Device, Family

PNR_TIMEOUT_S = 3600.0


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


def top_ports(verilog: str, top: str) -> dict[str, int]:
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
    ports = top_ports(verilog, top)
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
    fab = fabric_for(device, "place and route")
    if fab.family is not Family.ICE40:
        raise SynthError(f"place and route is implemented for iCE40 parts only (nextpnr-ice40), not {device.name}")
    target = freq_mhz or device.clock_mhz
    key = cache_key(
        FLOW_VERSION, verilog, top, device, target, seed, tool_version("yosys"), tool_version("nextpnr-ice40")
    )
    if use_cache and (hit := cached(key, "pnr")) is not None:
        return PnrResult.from_json(hit)
    with tempfile.TemporaryDirectory(prefix="lowbitc-pnr-") as tmp:
        folder = Path(tmp)
        write_design(folder, pin_wrapper(verilog, top))
        start = time.monotonic()
        script = yosys_script("lowbitc_pnr_top", fab.family, flat=True, abc9=False, json_out="netlist.json")
        run_yosys(folder, script, "netlist.json", timeout, device)
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
        proc = run_tool(cmd, folder, max(1.0, timeout - (time.monotonic() - start)), f"nextpnr-ice40 for {device.name}")
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
        store(key, "pnr", result.to_json())
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
