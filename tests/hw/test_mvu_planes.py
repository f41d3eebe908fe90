"""lowbit_mvu with bit-plane lanes and multi-threshold outputs against a numpy reference,
co-simulated with Verilator: multi-bit weights (WB >= 2), unsigned inputs (ES = 0), the AND
domain (EW = 0 with WB >= 2), plane-serial operation (PS = 1) and k-bit outputs (NT, OB, OOFF).

Each parameter set is one Verilator build (cached on disk across runs); the stall patterns reuse
the same executable. PW is always the module's exact lower bound, so every accumulator and lane
width sits at its edge.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import case_cache, threshold_literal, to_unsigned
from support.mvu import MvuCase, MvuFold, fold_words, mvu_lint_top, mvu_rejects_top, swidth
from support.mvu_checks import (
    check_exact_ii_latency,
    check_heavy_backpressure,
    check_latency_when_idle,
    check_random_stalls,
    diff_msg,
)

from lowbitc.backends.runtime.sim.verilator import lint
from lowbitc.backends.verilog.library import library_sources
from lowbitc.dialects.rtl.cells import clog2


def x_range(ew: int, es: int) -> tuple[int, int]:
    if ew == 0:
        return 0, 1  # AND domain: input bits are 0/1
    return (-(1 << (ew - 1)), (1 << (ew - 1)) - 1) if es else (0, (1 << ew) - 1)


def w_range(wb: int) -> tuple[int, int]:
    return (-1, 1) if wb == 1 else (-(1 << (wb - 1)), (1 << (wb - 1)) - 1)


def acc_range(k: int, ew: int, es: int, wb: int) -> tuple[int, int]:
    """[K*pmin, K*pmax] for the signed lane kinds (everything but XNOR)."""
    (xl, xh), (wl, wh) = x_range(ew, es), w_range(wb)
    prods = [a * b for a in (xl, xh) for b in (wl, wh)]
    return k * min(prods), k * max(prods)


def min_pw(k: int, ew: int, es: int, wb: int, mode: int) -> int:
    """The module's lower bound on PW (signed kinds): the accumulator range, plus max + 1 in
    MODE 0 so a "never fires" threshold is representable."""
    lo, hi = acc_range(k, ew, es, wb)
    return swidth(lo, hi + (1 if mode == 0 else 0))


@dataclass(frozen=True, kw_only=True)
class Cfg(MvuFold):
    EW: int
    ES: int
    WB: int
    PS: int
    MODE: int
    NT: int = 1
    OB: int = 1
    OOFF: int = 0

    @property
    def II(self) -> int:
        # Documented in lowbit_mvu.v: S = NF*SF*(EW if PS else 1) steps per vector.
        return self.NF * self.SF * (self.EW if self.PS else 1)

    @property
    def PW(self) -> int:
        return min_pw(self.K, self.EW, self.ES, self.WB, self.MODE)

    @property
    def in_width(self) -> int:
        return self.K * max(1, self.EW)

    @property
    def out_width(self) -> int:
        return self.C * (self.OB if self.MODE == 0 else self.PW)

    def params(self) -> dict[str, int]:
        names = ("K", "C", "PE", "SIMD", "EW", "ES", "WB", "PS", "MODE", "NT", "OB", "OOFF", "PW", "PIPE")
        return {n: getattr(self, n) for n in names}

    def __str__(self) -> str:
        s = f"K{self.K}_C{self.C}_PE{self.PE}_S{self.SIMD}_EW{self.EW}{'s' if self.ES else 'u'}_WB{self.WB}"
        s += f"_PS{self.PS}_M{self.MODE}_P{self.PIPE}"
        return s + (f"_NT{self.NT}_OB{self.OB}_OFF{self.OOFF}" if self.MODE == 0 else "")


TERNARY_2BIT = Cfg(18, 6, 3, 6, EW=2, ES=1, WB=2, PS=0, MODE=0, PIPE=1, NT=2, OB=2, OOFF=-1)
CFGS = [
    # Ternary weights x 2-bit signed inputs -> ternary outputs (narrow signed 2-bit).
    TERNARY_2BIT,
    # The same layer plane-serial: II = NF*SF*EW. With PIPE = 1 a stall freezes the datapath
    # just as a new fold's word is due, between the plane steps of the previous fold.
    Cfg(18, 6, 3, 6, EW=2, ES=1, WB=2, PS=1, MODE=0, PIPE=1, NT=2, OB=2, OOFF=-1),
    # 8-bit signed pixels x ternary weights, raw sums (first layer).
    Cfg(27, 8, 2, 9, EW=8, ES=1, WB=2, PS=0, MODE=1, PIPE=0),
    # 8-bit signed pixels x binary weights, plane-serial, raw; one fold (II = EW).
    Cfg(16, 4, 4, 16, EW=8, ES=1, WB=1, PS=1, MODE=1, PIPE=1),
    # Unsigned 2-bit inputs x binary weights (+-1 tree with a zero sign bit) -> 2-bit unsigned;
    # the tree root (EW + 1 + clog2(SIMD) = 7 bits) is wider than PW = 6 and is truncated.
    Cfg(10, 6, 2, 10, EW=2, ES=0, WB=1, PS=0, MODE=0, PIPE=1, NT=3, OB=2, OOFF=0),
    # 4-bit weights x 3-bit unsigned inputs, fully parallel (II = 1) -> 4-bit unsigned outputs.
    Cfg(12, 4, 4, 12, EW=3, ES=0, WB=4, PS=0, MODE=0, PIPE=1, NT=15, OB=4, OOFF=0),
    # The same kinds plane-serial, raw, folded (II = 2*3*3).
    Cfg(12, 6, 3, 4, EW=3, ES=0, WB=4, PS=1, MODE=1, PIPE=0),
    # AND domain (0/1 input bits) x ternary weights -> signed 2-bit outputs; odd SIMD.
    Cfg(20, 4, 2, 5, EW=0, ES=1, WB=2, PS=0, MODE=0, PIPE=0, NT=3, OB=2, OOFF=-2),
    # One threshold per channel: the accumulator starts at -T and the output is its sign.
    # +-1 tree whose root (7 bits) is wider than PW = 6, so the lane sum is truncated.
    Cfg(9, 4, 2, 9, EW=2, ES=0, WB=1, PS=0, MODE=0, PIPE=1),
    # 0/1 inputs x 2-bit weights: acc in [-64, 32], so K*pmin is exactly -2^(PW-1).
    Cfg(32, 4, 2, 16, EW=0, ES=1, WB=2, PS=0, MODE=0, PIPE=0),
    # Plane-serial signed inputs: the sign plane enters as a ones' complement plus carry.
    Cfg(18, 6, 3, 6, EW=2, ES=1, WB=2, PS=1, MODE=0, PIPE=1),
]


class Case(MvuCase):
    """Random weights, inputs and thresholds for one configuration, with the extremes forced."""

    def __init__(self, cfg: Cfg, n_vectors: int = 32):
        self.cfg = cfg
        rng = np.random.default_rng(zlib.crc32(str(cfg).encode()))
        K, C = cfg.K, cfg.C
        (xl, xh), (wl, wh) = x_range(cfg.EW, cfg.ES), w_range(cfg.WB)
        if cfg.WB == 1:
            w = rng.choice([-1, 1], size=(C, K))
        else:
            w = rng.integers(wl, wh + 1, size=(C, K), dtype=np.int64)
        # The last two channels all at the weight extremes: with all-extreme inputs they reach
        # every corner product, hence the accumulator extremes K*pmin and K*pmax. They sit in
        # the last channel fold because every weight word holds the same bits for them, so they
        # could not tell one word from another; the first folds, where a stall freezes the
        # datapath (a fixed number of steps into a vector), hold random channels.
        w[C - 1] = wl
        w[C - 2] = wh
        for c in range(C - 2):  # every random channel holds both extremes somewhere
            w[c, c % K], w[c, (c + 1) % K] = wl, wh
        self.w = w.astype(np.int64)
        x = rng.integers(xl, xh + 1, size=(n_vectors, K), dtype=np.int64)
        x[0] = xl
        x[1] = xh
        x[2] = np.where(self.w[0] > 0, xh, xl)  # channel 0 maximal
        x[3] = np.where(self.w[0] > 0, xl, xh)  # channel 0 minimal
        x[4] = 0
        x[5] = rng.choice([xl, xh], size=K)
        self.x = x
        self.t = self.thresholds() if cfg.MODE == 0 else np.zeros((C, 1), dtype=np.int64)

    def acc(self) -> np.ndarray:
        return self.x @ self.w.T  # (N, C), exact in int64

    def thresholds(self) -> np.ndarray:
        """Per channel NT ascending thresholds spread over that channel's accumulators (so
        every output level occurs), plus acc_min ("always") on channel 0, acc_max + 1 ("never")
        on channel 1 and both on the last channel."""
        cfg = self.cfg
        lo, hi = acc_range(cfg.K, cfg.EW, cfg.ES, cfg.WB)
        a, C = self.acc(), cfg.C
        t = np.zeros((cfg.C, cfg.NT), dtype=np.int64)
        for c in range(cfg.C):
            # NT distinct sample values above the channel's minimum (where there are enough):
            # the vector at the n-th threshold counts n+1 and the minimum counts 0.
            above = np.unique(a[:, c])[1:]
            if len(above) == 0:
                above = np.array([hi + 1])
            t[c] = above[np.linspace(0, len(above) - 1, cfg.NT).round().astype(int)]
        t[0, 0] = lo
        t[1, -1] = hi + 1
        t[C - 1, 0], t[C - 1, -1] = lo, hi + 1
        return np.sort(t, axis=1)

    def counts(self) -> np.ndarray:
        return (self.acc()[:, :, None] >= self.t[None, :, :]).sum(axis=2)  # (N, C)

    def reference(self) -> list[int]:
        cfg = self.cfg
        outs = []
        vals = (self.counts() + cfg.OOFF) if cfg.MODE == 0 else self.acc()
        width = cfg.OB if cfg.MODE == 0 else cfg.PW
        for row in vals:
            outs.append(sum(to_unsigned(v, width) << (c * width) for c, v in enumerate(row)))
        return outs

    def inputs(self) -> list[int]:
        ew = max(1, self.cfg.EW)
        return [sum(to_unsigned(v, ew) << (k * ew) for k, v in enumerate(row)) for row in self.x]

    @property
    def word_width(self) -> int:
        return self.cfg.PE * self.cfg.SIMD * self.cfg.WB

    def words(self) -> list[int]:
        # WB == 1: bit 1 = +1, bit 0 = -1; WB >= 2: two's complement.
        enc = (self.w > 0).astype(np.int64) if self.cfg.WB == 1 else self.w
        return fold_words(enc, self.cfg.PE, self.cfg.SIMD, self.cfg.WB)

    def params(self) -> dict[str, object]:
        cfg = self.cfg
        thresholds = self.t if cfg.MODE == 0 else np.zeros((cfg.C, cfg.NT), dtype=np.int64)
        return cfg.params() | {"THRESH": threshold_literal(thresholds, cfg.PW)}


case = case_cache(Case)


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_reference_covers_extremes_and_levels(cfg: Cfg) -> None:
    """The stimulus drives the accumulator to both ends of its range, the weights take their
    extreme values, and (MODE 0) every output level occurs, thresholds at acc_min always fire
    and at acc_max + 1 never do; so the hardware tests below cover all of it."""
    c = case(cfg)
    a = c.acc()
    lo, hi = acc_range(cfg.K, cfg.EW, cfg.ES, cfg.WB)
    assert a.min() == lo and a.max() == hi
    wl, wh = w_range(cfg.WB)
    assert c.w.min() == wl and c.w.max() == wh
    assert c.w[:-2].min() == wl and c.w[:-2].max() == wh  # the random channels too
    if cfg.WB == 2:
        assert set(np.unique(c.w[:-2])) == {-2, -1, 0, 1}
    if cfg.MODE == 0:
        n = c.counts()
        assert set(np.unique(n)) == set(range(cfg.NT + 1))
        assert (np.diff(c.t, axis=1) >= 0).all()
        assert c.t[0, 0] == lo and c.t[1, -1] == hi + 1
        if cfg.NT >= 2:  # "always" and "never" on one channel need two thresholds
            assert c.t[-1, 0] == lo and c.t[-1, -1] == hi + 1
        assert (n[:, 0] >= 1).all() and (n[:, 1] <= cfg.NT - 1).all()
        assert len(np.unique(n[:, 0])) == cfg.NT and len(np.unique(n[:, 1])) == cfg.NT
        for ch in range(2, cfg.C - 2):  # spread thresholds: every level on every random channel
            assert len(np.unique(n[:, ch])) == cfg.NT + 1, ch


def test_pw_bound_closed_forms() -> None:
    """The closed forms the module's header states for the PW bound."""
    for k in (1, 3, 7, 8, 27, 100, 255, 256, 4608):
        for ew in range(1, 9):
            assert min_pw(k, ew, 1, 1, 1) == ew + clog2(k + 1)  # integer lanes, MODE 1
            assert min_pw(k, ew, 1, 1, 0) == (ew + clog2(k + 1) if ew >= 2 else 1 + clog2(k + 2))
            for wb in range(2, 9):
                for mode in (0, 1):
                    assert min_pw(k, ew, 1, wb, mode) == ew + wb - 1 + clog2(k + 1)
                    # The module's default PW meets the bound.
                    for es in (0, 1):
                        default = ew - es + wb + clog2(k + 1)
                        assert default >= min_pw(k, ew, es, wb, mode)
        for wb in range(2, 9):
            assert wb + clog2(k + 1) >= min_pw(k, 0, 1, wb, 0)  # AND domain default


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_planes_lint(cfg: Cfg) -> None:
    lint(case(cfg).sources, "mvu_top")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_planes_pw_bound_is_exact(cfg: Cfg) -> None:
    """The module's elaboration check agrees with min_pw: the configurations above lint clean
    at PW = min_pw and are rejected one bit below."""
    params = {**cfg.params(), "PW": cfg.PW - 1}
    with pytest.raises(Exception, match="lowbit_mvu_requires_PW_"):
        lint({"lint_top.v": _wrapper(params), **library_sources()}, "lint_top")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_planes_no_stall_exact_and_ii(cfg: Cfg) -> None:
    check_exact_ii_latency(case(cfg), cfg)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_planes_random_stalls(cfg: Cfg, seed: int) -> None:
    check_random_stalls(case(cfg), cfg, seed)


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_planes_heavy_backpressure(cfg: Cfg) -> None:
    check_heavy_backpressure(case(cfg), cfg)


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_planes_starved_and_backpressured(cfg: Cfg) -> None:
    """A slow producer and a slower consumer: the datapath freezes at varying points of a
    vector (with a steady producer a freeze always lands 1 + PIPE steps into one), including
    between the plane steps of a plane-serial fold, where the held weight word matters."""
    c = case(cfg)
    want = c.reference()
    r = c.run(stall_in=0.5, stall_out=0.9, seed=3)
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)


