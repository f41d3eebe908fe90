"""The rtl dialect's matrix-vector unit, `rtl.mvu`: the op, what it builds (its resource cells)
and how lowbit_mvu is parameterised for it.

Both follow lowbit_mvu's header: the instance pads K to SF x SIMD and C to NF x PE, the lanes
are XNOR counter trees (bipolar inputs), a NEG adder tree (signed or unsigned integer inputs on
bipolar weights) or per-plane AND counters (k-bit weights or serial planes), and a unit with
thresholds reads them from a table addressed by its channel fold.
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerAttr, SymbolRefAttr
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
from xdsl.traits import HasParent, SymbolTable
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.lowbit.attributes import FoldAttr, frame_cycles, numpy_from_dense
from lowbitc.dialects.lowbit.border import BorderAttr, axis_case, check_border_table
from lowbitc.dialects.lowbit.types import bits_for_range
from lowbitc.dialects.rtl.base import ModuleOp, RomOp, StreamType
from lowbitc.dialects.rtl.cells import (
    Cell,
)
from lowbitc.dialects.rtl.interfaces import MatrixFold, SizedBits, StreamUnit, VerilogValue
from lowbitc.dialects.rtl.mvu_cells import mvu_cells
from lowbitc.dialects.rtl.parameters import threshold_vector

MVU_FIXED_LATENCY = 3
"""lowbit_mvu: load into the working register, weight-memory read, accumulate/output register."""


def border_parameters(border: BorderAttr, channel_folds: int) -> tuple[tuple[str, VerilogValue], ...]:
    """NCASE, HO, WO and the case tables of a bordered unit (lowbit_mvu's header): row table
    cy(oy) * NCX * NF and column table cx(ox) * NF, TW-bit words, from `lowbit.border`."""
    (ho, nt, nb), (wo, nl, nr) = border.rows(), border.columns()
    ncx, cases = 1 + nl + nr, border.cases
    tw = max(1, (cases * channel_folds - 1).bit_length())
    cyt = sum((axis_case(o, ho, nt, nb) * ncx * channel_folds) << (o * tw) for o in range(ho))
    cxt = sum((axis_case(o, wo, nl, nr) * channel_folds) << (o * tw) for o in range(wo))
    return (
        ("NCASE", cases),
        ("HO", ho),
        ("WO", wo),
        ("CYT", SizedBits(cyt, ho * tw)),
        ("CXT", SizedBits(cxt, wo * tw)),
    )


def mvu_parameters(op: MVUInstanceOp) -> tuple[tuple[str, VerilogValue], ...]:
    """lowbit_mvu's parameters; those at their defaults are left out, so binary designs print
    as they always did."""
    pe, simd = op.fold.pe.data, op.fold.simd.data
    nf, sf = op.fold.folds(op.channels.value.data, op.fan_in)
    ew, pw, th = op.input_element_width, op.popcount_width.value.data, op.thresholds
    params: list[tuple[str, VerilogValue]] = [("K", sf * simd), ("C", nf * pe), ("PE", pe), ("SIMD", simd)]
    params += [("PW", pw)] if ew is None else [("EW", ew), ("PW", pw)]
    if ew is not None and not op.signed_input:
        params.append(("ES", 0))
    if op.wb > 1:
        params.append(("WB", op.wb))
    if op.is_serial:
        params.append(("PS", 1))
    if th is not None and numpy_from_dense(th).shape[-1] > 1:
        params.append(("NT", numpy_from_dense(th).shape[-1]))
    if th is not None and op.ob > 1:
        params.append(("OB", op.ob))
    if th is not None and op.offset is not None and op.offset.value.data:
        params.append(("OOFF", op.offset.value.data))
    params += [("MODE", 0 if th is not None else 1), ("THRESH", threshold_vector(th, nf * pe, pw))]
    params.append(("PIPE", op.pipe.value.data))
    if op.fold_per_beat:
        params.append(("NARROW", 1))
    if op.fold_per_output_beat:
        params.append(("FOLDOUT", 1))
    if op.border is not None:
        params += border_parameters(op.border, nf)
    return tuple(params)


@irdl_op_definition
class MVUInstanceOp(IRDLOperation, StreamUnit):
    """An instance of the library's `lowbit_mvu`. Its parameters: ``element_width`` (EW; absent
    for bipolar bits) and ``element_signed`` (ES, default 1) describe the input elements,
    ``weight_bits`` (WB, default 1 = bipolar) the weights in the ROM ``rom``, ``serial`` (PS)
    one input plane per cycle; ``thresholds`` [C, NT] give ``output_bits``-bit (OB, default 1)
    codes ``count + offset`` (OOFF), without them the raw PW-bit accumulator is the output;
    ``vectors`` input vectors (output pixels) make one frame; with ``border`` (XNOR lanes of a
    +1-padded convolution) they are its [Ho, Wo] output pixels and ``thresholds`` is a table
    [cases, C, NT] chosen per pixel (NCASE, HO, WO, CYT, CXT). ``channels`` is C, ``fold`` the
    PE x SIMD folding, ``popcount_width`` the accumulator and threshold width PW, ``pipe`` the
    register stages after the lane sums (0 or 1).

    ```mlir
    %y = rtl.mvu %x {rom = @accel_l0_weights, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<[[4], [4], [5], [5]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
    ```
    """  # noqa: E501 (IR examples parse as written)

    name = "rtl.mvu"
    input = operand_def(StreamType)
    output = result_def(StreamType)
    rom = prop_def(SymbolRefAttr)
    fold = prop_def(FoldAttr)
    channels = prop_def(IntegerAttr)
    popcount_width = prop_def(IntegerAttr)
    pipe = prop_def(IntegerAttr)
    thresholds = opt_prop_def(DenseIntOrFPElementsAttr)
    element_width = opt_prop_def(IntegerAttr)
    element_signed = opt_prop_def(IntegerAttr)
    weight_bits = opt_prop_def(IntegerAttr)
    serial = opt_prop_def(IntegerAttr)
    output_bits = opt_prop_def(IntegerAttr)
    offset = opt_prop_def(IntegerAttr)
    vectors = opt_prop_def(IntegerAttr)
    border = opt_prop_def(BorderAttr)
    """Thresholds [cases, C, NT] chosen per output pixel (lowbit_mvu's NCASE, HO, WO, CYT, CXT)."""
    fan_in_elements = opt_prop_def(IntegerAttr, prop_name="fan_in")
    """K, when the input stream carries one fold (SIMD elements, the last fold padded) per beat
    (lowbit_mvu's NARROW): the vector is kept in a RAM for the channel folds, not registers."""
    fold_out = opt_prop_def(IntegerAttr)
    """1: the output stream carries one channel fold (PE channels) per beat, NF beats per vector
    (lowbit_mvu's FOLDOUT), for a consumer fed fold by fold; PE must divide the channels."""
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"
    LIBRARY_FILES: ClassVar = (
        "lowbit_mvu.v",
        "lowbit_mvu_issue.v",
        "lowbit_mvu_acc.v",
        "lowbit_mvu_lanes.v",
        "lowbit_mvu_count.v",
        "lowbit_mvu_tables.v",
        "lowbit_raster.v",
        "lowbit_fifo.v",
    )  # outputs in a lowbit_fifo
    VERILOG_MODULE: ClassVar = "lowbit_mvu"

    @property
    def report_kind(self) -> str:
        return "mvu" if self.input_element_width is None else "mvu_int"

    def summary(self) -> str:
        serial = ", serial" if self.is_serial else ""
        return f"PE {self.fold.pe.data} x SIMD {self.fold.simd.data}, W{self.wb}{serial}"

    def matrix_fold(self) -> MatrixFold:
        return MatrixFold(self.fan_in, self.channels.value.data, self.fold.pe.data, self.fold.simd.data)

    def cycles_per_frame(self) -> int:
        pe, simd = self.fold.pe.data, self.fold.simd.data
        return frame_cycles(
            self.channels.value.data, self.fan_in, pe, simd, vectors=self.vectors_per_frame, planes=self.planes_per_fold
        )

    @property
    def keeps_folds(self) -> bool:
        """Fed fold by fold, the unit writes its beats into a RAM and reads them back for every
        channel fold (lowbit_mvu_feed's R): with NF > 1, and SF > 1 or serial planes."""
        nf, sf = self.fold.folds(self.channels.value.data, self.fan_in)
        return self.fold_per_beat and nf > 1 and (sf > 1 or self.is_serial)

    def latency(self) -> int:
        """Cycles from a vector's last beat in to its last beat out, the unit idle: the steps,
        the weight read, the lane-sum register (PIPE), the accumulator and the output register.
        Fed fold by fold, the steps after the last beat's (lowbit_mvu's S - (SF-1) x NPL), one
        cycle less (the FIFO-free issue) plus the RAM's when the unit keeps its folds. A channel
        fold per output beat leaves the vector's last beat when the whole vector would."""
        if self.fold_per_beat:
            _, sf = self.fold.folds(self.channels.value.data, self.fan_in)
            after_last_beat = self.cycles_per_vector - (sf - 1) * self.planes_per_fold
            return after_last_beat + MVU_FIXED_LATENCY - 1 + self.pipe.value.data + int(self.keeps_folds)
        return self.cycles_per_vector + MVU_FIXED_LATENCY + self.pipe.value.data

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        return mvu_parameters(self)

    def resource_cells(self) -> tuple[Cell, ...]:
        return mvu_cells(self)

    @property
    def input_element_width(self) -> int | None:
        return None if self.element_width is None else self.element_width.value.data

    @property
    def signed_input(self) -> bool:
        return self.element_signed is None or bool(self.element_signed.value.data)

    @property
    def wb(self) -> int:
        return 1 if self.weight_bits is None else self.weight_bits.value.data

    @property
    def is_serial(self) -> bool:
        return self.serial is not None and bool(self.serial.value.data)

    @property
    def planes_per_fold(self) -> int:
        """Steps per fold: the input planes when serial (lowbit_mvu's NPL), else 1."""
        return (self.input_element_width or 1) if self.is_serial else 1

    @property
    def ob(self) -> int:
        return 1 if self.output_bits is None else self.output_bits.value.data

    @property
    def fold_per_beat(self) -> bool:
        """The input stream carries one fold per beat (NARROW), not a whole vector."""
        return self.fan_in_elements is not None

    @property
    def fold_per_output_beat(self) -> bool:
        """The output stream carries one channel fold per beat (FOLDOUT), not a whole vector."""
        return self.fold_out is not None and bool(self.fold_out.value.data)

    @property
    def fan_in(self) -> int:
        if self.fan_in_elements is not None:
            return self.fan_in_elements.value.data
        return self.input.type.width.data // (self.input_element_width or 1)

    @property
    def vectors_per_frame(self) -> int:
        return 1 if self.vectors is None else self.vectors.value.data

    @property
    def cycles_per_vector(self) -> int:
        """Cycles per input vector: NF x SF, x the input planes when serial."""
        return frame_cycles(
            self.channels.value.data, self.fan_in, self.fold.pe.data, self.fold.simd.data, planes=self.planes_per_fold
        )

    def accumulator_range(self) -> tuple[int, int]:
        k, ew = self.fan_in, self.input_element_width
        wlo, whi = (-1, 1) if self.wb == 1 else (-(1 << (self.wb - 1)), (1 << (self.wb - 1)) - 1)
        if ew is None:
            return (0, k) if self.wb == 1 else (k * min(0, wlo), k * max(0, whi))
        lo, hi = (-(1 << (ew - 1)), (1 << (ew - 1)) - 1) if self.signed_input else (0, (1 << ew) - 1)
        corners = (lo * wlo, lo * whi, hi * wlo, hi * whi)
        return k * min(corners), k * max(corners)

    def verify_(self) -> None:
        k, c = self.fan_in, self.channels.value.data
        pw = self.popcount_width.value.data
        ew = self.input_element_width
        lo, hi = self.accumulator_range()
        need = bits_for_range(lo, hi + 1)[0]
        if pw < need:
            raise VerifyException(f"accumulator width {pw} cannot hold [{lo}, {hi + 1}] (needs {need})")
        if ew is not None:
            if ew < 1 or self.input.type.width.data % ew:
                raise VerifyException(
                    f"input stream of {self.input.type.width.data} bits is not a whole number of {ew}-bit elements"
                )
            if self.wb == 1 and self.signed_input and pw < ew + k.bit_length():
                raise VerifyException(f"accumulator width {pw} is below EW + clog2(K + 1) = {ew + k.bit_length()}")
        elif self.is_serial:
            raise VerifyException("a serial mvu needs multi-bit input elements")
        expected = c * self.ob if self.thresholds is not None else c * pw
        if self.fold_per_output_beat:
            pe = self.fold.pe.data
            if c % pe:
                raise VerifyException(f"an mvu emitting one channel fold per beat needs PE {pe} to divide C = {c}")
            expected //= c // pe
        if self.output.type.width.data != expected:
            raise VerifyException(f"mvu output stream is {self.output.type.width.data} bits, expected {expected}")
        if self.thresholds is not None:
            th = numpy_from_dense(self.thresholds)
            if self.border is not None:
                ho, wo = self.border.output_hw
                if ew is not None or self.wb != 1 or self.vectors_per_frame != ho * wo:
                    raise VerifyException(
                        f"an mvu with a border needs XNOR lanes and its {ho}x{wo} output pixels as vectors, "
                        f"got {self.vectors_per_frame}"
                    )
                check_border_table(self.border, th, (ho, wo), c, "mvu")
                th = th.reshape(-1, th.shape[2])
            if (
                th.ndim != 2
                or th.shape[0] != c * (1 if self.border is None else self.border.cases)
                or th.shape[1] + 1 > 1 << self.ob
            ):
                raise VerifyException(f"mvu thresholds must be [{c}, T] with T < 2^{self.ob}")
            if th.min() < lo or th.max() > hi + 1:
                domain = "popcount" if ew is None and self.wb == 1 else "accumulator"
                raise VerifyException(f"mvu thresholds must lie in [{lo}, {hi + 1}] ({domain} domain)")
        pe, simd = self.fold.pe.data, self.fold.simd.data
        if self.fold_per_beat and self.input.type.width.data != simd * (ew or 1):
            raise VerifyException(
                f"an mvu fed one fold per beat needs a {simd * (ew or 1)}-bit input stream (SIMD {simd} elements), "
                f"got {self.input.type.width.data}"
            )
        if pe > c or simd > k:
            raise VerifyException(f"folding PE {pe} x SIMD {simd} exceeds {c} x {k}")
        if self.border is not None and self.thresholds is None:
            raise VerifyException("an mvu border selects thresholds; this mvu has none")
        if self.pipe.value.data not in (0, 1):
            raise VerifyException(f"pipe {self.pipe.value.data} must be 0 or 1 (register stages after the popcount)")
        rom = SymbolTable.lookup_symbol(self, self.rom)
        if not isinstance(rom, RomOp):
            raise VerifyException(f"{self.rom} does not name an rtl.rom")
        depth, width = self.fold.cycles(c, k), pe * simd * self.wb
        if rom.contents.shape != (depth, width):
            rows, cols = rom.contents.shape
            raise VerifyException(
                f"{self.rom} is {rows}x{cols}, folding PE {pe} x SIMD {simd} with {self.wb}-bit weights "
                f"needs {depth}x{width}"
            )
