"""Spatial graph-level ops: convolution and max-pool on [C, H, W] frames.

Layout is ONNX's: channels first; a convolution's weights are the Cout x (Cin*kh*kw) bit
matrix of the ONNX [Cout, Cin, kh, kw] tensor, row-major. Padding positions contribute 0, as in
ONNX Conv and in Brevitas, which pads before nothing is quantized: for a bipolar input that zero
lies outside {-1, +1}, so the XNOR lowering must mask it rather than pad with -1 or +1.
"""

from __future__ import annotations

from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, TensorType
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

from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, IntMatrixAttr
from lowbitc.dialects.lowbit.checks import check_accumulator, product_range
from lowbitc.dialects.lowbit.types import element_range


def _pair(attr: DenseArrayBase, what: str, n: int = 2) -> tuple[int, ...]:
    values = tuple(int(v) for v in attr.get_values())
    if len(values) != n:
        raise VerifyException(f"{what} needs {n} values, got {len(values)}")
    return values


def output_size(size: int, kernel: int, stride: int, pad_lo: int, pad_hi: int) -> int:
    return (size + pad_lo + pad_hi - kernel) // stride + 1


def input_range(t: TensorType) -> tuple[int, int]:
    """The values one input element can take."""
    try:
        return element_range(t.element_type)
    except VerifyException:
        raise VerifyException(f"expected a bipolar or siN/uiN tensor, got {t}") from None


@irdl_op_definition
class ConvOp(IRDLOperation):
    """2-D convolution with binary weights (bit 1 = +1, bit 0 = -1) or multi-bit integer
    weights on integer or bipolar [Cin, H, W] frames; padding contributes 0.

    ```mlir
    %y = lowbit.conv %x {weights = #lowbit.bits<16x27, "0x...">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<3x32x32xsi8> -> tensor<16x30x30xsi13>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.conv"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    weights = prop_def(BitMatrixAttr | IntMatrixAttr)
    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    group = opt_prop_def(IntegerAttr)
    """Grouped convolution: output channel c sees input channels of group c // (Cout / group)."""
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def groups(self) -> int:
        return 1 if self.group is None else self.group.value.data

    @property
    def fan_in(self) -> int:
        return self.weights.shape[1]

    def value_range(self) -> tuple[int, int]:
        input_range(self.input.type)
        return product_range(self.input.type.element_type, self.weights)

    def verify_(self) -> None:
        t = self.input.type
        input_range(t)
        if len(t.get_shape()) != 3:
            raise VerifyException(f"conv input must be [C, H, W], got {list(t.get_shape())}")
        cin, h, w = t.get_shape()
        kh, kw = _pair(self.kernel, "kernel")
        sh, sw = _pair(self.strides, "strides")
        top, left, bottom, right = _pair(self.pads, "pads", 4)
        if min(kh, kw, sh, sw) < 1 or min(top, left, bottom, right) < 0:
            raise VerifyException("kernel and strides must be positive and pads non-negative")
        cout, k = self.weights.shape
        g = self.groups
        if g < 1 or cin % g or cout % g:
            raise VerifyException(f"group {g} must divide the {cin} input and {cout} output channels")
        if k != cin // g * kh * kw:
            raise VerifyException(f"weights have fan-in {k}, expected {cin // g} x {kh} x {kw} = {cin // g * kh * kw}")
        ho, wo = output_size(h, kh, sh, top, bottom), output_size(w, kw, sw, left, right)
        if ho < 1 or wo < 1:
            raise VerifyException(f"kernel {kh}x{kw} does not fit the padded {h}x{w} input")
        out = self.output.type
        if not isinstance(out, TensorType) or out.get_shape() != (cout, ho, wo):
            raise VerifyException(f"conv result {out} must have shape [{cout}, {ho}, {wo}]")
        check_accumulator(out, *self.value_range(), "conv")


@irdl_op_definition
class MaxPoolOp(IRDLOperation):
    """Max over kernel windows of each channel. On bipolar values it is the OR of the bits.
    With ``pads`` (top, left, bottom, right; each below the kernel, so every window holds a
    pixel of the map) the padding positions never win, as ONNX pads max-pool with -inf.

    ```mlir
    %p = lowbit.maxpool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<64x28x28x!lowbit.bipolar> -> tensor<64x14x14x!lowbit.bipolar>
    %q = lowbit.maxpool %b {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<64x112x112xui2> -> tensor<64x56x56xui2>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.maxpool"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    pads = opt_prop_def(DenseArrayBase)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def padding(self) -> tuple[int, int, int, int]:
        return (0, 0, 0, 0) if self.pads is None else tuple(int(v) for v in self.pads.get_values())

    def verify_(self) -> None:
        t = self.input.type
        input_range(t)
        if len(t.get_shape()) != 3:
            raise VerifyException(f"maxpool input must be [C, H, W], got {list(t.get_shape())}")
        c, h, w = t.get_shape()
        kh, kw = _pair(self.kernel, "kernel")
        sh, sw = _pair(self.strides, "strides")
        if min(kh, kw, sh, sw) < 1:
            raise VerifyException("kernel and strides must be positive")
        top, left, bottom, right = _pair(self.pads, "pads", 4) if self.pads is not None else (0, 0, 0, 0)
        if min(top, left, bottom, right) < 0 or max(top, bottom) >= kh or max(left, right) >= kw:
            raise VerifyException(
                f"maxpool pads {[top, left, bottom, right]} must be non-negative and below the {kh}x{kw} kernel"
            )
        ho, wo = output_size(h, kh, sh, top, bottom), output_size(w, kw, sw, left, right)
        if ho < 1 or wo < 1:
            raise VerifyException(f"kernel {kh}x{kw} does not fit the {h}x{w} input")
        out = self.output.type
        if not isinstance(out, TensorType) or out.get_shape() != (c, ho, wo) or out.element_type != t.element_type:
            raise VerifyException(f"maxpool result {out} must be [{c}, {ho}, {wo}] of {t.element_type}")
