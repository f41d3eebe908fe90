"""lowbit_mvu with NARROW = 1 (one fold per input beat, the vector kept in a RAM of SF folds for
the channel folds after the first) against a numpy reference, co-simulated with Verilator: every
lane kind (XNOR, the +-1 tree, bit planes, the AND domain, plane-serial), both modes, one and
several channel folds, one input fold, border cases; exact II and latency, random stalls on both
sides, a slow consumer freezing the datapath, a slow producer leaving bubbles. With FOLDOUT = 1
(some configurations) the output is one channel fold per beat, too.

Each configuration is one Verilator build (cached on disk across runs); the stall patterns reuse
the same executable.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from support.hw import case_cache, diff_msg, pack, threshold_literal, to_unsigned
from support.mvu import MvuCase, MvuFold, fold_words, mvu_lint_top, mvu_rejects_top, swidth

from lowbitc.backends.eda.synth import synthesize
from lowbitc.backends.runtime.sim.verilator import SimResult, lint
from lowbitc.backends.target.devices import get_device
from lowbitc.backends.verilog.instances import parameter_text
from lowbitc.backends.verilog.library import inline_includes, library_sources
from lowbitc.dialects.lowbit.border import BorderAttr
from lowbitc.dialects.rtl.cells import clog2
from lowbitc.dialects.rtl.mvu import border_parameters


@dataclass(frozen=True, kw_only=True)
class Cfg(MvuFold):
    EW: int = 0
    ES: int = 1
    WB: int = 1
    PS: int = 0
    MODE: int = 0
    NT: int = 1
    OB: int = 1
    OOFF: int = 0
    geometry: tuple | None = None  # border cases: (map (H, W), kernel, strides, pads)
    FOLDOUT: int = 0  # 1: one output beat per channel fold (PE channels)

    @property
    def xnor(self) -> bool:
        return self.EW == 0 and self.WB == 1

    @property
    def NPL(self) -> int:
        return self.EW if self.PS else 1

    @property
    def II(self) -> int:
        # lowbit_mvu.v: S = NF*SF*NPL steps per vector.
        return self.NF * self.SF * self.NPL

    @property
    def ram(self) -> int:
        """lowbit_mvu.v, NARROW: 1 when the vector is kept in the RAM (NF > 1, unless one fold
        without planes), which the folds pass through on their way to the lanes."""
        return int(self.NF > 1 and (self.SF > 1 or self.NPL > 1))

    @property
    def latency(self) -> int:
        """From a vector's first beat, its beats arriving without gaps and the unit idle."""
        return self.II + 2 + self.PIPE + self.ram

    @property
    def latency_last(self) -> int:
        """From a vector's last beat, whatever the gaps before it (output never stalled)."""
        return self.II - (self.SF - 1) * self.NPL + 2 + self.PIPE + self.ram

    def x_range(self) -> tuple[int, int]:
        if self.EW == 0:
            return 0, 1
        return (-(1 << (self.EW - 1)), (1 << (self.EW - 1)) - 1) if self.ES else (0, (1 << self.EW) - 1)

    def w_range(self) -> tuple[int, int]:
        if self.xnor:
            return 0, 1  # weight bits, compared with the input bits
        return (-1, 1) if self.WB == 1 else (-(1 << (self.WB - 1)), (1 << (self.WB - 1)) - 1)

    def acc_range(self) -> tuple[int, int]:
        if self.xnor:
            return 0, self.K
        (xl, xh), (wl, wh) = self.x_range(), self.w_range()
        prods = [a * b for a in (xl, xh) for b in (wl, wh)]
        return self.K * min(prods), self.K * max(prods)

    @property
    def PW(self) -> int:
        lo, hi = self.acc_range()
        if self.xnor:
            return clog2(self.K + 2)
        return swidth(lo, hi + (1 if self.MODE == 0 else 0))

    @property
    def border(self) -> BorderAttr | None:
        return BorderAttr.build(*self.geometry) if self.geometry else None

    @property
    def in_width(self) -> int:
        return self.SIMD * max(1, self.EW)

    @property
    def out_beats(self) -> int:
        """Output beats per vector: its NF channel folds with FOLDOUT, else one."""
        return self.NF if self.FOLDOUT else 1

    @property
    def out_width(self) -> int:
        return self.C // self.out_beats * (self.OB if self.MODE == 0 else self.PW)

    def __str__(self) -> str:
        s = f"K{self.K}_C{self.C}_PE{self.PE}_S{self.SIMD}_EW{self.EW}{'s' if self.ES else 'u'}_WB{self.WB}"
        s += f"_PS{self.PS}_M{self.MODE}_P{self.PIPE}"
        s += f"_NT{self.NT}_OB{self.OB}_OFF{self.OOFF}" if self.MODE == 0 else ""
        return s + ("_border" if self.geometry else "") + ("_foldout" if self.FOLDOUT else "")


