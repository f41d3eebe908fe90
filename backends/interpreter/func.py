"""Interpreter implementations of the `func` ops lowbitc's IR uses (the entry function and its
return). Defined here rather than imported from `xdsl.interpreters.func`: importing that
package loads every xDSL interpreter (RISC-V, affine, linalg, ...), 0.3 s of every `lowbitc run`."""

from __future__ import annotations

from typing import Any

from xdsl.dialects import func
from xdsl.interpreter import Interpreter, InterpreterFunctions, ReturnedValues, impl_callable, impl_terminator, register_impls


@register_impls
class FuncFunctions(InterpreterFunctions):
    @impl_terminator(func.ReturnOp)
    def run_return(self, interpreter: Interpreter, op: func.ReturnOp, args: tuple[Any, ...]):
        return ReturnedValues(args), ()

    @impl_callable(func.FuncOp)
    def call_func(self, interpreter: Interpreter, op: func.FuncOp, args: tuple[Any, ...]):
        return interpreter.run_ssacfg_region(op.body, args, op.sym_name.data)
