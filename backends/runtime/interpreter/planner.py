"""From IR to an interpreter plan: each op of the entry function becomes one step (plan.py), a
numpy function of its inputs with the op's constants read, decoded and bound here once.

This is the only part of the interpreter that reads IR. To interpret a new op, add a function
`op -> step callable` to PREPARE (the callable lives in steps.py or spatial.py and imports no
xDSL). Ops with no entry here run through xDSL's interpreter, with the implementations passed
as ``extra`` (the co-simulation's `rtl.invoke`); such a plan does not pickle.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, Signedness, TensorType
from xdsl.interpreter import Interpreter, InterpreterFunctions
from xdsl.ir import Operation, SSAValue

from lowbitc.backends.runtime.interpreter import spatial, steps
from lowbitc.backends.runtime.interpreter.plan import Plan, Step, execute
from lowbitc.backends.runtime.interpreter.steps import OutKind
from lowbitc.backends.runtime.interpreter.values import pack_bipolar, pack_rows
from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, numpy_from_dense, weight_values
from lowbitc.dialects.lowbit.ops_conv import ConvOp, MaxPoolOp
from lowbitc.dialects.lowbit.ops_gap import GlobalSumOp, SumUnitOp
from lowbitc.dialects.lowbit.ops_pixels import PadOp, ToPixelsOp, WindowMaxOp, WindowOp
from lowbitc.dialects.lowbit.ops_planes import BitPlanesOp, PlanePopcountOp, plane_count, plane_weights
from lowbitc.dialects.lowbit.ops_residual import AddOp, AddUnitOp, DupOp
from lowbitc.dialects.lowbit.semantics import host_op_function
from lowbitc.dialects.lowbit.types import WORD_BITS, BipolarType, PackedType, element_range
from lowbitc.dialects.numerics import topk_indices

ENTRY = "main"
CHUNK_BYTES = 1 << 24
"""Frames run in chunks whose largest intermediate is about this size: the temporaries stay
below glibc's mmap threshold and get reused instead of being page-faulted in afresh for every
op, which dominated large batches (profiled: 2-3 s of system time for 512 CNV frames)."""

PASS_THROUGH = (h.FifoOp, DupOp)
"""Ops whose results are their input (a FIFO, a duplicator): no step, the values alias."""


def out_kind(t) -> OutKind:
    if isinstance(t, PackedType):
        return OutKind.PACKED
    if isinstance(t.element_type, BipolarType):
        return OutKind.BIPOLAR
    return OutKind.CODES


def weights_from_memory(memory: np.ndarray, channels: int, fan_in: int, pe: int, simd: int, wb: int = 1) -> np.ndarray:
    """Undo the MVU's memory layout (word nf*SF+sf, bits (p*SIMD+s)*WB +: WB hold
    W[nf*PE+p, sf*SIMD+s]) and crop the padding: 0/1 bits for WB = 1, else the two's-complement
    values. Reading weights back through the layout means a layout bug in `unroll` shows up in
    the interpreter and not only in simulation."""
    nf, sf = -(-channels // pe), -(-fan_in // simd)
    if wb > 1:
        bits = memory.reshape(nf * sf, pe * simd, wb).astype(np.int64)
        memory = (bits << np.arange(wb)).sum(axis=-1)
        memory = np.where(memory >= 1 << (wb - 1), memory - (1 << wb), memory)
    full = memory.reshape(nf, sf, pe, simd).transpose(0, 2, 1, 3).reshape(nf * pe, sf * simd)
    return full[:channels, :fan_in]


def _thresholds(attr) -> np.ndarray | None:
    return None if attr is None else numpy_from_dense(attr)


# -- one function per op: op -> step callable ------------------------------------------------
def _matmul(op: g.MatMulOp):
    if isinstance(op.input.type.element_type, BipolarType) and isinstance(op.weights, BitMatrixAttr):
        return partial(steps.xnor_dot, rows=pack_rows(op.weights.to_numpy()), k=op.fan_in)  # exact: dot = 2P - K
    return partial(steps.int_matmul_last, w=weight_values(op.weights))


def _threshold(op: g.ThresholdOp):
    if op.border is not None:
        return partial(
            steps.border_threshold_outputs,
            table=numpy_from_dense(op.thresholds),
            cases=op.border.case_map(),
            out=out_kind(op.output.type),
            offset=op.output_offset,
        )
    return partial(
        steps.threshold_outputs,
        thresholds=numpy_from_dense(op.thresholds),
        axis=op.channel_axis + 1,
        out=out_kind(op.output.type),
        offset=op.output_offset,
    )


def _mvu(op: h.MVUOp):
    w = weights_from_memory(op.memory.to_numpy(), op.channels, op.fan_in, op.fold.pe.data, op.fold.simd.data, op.wb)
    thresholds = _thresholds(op.thresholds)
    x_max = 0
    if op.integer_input:
        lo, hi = element_range(op.input.type.element_type)  # the bound of |x| without a scan
        x_max = max(abs(lo), abs(hi))
    binary = op.wb == 1
    return steps.MatrixVector(
        fan_in=op.fan_in,
        wb=op.wb,
        integer_input=op.integer_input,
        values=w.astype(np.int8) * 2 - 1 if binary else w,
        rows=pack_rows(w) if binary else None,
        thresholds=thresholds,
        out=out_kind(op.output.type),
        offset=op.output_offset if thresholds is not None else 0,
        x_max=x_max,
        lowest=None if thresholds is None or op.border is not None else thresholds.min(axis=1),
        cases=None if op.border is None else op.border.case_map(),
    )


def _collect(op: h.CollectOp):
    _, _, c = op.input.type.get_shape()
    whole = not isinstance(op.input.type, PackedType) or c % WORD_BITS == 0  # whole words per pixel
    return partial(steps.collect, channels=None if whole else c)


def _bit_planes(op: BitPlanesOp):
    packed = isinstance(op.input.type, PackedType)
    elt = op.input.type.element_type
    return partial(
        steps.planes_of, planes=1 if packed else plane_count(elt), bipolar=isinstance(elt, BipolarType), packed=packed
    )


def _plane_popcount(op: PlanePopcountOp):
    c_i, x0 = plane_weights(op.element)
    w = weight_values(op.weights).astype(np.int64)
    if isinstance(op.weights, BitMatrixAttr):
        return steps.PlanePopcount(op.fan_in, tuple(c_i), x0, w.sum(axis=1), op.weights.to_numpy(), ())
    bits = op.weights.bits
    d_j = [1 << j for j in range(bits)]
    if op.weights.element_type.signedness.data == Signedness.SIGNED:
        d_j[-1] = -d_j[-1]
    planes = tuple((d, (w >> j) & 1) for j, d in enumerate(d_j))
    return steps.PlanePopcount(op.fan_in, tuple(c_i), x0, w.sum(axis=1), None, planes)


def _requantized(step: type[steps.Requantized]):
    """The add and sum units: their total, then their thresholds (if any)."""

    def prepare(op):
        thresholds = _thresholds(op.thresholds)
        return step(thresholds, out_kind(op.output.type), op.output_offset if thresholds is not None else 0)

    return prepare


def _maxpool(op: MaxPoolOp):
    geometry = {"kernel": op.kernel.get_values(), "strides": op.strides.get_values()}
    if not any(op.padding):
        return partial(spatial.maxpool2d, **geometry)
    return partial(
        spatial.maxpool_padded, **geometry, pads=op.padding, lowest=element_range(op.input.type.element_type)[0] - 1
    )


def _pad(op: PadOp):
    if op.fill_value:  # a bipolar map stays bipolar, padded with -1 or +1
        return partial(
            spatial.pad_bipolar,
            pads=op.pads.get_values(),
            packed_channels=_packed_channels(op.input.type),
            fill=op.fill_value,
        )
    return partial(spatial.pad, pads=op.pads.get_values(), unpack_channels=_packed_channels(op.input.type))


def _packed_channels(t) -> int | None:
    return t.get_shape()[-1] if isinstance(t, PackedType) else None


def _window(op: WindowOp):
    c = _packed_channels(op.input.type)
    return partial(
        spatial.window,
        kernel=op.kernel.get_values(),
        strides=op.strides.get_values(),
        repack_channels=None if c is None or c % WORD_BITS == 0 else c,
    )


PREPARE: dict[type[Operation], Callable[[Any], Callable[..., Any]]] = {
    g.ReshapeOp: lambda op: partial(steps.reshape_frames, shape=op.output.type.get_shape()),
    g.ElementwiseOp: host_op_function,
    g.BatchNormOp: host_op_function,
    g.QuantizeOp: host_op_function,
    g.DequantizeOp: host_op_function,
    g.MatMulOp: _matmul,
    g.ThresholdOp: _threshold,
    g.TopKOp: lambda op: partial(topk_indices, k=op.k.value.data),
    h.PackOp: lambda op: pack_bipolar,
    h.XnorPopcountOp: lambda op: partial(
        steps.xnor_popcount_last, rows=pack_rows(op.weights.to_numpy()), k=op.weights.shape[1]
    ),
    h.XnorToDotOp: lambda op: partial(steps.scale_and_subtract, subtrahend=op.fan_in.value.data),
    h.AndToDotOp: lambda op: partial(steps.scale_and_subtract, subtrahend=numpy_from_dense(op.row_sums)),
    h.MVUOp: _mvu,
    h.CollectOp: _collect,
    BitPlanesOp: _bit_planes,
    PlanePopcountOp: _plane_popcount,
    AddOp: lambda op: steps.add_codes,
    AddUnitOp: _requantized(steps.AddThreshold),
    ConvOp: lambda op: partial(
        spatial.conv,
        weights=weight_values(op.weights),
        kernel=op.kernel.get_values(),
        strides=op.strides.get_values(),
        pads=op.pads.get_values(),
        groups=op.groups,
    ),
    MaxPoolOp: _maxpool,
    GlobalSumOp: lambda op: partial(spatial.channel_sums, axes=(2, 3)),
    SumUnitOp: _requantized(steps.SumThreshold),
    ToPixelsOp: lambda op: spatial.to_pixels,
    WindowOp: _window,
    PadOp: _pad,
    WindowMaxOp: lambda op: partial(
        spatial.window_max, size=op.size.value.data, packed_channels=_packed_channels(op.input.type)
    ),
}


# -- the plan ---------------------------------------------------------------------------------
def entry_function(module: ModuleOp) -> func.FuncOp:
    for op in module.ops:
        if isinstance(op, func.FuncOp) and op.sym_name.data == ENTRY:
            return op
    raise ValueError(f"module has no @{ENTRY} function")


def frames_per_chunk(fn: func.FuncOp) -> int:
    """Frames per chunk: CHUNK_BYTES over the largest per-frame value (8 bytes an element or
    packed word)."""
    largest = 1
    for op in fn.walk():
        for value in op.results:
            if isinstance(value.type, PackedType):
                shape = value.type.get_shape()
                largest = max(largest, int(np.prod(shape[:-1], dtype=np.int64)) * value.type.words)
            elif isinstance(value.type, TensorType):
                largest = max(largest, int(np.prod(value.type.get_shape(), dtype=np.int64)))
    return max(1, CHUNK_BYTES // (8 * largest))


class _XdslStep:
    """An op run by xDSL's interpreter with the ``extra`` implementations (not picklable)."""

    def __init__(self, interpreter: Interpreter, op: Operation):
        self.interpreter, self.op = interpreter, op

    def __call__(self, *args):
        out = self.interpreter.run_op(self.op, args)
        return out[0] if len(out) == 1 else tuple(out)


