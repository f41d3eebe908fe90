"""streamline's thresholds equal a brute-force evaluation of the float chain on every
accumulator value (`thresholds_from_steps` on the full [range x channels] levels, the pass's
original algorithm), on random chains: per-channel scales of either sign, BatchNorm with
negative and zero gamma, elementwise ops (swapped and not), bipolar, k-bit and
multi-threshold quantizers with every rounding mode. Monotone chains are bisected, never
evaluated exhaustively; others (c / x) fall back to the chunked exhaustive evaluation, which
raises for a non-monotone channel exactly when the brute force does."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin
from xdsl.dialects.func import Func
from xdsl.parser import Parser

from lowbitc.dialects.lowbit import Lowbit
from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.passes import streamline as s

C = 6


def f32(values) -> str:
    return (
        "dense<["
        + ", ".join(f"{float(np.float32(v))!r}" for v in np.atleast_1d(values))
        + f"]> : tensor<{np.size(values)}xf32>"
    )


def random_chain(rng: np.random.Generator, monotone: bool) -> tuple[str, str]:
    """Float ops after a [C] accumulator %acc (as IR text) and the quantizer's result type."""
    ops, v = [], "%acc"

    def op(text: str) -> None:
        nonlocal v
        ops.append(f"  %v{len(ops)} = {text.format(v=v)} : tensor<{C}xf32> -> tensor<{C}xf32>")
        v = f"%v{len(ops) - 1}"

    scale = rng.choice([-1, 1], C) * rng.uniform(0.01, 2, C) if rng.random() < 0.5 else rng.uniform(0.01, 2, 1)
    ops.append(f"  %v0 = lowbit.dequantize %acc {{scale = {f32(scale)}}} : tensor<{C}xsi16> -> tensor<{C}xf32>")
    v = "%v0"
    gamma = rng.normal(0, 1, C)
    gamma[rng.random(C) < 0.3] *= -1
    gamma[rng.random(C) < 0.2] = 0.0
    kinds = ["add", "mul", "sub", "max", "div", "bn"]
    for _ in range(rng.integers(1, 4)):
        kind = str(rng.choice(kinds))
        if kind == "bn":
            op(
                f"lowbit.batchnorm {{v}} {{{{scale = {f32(gamma)}, bias = {f32(rng.normal(0, 1, C))}, "
                f"mean = {f32(rng.normal(0, 3, C))}, var = {f32(rng.uniform(0.1, 9, C))}, "
                f"epsilon = {float(np.float32(rng.choice([0.0, 1e-5, 1e-3])))!r} : f32}}}}"
            )
            continue
        const = rng.normal(0, 2, C if rng.random() < 0.5 else 1)
        if kind == "div":
            const = np.where(np.abs(const) < 0.1, 0.5, const)
        swapped = bool(rng.random() < 0.3) and (kind != "div" or not monotone)
        extra = ", swapped = true" if swapped else ""
        op(f"lowbit.elementwise {{v}} {{{{kind = #lowbit<elementwise_kind {kind}>, constant = {f32(const)}{extra}}}}}")
    if not monotone:
        op(
            f"lowbit.elementwise {{v}} {{{{kind = #lowbit<elementwise_kind div>, "
            f"constant = {f32(rng.normal(0, 2, 1))}, swapped = true}}}}"
        )
    q = int(rng.integers(0, 4))
    if q == 0:
        quant, out = f"lowbit.quantize {v}", "!lowbit.bipolar"
    elif q == 3:
        th = np.sort(rng.normal(0, 2, (C, 3)), axis=1)
        quant, out = (
            f"lowbit.quantize {v} {{thresholds = dense<{th.astype(np.float32).tolist()}> : tensor<{C}x3xf32>}}",
            "ui2",
        )
    else:
        signed = q == 1
        mode = str(rng.choice(["round", "floor", "ceil"]))
        narrow = ", narrow = true" if signed and rng.random() < 0.5 else ""
        quant = (
            f"lowbit.quantize {v} {{scale = {f32(rng.uniform(0.05, 1, 1))}, zero_point = {f32(0.0)}, "
            f"rounding = #lowbit<rounding {mode}>{narrow}}}"
        )
        out = "si2" if signed else f"ui{int(rng.integers(2, 4))}"
    ops.append(f"  %q = {quant} : tensor<{C}xf32> -> tensor<{C}x{out}>")
    return "\n".join(ops), out


def parse(text: str):
    ctx = Context()
    for d in (Builtin, Func, Lowbit):
        ctx.load_dialect(d)
    return Parser(ctx, text).parse_module()


def case(seed: int, monotone: bool):
    rng = np.random.default_rng(seed)
    body, out = random_chain(rng, monotone)
    text = (
        f"func.func @f(%acc: tensor<{C}xsi16>) -> tensor<{C}x{out}> {{\n{body}\n"
        f"  func.return %q : tensor<{C}x{out}>\n}}"
    )
    module = parse(text)
    q = next(o for o in module.walk() if isinstance(o, g.QuantizeOp))
    chain = [o for o in module.walk() if isinstance(o, (g.DequantizeOp, g.ElementwiseOp, g.BatchNormOp))]
    lo = -int(rng.integers(1, 3000))
    hi = lo + int(rng.integers(0, 6000))
    lo_code, hi_code = s.code_range(q)
    return chain, q, lo, hi, hi_code - lo_code


def brute(chain, q, lo: int, hi: int, t: int):
    acc = np.arange(lo, hi + 1, dtype=np.int64)[:, None].repeat(C, 1)
    return s.thresholds_from_steps(s.chain_levels(chain, q, acc)[0], lo, t)


@pytest.mark.parametrize("seed", range(60))
def test_bisection_equals_brute_force(seed: int, monkeypatch) -> None:
    chain, q, lo, hi, t = case(seed, monotone=True)
    want_th, want_neg = brute(chain, q, lo, hi, t)
    assert s.monotone_ops(chain, q)

    def no_exhaustive(*args):
        raise AssertionError("a monotone chain was evaluated exhaustively")

    monkeypatch.setattr(s, "thresholds_exhaustive", no_exhaustive)
    th, neg = s.fold_thresholds(chain, q, lo, hi, C, t)
    np.testing.assert_array_equal(th, want_th)
    np.testing.assert_array_equal(neg, want_neg)
    assert th.dtype == np.int64 and th.shape == (C, t)


@pytest.mark.parametrize("seed", range(20))
def test_exhaustive_equals_brute_force(seed: int, monkeypatch) -> None:
    """c / x: not provably monotone; chunked into pieces of a few rows."""
    chain, q, lo, hi, t = case(1000 + seed, monotone=False)
    assert not s.monotone_ops(chain, q)
    monkeypatch.setattr(s, "CHUNK", 7 * C)
    try:
        want = brute(chain, q, lo, hi, t)
    except ValueError as exc:
        with pytest.raises(ValueError, match=str(exc)):
            s.fold_thresholds(chain, q, lo, hi, C, t)
        return
    th, neg = s.fold_thresholds(chain, q, lo, hi, C, t)
    np.testing.assert_array_equal(th, want[0])
    np.testing.assert_array_equal(neg, want[1])


def test_zero_and_negative_gamma_cover_all_directions() -> None:
    """The random cases include rising, falling and constant channels."""
    kinds = set()
    for seed in range(60):
        chain, q, lo, hi, t = case(seed, monotone=True)
        levels = s.chain_levels(chain, q, np.array([[lo], [hi]]).repeat(C, 1))[0]
        kinds |= {int(np.sign(d)) for d in levels[1] - levels[0]}
    assert kinds == {-1, 0, 1}