PAD1 = ((5, 4), (3, 3), (1, 1), (1, 1, 1, 1))
CFGS = [
    Cfg(32, 10, 2, 8, PIPE=0),  # XNOR, NF 5 x SF 4
    Cfg(16, 8, 8, 4, PIPE=1, MODE=1),  # XNOR raw sums, NF 1: no RAM
    Cfg(16, 8, 2, 16, PIPE=1),  # NF 4 x SF 1: the lane register holds the fold
    Cfg(16, 8, 8, 16, PIPE=1),  # NF 1 x SF 1: one vector per cycle
    Cfg(8, 4, 1, 1, PIPE=1),  # fully folded: one-bit beats
    Cfg(27, 10, 2, 9, EW=8, PIPE=0),  # 8-bit signed x +-1 (the NEG tree), NF 5 x SF 3
    Cfg(18, 6, 3, 6, EW=2, WB=2, PIPE=1, NT=2, OB=2, OOFF=-1),  # ternary x 2-bit -> ternary
    Cfg(18, 6, 3, 6, EW=2, WB=2, PS=1, PIPE=1, NT=2, OB=2, OOFF=-1),  # the same plane-serial
    Cfg(16, 4, 4, 16, EW=8, WB=1, PS=1, MODE=1, PIPE=1),  # plane-serial, NF 1 x SF 1
    Cfg(9, 4, 2, 9, EW=3, ES=0, WB=4, PS=1, MODE=1, PIPE=0),  # plane-serial, NF 2 x SF 1: a one-word RAM
    Cfg(12, 3, 3, 4, EW=3, ES=0, WB=2, PS=1, PIPE=1, NT=3, OB=2),  # plane-serial, NF 1 x SF 3
    Cfg(12, 6, 3, 4, EW=3, ES=0, WB=4, PS=1, MODE=1, PIPE=0),  # plane-serial, NF 2 x SF 3
    Cfg(20, 4, 2, 5, EW=0, WB=2, PIPE=0, NT=3, OB=2, OOFF=-2),  # AND domain x ternary
    Cfg(144, 8, 2, 72, EW=0, WB=1, PIPE=1, MODE=1),  # 72-bit beats (VlWide), NF 4 x SF 2
    Cfg(18, 6, 2, 6, PIPE=1, geometry=PAD1),  # border cases, one threshold, NF 3 x SF 3
    Cfg(18, 6, 3, 9, PIPE=0, NT=3, OB=2, geometry=PAD1),  # border cases, comparators, NF 2 x SF 2
    Cfg(25, 4, 4, 25, PIPE=0, geometry=((4, 6), (5, 5), (2, 1), (2, 0, 1, 2))),  # border, NF 1 x SF 1
    Cfg(32, 10, 2, 8, PIPE=0, FOLDOUT=1),  # XNOR, NF 5 x SF 4, a fold of 2 channels per output beat
    Cfg(16, 8, 2, 16, PIPE=1, FOLDOUT=1),  # SF 1: a fold per cycle, the output FIFO 2 deep
    Cfg(8, 4, 1, 1, PIPE=1, FOLDOUT=1),  # fully folded: one-bit beats in and out
    Cfg(18, 6, 3, 6, EW=2, WB=2, PS=1, PIPE=1, NT=2, OB=2, OOFF=-1, FOLDOUT=1),  # plane-serial, 6-bit folds
    Cfg(12, 6, 3, 4, EW=3, ES=0, WB=4, PS=1, MODE=1, PIPE=0, FOLDOUT=1),  # raw sums, PE x PW bits per beat
    Cfg(18, 6, 2, 6, PIPE=1, geometry=PAD1, FOLDOUT=1),  # border cases, per-fold thresholds
]


