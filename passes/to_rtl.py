"""rtl: lower the hardware part of the function to an `rtl.module` with instances and ROMs.

The accelerator is the chain of matrix-vector units and FIFOs that starts at a `lowbit.pack`
of host data; the function keeps the host prologue and epilogue and calls the module through
`rtl.invoke`. Afterwards no `lowbit.mvu` or `lowbit.fifo` may remain.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, StringAttr, SymbolRefAttr, i64
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects import rtl
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.ops_pixels import WindowOp
from lowbitc.dialects.lowbit.types import PackedType
from lowbitc.passes.bitserial import require_gone

HW_OPS = (h.MVUOp, h.FifoOp)


def stream_width(t) -> int:
    """Bits per beat of the accelerator's input: one packed frame."""
    if isinstance(t, PackedType):
        return t.get_shape()[0]
    raise DiagnosticException(f"rtl: the accelerator input must be packed bits, got {t}")


def hardware_chain(start: h.MVUOp) -> list[Operation]:
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
        for o in op.walk():
            if isinstance(o, (WindowOp, h.CollectOp)):
                raise DiagnosticException(
                    f"rtl: {o.name}: convolutional units (sliding windows, pools) have no RTL lowering yet; "
                    "interpret them with lowbitc run --stage pipeline")
        starts = [o for o in op.walk() if isinstance(o, h.MVUOp) and not isinstance(o.input.owner, HW_OPS)]
        if len(starts) > 1:
            raise DiagnosticException(f"rtl: found {len(starts)} separate hardware chains; lowbitc builds one streaming pipeline")
        if not starts:
            require_gone(op, HW_OPS, self.name)
            return
        chain = hardware_chain(starts[0])
        body = Block(arg_types=[rtl.StreamType(stream_width(chain[0].operands[0].type))])
        value: SSAValue = body.args[0]
        roms: list[rtl.RomOp] = []
        for i, hw in enumerate(chain):
            if isinstance(hw, h.MVUOp):
                rom = rtl.RomOp.create(properties={"sym_name": StringAttr(f"{self.top}_l{len(roms)}_weights"), "contents": hw.memory})
                roms.append(rom)
                props = {
                    "rom": SymbolRefAttr(rom.sym_name.data), "fold": hw.fold,
                    "channels": IntegerAttr(hw.channels, i64),
                    "popcount_width": IntegerAttr(hw.popcount_width, i64),
                    "pipe": hw.pipe if hw.pipe is not None else IntegerAttr(1, i64),
                }
                if hw.thresholds is not None:
                    props["thresholds"] = hw.thresholds
                out_bits = hw.channels if hw.thresholds is not None else hw.channels * hw.popcount_width
                inst = rtl.MVUInstanceOp.create(operands=[value], result_types=[rtl.StreamType(out_bits)], properties=props)
            else:
                assert isinstance(hw, h.FifoOp)
                inst = rtl.FifoInstanceOp.create(operands=[value], result_types=[value.type], properties={"depth": hw.depth})
            body.add_op(inst)
            value = inst.results[0]
        body.add_op(rtl.OutputOp.create(operands=[value]))
        module = rtl.ModuleOp.create(properties={"sym_name": StringAttr(self.top)}, regions=[Region(body)])
        rw = Rewriter()
        last = chain[-1]
        invoke = rtl.InvokeOp.create(operands=[chain[0].operands[0]], result_types=[last.results[0].type],
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
