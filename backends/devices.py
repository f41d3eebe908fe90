"""Target devices: the few facts the passes need so far (clock for pipelining, a default lane
budget for folding). The hardware-modeler issue grows this into a full device library."""

from __future__ import annotations

from dataclasses import dataclass

from lowbitc.errors import LowbitcError


@dataclass(frozen=True)
class Device:
    name: str
    clock_mhz: float
    """Default clock for deeply pipelined LUT logic on this part."""
    lut_level_ns: float
    """Delay of one LUT level plus local routing, for the pipeline pass's depth estimate."""
    default_lanes: int
    """PE x SIMD lanes given to the largest layer when the user sets no folding."""


DEVICES = {
    d.name: d
    for d in (
        Device("generic", 100.0, 1.0, 256),
        # iCE40 UltraPlus: 5,280 LUT4s; nextpnr typically closes ~24-48 MHz on small designs.
        Device("ice40-up5k", 24.0, 3.0, 32),
        # Zynq-7020: 53,200 LUT6; FINN builds on PYNQ-Z1 run at 100 MHz.
        Device("xc7z020", 100.0, 1.0, 512),
    )
}


def get_device(name: str) -> Device:
    try:
        return DEVICES[name]
    except KeyError:
        raise LowbitcError(f"unknown target device '{name}'; choose one of: {', '.join(DEVICES)}") from None
