"""lowbit_add (residual add, raw or multi-threshold requantized) against numpy, under Verilator.

The harness has one input, so each input beat carries a pixel of both
streams plus two stall levels:

    [0 +: C*EA]          pixel of stream A
    [C*EA +: C*EB]       pixel of stream B
    [C*(EA+EB) +: 2]     stall level of the A producer (tb_go, tests/support/gates.py)
    [C*(EA+EB)+2 +: 2]   stall level of the B producer

The wrapper forks the beat with lowbit_dup (4 beats of buffering per side,
so A and B can drift apart by several pixels) and gives each side its own
AXI-correct random producer (tb_src_gate) before the unit's A and B inputs;
the harness adds its own stalls on the wrapper's input and on the unit's
output, so all three handshakes of the unit stall independently. One build
per configuration covers every stall pattern.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pytest
from support.gates import fork, gate_sources, go, wires
from support.hw import ConstOutputs, by_name, int_range, library_subset, pack, stream_ports, threshold_literal

from lowbitc.backends.runtime.sim.verilator import LintError, SimResult, lint, simulate
from lowbitc.backends.verilog.printer import print_module
from lowbitc.backends.verilog.vast import Assign, Comment, Instance, Module, Port, Wire
from lowbitc.dialects import rtl

N_PIX = 300
FORK_DEPTH = 4
LIB_FILES = (*rtl.AddInstanceOp.LIBRARY_FILES, *rtl.DupInstanceOp.LIBRARY_FILES)  # the test forks a dup


@dataclass(frozen=True)
class Add(ConstOutputs):
    C: int
    EA: int
    SA: int
    EB: int
    SB: int

    @property
    def AW(self) -> int:
        return self.C * self.EA

    @property
    def BW(self) -> int:
        return self.C * self.EB

    @property
    def in_width(self) -> int:
        return self.AW + self.BW + 4

    @property
    def out_width(self) -> int:
        return self.C * self.OEW

    @property
    def sum_range(self) -> tuple[int, int]:
        (la, ha), (lb, hb) = int_range(self.EA, self.SA), int_range(self.EB, self.SB)
        return la + lb, ha + hb

    @property
    def need(self) -> int:
        """Fewest two's complement bits holding every sum."""
        lo, hi = self.sum_range
        w = 1
        while not (-(1 << (w - 1)) <= lo and hi < (1 << (w - 1))):
            w += 1
        return w

    def params(self) -> dict[str, int]:
        return {"C": self.C, "EA": self.EA, "SA": self.SA, "EB": self.EB, "SB": self.SB, **self.output_params()}

    def __str__(self) -> str:
        sa, sb = "su"[1 - self.SA], "su"[1 - self.SB]
        return f"C{self.C}_a{sa}{self.EA}_b{sb}{self.EB}_{self.output_label()}"


CFGS = [
    # ternary out {-1, 0, +1}; sums in [-6, 4], thresholds 6 bits wide
    Add(6, 3, 1, 2, 1, MODE=0, SW=6, NT=2, OB=2, OOFF=-1),
    # 2-bit unsigned out; unsigned + signed, sums in [-4, 6], SW = NEED = 4
    Add(5, 2, 0, 3, 1, MODE=0, SW=4, NT=3, OB=2, OOFF=0),
    # bipolar bit out; B is 1-bit signed {-1, 0}; sums in [-9, 7] but only
    # 3-bit thresholds [-4, 3], narrower than the sum
    Add(9, 4, 1, 1, 1, MODE=0, SW=3, NT=1, OB=1, OOFF=0),
    # raw, SW = NEED = 5 < adder width 6 (unsigned + 1-bit signed: [-1, 15])
    Add(3, 4, 0, 1, 1, MODE=1, SW=5),
    # raw, SW = 8 > adder width 5: sign extension (sums in [-2, 8])
    Add(4, 2, 1, 3, 0, MODE=1, SW=8),
]
MT_CFGS = [c for c in CFGS if c.MODE == 0]


