"""lowbit_mvu with integer lanes (EW >= 1: signed EW-bit inputs x binary
weights) against a numpy reference, co-simulated with Verilator.

One Verilator build per configuration, cached on disk; every stall pattern runs on
that build.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import case_cache, threshold_literal, to_unsigned
from support.mvu import MvuCase, MvuFold, mvu_lint_top, mvu_rejects_top
from support.mvu_checks import (
    check_exact_ii_latency,
    check_heavy_backpressure,
    check_latency_when_idle,
    check_random_stalls,
)

from lowbitc.backends.runtime.sim.verilator import lint
from lowbitc.backends.verilog.library import library_sources
from lowbitc.dialects.rtl.cells import clog2


def min_pw(k: int, ew: int) -> int:
    """Signed width holding +-K*2^(EW-1) (the module's lower bound on PW for EW >= 1)."""
    return ew + clog2(k + 1)


@dataclass(frozen=True, kw_only=True)
class Cfg(MvuFold):
    EW: int
    MODE: int
    PW: int = 0  # 0: minimum, min_pw(K, EW)

    @property
    def acc_w(self) -> int:
        return self.PW or min_pw(self.K, self.EW)

    @property
    def in_width(self) -> int:
        return self.K * self.EW

    @property
    def out_width(self) -> int:
        return self.C if self.MODE == 0 else self.C * self.acc_w

    def __str__(self) -> str:
        s = f"K{self.K}_C{self.C}_PE{self.PE}_S{self.SIMD}_EW{self.EW}_M{self.MODE}_P{self.PIPE}"
        return s + (f"_PW{self.PW}" if self.PW else "")


CFGS = [
    Cfg(8, 4, 1, 1, EW=8, MODE=0, PIPE=1),  # fully folded: PE=1, SIMD=1
    Cfg(8, 4, 1, 1, EW=2, MODE=1, PIPE=0),
    Cfg(16, 8, 8, 16, EW=8, MODE=0, PIPE=1),  # fully parallel: one vector per cycle
    Cfg(16, 8, 8, 16, EW=8, MODE=1, PIPE=0),
    Cfg(12, 6, 3, 4, EW=2, MODE=1, PIPE=1),  # NF*SF = 6
    Cfg(27, 10, 2, 9, EW=8, MODE=0, PIPE=0),  # 3x3x3 patch; odd SIMD (pass-through nodes)
    Cfg(30, 6, 3, 6, EW=4, MODE=1, PIPE=1),  # SIMD = 6
    Cfg(3, 3, 3, 3, EW=8, MODE=1, PIPE=0),  # PW == lane-sum width (no sign extension)
    Cfg(10, 4, 2, 5, EW=3, MODE=1, PIPE=1, PW=16),  # PW wider than needed
    Cfg(64, 16, 4, 16, EW=8, MODE=0, PIPE=1),
    Cfg(784, 32, 8, 56, EW=8, MODE=0, PIPE=1),  # MNIST-sized: 6272-bit input beats
]


class Case(MvuCase):
    """Random weights, thresholds and inputs for one configuration."""

    def __init__(self, cfg: Cfg, n_vectors: int = 24):
        self.cfg = cfg
        rng = np.random.default_rng(
            2000 + cfg.K * 7 + cfg.C * 13 + cfg.PE + cfg.SIMD * 3 + cfg.EW * 5 + cfg.MODE + cfg.PW
        )
        K, C, EW, PW = cfg.K, cfg.C, cfg.EW, cfg.acc_w
        lo, hi = -(1 << (EW - 1)), (1 << (EW - 1)) - 1
        w = rng.integers(0, 2, size=(C, K), dtype=np.int64)
        # Channel 0 all +1 and channel 1 all -1: with all inputs at -2^(EW-1)
        # they reach the accumulator extremes -K*2^(EW-1) and +K*2^(EW-1).
        w[0] = 1
        if C > 1:
            w[1] = 0
        self.w = w
        x = rng.integers(lo, hi + 1, size=(n_vectors, K), dtype=np.int64)
        x[0] = lo
        x[1] = hi
        x[2] = np.where(w[min(2, C - 1)] == 1, hi, lo)  # channel 2 maximal
        x[3] = np.where(w[min(2, C - 1)] == 1, lo, hi)  # channel 2 minimal
        x[4] = 0
        x[5] = -1
        x[6] = rng.choice([lo, hi], size=K)
        self.x = x
        # Thresholds: mostly near the accumulator spread so bits are mixed,
        # plus extremes of both the value range and the PW-bit encoding.
        spread = np.sqrt(K) * (1 << (EW - 1)) / 2
        t = np.round(rng.normal(0, max(1.0, spread), C)).astype(np.int64)
        full = K * (1 << (EW - 1))
        special = [
            -full + 1,  # ch 0: fires except at its minimum -full
            full,  # ch 1: fires only at its maximum +full
            -(1 << (PW - 1)),  # always
            (1 << (PW - 1)) - 1,  # never (acc <= full < 2^(PW-1) - 1)
            0,
            -1,
        ]
        for c, v in enumerate(special[:C]):
            t[c] = v
        self.t = t

    def acc(self) -> np.ndarray:
        return self.x @ (2 * self.w - 1).T  # (N, C), exact in int64

    def reference(self) -> list[int]:
        cfg = self.cfg
        outs = []
        for row in self.acc():
            v = 0
            for c, a in enumerate(row):
                if cfg.MODE == 0:
                    v |= int(a >= self.t[c]) << c
                else:
                    v |= to_unsigned(a, cfg.acc_w) << (c * cfg.acc_w)
            outs.append(v)
        return outs

    def inputs(self) -> list[int]:
        ew = self.cfg.EW
        return [sum(to_unsigned(v, ew) << (k * ew) for k, v in enumerate(row)) for row in self.x]

    def params(self) -> dict[str, object]:
        cfg = self.cfg
        pw = cfg.acc_w
        params = {"K": cfg.K, "C": cfg.C, "PE": cfg.PE, "SIMD": cfg.SIMD, "EW": cfg.EW, "PW": pw, "MODE": cfg.MODE}
        return params | {"PIPE": cfg.PIPE, "THRESH": threshold_literal(self.t, pw)}


case = case_cache(Case)


def test_reference_reaches_extremes() -> None:
    """The stimulus really drives the accumulator to +-K*2^(EW-1) and makes
    the threshold bits non-constant, so the hardware tests below cover them."""
    for cfg in CFGS:
        c = case(cfg)
        a = c.acc()
        full = cfg.K * (1 << (cfg.EW - 1))
        assert a.min() == -full and a.max() == full, cfg
        assert np.abs(a).max() < (1 << (cfg.acc_w - 1)), cfg
        if cfg.MODE == 0:
            bits = a >= c.t[None, :]
            assert bits.any() and not bits.all(), cfg
            assert bits[:, 0].any() and not bits[:, 0].all(), cfg  # T_0 = -full + 1
            assert bits[:, 1].any() and not bits[:, 1].all(), cfg  # T_1 = +full


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_int_lint(cfg: Cfg) -> None:
    lint(case(cfg).sources, "mvu_top")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_int_no_stall_exact_and_ii(cfg: Cfg) -> None:
    check_exact_ii_latency(case(cfg), cfg)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_int_random_stalls(cfg: Cfg, seed: int) -> None:
    check_random_stalls(case(cfg), cfg, seed)


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_int_heavy_backpressure(cfg: Cfg) -> None:
    check_heavy_backpressure(case(cfg), cfg)


@pytest.mark.parametrize("cfg", [CFGS[5], CFGS[2]], ids=str)
def test_mvu_int_latency_when_idle(cfg: Cfg) -> None:
    check_latency_when_idle(case(cfg), cfg)


def _int_params(params: dict[str, int]) -> dict[str, int]:
    """EW defaults to 0 (XNOR lanes) in lowbit_mvu; these tests default to 8-bit lanes."""
    return {"EW": 8, **params}


def _lint_wrapper(params: dict[str, int]) -> str:
    params = _int_params(params)
    k, ew = params.get("K", 16), params["EW"]
    c, pe, simd = params.get("C", 8), params.get("PE", 2), params.get("SIMD", 4)
    pw = params.get("PW", min_pw(k, ew))
    ow = c if params.get("MODE", 0) == 0 else c * pw
    return mvu_lint_top(params, k * ew, ow, (c // pe) * (k // simd), pe * simd)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"K": 1, "C": 1, "PE": 1, "SIMD": 1},
        {"K": 1, "C": 1, "PE": 1, "SIMD": 1, "EW": 1, "MODE": 1, "PIPE": 0},
        {"K": 6, "C": 10, "PE": 5, "SIMD": 2, "EW": 2, "MODE": 1},
        {"K": 7, "C": 10, "PE": 2, "SIMD": 7, "EW": 3, "PIPE": 0},
        {"K": 75, "C": 16, "PE": 16, "SIMD": 25, "EW": 8, "MODE": 1},
        {"K": 1024, "C": 64, "PE": 8, "SIMD": 32, "EW": 4},
        {"K": 64, "C": 3, "PE": 1, "SIMD": 64, "EW": 8, "PW": 20},
    ],
    ids=lambda p: "_".join(f"{k}{v}" for k, v in p.items()) or "defaults",
)
def test_mvu_int_module_lint(params: dict[str, int]) -> None:
    """The bare module (ports left to Verilator) for extra parameter corners."""
    lint({"lint_top.v": _lint_wrapper(params), **library_sources()}, "lint_top")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"K": 10, "C": 4, "PE": 3, "SIMD": 5}, "lowbit_mvu_requires_PE_divides_C"),
        ({"K": 10, "C": 4, "PE": 2, "SIMD": 4}, "lowbit_mvu_requires_PE_divides_C"),
        ({"K": 16, "EW": 8, "PW": 12}, "lowbit_mvu_requires_PW_at_least_EW_plus_clog2_K_plus_1"),
        ({"K": 16, "EW": 8, "MODE": 2}, "lowbit_mvu_requires_MODE_0_or_1"),
        ({"PIPE": 2}, "lowbit_mvu_requires_PIPE_0_or_1"),
        ({"EW": -1}, "lowbit_mvu_requires_EW_at_least_0"),
    ],
)
def test_mvu_int_rejects_bad_parameters(params: dict[str, int], message: str) -> None:
    bad = mvu_rejects_top(_int_params(params))
    with pytest.raises(Exception, match=message):
        lint({"lint_top.v": bad, **library_sources()}, "lint_top")
