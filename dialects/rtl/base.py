"""The rtl dialect's structure: streams, the module and its output, ROMs, FIFOs and the host's
invoke of the accelerator (the ops every design has, whatever its units)."""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects import builtin
from xdsl.dialects.builtin import (
    IntAttr,
    IntegerAttr,
    SymbolNameConstraint,
    SymbolRefAttr,
)
from xdsl.ir import ParametrizedAttribute, TypeAttribute
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    ParsePropInAttrDict,
    VarConstraint,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import HasParent, IsolatedFromAbove, IsTerminator, SymbolOpInterface
from xdsl.utils.exceptions import VerifyException

from lowbitc.dialects.lowbit.attributes import BitMatrixAttr
from lowbitc.dialects.rtl.cells import Cell, Fifo
from lowbitc.dialects.rtl.interfaces import FIFO_LATENCY, HardwareInstance, VerilogValue


@irdl_attr_definition
class StreamType(ParametrizedAttribute, TypeAttribute):
    """An AXI4-Stream channel carrying ``width`` data bits per beat: ``!rtl.stream<64>``."""

    name = "rtl.stream"
    width: IntAttr

    def __init__(self, width: int):
        super().__init__(IntAttr(width))

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        with parser.in_angle_brackets():
            return (IntAttr(parser.parse_integer(allow_boolean=False, allow_negative=False)),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.width.data}>")

    def verify(self) -> None:
        if self.width.data < 1:
            raise VerifyException(f"stream width {self.width.data} must be positive")


@irdl_op_definition
class RomOp(IRDLOperation):
    """A read-only memory, one word per row of ``contents``, one cycle read latency: the weight
    memory of a matrix-vector unit (emitted as its own Verilog module).

    ```mlir
    rtl.rom @accel_l0_weights {contents = #lowbit.bits<4x8, "0x42318675">}
    ```
    """

    name = "rtl.rom"
    sym_name = prop_def(SymbolNameConstraint())
    contents = prop_def(BitMatrixAttr)
    traits = traits_def(SymbolOpInterface())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$sym_name attr-dict"


@irdl_op_definition
class ModuleOp(IRDLOperation):
    """A hardware module with one input and one output stream: its block argument is the input,
    `rtl.output` names the output; the body holds instances wired by streams.

    ```mlir
    rtl.module @accel {
    ^bb0(%in: !rtl.stream<8>):
      %f = rtl.fifo %in {depth = 2 : i64} : !rtl.stream<8>
      rtl.output %f : !rtl.stream<8>
    }
    ```
    """

    name = "rtl.module"
    sym_name = prop_def(SymbolNameConstraint())
    body = region_def("single_block")
    traits = traits_def(SymbolOpInterface(), IsolatedFromAbove())
    assembly_format = "$sym_name attr-dict-with-keyword $body"

    def verify_(self) -> None:
        block = self.body.block
        if len(block.args) != 1 or not isinstance(block.args[0].type, StreamType):
            raise VerifyException(f"rtl.module @{self.sym_name.data} must take exactly one stream")
        if not isinstance(block.last_op, OutputOp):
            raise VerifyException(f"rtl.module @{self.sym_name.data} must end with rtl.output")

    @property
    def input_width(self) -> int:
        return self.body.block.args[0].type.width.data

    @property
    def output_width(self) -> int:
        out = self.body.block.last_op
        assert isinstance(out, OutputOp)
        return out.input.type.width.data


@irdl_op_definition
class OutputOp(IRDLOperation):
    """The module's output stream (its terminator).

    ```mlir
    rtl.output %f : !rtl.stream<8>
    ```
    """

    name = "rtl.output"
    input = operand_def(StreamType)
    traits = traits_def(IsTerminator(), HasParent(ModuleOp))
    assembly_format = "$input attr-dict `:` type($input)"


@irdl_op_definition
class FifoInstanceOp(IRDLOperation, HardwareInstance):
    """An instance of the library's `lowbit_fifo`: ``depth`` beats of buffering between two
    units.

    ```mlir
    %f = rtl.fifo %x {depth = 2 : i64} : !rtl.stream<64>
    ```
    """

    name = "rtl.fifo"
    T: ClassVar = VarConstraint("T", AnyAttr())
    input = operand_def(T)
    output = result_def(T)
    depth = prop_def(IntegerAttr)
    traits = traits_def(HasParent(ModuleOp))
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($output)"
    LIBRARY_FILES: ClassVar = ("lowbit_fifo.v",)
    VERILOG_MODULE: ClassVar = "lowbit_fifo"

    def summary(self) -> str:
        return f"depth {self.depth.value.data}"

    def latency(self) -> int:
        return FIFO_LATENCY

    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        return (("W", self.input.type.width.data), ("DEPTH", self.depth.value.data))

    def resource_cells(self) -> tuple[Cell, ...]:
        return (Fifo(self.output.type.width.data, self.depth.value.data, stream=True),)

    def verify_(self) -> None:
        if not isinstance(self.input.type, StreamType):
            raise VerifyException("rtl.fifo carries a stream")
        if self.depth.value.data < 1:
            raise VerifyException(f"fifo depth {self.depth.value.data} must be at least 1")


@irdl_op_definition
class InvokeOp(IRDLOperation):
    """Run the frames of a host tensor through the accelerator module ``callee``: each frame's
    packed bits or k-bit codes become its input beats, the output beats the result frame.

    ```mlir
    %y = rtl.invoke @accel(%x) : (tensor<784xsi2>) -> tensor<10xsi9>
    ```
    """

    name = "rtl.invoke"
    callee = prop_def(SymbolRefAttr)
    input = operand_def()
    output = result_def()
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$callee `(` $input `)` attr-dict `:` `(` type($input) `)` `->` type($output)"


def find_top(module: builtin.ModuleOp) -> ModuleOp:
    """The one `rtl.module` of an rtl-stage IR module (the accelerator)."""
    tops = [op for op in module.ops if isinstance(op, ModuleOp)]
    if len(tops) != 1:
        raise ValueError(f"expected one rtl.module, found {len(tops)}; run the pipeline up to the rtl stage")
    return tops[0]
