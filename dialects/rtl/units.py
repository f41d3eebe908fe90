"""The rtl dialect's compute and data-movement units: matrix-vector units, sliding-window
generators, pads, pools and collectors, each an instance of a library block."""

from __future__ import annotations

from xdsl.dialects.builtin import (
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    SymbolRefAttr,
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
from xdsl.traits import HasParent, SymbolTable
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.lowbit.attributes import FoldAttr, numpy_from_dense
from lowbitc.dialects.lowbit.border import BorderAttr, check_border_table
from lowbitc.dialects.lowbit.types import bits_for_range
from lowbitc.dialects.rtl.base import ModuleOp, RomOp, StreamType


@irdl_op_definition
class MVUInstanceOp(IRDLOperation):
    """An instance of the library's `lowbit_mvu`. Its parameters: ``element_width`` (EW; absent
    for bipolar bits) and ``element_signed`` (ES, default 1) describe the input elements,
    ``weight_bits`` (WB, default 1 = bipolar) the weights in the ROM ``rom``, ``serial`` (PS)
    one input plane per cycle; ``thresholds`` [C, NT] give ``output_bits``-bit (OB, default 1)
    codes ``count + offset`` (OOFF), without them the raw PW-bit accumulator is the output;
    ``vectors`` input vectors (output pixels) make one frame; with ``border`` (XNOR lanes of a
    +1-padded convolution) they are its [Ho, Wo] output pixels and ``thresholds`` is a table
    [cases, C, NT] chosen per pixel (NCASE, HO, WO, CYT, CXT). ``channels`` is C, ``fold`` the
    PE x SIMD folding, ``popcount_width`` the accumulator and threshold width PW, ``pipe`` the
    register stages after the lane sums (0 or 1).

    ```mlir
    %y = rtl.mvu %x {rom = @accel_l0_weights, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<[[4], [4], [5], [5]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
    ```
    """

    name = "rtl.mvu"
    input = operand_def(StreamType)
    output = result_def(StreamType)
    rom = prop_def(SymbolRefAttr)
    fold = prop_def(FoldAttr)
    channels = prop_def(IntegerAttr)
    popcount_width = prop_def(IntegerAttr)
    pipe = prop_def(IntegerAttr)
    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    element_width = opt_prop_def(IntegerAttr)
    element_signed = opt_prop_def(IntegerAttr)
    weight_bits = opt_prop_def(IntegerAttr)
    serial = opt_prop_def(IntegerAttr)
    output_bits = opt_prop_def(IntegerAttr)
    offset = opt_prop_def(IntegerAttr)
    vectors = opt_prop_def(IntegerAttr)
    border = opt_prop_def(BorderAttr)
    """Thresholds [cases, C, NT] chosen per output pixel (lowbit_mvu's NCASE, HO, WO, CYT, CXT)."""
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def input_element_width(self) -> int | None:
        return None if self.element_width is None else self.element_width.value.data

    @property
    def signed_input(self) -> bool:
        return self.element_signed is None or bool(self.element_signed.value.data)

    @property
    def wb(self) -> int:
        return 1 if self.weight_bits is None else self.weight_bits.value.data

    @property
    def is_serial(self) -> bool:
        return self.serial is not None and bool(self.serial.value.data)

    @property
    def ob(self) -> int:
        return 1 if self.output_bits is None else self.output_bits.value.data

    @property
    def fan_in(self) -> int:
        return self.input.type.width.data // (self.input_element_width or 1)

    @property
    def vectors_per_frame(self) -> int:
        return 1 if self.vectors is None else self.vectors.value.data

    @property
    def cycles_per_vector(self) -> int:
        planes = self.input_element_width if self.is_serial else 1
        return self.fold.cycles(self.channels.value.data, self.fan_in) * planes

    def accumulator_range(self) -> tuple[int, int]:
        k, ew = self.fan_in, self.input_element_width
        wlo, whi = (-1, 1) if self.wb == 1 else (-(1 << (self.wb - 1)), (1 << (self.wb - 1)) - 1)
        if ew is None:
            return (0, k) if self.wb == 1 else (k * min(0, wlo), k * max(0, whi))
        lo, hi = (-(1 << (ew - 1)), (1 << (ew - 1)) - 1) if self.signed_input else (0, (1 << ew) - 1)
        corners = (lo * wlo, lo * whi, hi * wlo, hi * whi)
        return k * min(corners), k * max(corners)

    def verify_(self) -> None:
        k, c = self.fan_in, self.channels.value.data
        pw = self.popcount_width.value.data
        ew = self.input_element_width
        lo, hi = self.accumulator_range()
        need = bits_for_range(lo, hi + 1)[0]
        if pw < need:
            raise VerifyException(f"accumulator width {pw} cannot hold [{lo}, {hi + 1}] (needs {need})")
        if ew is not None:
            if ew < 1 or self.input.type.width.data % ew:
                raise VerifyException(
                    f"input stream of {self.input.type.width.data} bits is not a whole number of {ew}-bit elements"
                )
            if self.wb == 1 and self.signed_input and pw < ew + k.bit_length():
                raise VerifyException(f"accumulator width {pw} is below EW + clog2(K + 1) = {ew + k.bit_length()}")
        elif self.is_serial:
            raise VerifyException("a serial mvu needs multi-bit input elements")
        expected = c * self.ob if self.thresholds is not None else c * pw
        if self.output.type.width.data != expected:
            raise VerifyException(f"mvu output stream is {self.output.type.width.data} bits, expected {expected}")
        if self.thresholds is not None:
            th = numpy_from_dense(self.thresholds)
            if self.border is not None:
                ho, wo = self.border.output_hw
                if ew is not None or self.wb != 1 or self.vectors_per_frame != ho * wo:
                    raise VerifyException(
                        f"an mvu with a border needs XNOR lanes and its {ho}x{wo} output pixels as vectors, got {self.vectors_per_frame}"
                    )
                check_border_table(self.border, th, (ho, wo), c, "mvu")
                th = th.reshape(-1, th.shape[2])
            if (
                th.ndim != 2
                or th.shape[0] != c * (1 if self.border is None else self.border.cases)
                or th.shape[1] + 1 > 1 << self.ob
            ):
                raise VerifyException(f"mvu thresholds must be [{c}, T] with T < 2^{self.ob}")
            if th.min() < lo or th.max() > hi + 1:
                domain = "popcount" if ew is None and self.wb == 1 else "accumulator"
                raise VerifyException(f"mvu thresholds must lie in [{lo}, {hi + 1}] ({domain} domain)")
        pe, simd = self.fold.pe.data, self.fold.simd.data
        if pe > c or simd > k:
            raise VerifyException(f"folding PE {pe} x SIMD {simd} exceeds {c} x {k}")
        if self.border is not None and self.thresholds is None:
            raise VerifyException("an mvu border selects thresholds; this mvu has none")
        if self.pipe.value.data not in (0, 1):
            raise VerifyException(f"pipe {self.pipe.value.data} must be 0 or 1 (register stages after the popcount)")
        rom = SymbolTable.lookup_symbol(self, self.rom)
        if not isinstance(rom, RomOp):
            raise VerifyException(f"{self.rom} does not name an rtl.rom")
        depth, width = self.fold.cycles(c, k), pe * simd * self.wb
        if rom.contents.shape != (depth, width):
            rows, cols = rom.contents.shape
            raise VerifyException(
                f"{self.rom} is {rows}x{cols}, folding PE {pe} x SIMD {simd} with {self.wb}-bit weights needs {depth}x{width}"
            )


@irdl_op_definition
class SWGInstanceOp(IRDLOperation):
    """An instance of the library's `lowbit_swg`: a [height, width] map of pixels of ``channels``
    elements of ``element_width`` bits in, one KHxKW window per output pixel out.

    ```mlir
    %w = rtl.swg %p {channels = 16 : i64, element_width = 2 : i64, height = 8 : i64, width = 8 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !rtl.stream<32> -> !rtl.stream<288>
    ```
    """

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

    def verify_(self) -> None:
        c, ew = self.channels.value.data, self.element_width.value.data
        kh, kw = self.kernel.get_values()
        if self.input.type.width.data != c * ew:
            raise VerifyException(f"swg input stream must carry {c} x {ew} bits")
        if self.output.type.width.data != kh * kw * c * ew:
            raise VerifyException(f"swg output stream must carry {kh} x {kw} x {c} x {ew} bits")


@irdl_op_definition
class PadInstanceOp(IRDLOperation):
    """An instance of the library's `lowbit_pad`: a [height, width] map of ``channels``-element
    pixels in, the map with zero borders (``pads`` = top, left, bottom, right) out; with
    ``widen``, single-bit bipolar elements become 2-bit signed integers; with ``ones`` = 1 the
    border bits are all ones instead (+1 on packed bipolar bits, without ``widen``).

    ```mlir
    %p = rtl.pad %m {channels = 16 : i64, element_width = 2 : i64, height = 8 : i64, width = 8 : i64, pads = array<i64: 1, 1, 1, 1>, widen = 1 : i64} : !rtl.stream<16> -> !rtl.stream<32>
    ```
    """

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
class PoolInstanceOp(IRDLOperation):
    """An instance of the library's `lowbit_pool`: KxK max-pool, stride S: an OR of bits or, with
    ``element_width`` (EW >= 2) and ``element_signed``, the maximum of integer codes. A [``height``, ``width``]
    map streams in pixel by pixel.

    ```mlir
    %q = rtl.pool %m {height = 8 : i64, width = 8 : i64, kernel = 2 : i64, stride = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64} : !rtl.stream<32> -> !rtl.stream<32>
    ```
    """

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

    @property
    def ew(self) -> int:
        return 1 if self.element_width is None else self.element_width.value.data

    def verify_(self) -> None:
        if self.input.type != self.output.type:
            raise VerifyException("pool keeps the pixel width")
        if self.input.type.width.data % self.ew:
            raise VerifyException(
                f"pool stream of {self.input.type.width.data} bits is not a whole number of {self.ew}-bit elements"
            )


@irdl_op_definition
class CollectInstanceOp(IRDLOperation):
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

    def verify_(self) -> None:
        if self.output.type.width.data != self.count.value.data * self.input.type.width.data:
            raise VerifyException(f"collect output stream must carry {self.count.value.data} input beats")
