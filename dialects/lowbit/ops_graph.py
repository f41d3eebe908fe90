"""Graph-level lowbit ops: what the ONNX importer produces and `streamline` rewrites.

Every op works on one frame; the interpreter and the hardware stream many frames through it.
The float ops (`reshape`, `elementwise`, `batchnorm`, `dequantize`, `topk`) are the host-side
prologue and epilogue, evaluated with ONNX's float32 semantics; everything between the first
`quantize` and the last integer op becomes hardware.
"""

from __future__ import annotations

from math import prod

import numpy as np
from xdsl.dialects.builtin import (
    BoolAttr,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    TensorType,
    f32,
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
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.lowbit.attributes import (
    BitMatrixAttr,
    ElementwiseKindAttr,
    FoldAttr,
    IntMatrixAttr,
    RoundingModeAttr,
    numpy_from_dense,
)
from lowbitc.dialects.lowbit.border import BorderAttr, check_border_table
from lowbitc.dialects.lowbit.checks import check_accumulator, check_codes, product_range
from lowbitc.dialects.lowbit.types import BipolarType, shape_of


def _float_tensor(value_type, what: str) -> TensorType:
    if not isinstance(value_type, TensorType) or value_type.element_type != f32:
        raise VerifyException(f"{what} must be a tensor of f32, got {value_type}")
    return value_type


def _check_broadcast(const: DenseIntOrFPElementsAttr, shape: tuple[int, ...], what: str) -> None:
    cshape = const.get_shape()
    n = prod(cshape)
    if n == 1:
        return
    if cshape == shape or (len(cshape) == 1 and shape and cshape[0] == shape[0]):
        return
    raise VerifyException(f"{what} of shape {list(cshape)} does not broadcast to {list(shape)}")


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    """Change the per-frame shape of a float tensor (flatten, view).

    ```mlir
    %flat = lowbit.reshape %x : tensor<1x28x28xf32> -> tensor<784xf32>
    ```
    """

    name = "lowbit.reshape"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        a, b = shape_of(self.input.type), shape_of(self.output.type)
        if prod(a) != prod(b):
            raise VerifyException(f"reshape from {list(a)} to {list(b)} changes the element count")
        if self.input.type.element_type != self.output.type.element_type:
            raise VerifyException("reshape must keep the element type")


@irdl_op_definition
class ElementwiseOp(IRDLOperation):
    """Float32 arithmetic with a constant, as the ONNX node does it: ``x <kind> c``, or
    ``c <kind> x`` when ``swapped``. The constant is a scalar or per-channel (first axis).

    ```mlir
    %y = lowbit.elementwise %x {kind = #lowbit<elementwise_kind mul>, constant = dense<2.0> : tensor<1xf32>} : tensor<64xf32> -> tensor<64xf32>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.elementwise"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    kind = prop_def(ElementwiseKindAttr)
    constant = prop_def(DenseIntOrFPElementsAttr)
    swapped = opt_prop_def(BoolAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        t = _float_tensor(self.input.type, "elementwise input")
        if self.output.type != t:
            raise VerifyException(f"elementwise result {self.output.type} differs from input {t}")
        _check_broadcast(self.constant, t.get_shape(), "elementwise constant")


@irdl_op_definition
class BatchNormOp(IRDLOperation):
    """Inference BatchNormalization over the first (channel) axis, float32 as ONNX computes it:
    ``(x - mean) / sqrt(var + epsilon) * scale + bias``.

    ```mlir
    %y = lowbit.batchnorm %x {scale = dense<...> : tensor<64xf32>, bias = ..., mean = ..., var = ..., epsilon = 1.0e-05 : f32} : tensor<64xf32> -> tensor<64xf32>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.batchnorm"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    scale = prop_def(DenseIntOrFPElementsAttr)
    bias = prop_def(DenseIntOrFPElementsAttr)
    mean = prop_def(DenseIntOrFPElementsAttr)
    var = prop_def(DenseIntOrFPElementsAttr)
    epsilon = prop_def(FloatAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        t = _float_tensor(self.input.type, "batchnorm input")
        if self.output.type != t:
            raise VerifyException(f"batchnorm result {self.output.type} differs from input {t}")
        channels = t.get_shape()[0]
        for label, p in (("scale", self.scale), ("bias", self.bias), ("mean", self.mean), ("var", self.var)):
            if p.get_shape() != (channels,):
                raise VerifyException(f"batchnorm {label} has shape {list(p.get_shape())}, expected [{channels}]")
        if np.any(numpy_from_dense(self.var) + np.float32(self.epsilon.value.data) < 0):
            raise VerifyException("batchnorm var + epsilon is negative")


@irdl_op_definition
class QuantizeOp(IRDLOperation):
    """Float to integer codes: the input quantizer of the network (run on the host) or, before
    `streamline`, any activation quantizer.

    ``bipolar``: +1 if x >= 0 else -1 (0 maps to +1, as Brevitas/QONNX BipolarQuant).
    Integer result (``siN``/``uiN``): ``clip(round(x / scale + zero_point))`` to the result
    type's range, narrowed by one at the bottom when ``narrow``, with ``rounding``.
    With ``thresholds`` (shape [C, T] or [1, T], sorted ascending): ``count(x >= t_i)``.

    ```mlir
    %q = lowbit.quantize %x : tensor<784xf32> -> tensor<784x!lowbit.bipolar>
    ```
    """

    name = "lowbit.quantize"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    scale = opt_prop_def(DenseIntOrFPElementsAttr)
    zero_point = opt_prop_def(DenseIntOrFPElementsAttr)
    narrow = opt_prop_def(BoolAttr)
    rounding = opt_prop_def(RoundingModeAttr)
    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        t = _float_tensor(self.input.type, "quantize input")
        out = self.output.type
        if not isinstance(out, TensorType) or out.get_shape() != t.get_shape():
            raise VerifyException(f"quantize result {out} must have the input's shape {list(t.get_shape())}")
        elt = out.element_type
        if isinstance(elt, BipolarType):
            if self.scale is not None or self.thresholds is not None:
                raise VerifyException("a bipolar quantize takes no scale or thresholds")
            return
        if not isinstance(elt, IntegerType) or elt.signedness.data == Signedness.SIGNLESS:
            raise VerifyException(f"quantize result must be bipolar, siN or uiN, got {elt}")
        if self.thresholds is not None:
            th = numpy_from_dense(self.thresholds)
            if th.ndim != 2:
                raise VerifyException(f"thresholds must be [C, T], got shape {list(th.shape)}")
            channels = t.get_shape()[0]
            if th.shape[0] not in (1, channels):
                raise VerifyException(f"thresholds have {th.shape[0]} rows, expected 1 or {channels} (one per channel)")
            if elt.signedness.data == Signedness.UNSIGNED and th.shape[1] != (1 << elt.width.data) - 1:
                raise VerifyException(
                    f"{elt} output needs {(1 << elt.width.data) - 1} thresholds per channel, got {th.shape[1]}"
                )
            if np.any(np.diff(th, axis=1) < 0):
                raise VerifyException("thresholds must be sorted ascending along each channel")
            return
        if self.scale is None:
            raise VerifyException("an integer quantize needs a scale or thresholds")
        _check_broadcast(self.scale, t.get_shape(), "quantize scale")
        if np.any(numpy_from_dense(self.scale) <= 0):
            raise VerifyException("quantize scale must be positive")


@irdl_op_definition
class MatMulOp(IRDLOperation):
    """Integer matrix-vector product: ``y[..., c] = sum_k x[..., k] * W[c, k]`` over the last
    axis (leading axes, such as the pixels of a convolution's windows, are independent).
    ``weights`` is a CxK bit matrix (bit 1 = +1, bit 0 = -1) or a CxK integer matrix (multi-bit
    and ternary weights); the input is bipolar or siN/uiN.

    ```mlir
    %acc = lowbit.matmul %x {weights = #lowbit.bits<64x784, "0x...">} : tensor<784x!lowbit.bipolar> -> tensor<64xsi11>
    ```
    """

    name = "lowbit.matmul"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    weights = prop_def(BitMatrixAttr | IntMatrixAttr)
    fold = opt_prop_def(FoldAttr)
    """Set by `tile` on the integer products that stay after `bitserial` (the first layer)."""
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def fan_in(self) -> int:
        return self.weights.shape[1]

    def value_range(self) -> tuple[int, int]:
        return product_range(self.input.type.element_type, self.weights)

    def verify_(self) -> None:
        t = self.input.type
        elt = t.element_type
        if not isinstance(elt, BipolarType) and not (
            isinstance(elt, IntegerType) and elt.signedness.data != Signedness.SIGNLESS
        ):
            raise VerifyException(f"matmul input must be a bipolar or siN/uiN tensor, got {t}")
        c, k = self.weights.shape
        shape = t.get_shape()
        if not shape or shape[-1] != k:
            raise VerifyException(f"matmul input shape {list(shape)} does not match fan-in {k}")
        out = self.output.type
        if not isinstance(out, TensorType) or out.get_shape() != shape[:-1] + (c,):
            raise VerifyException(f"matmul result {out} must have shape {list(shape[:-1]) + [c]}")
        check_accumulator(out, *self.value_range(), "matmul")
        if self.fold is not None:
            pe, simd = self.fold.pe.data, self.fold.simd.data
            if pe > c or simd > k:
                raise VerifyException(f"folding PE {pe} x SIMD {simd} exceeds {c} channels x fan-in {k}")


@irdl_op_definition
class DequantizeOp(IRDLOperation):
    """Integer to float32: ``float(x) * scale`` (scale scalar or per channel).

    ```mlir
    %f = lowbit.dequantize %acc {scale = dense<1.0> : tensor<1xf32>} : tensor<64xsi11> -> tensor<64xf32>
    ```
    """

    name = "lowbit.dequantize"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    scale = prop_def(DenseIntOrFPElementsAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        t = self.input.type
        if not isinstance(t, TensorType) or not isinstance(t.element_type, (IntegerType, BipolarType)):
            raise VerifyException(f"dequantize input must be an integer or bipolar tensor, got {t}")
        out = _float_tensor(self.output.type, "dequantize result")
        if out.get_shape() != t.get_shape():
            raise VerifyException("dequantize must keep the shape")
        _check_broadcast(self.scale, t.get_shape(), "dequantize scale")


@irdl_op_definition
class ThresholdOp(IRDLOperation):
    """Multi-threshold activation on integers: ``n = count(x >= t_i)`` over the channel's sorted
    thresholds ([C, T] integers). A bipolar result (T = 1) is +1 when n = 1, else -1; an
    integer result (``uiK`` or ``siK``) is ``n + offset`` (offset default 0), which must stay
    inside the result type: a 2-bit unsigned activation has T = 3, a ternary one (narrow
    signed 2-bit) T = 2 and offset -1.

    ```mlir
    %a = lowbit.threshold %acc {thresholds = dense<[[3], [-1]]> : tensor<2x1xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
    %t = lowbit.threshold %acc {thresholds = dense<[[-2, 2], [0, 1]]> : tensor<2x2xi64>, offset = -1 : i64} : tensor<2xsi5> -> tensor<2xsi2>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.threshold"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    thresholds = prop_def(DenseIntOrFPElementsAttr)
    axis = opt_prop_def(IntegerAttr)
    """The channel axis (default 0; the last axis of channels-last pixel tensors)."""
    offset = opt_prop_def(IntegerAttr)
    border = opt_prop_def(BorderAttr)
    """Per-border-case thresholds [cases, C, T] of an [Ho, Wo, C] pixel map: output pixel
    (oy, ox) compares against block ``border.case_of(oy, ox)`` (see `lowbit.border`)."""
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def channel_axis(self) -> int:
        return 0 if self.axis is None else self.axis.value.data

    @property
    def output_offset(self) -> int:
        return 0 if self.offset is None else self.offset.value.data

    def verify_(self) -> None:
        t = self.input.type
        if not isinstance(t, TensorType) or not isinstance(t.element_type, IntegerType):
            raise VerifyException(f"threshold input must be an integer tensor, got {t}")
        out = self.output.type
        if not isinstance(out, TensorType) or out.get_shape() != t.get_shape():
            raise VerifyException(f"threshold result {out} must have the input's shape")
        th = numpy_from_dense(self.thresholds)
        shape = t.get_shape()
        if not 0 <= self.channel_axis < len(shape):
            raise VerifyException(f"threshold axis {self.channel_axis} is outside the {len(shape)}-D input")
        channels = shape[self.channel_axis]
        if self.border is not None:
            if len(shape) != 3 or self.channel_axis != 2:
                raise VerifyException(
                    f"threshold with a border needs an [Ho, Wo, C] input on axis 2, got {list(shape)} on axis "
                    f"{self.channel_axis}"
                )
            check_border_table(self.border, th, shape[:2], channels, "threshold")
            th = th.reshape(-1, th.shape[2])
        elif th.ndim != 2 or th.shape[0] != channels:
            raise VerifyException(f"thresholds have shape {list(th.shape)}, expected [{channels}, T]")
        elt = out.element_type
        if isinstance(elt, BipolarType):
            if th.shape[1] != 1:
                raise VerifyException(f"{elt} output needs 1 thresholds per channel, got {th.shape[1]}")
            if self.offset is not None:
                raise VerifyException("a bipolar threshold output takes no offset")
        elif isinstance(elt, IntegerType) and elt.signedness.data != Signedness.SIGNLESS:
            check_codes(elt, th.shape[1], self.output_offset, "{elt} output")
        else:
            raise VerifyException(f"threshold result must be bipolar, uiK or siK, got {elt}")
        if np.any(np.diff(th, axis=1) < 0):
            bad = int(np.nonzero(np.any(np.diff(th, axis=1) < 0, axis=1))[0][0])
            raise VerifyException(f"thresholds of channel {bad} are not sorted ascending")


@irdl_op_definition
class TopKOp(IRDLOperation):
    """Indices of the k largest values (ties: lowest index first), as ONNX TopK with
    ``largest=1, sorted=1`` on the last axis.

    ```mlir
    %i = lowbit.topk %logits {k = 1 : i64} : tensor<10xf32> -> tensor<1xi64>
    ```
    """

    name = "lowbit.topk"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    k = prop_def(IntegerAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        t = _float_tensor(self.input.type, "topk input")
        k = self.k.value.data
        if not 1 <= k <= t.get_shape()[-1]:
            raise VerifyException(f"topk k = {k} is outside [1, {t.get_shape()[-1]}]")
        out = self.output.type
        if not isinstance(out, TensorType) or out.get_shape() != t.get_shape()[:-1] + (k,):
            raise VerifyException(f"topk result {out} must have shape {list(t.get_shape()[:-1]) + [k]}")
