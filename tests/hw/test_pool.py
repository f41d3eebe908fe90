"""lowbit_pool against numpy, under Verilator: bipolar max-pool (OR over the
window, EW = 1) and max-pool of EW-bit signed/unsigned integers (EW >= 2)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import StreamCase, case_cache, diff_msg, library_subset, pack, stream_top

from lowbitc.backends.runtime.sim.verilator import LintError, lint
from lowbitc.backends.verilog.library import library_sources
from lowbitc.dialects import rtl

N_FRAMES = 4
LIB_FILES = rtl.PoolInstanceOp.LIBRARY_FILES


@dataclass(frozen=True)
class Pool:
    C: int
    H: int
    W: int
    K: int
    S: int
    EW: int = 1  # 1: bipolar bits; >= 2: integers
    ES: int = 1  # signedness of EW >= 2 elements

    @property
    def PW(self) -> int:
        """Bits per pixel beat."""
        return self.C * self.EW

    @property
    def in_width(self) -> int:
        return self.PW

    @property
    def out_width(self) -> int:
        return self.PW

    @property
    def lo(self) -> int:
        """Smallest element value (EW >= 2)."""
        return -(1 << (self.EW - 1)) if self.ES else 0

    @property
    def levels(self) -> int:
        return 1 << self.EW

    @property
    def latency(self) -> int:
        """The header's latency: a window is offered this many cycles after its bottom-right pixel
        is accepted (the row accumulator combines on the way into its FIFO; the window
        generator's windows take a cycle more)."""
        return 1 if self.S == self.K else 2

    @property
    def Ho(self) -> int:
        return (self.H - self.K) // self.S + 1

    @property
    def Wo(self) -> int:
        return (self.W - self.K) // self.S + 1

    def params(self) -> dict[str, int]:
        p = {"C": self.C, "H": self.H, "W": self.W, "K": self.K, "S": self.S}
        # The defaults are left out so the bipolar wrappers are what they
        # were before EW/ES existed.
        if self.EW != 1:
            p |= {"EW": self.EW, "ES": self.ES}
        return p

    def __str__(self) -> str:
        el = "" if self.EW == 1 else f"_{'s' if self.ES else 'u'}{self.EW}"
        return f"C{self.C}_{self.H}x{self.W}_k{self.K}_s{self.S}{el}"


CFGS = [
    # S == K: the row accumulator
    Pool(1, 4, 6, 2, 2),  # the usual 2x2/2, one channel
    Pool(5, 6, 7, 2, 2, EW=2, ES=1),  # 2-bit signed {-2..1}, last column unused
    Pool(96, 5, 5, 2, 2),  # many channels, last row and column unused
    Pool(3, 8, 7, 3, 3, EW=3, ES=1),  # 3x3/3, 3-bit signed, last 2 rows and the last column unused
    Pool(4, 6, 9, 3, 3, EW=3, ES=0),  # 3x3/3, 3-bit unsigned, a frame of two window rows
    Pool(6, 7, 5, 3, 3),  # 3x3/3 bits: one window column, one window row, margins both ways
    Pool(2, 3, 4, 1, 1),  # K = 1: every pixel is a window, one a cycle
    # S != K: the window generator
    Pool(7, 5, 6, 3, 2),  # overlapping 3x3/2, last row and column unused
    Pool(16, 6, 5, 2, 1),  # stride 1, non-square frame
    Pool(4, 7, 5, 3, 2, EW=3, ES=0),  # 3-bit unsigned {0..7}, overlapping 3x3/2
    Pool(3, 8, 8, 2, 3, EW=2, ES=1),  # 2x2/3: gaps between windows
]
INT_CFGS = [c for c in CFGS if c.EW > 1]


def wrapper(params: dict[str, int], c: int) -> str:
    """Top around lowbit_pool; c is the pixel width in bits (C*EW)."""
    return stream_top("lowbit_pool", params, c, c)


class Case(StreamCase):
    lib_files = LIB_FILES

    def __init__(self, cfg: Pool):
        super().__init__(cfg)
        rng = np.random.default_rng(zlib.crc32(str(cfg).encode()))
        shape = (N_FRAMES, cfg.H, cfg.W, cfg.C)
        kk = cfg.K * cfg.K
        if cfg.EW == 1:
            # P(bit = 1) chosen so that a window's OR is 1 about half the
            # time; with fair bits a 3x3 OR would almost always be 1.
            p1 = 1.0 - 0.5 ** (1.0 / kk)
            self.frames = (rng.random(shape) < p1).astype(np.int64)
        else:
            # Element level floor(L * u**kk), u uniform: P(level <= m) =
            # ((m+1)/L)**(1/kk), so the maximum of kk elements is about
            # uniform over the L levels. Low values dominate, hence negative
            # maxima (signed) and ties of the maximum are common.
            u = rng.random(shape)
            self.frames = cfg.lo + np.minimum((cfg.levels * u**kk).astype(np.int64), cfg.levels - 1)

    def inputs(self) -> list[int]:
        return [pack(px, self.cfg.EW) for f in self.frames for row in f for px in row]

    def windows(self):
        """(frame, oy, ox, window array K x K x C) in output order."""
        cfg = self.cfg
        for fi, f in enumerate(self.frames):
            for oy in range(cfg.Ho):
                for ox in range(cfg.Wo):
                    yield fi, oy, ox, f[oy * cfg.S : oy * cfg.S + cfg.K, ox * cfg.S : ox * cfg.S + cfg.K]

    def reference(self) -> list[int]:
        # Bipolar max: +1 (bit 1) iff any element is +1, i.e. the max of the
        # bits; integers: the max of the values (packed as two's complement).
        return [pack(win.max(axis=(0, 1)), self.cfg.EW) for *_, win in self.windows()]

    def completing_pixel(self) -> list[int]:
        cfg = self.cfg
        return [
            f * cfg.H * cfg.W + (oy * cfg.S + cfg.K - 1) * cfg.W + ox * cfg.S + cfg.K - 1
            for f in range(N_FRAMES)
            for oy in range(cfg.Ho)
            for ox in range(cfg.Wo)
        ]

    def top_source(self) -> str:
        return wrapper(self.cfg.params(), self.cfg.PW)

    def expected_outputs(self) -> int:
        return N_FRAMES * self.cfg.Ho * self.cfg.Wo


case = case_cache(Case)


def _diff_msg(got: list[int], want: list[int], cfg: Pool) -> str:
    return diff_msg(got, want, cfg, "output")


def test_pool_data_is_mixed() -> None:
    """Guard against a degenerate reference (all-ones or all-zeros outputs)."""
    bits = [(v >> c) & 1 for cfg in CFGS if cfg.EW == 1 for v in case(cfg).reference() for c in range(cfg.C)]
    assert 0.2 < sum(bits) / len(bits) < 0.8


@pytest.mark.parametrize("cfg", INT_CFGS, ids=str)
def test_pool_int_data_is_mixed(cfg: Pool) -> None:
    """Every level occurs as a maximum (for signed elements: negative maxima
    too), and many windows hold their maximum more than once (ties)."""
    maxima, ties = [], 0
    for *_, win in case(cfg).windows():
        m = win.max(axis=(0, 1))
        maxima += m.tolist()
        ties += int(((win == m).sum(axis=(0, 1)) > 1).sum())
    assert set(maxima) == set(range(cfg.lo, cfg.lo + cfg.levels)), cfg
    assert ties > len(maxima) // 10, f"{cfg}: {ties} ties in {len(maxima)} maxima"
    if cfg.ES:
        assert sum(m < 0 for m in maxima) > len(maxima) // 5, cfg


def test_pool_reference_packing() -> None:
    """The reference packs signed maxima as EW-bit two's complement."""
    c = Case(Pool(2, 2, 2, 2, 2, EW=3, ES=1))
    c.frames[:] = 0
    c.frames[0, :, :, 0] = [[-4, -2], [-3, -2]]  # max -2 (a tie) = 0b110
    c.frames[0, :, :, 1] = [[-4, 3], [3, 0]]  # max 3 = 0b011
    assert c.reference()[0] == 0b011_110


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_pool_lint(cfg: Pool) -> None:
    case(cfg).lint()


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_pool_no_stall_exact_and_timing(cfg: Pool) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run()
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    c0 = r.in_accept_cycles[0]
    n_in = N_FRAMES * cfg.H * cfg.W
    assert r.in_accept_cycles == list(range(c0, c0 + n_in)), f"{cfg}: input not accepted every cycle"
    # Documented latency: 1 (S == K) or 2 cycles after the window's bottom-right pixel.
    lat = [o - r.in_accept_cycles[p] for o, p in zip(r.out_accept_cycles, c.completing_pixel())]
    assert set(lat) == {cfg.latency}, f"{cfg}: latencies {lat}"
    per = cfg.Ho * cfg.Wo
    period = np.array(r.out_accept_cycles[per:]) - np.array(r.out_accept_cycles[:-per])
    assert (period == cfg.H * cfg.W).all(), f"{cfg}: frame periods {sorted(set(period.tolist()))}"


@pytest.mark.parametrize("stall_in,stall_out", [(0.3, 0.3), (0.7, 0.7), (0.0, 0.7), (0.7, 0.0), (0.0, 0.95)])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_pool_random_stalls(cfg: Pool, stall_in: float, stall_out: float) -> None:
    # The frames are followed by a repeat of the first up to its last window, so every pixel of
    # the checked frames, the dropped margins after their last windows too, must be consumed
    # before the run ends (it ends a few cycles after the last expected output).
    c = case(cfg)
    frame, per = cfg.H * cfg.W, cfg.Ho * cfg.Wo
    extra = c.completing_pixel()[per - 1] + 1
    want = c.reference() + c.reference()[:per]
    r = c.run(
        inputs=c.inputs() + c.inputs()[:extra],
        expected=len(want),
        stall_in=stall_in,
        stall_out=stall_out,
        seed=int(10 * stall_in + 100 * stall_out) + 1,
    )
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    assert len(r.in_accept_cycles) == N_FRAMES * frame + extra


@pytest.mark.parametrize(
    "cfg",
    [
        Pool(1, 1, 1, 1, 1),
        Pool(4, 3, 3, 3, 3),  # kernel == frame
        Pool(3, 4, 4, 1, 1),
        Pool(64, 32, 32, 2, 2),
        Pool(2, 2, 5, 2, 1),
        Pool(8, 9, 7, 3, 3),
        Pool(1, 1, 1, 1, 1, EW=2, ES=1),  # K = 1: a tree without nodes
        Pool(3, 4, 4, 1, 1, EW=4, ES=0),
        Pool(64, 16, 16, 2, 2, EW=2, ES=1),
        Pool(7, 5, 5, 3, 1, EW=8, ES=1),  # K*K = 9: unbalanced heap
        Pool(2, 5, 5, 5, 5, EW=5, ES=0),  # K*K = 25
    ],
    ids=str,
)
def test_pool_module_lint(cfg: Pool) -> None:
    lint({"dut_top.v": wrapper(cfg.params(), cfg.PW), **library_subset(LIB_FILES)}, "dut_top")


def test_pool_lints_standalone() -> None:
    lint(library_sources(), "lowbit_pool")


@pytest.mark.parametrize("stride", [1, 5], ids=["swg", "rows"])
def test_pool_rejects_kernel_larger_than_frame(stride: int) -> None:
    src = wrapper(Pool(2, 4, 4, 5, stride).params(), 2)
    with pytest.raises(LintError, match="lowbit_swg_requires_1_le_KH_le_H"):
        lint({"dut_top.v": src, **library_sources()}, "dut_top")


def test_pool_rejects_bad_signedness() -> None:
    src = wrapper(Pool(2, 4, 4, 2, 2, EW=2, ES=2).params(), 4)
    with pytest.raises(LintError, match="lowbit_pool_requires_ES_0_or_1"):
        lint({"dut_top.v": src, **library_subset(LIB_FILES)}, "dut_top")