def thresholds(cfg: Add) -> np.ndarray:
    """C x NT sorted thresholds exercising: channel kind 0 never fires, 1
    always fires, 2 sits on the range's boundaries, 3 is random inside (and
    one past) the range with repeats, 4 mixes an always- and a never-firing
    threshold around random ones. Kinds 0/1 need thresholds representable
    beyond the sum range; with too narrow an SW they become the SW extremes."""
    rng = np.random.default_rng(zlib.crc32(f"thresholds/{cfg}".encode()))
    lo, hi = cfg.sum_range
    tmin, tmax = int_range(cfg.SW, 1)

    def clip(v: int) -> int:
        return int(min(max(v, tmin), tmax))

    t = np.zeros((cfg.C, cfg.NT), dtype=np.int64)
    for c in range(cfg.C):
        kind = c % 5
        if kind == 0:
            row = [tmax] * cfg.NT
        elif kind == 1:
            row = [tmin] * cfg.NT
        elif kind == 2:
            row = [clip(v) for v in rng.choice([lo, lo + 1, hi, hi + 1], cfg.NT)]
        elif kind == 3:
            row = [clip(v) for v in rng.integers(lo - 1, hi + 2, cfg.NT)]
        else:
            row = [clip(v) for v in rng.integers(lo, hi + 1, cfg.NT)]
            row[0], row[-1] = (tmin, tmax) if cfg.NT > 1 else (rng.choice([tmin, tmax]),) * 2
        t[c] = sorted(row)
    return t


def gate(side: str, k: int) -> Instance:
    """tb_src_gate: fork side ``k`` offered to the unit's input ``side`` only on its go."""
    return Instance(
        "tb_src_gate",
        f"u_gate_{side}",
        (),
        (
            *by_name("clk", "rst"),
            ("go", f"go_{side}"),
            ("src_valid", f"v{k}"),
            ("src_ready", f"r{k}"),
            ("dst_valid", f"{side}_valid"),
            ("dst_ready", f"{side}_ready"),
        ),
    )


def add_params(cfg: Add, thresh: str | None) -> tuple[tuple[str, str], ...]:
    """The unit's parameters; THRESH (a Verilog literal) in MODE 0."""
    extra = (("THRESH", thresh),) if cfg.MODE == 0 and thresh is not None else ()
    return tuple((k, str(v)) for k, v in cfg.params().items()) + extra


def wrapper(cfg: Add, thresh: np.ndarray) -> str:
    """lowbit_add behind a fork of the top's input: side 0 carries A, side 1 B, each through its
    own random producer (the stall levels travel in the beat)."""
    aw, bw, iw = cfg.AW, cfg.BW, cfg.in_width
    unused = f"&{{1'b0, d0[{aw} +: {bw}], d0[{aw + bw + 2} +: 2], d1[0 +: {aw}], d1[{aw + bw} +: 2]}}"
    items = [
        *fork(iw, FORK_DEPTH, FORK_DEPTH, "u_fork"),
        Comment("Independent random producers of A (fork side 0) and B (side 1)."),
        *wires("go_a", "go_b", "a_valid", "a_ready", "b_valid", "b_ready"),
        go("u_go_a", f"d0[{aw + bw} +: 2]", "go_a"),
        go("u_go_b", f"d1[{aw + bw + 2} +: 2]", "go_b"),
        gate("a", 0),
        gate("b", 1),
        Wire("unused_fork_bits"),
        Assign("unused_fork_bits", unused),
    ]
    unit = Instance(
        "lowbit_add",
        "u_dut",
        add_params(cfg, threshold_literal(thresh, cfg.SW)),
        (
            *by_name("clk", "rst"),
            ("a_tdata", f"d0[0 +: {aw}]"),
            ("a_tvalid", "a_valid"),
            ("a_tready", "a_ready"),
            ("b_tdata", f"d1[{aw} +: {bw}]"),
            ("b_tvalid", "b_valid"),
            ("b_tready", "b_ready"),
            *by_name("out_tdata", "out_tvalid", "out_tready"),
        ),
    )
    return print_module(Module("dut_top", stream_ports(iw, cfg.out_width), [*items, unit]))


