"""The performance model as a pure analysis of the rtl-stage IR: cycles per frame of each
unit (vectors x NF x SF (x input planes when serial) for matrix-vector units, H x W for window
generators and pools, pixels for residual adds and global pools, N for collectors), the initiation interval (the slowest unit) and, for chains of matrix-vector
units, the latency, from the same formulas the library blocks document. `lowbitc sim --stats` puts it beside the measurement."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from xdsl.dialects.builtin import ModuleOp

from lowbitc.dialects import rtl
from lowbitc.dialects.rtl import find_top

MVU_FIXED_LATENCY = 3
"""lowbit_mvu: load into the working register, weight-memory read, accumulate/output register."""
FIFO_LATENCY = 1


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
        if isinstance(op, rtl.MVUInstanceOp):
            k, c = op.fan_in, op.channels.value.data
            pe, simd = op.fold.pe.data, op.fold.simd.data
            per_vector = op.cycles_per_vector  # x input planes when they run serially
            kind = "mvu" if op.input_element_width is None else "mvu_int"
            layers.append(
                LayerPerf(len(layers), kind, k, c, pe, simd, op.vectors_per_frame, op.vectors_per_frame * per_vector)
            )
            if latency is not None:
                latency += per_vector + MVU_FIXED_LATENCY + op.pipe.value.data
        elif isinstance(op, (rtl.SWGInstanceOp, rtl.PoolInstanceOp)):
            # One input pixel per cycle: a frame takes H * W cycles (lowbit_swg's contract).
            pixels = op.height.value.data * op.width.value.data
            kind = "swg" if isinstance(op, rtl.SWGInstanceOp) else "pool"
            layers.append(LayerPerf(len(layers), kind, 0, 0, 0, 0, pixels, pixels))
            latency = None
        elif isinstance(op, rtl.PadInstanceOp):
            # One output pixel per cycle over the padded frame.
            top, left, bottom, right = op.pads.get_values()
            pixels = (top + op.height.value.data + bottom) * (left + op.width.value.data + right)
            layers.append(LayerPerf(len(layers), "pad", 0, 0, 0, 0, pixels, pixels))
            latency = None
        elif isinstance(op, rtl.CollectInstanceOp):
            n = op.count.value.data
            layers.append(LayerPerf(len(layers), "collect", 0, 0, 0, 0, n, n))
            latency = None
        elif isinstance(op, rtl.AddInstanceOp):
            n = op.pixels.value.data
            layers.append(LayerPerf(len(layers), "add", 0, 0, 0, 0, n, n))
            latency = None
        elif isinstance(op, rtl.GapInstanceOp):
            # One input pixel per cycle, the frame's sums leave with its last pixel.
            n = op.pixels.value.data
            layers.append(LayerPerf(len(layers), "gap", 0, 0, 0, 0, n, n))
            latency = None
        elif isinstance(op, rtl.FifoInstanceOp) and latency is not None:
            latency += FIFO_LATENCY
    return DesignPerf(layers, max(l.cycles for l in layers), latency)
