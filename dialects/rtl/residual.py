"""rtl instances for residual connections: the stream duplicator and the residual add.

```mlir
%a, %b = rtl.dup %x : !rtl.stream<32>
%y = rtl.add %a2, %b2 {channels = 16 : i64, lhs_width = 2 : i64, rhs_width = 2 : i64, sum_width = 3 : i64, ...} : !rtl.stream<32>, !rtl.stream<32> -> !rtl.stream<32>
```
"""

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


@irdl_op_definition
class DupInstanceOp(IRDLOperation):
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


@irdl_op_definition
class AddInstanceOp(IRDLOperation):
    """An instance of the library's `lowbit_add`: per pixel of ``channels`` elements, the sum of
    the two inputs' codes (``lhs_width``/``rhs_width`` bits, two's complement when
    ``lhs_signed``/``rhs_signed``), raw in ``sum_width`` bits or, with ``thresholds`` [C, T],
    requantized to ``output_bits``-bit codes ``count + offset``; ``pixels`` beats make a frame.

    ```mlir
    %y = rtl.add %a, %b {channels = 2 : i64, lhs_width = 2 : i64, lhs_signed = 0 : i64, rhs_width = 2 : i64, rhs_signed = 0 : i64, sum_width = 4 : i64, pixels = 16 : i64, thresholds = dense<[[2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4>, !rtl.stream<4> -> !rtl.stream<4>
    ```
    """

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
