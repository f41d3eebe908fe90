"""The bit-exact numpy interpreter: runs the IR of every stage on a batch of frames."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.interpreter import Interpreter, InterpreterFunctions
from xdsl.interpreters.func import FuncFunctions

from lowbitc.backends.interpreter.impls import LowbitFunctions, PlaneFunctions
from lowbitc.backends.interpreter.spatial import SpatialFunctions

ENTRY = "main"


def run_module(
    module: ModuleOp, frames: np.ndarray, extra: tuple[InterpreterFunctions, ...] = ()
) -> np.ndarray:
    """Run ``@main`` on ``frames`` ([N, *frame shape]) and return its single result."""
    interpreter = Interpreter(module)
    interpreter.register_implementations(FuncFunctions())
    interpreter.register_implementations(LowbitFunctions())
    interpreter.register_implementations(SpatialFunctions())
    interpreter.register_implementations(PlaneFunctions())
    for functions in extra:
        interpreter.register_implementations(functions)
    (result,) = interpreter.call_op(ENTRY, (frames,))
    return result


def entry_function(module: ModuleOp) -> FuncOp:
    for op in module.ops:
        if isinstance(op, FuncOp) and op.sym_name.data == ENTRY:
            return op
    raise ValueError(f"module has no @{ENTRY} function")
