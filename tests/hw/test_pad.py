"""lowbit_pad (zero padding, optional bipolar -> 2-bit widening) against numpy, under Verilator.

Each configuration is one cached Verilator build; the stall patterns reuse it.
Every run streams several frames back to back, so the position counter wraps
from one frame's bottom padding into the next frame's top padding. The
harness fails a run on any output beat beyond the expected ones, so every
run also checks that the unit emits nothing of a frame whose input never
comes (it must not run ahead into a fifth frame's top padding).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import StreamCase, case_cache, library_subset, pack, stream_top

from lowbitc.backends.runtime.sim.verilator import LintError, lint
from lowbitc.dialects import rtl

N_FRAMES = 4
LIB_FILES = rtl.PadInstanceOp.LIBRARY_FILES


@dataclass(frozen=True)
class Pad:
    C: int
    EW: int
    H: int
    W: int
    PT: int
    PL: int
    PB: int
    PR: int
    WIDEN: int
    ONES: int = 0
    """1: border bits all ones (+1 on bipolar bits, the +1 padding of a convolution on XNOR lanes)."""

    @property
    def HP(self) -> int:
        return self.PT + self.H + self.PB

    @property
    def WP(self) -> int:
        return self.PL + self.W + self.PR

    @property
    def P(self) -> int:
        """Output beats (and cycles at full rate) per frame."""
        return self.HP * self.WP

    @property
    def IEW(self) -> int:
        return 1 if self.WIDEN else self.EW

    @property
    def OEW(self) -> int:
        return 2 if self.WIDEN else self.EW

    @property
    def in_width(self) -> int:
        return self.C * self.IEW

    @property
    def out_width(self) -> int:
        return self.C * self.OEW

    def params(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("C", "EW", "H", "W", "PT", "PL", "PB", "PR", "WIDEN")} | (
            {"ONES": 1} if self.ONES else {}
        )

    def interior(self, oy: int, ox: int) -> bool:
        return self.PT <= oy < self.PT + self.H and self.PL <= ox < self.PL + self.W

    def __str__(self) -> str:
        return (
            f"C{self.C}_{'widen' if self.WIDEN else f'EW{self.EW}'}_{self.H}x{self.W}"
            f"_p{self.PT}{self.PL}{self.PB}{self.PR}" + ("_ones" if self.ONES else "")
        )


CFGS = [
    Pad(7, 1, 5, 5, 1, 1, 1, 1, 0, ONES=1),  # bipolar bits bordered with bit 1 (+1)
    Pad(5, 1, 4, 3, 0, 2, 1, 0, 0, ONES=1),  # asymmetric, +1 borders
    Pad(3, 8, 5, 6, 1, 1, 1, 1, 0),  # pads 1, signed 8-bit incl. -128/127
    Pad(4, 1, 4, 5, 1, 1, 1, 1, 1),  # pads 1, bipolar widened to 2 bits
    Pad(3, 4, 4, 3, 0, 1, 2, 0, 0),  # asymmetric pads (no top/right)
    Pad(5, 1, 3, 4, 0, 1, 2, 0, 1),  # asymmetric pads, widened
    Pad(2, 8, 3, 4, 0, 0, 0, 0, 0),  # no padding: pass-through
    Pad(6, 1, 3, 3, 0, 0, 0, 0, 1),  # no padding: pure widening
    Pad(3, 2, 1, 5, 2, 0, 1, 3, 0),  # H == 1
    Pad(2, 1, 4, 1, 1, 2, 0, 1, 1),  # W == 1
    Pad(1, 1, 1, 1, 0, 0, 0, 0, 1),  # one-pixel frame, no padding: P == 1
    Pad(2, 3, 1, 1, 1, 1, 1, 1, 0),  # one-pixel frame, padded to 3x3
    Pad(2, 3, 2, 2, 3, 2, 1, 4, 0),  # pads larger than the frame
    Pad(3, 2, 3, 3, 2, 0, 0, 2, 0),  # top/right only
    Pad(9, 8, 3, 4, 1, 0, 1, 2, 0),  # 72-bit ports (VlWide)
    Pad(64, 1, 3, 3, 1, 1, 1, 1, 1),  # 64-bit in, 128-bit out (VlWide)
    Pad(7, 1, 5, 5, 1, 1, 1, 1, 0),  # 1-bit, not widened: bipolar bits bordered with bit 0 (-1), a padded max-pool's
]


def wrapper(cfg: Pad) -> str:
    return stream_top("lowbit_pad", cfg.params(), cfg.in_width, cfg.out_width)


class Case(StreamCase):
    """Random frames for one configuration and the expected padded frames."""

    lib_files = LIB_FILES

    def __init__(self, cfg: Pad):
        super().__init__(cfg)
        rng = np.random.default_rng(zlib.crc32(str(cfg).encode()))
        shape = (N_FRAMES, cfg.H, cfg.W, cfg.C)
        if cfg.WIDEN:
            # Bipolar values as +1/-1; the input bit is 1 for +1.
            self.values = rng.choice(np.array([-1, 1], dtype=np.int64), size=shape)
        else:
            lo, hi = -(1 << (cfg.EW - 1)), (1 << (cfg.EW - 1)) - 1
            self.values = rng.integers(lo, hi + 1, size=shape, dtype=np.int64)
            # The extremes in every frame (first and last pixel).
            flat = self.values.reshape(N_FRAMES, -1)
            flat[:, 0], flat[:, -1] = lo, hi

    def inputs(self) -> list[int]:
        cfg = self.cfg
        px = self.values.reshape(-1, cfg.C)
        if cfg.WIDEN:
            return [pack((p > 0).astype(np.int64), 1) for p in px]
        return [pack(p, cfg.EW) for p in px]

    def padded(self) -> np.ndarray:
        cfg = self.cfg
        # ONES: all-one border bits, i.e. -1 in two's complement (bit 1 = +1 on bipolar bits).
        return np.pad(
            self.values, ((0, 0), (cfg.PT, cfg.PB), (cfg.PL, cfg.PR), (0, 0)), constant_values=-1 if cfg.ONES else 0
        )

    def reference(self) -> list[int]:
        return [pack(p, self.cfg.OEW) for p in self.padded().reshape(-1, self.cfg.C)]

    def interior_index(self) -> list[int]:
        """Output-stream index of each input pixel."""
        cfg = self.cfg
        return [
            f * cfg.P + (cfg.PT + y) * cfg.WP + cfg.PL + x
            for f in range(N_FRAMES)
            for y in range(cfg.H)
            for x in range(cfg.W)
        ]

    def top_source(self) -> str:
        return wrapper(self.cfg)

    def expected_outputs(self) -> int:
        return N_FRAMES * self.cfg.P


case = case_cache(Case)


def _diff_msg(got: list[int], want: list[int], cfg: Pad) -> str:
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            f, k = divmod(i, cfg.P)
            return f"{cfg}: frame {f} pixel {divmod(k, cfg.WP)}: got {g:#x}, want {w:#x} (xor {g ^ w:#x})"
    return f"{cfg}: {len(got)} pixels, want {len(want)}"


def test_reference_encoding() -> None:
    """The numpy reference itself: widening codes, two's complement, zero pads."""
    c = Case(Pad(2, 8, 1, 1, 1, 0, 0, 0, 0))
    c.values[:] = np.array([-128, 127])
    assert c.inputs()[0] == 0x7F80
    assert c.reference()[:2] == [0, 0x7F80]
    w = Case(Pad(3, 1, 1, 1, 0, 0, 0, 1, 1))
    w.values[:] = np.array([1, -1, 1])
    assert w.inputs()[0] == 0b101
    assert w.reference()[:2] == [0b01_11_01, 0]  # +1 = 01, -1 = 11, pad = 00


