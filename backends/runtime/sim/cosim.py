"""Co-simulation: `rtl.invoke` runs its frames through the generated Verilog in Verilator.

Registered as an interpreter implementation, so `lowbitc sim` is the ordinary interpreter on
the rtl-stage IR: the host prologue/epilogue run in numpy, the accelerator in simulation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp, Signedness
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from lowbitc.backends.analysis.perf import predict
from lowbitc.backends.runtime.sim.verilator import SimResult, simulate
from lowbitc.backends.verilog.emit import byte_width, emit_sources
from lowbitc.dialects import rtl
from lowbitc.dialects.lowbit.types import PackedType
from lowbitc.dialects.rtl import find_top
from lowbitc.progress import progress

TIMING_FRAMES = 8
"""Frames streamed without stalls to measure the steady-state initiation interval."""


def beats_per_frame(t) -> int:
    """One beat per vector (last axis); the leading axes (pixels) are successive beats."""
    return prod(t.get_shape()[:-1])


def _ints_from_bits(bits: np.ndarray) -> list[int]:
    """[B, nbits] of 0/1, least significant first -> one integer per row."""
    packed = np.packbits(bits.astype(np.uint8), axis=-1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed]


def encode_frames(value: np.ndarray, value_type) -> list[int]:
    """Host frames -> beats: packed words (bit k = element k) or integer elements of EW bits
    in two's complement, element c at bits [c*EW, (c+1)*EW)."""
    if isinstance(value_type, PackedType):
        words = np.ascontiguousarray(value, dtype="<u8").reshape(-1, value_type.words)
        return [int.from_bytes(row.tobytes(), "little") for row in words]
    ew = value_type.element_type.width.data
    c = value_type.get_shape()[-1]
    flat = value.reshape(-1, c).astype(np.int64)
    bits = (flat[:, :, None] >> np.arange(ew)) & 1  # two's complement bits, LSB first
    return _ints_from_bits(bits.reshape(len(flat), c * ew))


def decode_frames(beats: list[int], result_type, out_width: int, frames: int) -> np.ndarray:
    shape = (frames,) + result_type.get_shape()
    if isinstance(result_type, PackedType):
        nwords = result_type.words
        raw = b"".join(b.to_bytes(nwords * 8, "little") for b in beats)
        return np.frombuffer(raw, dtype="<u8").reshape(shape[:-1] + (nwords,)).copy()
    channels = result_type.get_shape()[-1]
    field_bits = out_width // channels
    mask = (1 << field_bits) - 1
    out = np.array([[(b >> (c * field_bits)) & mask for c in range(channels)] for b in beats], dtype=np.int64)
    if result_type.element_type.signedness.data == Signedness.SIGNED:
        out = np.where(out >= 1 << (field_bits - 1), out - (1 << field_bits), out)
    return out.reshape(shape)


@dataclass
class CosimStats:
    """Filled in by each `rtl.invoke`: handshake timing of the stalled and stall-free runs."""

    runs: list[SimResult] = field(default_factory=list)
    timing: SimResult | None = None
    out_beats_per_frame: int = 1


def steady_ii(result: SimResult, beats_per_frame: int = 1) -> float:
    """Median spacing of the frames' last output handshakes after the first (the pipeline fill)."""
    gaps = np.diff(np.array(result.out_accept_cycles[beats_per_frame - 1 :: beats_per_frame]))
    return float(np.median(gaps[1:] if len(gaps) > 1 else gaps)) if len(gaps) else float("nan")


@register_impls
class CosimFunctions(InterpreterFunctions):
    def __init__(self, module: ModuleOp, stall: float = 0.0, seed: int = 0, stats: CosimStats | None = None):
        super().__init__()
        with progress("Verilog emission"):
            self.top, self.sources = emit_sources(module)
        design = find_top(module)
        self.in_width = byte_width(design.input_width)
        self.out_width = byte_width(design.output_width)
        self.logical_out = design.output_width
        self.stall, self.seed = stall, seed
        # A deadlock is a long stretch without any handshake; a slow but healthy design has one
        # output per initiation interval, so the limit scales with the predicted interval.
        self.timeout_cycles = max(100_000, 20 * predict(module).ii_cycles)
        self.stats = stats if stats is not None else CosimStats()

    def _simulate(self, beats: list[int], frames: int, stall: float) -> SimResult:
        with progress(f"co-simulation of {frames} frames" + (f", stall probability {stall:g}" if stall else "")):
            return simulate(
                self.sources,
                self.top,
                self.in_width,
                self.out_width,
                beats,
                stall_in=stall,
                stall_out=stall,
                seed=self.seed,
                timeout_cycles=self.timeout_cycles,
                expected_outputs=frames * self.out_beats_per_frame,
            )

    @impl(rtl.InvokeOp)
    def run_invoke(self, interpreter: Interpreter, op: rtl.InvokeOp, args: tuple[Any, ...]):
        frames = args[0].shape[0]
        self.out_beats_per_frame = beats_per_frame(op.output.type)
        beats = encode_frames(args[0], op.input.type)
        result = self._simulate(beats, frames, self.stall)
        self.stats.runs.append(result)
        self.stats.out_beats_per_frame = self.out_beats_per_frame
        if self.stats.timing is None:
            if self.stall == 0 and frames >= TIMING_FRAMES:
                self.stats.timing = result
            else:  # the same frames, repeated, without stalls
                repeat = -(-TIMING_FRAMES // frames)
                timing_frames = max(TIMING_FRAMES, frames)
                per_frame = len(beats) // frames
                self.stats.timing = self._simulate((beats * repeat)[: timing_frames * per_frame], timing_frames, 0.0)
        return (decode_frames(result.outputs, op.output.type, self.logical_out, frames),)