class Case(MvuCase):
    """Random weights, inputs and thresholds with the input and weight extremes forced."""

    def __init__(self, cfg: Cfg):
        self.cfg = cfg
        rng = np.random.default_rng(zlib.crc32(str(cfg).encode()))
        border = cfg.border
        self.cases = border.case_map().reshape(-1) if border else np.zeros(1, dtype=np.int64)
        n = 2 * len(self.cases) if border else 24
        (xl, xh), (wl, wh) = cfg.x_range(), cfg.w_range()
        if not cfg.xnor and cfg.WB == 1:
            w = rng.choice([-1, 1], size=(cfg.C, cfg.K))
        else:
            w = rng.integers(wl, wh + 1, size=(cfg.C, cfg.K), dtype=np.int64)
        w[-1], w[0, 0], w[0, -1] = wh, wl, wh
        self.w = w.astype(np.int64)
        x = rng.integers(xl, xh + 1, size=(n, cfg.K), dtype=np.int64)
        x[0], x[1] = xl, xh
        x[2] = np.where(self.w[0] > wl, xh, xl)
        self.x = x
        self.t = self.thresholds(rng)

    def acc(self) -> np.ndarray:
        if self.cfg.xnor:
            return (self.x[:, None, :] == self.w[None, :, :]).sum(axis=2)
        return self.x @ self.w.T  # (N, C), exact in int64

    def thresholds(self, rng: np.random.Generator) -> np.ndarray:
        """(NCASE, C, NT) ascending thresholds drawn from each channel's sums (so the outputs
        vary), with an "always" (acc_min) and a "never" (acc_max + 1) threshold."""
        cfg = self.cfg
        lo, hi = cfg.acc_range()
        ncase = cfg.border.cases if cfg.border else 1
        a = self.acc()
        t = np.zeros((ncase, cfg.C, cfg.NT), dtype=np.int64)
        for c in range(cfg.C):
            t[:, c] = rng.choice(np.unique(a[:, c]), size=(ncase, cfg.NT))
        t[0, 0, 0], t[-1, -1, -1] = lo, hi + 1
        return np.sort(t, axis=-1)

    def reference(self) -> list[int]:
        """Output beats: per vector one, or (FOLDOUT) its channel folds nf = 0..NF-1."""
        cfg = self.cfg
        outs = []
        for i, row in enumerate(self.acc()):
            if cfg.MODE == 0:
                table = self.t[self.cases[i % len(self.cases)]]
                vals, bits = (row[:, None] >= table).sum(axis=1) + cfg.OOFF, cfg.OB
            else:
                vals, bits = np.asarray([to_unsigned(v, cfg.PW) for v in row]), cfg.PW
            per_beat = cfg.C // cfg.out_beats
            outs += [pack(vals[b * per_beat : (b + 1) * per_beat], bits) for b in range(cfg.out_beats)]
        return outs

    def inputs(self) -> list[int]:
        """SF beats per vector, fold sf = elements sf*SIMD .. sf*SIMD + SIMD - 1."""
        cfg, ew = self.cfg, max(1, self.cfg.EW)
        return [pack(row[sf * cfg.SIMD : (sf + 1) * cfg.SIMD], ew) for row in self.x for sf in range(cfg.SF)]

    @property
    def word_width(self) -> int:
        return self.cfg.PE * self.cfg.SIMD * self.cfg.WB

    def words(self) -> list[int]:
        enc = (self.w > 0).astype(np.int64) if self.cfg.WB == 1 and not self.cfg.xnor else self.w
        return fold_words(enc, self.cfg.PE, self.cfg.SIMD, self.cfg.WB)

    def params(self) -> list[tuple[str, Any]]:
        cfg = self.cfg
        names = ("K", "C", "PE", "SIMD", "EW", "ES", "WB", "PS", "MODE", "NT", "OB", "OOFF", "PW", "PIPE")
        params: list[tuple[str, Any]] = [(n, getattr(cfg, n)) for n in names]
        params += [("NARROW", 1), ("FOLDOUT", cfg.FOLDOUT), ("THRESH", threshold_literal(self.t, cfg.PW))]
        if cfg.border:
            params += [(name, parameter_text(v)) for name, v in border_parameters(cfg.border, cfg.NF)]
        return params

    def run(self, **kw: Any) -> SimResult:
        return super().run(expected_outputs=len(self.x) * self.cfg.out_beats, **kw)


case = case_cache(Case)


def vector_firsts(r: SimResult, cfg: Cfg) -> np.ndarray:
    return np.asarray(r.in_accept_cycles[:: cfg.SF])


def vector_lasts(r: SimResult, cfg: Cfg) -> np.ndarray:
    return np.asarray(r.in_accept_cycles[cfg.SF - 1 :: cfg.SF])