def test_signed_extremes_present() -> None:
    for cfg in CFGS:
        if not cfg.WIDEN:
            v = case(cfg).values
            assert v.min() == -(1 << (cfg.EW - 1)) and v.max() == (1 << (cfg.EW - 1)) - 1, cfg


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_pad_lint(cfg: Pad) -> None:
    case(cfg).lint()


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_pad_no_stall_exact_and_timing(cfg: Pad) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run()
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    n_out = N_FRAMES * cfg.P
    # Exactly one output pixel per cycle from the first one on, across frame
    # boundaries: every frame takes exactly P = HP*WP cycles.
    o0 = r.out_accept_cycles[0]
    assert r.out_accept_cycles == list(range(o0, o0 + n_out)), f"{cfg}: output not one per cycle"
    period = np.array(r.out_accept_cycles[cfg.P :]) - np.array(r.out_accept_cycles[: -cfg.P])
    assert (period == cfg.P).all(), f"{cfg}: frame periods {sorted(set(period.tolist()))}"
    # Documented latency: an input pixel accepted in cycle t is offered (and,
    # the consumer being ready, taken) in cycle t + 1.
    idx = c.interior_index()
    assert len(r.in_accept_cycles) == len(idx)
    lat = [r.out_accept_cycles[k] - t for k, t in zip(idx, r.in_accept_cycles)]
    assert set(lat) == {1}, f"{cfg}: latencies {sorted(set(lat))}"
    # The first pixel is offered from cycle 0; the FIFO's registered ready is
    # up from cycle 1, so frame 0 starts there: output k in cycle 2 + k.
    assert o0 == 2, f"{cfg}: first output in cycle {o0}"
    assert r.total_cycles == o0 + n_out


STALLS = [(0.0, 0.0), (0.3, 0.3), (0.7, 0.7), (0.0, 0.7), (0.7, 0.0)]


@pytest.mark.parametrize("stall_in,stall_out", STALLS)
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_pad_random_stalls(cfg: Pad, stall_in: float, stall_out: float) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run(stall_in=stall_in, stall_out=stall_out, seed=int(10 * stall_in + 100 * stall_out) + 1)
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    assert len(r.in_accept_cycles) == N_FRAMES * cfg.H * cfg.W


