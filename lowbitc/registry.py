"""Registration of lowbitc's dialects, passes and targets, for `lowbitc-opt` and for stock
`xdsl-opt` through the `xdsl.universe` entry point."""

from __future__ import annotations

from collections.abc import Callable

from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.universe import Universe

from lowbitc.stages import PASS_STAGES


def all_dialects() -> dict[str, Callable[[], Dialect]]:
    def lowbit() -> Dialect:
        from lowbitc.dialects.lowbit import Lowbit

        return Lowbit

    def rtl() -> Dialect:
        from lowbitc.dialects.rtl import RTL

        return RTL

    return {"lowbit": lowbit, "rtl": rtl}


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """lowbitc's passes by name, each loaded when asked for: the stage table's (lowbitc/stages.py)
    and the rtl-to-rtl passes a stage runs inside (for filecheck tests and experiments)."""

    def narrow_streams() -> type[ModulePass]:
        from lowbitc.passes.narrow_streams import NarrowStreamsPass

        return NarrowStreamsPass

    return {**{s.name: s.pass_class for s in PASS_STAGES}, "narrow-streams": narrow_streams}


def all_targets():
    def verilog():
        from lowbitc.backends.verilog.target import VerilogTarget

        return VerilogTarget

    return {"verilog": verilog}


LOWBITC_UNIVERSE = Universe(all_dialects=all_dialects(), all_passes=all_passes(), all_targets=all_targets())