def result_beats(r: SimResult, cfg: Cfg) -> np.ndarray:
    """Output handshake cycles, one row per vector (its channel folds with FOLDOUT)."""
    return np.asarray(r.out_accept_cycles).reshape(-1, cfg.out_beats)


def test_reference_is_not_constant() -> None:
    """Every configuration's outputs vary, per channel where there are thresholds, so the
    comparisons below test the datapath."""
    for cfg in CFGS:
        c = case(cfg)
        assert len(set(c.reference())) > min(2, (1 << cfg.out_width) - 1), cfg  # one-bit beats: both values
        if cfg.MODE == 0:
            assert len(np.unique(c.t)) > 1, cfg


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_narrow_lint(cfg: Cfg) -> None:
    lint(case(cfg).sources, "mvu_top")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_narrow_exact_ii_and_latency(cfg: Cfg) -> None:
    """No stalls: exact outputs; a vector's beats NPL cycles apart, vectors and outputs exactly
    II apart from the first on, and the documented latency from the first beat."""
    c = case(cfg)
    want = c.reference()
    r = c.run()
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)
    assert len(r.in_accept_cycles) == len(c.x) * cfg.SF
    firsts = vector_firsts(r, cfg)
    assert (np.diff(firsts) == cfg.II).all(), f"{cfg}: vector spacing {np.diff(firsts).tolist()}, want {cfg.II}"
    beats = np.asarray(r.in_accept_cycles).reshape(-1, cfg.SF)
    assert (np.diff(beats, axis=1) == cfg.NPL).all(), f"{cfg}: beat spacing within vectors"
    outs = result_beats(r, cfg)
    gaps = np.diff(outs[:, -1])
    assert (gaps == cfg.II).all(), f"{cfg}: output spacing {gaps.tolist()}, want {cfg.II}"
    folds = np.diff(outs, axis=1)  # FOLDOUT: a channel fold every SF steps
    assert (folds == cfg.SF * cfg.NPL).all(), f"{cfg}: channel fold spacing {folds.tolist()}"
    lat = outs[:, -1] - firsts
    assert (lat == cfg.latency).all(), f"{cfg}: latency {lat.tolist()}, want {cfg.latency}"
    assert r.total_cycles == r.out_accept_cycles[-1] + 1


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_narrow_bubbles_keep_latency_from_last_beat(cfg: Cfg) -> None:
    """A producer with gaps (bubbles in channel fold 0) and a consumer always ready: nothing is
    lost, and every vector's result comes exactly latency_last cycles after its last beat."""
    c = case(cfg)
    want = c.reference()
    r = c.run(stall_in=0.6, seed=5)
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)
    lat = result_beats(r, cfg)[:, -1] - vector_lasts(r, cfg)
    assert (lat == cfg.latency_last).all(), f"{cfg}: latency {lat.tolist()}, want {cfg.latency_last}"


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_narrow_random_stalls(cfg: Cfg, seed: int) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run(stall_in=0.3, stall_out=0.3, seed=seed)
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)
    assert len(r.in_accept_cycles) == len(c.x) * cfg.SF


@pytest.mark.parametrize(("stall_in", "stall_out"), [(0.1, 0.97), (0.5, 0.9)])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_mvu_narrow_backpressure(cfg: Cfg, stall_in: float, stall_out: float) -> None:
    """A consumer much slower than the unit: the datapath freezes at varying points of a vector
    (between plane steps too) without losing or corrupting anything."""
    c = case(cfg)
    want = c.reference()
    r = c.run(stall_in=stall_in, stall_out=stall_out, seed=7)
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)


def _lint_wrapper(params: dict[str, int]) -> str:
    """The bare narrow module, port widths from its documented defaults (XNOR lanes)."""
    p = {"K": 16, "C": 8, "PE": 2, "SIMD": 4, "EW": 0, "MODE": 0, **params}
    k, c, pe, simd, ew = (p[n] for n in ("K", "C", "PE", "SIMD", "EW"))
    pw = clog2(k + 2)
    ow = c if p["MODE"] == 0 else c * pw
    return mvu_lint_top({**params, "NARROW": 1}, simd * max(1, ew), ow, (c // pe) * (k // simd), pe * simd)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"K": 1, "C": 1, "PE": 1, "SIMD": 1},
        {"K": 1, "C": 2, "PE": 1, "SIMD": 1, "MODE": 1, "PIPE": 0},
        {"K": 2, "C": 1, "PE": 1, "SIMD": 1},
        {"K": 1024, "C": 64, "PE": 8, "SIMD": 32},
        {"K": 64, "C": 3, "PE": 1, "SIMD": 64, "PW": 8},
    ],
    ids=lambda p: "_".join(f"{k}{v}" for k, v in p.items()) or "defaults",
)
def test_mvu_narrow_module_lint(params: dict[str, int]) -> None:
    lint({"lint_top.v": _lint_wrapper(params), **library_sources()}, "lint_top")