@pytest.mark.parametrize("cfg", [c for c in CFGS if c.P > c.H * c.W][:6], ids=str)
def test_pad_padding_does_not_wait_for_input(cfg: Pad) -> None:
    """Producer mostly stalled, consumer always ready: an output pixel may
    come later than the cycle after the previous one only if it is an input
    pixel or the first pixel of a frame (which waits for the frame's data)."""
    c = case(cfg)
    r = c.run(stall_in=0.8, stall_out=0.0, seed=7)
    assert r.outputs == c.reference(), _diff_msg(r.outputs, c.reference(), cfg)
    gaps = np.diff(r.out_accept_cycles)
    waited = {i + 1 for i in np.flatnonzero(gaps > 1).tolist()}
    assert waited, "the producer stalls never delayed the output"
    allowed = set(c.interior_index()) | {f * cfg.P for f in range(N_FRAMES)}
    bad = sorted(waited - allowed)
    assert not bad, f"{cfg}: padding pixels waited: {[divmod(k % cfg.P, cfg.WP) for k in bad]}"


@pytest.mark.parametrize("cfg", [c for c in CFGS if c.PT or c.PL], ids=str)
def test_pad_no_output_without_input(cfg: Pad) -> None:
    """With no input at all the unit stays silent (the harness fails on any
    output beat beyond the expected zero) and accepts nothing."""
    r = case(cfg).run(inputs=[], expected=0)
    assert r.outputs == [] and r.in_accept_cycles == []


@pytest.mark.parametrize("cfg", [CFGS[0], CFGS[1], CFGS[10]], ids=str)
def test_pad_single_frame_then_idle(cfg: Pad) -> None:
    """One frame: all of it, bottom padding included, comes out without any
    further input, and nothing of a second frame follows."""
    c = case(cfg)
    n = cfg.H * cfg.W
    r = c.run(inputs=c.inputs()[:n], expected=cfg.P, stall_in=0.5, stall_out=0.5, seed=3)
    assert r.outputs == c.reference()[: cfg.P], _diff_msg(r.outputs, c.reference()[: cfg.P], cfg)


@pytest.mark.parametrize(
    "cfg",
    [
        Pad(1, 1, 1, 1, 0, 0, 0, 0, 0),
        Pad(64, 1, 32, 32, 1, 1, 1, 1, 1),  # realistic size, widened
        Pad(16, 8, 7, 7, 0, 0, 3, 3, 0),
        Pad(32, 4, 15, 16, 2, 2, 2, 2, 0),  # WP = 20, HP = 19
        Pad(3, 1, 1, 8, 0, 3, 0, 0, 1),  # WP = 11 (not a power of 2), HP = 1
        Pad(5, 2, 2, 6, 1, 1, 1, 1, 0),  # WP = 8: power of 2
        Pad(1, 1, 7, 1, 0, 0, 1, 0, 1),  # HP = 8, WP = 1
    ],
    ids=str,
)
def test_pad_module_lint(cfg: Pad) -> None:
    lint({"dut_top.v": wrapper(cfg), **library_subset(LIB_FILES)}, "dut_top")


def test_pad_lints_standalone() -> None:
    lint(library_subset(LIB_FILES), "lowbit_pad")


@pytest.mark.parametrize(
    "cfg,msg",
    [
        (Pad(0, 8, 4, 4, 1, 1, 1, 1, 1), "lowbit_pad_requires_C_and_EW_at_least_1"),
        (Pad(2, 0, 4, 4, 1, 1, 1, 1, 0), "lowbit_pad_requires_C_and_EW_at_least_1"),
        (Pad(2, 1, 0, 4, 1, 1, 1, 1, 0), "lowbit_pad_requires_H_and_W_at_least_1"),
        (Pad(2, 1, 4, 0, 1, 1, 1, 1, 0), "lowbit_pad_requires_H_and_W_at_least_1"),
        (Pad(2, 1, 4, 4, 1, -1, 1, 1, 0), "lowbit_pad_requires_pads_at_least_0"),
        (Pad(2, 1, 4, 4, 1, 1, 1, -1, 0), "lowbit_pad_requires_pads_at_least_0"),
        (Pad(2, 1, 4, 4, 1, 1, 1, 1, 2), "lowbit_pad_requires_WIDEN_0_or_1"),
    ],
    ids=lambda v: str(v) if isinstance(v, Pad) else "",
)
def test_pad_rejects_bad_params(cfg: Pad, msg: str) -> None:
    # Port widths of the wrapper are kept >= 1 so only the guard can fail.
    iw = max(1, cfg.C if cfg.WIDEN else cfg.C * cfg.EW)
    ow = max(1, 2 * cfg.C if cfg.WIDEN else cfg.C * cfg.EW)
    src = stream_top("lowbit_pad", cfg.params(), iw, ow)
    with pytest.raises(LintError, match=msg):
        lint({"dut_top.v": src, **library_subset(LIB_FILES)}, "dut_top")
