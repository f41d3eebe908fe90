"""lowbit_dup (one stream duplicated onto two) under Verilator.

The harness has one output, so the wrapper gives each of the unit's two
outputs its own random consumer (tb_go, tests/support/gates.py), records every beat
taken from output k with the cycle it was taken in, and pairs the j-th
records of the two sides into the j-th harness output beat. The records are
deep enough that pairing never holds a side back while the harness output
is always ready (the two sides can drift apart by at most DEPTH0/DEPTH1
beats, the unit's own buffering). Each input beat is

    [P +: 2]     stall level of output 0 while this beat is at its head
    [P+2 +: 2]   stall level of output 1
    [0 +: P]     payload

and the whole W = P + 4 bits go through the unit, so the test sets both
consumers' stall patterns per beat without a rebuild; the patterns' random
bits change with the run's seed.

From the stamps the test reconstructs, per cycle, how many beats each side's
buffer holds, and checks the contract: nothing lost, duplicated or
reordered on either side; no buffer above its DEPTH; and (input always
offered) an input beat is refused exactly in the cycles in which a buffer
is full, so a slow side holds the other back only through a full buffer.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pytest
from support.gates import LEVEL_READY_PROB, fork, gate_sources, go, wires
from support.hw import by_name, library_subset, stream_top

from lowbitc.backends.runtime.sim.verilator import LintError, SimResult, lint, simulate
from lowbitc.backends.verilog.printer import print_module
from lowbitc.backends.verilog.vast import Assign, Comment, Instance, Module, Port, Wire
from lowbitc.dialects import rtl

P = 8  # payload bits
W = P + 4  # beat width through the unit
SB = 20  # stamp bits
N_BEATS = 400
LIB_FILES = rtl.DupInstanceOp.LIBRARY_FILES


@dataclass(frozen=True)
class Dup:
    D0: int
    D1: int

    @property
    def depths(self) -> tuple[int, int]:
        return (self.D0, self.D1)

    @property
    def rec_depth(self) -> int:
        return max(self.D0, self.D1) + 4

    def __str__(self) -> str:
        return f"D{self.D0}_{self.D1}"


# Default 2/2 (full rate), and an asymmetric pair with a 1-deep side
# (lowbit_fifo's half-rate case) and a deeper one.
CFGS = [Dup(2, 2), Dup(1, 5)]
OUT_W = 2 * (W + SB)


def recorder(side: int, depth: int) -> Instance:
    """A FIFO that takes side ``side``'s beat with the cycle it was taken in."""
    k = str(side)
    return Instance(
        "lowbit_fifo",
        f"u_rec{k}",
        (("W", str(W + SB)), ("DEPTH", str(depth))),
        (
            *by_name("clk", "rst"),
            ("in_tdata", f"{{cyc, d{k}}}"),
            ("in_tvalid", f"v{k} && go{k}"),
            ("in_tready", f"q{k}"),
            ("out_tdata", f"m{k}"),
            ("out_tvalid", f"mv{k}"),
            ("out_tready", f"mr{k}"),
        ),
    )


def wrapper(cfg: Dup) -> str:
    """lowbit_dup with a random consumer on each output (its stall level travels in the beat),
    each beat taken recorded with its cycle; the j-th records of both sides form output beat j."""
    items = [
        Wire("cyc", SB),
        Instance("tb_cycle", "u_cyc", (("W", str(SB)),), (*by_name("clk", "rst"), ("cycle", "cyc"))),
        *fork(W, cfg.D0, cfg.D1, "u_dut"),
        Comment("Random consumers; a beat taken is recorded with its cycle."),
        *wires("go0", "go1", "q0", "q1"),
        go("u_go0", f"d0[{P} +: 2]", "go0"),
        go("u_go1", f"d1[{P + 2} +: 2]", "go1"),
        Assign("r0", "go0 && q0"),
        Assign("r1", "go1 && q1"),
        *wires("m0", "m1", width=W + SB),
        *wires("mv0", "mv1", "mr0", "mr1", "oq"),
        recorder(0, cfg.rec_depth),
        recorder(1, cfg.rec_depth),
        Comment("The j-th records of both sides form harness output beat j."),
        Assign("mr0", "mv1 && oq"),
        Assign("mr1", "mv0 && oq"),
    ]
    pair = {"in_tdata": "{m1, m0}", "in_tvalid": "mv0 && mv1", "in_tready": "oq"}
    return stream_top("lowbit_fifo", {"W": OUT_W, "DEPTH": 2}, W, OUT_W, instance="u_out", items=items, rewire=pair)