class Case:
    def __init__(self, cfg: Add):
        self.cfg = cfg
        rng = np.random.default_rng(zlib.crc32(str(cfg).encode()))
        (la, ha), (lb, hb) = int_range(cfg.EA, cfg.SA), int_range(cfg.EB, cfg.SB)
        self.a = rng.integers(la, ha + 1, (N_PIX, cfg.C))
        self.b = rng.integers(lb, hb + 1, (N_PIX, cfg.C))
        # The lowest and the highest sum in every channel.
        self.a[0], self.b[0], self.a[1], self.b[1] = la, lb, ha, hb
        self.thresh = thresholds(cfg)

    def inputs(self, pattern: str = "free") -> list[int]:
        cfg = self.cfg
        rng = np.random.default_rng(zlib.crc32(f"{cfg}/{pattern}".encode()))
        if pattern == "free":
            la = lb = np.zeros(N_PIX, int)
        elif pattern == "random":
            la, lb = rng.integers(0, 4, N_PIX), rng.integers(0, 4, N_PIX)
        elif pattern == "slowA":
            la, lb = rng.integers(2, 4, N_PIX), np.zeros(N_PIX, int)
        elif pattern == "slowB":
            la, lb = np.zeros(N_PIX, int), rng.integers(2, 4, N_PIX)
        else:
            raise ValueError(pattern)
        return [
            pack(a, cfg.EA) | pack(b, cfg.EB) << cfg.AW | int(x) << (cfg.AW + cfg.BW) | int(y) << (cfg.AW + cfg.BW + 2)
            for a, b, x, y in zip(self.a, self.b, la, lb)
        ]

    def sums(self) -> np.ndarray:
        return self.a + self.b

    def reference(self) -> list[int]:
        return self.cfg.output_beats(self.sums(), self.thresh)

    @cached_property
    def sources(self) -> dict[str, str]:
        return {"dut_top.v": wrapper(self.cfg, self.thresh), **library_subset(LIB_FILES), **gate_sources()}

    def run(self, pattern: str = "free", **kw) -> SimResult:
        cfg = self.cfg
        return simulate(self.sources, "dut_top", cfg.in_width, cfg.out_width, self.inputs(pattern), **kw)


_CASES: dict[Add, Case] = {}


def case(cfg: Add) -> Case:
    if cfg not in _CASES:
        _CASES[cfg] = Case(cfg)
    return _CASES[cfg]


def _diff_msg(got: list[int], want: list[int], cfg: Add) -> str:
    c = case(cfg)
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return (
                f"{cfg}: pixel {i}: got {g:#x}, want {w:#x} (a {c.a[i].tolist()}, b {c.b[i].tolist()}, "
                f"thresholds {c.thresh.tolist() if cfg.MODE == 0 else '-'})"
            )
    return f"{cfg}: {len(got)} pixels, want {len(want)}"


# --------------------------------------------------------------------------
# The reference and the test data.
# --------------------------------------------------------------------------


def test_reference_flavours() -> None:
    """Ternary, 2-bit unsigned and bipolar codes of the reference, by hand."""
    t = Case(Add(1, 3, 1, 2, 1, MODE=0, SW=6, NT=2, OB=2, OOFF=-1))
    t.thresh[:] = [[-1, 2]]
    t.a[:3, 0], t.b[:3, 0] = [-3, 0, 3], [1, 1, 1]  # sums -2, 1, 4 -> -1, 0, +1
    assert t.reference()[:3] == [0b11, 0b00, 0b01]
    u = Case(Add(1, 2, 0, 3, 1, MODE=0, SW=4, NT=3, OB=2, OOFF=0))
    u.thresh[:] = [[0, 0, 3]]
    u.a[:3, 0], u.b[:3, 0] = [0, 0, 3], [-1, 0, 0]  # sums -1, 0, 3 -> 0, 2, 3
    assert u.reference()[:3] == [0, 2, 3]
    r = Case(Add(2, 4, 0, 1, 1, MODE=1, SW=5))
    r.a[0], r.b[0] = [0, 15], [-1, 0]  # sums -1, 15
    assert r.reference()[0] == 0b01111_11111