@pytest.mark.parametrize("name", ["NARROW", "FOLDOUT"])
def test_mvu_rejects_bad_narrow(name: str) -> None:
    bad = mvu_rejects_top({name: 2})
    with pytest.raises(Exception, match=f"lowbit_mvu_requires_{name}_0_or_1"):
        lint({"lint_top.v": bad, **library_sources()}, "lint_top")


def _unit_design(params: dict[str, int]) -> str:
    """The bare narrow unit (`_lint_wrapper`) and the library files it uses, as one text."""
    lib = library_sources()
    files = [name for name in lib if name.startswith("lowbit_mvu") or name == "lowbit_fifo.v"]
    return "\n".join([*(inline_includes(lib[name], lib) for name in files), _lint_wrapper(params)])


def _combinational_path(design: str, source: str, sink: str) -> bool:
    """Whether port ``sink`` of lint_top is in the combinational fanout of port ``source``
    (Yosys after proc and flatten: every cell but the flip-flops is followed)."""
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "design.v").write_text(design)
        cone = f"w:{source} %co*:-$dff,$adff w:{sink} %i"
        script = f"read_verilog design.v; hierarchy -top lint_top; proc; flatten; tee -q -o n.txt select -count {cone}"
        r = subprocess.run(["yosys", "-q", "-p", script], capture_output=True, text=True, cwd=d)
        assert r.returncode == 0, r.stdout + r.stderr
        count = re.search(r"(\d+) objects", (Path(d) / "n.txt").read_text())
    assert count, "yosys select -count printed no count"
    return int(count.group(1)) > 0


@pytest.mark.parametrize(
    "params",
    [
        {"K": 16, "C": 8, "PE": 8, "SIMD": 4},  # NF 1: straight to the lanes
        {"K": 16, "C": 8, "PE": 2, "SIMD": 4},  # through the RAM
        {"K": 16, "C": 8, "PE": 2, "SIMD": 16},  # SF 1: held in the lane register
        {"K": 16, "C": 8, "PE": 2, "SIMD": 4, "EW": 2, "PS": 1},  # planes, through the RAM
    ],
    ids=lambda p: "_".join(f"{k}{v}" for k, v in p.items()),
)
def test_mvu_narrow_in_tready_is_a_function_of_flops(params: dict[str, int]) -> None:
    """in_tready depends combinationally on neither in_tvalid nor out_tready. The same check
    finds the path from in_tvalid to the weight-memory enable where a step is issued in the
    cycle of its beat (no RAM), and none where it comes from the RAM."""
    if shutil.which("yosys") is None:  # loud, never a silent skip
        pytest.fail("yosys not installed; this test needs it: apt-get install yosys")
    design = _unit_design(params)
    assert not _combinational_path(design, "in_tvalid", "in_tready")
    assert not _combinational_path(design, "out_tready", "in_tready")
    nf, sf = params["C"] // params["PE"], params["K"] // params["SIMD"]
    through_ram = nf > 1 and (sf > 1 or params.get("PS", 0) == 1)
    assert _combinational_path(design, "in_tvalid", "wmem_en") == (not through_ram)


def test_mvu_narrow_vector_is_in_lut_ram() -> None:
    """Yosys synth_xilinx (flat, as `report --synth` runs it) keeps a narrow unit's vector (SF = 8
    folds x 64 bits, read by NF = 4 channel folds) in LUT RAM: the unit's flip-flops are fewer
    than half the vector's bits, where the whole-vector unit holds two copies in flip-flops."""
    if shutil.which("yosys") is None:  # loud, never a silent skip
        pytest.fail("yosys not installed; this test needs it: apt-get install yosys")
    k, c, simd = 512, 4, 64
    design = _unit_design({"K": k, "C": c, "PE": 1, "SIMD": simd})
    total = synthesize(design, "lint_top", get_device("xc7z020"), flat=True).total
    assert total.lutram > 0, total
    assert total.ffs < k // 2, total
