"""streamline: fold the float arithmetic between an integer matrix product and the next
activation quantizer (scales, BatchNorm, bias, sign) into integer thresholds, exactly.

Exactness by construction: the thresholds are read off where the model's own float32 chain
(the ops' reference semantics, the same code the interpreter runs) makes the quantized output
step, as if it were evaluated on every integer the accumulator can hold. Channels whose output
falls as the accumulator rises (negative BatchNorm gamma) get their weight row negated;
constant channels (zero gamma) get thresholds that always or never fire.

When every op of the chain is monotone in its input (scales, BatchNorm, add/sub/mul/max by a
constant, division by one) and the chain stays finite at both ends of the range, every
intermediate value lies between its values at the ends (float32 rounding is monotone), so the
output level is monotone in the accumulator and each threshold is found by bisection:
about log2(range) evaluations per channel and level instead of the whole range (AlexNet's
first dense layer: 55,297 x 4,096 values). Any other chain is evaluated exhaustively, in chunks.
Both give the same thresholds (tests/unit/test_streamline_thresholds.py).
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
from lowbitc.dialects.lowbit.attributes import (
    BitMatrixAttr,
    IntMatrixAttr,
    dense_from_numpy,
    numpy_from_dense,
    weight_values,
)
from lowbitc.dialects.lowbit.checks import product_range
from lowbitc.dialects.lowbit.ops_conv import ConvOp
from lowbitc.dialects.lowbit.ops_gap import GlobalSumOp
from lowbitc.dialects.lowbit.ops_residual import AddOp
from lowbitc.dialects.lowbit.semantics import eval_host_op
from lowbitc.dialects.lowbit.types import BipolarType, bits_for_range, int_range, int_type

FLOAT_CHAIN = (g.DequantizeOp, g.ElementwiseOp, g.BatchNormOp, g.ReshapeOp)
MAX_RANGE = 1 << 22
"""Accumulator values evaluated per channel at most; beyond, the layer is too wide to fold."""
CHUNK = 1 << 22
"""Chain values (accumulator values x channels) the exhaustive evaluation holds at once."""


PRODUCTS = (g.MatMulOp, ConvOp, AddOp, GlobalSumOp)
"""Integer ops with a value range whose float chain folds into thresholds: products with a
weight matrix (one row per output channel, which a falling channel negates), residual adds and
global sums (the average pool, whose division by H*W is part of the chain)."""


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


def chain_levels(
    chain: list[Operation], q: g.QuantizeOp, acc: np.ndarray, finite: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The quantizer's level (code - lowest code; bipolar: 1 for +1) for accumulator values
    ``acc`` [N, C] (column c is channel c), and per channel whether every float value of the
    chain was finite (only computed with ``finite``)."""
    ok = np.ones(acc.shape[1], bool)
    y: np.ndarray = acc
    for op in chain:
        if isinstance(op, g.ReshapeOp):
            y = y.reshape((y.shape[0],) + op.output.type.get_shape())
        else:
            y = eval_host_op(op, y)
            if finite:
                ok &= np.isfinite(y.reshape(acc.shape)).all(axis=0)
    code = eval_host_op(q, y).astype(np.int64).reshape(acc.shape)
    if isinstance(q.output.type.element_type, BipolarType):
        return (code > 0).astype(np.int64), ok
    return code - code_range(q)[0], ok


def monotone_ops(chain: list[Operation], q: g.QuantizeOp) -> bool:
    """Whether every op is monotone in its input wherever its values are finite (the
    quantizer too: a finite, non-zero scale). `fold_thresholds` checks finiteness."""
    for op in chain:
        if isinstance(op, g.ElementwiseOp):
            swapped = op.swapped is not None and op.swapped.value.data != 0
            if str(op.kind.data.value) == "div" and (swapped or not np.all(numpy_from_dense(op.constant) != 0)):
                return False
        elif not isinstance(op, (g.DequantizeOp, g.BatchNormOp, g.ReshapeOp)):
            return False
    if q.scale is not None and not isinstance(q.output.type.element_type, BipolarType) and q.thresholds is None:
        scale = numpy_from_dense(q.scale)
        zp = numpy_from_dense(q.zero_point) if q.zero_point is not None else np.zeros(1)
        return bool(np.all(np.isfinite(scale)) and np.all(scale != 0) and np.all(np.isfinite(zp)))
    return True


