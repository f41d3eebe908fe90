"""lowbit_mvu with border cases (NCASE > 1): the thresholds of each vector come from the table of
its output pixel's border case, which lowbit_mvu_border derives from pixel counters. Against
numpy (the interpreter's case map, `BorderAttr.case_map`), with one threshold (the sign-bit
path) and three (comparators), several channel folds, frames back to back, random stalls."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import case_cache
from support.mvu import MvuCase, MvuFold
from support.mvu_checks import check_exact_ii_latency, check_heavy_backpressure, check_random_stalls

from lowbitc.backends.runtime.sim.verilator import lint
from lowbitc.backends.verilog.instances import parameter_text
from lowbitc.dialects.lowbit.attributes import dense_from_numpy
from lowbitc.dialects.lowbit.border import BorderAttr
from lowbitc.dialects.rtl.cells import clog2
from lowbitc.dialects.rtl.mvu import border_parameters
from lowbitc.dialects.rtl.parameters import threshold_vector


@dataclass(frozen=True, kw_only=True)
class Cfg(MvuFold):
    NT: int
    geometry: tuple  # (map (H, W), kernel, strides, pads)

    @property
    def PW(self) -> int:
        return clog2(self.K + 2)

    @property
    def OB(self) -> int:
        return max(1, self.NT.bit_length())

    @property
    def out_width(self) -> int:
        return self.C * self.OB

    @property
    def border(self) -> BorderAttr:
        return BorderAttr.build(*self.geometry)

    def __str__(self) -> str:
        (h, w), (kh, _), (s, _), pads = self.geometry
        head = f"K{self.K}_C{self.C}_PE{self.PE}_S{self.SIMD}_NT{self.NT}_P{self.PIPE}"
        return f"{head}_{h}x{w}_k{kh}_s{s}_p{''.join(map(str, pads))}"


CFGS = [
    Cfg(18, 6, 2, 6, NT=1, PIPE=1, geometry=((5, 4), (3, 3), (1, 1), (1, 1, 1, 1))),  # 9 cases, NF 3
    Cfg(18, 6, 3, 9, NT=3, PIPE=0, geometry=((5, 4), (3, 3), (1, 1), (1, 1, 1, 1))),  # comparators
    Cfg(25, 4, 4, 25, NT=1, PIPE=0, geometry=((4, 6), (5, 5), (2, 1), (2, 0, 1, 2))),  # NF 1, asymmetric
    Cfg(50, 4, 1, 25, NT=3, PIPE=1, geometry=((3, 3), (5, 5), (1, 1), (2, 2, 2, 2))),  # window over the whole map
]


class Case(MvuCase):
    def __init__(self, cfg: Cfg, frames: int = 2):
        self.cfg = cfg
        rng = np.random.default_rng(cfg.K * 31 + cfg.C * 7 + cfg.NT)
        self.cases = cfg.border.case_map().reshape(-1)
        n = frames * len(self.cases)
        self.w = rng.integers(0, 2, size=(cfg.C, cfg.K), dtype=np.int64)
        t = np.sort(rng.integers(0, cfg.K + 2, size=(cfg.border.cases, cfg.C, cfg.NT)), axis=-1)
        t[0, 0, 0], t[-1, -1, -1] = 0, cfg.K + 1  # always and never fire
        self.t = t
        self.x = rng.integers(0, 2, size=(n, cfg.K), dtype=np.int64)

    def reference(self) -> list[int]:
        cfg = self.cfg
        p = self.popcounts()
        outs = []
        for i, row in enumerate(p):
            table = self.t[self.cases[i % len(self.cases)]]
            outs.append(sum(int((pc >= table[c]).sum()) << (c * cfg.OB) for c, pc in enumerate(row)))
        return outs

    def params(self) -> list[tuple[str, object]]:
        cfg = self.cfg
        return [
            ("K", cfg.K),
            ("C", cfg.C),
            ("PE", cfg.PE),
            ("SIMD", cfg.SIMD),
            ("PW", cfg.PW),
            ("NT", cfg.NT),
            ("OB", cfg.OB),
            ("MODE", 0),
            ("PIPE", cfg.PIPE),
            ("THRESH", parameter_text(threshold_vector(dense_from_numpy(self.t), cfg.C, cfg.PW))),
            *((name, parameter_text(value)) for name, value in border_parameters(cfg.border, cfg.NF)),
        ]


case = case_cache(Case)


def test_case_numbering_groups_equal_padding_patterns() -> None:
    """Every pixel of a case pads the same window positions; case 0 pads none."""
    for cfg in CFGS:
        b = cfg.border
        ho, wo = b.output_hw
        cases, seen = b.case_map(), {}
        for oy in range(ho):
            for ox in range(wo):
                pattern = b.padded_positions(oy, ox)
                c = int(cases[oy, ox])
                assert 0 <= c < b.cases and (c != 0 or not pattern.any())
                assert np.array_equal(seen.setdefault(c, pattern), pattern), (cfg, oy, ox)


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_border_lint(cfg: Cfg) -> None:
    lint(case(cfg).sources, "mvu_top")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_border_exact_and_ii(cfg: Cfg) -> None:
    check_exact_ii_latency(case(cfg), cfg)


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_border_random_stalls(cfg: Cfg) -> None:
    check_random_stalls(case(cfg), cfg, 1)


def test_mvu_border_heavy_backpressure() -> None:
    check_heavy_backpressure(case(CFGS[0]), CFGS[0])
