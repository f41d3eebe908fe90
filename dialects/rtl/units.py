"""The rtl dialect's data-movement units: sliding-window generators, pads and collectors, each an
instance of a library block (the matrix-vector unit has its own file, mvu.py; the pool pool.py)."""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import (
    DenseArrayBase,
    IntegerAttr,
)
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
from lowbitc.dialects.rtl.cells import Cell, Control, Fifo, LineBuffer, Logic, Registers, clog2
from lowbitc.dialects.rtl.interfaces import StreamUnit, VerilogValue


def window_cells(pixel_bits: int, width: int, kh: int, kw: int) -> tuple[Cell, ...]:
    """lowbit_swg: a line buffer of W entries of (KH - 1) pixels, the window history of
    KH x (KW - 1) pixels (flip-flops with an enable), the 2-deep output FIFO of the KH x KW
    window, and the x, y, xc, yc counters with the run flag."""
    cells: list[Cell] = [Registers(kh * (kw - 1) * pixel_bits), Fifo(kh * kw * pixel_bits, 2)]
    if kh > 1:
        cells.append(LineBuffer(width, (kh - 1) * pixel_bits))
    return (*cells, Control("lowbit_swg", 2 * clog2(width), clog2(width) + 4))


@irdl_op_definition
class SWGInstanceOp(IRDLOperation, StreamUnit):
    """An instance of the library's `lowbit_swg`: a [height, width] map of pixels of ``channels``
    elements of ``element_width`` bits in, one KHxKW window per output pixel out.

    ```mlir
    %w = rtl.swg %p {channels = 16 : i64, element_width = 2 : i64, height = 8 : i64, width = 8 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !rtl.stream<32> -> !rtl.stream<288>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "rtl.swg"
    input = operand_def(StreamType)
    output = result_def(StreamType)
    channels = prop_def(IntegerAttr)
    element_width = prop_def(IntegerAttr)
    height = prop_def(IntegerAttr)
    width = prop_def(IntegerAttr)
    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    LIBRARY_FILES: ClassVar = ("lowbit_swg.v", "lowbit_fifo.v")
    VERILOG_MODULE: ClassVar = "lowbit_swg"

    def summary(self) -> str:
        kh, kw = self.kernel.get_values()
        return f"{kh}x{kw} on {self.height.value.data}x{self.width.value.data}x{self.channels.value.data}"

    @property
    def vectors_per_frame(self) -> int:
        return self.height.value.data * self.width.value.data  # input pixels, one per cycle

    def cycles_per_frame(self) -> int:
        return self.vectors_per_frame  # one pixel (beat) per cycle

    def latency(self) -> None:
        return None  # the line buffer fills before the first window

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        (kh, kw), (sh, sw) = self.kernel.get_values(), self.strides.get_values()
        c, ew = self.channels.value.data, self.element_width.value.data
        return (("C", c), ("EW", ew), ("H", self.height.value.data), ("W", self.width.value.data),
                ("KH", kh), ("KW", kw), ("SH", sh), ("SW", sw))  # fmt: skip

    def resource_cells(self) -> tuple[Cell, ...]:
        kh, kw = self.kernel.get_values()
        return window_cells(self.input.type.width.data, self.width.value.data, kh, kw)

    def verify_(self) -> None:
        c, ew = self.channels.value.data, self.element_width.value.data
        kh, kw = self.kernel.get_values()
        if self.input.type.width.data != c * ew:
            raise VerifyException(f"swg input stream must carry {c} x {ew} bits")
        if self.output.type.width.data != kh * kw * c * ew:
            raise VerifyException(f"swg output stream must carry {kh} x {kw} x {c} x {ew} bits")


def window_ram_shape(kh: int, kw: int, sw: int, width: int) -> tuple[int, int]:
    """(rows, pixels per row) lowbit_swg_ram keeps: 2*KH rows, so the writer fills the next
    window row's KH rows while the reader walks the current one (fewer lose time at every frame
    boundary, see its header), of the (Wo-1)*SW + KW columns some window covers."""
    return 2 * kh, ((width - kw) // sw) * sw + kw


@irdl_op_definition
class SWGRamInstanceOp(IRDLOperation, StreamUnit):
    """An instance of the library's `lowbit_swg_ram`: a [height, width] map of pixels of
    ``channels`` elements of ``element_width`` bits in; out, each KHxKW window element by element
    in (ky, kx, c) order, ``word`` elements per beat (a divisor of the channels). Its rows live
    in a RAM, so nothing of the size of a window is held in registers.

    ```mlir
    %w = rtl.swg_ram %p {channels = 16 : i64, element_width = 2 : i64, height = 8 : i64, width = 8 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, word = 8 : i64} : !rtl.stream<32> -> !rtl.stream<16>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "rtl.swg_ram"
    input = operand_def(StreamType)
    output = result_def(StreamType)
    channels = prop_def(IntegerAttr)
    element_width = prop_def(IntegerAttr)
    height = prop_def(IntegerAttr)
    width = prop_def(IntegerAttr)
    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    word = prop_def(IntegerAttr)
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    LIBRARY_FILES: ClassVar = ("lowbit_swg_ram.v", "lowbit_fifo.v")
    VERILOG_MODULE: ClassVar = "lowbit_swg_ram"

    @property
    def report_kind(self) -> str:
        return "swg"

    def summary(self) -> str:
        kh, kw = self.kernel.get_values()
        h, w, c = self.height.value.data, self.width.value.data, self.channels.value.data
        return f"{kh}x{kw} on {h}x{w}x{c}, {self.word.value.data} per beat"

    @property
    def words_per_window(self) -> int:
        kh, kw = self.kernel.get_values()
        return kh * kw * self.channels.value.data // self.word.value.data

    @property
    def vectors_per_frame(self) -> int:
        return self.height.value.data * self.width.value.data  # input pixels

    def cycles_per_frame(self) -> int:
        """A pixel in per cycle, a window word out per cycle: the busier side sets the rate."""
        (kh, kw), (sh, sw) = self.kernel.get_values(), self.strides.get_values()
        h, w = self.height.value.data, self.width.value.data
        windows = ((h - kh) // sh + 1) * ((w - kw) // sw + 1)
        return max(h * w, windows * self.words_per_window)

    def latency(self) -> None:
        return None  # the rows fill before the first window

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        (kh, kw), (sh, sw) = self.kernel.get_values(), self.strides.get_values()
        c, ew = self.channels.value.data, self.element_width.value.data
        return (("C", c), ("EW", ew), ("H", self.height.value.data), ("W", self.width.value.data),
                ("KH", kh), ("KW", kw), ("SH", sh), ("SW", sw), ("G", self.word.value.data))  # fmt: skip

    def resource_cells(self) -> tuple[Cell, ...]:
        """lowbit_swg_ram: its rows in a RAM of pixels (with the read register), the select
        of a word from it, the 2-deep FIFO of words, and the writer's and reader's counters."""
        (kh, kw), (_, sw) = self.kernel.get_values(), self.strides.get_values()
        h, w = self.height.value.data, self.width.value.data
        pixel, word = self.input.type.width.data, self.output.type.width.data
        rows, columns = window_ram_shape(kh, kw, sw, w)
        select = word * max(0, -(-(pixel // word - 1) // 3))  # a (C/G)-way multiplexer per word bit
        counters = clog2(w) + clog2(h) + 3 * clog2(rows * columns) + clog2(h) + clog2(kh) + clog2(kw)
        counters += clog2(pixel // word) + clog2(rows + 1)
        return (
            LineBuffer(rows * columns, pixel),  # priced with its read register
            Logic(select),
            Fifo(word, 2),
            Control("lowbit_swg", 2 * counters, counters),
        )

    def verify_(self) -> None:
        c, ew, g = self.channels.value.data, self.element_width.value.data, self.word.value.data
        if g < 1 or c % g:
            raise VerifyException(f"swg_ram word of {g} elements must divide the {c} channels")
        if self.input.type.width.data != c * ew:
            raise VerifyException(f"swg_ram input stream must carry {c} x {ew} bits")
        if self.output.type.width.data != g * ew:
            raise VerifyException(f"swg_ram output stream must carry {g} x {ew} bits")


@irdl_op_definition
class PadInstanceOp(IRDLOperation, StreamUnit):
    """An instance of the library's `lowbit_pad`: a [height, width] map of ``channels``-element
    pixels in, the map with zero borders (``pads`` = top, left, bottom, right) out; with
    ``widen``, single-bit bipolar elements become 2-bit signed integers; with ``ones`` = 1 the
    border bits are all ones instead (+1 on packed bipolar bits, without ``widen``).

    ```mlir
    %p = rtl.pad %m {channels = 16 : i64, element_width = 2 : i64, height = 8 : i64, width = 8 : i64, pads = array<i64: 1, 1, 1, 1>, widen = 1 : i64} : !rtl.stream<16> -> !rtl.stream<32>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "rtl.pad"
    input = operand_def(StreamType)
    output = result_def(StreamType)
    channels = prop_def(IntegerAttr)
    element_width = prop_def(IntegerAttr)
    height = prop_def(IntegerAttr)
    width = prop_def(IntegerAttr)
    pads = prop_def(DenseArrayBase)
    widen = prop_def(IntegerAttr)
    ones = opt_prop_def(IntegerAttr)
    """1: border bits all ones (+1 on packed bipolar bits); default 0."""
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    LIBRARY_FILES: ClassVar = ("lowbit_pad.v", "lowbit_raster.v", "lowbit_fifo.v")  # its output in a lowbit_fifo
    VERILOG_MODULE: ClassVar = "lowbit_pad"

    def summary(self) -> str:
        return f"{self.height.value.data}x{self.width.value.data} pads {','.join(map(str, self.pads.get_values()))}"

    @property
    def vectors_per_frame(self) -> int:
        top, left, bottom, right = self.pads.get_values()  # one output pixel per cycle, borders included
        return (top + self.height.value.data + bottom) * (left + self.width.value.data + right)

    def cycles_per_frame(self) -> int:
        return self.vectors_per_frame  # one pixel (beat) per cycle

    def latency(self) -> None:
        return None  # a frame's first pixel may wait for a whole border row

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        top, left, bottom, right = self.pads.get_values()
        params: tuple[tuple[str, VerilogValue], ...] = (
            ("C", self.channels.value.data),
            ("EW", self.element_width.value.data),
            ("H", self.height.value.data),
            ("W", self.width.value.data),
            ("PT", top),
            ("PL", left),
            ("PB", bottom),
            ("PR", right),
            ("WIDEN", self.widen.value.data),
        )
        return params + ((("ONES", 1),) if self.ones is not None and self.ones.value.data else ())

    def resource_cells(self) -> tuple[Cell, ...]:
        """lowbit_pad: the pixel or the border (a LUT per output bit, feeding the FIFO), the oy/ox
        counters with their compares, and a 2-deep FIFO of the output pixel."""
        ow = self.output.type.width.data
        hw = self.height.value.data + self.width.value.data
        return (Logic(ow), Control("lowbit_pad", 2 * clog2(hw), clog2(hw)), Fifo(ow, 2))

    def verify_(self) -> None:
        c, ew, widen = self.channels.value.data, self.element_width.value.data, self.widen.value.data
        if widen not in (0, 1) or (widen and ew != 2):
            raise VerifyException("pad widen must be 0, or 1 with 2-bit output elements")
        ones = 0 if self.ones is None else self.ones.value.data
        if ones not in (0, 1) or (ones and (widen or ew != 1)):
            raise VerifyException(f"pad ones {ones} must be 0, or 1 on 1-bit elements without widen")
        in_bits = c if widen else c * ew
        if self.input.type.width.data != in_bits or self.output.type.width.data != c * ew:
            raise VerifyException(f"pad streams must carry {in_bits} bits in and {c * ew} bits out")


