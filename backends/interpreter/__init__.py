"""The bit-exact numpy interpreter: runs the IR of every stage on a batch of frames."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.dialects.func import FuncOp
from xdsl.interpreter import Interpreter, InterpreterFunctions

from lowbitc.backends.interpreter.func import FuncFunctions
from lowbitc.backends.interpreter.impls import LowbitFunctions, PlaneFunctions
from lowbitc.backends.interpreter.spatial import SpatialFunctions
from lowbitc.dialects.lowbit.types import PackedType

ENTRY = "main"
CHUNK_BYTES = 1 << 24
"""Frames run in chunks whose largest intermediate is about this size: the temporaries stay
below glibc's mmap threshold and get reused instead of being page-faulted in afresh for every
op, which dominated large batches (profiled: 2-3 s of system time for 512 CNV frames)."""


def run_module(
    module: ModuleOp, frames: np.ndarray, extra: tuple[InterpreterFunctions, ...] = ()
) -> np.ndarray:
    """Run ``@main`` on ``frames`` ([N, *frame shape]) and return its single result.

    Frames are independent, so without ``extra`` implementations they run in chunks; ``extra``
    (the co-simulation's units) sees the whole batch in one call."""
    interpreter = Interpreter(module)
    interpreter.register_implementations(FuncFunctions())
    interpreter.register_implementations(LowbitFunctions())
    interpreter.register_implementations(SpatialFunctions())
    interpreter.register_implementations(PlaneFunctions())
    for functions in extra:
        interpreter.register_implementations(functions)
    step = len(frames) if extra else frames_per_chunk(entry_function(module))
    if step >= len(frames):
        (result,) = interpreter.call_op(ENTRY, (frames,))
        return result
    return np.concatenate([interpreter.call_op(ENTRY, (frames[s : s + step],))[0] for s in range(0, len(frames), step)])


def frames_per_chunk(func: FuncOp) -> int:
    """Frames per chunk: CHUNK_BYTES over the largest per-frame value (8 bytes an element or
    packed word)."""
    largest = 1
    for op in func.walk():
        for value in op.results:
            if isinstance(value.type, PackedType):
                shape = value.type.get_shape()
                largest = max(largest, int(np.prod(shape[:-1], dtype=np.int64)) * value.type.words)
            elif isinstance(value.type, TensorType):
                largest = max(largest, int(np.prod(value.type.get_shape(), dtype=np.int64)))
    return max(1, CHUNK_BYTES // (8 * largest))


def entry_function(module: ModuleOp) -> FuncOp:
    for op in module.ops:
        if isinstance(op, FuncOp) and op.sym_name.data == ENTRY:
            return op
    raise ValueError(f"module has no @{ENTRY} function")
