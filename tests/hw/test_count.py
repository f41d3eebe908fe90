"""lowbit_mvu_count (the counter popcount of the matrix-vector unit's lanes) against
numpy, under Verilator: widths that are and are not multiples of 3 and 6, down to one lane,
each lane operation (a, a XNOR b, a AND b), and output widths that truncate the count.

Under Verilator the module is an adder tree unless LOWBIT_COUNT_TREE is defined (Verilator
runs that as a native popcount; see the module). Every other simulation therefore exercises
the adder tree, so the counter that synthesis builds is checked here: against numpy,
and inside lowbit_mvu for lane kinds that use it (XNOR, AND planes, threshold counts)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import library_subset, pack, stream_top

from lowbitc.backends.runtime.sim.verilator import LintError, lint, simulate
from lowbitc.backends.verilog.vast import Assign, Instance, Wire

_LIB_FILES = ("lowbit_mvu_count.v", "lowbit_mvu_lanes.v", "lowbit_fifo.v", "lowbit_functions.vh")
# First on Verilator's command line, so the define holds in the library files after it.
TREE = {"lowbit_count_tree.v": "`define LOWBIT_COUNT_TREE\n"}
IMPLS = {"tree": TREE, "sim": {}}
OPS = {0: lambda a, b: a, 1: lambda a, b: 1 - (a ^ b), 2: lambda a, b: a & b}


@dataclass(frozen=True)
class Cfg:
    N: int
    OP: int = 1
    W: int = 0  # 0: exact width clog2(N + 1)

    @property
    def width(self) -> int:
        return self.W or (self.N + 1).bit_length()

    def __str__(self) -> str:
        return f"N{self.N}_OP{self.OP}_W{self.width}"


CFGS = [Cfg(n) for n in (1, 2, 3, 4, 5, 6, 7, 13, 64, 100, 577)]
CFGS += [Cfg(n, op) for n in (5, 64, 100) for op in (0, 2)]
CFGS += [Cfg(64, 1, 3), Cfg(7, 0, 1), Cfg(100, 2, 5)]  # counts taken modulo 2^W


def wrapper(cfg: Cfg) -> str:
    """The count of in beat {b, a} (2N bits), through a 2-deep FIFO so that the handshake is
    registered like every other unit's."""
    n, w = cfg.N, cfg.width
    count = Instance(
        "lowbit_mvu_count",
        "u_cnt",
        (("N", str(n)), ("W", str(w)), ("OP", str(cfg.OP))),
        (("a", f"in_tdata[{n - 1}:0]"), ("b", f"in_tdata[{2 * n - 1}:{n}]"), ("y", "y")),
    )
    return stream_top(
        "lowbit_fifo",
        {"W": w, "DEPTH": 2},
        2 * n,
        w,
        top="count_top",
        instance="u_fifo",
        items=[Wire("y", w), count],
        rewire={"in_tdata": "y"},
    )


def sources(cfg: Cfg, impl: str = "tree") -> dict[str, str]:
    return {**IMPLS[impl], **library_subset(_LIB_FILES), "count_top.v": wrapper(cfg)}


def operands(cfg: Cfg) -> tuple[np.ndarray, np.ndarray]:
    """[M, N] bits of a and b: every pair for 2N <= 10 bits, else random rows of several
    densities (so that near-empty and near-full counts, where carries ripple, occur) and the
    all-zero / all-one corners."""
    n = cfg.N
    if 2 * n <= 10:
        v = np.arange(1 << (2 * n))
        bits = (v[:, None] >> np.arange(2 * n)) & 1
        return bits[:, :n], bits[:, n:]
    rng = np.random.default_rng(zlib.crc32(str(cfg).encode()))
    p = np.repeat([0.02, 0.3, 0.5, 0.7, 0.98], 40)[:, None]
    a = (rng.random((len(p), n)) < p).astype(np.int64)
    b = (rng.random((len(p), n)) < rng.permutation(p)).astype(np.int64)
    z, o = np.zeros((1, n), np.int64), np.ones((1, n), np.int64)
    return np.vstack([a, z, o, z, o]), np.vstack([b, z, o, o, z])


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_count_lint(cfg: Cfg, impl: str) -> None:
    lint(sources(cfg, impl), "count_top")


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_count_matches_numpy(cfg: Cfg, impl: str) -> None:
    a, b = operands(cfg)
    want = (OPS[cfg.OP](a, b).sum(axis=1) % (1 << cfg.width)).tolist()
    beats = [pack(ra, 1) | (pack(rb, 1) << cfg.N) for ra, rb in zip(a, b)]
    r = simulate(sources(cfg, impl), "count_top", 2 * cfg.N, cfg.width, beats, stall_in=0.2, stall_out=0.2, seed=1)
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(r.outputs, want)) if g != w]
    assert not bad and len(r.outputs) == len(want), f"{cfg}: (beat, got, want) {bad[:5]}, {len(r.outputs)} beats"


