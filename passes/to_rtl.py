"""rtl: lower the hardware part of the function to an `rtl.module` with instances and ROMs.

The accelerator is the graph of stream units (matrix-vector units, sliding-window generators,
padding units, pools, collectors, residual adds and their duplicators) and FIFOs between one
host input (packed bits for dense networks, the channels-last pixels of the quantized input for
convolutional ones) and one host output; a global pool's sum unit becomes `rtl.gap`. The
function keeps the host prologue and epilogue and calls the module through `rtl.invoke`. A
window followed by a window_max is one pool unit. Afterwards no stream unit may remain in the
function. Then `narrow-streams` (passes/narrow_streams.py) lets window generators feed their
units one fold per beat; ``narrow=false`` keeps whole windows (the hardware before issue 15, for
comparisons).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import (
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    SymbolRefAttr,
    TensorType,
    i64,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects import rtl
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import numpy_from_dense
from lowbitc.dialects.lowbit.ops_gap import SumUnitOp
from lowbitc.dialects.lowbit.ops_pixels import PadOp, WindowMaxOp, WindowOp
from lowbitc.dialects.lowbit.ops_residual import AddUnitOp, DupOp
from lowbitc.dialects.lowbit.types import PackedType
from lowbitc.passes.bitserial import require_gone
from lowbitc.passes.narrow_streams import NarrowStreamsPass

HW_OPS = (h.MVUOp, WindowOp, WindowMaxOp, h.CollectOp, PadOp, h.FifoOp, AddUnitOp, DupOp, SumUnitOp)


def element_bits(t) -> int:
    """Bits of one element of a stream value: 1 for packed bits, N for an siN/uiN tensor."""
    if isinstance(t, PackedType):
        return 1
    if isinstance(t, TensorType) and isinstance(t.element_type, IntegerType):
        return t.element_type.width.data
    raise DiagnosticException(f"rtl: no stream encoding for {t}")


def signed_elements(t) -> int:
    return int(isinstance(t, TensorType) and t.element_type.signedness.data == Signedness.SIGNED)


def beat_width(t) -> int:
    """Bits per beat: one vector (the last axis) per beat, the leading axes are beats."""
    return t.get_shape()[-1] * element_bits(t)


def hardware_graph(func_body: list[Operation]) -> tuple[list[Operation], SSAValue, Operation]:
    """The stream units in program order (a topological order), the host value that feeds them
    and the unit whose result goes back to the host."""
    units = [o for o in func_body if isinstance(o, HW_OPS)]
    inside = set(units)
    sources = {v for o in units for v in o.operands if v.owner not in inside}
    if len(sources) > 1:
        raise DiagnosticException(
            f"rtl: the hardware reads {len(sources)} host values; lowbitc builds one streaming pipeline with one input"
        )
    for o in units:
        for r in o.results:
            consumers = [u.operation for u in r.uses if u.operation in inside]
            if len(consumers) > 1:
                raise DiagnosticException(
                    f"rtl: a {o.name} stream feeds {len(consumers)} units; a stream has one consumer (the pipeline "
                    "pass duplicates skip connections with lowbit.dup)"
                )
    sinks = [o for o in units if any(u.operation not in inside for r in o.results for u in r.uses)]
    if len(sinks) != 1:
        raise DiagnosticException(
            f"rtl: the hardware has {len(sinks)} outputs to the host; lowbitc builds one streaming pipeline with one "
            "output"
        )
    return units, next(iter(sources)), sinks[0]


@dataclass(frozen=True)
class ToRTLPass(ModulePass):
    """Build `rtl.module @<top>` from the stream units and call it with `rtl.invoke`."""

    name = "rtl"

    top: str = "accel"
    narrow: bool = True
    """Run `narrow-streams` after lowering: window generators feed their units fold by fold."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        body_ops = [o for o in op.walk()]
        if not any(isinstance(o, HW_OPS) for o in body_ops):
            return
        units, source, sink = hardware_graph(body_ops)
        body = Block(arg_types=[rtl.StreamType(beat_width(source.type))])
        streams: dict[SSAValue, SSAValue] = {source: body.args[0]}
        roms: list[rtl.RomOp] = []
        fused: set[Operation] = set()
        for hw in units:
            if hw in fused:
                continue
            ins = [streams[v] for v in hw.operands]
            if (
                isinstance(hw, WindowOp)
                and len(list(hw.output.uses)) == 1
                and isinstance(nxt := next(iter(hw.output.uses)).operation, WindowMaxOp)
            ):
                inst = self.pool(hw, ins[0])
                fused.add(nxt)
                hw = nxt  # the pool's result stands for the window_max's
            elif isinstance(hw, h.MVUOp):
                inst = self.mvu(hw, ins[0], roms)
            elif isinstance(hw, WindowOp):
                inst = self.swg(hw, ins[0])
            elif isinstance(hw, PadOp):
                hgt, wid, c = hw.input.type.get_shape()
                ew = element_bits(hw.output.type)  # 1: packed bits padded with bit 0 (-1)
                inst = rtl.PadInstanceOp.create(
                    operands=ins,
                    result_types=[rtl.StreamType(beat_width(hw.output.type))],
                    properties={
                        "channels": IntegerAttr(c, i64),
                        "element_width": IntegerAttr(ew, i64),
                        "height": IntegerAttr(hgt, i64),
                        "width": IntegerAttr(wid, i64),
                        "pads": hw.pads,
                        "widen": IntegerAttr(int(hw.widens), i64),
                    }
                    | ({"ones": IntegerAttr(1, i64)} if hw.fill_value == 1 else {}),
                )
            elif isinstance(hw, h.CollectOp):
                hgt, wid, _ = hw.input.type.get_shape()
                inst = rtl.CollectInstanceOp.create(
                    operands=ins,
                    result_types=[rtl.StreamType(ins[0].type.width.data * hgt * wid)],
                    properties={"count": IntegerAttr(hgt * wid, i64)},
                )
            elif isinstance(hw, h.FifoOp):
                inst = rtl.FifoInstanceOp.create(
                    operands=ins, result_types=[ins[0].type], properties={"depth": hw.depth}
                )
            elif isinstance(hw, DupOp):
                inst = rtl.DupInstanceOp.create(operands=ins, result_types=[ins[0].type, ins[0].type])
            elif isinstance(hw, AddUnitOp):
                inst = self.add(hw, ins)
            elif isinstance(hw, SumUnitOp):
                inst = self.gap(hw, ins[0])
            else:
                raise DiagnosticException(f"rtl: {hw.name} cannot start a pool; it must follow a window")
            body.add_op(inst)
            for r, new in zip(hw.results, inst.results):
                streams[r] = new
        body.add_op(rtl.OutputOp.create(operands=[streams[sink.results[0]]]))
        module = rtl.ModuleOp.create(properties={"sym_name": StringAttr(self.top)}, regions=[Region(body)])
        rw = Rewriter()
        invoke = rtl.InvokeOp.create(
            operands=[source], result_types=[sink.results[0].type], properties={"callee": SymbolRefAttr(self.top)}
        )
        rw.insert_op(invoke, InsertPoint.after(sink))
        sink.results[0].replace_all_uses_with(invoke.output)
        for hw in reversed(units):
            for r in hw.results:
                for use in list(r.uses):  # only other units, erased before their producers
                    assert use.operation in units
            rw.erase_op(hw)
        top_block = op.body.block
        first = top_block.first_op
        for new in [*roms, module]:
            if first is None:
                top_block.add_op(new)
            else:
                top_block.insert_op_before(new, first)
        require_gone(op, HW_OPS, self.name)
        if self.narrow:
            NarrowStreamsPass().apply(ctx, op)

    def add(self, hw: AddUnitOp, ins: list[SSAValue]) -> rtl.AddInstanceOp:
        a, b = hw.lhs.type, hw.rhs.type
        lo, hi = hw.value_range()
        if hw.thresholds is not None:
            th = numpy_from_dense(hw.thresholds)
            lo, hi = min(lo, int(th.min())), max(hi, int(th.max()))
        # Sums and thresholds are SW-bit two's complement in the unit: a signed width for both.
        width = max((-lo - 1).bit_length(), hi.bit_length()) + 1
        props = {
            "channels": IntegerAttr(a.get_shape()[-1], i64),
            "lhs_width": IntegerAttr(element_bits(a), i64),
            "lhs_signed": IntegerAttr(signed_elements(a), i64),
            "rhs_width": IntegerAttr(element_bits(b), i64),
            "rhs_signed": IntegerAttr(signed_elements(b), i64),
            "sum_width": IntegerAttr(width, i64),
            "pixels": IntegerAttr(hw.pixels, i64),
        }
        if hw.thresholds is not None:
            props["thresholds"] = hw.thresholds
            props["output_bits"] = IntegerAttr(element_bits(hw.output.type), i64)
            if hw.offset is not None:
                props["offset"] = hw.offset
        return rtl.AddInstanceOp.create(
            operands=ins, result_types=[rtl.StreamType(beat_width(hw.output.type))], properties=props
        )

    def gap(self, hw: SumUnitOp, value: SSAValue) -> rtl.GapInstanceOp:
        lo, hi = hw.value_range()
        if hw.thresholds is not None:
            th = numpy_from_dense(hw.thresholds)
            lo, hi = min(lo, int(th.min())), max(hi, int(th.max()))
        # Sums and thresholds are SW-bit two's complement in the unit.
        width = max((-lo - 1).bit_length(), hi.bit_length()) + 1
        props = {
            "channels": IntegerAttr(hw.channels, i64),
            "element_width": IntegerAttr(element_bits(hw.input.type), i64),
            "element_signed": IntegerAttr(signed_elements(hw.input.type), i64),
            "pixels": IntegerAttr(hw.pixels, i64),
            "sum_width": IntegerAttr(width, i64),
        }
        if hw.thresholds is not None:
            props["thresholds"] = hw.thresholds
            props["output_bits"] = IntegerAttr(element_bits(hw.output.type), i64)
            if hw.offset is not None:
                props["offset"] = hw.offset
        # Raw sums leave as SW-bit fields (the host reads them by the field width).
        out_bits = beat_width(hw.output.type) if hw.thresholds is not None else hw.channels * width
        return rtl.GapInstanceOp.create(operands=[value], result_types=[rtl.StreamType(out_bits)], properties=props)

    def mvu(self, hw: h.MVUOp, value: SSAValue, roms: list[rtl.RomOp]) -> rtl.MVUInstanceOp:
        rom = rtl.RomOp.create(
            properties={"sym_name": StringAttr(f"{self.top}_l{len(roms)}_weights"), "contents": hw.memory}
        )
        roms.append(rom)
        props = {
            "rom": SymbolRefAttr(rom.sym_name.data),
            "fold": hw.fold,
            "channels": IntegerAttr(hw.channels, i64),
            "popcount_width": IntegerAttr(hw.popcount_width, i64),
            "pipe": hw.pipe if hw.pipe is not None else IntegerAttr(1, i64),
        }
        if hw.pixels > 1:
            props["vectors"] = IntegerAttr(hw.pixels, i64)
        if hw.integer_input:
            props["element_width"] = IntegerAttr(element_bits(hw.input.type), i64)
            if not signed_elements(hw.input.type):
                props["element_signed"] = IntegerAttr(0, i64)
        if hw.wb > 1:
            props["weight_bits"] = IntegerAttr(hw.wb, i64)
        if hw.is_serial:
            props["serial"] = IntegerAttr(1, i64)
        if hw.thresholds is not None:
            props["thresholds"] = hw.thresholds
            if hw.border is not None:
                props["border"] = hw.border
            if hw.output_bits > 1:
                props["output_bits"] = IntegerAttr(hw.output_bits, i64)
            if hw.offset is not None:
                props["offset"] = hw.offset
        return rtl.MVUInstanceOp.create(
            operands=[value], result_types=[rtl.StreamType(hw.channels * hw.output_bits)], properties=props
        )

    def swg(self, hw: WindowOp, value: SSAValue) -> rtl.SWGInstanceOp:
        hgt, wid, c = hw.input.type.get_shape()
        return rtl.SWGInstanceOp.create(
            operands=[value],
            result_types=[rtl.StreamType(beat_width(hw.output.type))],
            properties={
                "channels": IntegerAttr(c, i64),
                "element_width": IntegerAttr(element_bits(hw.input.type), i64),
                "height": IntegerAttr(hgt, i64),
                "width": IntegerAttr(wid, i64),
                "kernel": hw.kernel,
                "strides": hw.strides,
            },
        )

    def pool(self, hw: WindowOp, value: SSAValue) -> rtl.PoolInstanceOp:
        (kh, kw), (sh, sw) = hw.kernel.get_values(), hw.strides.get_values()
        if kh != kw or sh != sw:
            raise DiagnosticException(f"rtl: the pool unit takes square kernels and strides, got {kh}x{kw} / {sh}x{sw}")
        hgt, wid, _ = hw.input.type.get_shape()
        props = {
            "height": IntegerAttr(hgt, i64),
            "width": IntegerAttr(wid, i64),
            "kernel": IntegerAttr(kh, i64),
            "stride": IntegerAttr(sh, i64),
        }
        if not isinstance(hw.input.type, PackedType):
            props |= {
                "element_width": IntegerAttr(element_bits(hw.input.type), i64),
                "element_signed": IntegerAttr(signed_elements(hw.input.type), i64),
            }
        return rtl.PoolInstanceOp.create(operands=[value], result_types=[value.type], properties=props)
