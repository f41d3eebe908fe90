"""The lowbit dialect: packed bit tensors, XNOR-popcount and multi-threshold ops."""

from xdsl.ir import Dialect

from lowbitc.dialects.lowbit.attributes import (
    BitMatrixAttr,
    ElementwiseKindAttr,
    FoldAttr,
    IntMatrixAttr,
    RoundingModeAttr,
)
from lowbitc.dialects.lowbit.border import BorderAttr
from lowbitc.dialects.lowbit.ops_conv import ConvOp, MaxPoolOp
from lowbitc.dialects.lowbit.ops_gap import GlobalSumOp, SumUnitOp
from lowbitc.dialects.lowbit.ops_graph import (
    BatchNormOp,
    DequantizeOp,
    ElementwiseOp,
    MatMulOp,
    QuantizeOp,
    ReshapeOp,
    ThresholdOp,
    TopKOp,
)
from lowbitc.dialects.lowbit.ops_hw import AndToDotOp, CollectOp, FifoOp, MVUOp, PackOp, XnorPopcountOp, XnorToDotOp
from lowbitc.dialects.lowbit.ops_pixels import PadOp, ToPixelsOp, WindowMaxOp, WindowOp
from lowbitc.dialects.lowbit.ops_planes import BitPlanesOp, PlanePopcountOp
from lowbitc.dialects.lowbit.ops_residual import AddOp, AddUnitOp, DupOp
from lowbitc.dialects.lowbit.types import BipolarType, PackedType

Lowbit = Dialect(
    "lowbit",
    [
        ReshapeOp,
        ElementwiseOp,
        BatchNormOp,
        QuantizeOp,
        MatMulOp,
        ConvOp,
        MaxPoolOp,
        AddOp,
        ToPixelsOp,
        WindowOp,
        WindowMaxOp,
        PadOp,
        DequantizeOp,
        ThresholdOp,
        TopKOp,
        PackOp,
        XnorPopcountOp,
        XnorToDotOp,
        AndToDotOp,
        BitPlanesOp,
        PlanePopcountOp,
        MVUOp,
        FifoOp,
        CollectOp,
        AddUnitOp,
        DupOp,
        GlobalSumOp,
        SumUnitOp,
    ],
    [
        BipolarType,
        PackedType,
        BitMatrixAttr,
        IntMatrixAttr,
        FoldAttr,
        BorderAttr,
        ElementwiseKindAttr,
        RoundingModeAttr,
    ],
)
