"""lowbit_swg (sliding-window generator) against a numpy reference, under Verilator.

Each configuration is one cached Verilator build; the stall patterns reuse it.
Every run streams several frames back to back, so frame boundaries are
crossed with the line buffer still holding the previous frame.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.hw import StreamCase, case_cache, diff_msg, stream_top
from support.windows import Swg, completing_pixels, pixel_beats, random_frames, window_words

from lowbitc.backends.runtime.sim.verilator import LintError, lint
from lowbitc.backends.verilog.library import library_sources

N_FRAMES = 4


CFGS = [
    Swg(3, 2, 5, 7, 3, 3, 1, 1),  # 3x3 stride 1, 2-bit elements, non-square frame
    Swg(8, 1, 8, 6, 3, 3, 2, 2),  # stride 2, bottom row unused; 72-bit windows (VlWide)
    Swg(2, 1, 6, 7, 2, 2, 2, 2),  # 2x2/2 (pooling), last column unused
    Swg(5, 1, 4, 5, 1, 1, 1, 1),  # 1x1: every pixel is a window
    Swg(2, 3, 3, 6, 3, 2, 1, 2),  # KH == H, non-square kernel, mixed strides
    Swg(3, 1, 5, 1, 2, 1, 2, 1),  # W == 1: single-column line buffer
    Swg(4, 1, 7, 5, 1, 3, 2, 1),  # KH == 1: no line buffer, row stride 2
]


class Case(StreamCase):
    """Random frames for one configuration and the expected windows."""

    def __init__(self, cfg: Swg):
        super().__init__(cfg)
        self.frames = random_frames(cfg, N_FRAMES)

    def inputs(self) -> list[int]:
        return pixel_beats(self.cfg, self.frames)

    def reference(self) -> list[int]:
        return window_words(self.cfg, self.frames)

    def completing_pixel(self) -> list[int]:
        """Index in the input stream of each window's bottom-right pixel."""
        return completing_pixels(self.cfg, N_FRAMES)

    def top_source(self) -> str:
        cfg = self.cfg
        return stream_top("lowbit_swg", cfg.params(), cfg.in_width, cfg.out_width)

    def expected_outputs(self) -> int:
        return N_FRAMES * self.cfg.Ho * self.cfg.Wo


case = case_cache(Case)


def _diff_msg(got: list[int], want: list[int], cfg: Swg) -> str:
    return diff_msg(got, want, cfg, "window")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_swg_lint(cfg: Swg) -> None:
    case(cfg).lint()


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_swg_no_stall_exact_and_timing(cfg: Swg) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run()
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    n_in = N_FRAMES * cfg.H * cfg.W
    # One pixel per cycle from the first one on: a frame takes exactly H*W cycles.
    c0 = r.in_accept_cycles[0]
    assert r.in_accept_cycles == list(range(c0, c0 + n_in)), f"{cfg}: input not accepted every cycle"
    # Documented latency: window offered (and, consumer ready, taken) one
    # cycle after its bottom-right pixel.
    lat = [o - r.in_accept_cycles[p] for o, p in zip(r.out_accept_cycles, c.completing_pixel())]
    assert set(lat) == {1}, f"{cfg}: latencies {lat}"
    # Steady state: each frame's windows exactly H*W cycles after the previous frame's.
    per = cfg.Ho * cfg.Wo
    period = np.array(r.out_accept_cycles[per:]) - np.array(r.out_accept_cycles[:-per])
    assert (period == cfg.H * cfg.W).all(), f"{cfg}: frame periods {sorted(set(period.tolist()))}"


STALLS = [(0.3, 0.3), (0.7, 0.7), (0.0, 0.7), (0.7, 0.0)]


@pytest.mark.parametrize("stall_in,stall_out", STALLS)
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_swg_random_stalls(cfg: Swg, stall_in: float, stall_out: float) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run(stall_in=stall_in, stall_out=stall_out, seed=int(10 * stall_in + 100 * stall_out))
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    assert len(r.in_accept_cycles) == N_FRAMES * cfg.H * cfg.W


@pytest.mark.parametrize("cfg", [CFGS[0], CFGS[2], CFGS[3]], ids=str)
def test_swg_stalls_only_on_completing_pixels(cfg: Swg) -> None:
    """Input always valid, consumer mostly stalled: the FIFO fills, and only
    pixels that complete a window may then wait (all others are accepted in
    the cycle after the previous pixel)."""
    c = case(cfg)
    r = c.run(stall_in=0.0, stall_out=0.95, seed=5)
    assert r.outputs == c.reference(), _diff_msg(r.outputs, c.reference(), cfg)
    completing = set(c.completing_pixel())
    gaps = np.diff(r.in_accept_cycles)
    waited = {i + 1 for i in np.flatnonzero(gaps > 1).tolist()}
    assert waited, "the consumer stalls never back-pressured the input"
    assert waited <= completing, f"{cfg}: non-completing pixels waited: {sorted(waited - completing)}"


@pytest.mark.parametrize(
    "cfg",
    [
        Swg(1, 1, 1, 1, 1, 1, 1, 1),  # one-pixel frame
        Swg(4, 1, 4, 4, 4, 4, 1, 1),  # kernel == frame
        Swg(2, 1, 9, 9, 3, 3, 3, 3),
        Swg(1, 2, 2, 2, 1, 1, 2, 2),
        Swg(3, 1, 5, 8, 5, 1, 1, 3),
        Swg(64, 1, 32, 32, 3, 3, 1, 1),  # realistic size
        Swg(16, 2, 13, 17, 2, 3, 2, 3),
    ],
    ids=str,
)
def test_swg_module_lint(cfg: Swg) -> None:
    lint(
        {"dut_top.v": stream_top("lowbit_swg", cfg.params(), cfg.in_width, cfg.out_width), **library_sources()},
        "dut_top",
    )


def test_swg_lints_standalone() -> None:
    lint(library_sources(), "lowbit_swg")


@pytest.mark.parametrize(
    "cfg,msg",
    [
        (Swg(2, 1, 4, 4, 5, 3, 1, 1), "lowbit_swg_requires_1_le_KH_le_H"),
        (Swg(2, 1, 4, 4, 3, 5, 1, 1), "lowbit_swg_requires_1_le_KH_le_H"),
        (Swg(2, 1, 4, 4, 3, 3, 0, 1), "lowbit_swg_requires_SH_and_SW_at_least_1"),
    ],
    ids=lambda v: str(v) if isinstance(v, Swg) else "",
)
def test_swg_rejects_bad_params(cfg: Swg, msg: str) -> None:
    src = stream_top("lowbit_swg", cfg.params(), cfg.in_width, cfg.out_width)
    with pytest.raises(LintError, match=msg):
        lint({"dut_top.v": src, **library_sources()}, "dut_top")
