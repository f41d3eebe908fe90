"""lowbit_gap (global pool: per-channel sums over a frame, raw or multi-threshold requantized)
against numpy, under Verilator, with random stalls on both handshakes."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pytest

from lowbitc.backends.runtime.sim.verilator import LintError, SimResult, lint, simulate
from lowbitc.backends.verilog.library import library_sources, with_headers

N_FRAMES = 5
_LIB_FILES = ("lowbit_gap.v", "lowbit_thresholds.v", "lowbit_fifo.v")


def lib_sources() -> dict[str, str]:
    lib = library_sources()
    missing = [f for f in _LIB_FILES if f not in lib]
    assert not missing, f"RTL library lacks {missing}"
    return with_headers({f: lib[f] for f in _LIB_FILES})


@dataclass(frozen=True)
class Gap:
    C: int
    EW: int
    ES: int
    N: int
    MODE: int
    SW: int
    NT: int = 1
    OB: int = 1
    OOFF: int = 0

    @property
    def lo(self) -> int:
        return -(1 << (self.EW - 1)) if self.ES else 0

    @property
    def hi(self) -> int:
        return (1 << (self.EW - 1)) - 1 if self.ES else (1 << self.EW) - 1

    @property
    def in_width(self) -> int:
        return self.C * self.EW

    @property
    def out_width(self) -> int:
        return self.C * (self.SW if self.MODE == 1 else self.OB)

    def params(self) -> dict[str, int]:
        keys = ("C", "EW", "ES", "N", "MODE", "SW") + (("NT", "OB", "OOFF") if self.MODE == 0 else ())
        return {k: getattr(self, k) for k in keys}

    def __str__(self) -> str:
        head = f"C{self.C}_{'su'[1 - self.ES]}{self.EW}_n{self.N}_sw{self.SW}"
        return f"{head}_raw" if self.MODE == 1 else f"{head}_nt{self.NT}_ob{self.OB}_off{self.OOFF}"


CFGS = [
    Gap(5, 2, 0, 49, 0, 9, NT=3, OB=2),  # ResNet's 7x7 2-bit unsigned average, requantized to 2 bits
    Gap(3, 3, 1, 6, 0, 7, NT=2, OB=2, OOFF=-1),  # signed codes, ternary out, thresholds wider than the sums
    Gap(4, 2, 0, 4, 0, 5, NT=1, OB=1),  # one threshold: a bipolar bit
    Gap(3, 4, 1, 9, 1, 8),  # raw signed sums, SW = NEED
    Gap(2, 2, 0, 1, 1, 3),  # one pixel per frame: the unit passes it on widened
    Gap(6, 1, 0, 16, 1, 9),  # 1-bit unsigned, SW above NEED
]


def wrapper(g: Gap, thresh: int | None) -> str:
    params = [f".{k}({v})" for k, v in g.params().items()]
    if thresh is not None:
        params.append(f".THRESH({g.C * g.NT * g.SW}'h{thresh:x})")
    return f"""module dut_top (
    input  wire clk,
    input  wire rst,
    input  wire [{g.in_width - 1}:0] in_tdata,
    input  wire in_tvalid,
    output wire in_tready,
    output wire [{g.out_width - 1}:0] out_tdata,
    output wire out_tvalid,
    input  wire out_tready
);
    lowbit_gap #({", ".join(params)}) u_dut (
        .clk(clk), .rst(rst),
        .in_tdata(in_tdata), .in_tvalid(in_tvalid), .in_tready(in_tready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready)
    );
endmodule
"""


class Case:
    def __init__(self, cfg: Gap):
        self.cfg = cfg
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

    @property
    def thresh_vector(self) -> int | None:
        if self.thresholds is None:
            return None
        cfg, value = self.cfg, 0
        for c in range(cfg.C):
            for i in range(cfg.NT):
                value |= (int(self.thresholds[c, i]) & ((1 << cfg.SW) - 1)) << ((c * cfg.NT + i) * cfg.SW)
        return value

    def inputs(self) -> list[int]:
        m = (1 << self.cfg.EW) - 1
        return [sum((int(v) & m) << (c * self.cfg.EW) for c, v in enumerate(px)) for f in self.frames for px in f]

    def reference(self) -> list[int]:
        cfg = self.cfg
        if cfg.MODE == 1:
            vals, bits = self.sums, cfg.SW
        else:
            vals = (self.sums[:, :, None] >= self.thresholds[None]).sum(axis=2) + cfg.OOFF
            bits = cfg.OB
        m = (1 << bits) - 1
        return [sum((int(v) & m) << (c * bits) for c, v in enumerate(row)) for row in vals]

    @cached_property
    def sources(self) -> dict[str, str]:
        return {"dut_top.v": wrapper(self.cfg, self.thresh_vector), **lib_sources()}

    def run(self, **kw) -> SimResult:
        return simulate(
            self.sources,
            "dut_top",
            self.cfg.in_width,
            self.cfg.out_width,
            self.inputs(),
            expected_outputs=N_FRAMES,
            **kw,
        )


_CASES: dict[Gap, Case] = {}


def case(cfg: Gap) -> Case:
    if cfg not in _CASES:
        _CASES[cfg] = Case(cfg)
    return _CASES[cfg]


def test_reference_levels_are_mixed() -> None:
    """The requantized outputs use more than one level per configuration."""
    for cfg in CFGS:
        if cfg.MODE == 0:
            c = case(cfg)
            levels = (c.sums[:, :, None] >= c.thresholds[None]).sum(axis=2)
            assert len(np.unique(levels)) > 1, cfg


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_gap_lint(cfg: Gap) -> None:
    lint(case(cfg).sources, "dut_top")


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
    g = Gap(2, 2, 0, 49, 1, 8)  # sums reach 147: 9 bits
    with pytest.raises(LintError, match="lowbit_gap_requires_SW_between_2_and_31_holding_every_sum"):
        lint({"dut_top.v": wrapper(g, None), **lib_sources()}, "dut_top")