def prepare(module: ModuleOp, extra: tuple[InterpreterFunctions, ...] = ()) -> Plan:
    """The plan of ``@main``: one step per op, in order."""
    fn = entry_function(module)
    interpreter = None
    if extra:
        interpreter = Interpreter(module)
        for functions in extra:
            interpreter.register_implementations(functions)
    overridden = {op_type for functions in extra for op_type, _ in functions._impls()}  # noqa: SLF001 (xDSL's registry)
    block = fn.body.block
    number: dict[SSAValue, int] = {block.args[0]: 0}
    plan_steps: list[Step] = []
    result = None
    for op in block.ops:
        if isinstance(op, func.ReturnOp):
            result = number[op.operands[0]]
            break
        inputs = tuple(number[v] for v in op.operands)
        if isinstance(op, PASS_THROUGH) and type(op) not in overridden:
            for r in op.results:
                number[r] = inputs[0]
            continue
        outputs = tuple(range(len(number), len(number) + len(op.results)))
        number.update(zip(op.results, outputs))
        if type(op) in PREPARE and type(op) not in overridden:
            step = PREPARE[type(op)](op)
        elif type(op) in overridden:
            step = _XdslStep(interpreter, op)
        else:
            raise NotImplementedError(f"the interpreter cannot run {op.name}")
        plan_steps.append(Step(step, inputs, outputs, op.name))
    if result is None:
        raise ValueError(f"@{ENTRY} has no return")
    shape = tuple(fn.function_type.inputs.data[0].get_shape())
    return Plan(tuple(plan_steps), len(number), result, shape, frames_per_chunk(fn), picklable=not extra)


def run_module(module: ModuleOp, frames: np.ndarray, extra: tuple[InterpreterFunctions, ...] = ()) -> np.ndarray:
    """Run ``@main`` on ``frames`` ([N, *frame shape]) and return its single result.

    Frames are independent, so without ``extra`` implementations they run in chunks; ``extra``
    (the co-simulation's units) sees the whole batch in one call."""
    return execute(prepare(module, extra), frames)