def test_add_data_covers_thresholds() -> None:
    """Never- and always-firing thresholds are present, every threshold
    inside the sum range is met with equality by some sum (the >= edge), and
    every output code of each flavour occurs."""
    kinds = set()
    for cfg in MT_CFGS:
        c = case(cfg)
        lo, hi = cfg.sum_range
        s = c.sums()
        for ch in range(cfg.C):
            for t in c.thresh[ch]:
                kinds.add("always" if t <= lo else "never" if t > hi else "inside")
                if lo <= t <= hi:
                    assert (s[:, ch] == t).any(), f"{cfg}: threshold {t} of channel {ch} never met exactly"
        codes = {(v >> (k * cfg.OB)) & ((1 << cfg.OB) - 1) for v in c.reference() for k in range(cfg.C)}
        assert codes == {(n + cfg.OOFF) % (1 << cfg.OB) for n in range(cfg.NT + 1)}, cfg
    assert kinds == {"always", "never", "inside"}
    for cfg in CFGS:
        s = case(cfg).sums()
        assert (s.min(), s.max()) == cfg.sum_range, cfg


# --------------------------------------------------------------------------
# Co-simulation.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_add_lint(cfg: Add) -> None:
    lint(case(cfg).sources, "dut_top")


def test_add_lints_standalone() -> None:
    lint(library_subset(LIB_FILES), "lowbit_add")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_add_no_stall_exact_and_timing(cfg: Add) -> None:
    r = case(cfg).run()
    want = case(cfg).reference()
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    # One pixel per cycle (II = 1); the fork adds 1 cycle, the unit 1.
    assert r.in_accept_cycles == list(range(1, 1 + N_PIX)), f"{cfg}: input not one per cycle"
    lat = {o - i for i, o in zip(r.in_accept_cycles, r.out_accept_cycles)}
    assert lat == {2}, f"{cfg}: latencies {lat}"


STALLS = [(0.0, 0.0), (0.5, 0.5), (0.0, 0.8), (0.8, 0.0)]


@pytest.mark.parametrize("stall_in,stall_out", STALLS)
@pytest.mark.parametrize("pattern", ["random", "slowA", "slowB"])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_add_random_stalls(cfg: Add, pattern: str, stall_in: float, stall_out: float) -> None:
    seed = zlib.crc32(f"{pattern}/{stall_in}/{stall_out}".encode()) % 1000 + 1
    r = case(cfg).run(pattern, stall_in=stall_in, stall_out=stall_out, seed=seed)
    want = case(cfg).reference()
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)


# --------------------------------------------------------------------------
# Elaboration of other parameter sets, and the parameter guards.
# --------------------------------------------------------------------------


def lint_top(cfg: Add, thresh: int = 0) -> dict[str, str]:
    """The bare lowbit_add, every port on the top's ports (widths kept >= 1 so that only the
    unit's own guards can fail)."""
    ports = [Port("input", "clk"), Port("input", "rst")]
    for side, width in (("a", cfg.AW), ("b", cfg.BW)):
        ports += [Port("input", f"{side}_tdata", max(1, width)), Port("input", f"{side}_tvalid")]
        ports.append(Port("output", f"{side}_tready"))
    ports += [Port("output", "out_tdata", max(1, cfg.out_width)), Port("output", "out_tvalid")]
    ports.append(Port("input", "out_tready"))
    literal = f"{max(1, cfg.C * cfg.NT * cfg.SW)}'d{thresh}"
    unit = Instance("lowbit_add", "u_dut", add_params(cfg, literal), by_name(*(p.name for p in ports)))
    return {"lint_top.v": print_module(Module("lint_top", ports, [unit])), **library_subset(LIB_FILES)}


