"""Design-level figures on a device, as a pure analysis of the rtl-stage IR: operations per
frame and TOPS at the device's clock (2 operations per MAC, as the papers count binary ones),
and where the weights live: on chip when they fit the device's block RAM (after the line
buffers and FIFOs), otherwise streamed from the board's DRAM, the Intel study's setting, with
the batch size that keeps the compute busy.

Streaming model: the units with the largest weight memories are streamed until the rest fits
on chip. A streamed unit reads its whole weight matrix from DRAM once per batch of frames
(the batch shares each weight word), so a batch of B frames moves S bytes, S the streamed
weight bytes, and sustains at most B x bandwidth / S frames/s. The batch needed for the
compute's rate F is ceil(F x S / bandwidth); with batch 1 the rate is min(F, bandwidth / S).
Buffering a batch's activations at a streamed unit is not modelled (it is small next to the
weights for the fully connected layers that are streamed in practice).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from math import ceil

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.analysis.perf import DesignPerf
from lowbitc.backends.analysis.resources import Resource, design_resources
from lowbitc.backends.target.devices import Device


@dataclass(frozen=True)
class WeightPlacement:
    weight_bits: int
    on_chip_capacity_bits: int
    """Block RAM bits left for weights after line buffers and FIFOs (None-free: 0 if none)."""
    fits_on_chip: bool
    streamed_units: list[int]
    streamed_bytes: int
    dram_gbps: float | None
    batch_needed: int | None
    """Frames per batch that keep the compute's rate; None when nothing is streamed or the
    board has no DRAM."""
    fps_batch1: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def macs_per_frame(perf: DesignPerf) -> int:
    return sum(layer.fan_in * layer.channels * layer.vectors for layer in perf.layers if layer.kind.startswith("mvu"))


def weight_placement(module: ModuleOp, device: Device, fps: float) -> WeightPlacement | None:
    """Where the weights go on ``device`` (None for a device without fabric)."""
    fabric = device.fabric
    if fabric is None:
        return None
    res = design_resources(module)
    totals = {u.resource: u.used for u in res.totals}
    ram_bits = sum(r.count * r.data_bits for r in fabric.rams)
    capacity = max(0, ram_bits - totals[Resource.LINE_BUFFER_BITS] - totals[Resource.FIFO_BITS])
    total = totals[Resource.WEIGHT_BITS]
    streamed: list[int] = []
    left = total
    for unit in sorted(res.units, key=lambda u: (-u.weight_bits, u.index)):
        if left <= capacity or not unit.weight_bits:
            break
        streamed.append(unit.index)
        left -= unit.weight_bits
    streamed_bytes = ceil(sum(u.weight_bits for u in res.units if u.index in streamed) / 8)
    batch = fps1 = None
    if streamed and fabric.dram_gbps:
        bandwidth = fabric.dram_gbps * 1e9
        batch = max(1, ceil(fps * streamed_bytes / bandwidth))
        fps1 = min(fps, bandwidth / streamed_bytes)
    return WeightPlacement(
        total, capacity, not streamed, sorted(streamed), streamed_bytes, fabric.dram_gbps, batch, fps1
    )
