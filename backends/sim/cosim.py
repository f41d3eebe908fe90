"""Co-simulation: `rtl.invoke` runs its frames through the generated Verilog in Verilator.

Registered as an interpreter implementation, so `lowbitc sim` is the ordinary interpreter on
the rtl-stage IR: the host prologue/epilogue run in numpy, the accelerator in simulation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from lowbitc.backends.sim.verilator import SimResult, simulate
from lowbitc.backends.verilog.emit import byte_width, emit_sources, find_top
from lowbitc.dialects import rtl
from lowbitc.dialects.lowbit.types import PackedType

TIMING_FRAMES = 8
"""Frames streamed without stalls to measure the steady-state initiation interval."""


def encode_frames(words: np.ndarray) -> list[int]:
    """[N, W] uint64 packed frames -> one integer per beat (bit k = element k)."""
    return [int.from_bytes(row.tobytes(), "little") for row in np.ascontiguousarray(words, dtype="<u8")]


def decode_frames(beats: list[int], result_type, out_width: int) -> np.ndarray:
    if isinstance(result_type, PackedType):
        nwords = result_type.words
        raw = b"".join(b.to_bytes(nwords * 8, "little") for b in beats)
        return np.frombuffer(raw, dtype="<u8").reshape(len(beats), nwords).copy()
    channels = result_type.get_shape()[0]
    field_bits = out_width // channels
    mask = (1 << field_bits) - 1
    return np.array([[(b >> (c * field_bits)) & mask for c in range(channels)] for b in beats], dtype=np.int64)


@dataclass
class CosimStats:
    """Filled in by each `rtl.invoke`: handshake timing of the stalled and stall-free runs."""

    runs: list[SimResult] = field(default_factory=list)
    timing: SimResult | None = None


def steady_ii(result: SimResult) -> float:
    """Median spacing of output handshakes after the first (the pipeline fill)."""
    gaps = np.diff(np.array(result.out_accept_cycles))
    return float(np.median(gaps[1:] if len(gaps) > 1 else gaps)) if len(gaps) else float("nan")


@register_impls
class CosimFunctions(InterpreterFunctions):
    def __init__(self, module: ModuleOp, stall: float = 0.0, seed: int = 0, stats: CosimStats | None = None):
        super().__init__()
        self.top, self.sources = emit_sources(module)
        design = find_top(module)
        self.in_width = byte_width(design.input_width)
        self.out_width = byte_width(design.output_width)
        self.logical_out = design.output_width
        self.stall, self.seed = stall, seed
        self.stats = stats if stats is not None else CosimStats()

    def _simulate(self, beats: list[int], stall: float) -> SimResult:
        return simulate(self.sources, self.top, self.in_width, self.out_width, beats,
                        stall_in=stall, stall_out=stall, seed=self.seed)

    @impl(rtl.InvokeOp)
    def run_invoke(self, interpreter: Interpreter, op: rtl.InvokeOp, args: tuple[Any, ...]):
        beats = encode_frames(args[0])
        result = self._simulate(beats, self.stall)
        self.stats.runs.append(result)
        if self.stats.timing is None:
            timing_beats = (beats * (TIMING_FRAMES // max(1, len(beats)) + 1))[: max(TIMING_FRAMES, len(beats))]
            self.stats.timing = result if self.stall == 0 and len(beats) >= TIMING_FRAMES else self._simulate(timing_beats, 0.0)
        return (decode_frames(result.outputs, op.output.type, self.logical_out),)
