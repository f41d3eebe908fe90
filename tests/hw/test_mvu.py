"""lowbit_mvu against a numpy reference, co-simulated with Verilator.

Each parameter set is one Verilator build (cached on disk across runs); the
stall patterns reuse the same executable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import case_cache, threshold_literal
from support.mvu import MvuCase, MvuFold, mvu_lint_top, mvu_rejects_top
from support.mvu_checks import (
    check_exact_ii_latency,
    check_heavy_backpressure,
    check_latency_when_idle,
    check_random_stalls,
)

from lowbitc.backends.runtime.sim.verilator import lint
from lowbitc.backends.verilog.library import library_sources
from lowbitc.backends.verilog.rom import rom_module
from lowbitc.dialects.rtl.cells import clog2


@dataclass(frozen=True, kw_only=True)
class Cfg(MvuFold):
    MODE: int
    seed: int = 0

    @property
    def PW(self) -> int:
        return clog2(self.K + 2)

    @property
    def out_width(self) -> int:
        return self.C if self.MODE == 0 else self.C * self.PW

    def __str__(self) -> str:
        return f"K{self.K}_C{self.C}_PE{self.PE}_S{self.SIMD}_M{self.MODE}_P{self.PIPE}"


CFGS = [
    Cfg(8, 4, 1, 1, MODE=0, PIPE=1),  # fully folded: PE=1, SIMD=1
    Cfg(16, 8, 8, 16, MODE=0, PIPE=1),  # fully parallel: one vector per cycle
    Cfg(16, 8, 8, 16, MODE=1, PIPE=0),
    Cfg(12, 6, 3, 4, MODE=1, PIPE=0),  # NF*SF = 6, not a power of two
    Cfg(32, 10, 2, 8, MODE=0, PIPE=0),  # NF = 5
    Cfg(64, 16, 4, 16, MODE=0, PIPE=1),
    Cfg(300, 40, 20, 100, MODE=1, PIPE=1),  # wide in and out ports (VlWide)
]


class Case(MvuCase):
    """Random weights, thresholds and inputs for one configuration."""

    def __init__(self, cfg: Cfg, n_vectors: int = 24):
        self.cfg = cfg
        rng = np.random.default_rng(1000 + cfg.K * 7 + cfg.C * 13 + cfg.PE + cfg.SIMD * 3 + cfg.MODE)
        K, C = cfg.K, cfg.C
        self.w = rng.integers(0, 2, size=(C, K), dtype=np.int64)
        # Mostly near the mean popcount so threshold bits are mixed, plus the
        # edge cases 0 ("always") and K+1 ("never").
        t = np.clip(np.round(K / 2 + rng.normal(0, max(1.0, np.sqrt(K) / 2), C)), 0, K + 1)
        t[0] = 0
        if C > 1:
            t[1] = K + 1
        if C > 2:
            t[2] = K
        self.t = t.astype(np.int64)
        x = rng.integers(0, 2, size=(n_vectors, K), dtype=np.int64)
        x[0] = 0
        x[1] = 1
        x[2] = self.w[0]  # P_0 = K
        x[3] = 1 - self.w[min(1, C - 1)]  # P_1 = 0
        self.x = x

    def reference(self) -> list[int]:
        cfg = self.cfg
        p = self.popcounts()
        outs = []
        for row in p:
            v = 0
            for c, pc in enumerate(row):
                if cfg.MODE == 0:
                    v |= int(pc >= self.t[c]) << c
                else:
                    v |= int(pc) << (c * cfg.PW)
            outs.append(v)
        return outs

    def params(self) -> dict[str, object]:
        cfg = self.cfg
        params = {"K": cfg.K, "C": cfg.C, "PE": cfg.PE, "SIMD": cfg.SIMD, "PW": cfg.PW, "MODE": cfg.MODE}
        return params | {"PIPE": cfg.PIPE, "THRESH": threshold_literal(self.t, cfg.PW)}


case = case_cache(Case)


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_lint(cfg: Cfg) -> None:
    lint(case(cfg).sources, "mvu_top")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_no_stall_exact_and_ii(cfg: Cfg) -> None:
    check_exact_ii_latency(case(cfg), cfg)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_random_stalls(cfg: Cfg, seed: int) -> None:
    check_random_stalls(case(cfg), cfg, seed)


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_heavy_backpressure(cfg: Cfg) -> None:
    check_heavy_backpressure(case(cfg), cfg)


def test_mvu_latency_when_idle() -> None:
    check_latency_when_idle(case(CFGS[4]), CFGS[4])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"K": 1, "C": 1, "PE": 1, "SIMD": 1},
        {"K": 1, "C": 1, "PE": 1, "SIMD": 1, "MODE": 1, "PIPE": 0},
        {"K": 6, "C": 10, "PE": 5, "SIMD": 2, "MODE": 1},
        {"K": 6, "C": 10, "PE": 2, "SIMD": 3, "PIPE": 0},
        {"K": 1024, "C": 64, "PE": 8, "SIMD": 32},
        {"K": 64, "C": 3, "PE": 1, "SIMD": 64, "PW": 8},
    ],
    ids=lambda p: "_".join(f"{k}{v}" for k, v in p.items()) or "defaults",
)
def test_mvu_module_lint(params: dict[str, int]) -> None:
    """The bare module (ports left to Verilator) for extra parameter corners."""
    k = params.get("K", 16)
    c, pe, simd = params.get("C", 8), params.get("PE", 2), params.get("SIMD", 4)
    pw = params.get("PW", clog2(k + 2))
    ow = c if params.get("MODE", 0) == 0 else c * pw
    wrapper = mvu_lint_top(params, k, ow, (c // pe) * (k // simd), pe * simd)
    lint({"lint_top.v": wrapper, **library_sources()}, "lint_top")


def test_mvu_rejects_bad_folding() -> None:
    bad = mvu_rejects_top({"K": 10, "C": 4, "PE": 3, "SIMD": 4})
    with pytest.raises(Exception, match="lowbit_mvu_requires_PE_divides_C"):
        lint({"lint_top.v": bad, **library_sources()}, "lint_top")


@pytest.mark.parametrize("depth", [1, 2, 3, 5, 8, 13])
@pytest.mark.parametrize("width", [1, 6, 32, 100])
def test_rom_lint(depth: int, width: int) -> None:
    rng = np.random.default_rng(depth * 100 + width)
    words = [int(rng.integers(0, 2**31)) & ((1 << width) - 1) for _ in range(depth)]
    words[-1] = (1 << width) - 1  # widest literal
    src = rom_module("L7_wmem", words, width)
    assert f"input wire [{max(1, clog2(depth)) - 1}:0] addr" in src
    lint({"L7_wmem.v": src}, "L7_wmem")


def test_rom_rejects_oversized_word() -> None:
    with pytest.raises(ValueError):
        rom_module("L0_wmem", [0, 16], 4)