@dataclass(frozen=True)
class Side:
    beats: list[int]
    cycles: list[int]


def split(r: SimResult) -> tuple[Side, Side]:
    """The two sides' beats and the cycles they were taken in."""
    mw, bw = (1 << (W + SB)) - 1, (1 << W) - 1
    sides = []
    for k in range(2):
        recs = [(v >> (k * (W + SB))) & mw for v in r.outputs]
        sides.append(Side([x & bw for x in recs], [x >> W for x in recs]))
    return sides[0], sides[1]


def levels(pattern: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per-beat stall levels of output 0 and output 1."""
    n = N_BEATS
    if pattern == "free":
        return np.zeros(n, int), np.zeros(n, int)
    if pattern == "random":
        return rng.integers(0, 4, n), rng.integers(0, 4, n)
    if pattern == "slow0":
        return np.full(n, 3), np.zeros(n, int)
    if pattern == "slow1":
        return np.zeros(n, int), np.full(n, 3)
    if pattern == "phases":
        # Blocks of 25 beats, each with its own pair of levels.
        pairs = rng.integers(0, 4, (n // 25, 2))
        return np.repeat(pairs[:, 0], 25), np.repeat(pairs[:, 1], 25)
    raise ValueError(pattern)


class Case:
    def __init__(self, cfg: Dup):
        self.cfg = cfg

    def inputs(self, pattern: str) -> list[int]:
        rng = np.random.default_rng(zlib.crc32(f"{self.cfg}/{pattern}".encode()))
        payload = rng.integers(0, 1 << P, N_BEATS)
        l0, l1 = levels(pattern, rng)
        return [int(p) | int(a) << P | int(b) << (P + 2) for p, a, b in zip(payload, l0, l1)]

    @cached_property
    def sources(self) -> dict[str, str]:
        return {"dut_top.v": wrapper(self.cfg), **library_subset(LIB_FILES), **gate_sources()}

    def run(self, pattern: str, **kw) -> tuple[list[int], SimResult, Side, Side]:
        data = self.inputs(pattern)
        r = simulate(self.sources, "dut_top", W, OUT_W, data, **kw)
        return data, r, *split(r)


_CASES: dict[Dup, Case] = {}


def case(cfg: Dup) -> Case:
    if cfg not in _CASES:
        _CASES[cfg] = Case(cfg)
    return _CASES[cfg]


def occupancy(in_cycles: list[int], out_cycles: list[int], n: int) -> np.ndarray:
    """occ[t] = beats in a side's buffer at the start of cycle t (accepted
    before t minus taken before t), t = 0 .. n."""
    d = np.zeros(n + 2, dtype=int)
    np.add.at(d, np.array(in_cycles, dtype=int) + 1, 1)
    np.add.at(d, np.array(out_cycles, dtype=int) + 1, -1)
    return np.cumsum(d)[: n + 1]


def check_sides(cfg: Dup, data: list[int], r: SimResult, s0: Side, s1: Side, *, input_always_offered: bool) -> None:
    for k, s in enumerate((s0, s1)):
        assert s.beats == data, f"{cfg}: output {k} beats differ from the input"
        assert all(b > a for a, b in zip(s.cycles, s.cycles[1:])), f"{cfg}: output {k} stamps not increasing"
        # A beat leaves no earlier than the cycle after it entered.
        assert all(o > i for i, o in zip(r.in_accept_cycles, s.cycles)), f"{cfg}: output {k} before its input"
    n = r.total_cycles
    occ = [occupancy(r.in_accept_cycles, s.cycles, n) for s in (s0, s1)]
    for k in range(2):
        assert occ[k].min() >= 0 and occ[k].max() <= cfg.depths[k], f"{cfg}: side {k} occupancy out of range"
    full = (occ[0] == cfg.D0) | (occ[1] == cfg.D1)
    acc = np.zeros(n + 1, dtype=bool)
    acc[r.in_accept_cycles] = True
    # Accepted => neither buffer full.
    assert not (acc & full).any(), (
        f"{cfg}: input accepted into a full buffer in cycles {np.flatnonzero(acc & full)[:8]}"
    )
    if input_always_offered:
        # Offered and refused => a buffer is full (cycle 0: ready low after reset).
        span = np.arange(n + 1)
        offered = (span >= 1) & (span <= r.in_accept_cycles[-1])
        refused = offered & ~acc & ~full
        assert not refused.any(), (
            f"{cfg}: input refused with room on both sides in cycles {np.flatnonzero(refused)[:8]}"
        )


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_dup_lint(cfg: Dup) -> None:
    lint(case(cfg).sources, "dut_top")


def test_dup_lints_standalone() -> None:
    lint(library_subset(LIB_FILES), "lowbit_dup")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_dup_no_stall_exact_and_timing(cfg: Dup) -> None:
    data, r, s0, s1 = case(cfg).run("free")
    check_sides(cfg, data, r, s0, s1, input_always_offered=True)
    ii = 2 if min(cfg.depths) == 1 else 1  # a 1-deep lowbit_fifo is half rate
    c0 = r.in_accept_cycles[0]
    assert r.in_accept_cycles == list(range(c0, c0 + ii * N_BEATS, ii)), f"{cfg}: input not one beat per {ii} cycle(s)"
    assert c0 == 1, f"{cfg}: first input accepted in cycle {c0}"
    # Documented latency 1 on both sides.
    for k, s in enumerate((s0, s1)):
        assert [o - i for i, o in zip(r.in_accept_cycles, s.cycles)] == [1] * N_BEATS, f"{cfg}: side {k}"


PATTERNS = ["random", "slow0", "slow1", "phases"]


@pytest.mark.parametrize("stall_in,stall_out", [(0.0, 0.0), (0.3, 0.0), (0.5, 0.5), (0.0, 0.8)])
@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_dup_random_stalls(cfg: Dup, pattern: str, stall_in: float, stall_out: float) -> None:
    seed = zlib.crc32(f"{pattern}/{stall_in}/{stall_out}".encode()) % 1000 + 1
    data, r, s0, s1 = case(cfg).run(pattern, stall_in=stall_in, stall_out=stall_out, seed=seed)
    check_sides(cfg, data, r, s0, s1, input_always_offered=stall_in == 0.0)


@pytest.mark.parametrize("slow", [0, 1])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_dup_fast_side_only_waits_for_full_buffer(cfg: Dup, slow: int) -> None:
    """One consumer mostly stalled, the other always ready: the fast side
    takes a beat in every cycle its buffer holds one, it runs ahead of the
    slow side by exactly the slow side's DEPTH, and (check_sides) the input
    stops only while the slow side's buffer is full."""
    data, r, s0, s1 = case(cfg).run(f"slow{slow}", seed=5)
    check_sides(cfg, data, r, s0, s1, input_always_offered=True)
    sides = (s0, s1)
    fast, slow_side = sides[1 - slow], sides[slow]
    n = r.total_cycles
    occ_fast = occupancy(r.in_accept_cycles, fast.cycles, n)
    taken = np.zeros(n + 1, dtype=bool)
    taken[fast.cycles] = True
    idle = (occ_fast > 0) & ~taken
    assert not idle.any(), f"{cfg}: fast side idle with a beat buffered in cycles {np.flatnonzero(idle)[:8]}"
    lead = occupancy(fast.cycles, slow_side.cycles, n)  # fast-side beats not yet taken by the slow side
    assert lead.max() == cfg.depths[slow], f"{cfg}: fast side ran ahead by at most {lead.max()}"
    # The slow consumer really was slow (about 1/32 of the cycles).
    assert n > 0.2 * N_BEATS / LEVEL_READY_PROB[3], f"{cfg}: {n} cycles for {N_BEATS} beats"


