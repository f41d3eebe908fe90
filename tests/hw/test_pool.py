"""lowbit_pool (bipolar max-pool = OR over the window) against numpy, under Verilator."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pytest

from lowbitc.backends.sim.verilator import LintError, SimResult, library_sources, lint, simulate

N_FRAMES = 4


@dataclass(frozen=True)
class Pool:
    C: int
    H: int
    W: int
    K: int
    S: int

    @property
    def Ho(self) -> int:
        return (self.H - self.K) // self.S + 1

    @property
    def Wo(self) -> int:
        return (self.W - self.K) // self.S + 1

    def params(self) -> dict[str, int]:
        return {"C": self.C, "H": self.H, "W": self.W, "K": self.K, "S": self.S}

    def __str__(self) -> str:
        return f"C{self.C}_{self.H}x{self.W}_k{self.K}_s{self.S}"


CFGS = [
    Pool(1, 4, 6, 2, 2),  # the usual 2x2/2, one channel
    Pool(7, 5, 6, 3, 2),  # overlapping 3x3/2, last row and column unused
    Pool(16, 6, 5, 2, 1),  # stride 1, non-square frame
]


def wrapper(params: dict[str, int], c: int) -> str:
    args = ", ".join(f".{k}({v})" for k, v in params.items())
    return f"""module dut_top (
    input  wire clk,
    input  wire rst,
    input  wire [{c - 1}:0] in_tdata,
    input  wire in_tvalid,
    output wire in_tready,
    output wire [{c - 1}:0] out_tdata,
    output wire out_tvalid,
    input  wire out_tready
);
    lowbit_pool #({args}) u_dut (
        .clk(clk), .rst(rst),
        .in_tdata(in_tdata), .in_tvalid(in_tvalid), .in_tready(in_tready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready)
    );
endmodule
"""


class Case:
    def __init__(self, cfg: Pool):
        self.cfg = cfg
        rng = np.random.default_rng(zlib.crc32(str(cfg).encode()))
        # P(bit = 1) chosen so that a window's OR is 1 about half the time;
        # with fair bits a 3x3 OR would almost always be 1.
        p1 = 1.0 - 0.5 ** (1.0 / (cfg.K * cfg.K))
        self.frames = (rng.random((N_FRAMES, cfg.H, cfg.W, cfg.C)) < p1).astype(np.int64)

    def inputs(self) -> list[int]:
        return [sum(int(b) << c for c, b in enumerate(px)) for f in self.frames for row in f for px in row]

    def reference(self) -> list[int]:
        cfg = self.cfg
        outs = []
        for f in self.frames:
            for oy in range(cfg.Ho):
                for ox in range(cfg.Wo):
                    win = f[oy * cfg.S : oy * cfg.S + cfg.K, ox * cfg.S : ox * cfg.S + cfg.K]
                    # Bipolar max: +1 (bit 1) iff any element is +1.
                    pooled = win.max(axis=(0, 1))
                    outs.append(sum(int(b) << c for c, b in enumerate(pooled)))
        return outs

    def completing_pixel(self) -> list[int]:
        cfg = self.cfg
        return [
            f * cfg.H * cfg.W + (oy * cfg.S + cfg.K - 1) * cfg.W + ox * cfg.S + cfg.K - 1
            for f in range(N_FRAMES)
            for oy in range(cfg.Ho)
            for ox in range(cfg.Wo)
        ]

    @cached_property
    def sources(self) -> dict[str, str]:
        return {"dut_top.v": wrapper(self.cfg.params(), self.cfg.C), **library_sources()}

    def run(self, **kw) -> SimResult:
        cfg = self.cfg
        n_out = N_FRAMES * cfg.Ho * cfg.Wo
        return simulate(self.sources, "dut_top", cfg.C, cfg.C, self.inputs(), expected_outputs=n_out, **kw)


_CASES: dict[Pool, Case] = {}


def case(cfg: Pool) -> Case:
    if cfg not in _CASES:
        _CASES[cfg] = Case(cfg)
    return _CASES[cfg]


def _diff_msg(got: list[int], want: list[int], cfg: Pool) -> str:
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return f"{cfg}: output {i}: got {g:#x}, want {w:#x} (xor {g ^ w:#x})"
    return f"{cfg}: {len(got)} outputs, want {len(want)}"


def test_pool_data_is_mixed() -> None:
    """Guard against a degenerate reference (all-ones or all-zeros outputs)."""
    bits = [(v >> c) & 1 for cfg in CFGS for v in case(cfg).reference() for c in range(cfg.C)]
    assert 0.2 < sum(bits) / len(bits) < 0.8


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_pool_lint(cfg: Pool) -> None:
    lint(case(cfg).sources, "dut_top")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_pool_no_stall_exact_and_timing(cfg: Pool) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run()
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    c0 = r.in_accept_cycles[0]
    n_in = N_FRAMES * cfg.H * cfg.W
    assert r.in_accept_cycles == list(range(c0, c0 + n_in)), f"{cfg}: input not accepted every cycle"
    # Documented latency: 2 cycles after the window's bottom-right pixel.
    lat = [o - r.in_accept_cycles[p] for o, p in zip(r.out_accept_cycles, c.completing_pixel())]
    assert set(lat) == {2}, f"{cfg}: latencies {lat}"
    per = cfg.Ho * cfg.Wo
    period = np.array(r.out_accept_cycles[per:]) - np.array(r.out_accept_cycles[:-per])
    assert (period == cfg.H * cfg.W).all(), f"{cfg}: frame periods {sorted(set(period.tolist()))}"


@pytest.mark.parametrize("stall_in,stall_out", [(0.3, 0.3), (0.7, 0.7), (0.0, 0.7), (0.7, 0.0), (0.0, 0.95)])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_pool_random_stalls(cfg: Pool, stall_in: float, stall_out: float) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run(stall_in=stall_in, stall_out=stall_out, seed=int(10 * stall_in + 100 * stall_out) + 1)
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    assert len(r.in_accept_cycles) == N_FRAMES * cfg.H * cfg.W


@pytest.mark.parametrize(
    "cfg",
    [
        Pool(1, 1, 1, 1, 1),
        Pool(4, 3, 3, 3, 3),  # kernel == frame
        Pool(3, 4, 4, 1, 1),
        Pool(64, 32, 32, 2, 2),
        Pool(2, 2, 5, 2, 1),
        Pool(8, 9, 7, 3, 3),
    ],
    ids=str,
)
def test_pool_module_lint(cfg: Pool) -> None:
    lint({"dut_top.v": wrapper(cfg.params(), cfg.C), **library_sources()}, "dut_top")


def test_pool_lints_standalone() -> None:
    lint(library_sources(), "lowbit_pool")


def test_pool_rejects_kernel_larger_than_frame() -> None:
    src = wrapper(Pool(2, 4, 4, 5, 1).params(), 2)
    with pytest.raises(LintError, match="lowbit_swg_requires_1_le_KH_le_H"):
        lint({"dut_top.v": src, **library_sources()}, "dut_top")
