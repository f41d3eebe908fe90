"""Bit-plane ops: the `bitserial` form of products on multi-bit activations or weights.

A k-bit activation x is the sum of its bit planes, ``x = sum_i c_i a_i`` with ``c_i = 2^i``,
except ``c_{k-1} = -2^(k-1)`` for a signed (two's complement) x; a bipolar x is ``2a - 1``.
Multi-bit weights split the same way into planes ``b_j`` with weights ``d_j``. Every product
then becomes AND-popcounts combined by shifts and subtractions:

    sum_k x_k w_k = sum_{i,j} c_i d_j popcount(a_i AND b_j)      (integer weights)
                  = sum_i c_i (2 popcount(a_i AND b) - popcount(a_i))   (binary weights, w = 2b - 1)

plus, for a bipolar x, ``- sum_k w_k`` (a constant per output channel). The hardware computes
the planes in parallel or one plane per cycle (``serial``, chosen by `tile`).
"""

from __future__ import annotations

from math import prod

from xdsl.dialects.builtin import BoolAttr, IntegerType, Signedness, TensorType, i1
from xdsl.ir import Attribute, TypeAttribute
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

from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, FoldAttr, IntMatrixAttr
from lowbitc.dialects.lowbit.checks import check_accumulator, product_range
from lowbitc.dialects.lowbit.types import BipolarType, PackedType

MAX_PLANES = 4
"""Activations of at most this many bits become planes; wider ones (the 8-bit input layer)
keep the integer product."""


def plane_count(elt: Attribute) -> int:
    """Bit planes of one element: 1 for bipolar, N for siN/uiN."""
    if isinstance(elt, BipolarType):
        return 1
    if isinstance(elt, IntegerType) and elt.signedness.data != Signedness.SIGNLESS:
        return elt.width.data
    raise VerifyException(f"expected a bipolar or siN/uiN element type, got {elt}")


def plane_weights(elt: Attribute) -> tuple[list[int], int]:
    """(c_i per plane, offset x0) with x = sum_i c_i a_i + x0."""
    if isinstance(elt, BipolarType):
        return [2], -1
    n = elt.width.data
    c = [1 << i for i in range(n)]
    if elt.signedness.data == Signedness.SIGNED:
        c[-1] = -c[-1]
    return c, 0


@irdl_op_definition
class BitPlanesOp(IRDLOperation):
    """Split a bipolar or siN/uiN tensor [..., K] into its bit planes, packed: plane i (the
    leading axis) holds bit i of every element's two's-complement code (bipolar: 1 for +1; a
    packed bipolar input is already its one plane). Free in hardware: the planes are the wires
    of the element.

    ```mlir
    %p = lowbit.bitplanes %x : tensor<64xsi2> -> !lowbit.packed<2x64xi1>
    ```
    """

    name = "lowbit.bitplanes"
    input = operand_def(TensorType | PackedType)
    output = result_def(PackedType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def verify_(self) -> None:
        t = self.input.type
        planes = plane_count(t.element_type)
        want = (planes,) + t.get_shape()
        out = self.output.type
        if out.element_type != i1 or out.get_shape() != want:
            raise VerifyException(f"bitplanes of {t} must be !lowbit.packed<{'x'.join(map(str, want))}xi1>, got {out}")


@irdl_op_definition
class PlanePopcountOp(IRDLOperation):
    """The exact product ``y[..., c] = sum_k x[..., k] * W[c, k]`` computed from the bit planes
    of x (``element`` is x's element type, which says how the planes combine) and of the
    weights, as AND-popcounts (see the module docstring). Optional ``fold`` and ``serial``
    (one activation plane per cycle) are set by `tile`.

    ```mlir
    %y = lowbit.plane_popcount %p {element = si2, weights = #lowbit.ints<10x64, si2, "0x...">} : !lowbit.packed<2x64xi1> -> tensor<10xsi9>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "lowbit.plane_popcount"
    input = operand_def(PackedType)
    output = result_def(TensorType)
    element = prop_def(TypeAttribute)
    weights = prop_def(BitMatrixAttr | IntMatrixAttr)
    fold = opt_prop_def(FoldAttr)
    serial = opt_prop_def(BoolAttr)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    @property
    def fan_in(self) -> int:
        return self.weights.shape[1]

    @property
    def planes(self) -> int:
        return plane_count(self.element)

    @property
    def is_serial(self) -> bool:
        return self.serial is not None and bool(self.serial.value.data)

    @property
    def pixels(self) -> int:
        return prod(self.input.type.get_shape()[1:-1])

    def value_range(self) -> tuple[int, int]:
        return product_range(self.element, self.weights)

    def verify_(self) -> None:
        planes = plane_count(self.element)
        t = self.input.type
        shape = t.get_shape()
        if t.element_type != i1 or len(shape) < 2 or shape[0] != planes:
            raise VerifyException(f"plane_popcount of {self.element} takes {planes} i1 planes, got {t}")
        c, k = self.weights.shape
        if shape[-1] != k:
            raise VerifyException(f"plane_popcount input has {shape[-1]} elements per plane, weights expect {k}")
        out = self.output.type
        if not isinstance(out, TensorType) or out.get_shape() != shape[1:-1] + (c,):
            raise VerifyException(f"plane_popcount result {out} must have shape {list(shape[1:-1]) + [c]}")
        check_accumulator(out, *self.value_range(), "plane_popcount")
        if self.fold is not None:
            pe, simd = self.fold.pe.data, self.fold.simd.data
            if pe > c or simd > k:
                raise VerifyException(f"folding PE {pe} x SIMD {simd} exceeds {c} channels x fan-in {k}")