# Every lane count from 1 to 72 (each number of level-0 counters, left-over lanes, column-1
# and column-0 steps, one chain and two) and the wide folds of the corpus, up to 576 (several
# chains and their adder tree), in one design per lane operation: the counts of the first N
# lanes of one beat, side by side.
SWEEP_N = (*range(1, 73), 100, 128, 144, 192, 256, 288, 320, 384, 512, 576)
SWEEP_MAX = max(SWEEP_N)


def sweep_widths() -> list[int]:
    return [(n + 1).bit_length() for n in SWEEP_N]


def sweep_top(op: int) -> str:
    """Counts of the first N lanes of in beat {b, a} (2 x 576 bits) for every N of SWEEP_N,
    concatenated (the first N lowest), through a 2-deep FIFO."""
    items: list = []
    parts = []
    for i, (n, w) in enumerate(zip(SWEEP_N, sweep_widths())):
        items.append(Wire(f"y{i}", w))
        items.append(
            Instance(
                "lowbit_mvu_count",
                f"u_cnt{i}",
                (("N", str(n)), ("W", str(w)), ("OP", str(op))),
                (("a", f"in_tdata[{n - 1}:0]"), ("b", f"in_tdata[{SWEEP_MAX + n - 1}:{SWEEP_MAX}]"), ("y", f"y{i}")),
            )
        )
        parts.append(f"y{i}")
    total = sum(sweep_widths())
    items += [Wire("y", total), Assign("y", "{" + ", ".join(reversed(parts)) + "}")]
    # Lanes above N of the smaller counts are read by the bigger ones; lint sees every bit used.
    return stream_top(
        "lowbit_fifo",
        {"W": total, "DEPTH": 2},
        2 * SWEEP_MAX,
        total,
        top="count_top",
        instance="u_fifo",
        items=items,
        rewire={"in_tdata": "y"},
    )


@pytest.mark.parametrize("op", (1, 2))
def test_count_sweep_matches_numpy(op: int) -> None:
    """The counter as synthesis builds it, for every lane count of SWEEP_N at once, against
    numpy on random beats of several densities and the all-zero / all-one corners."""
    cfg = Cfg(SWEEP_MAX, op)
    a, b = operands(cfg)
    lanes = OPS[op](a, b)
    want = []
    for row in lanes:
        word, at = 0, 0
        for n, w in zip(SWEEP_N, sweep_widths()):
            word |= int(row[:n].sum()) << at
            at += w
        want.append(word)
    beats = [pack(ra, 1) | (pack(rb, 1) << SWEEP_MAX) for ra, rb in zip(a, b)]
    srcs = {**TREE, **library_subset(_LIB_FILES), "count_top.v": sweep_top(op)}
    r = simulate(srcs, "count_top", 2 * SWEEP_MAX, sum(sweep_widths()), beats, stall_in=0.2, stall_out=0.2, seed=op)
    assert len(r.outputs) == len(want)
    for beat, (got, exp) in enumerate(zip(r.outputs, want)):
        at = 0
        for n, w in zip(SWEEP_N, sweep_widths()):
            g, e = (got >> at) & ((1 << w) - 1), (exp >> at) & ((1 << w) - 1)
            assert g == e, f"OP {op}, N {n}, beat {beat}: got {g}, want {e}"
            at += w


def mvu_cases() -> list:
    import test_mvu
    import test_mvu_planes

    return [
        test_mvu.Case(test_mvu.CFGS[5]),  # XNOR lanes, PE 4 x SIMD 16, thresholds
        test_mvu.Case(test_mvu.CFGS[6]),  # XNOR lanes, SIMD 100, raw sums
        test_mvu_planes.Case(test_mvu_planes.TERNARY_2BIT),  # AND planes, two thresholds
        test_mvu_planes.Case(test_mvu_planes.CFGS[5]),  # AND planes, 15 thresholds counted
        test_mvu_planes.Case(test_mvu_planes.CFGS[7]),
    ]  # 0/1 inputs x ternary, SIMD 5


@pytest.mark.parametrize("index", range(5))
def test_tree_inside_mvu(index: int) -> None:
    """lowbit_mvu with the counters as synthesis builds them simulated, exact under random stalls."""
    c = mvu_cases()[index]
    in_width = getattr(c.cfg, "in_width", c.cfg.K)
    r = simulate(
        TREE | c.sources, "mvu_top", in_width, c.cfg.out_width, c.inputs(), stall_in=0.3, stall_out=0.3, seed=index
    )
    assert r.outputs == c.reference(), f"{c.cfg}: outputs differ from the reference"


def test_count_rejects_zero_width() -> None:
    """W = 0 cannot hold any count: elaboration names the rule."""
    top = (
        "module t(input wire [3:0] a, output wire [1:0] y);\n"
        "    lowbit_mvu_count #(.N(4), .W(0), .OP(0)) u (.a(a), .b(4'b0), .y(y));\nendmodule\n"
    )
    with pytest.raises(LintError, match="lowbit_mvu_count_requires_W_at_least_1"):
        lint({**library_subset(_LIB_FILES[:1]), "t.v": top}, "t")