@pytest.mark.parametrize(
    "cfg,thresh",
    [
        (Add(1, 1, 1, 1, 1, MODE=1, SW=2), 0),  # {-1,0} + {-1,0}: NEED = 2 = adder width
        (Add(1, 1, 0, 1, 0, MODE=1, SW=31), 0),
        (Add(64, 2, 1, 2, 1, MODE=0, SW=4, NT=2, OB=2, OOFF=-1), (1 << 512) - 1),  # all thresholds -1
        (Add(8, 24, 1, 24, 0, MODE=1, SW=26), 0),  # widest operands
        (Add(3, 8, 1, 8, 1, MODE=0, SW=16, NT=15, OB=4, OOFF=-8), 12345678901234567890),
        (Add(2, 2, 0, 2, 0, MODE=0, SW=1, NT=1, OB=3, OOFF=5), 2),  # 1-bit thresholds, count widened
        (Add(2, 2, 1, 2, 1, MODE=0, SW=8, NT=2, OB=2, OOFF=0), (0x7F7F << 16) | 0x8080),  # all constant
    ],
    ids=lambda v: str(v) if isinstance(v, Add) else "",
)
def test_add_module_lint(cfg: Add, thresh: int) -> None:
    lint(lint_top(cfg, thresh), "lint_top")


@pytest.mark.parametrize(
    "cfg,msg",
    [
        (Add(3, 4, 0, 1, 1, MODE=1, SW=4), "lowbit_add_requires_SW_to_hold_every_sum"),  # [-1, 15] needs 5
        (Add(3, 2, 1, 2, 1, MODE=1, SW=2), "lowbit_add_requires_SW_to_hold_every_sum"),  # [-4, 2] needs 3
        (Add(2, 2, 1, 2, 1, MODE=0, SW=4, NT=4, OB=2), "lowbit_add_requires_NT_below_2_pow_OB"),
        (Add(2, 2, 1, 2, 1, MODE=0, SW=4, NT=0, OB=2), "lowbit_add_requires_NT_at_least_1_and_OB_between_1_and_16"),
        (Add(2, 2, 1, 2, 1, MODE=2, SW=4), "lowbit_add_requires_MODE_0_or_1"),
        (Add(2, 25, 1, 2, 1, MODE=1, SW=27), "lowbit_add_requires_EA_and_EB_between_1_and_24"),
        (Add(2, 2, 2, 2, 1, MODE=1, SW=4), "lowbit_add_requires_SA_and_SB_0_or_1"),
        (Add(2, 2, 1, 2, 1, MODE=0, SW=32, NT=1, OB=1), "lowbit_add_requires_SW_between_1_and_31"),
    ],
    ids=lambda v: str(v) if isinstance(v, Add) else "",
)
def test_add_rejects_bad_params(cfg: Add, msg: str) -> None:
    with pytest.raises(LintError, match=msg):
        lint(lint_top(cfg), "lint_top")


def test_add_minimal_raw_width_is_accepted() -> None:
    """SW = NEED is accepted and SW = NEED - 1 rejected, for each test config."""
    for cfg in CFGS:
        raw = Add(cfg.C, cfg.EA, cfg.SA, cfg.EB, cfg.SB, MODE=1, SW=cfg.need)
        lint(lint_top(raw), "lint_top")
        if cfg.need > 1:
            with pytest.raises(LintError, match="lowbit_add_requires_SW_to_hold_every_sum"):
                lint(lint_top(Add(cfg.C, cfg.EA, cfg.SA, cfg.EB, cfg.SB, MODE=1, SW=cfg.need - 1)), "lint_top")
