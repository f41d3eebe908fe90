"""Channels-last ("pixel stream") ops of the `bitserial` stage for convolutional layers.

Hardware streams a frame as pixels in raster order, each pixel carrying all its channels, so
from `bitserial` on a feature map is [H, W, C]. A convolution becomes `window` (the sliding-
window generator: one vector per output pixel, element (ky, kx, c) at index (ky*KW + kx)*C + c)
followed by a matrix product over the last axis; max-pool becomes `window` and `window_max`.
From `unroll` on, `window` and `window_max` also work on packed pixel streams: the hardware's
sliding-window generator and pool unit.
"""

from __future__ import annotations

from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, IntegerType, Signedness, TensorType
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
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.lowbit.ops_conv import _pair, output_size
from lowbitc.dialects.lowbit.types import BipolarType, PackedType


def same_kind(t: TensorType | PackedType, shape: tuple[int, ...]) -> TensorType | PackedType:
    """A type like ``t`` (logical tensor or packed bits) with another shape."""
    return PackedType(shape, t.element_type) if isinstance(t, PackedType) else TensorType(t.element_type, shape)


@irdl_op_definition
class ToPixelsOp(IRDLOperation):
    """[C, H, W] to channels-last [H, W, C] (free in hardware: it is the streaming order).

    ```mlir
    %p = lowbit.to_pixels %x : tensor<3x32x32xsi8> -> tensor<32x32x3xsi8>
    ```
    """

    name = "lowbit.to_pixels"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        shape = self.input.type.get_shape()
        if len(shape) != 3:
            raise VerifyException(f"to_pixels input must be [C, H, W], got {list(shape)}")
        c, h, w = shape
        if self.output.type != TensorType(self.input.type.element_type, (h, w, c)):
            raise VerifyException(f"to_pixels result must be tensor<{h}x{w}x{c}x{self.input.type.element_type}>")


@irdl_op_definition
class WindowOp(IRDLOperation):
    """Sliding windows of a channels-last [H, W, C] map, no padding: [Ho, Wo, KH*KW*C], element
    (ky, kx, c) of the window at output pixel (oy, ox) being x[oy*SH + ky, ox*SW + kx, c].

    ```mlir
    %w = lowbit.window %p {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<32x32x3xsi8> -> tensor<30x30x27xsi8>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.window"
    input = operand_def(TensorType | PackedType)
    output = result_def(TensorType | PackedType)
    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        shape = self.input.type.get_shape()
        if len(shape) != 3:
            raise VerifyException(f"window input must be [H, W, C], got {list(shape)}")
        h, w, c = shape
        kh, kw = _pair(self.kernel, "kernel")
        sh, sw = _pair(self.strides, "strides")
        if min(kh, kw, sh, sw) < 1:
            raise VerifyException("kernel and strides must be positive")
        ho, wo = output_size(h, kh, sh, 0, 0), output_size(w, kw, sw, 0, 0)
        if ho < 1 or wo < 1:
            raise VerifyException(f"kernel {kh}x{kw} does not fit the {h}x{w} input")
        expected = same_kind(self.input.type, (ho, wo, kh * kw * c))
        if self.output.type != expected:
            raise VerifyException(f"window result must be {expected}")


@irdl_op_definition
class WindowMaxOp(IRDLOperation):
    """Max over the ``size`` positions of each window: [Ho, Wo, size*C] -> [Ho, Wo, C]. On bipolar
    values it is the OR of the bits.

    ```mlir
    %m = lowbit.window_max %w {size = 4 : i64} : tensor<14x14x256x!lowbit.bipolar> -> tensor<14x14x64x!lowbit.bipolar>
    ```
    """

    name = "lowbit.window_max"
    input = operand_def(TensorType | PackedType)
    output = result_def(TensorType | PackedType)
    size = prop_def(IntegerAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        shape = self.input.type.get_shape()
        n = self.size.value.data
        if len(shape) != 3 or n < 1 or shape[-1] % n:
            raise VerifyException(f"window_max needs an [Ho, Wo, size*C] input, got {list(shape)} with size {n}")
        expected = same_kind(self.input.type, shape[:2] + (shape[2] // n,))
        if self.output.type != expected:
            raise VerifyException(f"window_max result must be {expected}")


@irdl_op_definition
class PadOp(IRDLOperation):
    """Zero padding of a channels-last [H, W, C] map: [PT+H+PB, PL+W+PR, C] integers, the border
    elements 0 (ONNX's and Brevitas's padding value). A bipolar input (logical or packed) is
    widened to si2 so that 0 is representable: the padded layer then runs on the integer unit,
    and the popcount never sees a value outside {-1, +1}. With ``fill = -1`` a bipolar map is
    padded with -1 (bit 0) and stays bipolar, logical or packed like its input (the border of a
    padded max-pool, where the lowest value never wins); with ``fill = 1`` likewise with +1
    (bit 1: a zero-padded convolution on XNOR lanes, whose thresholds then depend on the
    output pixel's border case, see `lowbit.border`).

    ```mlir
    %p = lowbit.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<8x8x16x!lowbit.bipolar> -> tensor<10x10x16xsi2>
    %q = lowbit.pad %y {pads = array<i64: 1, 1, 1, 1>, fill = -1 : i64} : !lowbit.packed<8x8x16x!lowbit.bipolar> -> !lowbit.packed<10x10x16x!lowbit.bipolar>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.pad"
    input = operand_def(TensorType | PackedType)
    output = result_def(TensorType | PackedType)
    pads = prop_def(DenseArrayBase)
    fill = opt_prop_def(IntegerAttr)
    """The border value: 0 (default), or -1 or +1 (bipolar maps only, which then stay bipolar)."""
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def fill_value(self) -> int:
        return 0 if self.fill is None else self.fill.value.data

    @property
    def widens(self) -> bool:
        return isinstance(self.input.type.element_type, BipolarType) and self.fill_value == 0

    def verify_(self) -> None:
        shape = self.input.type.get_shape()
        if len(shape) != 3:
            raise VerifyException(f"pad input must be [H, W, C], got {list(shape)}")
        top, left, bottom, right = _pair(self.pads, "pads", 4)
        if min(top, left, bottom, right) < 0:
            raise VerifyException("pads must be non-negative")
        h, w, c = shape
        padded = (top + h + bottom, left + w + right, c)
        elt = self.input.type.element_type
        if self.fill_value not in (0, -1, 1) or (self.fill_value and not isinstance(elt, BipolarType)):
            raise VerifyException(f"pad fill {self.fill_value} must be 0, or -1 or +1 on a bipolar map")
        if self.fill_value:
            expected = same_kind(self.input.type, padded)
            if self.output.type != expected:
                raise VerifyException(f"pad result must be {expected}")
            return
        if isinstance(elt, BipolarType):
            elt = IntegerType(2, Signedness.SIGNED)
        elif (
            isinstance(self.input.type, PackedType)
            or not isinstance(elt, IntegerType)
            or elt.signedness.data == Signedness.SIGNLESS
        ):
            raise VerifyException(f"pad input must be bipolar, siN or uiN, got {self.input.type}")
        expected = TensorType(elt, padded)
        if self.output.type != expected:
            raise VerifyException(f"pad result must be {expected}")
