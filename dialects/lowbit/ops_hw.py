"""Bit-level and hardware-structured lowbit ops: the `bitserial`, `tile`, `unroll` and
`pipeline` stages.

A packed bit tensor flows between layers; XNOR-popcount replaces the bipolar dot product
(``dot = 2P - K`` for K matching-or-not bits, P matching); thresholds move to the P domain.
"""

from __future__ import annotations

from math import prod
from typing import ClassVar

import numpy as np
from xdsl.dialects.builtin import BoolAttr, DenseIntOrFPElementsAttr, IntegerAttr, IntegerType, Signedness, TensorType
from xdsl.irdl import (
    AnyAttr,
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
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, FoldAttr, numpy_from_dense
from lowbitc.dialects.lowbit.border import BorderAttr, check_border_table
from lowbitc.dialects.lowbit.checks import check_accumulator, check_codes
from lowbitc.dialects.lowbit.types import BipolarType, PackedType, bits_for_range, element_range


def _packed_input(t, what: str) -> PackedType:
    if not isinstance(t, PackedType) or len(t.get_shape()) != 1:
        raise VerifyException(f"{what} input must be a 1-D packed bipolar tensor, got {t}")
    return t


def check_fold(fold: FoldAttr, channels: int, fan_in: int) -> None:
    """PE and SIMD need not divide C and K (the unit pads channels and inputs), but more lanes
    than channels or inputs would only compute padding."""
    pe, simd = fold.pe.data, fold.simd.data
    if pe > channels:
        raise VerifyException(f"PE {pe} exceeds the {channels} output channels")
    if simd > fan_in:
        raise VerifyException(f"SIMD {simd} exceeds fan-in {fan_in}")


@irdl_op_definition
class PackOp(IRDLOperation):
    """Pack a bipolar tensor into 64-bit words (free in hardware: the bits are the wires).

    ```mlir
    %p = lowbit.pack %q : tensor<784x!lowbit.bipolar> -> !lowbit.packed<784x!lowbit.bipolar>
    ```
    """

    name = "lowbit.pack"
    input = operand_def(TensorType)
    output = result_def(PackedType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        t = self.input.type
        if not isinstance(t.element_type, BipolarType):
            raise VerifyException(f"pack input must be bipolar, got {t}")
        if t.get_shape() != self.output.type.get_shape():
            raise VerifyException("pack must keep the logical shape")


@irdl_op_definition
class XnorPopcountOp(IRDLOperation):
    """P[..., c] = number of positions k where input bit [..., k] equals weight bit [c, k]
    (leading axes, such as a convolution's output pixels, are independent). Optional
    ``fold`` (set by `tile`) says how many channels (PE) and bits (SIMD) one cycle handles.

    ```mlir
    %p = lowbit.xnor_popcount %x {weights = #lowbit.bits<64x784, "0x...">, fold = #lowbit.fold<pe = 16, simd = 49>} : !lowbit.packed<784x!lowbit.bipolar> -> tensor<64xui10>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.xnor_popcount"
    input = operand_def(PackedType)
    output = result_def(TensorType)
    weights = prop_def(BitMatrixAttr)
    fold = opt_prop_def(FoldAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        t = self.input.type
        c, k = self.weights.shape
        shape = t.get_shape()
        if shape[-1] != k:
            raise VerifyException(f"xnor_popcount input has {shape[-1]} bits, weights expect {k}")
        out = self.output.type
        if out.get_shape() != shape[:-1] + (c,):
            raise VerifyException(f"xnor_popcount result {out} must have shape {list(shape[:-1]) + [c]}")
        check_accumulator(out, 0, k, "xnor_popcount")
        if self.fold is not None:
            check_fold(self.fold, c, k)


@irdl_op_definition
class XnorToDotOp(IRDLOperation):
    """Bipolar dot product from an XNOR popcount: ``2P - fan_in``.

    ```mlir
    %d = lowbit.xnor_to_dot %p {fan_in = 64 : i64} : tensor<10xui7> -> tensor<10xsi8>
    ```
    """

    name = "lowbit.xnor_to_dot"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    fan_in = prop_def(IntegerAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        k = self.fan_in.value.data
        check_accumulator(self.input.type, 0, k, "xnor_to_dot input")
        check_accumulator(self.output.type, -k, k, "xnor_to_dot")
        if self.input.type.get_shape() != self.output.type.get_shape():
            raise VerifyException("xnor_to_dot must keep the shape")


@irdl_op_definition
class AndToDotOp(IRDLOperation):
    """Dot product from the AND lanes of a bipolar layer with multi-bit weights: for inputs
    x = 2a - 1 the unit computes S = sum_k a_k w_ck, and ``dot = 2S - row_sums[c]`` with
    row_sums[c] = sum_k w_ck (on the host, like `xnor_to_dot`).

    ```mlir
    %d = lowbit.and_to_dot %s {row_sums = dense<[1, 2]> : tensor<2xi64>} : tensor<2xsi4> -> tensor<2xsi5>
    ```
    """

    name = "lowbit.and_to_dot"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    row_sums = prop_def(DenseIntOrFPElementsAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        c = self.input.type.get_shape()[-1]
        sums = numpy_from_dense(self.row_sums)
        if sums.shape != (c,):
            raise VerifyException(f"and_to_dot row_sums have shape {list(sums.shape)}, expected [{c}]")
        if self.input.type.get_shape() != self.output.type.get_shape():
            raise VerifyException("and_to_dot must keep the shape")
        # The exact range depends on the weights (|dot| <= sum_k |w_ck|), which unroll used to
        # type the result; here only the kind is checked.
        elt = self.output.type.element_type
        if not isinstance(elt, IntegerType) or elt.signedness.data == Signedness.SIGNLESS:
            raise VerifyException(f"and_to_dot produces siN/uiN integers, got {self.output.type}")


@irdl_op_definition
class MVUOp(IRDLOperation):
    """A matrix-vector unit as hardware builds it: PE x SIMD lanes over a weight memory of
    NF*SF words of PE*SIMD*WB bits (word nf*SF+sf, bits [(p*SIMD+s)*WB +: WB] hold
    W[nf*PE+p, sf*SIMD+s]; WB = ``weight_bits``, default 1), an accumulator per PE and, with
    ``thresholds`` ([C, T]), comparators producing packed bipolar bits (T = 1) or k-bit codes
    ``count + offset``; without, the raw accumulator. The lane kind follows from the operands:

    * packed bipolar input, 1-bit weights (bit 1 = +1): XNOR lanes, the accumulator is the
      popcount P (thresholds in [0, K + 1]);
    * packed bipolar input, WB-bit two's-complement weights: AND-plane lanes, the accumulator
      is ``sum_k a_k w_k`` over the input bits a_k in {0, 1};
    * siN/uiN input: the accumulator is the dot product, with 1-bit weights meaning +-1
      (integer lanes) and WB-bit weights two's complement (bit-plane lanes); ``serial`` takes
      one input plane per cycle (N times the cycles).

    Leading axes are pixels: one vector per output pixel, computed one after the other. With
    ``border`` (XNOR lanes of a +1-padded convolution, [Ho, Wo] output pixels) the thresholds
    are a table [cases, C, T]: the unit counts the output pixel (oy, ox) of the vectors it
    finishes, in raster order, and compares against block ``border.case_of(oy, ox)``.
    ``pipe`` is the number of register stages after the lane sums (set by `pipeline`).

    ```mlir
    %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<4x8, "0x...">, thresholds = dense<...> : tensor<4x1xi64>} : !lowbit.packed<8x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.mvu"
    input = operand_def()
    output = result_def()
    fold = prop_def(FoldAttr)
    memory = prop_def(BitMatrixAttr)
    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    offset = opt_prop_def(IntegerAttr)
    weight_bits = opt_prop_def(IntegerAttr)
    serial = opt_prop_def(BoolAttr)
    pipe = opt_prop_def(IntegerAttr)
    border = opt_prop_def(BorderAttr)
    """XNOR lanes of a +1-padded convolution: thresholds [cases, C, T], chosen per output pixel."""
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def integer_input(self) -> bool:
        return not isinstance(self.input.type, PackedType)

    @property
    def wb(self) -> int:
        return 1 if self.weight_bits is None else self.weight_bits.value.data

    @property
    def is_serial(self) -> bool:
        return self.serial is not None and bool(self.serial.value.data)

    @property
    def planes(self) -> int:
        """Cycles per fold: the input planes when serial, else 1."""
        return self.input.type.element_type.width.data if self.is_serial else 1

    @property
    def output_offset(self) -> int:
        return 0 if self.offset is None else self.offset.value.data

    @property
    def fan_in(self) -> int:
        return self.input.type.get_shape()[-1]

    @property
    def channels(self) -> int:
        return self.output.type.get_shape()[-1]

    @property
    def pixels(self) -> int:
        """Vectors per frame: the product of the leading (pixel) axes."""
        return prod(self.input.type.get_shape()[:-1])

    def weight_range(self) -> tuple[int, int]:
        if self.wb == 1:
            return -1, 1
        return -(1 << (self.wb - 1)), (1 << (self.wb - 1)) - 1

    def value_range(self) -> tuple[int, int]:
        k = self.fan_in
        wlo, whi = self.weight_range()
        if not self.integer_input:
            return (0, k) if self.wb == 1 else (k * min(0, wlo), k * max(0, whi))
        lo, hi = element_range(self.input.type.element_type)
        corners = (lo * wlo, lo * whi, hi * wlo, hi * whi)
        return k * min(corners), k * max(corners)

    @property
    def popcount_width(self) -> int:
        """Width of the accumulator and thresholds: hi + 1 must fit (a threshold that never
        fires); for integer inputs with 1-bit weights also the EW + clog2(K + 1) the integer
        lanes require."""
        lo, hi = self.value_range()
        width = bits_for_range(lo, hi + 1)[0]
        if self.integer_input and self.wb == 1:
            ew = self.input.type.element_type.width.data
            width = max(width, ew + (self.fan_in).bit_length())
        return width

    @property
    def output_bits(self) -> int:
        """Bits per output channel in a beat: 1 for bits, K for k-bit codes, PW for raw sums."""
        out = self.output.type
        if isinstance(out, PackedType):
            return 1
        if self.thresholds is not None:
            return out.element_type.width.data
        return self.popcount_width

    def verify_(self) -> None:
        t = self.input.type
        if isinstance(t, PackedType):
            if not isinstance(t.element_type, BipolarType):
                raise VerifyException(f"mvu input must be packed bipolar bits or an siN/uiN tensor, got {t}")
        elif not (
            isinstance(t, TensorType)
            and isinstance(t.element_type, IntegerType)
            and t.element_type.signedness.data != Signedness.SIGNLESS
        ):
            raise VerifyException(f"mvu input must be packed bipolar bits or an siN/uiN tensor, got {t}")
        if not 1 <= self.wb <= 8:
            raise VerifyException(f"mvu weight_bits {self.wb} must be in [1, 8]")
        if self.is_serial and not self.integer_input:
            raise VerifyException("a serial mvu needs multi-bit (siN/uiN) inputs")
        shape = t.get_shape()
        k = shape[-1]
        out = self.output.type
        if not isinstance(out, (PackedType, TensorType)) or out.get_shape()[:-1] != shape[:-1]:
            raise VerifyException(f"mvu result {out} must keep the input's leading axes {list(shape[:-1])}")
        c = out.get_shape()[-1]
        check_fold(self.fold, c, k)
        pe, simd = self.fold.pe.data, self.fold.simd.data
        depth, width = self.fold.cycles(c, k), pe * simd * self.wb
        if self.memory.shape != (depth, width):
            raise VerifyException(
                f"weight memory is {self.memory.shape[0]}x{self.memory.shape[1]}, "
                f"folding PE {pe} x SIMD {simd} with {self.wb}-bit weights needs {depth}x{width}"
            )
        lo, hi = self.value_range()
        if self.thresholds is not None:
            th = numpy_from_dense(self.thresholds)
            if self.border is not None:
                if self.integer_input or self.wb != 1 or len(shape) != 3:
                    raise VerifyException(
                        f"an mvu with a border needs XNOR lanes over [Ho, Wo, K] pixels, got {t} with {self.wb}-bit "
                        "weights"
                    )
                check_border_table(self.border, th, shape[:2], c, "mvu")
                th = th.reshape(-1, th.shape[2])
            elif th.ndim != 2 or th.shape[0] != c:
                raise VerifyException(f"mvu thresholds have shape {list(th.shape)}, expected [{c}, T]")
            if isinstance(out, PackedType):
                if th.shape[1] != 1 or self.offset is not None:
                    raise VerifyException("an mvu producing packed bits takes one threshold per channel and no offset")
            elif isinstance(out.element_type, IntegerType) and out.element_type.signedness.data != Signedness.SIGNLESS:
                check_codes(out.element_type, th.shape[1], self.output_offset, "mvu result {elt}")
            else:
                raise VerifyException(f"an mvu with thresholds produces packed bits or siN/uiN codes, got {out}")
            if th.min() < lo or th.max() > hi + 1:
                raise VerifyException(f"mvu thresholds must lie in [{lo}, {hi + 1}] (accumulator domain)")
            if np.any(np.diff(th, axis=1) < 0):
                raise VerifyException("mvu thresholds must be sorted ascending per channel")
        else:
            if self.border is not None:
                raise VerifyException("an mvu border selects thresholds; this mvu has none")
            if not isinstance(out, TensorType) or self.offset is not None:
                raise VerifyException("an mvu without thresholds produces the raw accumulator tensor")
            check_accumulator(out, lo, hi, "mvu")


@irdl_op_definition
class FifoOp(IRDLOperation):
    """A stream FIFO between two engines; the identity on values.

    ```mlir
    %b = lowbit.fifo %a {depth = 2 : i64} : !lowbit.packed<64x!lowbit.bipolar>
    ```
    """

    name = "lowbit.fifo"
    T: ClassVar = VarConstraint("T", AnyAttr())
    input = operand_def(T)
    output = result_def(T)
    depth = prop_def(IntegerAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($output)"

    def verify_(self) -> None:
        if self.depth.value.data < 1:
            raise VerifyException(f"fifo depth {self.depth.value.data} must be at least 1")


@irdl_op_definition
class CollectOp(IRDLOperation):
    """Gather the pixels of a [H, W, C] map (packed bits or k-bit codes) into one vector of
    H*W*C elements, pixel after pixel (the flatten before the dense layers, in channels-last
    order).

    ```mlir
    %v = lowbit.collect %m : !lowbit.packed<5x5x32x!lowbit.bipolar> -> !lowbit.packed<800x!lowbit.bipolar>
    ```
    """

    name = "lowbit.collect"
    input = operand_def(PackedType | TensorType)
    output = result_def(PackedType | TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        shape = self.input.type.get_shape()
        if (
            type(self.input.type) is not type(self.output.type)
            or self.input.type.element_type != self.output.type.element_type
        ):
            raise VerifyException(f"collect keeps the element kind, got {self.input.type} -> {self.output.type}")
        if len(shape) != 3 or self.output.type.get_shape() != (prod(shape),):
            raise VerifyException(
                f"collect turns [H, W, C] into [H*W*C], got {list(shape)} -> {list(self.output.type.get_shape())}"
            )