def fold_thresholds(
    chain: list[Operation], q: g.QuantizeOp, lo: int, hi: int, channels: int, t: int
) -> tuple[np.ndarray, np.ndarray]:
    """([C, T] thresholds, [C] negate) as `thresholds_from_steps` gives them on the levels of
    every accumulator value in [lo, hi], without evaluating all of them when the chain is
    provably monotone (see the module docstring). Raises ValueError for a channel that is
    not monotone."""
    ends = np.array([[lo], [hi]], np.int64).repeat(channels, 1)
    levels, finite = chain_levels(chain, q, ends, finite=True)
    if not (monotone_ops(chain, q) and finite.all()):
        return thresholds_exhaustive(chain, q, lo, hi, channels, t)
    falling = levels[0] > levels[1]
    want = np.arange(1, t + 1)[:, None]  # [T, 1]: level i in row i - 1
    # Rising: the least a in [lo, hi + 1] with level(a) >= i (hi + 1 if none). Falling: the
    # greatest a in [lo - 1, hi] with level(a) >= i (lo - 1 if none), negated.
    low = np.where(falling, lo - 1, lo)[None, :].repeat(t, 0)
    high = np.where(falling, hi, hi + 1)[None, :].repeat(t, 0)
    while (low < high).any():
        mid = np.where(falling, (low + high + 1) // 2, (low + high) // 2)
        reached = chain_levels(chain, q, np.clip(mid, lo, hi))[0] >= want
        active = low < high
        low = np.where(active & (falling == reached), np.where(falling, mid, mid + 1), low)
        high = np.where(active & (falling != reached), np.where(falling, mid - 1, mid), high)
    return np.ascontiguousarray(np.where(falling, -low, low).T, dtype=np.int64), falling


def thresholds_exhaustive(
    chain: list[Operation], q: g.QuantizeOp, lo: int, hi: int, channels: int, t: int
) -> tuple[np.ndarray, np.ndarray]:
    """`thresholds_from_steps` over every accumulator value, CHUNK chain values at a time: a
    monotone channel's threshold i is the first accumulator value (of -a, when falling) at
    level i, that is the start of its range plus the number of values below level i."""
    rows = max(1, CHUNK // max(channels, 1))
    rising, falling = np.ones(channels, bool), np.ones(channels, bool)
    below = np.zeros((channels, t), np.int64)
    last = None
    want = np.arange(1, t + 1)
    for start in range(lo, hi + 1, rows):
        acc = np.arange(start, min(start + rows, hi + 1), dtype=np.int64)[:, None].repeat(channels, 1)
        levels = chain_levels(chain, q, acc)[0]
        steps = np.diff(levels if last is None else np.concatenate([last, levels]), axis=0)
        rising &= (steps >= 0).all(axis=0)
        falling &= (steps <= 0).all(axis=0)
        below += (levels[:, :, None] < want).sum(axis=0)
        last = levels[-1:]
    falling &= ~rising
    if not np.all(rising | falling):
        bad = int(np.nonzero(~(rising | falling))[0][0])
        raise ValueError(f"channel {bad} is not monotone in the accumulator")
    return np.where(falling, -hi, lo)[:, None] + below, falling


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
        code_lo, code_hi = code_range(q)
        try:
            th, negate = fold_thresholds(chain, q, lo, hi, mm.output.type.get_shape()[0], code_hi - code_lo)
        except ValueError as exc:
            raise DiagnosticException(f"streamline: cannot fold into thresholds: {exc}") from None
        source = mm.output
        if negate.any() and isinstance(mm, (AddOp, GlobalSumOp)):
            bad = int(np.nonzero(negate)[0][0])
            what = "a residual add" if isinstance(mm, AddOp) else "a global pool"
            raise DiagnosticException(
                f"streamline: the activation after {what} falls as the sum rises (channel {bad}); only rising "
                "requantizers fold"
            )
        if negate.any():
            weights = negated(mm.weights, negate)
            width, signed = bits_for_range(*product_range(mm.input.type.element_type, weights))
            shape = mm.output.type.get_shape()
            flipped = type(mm).create(
                operands=[mm.input],
                result_types=[TensorType(int_type(width, signed), shape)],
                properties=dict(mm.properties) | {"weights": weights},
            )
            rewriter.insert(flipped, InsertPoint.before(q))
            source = flipped.output
        out_type = TensorType(q.output.type.element_type, mm.output.type.get_shape())
        th_op = g.ThresholdOp.create(
            operands=[source],
            result_types=[out_type],
            properties={"thresholds": dense_from_numpy(th)}
            | ({"offset": IntegerAttr(code_lo, i64)} if code_lo and not isinstance(elt, BipolarType) else {}),
        )
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
