"""rtl instances for residual connections: the stream duplicator and the residual add.

```mlir
%a, %b = rtl.dup %x : !rtl.stream<32>
%y = rtl.add %a2, %b2 {channels = 16 : i64, lhs_width = 2 : i64, rhs_width = 2 : i64, sum_width = 3 : i64, ...} : !rtl.stream<32>, !rtl.stream<32> -> !rtl.stream<32>
```
"""  # noqa: E501 (IR examples parse as written)

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerAttr
from xdsl.irdl import (
    BaseAttr,
    IRDLOperation,
    ParsePropInAttrDict,
    VarConstraint,
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
from lowbitc.dialects.rtl.cells import Adder, Cell, Control, Fifo, Logic
from lowbitc.dialects.rtl.interfaces import FIFO_LATENCY, HardwareInstance, StreamUnit, VerilogValue
from lowbitc.dialects.rtl.parameters import requantizer_parameters


@irdl_op_definition
class DupInstanceOp(IRDLOperation, HardwareInstance):
    """An instance of the library's `lowbit_dup`: every input beat goes to both outputs (the
    input of a residual block feeds its branch and its skip).

    ```mlir
    %a, %b = rtl.dup %x : !rtl.stream<32>
    ```
    """

    name = "rtl.dup"
    T: ClassVar = VarConstraint("T", BaseAttr(StreamType))
    input = operand_def(T)
    first = result_def(T)
    second = result_def(T)
    traits = traits_def(HasParent(ModuleOp))
    assembly_format = "$input attr-dict `:` type($input)"
    LIBRARY_FILES: ClassVar = ("lowbit_dup.v", "lowbit_fifo.v")
    VERILOG_MODULE: ClassVar = "lowbit_dup"
    STREAM_PORTS: ClassVar = (("in",), ("out0", "out1"))

    def summary(self) -> str:
        return ""

    def latency(self) -> int:
        return FIFO_LATENCY  # each copy passes one lowbit_fifo

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        return (("W", self.input.type.width.data),)

    def resource_cells(self) -> tuple[Cell, ...]:
        """lowbit_dup: a 2-deep FIFO per copy and the input handshake gating."""
        width = self.input.type.width.data
        return (Fifo(width, 2), Fifo(width, 2), Control("lowbit_dup"))


@irdl_op_definition
class AddInstanceOp(IRDLOperation, StreamUnit):
    """An instance of the library's `lowbit_add`: per pixel of ``channels`` elements, the sum of
    the two inputs' codes (``lhs_width``/``rhs_width`` bits, two's complement when
    ``lhs_signed``/``rhs_signed``), raw in ``sum_width`` bits or, with ``thresholds`` [C, T],
    requantized to ``output_bits``-bit codes ``count + offset``; ``pixels`` beats make a frame.

    ```mlir
    %y = rtl.add %a, %b {channels = 2 : i64, lhs_width = 2 : i64, lhs_signed = 0 : i64, rhs_width = 2 : i64, rhs_signed = 0 : i64, sum_width = 4 : i64, pixels = 16 : i64, thresholds = dense<[[2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4>, !rtl.stream<4> -> !rtl.stream<4>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "rtl.add"
    lhs = operand_def(StreamType)
    rhs = operand_def(StreamType)
    output = result_def(StreamType)
    channels = prop_def(IntegerAttr)
    lhs_width = prop_def(IntegerAttr)
    lhs_signed = prop_def(IntegerAttr)
    rhs_width = prop_def(IntegerAttr)
    rhs_signed = prop_def(IntegerAttr)
    sum_width = prop_def(IntegerAttr)
    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    output_bits = opt_prop_def(IntegerAttr)
    offset = opt_prop_def(IntegerAttr)
    pixels = prop_def(IntegerAttr)
    """Pixels per frame (one per cycle)."""
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)"

    LIBRARY_FILES: ClassVar = ("lowbit_add.v", "lowbit_thresholds.v", "lowbit_fifo.v")
    VERILOG_MODULE: ClassVar = "lowbit_add"
    STREAM_PORTS: ClassVar = (("a", "b"), ("out",))

    def summary(self) -> str:
        requant = ", requant" if self.thresholds is not None else ""
        return f"{self.channels.value.data} ch, {self.pixels.value.data} px{requant}"

    @property
    def vectors_per_frame(self) -> int:
        return self.pixels.value.data

    def cycles_per_frame(self) -> int:
        return self.pixels.value.data  # one pixel per cycle

    def latency(self) -> None:
        return None  # it waits on the longer of its two paths

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        c, sw = self.channels.value.data, self.sum_width.value.data
        params: tuple[tuple[str, VerilogValue], ...] = (
            ("C", c),
            ("EA", self.lhs_width.value.data),
            ("SA", self.lhs_signed.value.data),
            ("EB", self.rhs_width.value.data),
            ("SB", self.rhs_signed.value.data),
            ("MODE", 1 if self.thresholds is None else 0),
            ("SW", sw),
        )
        return params + requantizer_parameters(self.thresholds, self.output_bits, self.offset, c, sw)

    def resource_cells(self) -> tuple[Cell, ...]:
        """lowbit_add: per channel an XW-bit adder and (MODE 0) NT constant comparators of XW
        bits (half a LUT per bit on a carry chain) and the count; a 2-deep output FIFO."""
        ch = self.channels.value.data
        xw = max(self.lhs_width.value.data + 1 - self.lhs_signed.value.data,
                 self.rhs_width.value.data + 1 - self.rhs_signed.value.data) + 1  # fmt: skip
        cells: tuple[Cell, ...] = (Adder(xw, ch),)
        if self.thresholds is not None:
            nt = numpy_from_dense(self.thresholds).reshape(ch, -1).shape[1]
            cells += (Logic(ch * nt * -(-xw // 2) + ch * nt),)
        return (*cells, Control("lowbit_add"), Fifo(self.output.type.width.data, 2))

    def verify_(self) -> None:
        c = self.channels.value.data
        if (
            self.lhs.type.width.data != c * self.lhs_width.value.data
            or self.rhs.type.width.data != c * self.rhs_width.value.data
        ):
            raise VerifyException(f"add input streams must carry {c} elements of lhs_width and rhs_width bits")
        if self.thresholds is None:
            if self.output.type.width.data != c * self.sum_width.value.data:
                raise VerifyException(f"add output stream must carry {c} sums of {self.sum_width.value.data} bits")
            return
        ob = 1 if self.output_bits is None else self.output_bits.value.data
        th = numpy_from_dense(self.thresholds)
        if th.ndim != 2 or th.shape[0] != c or th.shape[1] + 1 > 1 << ob:
            raise VerifyException(f"add thresholds must be [{c}, T] with T < 2^{ob}")
        if self.output.type.width.data != c * ob:
            raise VerifyException(f"add output stream must carry {c} codes of {ob} bits")
        sw = self.sum_width.value.data
        if th.min() < -(1 << (sw - 1)) or th.max() >= 1 << (sw - 1):
            raise VerifyException(f"add thresholds must fit {sw}-bit two's complement (sum_width)")
