"""lowbit_gap (global pool: per-channel sums over a frame, raw or multi-threshold requantized)
against numpy, under Verilator, with random stalls on both handshakes."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import (
    ConstOutputs,
    StreamCase,
    case_cache,
    int_range,
    library_subset,
    pack,
    stream_top,
    threshold_literal,
)

from lowbitc.backends.runtime.sim.verilator import LintError, lint
from lowbitc.backends.verilog.library import library_sources
from lowbitc.dialects import rtl

N_FRAMES = 5
LIB_FILES = rtl.GapInstanceOp.LIBRARY_FILES


@dataclass(frozen=True)
class Gap(ConstOutputs):
    C: int
    EW: int
    ES: int
    N: int

    @property
    def lo(self) -> int:
        return int_range(self.EW, self.ES)[0]

    @property
    def hi(self) -> int:
        return int_range(self.EW, self.ES)[1]

    @property
    def in_width(self) -> int:
        return self.C * self.EW

    @property
    def out_width(self) -> int:
        return self.C * self.OEW

    def params(self) -> dict[str, int]:
        return {"C": self.C, "EW": self.EW, "ES": self.ES, "N": self.N, **self.output_params()}

    def __str__(self) -> str:
        return f"C{self.C}_{'su'[1 - self.ES]}{self.EW}_n{self.N}_{self.output_label()}"


CFGS = [
    Gap(5, 2, 0, 49, MODE=0, SW=9, NT=3, OB=2),  # ResNet's 7x7 2-bit unsigned average, requantized to 2 bits
    Gap(3, 3, 1, 6, MODE=0, SW=7, NT=2, OB=2, OOFF=-1),  # signed codes, ternary out, thresholds wider than the sums
    Gap(4, 2, 0, 4, MODE=0, SW=5, NT=1, OB=1),  # one threshold: a bipolar bit
    Gap(3, 4, 1, 9, MODE=1, SW=8),  # raw signed sums, SW = NEED
    Gap(2, 2, 0, 1, MODE=1, SW=3),  # one pixel per frame: the unit passes it on widened
    Gap(6, 1, 0, 16, MODE=1, SW=9),  # 1-bit unsigned, SW above NEED
]


def wrapper(g: Gap, thresholds: np.ndarray | None) -> str:
    """Top around lowbit_gap; ``thresholds`` [C, NT] in MODE 0."""
    params = g.params()
    if thresholds is not None:
        params["THRESH"] = threshold_literal(thresholds, g.SW)
    return stream_top("lowbit_gap", params, g.in_width, g.out_width)


class Case(StreamCase):
    lib_files = LIB_FILES

    def __init__(self, cfg: Gap):
        super().__init__(cfg)
        rng = np.random.default_rng(zlib.crc32(str(cfg).encode()))
        self.frames = rng.integers(cfg.lo, cfg.hi + 1, (N_FRAMES, cfg.N, cfg.C))
        self.frames[0] = cfg.lo  # the extreme sums
        self.frames[1] = cfg.hi
        self.sums = self.frames.sum(axis=1)  # [frames, C]
        self.thresholds = None
        if cfg.MODE == 0:
            # Thresholds spread over (and a little beyond) the sums' range, sorted per channel,
            # some of them on sums that occur (ties fire: s >= t).
            slo, shi = cfg.N * cfg.lo, cfg.N * cfg.hi
            th = rng.integers(slo - 2, shi + 3, (cfg.C, cfg.NT))
            th[:, 0] = np.clip(self.sums[2], -(1 << (cfg.SW - 1)), (1 << (cfg.SW - 1)) - 1)
            self.thresholds = np.clip(np.sort(th, axis=1), -(1 << (cfg.SW - 1)), (1 << (cfg.SW - 1)) - 1)

    def inputs(self) -> list[int]:
        return [pack(px, self.cfg.EW) for f in self.frames for px in f]

    def reference(self) -> list[int]:
        return self.cfg.output_beats(self.sums, self.thresholds)

    def top_source(self) -> str:
        return wrapper(self.cfg, self.thresholds)

    def expected_outputs(self) -> int:
        return N_FRAMES


case = case_cache(Case)


def test_reference_levels_are_mixed() -> None:
    """The requantized outputs use more than one level per configuration."""
    for cfg in CFGS:
        if cfg.MODE == 0:
            c = case(cfg)
            levels = (c.sums[:, :, None] >= c.thresholds[None]).sum(axis=2)
            assert len(np.unique(levels)) > 1, cfg


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_gap_lint(cfg: Gap) -> None:
    case(cfg).lint()


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_gap_no_stall_exact_and_timing(cfg: Gap) -> None:
    c = case(cfg)
    r = c.run()
    assert r.outputs == c.reference()
    c0 = r.in_accept_cycles[0]
    assert r.in_accept_cycles == list(range(c0, c0 + N_FRAMES * cfg.N)), "input not accepted every cycle"
    # Documented latency: offered one cycle after the frame's last pixel.
    last = [r.in_accept_cycles[(f + 1) * cfg.N - 1] for f in range(N_FRAMES)]
    assert [out - end for out, end in zip(r.out_accept_cycles, last)] == [1] * N_FRAMES


@pytest.mark.parametrize("stall_in,stall_out", [(0.3, 0.3), (0.7, 0.7), (0.0, 0.95), (0.7, 0.0)])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_gap_random_stalls(cfg: Gap, stall_in: float, stall_out: float) -> None:
    c = case(cfg)
    r = c.run(stall_in=stall_in, stall_out=stall_out, seed=int(10 * stall_in + 100 * stall_out) + 3)
    assert r.outputs == c.reference()
    assert len(r.in_accept_cycles) == N_FRAMES * cfg.N


def test_gap_lints_standalone() -> None:
    lint(library_sources(), "lowbit_gap")


def test_gap_rejects_narrow_sums() -> None:
    g = Gap(2, 2, 0, 49, MODE=1, SW=8)  # sums reach 147: 9 bits
    with pytest.raises(LintError, match="lowbit_gap_requires_SW_between_2_and_31_holding_every_sum"):
        lint({"dut_top.v": wrapper(g, None), **library_subset(LIB_FILES)}, "dut_top")
