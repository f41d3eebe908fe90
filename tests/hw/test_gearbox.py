"""lowbit_gearbox (vector-aware stream width converter) against a Python reference, under
Verilator: the concatenation of a vector's output beats is its input beats with the pad on top,
the rate is one output beat per cycle when input beats are at least as wide, and nothing is lost
under random stalls on both sides."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import StreamCase, case_cache, diff_msg, stream_top, tied_off_top

from lowbitc.backends.runtime.sim.verilator import LintError, lint
from lowbitc.backends.verilog.library import library_sources

LIB_FILES = ("lowbit_gearbox.v",)
N_VECTORS = 12


@dataclass(frozen=True)
class Gear:
    IW: int
    OW: int
    NI: int
    NO: int
    PAD: int = 0

    @property
    def in_width(self) -> int:
        return self.IW

    @property
    def out_width(self) -> int:
        return self.OW

    @property
    def pad_bits(self) -> int:
        return self.NO * self.OW - self.NI * self.IW

    def params(self) -> dict[str, int]:
        return {"IW": self.IW, "OW": self.OW, "NI": self.NI, "NO": self.NO, "PAD": self.PAD}

    def __str__(self) -> str:
        return f"IW{self.IW}_OW{self.OW}_NI{self.NI}_NO{self.NO}_PAD{self.PAD}"


def gear(iw: int, ow: int, ni: int, pad: int = 0) -> Gear:
    """The gearbox for ``ni`` beats of ``iw`` bits into beats of ``ow`` bits, padded up."""
    return Gear(iw, ow, ni, -(-(iw * ni) // ow), pad)


CFGS = [
    gear(32, 18, 72),  # a 2,304-element window in 32-element words, into folds of 18 (G = 2)
    gear(256, 4, 1),  # a dense layer's whole 256-bit vector, into 4-bit folds
    gear(576, 83, 1, pad=1),  # a whole window into padded folds of 83 (XNOR pad bits are 1)
    gear(64, 64, 9),  # equal widths: a register stage
    gear(24, 216, 9),  # narrow beats into wide ones (3 pixels of 8-bit x 3 channels, 9 per window)
    gear(8, 12, 3),  # 24 bits into 12-bit beats, IW < OW, G = 4
    gear(12, 8, 5, pad=1),  # 60 bits into 8-bit beats, 4 pad bits
    gear(7, 3, 4),  # G = 1, 28 bits into 10 beats of 3: 2 pad bits
    gear(130, 65, 2),  # wide ports (VlWide)
    # the deserializer (OW a multiple of IW, the pad too, the last output beat of >= 2 input beats)
    gear(1, 8, 64),  # a dense layer's channel folds (PE 1) into a consumer's 8-bit folds
    gear(16, 64, 12),  # 192 bits into 64-bit beats: three per vector
    gear(1, 4, 10, pad=1),  # 10 bits into 3 folds of 4: 2 pad bits under the last
    gear(2, 8, 5),  # 10 bits into 2 beats of 8: 6 pad bits (0), a last beat of 2 input beats
    gear(32, 64, 2),  # one 64-bit beat per vector
    gear(1, 3, 2, pad=1),  # last output beat of 2 input beats and one pad bit, a vector per output
    gear(4, 8, 3),  # last beat of 1 input beat: the general structure, not the deserializer
]


class Case(StreamCase):
    lib_files = LIB_FILES

    def __init__(self, cfg: Gear):
        super().__init__(cfg)
        self.rng = random.Random(zlib.crc32(str(cfg).encode()))
        self.beats = [self.rng.getrandbits(cfg.IW) for _ in range(N_VECTORS * cfg.NI)]

    def top_source(self) -> str:
        return stream_top("lowbit_gearbox", self.cfg.params(), self.cfg.IW, self.cfg.OW)

    def inputs(self) -> list[int]:
        return self.beats

    def expected_outputs(self) -> int:
        return N_VECTORS * self.cfg.NO

    def reference(self) -> list[int]:
        cfg, out = self.cfg, []
        for v in range(N_VECTORS):
            word = 0
            for i, beat in enumerate(self.beats[v * cfg.NI : (v + 1) * cfg.NI]):
                word |= beat << (i * cfg.IW)
            if cfg.PAD:
                word |= ((1 << cfg.pad_bits) - 1) << (cfg.NI * cfg.IW)
            out += [(word >> (j * cfg.OW)) & ((1 << cfg.OW) - 1) for j in range(cfg.NO)]
        return out


case = case_cache(Case)


def test_reference_pads_on_top() -> None:
    c = Case(gear(12, 8, 5, pad=1))
    c.beats = [0] * len(c.beats)
    assert c.reference()[:8] == [0] * 7 + [0xF0]  # 60 data bits, then 4 one bits


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_gearbox_lint(cfg: Gear) -> None:
    case(cfg).lint()


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_gearbox_exact_and_rate(cfg: Gear) -> None:
    """Without stalls: exact, and one output beat per cycle when IW >= OW (else the input's rate:
    every input beat accepted on consecutive cycles) once the first output is out."""
    c = case(cfg)
    r = c.run()
    want = c.reference()
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)
    outs = np.array(r.out_accept_cycles)
    if cfg.IW >= cfg.OW:
        assert (np.diff(outs) == 1).all(), f"{cfg}: output gaps {sorted(set(np.diff(outs)))}"
    else:
        assert (np.diff(np.array(r.in_accept_cycles)) == 1).all()
    completing = min(-(-cfg.OW // cfg.IW), cfg.NI) - 1  # the input beat completing the first output beat
    assert outs[0] == r.in_accept_cycles[completing] + 1


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_gearbox_random_stalls(cfg: Gear, seed: int) -> None:
    c = case(cfg)
    r = c.run(stall_in=0.3, stall_out=0.4, seed=seed)
    want = c.reference()
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)


@pytest.mark.parametrize(
    "params,message",
    [
        ({"IW": 8, "OW": 4, "NI": 2, "NO": 3}, "lowbit_gearbox_requires_0_le_NO_OW_minus_NI_IW_lt_OW"),
        ({"IW": 8, "OW": 4, "NI": 2, "NO": 5}, "lowbit_gearbox_requires_0_le_NO_OW_minus_NI_IW_lt_OW"),
        ({"IW": 8, "OW": 4, "NI": 2, "NO": 4, "PAD": 2}, "lowbit_gearbox_requires_PAD_0_or_1"),
    ],
)
def test_gearbox_parameter_checks(params: dict[str, int], message: str) -> None:
    top = tied_off_top(
        "lowbit_gearbox", params, ["in_tdata", "in_tvalid", "out_tready"], ["in_tready", "out_tdata", "out_tvalid"]
    )
    with pytest.raises(LintError, match=message):
        lint({"lint_top.v": top, **library_sources()}, "lint_top")
