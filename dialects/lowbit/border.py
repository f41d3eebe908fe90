"""`#lowbit.border`: the border cases of a padded convolution's output pixels.

A convolution whose map is padded with +1 instead of 0 (so a bipolar map stays bipolar and runs
on XNOR lanes) computes, at output pixel (oy, ox), the true zero-padded dot product plus the sum
of the weights over the window's padded positions. Which positions are padded depends only on
the pixel's border case: which kernel rows fall above or below the map, and which columns left
or right of it. The thresholds after such a product are a table [cases, C, T], one [C, T] block
per case, selected per output pixel as the hardware does, from counters of (oy, ox):

    row case  cy = 1 + oy                  for oy < NT (rows reaching above the map),
                 = 1 + NT + oy - (Ho - NB) for oy >= Ho - NB (rows reaching below), else 0;
    column case cx likewise with NL, NR and Wo;   case = cy * (1 + NL + NR) + cx.

Case 0 is the interior (no padded position). A pixel that reaches both above and below the map
(a map smaller than the kernel) takes its top case, which is its own.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import IntAttr
from xdsl.ir import ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

FIELDS = ("map", "kernel", "strides", "pads")
SIZES = {"map": 2, "kernel": 2, "strides": 2, "pads": 4}


def _axis_counts(size: int, kernel: int, stride: int, lo: int, hi: int) -> tuple[int, int, int]:
    """(outputs, outputs reaching below index 0, outputs reaching past size - 1) of one axis."""
    out = (size + lo + hi - kernel) // stride + 1
    before = sum(1 for o in range(out) if o * stride - lo < 0)
    after = sum(1 for o in range(out) if o * stride - lo + kernel - 1 >= size)
    return out, before, after


def axis_case(o: int, out: int, before: int, after: int) -> int:
    """The case of output index ``o`` along one axis (see the module docstring)."""
    if o < before:
        return 1 + o
    if o >= out - after:
        return 1 + before + o - (out - after)
    return 0


@irdl_attr_definition
class BorderAttr(ParametrizedAttribute):
    """Geometry of a padded convolution (the unpadded map H x W, kernel, strides, pads top,
    left, bottom, right), from which each output pixel's border case follows. Example:
    ``#lowbit.border<map = [8, 8], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>``."""

    name = "lowbit.border"

    map_height: IntAttr
    map_width: IntAttr
    kernel_h: IntAttr
    kernel_w: IntAttr
    stride_h: IntAttr
    stride_w: IntAttr
    pad_top: IntAttr
    pad_left: IntAttr
    pad_bottom: IntAttr
    pad_right: IntAttr

    @staticmethod
    def build(map_hw, kernel, strides, pads) -> BorderAttr:
        return BorderAttr(*(IntAttr(int(v)) for v in (*map_hw, *kernel, *strides, *pads)))

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        values: list[int] = []
        with parser.in_angle_brackets():
            for i, field in enumerate(FIELDS):
                if i:
                    parser.parse_punctuation(",")
                parser.parse_keyword(field)
                parser.parse_punctuation("=")
                got = parser.parse_comma_separated_list(
                    parser.Delimiter.SQUARE, lambda: parser.parse_integer(allow_boolean=False, allow_negative=True)
                )
                if len(got) != SIZES[field]:
                    parser.raise_error(f"border {field} needs {SIZES[field]} values, got {len(got)}")
                values += got
        return tuple(IntAttr(v) for v in values)

    def print_parameters(self, printer: Printer) -> None:
        v = self.values
        groups = (v[0:2], v[2:4], v[4:6], v[6:10])
        printer.print_string("<" + ", ".join(f"{f} = [{', '.join(map(str, g))}]" for f, g in zip(FIELDS, groups)) + ">")

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.data for p in self.parameters)

    @property
    def map_hw(self) -> tuple[int, int]:
        return self.values[0], self.values[1]

    @property
    def kernel(self) -> tuple[int, int]:
        return self.values[2], self.values[3]

    @property
    def strides(self) -> tuple[int, int]:
        return self.values[4], self.values[5]

    @property
    def pads(self) -> tuple[int, int, int, int]:
        return self.values[6], self.values[7], self.values[8], self.values[9]

    def rows(self) -> tuple[int, int, int]:
        """(Ho, NT, NB): output rows, rows reaching above, rows reaching below the map."""
        top, _, bottom, _ = self.pads
        return _axis_counts(self.map_hw[0], self.kernel[0], self.strides[0], top, bottom)

    def columns(self) -> tuple[int, int, int]:
        """(Wo, NL, NR)."""
        _, left, _, right = self.pads
        return _axis_counts(self.map_hw[1], self.kernel[1], self.strides[1], left, right)

    @property
    def output_hw(self) -> tuple[int, int]:
        return self.rows()[0], self.columns()[0]

    @property
    def cases(self) -> int:
        (_, nt, nb), (_, nl, nr) = self.rows(), self.columns()
        return (1 + nt + nb) * (1 + nl + nr)

    def case_of(self, oy: int, ox: int) -> int:
        (ho, nt, nb), (wo, nl, nr) = self.rows(), self.columns()
        return axis_case(oy, ho, nt, nb) * (1 + nl + nr) + axis_case(ox, wo, nl, nr)

    def case_map(self) -> np.ndarray:
        """[Ho, Wo] case of every output pixel, by the counters' rule (``case_of``)."""
        ho, wo = self.output_hw
        return np.array([[self.case_of(oy, ox) for ox in range(wo)] for oy in range(ho)], np.int64)

    def padded_positions(self, oy: int, ox: int) -> np.ndarray:
        """[KH, KW] bool: the window positions of output pixel (oy, ox) outside the map."""
        (h, w), (kh, kw), (sh, sw) = self.map_hw, self.kernel, self.strides
        top, left, _, _ = self.pads
        ys = oy * sh - top + np.arange(kh)
        xs = ox * sw - left + np.arange(kw)
        return ((ys < 0) | (ys >= h))[:, None] | ((xs < 0) | (xs >= w))[None, :]

    def case_positions(self) -> np.ndarray:
        """[cases, KH, KW] padded positions of each case (all False for a case no pixel has)."""
        out = np.zeros((self.cases,) + self.kernel, bool)
        ho, wo = self.output_hw
        for oy in range(ho):
            for ox in range(wo):
                out[self.case_of(oy, ox)] = self.padded_positions(oy, ox)
        return out

    def verify(self) -> None:
        (h, w), (kh, kw), (sh, sw), pads = self.map_hw, self.kernel, self.strides, self.pads
        if min(h, w, kh, kw, sh, sw) < 1 or min(pads) < 0:
            raise VerifyException(
                f"border map {h}x{w}, kernel {kh}x{kw} and strides {sh}x{sw} must be positive and pads {list(pads)} "
                "non-negative"
            )
        ho, wo = self.output_hw
        if ho < 1 or wo < 1:
            raise VerifyException(f"border kernel {kh}x{kw} does not fit the padded {h}x{w} map")


def check_border_table(
    border: BorderAttr, table: np.ndarray, pixels: tuple[int, ...], channels: int, what: str
) -> None:
    """A per-case threshold table [cases, C, T] for output pixels [Ho, Wo]."""
    if tuple(pixels) != border.output_hw:
        ho, wo = border.output_hw
        raise VerifyException(f"{what} border has {ho}x{wo} output pixels, the result has {list(pixels)}")
    if table.ndim != 3 or table.shape[:2] != (border.cases, channels):
        raise VerifyException(
            f"{what} border table has shape {list(table.shape)}, expected [{border.cases}, {channels}, T]"
        )