@pytest.mark.parametrize("cfg", [CFGS[1], CFGS[6], CFGS[0]], ids=str)
def test_mvu_planes_latency_when_idle(cfg: Cfg) -> None:
    check_latency_when_idle(case(cfg), cfg)


def _wrapper(params: dict[str, int]) -> str:
    """A top around the bare module with port widths computed from its documented defaults."""
    p = {"K": 16, "C": 8, "PE": 2, "SIMD": 4, "EW": 0, "ES": 1, "WB": 1, "MODE": 0, "OB": 1, **params}
    k, c, pe, simd, ew, es, wb = (p[n] for n in ("K", "C", "PE", "SIMD", "EW", "ES", "WB"))
    pw = params.get("PW") or (
        clog2(k + 2)
        if ew == 0 and wb == 1
        else (ew - es if ew else 0) + wb + clog2(k + 1) + (1 if p["MODE"] == 0 and ew == es and wb == 1 else 0)
    )
    ow = c * (p["OB"] if p["MODE"] == 0 else pw)
    return mvu_lint_top(params, k * max(1, ew), ow, (c // pe) * (k // simd), pe * simd * wb)


@pytest.mark.parametrize(
    "params",
    [
        {"EW": 0, "WB": 2},
        {"EW": 0, "WB": 8, "NT": 15, "OB": 4, "OOFF": -8},
        {"K": 1, "C": 1, "PE": 1, "SIMD": 1, "EW": 0, "WB": 2, "MODE": 1, "PIPE": 0},
        {"K": 1, "C": 1, "PE": 1, "SIMD": 1, "EW": 1, "WB": 2, "PS": 1},
        {"K": 3, "C": 2, "PE": 1, "SIMD": 3, "EW": 1, "WB": 1, "PS": 1, "MODE": 1},
        {"K": 6, "C": 4, "PE": 2, "SIMD": 3, "EW": 1, "ES": 0, "WB": 3, "PS": 1, "NT": 7, "OB": 3},
        {"K": 6, "C": 4, "PE": 2, "SIMD": 2, "EW": 1, "ES": 1, "WB": 2, "PS": 0, "MODE": 1},
        {"K": 5, "C": 2, "PE": 2, "SIMD": 5, "EW": 2, "ES": 0, "MODE": 1, "PW": 5},  # tree root cut to PW
        {"K": 8, "C": 2, "PE": 1, "SIMD": 8, "EW": 3, "ES": 1, "WB": 1, "MODE": 0},
        {"K": 27, "C": 16, "PE": 16, "SIMD": 27, "EW": 8, "WB": 8, "MODE": 1},
        {"K": 27, "C": 16, "PE": 4, "SIMD": 9, "EW": 8, "WB": 8, "PS": 1, "NT": 3, "OB": 2},
        {"K": 64, "C": 8, "PE": 2, "SIMD": 16, "EW": 5, "PS": 1, "NT": 2, "OB": 2, "OOFF": -1},
        {"K": 4096, "C": 2, "PE": 1, "SIMD": 64, "EW": 16, "WB": 16, "MODE": 1},  # > 32-bit range
        {"K": 9, "C": 3, "PE": 3, "SIMD": 9, "EW": 4, "ES": 0, "WB": 2, "PS": 1, "PIPE": 0, "OOFF": 1},
    ],
    ids=lambda p: "_".join(f"{k}{v}" for k, v in p.items()),
)
def test_mvu_planes_module_lint(params: dict[str, int]) -> None:
    """The bare module (ports left to Verilator) for extra parameter corners; PW is the
    documented default unless given."""
    lint({"lint_top.v": _wrapper(params), **library_sources()}, "lint_top")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"EW": 2, "ES": 2}, "lowbit_mvu_requires_ES_0_or_1"),
        ({"WB": 0}, "lowbit_mvu_requires_WB_at_least_1"),
        ({"EW": 2, "PS": 2}, "lowbit_mvu_requires_PS_0_or_1"),
        ({"EW": 0, "PS": 1}, "lowbit_mvu_requires_EW_at_least_1_for_PS_1"),
        ({"OB": 0}, "lowbit_mvu_requires_OB_from_1_to_30"),
        ({"NT": 4, "OB": 2}, "lowbit_mvu_requires_NT_from_1_to_2_pow_OB_minus_1"),
        # Ternary weights x 2-bit signed inputs, K = 16: acc in [-32, 64] needs 8 bits.
        ({"K": 16, "EW": 2, "WB": 2, "MODE": 1, "PW": 7}, "lowbit_mvu_requires_PW_to_hold_the_accumulator_range"),
        # Unsigned 3-bit inputs x +-1, K = 16: acc in [-112, 112] needs 8 bits.
        ({"K": 16, "EW": 3, "ES": 0, "MODE": 1, "PW": 7}, "lowbit_mvu_requires_PW_to_hold_the_accumulator_range"),
        # AND domain x 4-bit weights, K = 16: acc in [-128, 112] needs 8 bits, 113 too.
        ({"K": 16, "EW": 0, "WB": 4, "PW": 7}, "lowbit_mvu_requires_PW_to_hold_the_accumulator_range"),
        # 1-bit signed inputs, K = 3: acc in [-3, 3] fits 3 bits, the "never" threshold 4 does not.
        ({"K": 3, "SIMD": 3, "EW": 1, "PW": 3}, "lowbit_mvu_requires_PW_to_hold_accumulator_max_plus_1_in_MODE_0"),
        # XNOR, K = 7: 0..7 fits 3 bits, the "never" threshold 8 does not.
        ({"K": 7, "SIMD": 7, "EW": 0, "PW": 3}, "lowbit_mvu_requires_PW_to_hold_accumulator_max_plus_1_in_MODE_0"),
    ],
)
def test_mvu_planes_rejects_bad_parameters(params: dict[str, int], message: str) -> None:
    bad = mvu_rejects_top(params)
    with pytest.raises(Exception, match=message):
        lint({"lint_top.v": bad, **library_sources()}, "lint_top")
