"""The performance model as a pure analysis of the rtl-stage IR: each unit's cycles per frame as
the unit states it (`StreamUnit.cycles_per_frame`: vectors x NF x SF (x input planes when
serial) for matrix-vector units, one pixel or beat per cycle for the others), the initiation
interval (the slowest unit) and, for chains of matrix-vector units and FIFOs, the latency, the
sum of each instance's own (`HardwareInstance.latency`). `lowbitc sim --stats` puts it beside
the measurement."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from xdsl.dialects.builtin import ModuleOp

from lowbitc.dialects.rtl import find_top
from lowbitc.dialects.rtl.interfaces import HardwareInstance, MatrixFold, StreamUnit


@dataclass(frozen=True)
class LayerPerf:
    index: int
    kind: str
    fan_in: int
    channels: int
    pe: int
    simd: int
    vectors: int
    cycles: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DesignPerf:
    layers: list[LayerPerf]
    ii_cycles: int
    latency_cycles: int | None
    """Exact for chains of matrix-vector units and FIFOs; None once line buffers are involved."""


def predict(module: ModuleOp) -> DesignPerf:
    layers: list[LayerPerf] = []
    latency: int | None = 0
    for op in find_top(module).body.block.ops:
        if isinstance(op, StreamUnit):
            m = op.matrix_fold() or MatrixFold(0, 0, 0, 0)
            kind, vectors = op.report_kind, op.vectors_per_frame
            layers.append(
                LayerPerf(len(layers), kind, m.fan_in, m.channels, m.pe, m.simd, vectors, op.cycles_per_frame())
            )
        if isinstance(op, HardwareInstance) and latency is not None:
            own = op.latency()
            latency = None if own is None else latency + own
    return DesignPerf(layers, max(layer.cycles for layer in layers), latency)
