"""Types of the lowbit dialect.

Logical tensors use the builtin ``tensor`` type with a per-frame shape (the batch is a stream of
frames and never appears in the IR). Their element type names the numeric domain:

* ``f32``: real values (the host-side prologue and epilogue only),
* ``siN`` / ``uiN``: integers of exactly that range,
* ``!lowbit.bipolar``: {-1, +1}, one bit per element (1 means +1).

``!lowbit.packed<784x!lowbit.bipolar>`` is the same logical tensor stored as bits packed along the
last dimension into 64-bit words, the form XNOR-popcount operates on. ``!lowbit.packed<2x784xi1>``
holds plain 0/1 bits: the two bit planes of a 2-bit activation vector, the form AND-popcount
operates on.
"""

from __future__ import annotations

from math import ceil

from xdsl.dialects.builtin import ArrayAttr, IntAttr, IntegerType, Signedness, TensorType, i1
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.numerics import WORD_BITS  # noqa: E402  (re-exported: packed tensors hold their last dimension in words of this many bits)


@irdl_attr_definition
class BipolarType(ParametrizedAttribute, TypeAttribute):
    """A value in {-1, +1}, stored as one bit: 1 means +1, 0 means -1."""

    name = "lowbit.bipolar"


@irdl_attr_definition
class PackedType(ParametrizedAttribute, TypeAttribute):
    """A logical bit tensor stored packed along its last dimension in 64-bit words.

    Example: ``!lowbit.packed<784x!lowbit.bipolar>`` (13 words per frame).
    """

    name = "lowbit.packed"

    shape: ArrayAttr[IntAttr]
    element_type: Attribute

    def __init__(self, shape: tuple[int, ...] | list[int], element_type: Attribute):
        super().__init__(ArrayAttr(IntAttr(d) for d in shape), element_type)

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        with parser.in_angle_brackets():
            dims, elt = parser.parse_ranked_shape()
        return (ArrayAttr(IntAttr(d) for d in dims), elt)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_dimension_list(self.get_shape())
            printer.print_string("x")
            printer.print_attribute(self.element_type)

    def get_shape(self) -> tuple[int, ...]:
        return tuple(d.data for d in self.shape.data)

    @property
    def words(self) -> int:
        return ceil(self.get_shape()[-1] / WORD_BITS)

    def verify(self) -> None:
        if not self.shape.data:
            raise VerifyException("packed tensor needs at least one dimension")
        if any(d.data <= 0 for d in self.shape.data):
            raise VerifyException(f"packed tensor dimensions must be positive, got {self.get_shape()}")
        if not isinstance(self.element_type, BipolarType) and self.element_type != i1:
            raise VerifyException(f"packed tensors hold bipolar bits or i1 bit planes, not {self.element_type}")


def int_type(bits: int, signed: bool) -> IntegerType:
    return IntegerType(bits, Signedness.SIGNED if signed else Signedness.UNSIGNED)


def bits_for_range(lo: int, hi: int) -> tuple[int, bool]:
    """Smallest (width, signed) integer type holding every value in [lo, hi]."""
    if lo >= 0:
        return max(1, hi.bit_length()), False
    width = max((-lo - 1).bit_length(), hi.bit_length()) + 1
    return width, True


def int_range(t: IntegerType) -> tuple[int, int]:
    """The values an siN/uiN (or signless, read as signed) integer type can hold."""
    w = t.width.data
    if t.signedness.data == Signedness.UNSIGNED:
        return 0, (1 << w) - 1
    return -(1 << (w - 1)), (1 << (w - 1)) - 1


def element_range(elt: Attribute) -> tuple[int, int]:
    """The values one element of a bipolar or siN/uiN tensor can take."""
    if isinstance(elt, BipolarType):
        return -1, 1
    if isinstance(elt, IntegerType) and elt.signedness.data != Signedness.SIGNLESS:
        return int_range(elt)
    raise VerifyException(f"expected a bipolar or siN/uiN element type, got {elt}")


def shape_of(t: Attribute) -> tuple[int, ...]:
    if isinstance(t, (TensorType, PackedType)):
        return t.get_shape()
    raise VerifyException(f"expected a tensor type, got {t}")
