"""lowbit_mvu with border cases (NCASE > 1): the thresholds of each vector come from the table of
its output pixel's border case, which lowbit_mvu_border derives from pixel counters. Against
numpy (the interpreter's case map, `BorderAttr.case_map`), with one threshold (the sign-bit
path) and three (comparators), several channel folds, frames back to back, random stalls."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pytest
from mvu_checks import check_exact_ii_latency, check_heavy_backpressure, check_random_stalls

from lowbitc.backends.runtime.sim.verilator import SimResult, lint, simulate
from lowbitc.backends.verilog.instances import parameter_text
from lowbitc.backends.verilog.library import library_sources
from lowbitc.backends.verilog.rom import rom_addr_width, rom_module
from lowbitc.dialects.lowbit.attributes import dense_from_numpy
from lowbitc.dialects.lowbit.border import BorderAttr
from lowbitc.dialects.rtl.mvu import border_parameters
from lowbitc.dialects.rtl.parameters import threshold_vector


def clog2(n: int) -> int:
    return max(0, (n - 1).bit_length())


@dataclass(frozen=True)
class Cfg:
    K: int
    C: int
    PE: int
    SIMD: int
    NT: int
    PIPE: int
    geometry: tuple  # (map (H, W), kernel, strides, pads)

    @property
    def NF(self) -> int:
        return self.C // self.PE

    @property
    def II(self) -> int:
        return self.NF * (self.K // self.SIMD)

    @property
    def latency(self) -> int:
        return self.II + 3 + self.PIPE

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
        unit = f"K{self.K}_C{self.C}_PE{self.PE}_S{self.SIMD}_NT{self.NT}_P{self.PIPE}"
        return f"{unit}_{h}x{w}_k{kh}_s{s}_p{''.join(map(str, pads))}"


CFGS = [
    Cfg(18, 6, 2, 6, NT=1, PIPE=1, geometry=((5, 4), (3, 3), (1, 1), (1, 1, 1, 1))),  # 9 cases, NF 3
    Cfg(18, 6, 3, 9, NT=3, PIPE=0, geometry=((5, 4), (3, 3), (1, 1), (1, 1, 1, 1))),  # comparators
    Cfg(25, 4, 4, 25, NT=1, PIPE=0, geometry=((4, 6), (5, 5), (2, 1), (2, 0, 1, 2))),  # NF 1, asymmetric
    Cfg(50, 4, 1, 25, NT=3, PIPE=1, geometry=((3, 3), (5, 5), (1, 1), (2, 2, 2, 2))),  # window over the whole map
]


class Case:
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
        p = (self.x[:, None, :] == self.w[None, :, :]).sum(axis=2)
        outs = []
        for i, row in enumerate(p):
            table = self.t[self.cases[i % len(self.cases)]]
            outs.append(sum(int((pc >= table[c]).sum()) << (c * cfg.OB) for c, pc in enumerate(row)))
        return outs

    def inputs(self) -> list[int]:
        return [int(sum(int(b) << k for k, b in enumerate(row))) for row in self.x]

    def rom_words(self) -> list[int]:
        cfg = self.cfg
        sf_n = cfg.K // cfg.SIMD
        return [
            sum(
                int(self.w[nf * cfg.PE + p, sf * cfg.SIMD + s]) << (p * cfg.SIMD + s)
                for p in range(cfg.PE)
                for s in range(cfg.SIMD)
            )
            for nf in range(cfg.NF)
            for sf in range(sf_n)
        ]

    @cached_property
    def sources(self) -> dict[str, str]:
        cfg = self.cfg
        params = [
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
    lowbit_mvu #({", ".join(f".{k}({v})" for k, v in params)}) u_mvu (
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