def dup_lint_top(w: int, d0: int, d1: int) -> str:
    """The bare lowbit_dup, every port on the top's ports."""
    ports = [
        Port("input", "clk"),
        Port("input", "rst"),
        Port("input", "in_tdata", w),
        Port("input", "in_tvalid"),
        Port("output", "in_tready"),
    ]
    for k in "01":
        ports += [Port("output", f"out{k}_tdata", w), Port("output", f"out{k}_tvalid"), Port("input", f"out{k}_tready")]
    params = (("W", str(w)), ("DEPTH0", str(d0)), ("DEPTH1", str(d1)))
    return print_module(
        Module("lint_top", ports, [Instance("lowbit_dup", "u_dut", params, by_name(*(p.name for p in ports)))])
    )


@pytest.mark.parametrize(
    "w,d0,d1",
    [(1, 1, 1), (1, 2, 2), (64, 2, 2), (300, 3, 16), (7, 16, 1)],
)
def test_dup_module_lint(w: int, d0: int, d1: int) -> None:
    top = dup_lint_top(w, d0, d1)
    lint({"lint_top.v": top, **library_subset(LIB_FILES)}, "lint_top")


def test_dup_rejects_zero_depth() -> None:
    top = dup_lint_top(4, 2, 0)
    with pytest.raises(LintError, match="lowbit_fifo_requires_DEPTH_and_W_at_least_1"):
        lint({"lint_top.v": top, **library_subset(LIB_FILES)}, "lint_top")
