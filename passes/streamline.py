"""streamline: fold the float arithmetic between an integer matrix product and the next
activation quantizer (scales, BatchNorm, bias, sign) into integer thresholds, exactly.

Exactness by construction: for every channel the pass evaluates the model's own float32 chain
(the ops' reference semantics, the same code the interpreter runs) on every integer the
accumulator can hold, and reads the thresholds off where the quantized output steps. Channels
whose output falls as the accumulator rises (negative BatchNorm gamma) get their weight row
negated; constant channels (zero gamma) get thresholds that always or never fire.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, IntegerType, ModuleOp, Signedness, TensorType, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint
from xdsl.transforms.dead_code_elimination import dce
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit.ops_graph import product_range
from lowbitc.dialects.lowbit.ops_conv import ConvOp
from lowbitc.dialects.lowbit.ops_residual import AddOp
from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, IntMatrixAttr, dense_from_numpy, numpy_from_dense, weight_values
from lowbitc.dialects.lowbit.semantics import eval_host_op
from lowbitc.dialects.lowbit.types import BipolarType, bits_for_range, int_range, int_type

FLOAT_CHAIN = (g.DequantizeOp, g.ElementwiseOp, g.BatchNormOp, g.ReshapeOp)
MAX_RANGE = 1 << 22
"""Accumulator values evaluated per channel at most; beyond, the layer is too wide to fold."""


PRODUCTS = (g.MatMulOp, ConvOp, AddOp)
"""Integer ops with a value range whose float chain folds into thresholds: products with a
weight matrix (one row per output channel, which a falling channel negates) and residual adds."""


def float_chain(q: g.QuantizeOp) -> tuple[g.MatMulOp | ConvOp, list[Operation]] | None:
    """The product and the float ops between it and ``q``, if ``q`` quantizes such a chain."""
    chain: list[Operation] = []
    value: SSAValue = q.input
    while isinstance(value.owner, FLOAT_CHAIN):
        chain.append(value.owner)
        value = value.owner.operands[0]
    if not chain or not isinstance(value.owner, PRODUCTS):
        return None
    return value.owner, chain[::-1]


def code_range(q: g.QuantizeOp) -> tuple[int, int]:
    """The lowest and highest code the quantizer produces (bipolar: 0 for -1, 1 for +1)."""
    elt = q.output.type.element_type
    if isinstance(elt, BipolarType):
        return 0, 1
    assert isinstance(elt, IntegerType)
    if q.thresholds is not None:
        return 0, numpy_from_dense(q.thresholds).shape[1]
    lo, hi = int_range(elt)
    if q.narrow is not None and q.narrow.value.data:
        if elt.signedness.data == Signedness.SIGNED:
            lo += 1
        else:
            hi -= 1
    return lo, hi


def negated(weights: BitMatrixAttr | IntMatrixAttr, rows: np.ndarray) -> BitMatrixAttr | IntMatrixAttr:
    """The weights with the given rows negated; a signed type grows by one bit if a row holds
    its most negative value (-(-2) = 2 does not fit si2)."""
    if isinstance(weights, BitMatrixAttr):
        bits = weights.to_numpy().copy()
        bits[rows] ^= 1
        return BitMatrixAttr.from_numpy(bits)
    values = weight_values(weights).astype(np.int64)
    values[rows] = -values[rows]
    width, signed = bits_for_range(int(values.min()), int(values.max()))
    elt = weights.element_type
    width = max(width, elt.width.data) if signed == (elt.signedness.data == Signedness.SIGNED) else width
    if width > 8:
        raise DiagnosticException(f"streamline: negated weights need {width} bits")
    return IntMatrixAttr.from_numpy(values, int_type(width, signed))


def thresholds_from_steps(counts: np.ndarray, lo: int, t: int) -> tuple[np.ndarray, np.ndarray]:
    """counts: [R, C] quantizer level for accumulator lo + r. Returns ([C, T] thresholds,
    [C] bool negate). Raises ValueError for a channel that is not monotone."""
    r, c = counts.shape
    d = np.diff(counts, axis=0)
    rising = np.all(d >= 0, axis=0)
    falling = np.all(d <= 0, axis=0) & ~rising
    if not np.all(rising | falling):
        bad = int(np.nonzero(~(rising | falling))[0][0])
        raise ValueError(f"channel {bad} is not monotone in the accumulator")
    # For a falling channel, a' = -a is rising: its counts over ascending a' are reversed.
    seq = np.where(falling[None, :], counts[::-1], counts)
    base = np.where(falling, -(lo + r - 1), lo)
    levels_ = np.arange(1, t + 1)
    # threshold_i = first index where count >= i (r if never) shifted to the value domain.
    first = (seq[:, :, None] >= levels_[None, None, :]).argmax(axis=0)
    never = ~(seq[:, :, None] >= levels_[None, None, :]).any(axis=0)
    first = np.where(never, r, first)
    return (base[:, None] + first).astype(np.int64), falling


class FoldQuantizeChain(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, q: g.QuantizeOp, rewriter: PatternRewriter) -> None:
        found = float_chain(q)
        if found is None:
            return
        mm, chain = found
        elt = q.output.type.element_type
        lo, hi = mm.value_range()
        if hi - lo + 1 > MAX_RANGE:
            raise DiagnosticException(f"streamline: accumulator range [{lo}, {hi}] is too wide to fold")
        acc = np.arange(lo, hi + 1, dtype=np.int64)[:, None].repeat(mm.output.type.get_shape()[0], 1)
        y: np.ndarray = acc
        for op in chain:
            if isinstance(op, g.ReshapeOp):
                y = y.reshape((y.shape[0],) + op.output.type.get_shape())
            else:
                y = eval_host_op(op, y)
        code = eval_host_op(q, y).astype(np.int64).reshape(acc.shape)
        code_lo, code_hi = code_range(q)
        counts = (code > 0).astype(np.int64) if isinstance(elt, BipolarType) else code - code_lo
        try:
            th, negate = thresholds_from_steps(counts, lo, code_hi - code_lo)
        except ValueError as exc:
            raise DiagnosticException(f"streamline: cannot fold into thresholds: {exc}") from None
        source = mm.output
        if negate.any() and isinstance(mm, AddOp):
            bad = int(np.nonzero(negate)[0][0])
            raise DiagnosticException(f"streamline: the activation after a residual add falls as the sum rises (channel {bad}); only rising requantizers fold")
        if negate.any():
            weights = negated(mm.weights, negate)
            width, signed = bits_for_range(*product_range(mm.input.type.element_type, weights))
            shape = mm.output.type.get_shape()
            flipped = type(mm).create(operands=[mm.input], result_types=[TensorType(int_type(width, signed), shape)],
                                      properties=dict(mm.properties) | {"weights": weights})
            rewriter.insert(flipped, InsertPoint.before(q))
            source = flipped.output
        out_type = TensorType(q.output.type.element_type, mm.output.type.get_shape())
        th_op = g.ThresholdOp.create(
            operands=[source], result_types=[out_type],
            properties={"thresholds": dense_from_numpy(th)}
            | ({"offset": IntegerAttr(code_lo, i64)} if code_lo and not isinstance(elt, BipolarType) else {}))
        new_ops: list[Operation] = [th_op]
        if q.output.type.get_shape() != mm.output.type.get_shape():
            # The chain reshaped the channels (FINN's Unsqueeze/Squeeze around BatchNorm).
            new_ops.append(g.ReshapeOp.create(operands=[th_op.output], result_types=[q.output.type]))
        rewriter.replace(q, new_ops)


@dataclass(frozen=True)
class StreamlinePass(ModulePass):
    """Fold scales, BatchNorm and sign into integer thresholds (see the module docstring)."""

    name = "streamline"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([FoldQuantizeChain()], dce_enabled=True),
            apply_recursively=False,
        ).rewrite_module(op)
        # The float chains are dead now; the walker's DCE only sees ops after the rewrite.
        dce(op)
