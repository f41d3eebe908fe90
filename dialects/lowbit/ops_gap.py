"""Global average pooling: the integer sum of each channel over a frame's pixels.

ONNX's GlobalAveragePool of a quantized map (codes q times a scale s) is ``s * sum(q) / (H*W)``.
The importer keeps the integer part, ``lowbit.global_sum``, in the accelerator and the float
part (dequantize by s, divide by H*W, as the model computes it in float32) as a float chain,
which `streamline` folds into the thresholds of the quantizer after the pool, exactly like the
chain after a matrix product: the quantized average is a multi-threshold of the integer sum.
From `bitserial` on the pool reads the channels-last pixel stream (`lowbit.sum_unit`); `unroll`
merges the threshold after it into the unit, which accumulates one sum per channel over the
frame's pixels and emits one beat per frame (or the raw sums, when no quantizer follows and the
host computes the average).
"""

from __future__ import annotations

from math import prod

import numpy as np
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerAttr, IntegerType, Signedness, TensorType
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.lowbit.attributes import numpy_from_dense
from lowbitc.dialects.lowbit.checks import check_accumulator, check_codes
from lowbitc.dialects.lowbit.types import BipolarType, PackedType, element_range


def _codes(t, what: str) -> IntegerType:
    elt = getattr(t, "element_type", None)
    if not isinstance(t, TensorType) or not isinstance(elt, IntegerType) or elt.signedness.data == Signedness.SIGNLESS:
        raise VerifyException(f"{what} input must be a tensor of siN/uiN codes, got {t}")
    return elt


@irdl_op_definition
class GlobalSumOp(IRDLOperation):
    """The sum of each channel of a [C, H, W] map of integer codes over its H*W pixels, as a
    [C, 1, 1] map (ONNX's GlobalAveragePool without the division, which stays in the float
    chain that follows).

    ```mlir
    %s = lowbit.global_sum %x : tensor<512x7x7xui2> -> tensor<512x1x1xui8>
    ```
    """

    name = "lowbit.global_sum"
    input = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def pixels(self) -> int:
        return prod(self.input.type.get_shape()[1:])

    def value_range(self) -> tuple[int, int]:
        lo, hi = element_range(self.input.type.element_type)
        return self.pixels * lo, self.pixels * hi

    def verify_(self) -> None:
        _codes(self.input.type, "global_sum")
        shape = self.input.type.get_shape()
        if len(shape) != 3:
            raise VerifyException(f"global_sum input must be [C, H, W], got {list(shape)}")
        out = self.output.type
        if not isinstance(out, TensorType) or out.get_shape() != (shape[0], 1, 1):
            raise VerifyException(f"global_sum result {out} must have shape [{shape[0]}, 1, 1]")
        check_accumulator(out, *self.value_range(), "global_sum")


@irdl_op_definition
class SumUnitOp(IRDLOperation):
    """The hardware global pool: a channels-last [H, W, C] map of integer codes streams in pixel
    by pixel, one sum per channel accumulates over the frame, and one [1, 1, C] beat leaves per
    frame: the raw sums or, with ``thresholds`` ([C, T], set by `unroll`), packed bipolar bits
    (T = 1) or codes ``count(sum >= t_i) + offset``.

    ```mlir
    %s = lowbit.sum_unit %x : tensor<7x7x512xui2> -> tensor<1x1x512xui8>
    %q = lowbit.sum_unit %x {thresholds = dense<...> : tensor<512x3xi64>} : tensor<7x7x512xui2> -> tensor<1x1x512xui2>
    ```
    """

    name = "lowbit.sum_unit"
    input = operand_def(TensorType)
    output = result_def(TensorType | PackedType)
    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    offset = opt_prop_def(IntegerAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def pixels(self) -> int:
        return prod(self.input.type.get_shape()[:-1])

    @property
    def channels(self) -> int:
        return self.input.type.get_shape()[-1]

    @property
    def output_offset(self) -> int:
        return 0 if self.offset is None else self.offset.value.data

    def value_range(self) -> tuple[int, int]:
        lo, hi = element_range(self.input.type.element_type)
        return self.pixels * lo, self.pixels * hi

    def verify_(self) -> None:
        _codes(self.input.type, "sum_unit")
        shape = self.input.type.get_shape()
        if len(shape) != 3:
            raise VerifyException(f"sum_unit input must be [H, W, C], got {list(shape)}")
        c = shape[-1]
        out = self.output.type
        if out.get_shape() != (1, 1, c):
            raise VerifyException(f"sum_unit result {out} must have shape [1, 1, {c}]")
        if self.thresholds is None:
            if not isinstance(out, TensorType) or self.offset is not None:
                raise VerifyException("a sum_unit without thresholds produces the raw sum tensor")
            check_accumulator(out, *self.value_range(), "sum_unit")
            return
        th = numpy_from_dense(self.thresholds)
        if th.ndim != 2 or th.shape[0] != c:
            raise VerifyException(f"sum_unit thresholds have shape {list(th.shape)}, expected [{c}, T]")
        if isinstance(out, PackedType):
            if th.shape[1] != 1 or self.offset is not None or not isinstance(out.element_type, BipolarType):
                raise VerifyException("a sum_unit producing packed bits takes one threshold per channel and no offset")
        else:
            elt = out.element_type
            if not isinstance(elt, IntegerType) or elt.signedness.data == Signedness.SIGNLESS:
                raise VerifyException(f"a sum_unit with thresholds produces packed bits or siN/uiN codes, got {out}")
            check_codes(elt, th.shape[1], self.output_offset, "sum_unit result {elt}")
        if np.any(np.diff(th, axis=1) < 0):
            raise VerifyException("sum_unit thresholds must be sorted ascending per channel")
