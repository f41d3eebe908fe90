"""The rtl dialect: the accelerator as hardware structure, from which the Verilog emitter only
prints. Streams are AXI4-Stream channels (tdata of the given width, tvalid, tready); a module
has one input and one output stream; instances are the library's matrix-vector units and
FIFOs; ROMs hold each unit's weight memory contents.

Every instance op implements the op interfaces of `interfaces.py` (as CIRCT's
`HWOpInterfaces`): it states its library files, Verilog module, parameters and ports, its
latency and the hardware it builds (resource cells, `cells.py`), and a unit also its cycles per
frame. The analyses, the reports, the emitter and the synthesis runner read these facts from
the ops.

```mlir
rtl.rom @l0_weights {contents = #lowbit.bits<4x8, "0x...">}
rtl.module @accel {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @l0_weights, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<...> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
  rtl.output %a : !rtl.stream<4>
}
func.func @main(...) { ... %y = rtl.invoke @accel(%x) : (!lowbit.packed<8x!lowbit.bipolar>) -> !lowbit.packed<4x!lowbit.bipolar> ... }
```
"""  # noqa: E501 (IR examples parse as written)

from xdsl.ir import Dialect

from lowbitc.dialects.rtl.base import FifoInstanceOp, InvokeOp, ModuleOp, OutputOp, RomOp, StreamType, find_top
from lowbitc.dialects.rtl.gap import GapInstanceOp
from lowbitc.dialects.rtl.gearbox import GearboxInstanceOp
from lowbitc.dialects.rtl.interfaces import HardwareInstance, StreamUnit, unit_owner
from lowbitc.dialects.rtl.mvu import MVUInstanceOp
from lowbitc.dialects.rtl.pool import PoolInstanceOp
from lowbitc.dialects.rtl.residual import AddInstanceOp, DupInstanceOp
from lowbitc.dialects.rtl.units import CollectInstanceOp, PadInstanceOp, SWGInstanceOp, SWGRamInstanceOp

RTL = Dialect(
    "rtl",
    [
        RomOp,
        ModuleOp,
        OutputOp,
        MVUInstanceOp,
        SWGInstanceOp,
        SWGRamInstanceOp,
        GearboxInstanceOp,
        PadInstanceOp,
        PoolInstanceOp,
        CollectInstanceOp,
        FifoInstanceOp,
        DupInstanceOp,
        AddInstanceOp,
        GapInstanceOp,
        InvokeOp,
    ],
    [StreamType],
)

__all__ = [
    "RTL",
    "AddInstanceOp",
    "CollectInstanceOp",
    "DupInstanceOp",
    "FifoInstanceOp",
    "GapInstanceOp",
    "GearboxInstanceOp",
    "HardwareInstance",
    "InvokeOp",
    "MVUInstanceOp",
    "ModuleOp",
    "OutputOp",
    "PadInstanceOp",
    "PoolInstanceOp",
    "RomOp",
    "SWGInstanceOp",
    "SWGRamInstanceOp",
    "StreamType",
    "StreamUnit",
    "find_top",
    "unit_owner",
]
