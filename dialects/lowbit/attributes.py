"""Attributes of the lowbit dialect: bit matrices, foldings and small enums."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    IntAttr,
    IntegerType,
    Signedness,
    TensorType,
    f32,
    i64,
)
from xdsl.dialects.utils.enum_attribute import EnumAttribute
from xdsl.ir import Attribute, ParametrizedAttribute, SpacedOpaqueSyntaxAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.str_enum import StrEnum

READABLE_MAX_ELEMENTS = 1024
"""Matrices of at most this many elements print one row per string or list (a person reads
them); larger ones print as compact hex of their bytes. Both forms parse."""
ELIDED = "__elided__"
"""What a printer that elides large constants writes in place of the data (lowbitc/ir_print.py)."""


def _parse_matrix_data(parser: AttrParser, what: str, parse_row) -> bytes | list:
    """The data after ``RxC, [type, ]``: a hex string (its bytes) or a list of rows."""
    text = parser.parse_optional_str_literal()
    if text is not None:
        if not text.startswith("0x"):
            parser.raise_error(f"{what} data must be a hex string starting with 0x, or a list of rows")
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            parser.raise_error(f"{what} data is not valid hex")
    if parser.parse_optional_keyword(ELIDED):
        parser.raise_error(
            f"this {what} was elided when printed (--elide-constants-larger-than): "
            "print the IR without that option to get IR that parses"
        )
    return parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parse_row)


@irdl_attr_definition
class BitMatrixAttr(ParametrizedAttribute):
    """A rows x cols matrix of bits, each row packed little-endian into bytes.

    Bytes-backed so that a 1024x1024 weight matrix costs 128 KiB, not 1M attributes. A small
    matrix prints one string per row, element [i, j] at character j:
    ``#lowbit.bits<2x3, ["101", "110"]>``; a large one as the hex of its bytes (bit j of a row
    read from the least significant bit of its bytes): ``#lowbit.bits<2x3, "0x0503">`` is the
    same matrix. Both forms parse.
    """

    name = "lowbit.bits"

    rows: IntAttr
    cols: IntAttr
    data: BytesAttr

    @staticmethod
    def from_numpy(bits: np.ndarray) -> BitMatrixAttr:
        """``bits``: a 2-D array of 0/1 values."""
        if bits.ndim != 2:
            raise ValueError(f"bit matrix must be 2-D, got shape {bits.shape}")
        packed = np.packbits(bits.astype(np.uint8), axis=1, bitorder="little")
        return BitMatrixAttr(IntAttr(bits.shape[0]), IntAttr(bits.shape[1]), BytesAttr(packed.tobytes()))

    def to_numpy(self) -> np.ndarray:
        """The matrix as a uint8 array of 0/1 values."""
        rows, cols = self.rows.data, self.cols.data
        packed = np.frombuffer(self.data.data, dtype=np.uint8).reshape(rows, -1)
        return np.unpackbits(packed, axis=1, count=cols, bitorder="little")

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows.data, self.cols.data

    def verify(self) -> None:
        rows, cols = self.rows.data, self.cols.data
        if rows <= 0 or cols <= 0:
            raise VerifyException(f"bit matrix must be non-empty, got {rows}x{cols}")
        expected = rows * ((cols + 7) // 8)
        if len(self.data.data) != expected:
            raise VerifyException(f"bit matrix {rows}x{cols} needs {expected} bytes, got {len(self.data.data)}")
        if cols % 8:
            # Bits past the last column would leak into ROM words and packed rows.
            last = np.frombuffer(self.data.data, dtype=np.uint8).reshape(rows, -1)[:, -1]
            if np.any(last >> (cols % 8)):
                bad = int(np.nonzero(last >> (cols % 8))[0][0])
                raise VerifyException(f"bit matrix row {bad} has bits set past column {cols}")

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        with parser.in_angle_brackets():
            dims = parser.parse_dimension_list()
            if len(dims) != 2:
                parser.raise_error(f"bit matrix needs two dimensions, got {len(dims)}")
            parser.parse_punctuation(",")
            data = _parse_matrix_data(parser, "bit matrix", lambda: parser.parse_str_literal("a row of 0s and 1s"))
        if isinstance(data, list):
            if len(data) != dims[0] or any(len(row) != dims[1] or set(row) - {"0", "1"} for row in data):
                parser.raise_error(f"bit matrix {dims[0]}x{dims[1]} needs {dims[0]} rows of {dims[1]} 0s and 1s")
            bits = np.array([[c == "1" for c in row] for row in data], dtype=np.uint8).reshape(dims[0], dims[1])
            data = np.packbits(bits, axis=1, bitorder="little").tobytes()
        return (IntAttr(dims[0]), IntAttr(dims[1]), BytesAttr(data))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_dimension_list([self.rows.data, self.cols.data])
            printer.print_string(", ")
            if self.rows.data * self.cols.data <= READABLE_MAX_ELEMENTS:
                rows = ("".join("01"[b] for b in row) for row in self.to_numpy())
                printer.print_string("[" + ", ".join(f'"{row}"' for row in rows) + "]")
            else:
                printer.print_string_literal("0x" + self.data.data.hex().upper())


@irdl_attr_definition
class IntMatrixAttr(ParametrizedAttribute):
    """A rows x cols matrix of small integers (multi-bit weights), one byte per element in
    two's complement, row-major. The element type (``siN``/``uiN``, N <= 8) is the weight
    quantizer's: ternary weights are ``si2`` holding {-1, 0, +1}. A small matrix prints as a
    list of rows, ``#lowbit.ints<2x2, si2, [[1, -1], [0, 1]]>``; a large one as the hex of its
    bytes, ``#lowbit.ints<2x2, si2, "0x01FF0001">`` (the same matrix). Both forms parse.
    """

    name = "lowbit.ints"

    rows: IntAttr
    cols: IntAttr
    element_type: IntegerType
    data: BytesAttr

    @staticmethod
    def from_numpy(values: np.ndarray, element_type: IntegerType) -> IntMatrixAttr:
        if values.ndim != 2:
            raise ValueError(f"integer matrix must be 2-D, got shape {values.shape}")
        raw = np.ascontiguousarray(values.astype(np.int8)).tobytes()
        return IntMatrixAttr(IntAttr(values.shape[0]), IntAttr(values.shape[1]), element_type, BytesAttr(raw))

    def to_numpy(self) -> np.ndarray:
        """The matrix as an int8 array."""
        return np.frombuffer(self.data.data, dtype=np.int8).reshape(self.rows.data, self.cols.data)

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows.data, self.cols.data

    @property
    def bits(self) -> int:
        return self.element_type.width.data

    def verify(self) -> None:
        rows, cols = self.rows.data, self.cols.data
        if rows <= 0 or cols <= 0:
            raise VerifyException(f"integer matrix must be non-empty, got {rows}x{cols}")
        w, sign = self.element_type.width.data, self.element_type.signedness.data
        if sign == Signedness.SIGNLESS or not 1 <= w <= 8:
            raise VerifyException(f"integer matrix elements must be siN or uiN with N <= 8, got {self.element_type}")
        if len(self.data.data) != rows * cols:
            raise VerifyException(f"integer matrix {rows}x{cols} needs {rows * cols} bytes, got {len(self.data.data)}")
        lo, hi = (0, (1 << w) - 1) if sign == Signedness.UNSIGNED else (-(1 << (w - 1)), (1 << (w - 1)) - 1)
        v = self.to_numpy() if sign == Signedness.SIGNED else self.to_numpy().view(np.uint8)
        if v.min() < lo or v.max() > hi:
            bad = int(np.nonzero((v < lo) | (v > hi))[0][0])
            raise VerifyException(f"integer matrix row {bad} holds values outside {self.element_type} [{lo}, {hi}]")

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        with parser.in_angle_brackets():
            dims = parser.parse_dimension_list()
            if len(dims) != 2:
                parser.raise_error(f"integer matrix needs two dimensions, got {len(dims)}")
            parser.parse_punctuation(",")
            elt = parser.parse_type()
            if not isinstance(elt, IntegerType):
                parser.raise_error(f"integer matrix element type must be siN or uiN, got {elt}")
            parser.parse_punctuation(",")

            def row() -> list[int]:
                return parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)

            data = _parse_matrix_data(parser, "integer matrix", row)
        if isinstance(data, list):
            if len(data) != dims[0] or any(len(r) != dims[1] for r in data):
                parser.raise_error(f"integer matrix {dims[0]}x{dims[1]} needs {dims[0]} rows of {dims[1]} integers")
            if any(not -128 <= v <= 255 for r in data for v in r):
                parser.raise_error(f"integer matrix elements must fit {elt}")
            data = np.array(data, dtype=np.int16).reshape(dims[0], dims[1]).astype(np.int8).tobytes()
        return (IntAttr(dims[0]), IntAttr(dims[1]), elt, BytesAttr(data))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_dimension_list([self.rows.data, self.cols.data])
            printer.print_string(", ")
            printer.print_attribute(self.element_type)
            printer.print_string(", ")
            if self.rows.data * self.cols.data <= READABLE_MAX_ELEMENTS:
                rows = (", ".join(map(str, row)) for row in weight_values(self).tolist())
                printer.print_string("[" + ", ".join(f"[{row}]" for row in rows) + "]")
            else:
                printer.print_string_literal("0x" + self.data.data.hex().upper())


WeightsAttr = BitMatrixAttr | IntMatrixAttr
"""Weights of a matrix product: bipolar bits or multi-bit integers."""


def weight_values(weights: BitMatrixAttr | IntMatrixAttr) -> np.ndarray:
    """The weights as integers ([C, K] int8): a bit matrix is -1/+1."""
    if isinstance(weights, BitMatrixAttr):
        return weights.to_numpy().astype(np.int8) * 2 - 1
    if weights.element_type.signedness.data == Signedness.UNSIGNED:
        return weights.to_numpy().view(np.uint8).astype(np.int16)
    return weights.to_numpy()


def weight_range(weights: BitMatrixAttr | IntMatrixAttr) -> tuple[int, int]:
    """The smallest and largest weight present (exact bounds for accumulator widths)."""
    if isinstance(weights, BitMatrixAttr):
        return -1, 1
    v = weight_values(weights)
    return int(v.min()), int(v.max())


def frame_cycles(channels: int, fan_in: int, pe: int, simd: int, *, vectors: int = 1, planes: int = 1) -> int:
    """Cycles per frame of a matrix-vector layer, the one definition of it: ``vectors`` input
    vectors (output pixels) x ceil(C / PE) channel folds x ceil(K / SIMD) input folds, x the
    input ``planes`` when they run one per cycle (serial). `tile`, `pipeline`, the rtl units and
    the performance model all read it from here."""
    return vectors * -(-channels // pe) * -(-fan_in // simd) * planes


@irdl_attr_definition
class FoldAttr(ParametrizedAttribute):
    """How a matrix-vector layer is folded in time: PE output channels and SIMD input elements
    per cycle. Example: ``#lowbit.fold<pe = 16, simd = 32>``."""

    name = "lowbit.fold"

    pe: IntAttr
    simd: IntAttr

    def __init__(self, pe: int, simd: int):
        super().__init__(IntAttr(pe), IntAttr(simd))

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        with parser.in_angle_brackets():
            parser.parse_keyword("pe")
            parser.parse_punctuation("=")
            pe = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_punctuation(",")
            parser.parse_keyword("simd")
            parser.parse_punctuation("=")
            simd = parser.parse_integer(allow_boolean=False, allow_negative=False)
        return (IntAttr(pe), IntAttr(simd))

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<pe = {self.pe.data}, simd = {self.simd.data}>")

    def folds(self, channels: int, fan_in: int) -> tuple[int, int]:
        """(NF, SF): channel folds and input folds; a remainder is padded, not dropped."""
        return -(-channels // self.pe.data), -(-fan_in // self.simd.data)

    def cycles(self, channels: int, fan_in: int) -> int:
        """NF x SF: cycles per input vector with all planes at once (a weight memory's depth)."""
        return frame_cycles(channels, fan_in, self.pe.data, self.simd.data)

    def verify(self) -> None:
        if self.pe.data < 1 or self.simd.data < 1:
            raise VerifyException(f"PE {self.pe.data} and SIMD {self.simd.data} must be positive")


class ElementwiseKind(StrEnum):
    """Float arithmetic of the host-side prologue/epilogue, with ONNX's float32 semantics."""

    MUL = "mul"
    ADD = "add"
    SUB = "sub"
    DIV = "div"
    MAX = "max"  # ONNX Relu is max(x, 0)


@irdl_attr_definition
class ElementwiseKindAttr(EnumAttribute[ElementwiseKind], SpacedOpaqueSyntaxAttribute):
    """Which float32 operation a `lowbit.elementwise` performs: ``#lowbit<elementwise_kind mul>``
    (mul, add, sub, div, max)."""

    name = "lowbit.elementwise_kind"


class RoundingMode(StrEnum):
    """How a quantizer rounds, as QONNX's Quant ``rounding_mode``."""

    ROUND = "round"  # half to even, as ONNX/numpy round
    FLOOR = "floor"
    CEIL = "ceil"


@irdl_attr_definition
class RoundingModeAttr(EnumAttribute[RoundingMode], SpacedOpaqueSyntaxAttribute):
    """The rounding of an integer `lowbit.quantize`: ``#lowbit<rounding round>`` (half to even),
    ``floor`` or ``ceil``."""

    name = "lowbit.rounding"


def dense_from_numpy(arr: np.ndarray) -> DenseIntOrFPElementsAttr:
    """A builtin dense attribute built from raw bytes (fast even for large arrays)."""
    if arr.dtype == np.float32:
        elt: Attribute = f32
    elif arr.dtype == np.int64:
        elt = i64
    else:
        raise ValueError(f"unsupported dense dtype {arr.dtype}")
    shape = arr.shape if arr.ndim else (1,)
    return DenseIntOrFPElementsAttr(TensorType(elt, shape), BytesAttr(np.ascontiguousarray(arr).tobytes()))


def numpy_from_dense(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    elt = attr.get_element_type()
    if elt == f32:
        dtype = np.float32
    elif isinstance(elt, IntegerType) and elt.width.data == 64:
        dtype = np.int64
    else:
        raise ValueError(f"unsupported dense element type {elt}")
    return np.frombuffer(attr.data.data, dtype=dtype).reshape(attr.get_shape())
