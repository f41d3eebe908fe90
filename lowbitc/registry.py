"""Registration of lowbitc's dialects, passes and targets, for `lowbitc-opt` and for stock
`xdsl-opt` through the `xdsl.universe` entry point."""

from __future__ import annotations

from collections.abc import Callable

from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.universe import Universe


def all_dialects() -> dict[str, Callable[[], Dialect]]:
    def lowbit() -> Dialect:
        from lowbitc.dialects.lowbit import Lowbit

        return Lowbit

    def rtl() -> Dialect:
        from lowbitc.dialects.rtl import RTL

        return RTL

    return {"lowbit": lowbit, "rtl": rtl}


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    def streamline():
        from lowbitc.passes.streamline import StreamlinePass

        return StreamlinePass

    def bitserial():
        from lowbitc.passes.bitserial import BitserialPass

        return BitserialPass

    def tile():
        from lowbitc.passes.tile import TilePass

        return TilePass

    def unroll():
        from lowbitc.passes.unroll import UnrollPass

        return UnrollPass

    def pipeline():
        from lowbitc.passes.pipeline import PipelinePass

        return PipelinePass

    def to_rtl():
        from lowbitc.passes.to_rtl import ToRTLPass

        return ToRTLPass

    return {
        "streamline": streamline,
        "bitserial": bitserial,
        "tile": tile,
        "unroll": unroll,
        "pipeline": pipeline,
        "rtl": to_rtl,
    }


def all_targets():
    def verilog():
        from lowbitc.backends.verilog.target import VerilogTarget

        return VerilogTarget

    return {"verilog": verilog}


LOWBITC_UNIVERSE = Universe(all_dialects=all_dialects(), all_passes=all_passes(), all_targets=all_targets())
