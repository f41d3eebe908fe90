"""`-t verilog` for lowbitc-opt / xdsl-opt: print the rtl-stage module as Verilog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException
from xdsl.utils.target import Target

from lowbitc.backends.verilog.emit import emit_verilog


@dataclass(frozen=True)
class VerilogTarget(Target):
    name = "verilog"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        try:
            output.write(emit_verilog(module))
        except ValueError as exc:
            raise DiagnosticException(f"verilog: {exc}") from None
