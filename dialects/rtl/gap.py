"""The rtl instance of a global pool: per-channel sums over a frame's pixels.

```mlir
%y = rtl.gap %x {channels = 16 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 49 : i64, sum_width = 9 : i64, ...} : !rtl.stream<32> -> !rtl.stream<32>
```
"""  # noqa: E501 (IR examples parse as written)

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerAttr
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

from lowbitc.dialects.lowbit.attributes import numpy_from_dense
from lowbitc.dialects.rtl.base import ModuleOp, StreamType
from lowbitc.dialects.rtl.cells import Adder, Cell, Control, Fifo, Logic, Registers, clog2
from lowbitc.dialects.rtl.interfaces import StreamUnit, VerilogValue
from lowbitc.dialects.rtl.parameters import requantizer_parameters


@irdl_op_definition
class GapInstanceOp(IRDLOperation, StreamUnit):
    """An instance of the library's `lowbit_gap`: ``pixels`` beats of ``channels`` elements
    (``element_width`` bits, two's complement when ``element_signed``) make a frame; per frame
    one beat leaves with each channel's sum over the frame, raw in ``sum_width`` bits or, with
    ``thresholds`` [C, T] (``sum_width``-bit two's complement), requantized to
    ``output_bits``-bit codes ``count + offset``.

    ```mlir
    %y = rtl.gap %x {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 4 : i64, sum_width = 5 : i64, thresholds = dense<[[2, 6, 10], [2, 6, 10]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4> -> !rtl.stream<4>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "rtl.gap"
    input = operand_def(StreamType)
    output = result_def(StreamType)
    channels = prop_def(IntegerAttr)
    element_width = prop_def(IntegerAttr)
    element_signed = prop_def(IntegerAttr)
    pixels = prop_def(IntegerAttr)
    """Pixels per frame (one per cycle)."""
    sum_width = prop_def(IntegerAttr)
    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    output_bits = opt_prop_def(IntegerAttr)
    offset = opt_prop_def(IntegerAttr)
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    LIBRARY_FILES: ClassVar = ("lowbit_gap.v", "lowbit_thresholds.v", "lowbit_fifo.v")
    VERILOG_MODULE: ClassVar = "lowbit_gap"

    def summary(self) -> str:
        requant = ", requant" if self.thresholds is not None else ""
        return f"{self.channels.value.data} ch, {self.pixels.value.data} px -> 1{requant}"

    @property
    def vectors_per_frame(self) -> int:
        return self.pixels.value.data

    def cycles_per_frame(self) -> int:
        return self.pixels.value.data  # one input pixel per cycle, the sums leave with the last

    def latency(self) -> None:
        return None  # a frame's result waits for its last pixel

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        c, sw = self.channels.value.data, self.sum_width.value.data
        params: tuple[tuple[str, VerilogValue], ...] = (
            ("C", c),
            ("EW", self.element_width.value.data),
            ("ES", self.element_signed.value.data),
            ("N", self.pixels.value.data),
            ("MODE", 1 if self.thresholds is None else 0),
            ("SW", sw),
        )
        return params + requantizer_parameters(self.thresholds, self.output_bits, self.offset, c, sw)

    def resource_cells(self) -> tuple[Cell, ...]:
        """lowbit_gap: per channel an SW-bit accumulator (flip-flops) and its adder with the
        first-pixel clear folded in, (MODE 0) NT constant comparators of SW bits and the count;
        a pixel counter; a 2-deep output FIFO."""
        ch, sw = self.channels.value.data, self.sum_width.value.data
        cells: tuple[Cell, ...] = (Adder(sw, ch),)
        if self.thresholds is not None:
            nt = numpy_from_dense(self.thresholds).reshape(ch, -1).shape[1]
            cells += (Logic(ch * nt * -(-sw // 2) + ch * nt),)
        n = clog2(self.pixels.value.data)
        return (*cells, Registers(ch * sw), Control("lowbit_gap", n, n), Fifo(self.output.type.width.data, 2))

    def sum_range(self) -> tuple[int, int]:
        ew, n = self.element_width.value.data, self.pixels.value.data
        lo, hi = (-(1 << (ew - 1)), (1 << (ew - 1)) - 1) if self.element_signed.value.data else (0, (1 << ew) - 1)
        return n * lo, n * hi

    def verify_(self) -> None:
        c, ew, sw = self.channels.value.data, self.element_width.value.data, self.sum_width.value.data
        if self.element_signed.value.data not in (0, 1):
            raise VerifyException(f"gap element_signed must be 0 or 1, got {self.element_signed.value.data}")
        if self.pixels.value.data < 1:
            raise VerifyException(f"gap pixels {self.pixels.value.data} must be at least 1")
        if not 1 <= ew <= 16 or not 2 <= sw <= 31:
            raise VerifyException(
                f"gap element_width {ew} must be in [1, 16] and sum_width {sw} in [2, 31] (lowbit_gap's limits)"
            )
        if self.input.type.width.data != c * ew:
            raise VerifyException(f"gap input stream must carry {c} elements of {ew} bits")
        lo, hi = self.sum_range()
        if lo < -(1 << (sw - 1)) or hi >= 1 << (sw - 1):
            raise VerifyException(f"gap sum_width {sw} cannot hold the sums [{lo}, {hi}] in two's complement")
        if self.thresholds is None:
            if self.output.type.width.data != c * sw:
                raise VerifyException(f"gap output stream must carry {c} sums of {sw} bits")
            return
        ob = 1 if self.output_bits is None else self.output_bits.value.data
        th = numpy_from_dense(self.thresholds)
        if th.ndim != 2 or th.shape[0] != c or th.shape[1] + 1 > 1 << ob:
            raise VerifyException(f"gap thresholds must be [{c}, T] with T < 2^{ob}")
        if self.output.type.width.data != c * ob:
            raise VerifyException(f"gap output stream must carry {c} codes of {ob} bits")
        if th.min() < -(1 << (sw - 1)) or th.max() >= 1 << (sw - 1):
            raise VerifyException(f"gap thresholds must fit {sw}-bit two's complement (sum_width)")
