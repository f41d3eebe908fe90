"""Verifier checks shared by the lowbit ops of every level (graph, bit-serial, hardware): exact
value ranges of integer products, and result types that must hold them."""

from __future__ import annotations

from xdsl.dialects.builtin import IntegerType, Signedness
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, IntMatrixAttr, weight_range
from lowbitc.dialects.lowbit.types import bits_for_range, element_range, int_range


def check_accumulator(result_type, lo: int, hi: int, what: str) -> None:
    """The result's integer type must hold [lo, hi] exactly; too narrow overflows, too wide
    wastes LUTs, so widths are derived from the fan-in and checked here."""
    elt = getattr(result_type, "element_type", None)
    if not isinstance(elt, IntegerType) or elt.signedness.data == Signedness.SIGNLESS:
        raise VerifyException(f"{what} must produce siN or uiN integers, got {result_type}")
    width, signed = bits_for_range(lo, hi)
    tlo, thi = int_range(elt)
    if tlo > lo or thi < hi:
        need = f"{'si' if signed else 'ui'}{width}"
        raise VerifyException(f"{what} result {elt} cannot hold the range [{lo}, {hi}] (needs {need})")


def product_range(input_elt, weights: BitMatrixAttr | IntMatrixAttr) -> tuple[int, int]:
    """Exact bounds of sum_k x_k * w_ck over the input type's values and the weights present."""
    xlo, xhi = element_range(input_elt)
    wlo, whi = weight_range(weights)
    corners = (xlo * wlo, xlo * whi, xhi * wlo, xhi * whi)
    k = weights.shape[1]
    return k * min(corners), k * max(corners)


def check_codes(elt: IntegerType, count: int, offset: int, what: str) -> None:
    """``count`` thresholds with ``offset`` give the codes offset .. offset + count, which the
    result type must hold (the threshold op, the matrix-vector and the add unit share this)."""
    lo, hi = int_range(elt)
    if offset < lo or offset + count > hi:
        raise VerifyException(
            f"{what.format(elt=elt)} holds [{lo}, {hi}], but {count} thresholds with offset {offset} "
            f"give [{offset}, {offset + count}]"
        )
