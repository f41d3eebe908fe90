"""The performance model as a pure analysis of the rtl-stage IR: cycles per frame of each
unit (NF * SF), the initiation interval (the slowest unit) and the latency, from the same
formulas the library blocks document. `lowbitc sim --stats` puts it beside the measurement."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.verilog.emit import find_top
from lowbitc.dialects import rtl

MVU_FIXED_LATENCY = 3
"""lowbit_mvu: load into the working register, weight-memory read, accumulate/output register."""
FIFO_LATENCY = 1


@dataclass(frozen=True)
class LayerPerf:
    index: int
    fan_in: int
    channels: int
    pe: int
    simd: int
    cycles: int
    latency: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DesignPerf:
    layers: list[LayerPerf]
    ii_cycles: int
    latency_cycles: int


def predict(module: ModuleOp) -> DesignPerf:
    layers: list[LayerPerf] = []
    latency = 0
    for op in find_top(module).body.block.ops:
        if isinstance(op, rtl.MVUInstanceOp):
            k, c = op.fan_in, op.channels.value.data
            pe, simd = op.fold.pe.data, op.fold.simd.data
            cycles = (c // pe) * (k // simd)
            lat = cycles + MVU_FIXED_LATENCY + op.pipe.value.data
            layers.append(LayerPerf(len(layers), k, c, pe, simd, cycles, lat))
            latency += lat
        elif isinstance(op, rtl.FifoInstanceOp):
            latency += FIFO_LATENCY
    return DesignPerf(layers, max(l.cycles for l in layers), latency)
