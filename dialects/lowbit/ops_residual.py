"""Residual connections: the integer add of two quantized streams.

Both operands are integer codes of the same scale (the model quantizes the skip and the branch
with one quantizer), so the float sum the model computes is that scale times the integer sum
of the codes, and the requantizing activation after it folds into thresholds on that sum
(`streamline`), exactly as after a matrix product. In hardware the add and its requantization
are one unit (`add_unit`) joining two pixel streams; the stream that feeds both the skip and
the branch is duplicated (`dup`), with a FIFO on the skip deep enough that the branch never
waits for it (`pipeline`).
"""

from __future__ import annotations

from math import prod
from typing import ClassVar

import numpy as np
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerAttr, IntegerType, Signedness, TensorType
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    ParsePropInAttrDict,
    VarConstraint,
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


@irdl_op_definition
class AddOp(IRDLOperation):
    """``y = a + b`` on integer codes of one scale, element by element (same shapes).

    ```mlir
    %s = lowbit.add %a, %b : tensor<16x8x8xui2>, tensor<16x8x8xui2> -> tensor<16x8x8xui3>
    ```
    """

    name = "lowbit.add"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)"

    def value_range(self) -> tuple[int, int]:
        alo, ahi = element_range(self.lhs.type.element_type)
        blo, bhi = element_range(self.rhs.type.element_type)
        return alo + blo, ahi + bhi

    def verify_(self) -> None:
        a, b = self.lhs.type, self.rhs.type
        for t in (a, b):
            if not isinstance(t.element_type, IntegerType):
                raise VerifyException(f"add operands must be siN/uiN codes, got {t}")
        if a.get_shape() != b.get_shape() or self.output.type.get_shape() != a.get_shape():
            raise VerifyException(
                f"add needs equal shapes, got {list(a.get_shape())} + {list(b.get_shape())} -> "
                f"{list(self.output.type.get_shape())}"
            )
        check_accumulator(self.output.type, *self.value_range(), "add")


@irdl_op_definition
class AddUnitOp(IRDLOperation):
    """The hardware residual add: joins two pixel streams of k-bit codes, adds them element by
    element and, with ``thresholds`` ([C, T] over the last axis), requantizes the sum to
    packed bipolar bits (T = 1) or codes ``count + offset``; without, the raw sum.

    ```mlir
    %y = lowbit.add_unit %a, %b {thresholds = dense<...> : tensor<16x3xi64>} : tensor<8x8x16xui2>, tensor<8x8x16xui2> -> tensor<8x8x16xui2>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.add_unit"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    output = result_def(TensorType | PackedType)
    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    offset = opt_prop_def(IntegerAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)"

    value_range = AddOp.value_range

    @property
    def output_offset(self) -> int:
        return 0 if self.offset is None else self.offset.value.data

    @property
    def pixels(self) -> int:
        return prod(self.lhs.type.get_shape()[:-1])

    def verify_(self) -> None:
        a, b = self.lhs.type, self.rhs.type
        for t in (a, b):
            if not isinstance(t.element_type, IntegerType) or t.element_type.signedness.data == Signedness.SIGNLESS:
                raise VerifyException(f"add_unit operands must be siN/uiN codes, got {t}")
        out = self.output.type
        if a.get_shape() != b.get_shape() or out.get_shape() != a.get_shape():
            raise VerifyException(
                f"add_unit needs equal shapes, got {list(a.get_shape())} + {list(b.get_shape())} -> "
                f"{list(out.get_shape())}"
            )
        if self.thresholds is None:
            if not isinstance(out, TensorType) or self.offset is not None:
                raise VerifyException("an add_unit without thresholds produces the raw sum tensor")
            check_accumulator(out, *self.value_range(), "add_unit")
            return
        th = numpy_from_dense(self.thresholds)
        c = a.get_shape()[-1]
        if th.ndim != 2 or th.shape[0] != c:
            raise VerifyException(f"add_unit thresholds have shape {list(th.shape)}, expected [{c}, T]")
        if isinstance(out, PackedType):
            if th.shape[1] != 1 or self.offset is not None or not isinstance(out.element_type, BipolarType):
                raise VerifyException("an add_unit producing packed bits takes one threshold per channel and no offset")
        else:
            elt = out.element_type
            if not isinstance(elt, IntegerType) or elt.signedness.data == Signedness.SIGNLESS:
                raise VerifyException(f"an add_unit with thresholds produces packed bits or siN/uiN codes, got {out}")
            check_codes(elt, th.shape[1], self.output_offset, "add_unit result {elt}")
        if np.any(np.diff(th, axis=1) < 0):
            raise VerifyException("add_unit thresholds must be sorted ascending per channel")


@irdl_op_definition
class DupOp(IRDLOperation):
    """Duplicate a stream for a skip connection (both results are the input); the hardware
    accepts a beat only when both consumers have room. Inserted by `pipeline`.

    ```mlir
    %a, %b = lowbit.dup %x : tensor<8x8x16xui2>
    ```
    """

    name = "lowbit.dup"
    T: ClassVar = VarConstraint("T", AnyAttr())
    input = operand_def(T)
    first = result_def(T)
    second = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input)"
