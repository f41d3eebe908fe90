"""The rtl dialect's max-pool: an instance of the library's lowbit_pool, a row accumulator when
the windows tile the map (stride = kernel), a window generator and a reduction otherwise."""

from __future__ import annotations

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
from lowbitc.dialects.rtl.cells import Cell, Control, Fifo, LineBuffer, Logic, Registers, clog2
from lowbitc.dialects.rtl.interfaces import StreamUnit, VerilogValue
from lowbitc.dialects.rtl.units import window_cells


def _row_max_luts(ew: int) -> int:
    """LUT6 per channel of lowbit_pool's row accumulator: the segment's maximum (of the pixel and
    the segment register, the pixel alone at a segment's start) and the window's (of that and the
    RAM word, the segment alone in a window's first row). Bits: two ORs. Two bits: the segment's
    compare and select fuse into one 5-input LUT per bit (both elements and the start flag); the
    window's compare of the segment's outputs with the word is a LUT of its own, then one select
    LUT per bit. Wider: per max a compare on the carry chain and a select, a LUT per bit each."""
    if ew == 1:
        return 2
    if ew == 2:
        return ew + (1 + ew)
    return 2 * 2 * ew


@irdl_op_definition
class PoolInstanceOp(IRDLOperation, StreamUnit):
    """An instance of the library's `lowbit_pool`: KxK max-pool, stride S: an OR of bits or, with
    ``element_width`` (EW >= 2) and ``element_signed``, the maximum of integer codes. A [``height``, ``width``]
    map streams in pixel by pixel.

    ```mlir
    %q = rtl.pool %m {height = 8 : i64, width = 8 : i64, kernel = 2 : i64, stride = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64} : !rtl.stream<32> -> !rtl.stream<32>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "rtl.pool"
    input = operand_def(StreamType)
    output = result_def(StreamType)
    height = prop_def(IntegerAttr)
    width = prop_def(IntegerAttr)
    kernel = prop_def(IntegerAttr)
    stride = prop_def(IntegerAttr)
    element_width = opt_prop_def(IntegerAttr)
    element_signed = opt_prop_def(IntegerAttr)
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    LIBRARY_FILES: ClassVar = ("lowbit_pool.v", "lowbit_swg.v", "lowbit_fifo.v")
    VERILOG_MODULE: ClassVar = "lowbit_pool"

    @property
    def ew(self) -> int:
        return 1 if self.element_width is None else self.element_width.value.data

    def summary(self) -> str:
        k, s = self.kernel.value.data, self.stride.value.data
        return f"{k}x{k}/{s} on {self.height.value.data}x{self.width.value.data}"

    @property
    def vectors_per_frame(self) -> int:
        return self.height.value.data * self.width.value.data  # input pixels, one per cycle

    def cycles_per_frame(self) -> int:
        return self.vectors_per_frame  # one pixel (beat) per cycle

    def latency(self) -> None:
        return None  # a window waits for K - 1 rows (and the margins' pixels) first

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        params: tuple[tuple[str, VerilogValue], ...] = (
            ("C", self.input.type.width.data // self.ew),
            ("H", self.height.value.data),
            ("W", self.width.value.data),
            ("K", self.kernel.value.data),
            ("S", self.stride.value.data),
        )
        if self.element_width is not None:
            params += (("EW", self.ew), ("ES", self.element_signed.value.data))  # pyright: ignore[reportOptionalMemberAccess]
        return params

    def resource_cells(self) -> tuple[Cell, ...]:
        """lowbit_pool. S == K, the row accumulator: the segment register, the LUT RAM of the Wo
        window-row maxima (read asynchronously), two max units per channel (segment and window),
        a 1-deep FIFO (2-deep at K = 1) and the x, y, x % K, y % K, x / K counters. S != K:
        lowbit_swg with K x K windows, the reduction per channel (bits: an OR of K*K bits,
        ceil((K*K - 1) / 5) LUT6; integers: K*K - 1 comparators and multiplexers of EW bits, one
        LUT per bit at 2 bits and two beyond) and a 2-deep FIFO of C x EW bits."""
        k, s, ew, cw = self.kernel.value.data, self.stride.value.data, self.ew, self.input.type.width.data
        h, w = self.height.value.data, self.width.value.data
        c = cw // ew
        if s == k:
            if k == 1:  # every pixel is a window: no segment, no RAM, a FIFO at full rate
                return (Fifo(cw, 2), Control("lowbit_pool", 2 * (clog2(w) + clog2(h)), clog2(w) + clog2(h)))
            counters = clog2(w) + clog2(h) + 2 * clog2(k) + clog2(w // k + 1)
            return (
                Registers(cw),
                LineBuffer(w // k, cw, registered_read=False),
                Logic(c * _row_max_luts(ew)),
                Fifo(cw, 1),
                Control("lowbit_pool", 2 * counters, counters),
            )
        reduction = c * max(1, -(-(k * k - 1) // 5)) if ew == 1 else c * (k * k - 1) * ew * (1 if ew <= 2 else 2)
        return (*window_cells(cw, w, k, k), Logic(reduction), Fifo(cw, 2))

    def verify_(self) -> None:
        if self.input.type != self.output.type:
            raise VerifyException("pool keeps the pixel width")
        if self.input.type.width.data % self.ew:
            raise VerifyException(
                f"pool stream of {self.input.type.width.data} bits is not a whole number of {self.ew}-bit elements"
            )
