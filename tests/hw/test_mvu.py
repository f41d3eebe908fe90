"""lowbit_mvu against a numpy reference, co-simulated with Verilator.

Each parameter set is one Verilator build (cached on disk across runs); the
stall patterns reuse the same executable.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pytest
from mvu_checks import check_exact_ii_latency, check_heavy_backpressure, check_latency_when_idle, check_random_stalls

from lowbitc.backends.runtime.sim.verilator import SimResult, lint, simulate
from lowbitc.backends.verilog.library import library_sources
from lowbitc.backends.verilog.rom import rom_addr_width, rom_module


def clog2(n: int) -> int:
    return max(0, (n - 1).bit_length())


@dataclass(frozen=True)
class Cfg:
    K: int
    C: int
    PE: int
    SIMD: int
    MODE: int
    PIPE: int
    seed: int = 0

    @property
    def NF(self) -> int:
        return self.C // self.PE

    @property
    def SF(self) -> int:
        return self.K // self.SIMD

    @property
    def II(self) -> int:
        return self.NF * self.SF

    @property
    def latency(self) -> int:
        # Documented in lowbit_mvu.v: NF*SF + 3 + PIPE.
        return self.II + 3 + self.PIPE

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


class Case:
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
        p = (self.x[:, None, :] == self.w[None, :, :]).sum(axis=2)  # (N, C)
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

    def inputs(self) -> list[int]:
        return [int(sum(int(b) << k for k, b in enumerate(row))) for row in self.x]

    def rom_words(self) -> list[int]:
        cfg = self.cfg
        words = []
        for nf in range(cfg.NF):
            for sf in range(cfg.SF):
                word = 0
                for p in range(cfg.PE):
                    for s in range(cfg.SIMD):
                        word |= int(self.w[nf * cfg.PE + p, sf * cfg.SIMD + s]) << (p * cfg.SIMD + s)
                words.append(word)
        return words

    @cached_property
    def sources(self) -> dict[str, str]:
        cfg = self.cfg
        thresh = sum(int(tc) << (c * cfg.PW) for c, tc in enumerate(self.t))
        tw = cfg.C * cfg.PW
        aw = rom_addr_width(cfg.II)
        top = f"""module mvu_top (
    input  wire clk,
    input  wire rst,
    input  wire [{cfg.K - 1}:0] in_tdata,
    input  wire in_tvalid,
    output wire in_tready,
    output wire [{cfg.out_width - 1}:0] out_tdata,
    output wire out_tvalid,
    input  wire out_tready
);
    wire [{aw - 1}:0] wmem_addr;
    wire wmem_en;
    wire [{cfg.PE * cfg.SIMD - 1}:0] wmem_data;
    L0_wmem u_wmem (.clk(clk), .en(wmem_en), .addr(wmem_addr), .data(wmem_data));
    lowbit_mvu #(
        .K({cfg.K}), .C({cfg.C}), .PE({cfg.PE}), .SIMD({cfg.SIMD}), .PW({cfg.PW}),
        .MODE({cfg.MODE}), .PIPE({cfg.PIPE}), .THRESH({tw}'h{thresh:0{(tw + 3) // 4}x})
    ) u_mvu (
        .clk(clk), .rst(rst),
        .in_tdata(in_tdata), .in_tvalid(in_tvalid), .in_tready(in_tready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready),
        .wmem_addr(wmem_addr), .wmem_en(wmem_en), .wmem_data(wmem_data)
    );
endmodule
"""
        return {
            "mvu_top.v": top,
            "L0_wmem.v": rom_module("L0_wmem", self.rom_words(), cfg.PE * cfg.SIMD),
            **library_sources(),
        }

    def run(self, **kw) -> SimResult:
        return simulate(self.sources, "mvu_top", self.cfg.K, self.cfg.out_width, self.inputs(), **kw)


_CASES: dict[Cfg, Case] = {}


def case(cfg: Cfg) -> Case:
    if cfg not in _CASES:
        _CASES[cfg] = Case(cfg)
    return _CASES[cfg]


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
    args = ", ".join(f".{k}({v})" for k, v in params.items())
    k = params.get("K", 16)
    c, pe, simd = params.get("C", 8), params.get("PE", 2), params.get("SIMD", 4)
    pw = params.get("PW", clog2(k + 2))
    ow = c if params.get("MODE", 0) == 0 else c * pw
    aw = max(1, clog2((c // pe) * (k // simd)))
    wrapper = f"""module lint_top (
    input wire clk, input wire rst,
    input wire [{k - 1}:0] in_tdata, input wire in_tvalid, output wire in_tready,
    output wire [{ow - 1}:0] out_tdata, output wire out_tvalid, input wire out_tready,
    output wire [{aw - 1}:0] wmem_addr, output wire wmem_en, input wire [{pe * simd - 1}:0] wmem_data
);
    lowbit_mvu #({args}) u (
        .clk(clk), .rst(rst), .in_tdata(in_tdata), .in_tvalid(in_tvalid), .in_tready(in_tready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready),
        .wmem_addr(wmem_addr), .wmem_en(wmem_en), .wmem_data(wmem_data));
endmodule
"""
    lint({"lint_top.v": wrapper, **library_sources()}, "lint_top")


def test_mvu_rejects_bad_folding() -> None:
    bad = """module lint_top (input wire clk, input wire rst);
    lowbit_mvu #(.K(10), .C(4), .PE(3), .SIMD(4)) u (.clk(clk), .rst(rst),
        .in_tdata(), .in_tvalid(1'b0), .in_tready(), .out_tdata(), .out_tvalid(),
        .out_tready(1'b0), .wmem_addr(), .wmem_en(), .wmem_data());
endmodule
"""
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
