"""`rtl.gearbox`: a stream width converter that knows vectors (the library's `lowbit_gearbox`).
It lets a matrix-vector unit take one fold (SIMD elements) per beat from a producer whose beats
are another width: a window generator's words, or a whole vector; the pad bits it adds at the
end of each vector are the ones SIMD-padding needs (see `passes/narrow_streams.py`)."""

from __future__ import annotations

from math import gcd
from typing import ClassVar

from xdsl.dialects.builtin import IntegerAttr
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import HasParent
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.rtl.base import ModuleOp, StreamType
from lowbitc.dialects.rtl.cells import Cell, Control, Logic, Registers, clog2
from lowbitc.dialects.rtl.interfaces import HardwareInstance, VerilogValue


@irdl_op_definition
class GearboxInstanceOp(IRDLOperation, HardwareInstance):
    """An instance of the library's `lowbit_gearbox`: each vector of ``in_beats`` input beats
    leaves as ``out_beats`` output beats of the result's width, the bits beyond the input's on
    top set to ``pad`` (0 or 1, default 0).

    ```mlir
    %g = rtl.gearbox %w {in_beats = 72 : i64, out_beats = 128 : i64} : !rtl.stream<32> -> !rtl.stream<18>
    ```
    """

    name = "rtl.gearbox"
    input = operand_def(StreamType)
    output = result_def(StreamType)
    in_beats = prop_def(IntegerAttr)
    out_beats = prop_def(IntegerAttr)
    pad = opt_prop_def(IntegerAttr)
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    LIBRARY_FILES: ClassVar = ("lowbit_gearbox.v",)
    VERILOG_MODULE: ClassVar = "lowbit_gearbox"

    @property
    def widths(self) -> tuple[int, int]:
        return self.input.type.width.data, self.output.type.width.data

    @property
    def pad_bits(self) -> int:
        iw, ow = self.widths
        return self.out_beats.value.data * ow - self.in_beats.value.data * iw

    @property
    def pad_value(self) -> int:
        return 0 if self.pad is None else self.pad.value.data

    def summary(self) -> str:
        iw, ow = self.widths
        return f"{self.in_beats.value.data} x {iw} -> {self.out_beats.value.data} x {ow} bits"

    def latency(self) -> int:
        """Cycles from a vector's last input beat to its last output beat, the beats before it
        gone (a slower producer, a ready consumer): the output beats its bits and the pad
        complete, the first offered the next cycle, then one per cycle."""
        (iw, ow), p = self.widths, self.pad_bits
        left_before = (self.in_beats.value.data - 1) * iw % ow
        return (left_before + iw + p) // ow

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        iw, ow = self.widths
        params: tuple[tuple[str, VerilogValue], ...] = (
            ("IW", iw),
            ("OW", ow),
            ("NI", self.in_beats.value.data),
            ("NO", self.out_beats.value.data),
        )
        return params + ((("PAD", 1),) if self.pad_value else ())

    def resource_cells(self) -> tuple[Cell, ...]:
        return gearbox_cells(*self.widths, self.in_beats.value.data, self.out_beats.value.data)

    def verify_(self) -> None:
        if self.pad_value not in (0, 1):
            raise VerifyException(f"gearbox pad {self.pad_value} must be 0 or 1")
        if self.in_beats.value.data < 1 or self.out_beats.value.data < 1:
            raise VerifyException("gearbox in_beats and out_beats must be positive")
        if not 0 <= self.pad_bits < self.widths[1]:
            raise VerifyException(
                f"gearbox out_beats x output width must cover the input vector with fewer pad bits than a beat, "
                f"got {self.pad_bits} pad bits"
            )


def deserializes(iw: int, ow: int, pad_bits: int) -> bool:
    """lowbit_gearbox's DS structure: OW and the pad whole multiples of IW, and the vector's last
    output beat made of at least two input beats (a shift register, no buffer)."""
    return ow % iw == 0 and pad_bits % iw == 0 and ow - pad_bits >= 2 * iw


def gearbox_cells(iw: int, ow: int, in_beats: int, out_beats: int) -> tuple[Cell, ...]:
    """lowbit_gearbox from ``in_beats`` beats of ``iw`` bits to ``out_beats`` of ``ow``: its B-bit
    buffer and, per G-bit chunk, an AND-OR of the input chunks that can land on it (one per fill
    position reaching it) beside the buffer's own bit and the one OW above (the shift of a sent
    beat), with the fill and beat counters. The deserializer: its OW - IW shift register and OW
    output register (no logic but, with a pad, the output's 2:1 choice per bit of the vector's
    last beat), the beat counters. (The tile pass weighs folds by these cells too.)"""
    g, p = gcd(iw, ow), out_beats * ow - in_beats * iw
    if deserializes(iw, ow, p):
        counters = clog2(ow // iw) + clog2(in_beats)
        return (Registers(2 * ow - iw), Logic(ow if p else 0), Control("lowbit_gearbox_ds", counters, counters))
    buffer = iw + p + 2 * ow - g
    nb, ic, dc = buffer // g, iw // g, (iw + p) // g
    pmax = nb - ic
    # Per chunk bit: an AND-OR of its sources with their selects beside the held bit and
    # the one OW above (2S + 3 inputs, four more per LUT6 in a chain); the position decode.
    # Fitted to Yosys on the CNV's four gearboxes and two bench shapes (within 5% but for
    # the smallest, 18% under, with the control's 30 LUTs in resource_model.CONTROL).
    luts = 2 * (pmax + 1)
    for q in range(nb):
        sources = max(0, min(q, pmax) - max(0, q - dc + 1) + 1)
        luts += g * max(1, -(-(2 * sources + 3) // 4))
    return (
        Registers(buffer),
        Logic(luts),
        Control("lowbit_gearbox", 2 * clog2(nb + 1) + clog2(in_beats), clog2(nb + 1)),
    )
