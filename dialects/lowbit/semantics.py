"""Reference semantics of the float (host-side) lowbit ops: ONNX float32 arithmetic, shared by the
interpreter and `streamline` (which evaluates these very functions over every reachable
accumulator value, so the folded integer thresholds agree with the un-folded float graph by
construction)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from lowbitc.dialects import numerics
from lowbitc.dialects.lowbit.attributes import RoundingMode


def host_op_function(op) -> Callable[[np.ndarray], np.ndarray]:
    """One float-domain op (dequantize, elementwise, batchnorm, quantize) as a picklable
    function of its [N, ...] input: a numerics function with the op's constants bound. The
    interpreter's plan keeps it; `eval_host_op` applies it."""
    from xdsl.dialects.builtin import Signedness

    from lowbitc.dialects.lowbit import ops_graph as g
    from lowbitc.dialects.lowbit.attributes import numpy_from_dense
    from lowbitc.dialects.lowbit.types import BipolarType, int_range

    if isinstance(op, g.DequantizeOp):
        return partial(numerics.dequantize, scale=numpy_from_dense(op.scale))
    if isinstance(op, g.ElementwiseOp):
        swapped = op.swapped is not None and op.swapped.value.data != 0
        return partial(
            numerics.elementwise, kind=str(op.kind.data.value), const=numpy_from_dense(op.constant), swapped=swapped
        )
    if isinstance(op, g.BatchNormOp):
        scale, bias, mean, var = (numpy_from_dense(a) for a in (op.scale, op.bias, op.mean, op.var))
        return partial(numerics.batchnorm, scale=scale, bias=bias, mean=mean, var=var, eps=op.epsilon.value.data)
    if isinstance(op, g.QuantizeOp):
        elt = op.output.type.element_type
        if isinstance(elt, BipolarType):
            return numerics.quantize_bipolar
        if op.thresholds is not None:
            return partial(numerics.quantize_thresholds, thresholds=numpy_from_dense(op.thresholds).astype(np.float32))
        lo, hi = int_range(elt)
        if op.narrow is not None and op.narrow.value.data:
            if elt.signedness.data == Signedness.SIGNED:
                lo += 1
            else:
                hi -= 1
        zp = numpy_from_dense(op.zero_point) if op.zero_point is not None else np.zeros(1, np.float32)
        mode = op.rounding.data if op.rounding is not None else RoundingMode.ROUND
        return partial(
            numerics.quantize_int, scale=numpy_from_dense(op.scale), zero_point=zp, lo=lo, hi=hi, mode=str(mode.value)
        )
    raise TypeError(f"{op.name} is not a float-domain op")


def eval_host_op(op, x: np.ndarray) -> np.ndarray:
    """Evaluate one float-domain op on [N, ...] values: the single definition used by the
    interpreter and by `streamline`."""
    return host_op_function(op)(x)
