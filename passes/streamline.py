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
from xdsl.dialects.builtin import IntegerType, ModuleOp, Signedness, TensorType
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
from lowbitc.dialects.lowbit.ops_conv import ConvOp
from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, dense_from_numpy
from lowbitc.dialects.lowbit.semantics import eval_host_op
from lowbitc.dialects.lowbit.types import BipolarType

FLOAT_CHAIN = (g.DequantizeOp, g.ElementwiseOp, g.BatchNormOp, g.ReshapeOp)
MAX_RANGE = 1 << 22
"""Accumulator values evaluated per channel at most; beyond, the layer is too wide to fold."""


PRODUCTS = (g.MatMulOp, ConvOp)
"""Integer products with a binary weight matrix (one row per output channel) and a value range."""


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


def levels(q: g.QuantizeOp) -> int:
    """How many thresholds the quantizer's output needs."""
    elt = q.output.type.element_type
    if isinstance(elt, BipolarType):
        return 1
    assert isinstance(elt, IntegerType)
    return (1 << elt.width.data) - 1


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
        if isinstance(elt, IntegerType) and elt.signedness.data != Signedness.UNSIGNED:
            raise DiagnosticException(
                f"streamline: signed {elt} activations cannot be folded yet (multi-bit support comes later)"
            )
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
        counts = (code > 0).astype(np.int64) if isinstance(elt, BipolarType) else code
        try:
            th, negate = thresholds_from_steps(counts, lo, levels(q))
        except ValueError as exc:
            raise DiagnosticException(f"streamline: cannot fold into thresholds: {exc}") from None
        source = mm.output
        if negate.any():
            bits = mm.weights.to_numpy().copy()
            bits[negate] ^= 1
            flipped = mm.clone()
            flipped.weights = BitMatrixAttr.from_numpy(bits)
            rewriter.insert(flipped, InsertPoint.before(q))
            source = flipped.output
        out_type = TensorType(q.output.type.element_type, mm.output.type.get_shape())
        th_op = g.ThresholdOp.create(
            operands=[source], result_types=[out_type],
            properties={"thresholds": dense_from_numpy(th)})
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
