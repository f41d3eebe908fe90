"""rtl: lower the hardware part of the function to an `rtl.module` with instances and ROMs.

The accelerator is the chain of stream units (matrix-vector units, sliding-window generators,
padding units, pools, collectors) and FIFOs that starts at host data: packed bits for dense networks, the
channels-last pixels of the quantized input for convolutional ones. The function keeps the host
prologue and epilogue and calls the module through `rtl.invoke`. A window followed by a
window_max is one pool unit. Afterwards no stream unit may remain in the function.
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
from lowbitc.dialects.lowbit.ops_pixels import PadOp, WindowMaxOp, WindowOp
from lowbitc.dialects.lowbit.types import PackedType
from lowbitc.passes.bitserial import require_gone

HW_OPS = (h.MVUOp, WindowOp, WindowMaxOp, h.CollectOp, PadOp, h.FifoOp)


def element_bits(t) -> int:
    """Bits of one element of a stream value: 1 for packed bits, N for an siN/uiN tensor."""
    if isinstance(t, PackedType):
        return 1
    if isinstance(t, TensorType) and isinstance(t.element_type, IntegerType):
        return t.element_type.width.data
    raise DiagnosticException(f"rtl: no stream encoding for {t}")


def beat_width(t) -> int:
    """Bits per beat: one vector (the last axis) per beat, the leading axes are beats."""
    return t.get_shape()[-1] * element_bits(t)


def hardware_chain(start: Operation) -> list[Operation]:
    chain: list[Operation] = [start]
    while True:
        uses = list(chain[-1].results[0].uses)
        if len(uses) != 1 or not isinstance(uses[0].operation, HW_OPS):
            return chain
        chain.append(uses[0].operation)


@dataclass(frozen=True)
class ToRTLPass(ModulePass):
    """Build `rtl.module @<top>` from the unit chain and call it with `rtl.invoke`."""

    name = "rtl"

    top: str = "accel"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        # A chain starts at a unit fed by host data (a FIFO alone starts nothing).
        starts = [o for o in op.walk() if isinstance(o, HW_OPS) and not isinstance(o, h.FifoOp)
                  and not isinstance(o.operands[0].owner, HW_OPS)]
        if len(starts) > 1:
            raise DiagnosticException(f"rtl: found {len(starts)} separate hardware chains; lowbitc builds one streaming pipeline")
        if not starts:
            require_gone(op, HW_OPS, self.name)
            return
        chain = hardware_chain(starts[0])
        source = chain[0].operands[0]
        elt = source.type.element_type
        if isinstance(elt, IntegerType) and elt.signedness.data != Signedness.SIGNED:
            raise DiagnosticException(f"rtl: the accelerator input is {elt}; the integer first layer takes signed inputs only so far")
        body = Block(arg_types=[rtl.StreamType(beat_width(source.type))])
        value: SSAValue = body.args[0]
        roms: list[rtl.RomOp] = []
        skip = False
        for i, hw in enumerate(chain):
            if skip:  # the window_max fused into the previous pool
                skip = False
                continue
            if isinstance(hw, h.MVUOp):
                inst = self.mvu(hw, value, roms)
            elif isinstance(hw, WindowOp):
                nxt = chain[i + 1] if i + 1 < len(chain) else None
                if isinstance(nxt, WindowMaxOp):
                    inst = self.pool(hw, value)
                    skip = True
                else:
                    inst = self.swg(hw, value)
            elif isinstance(hw, PadOp):
                hgt, wid, c = hw.input.type.get_shape()
                ew = hw.output.type.element_type.width.data
                inst = rtl.PadInstanceOp.create(
                    operands=[value], result_types=[rtl.StreamType(beat_width(hw.output.type))],
                    properties={"channels": IntegerAttr(c, i64), "element_width": IntegerAttr(ew, i64),
                                "height": IntegerAttr(hgt, i64), "width": IntegerAttr(wid, i64),
                                "pads": hw.pads, "widen": IntegerAttr(int(hw.widens), i64)})
            elif isinstance(hw, h.CollectOp):
                hgt, wid, _ = hw.input.type.get_shape()
                inst = rtl.CollectInstanceOp.create(operands=[value], result_types=[rtl.StreamType(value.type.width.data * hgt * wid)],
                                                    properties={"count": IntegerAttr(hgt * wid, i64)})
            elif isinstance(hw, h.FifoOp):
                inst = rtl.FifoInstanceOp.create(operands=[value], result_types=[value.type], properties={"depth": hw.depth})
            else:
                raise DiagnosticException(f"rtl: {hw.name} cannot start a pool; it must follow a window")
            body.add_op(inst)
            value = inst.results[0]
        body.add_op(rtl.OutputOp.create(operands=[value]))
        module = rtl.ModuleOp.create(properties={"sym_name": StringAttr(self.top)}, regions=[Region(body)])
        rw = Rewriter()
        last = chain[-1]
        invoke = rtl.InvokeOp.create(operands=[source], result_types=[last.results[0].type],
                                     properties={"callee": SymbolRefAttr(self.top)})
        rw.insert_op(invoke, InsertPoint.after(last))
        last.results[0].replace_all_uses_with(invoke.output)
        for hw in reversed(chain):
            rw.erase_op(hw)
        top_block = op.body.block
        first = top_block.first_op
        for new in [*roms, module]:
            if first is None:
                top_block.add_op(new)
            else:
                top_block.insert_op_before(new, first)
        require_gone(op, HW_OPS, self.name)

    def mvu(self, hw: h.MVUOp, value: SSAValue, roms: list[rtl.RomOp]) -> rtl.MVUInstanceOp:
        rom = rtl.RomOp.create(properties={"sym_name": StringAttr(f"{self.top}_l{len(roms)}_weights"), "contents": hw.memory})
        roms.append(rom)
        props = {
            "rom": SymbolRefAttr(rom.sym_name.data), "fold": hw.fold,
            "channels": IntegerAttr(hw.channels, i64),
            "popcount_width": IntegerAttr(hw.popcount_width, i64),
            "pipe": hw.pipe if hw.pipe is not None else IntegerAttr(1, i64),
        }
        if hw.pixels > 1:
            props["vectors"] = IntegerAttr(hw.pixels, i64)
        if hw.integer_input:
            props["element_width"] = IntegerAttr(element_bits(hw.input.type), i64)
        if hw.thresholds is not None:
            props["thresholds"] = hw.thresholds
        out_bits = hw.channels if hw.thresholds is not None else hw.channels * hw.popcount_width
        return rtl.MVUInstanceOp.create(operands=[value], result_types=[rtl.StreamType(out_bits)], properties=props)

    def swg(self, hw: WindowOp, value: SSAValue) -> rtl.SWGInstanceOp:
        hgt, wid, c = hw.input.type.get_shape()
        return rtl.SWGInstanceOp.create(
            operands=[value], result_types=[rtl.StreamType(beat_width(hw.output.type))],
            properties={"channels": IntegerAttr(c, i64), "element_width": IntegerAttr(element_bits(hw.input.type), i64),
                        "height": IntegerAttr(hgt, i64), "width": IntegerAttr(wid, i64),
                        "kernel": hw.kernel, "strides": hw.strides})

    def pool(self, hw: WindowOp, value: SSAValue) -> rtl.PoolInstanceOp:
        (kh, kw), (sh, sw) = hw.kernel.get_values(), hw.strides.get_values()
        if kh != kw or sh != sw or not isinstance(hw.input.type, PackedType):
            raise DiagnosticException(f"rtl: the pool unit takes square kernels and strides on bits, got {kh}x{kw} / {sh}x{sw}")
        hgt, wid, _ = hw.input.type.get_shape()
        return rtl.PoolInstanceOp.create(
            operands=[value], result_types=[value.type],
            properties={"height": IntegerAttr(hgt, i64), "width": IntegerAttr(wid, i64),
                        "kernel": IntegerAttr(kh, i64), "stride": IntegerAttr(sh, i64)})