@irdl_op_definition
class CollectInstanceOp(IRDLOperation, StreamUnit):
    """An instance of the library's `lowbit_collect`: ``count`` beats in, one beat out (the
    flatten of the last map before the dense layers).

    ```mlir
    %v = rtl.collect %m {count = 25 : i64} : !rtl.stream<32> -> !rtl.stream<800>
    ```
    """

    name = "rtl.collect"
    input = operand_def(StreamType)
    output = result_def(StreamType)
    count = prop_def(IntegerAttr)
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    LIBRARY_FILES: ClassVar = ("lowbit_collect.v",)
    VERILOG_MODULE: ClassVar = "lowbit_collect"

    def summary(self) -> str:
        return f"{self.count.value.data} beats -> 1"

    @property
    def vectors_per_frame(self) -> int:
        return self.count.value.data  # input beats, one per cycle

    def cycles_per_frame(self) -> int:
        return self.vectors_per_frame  # one pixel (beat) per cycle

    def latency(self) -> None:
        return None  # the frame leaves only once all its beats are in

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        return (("WI", self.input.type.width.data), ("N", self.count.value.data))

    def resource_cells(self) -> tuple[Cell, ...]:
        """lowbit_collect: assembly and output registers (2 x N x WI flip-flops), the output
        register loaded from the assembly or the input (a LUT per bit), a beat counter."""
        n, wi = self.count.value.data, self.input.type.width.data
        return (Logic(n * wi), Registers(2 * n * wi), Control("lowbit_collect", clog2(n + 1), clog2(n + 1)))

    def verify_(self) -> None:
        if self.output.type.width.data != self.count.value.data * self.input.type.width.data:
            raise VerifyException(f"collect output stream must carry {self.count.value.data} input beats")
