"""lowbit_swg_ram (sliding-window generator with its pixels in RAM, G elements per beat) against
lowbit_swg's numpy reference, under Verilator.

The reference is lowbit_swg's window word cut into beats of G elements, beat 0 in the low bits;
one test also runs both modules on the same frames and joins the RAM unit's beats back into
windows. Each configuration is one cached Verilator build; the stall patterns reuse it. Every run
streams several frames back to back.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import numpy as np
import pytest
from support.hw import StreamCase, case_cache, diff_msg, stream_top
from support.windows import Swg, completing_pixels, pixel_beats, random_frames, window_words

from lowbitc.backends.eda.synth import synthesize
from lowbitc.backends.runtime.sim.verilator import LintError, lint, simulate
from lowbitc.backends.target.devices import get_device
from lowbitc.backends.verilog.library import inline_includes, library_sources

N_FRAMES = 4
READ_LATENCY = 3
"""Cycles from the handshake of a window's bottom-right pixel to its first beat's handshake when
the reader was waiting for that pixel and the consumer is ready (the module's header)."""


@dataclass(frozen=True)
class SwgRam(Swg):
    """lowbit_swg's parameters and G, the elements per output beat."""

    G: int = 1
    RAM_STYLE: int = 0

    @property
    def beats_per_window(self) -> int:
        return self.KH * self.KW * self.C // self.G

    @property
    def out_width(self) -> int:
        return self.G * self.EW

    @property
    def frame_cycles(self) -> int:
        """The header's throughput formula: max(H*W, Ho*Wo*KH*KW*C/G)."""
        return max(self.H * self.W, self.Ho * self.Wo * self.beats_per_window)

    def params(self) -> dict[str, int]:
        return super().params() | {"G": self.G, "RAM_STYLE": self.RAM_STYLE}

    def window(self) -> Swg:
        """The same windows as lowbit_swg builds them."""
        return Swg(self.C, self.EW, self.H, self.W, self.KH, self.KW, self.SH, self.SW)

    def __str__(self) -> str:
        return f"{super().__str__()}_G{self.G}" + (f"_style{self.RAM_STYLE}" if self.RAM_STYLE else "")


CFGS = [
    SwgRam(3, 2, 5, 7, 3, 3, 1, 1, G=3),  # 3x3/1, 2-bit elements, G = C: one beat per pixel
    SwgRam(3, 2, 5, 7, 3, 3, 1, 1, G=1),  # ... one element per beat
    SwgRam(8, 1, 8, 6, 3, 3, 2, 2, G=2),  # stride 2, bottom row unused, 4 beats per pixel
    SwgRam(8, 1, 9, 9, 3, 3, 2, 2, G=8),  # stride 2 dividing: writer-bound (81 > 16 * 9)
    SwgRam(2, 1, 6, 7, 2, 2, 2, 2, G=2),  # 2x2/2 (pooling), last column unused
    SwgRam(5, 1, 4, 5, 1, 1, 1, 1, G=5),  # 1x1, G = C: input rate, every pixel is a window
    SwgRam(6, 1, 4, 5, 1, 1, 1, 1, G=2),  # 1x1, three beats per pixel
    SwgRam(2, 3, 3, 6, 3, 2, 1, 2, G=2),  # KH == H: one window row a frame; KH != KW
    SwgRam(3, 1, 5, 1, 2, 1, 2, 1, G=3),  # W == 1, margin row
    SwgRam(4, 1, 7, 5, 1, 3, 2, 1, G=2),  # KH == 1, row stride 2 (SH > KH: rows between windows)
    SwgRam(4, 2, 9, 8, 5, 5, 1, 1, G=2),  # 5x5/1
    SwgRam(2, 1, 8, 11, 5, 5, 2, 3, G=1),  # 5x5 with strides 2, 3 that do not divide: margins
    SwgRam(4, 1, 11, 10, 2, 3, 4, 3, G=4),  # SH > KH and SW == KW, margins, writer-bound
    SwgRam(16, 1, 6, 6, 3, 3, 1, 1, G=4),  # 3x3 on 6x6x16: reader-bound, 36 beats a window
    SwgRam(4, 1, 4, 3, 4, 3, 1, 1, G=4),  # kernel == frame: one window a frame
]


class Case(StreamCase):
    """Random frames for one configuration and the expected beats."""

    def __init__(self, cfg: SwgRam):
        super().__init__(cfg)
        self.frames = random_frames(cfg.window(), N_FRAMES)

    def inputs(self) -> list[int]:
        return pixel_beats(self.cfg, self.frames)

    def reference(self) -> list[int]:
        cfg = self.cfg
        mask = (1 << cfg.out_width) - 1
        return [
            (word >> (b * cfg.out_width)) & mask
            for word in window_words(cfg, self.frames)
            for b in range(cfg.beats_per_window)
        ]

    def top_source(self) -> str:
        cfg = self.cfg
        return stream_top("lowbit_swg_ram", cfg.params(), cfg.in_width, cfg.out_width)

    def expected_outputs(self) -> int:
        cfg = self.cfg
        return N_FRAMES * cfg.Ho * cfg.Wo * cfg.beats_per_window


case = case_cache(Case)


def _diff_msg(got: list[int], want: list[int], cfg: SwgRam) -> str:
    return diff_msg(got, want, cfg, "beat")


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_swg_ram_lint(cfg: SwgRam) -> None:
    case(cfg).lint()


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_swg_ram_no_stall_exact_and_timing(cfg: SwgRam) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run()
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    # Every frame takes exactly max(H*W, Ho*Wo*KH*KW*C/G) cycles, from the first on: each beat
    # comes exactly that long after the same beat of the previous frame.
    per = cfg.Ho * cfg.Wo * cfg.beats_per_window
    period = np.array(r.out_accept_cycles[per:]) - np.array(r.out_accept_cycles[:-per])
    assert (period == cfg.frame_cycles).all(), f"{cfg}: frame periods {sorted(set(period.tolist()))}"
    n_in = N_FRAMES * cfg.H * cfg.W
    if cfg.H * cfg.W >= cfg.Ho * cfg.Wo * cfg.beats_per_window:
        # Writer-bound: the input never waits.
        c0 = r.in_accept_cycles[0]
        assert r.in_accept_cycles == list(range(c0, c0 + n_in)), f"{cfg}: input not accepted every cycle"
    # The first window's first beat, the reader waiting for its bottom-right pixel.
    first_pixel = completing_pixels(cfg, 1)[0]
    assert r.out_accept_cycles[0] - r.in_accept_cycles[first_pixel] == READ_LATENCY


@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_swg_ram_beats_join_into_lowbit_swg_windows(cfg: SwgRam) -> None:
    """lowbit_swg_ram's beats of each window, beat 0 in the low bits, are lowbit_swg's window,
    both simulated on the same frames with stalls on both sides."""
    c = case(cfg)
    swg = cfg.window()
    swg_top = stream_top("lowbit_swg", swg.params(), swg.in_width, swg.out_width)
    sources = {"dut_top.v": swg_top, **library_sources()}
    n_windows = N_FRAMES * cfg.Ho * cfg.Wo
    windows = simulate(sources, "dut_top", swg.in_width, swg.out_width, c.inputs(), expected_outputs=n_windows).outputs
    beats = c.run(stall_in=0.2, stall_out=0.2, seed=3).outputs
    bpw = cfg.beats_per_window
    joined = [
        sum(b << (j * cfg.out_width) for j, b in enumerate(beats[w * bpw : (w + 1) * bpw])) for w in range(n_windows)
    ]
    assert len(windows) == n_windows
    assert joined == windows, diff_msg(joined, windows, cfg, "window")


STALLS = [(0.3, 0.3), (0.7, 0.7), (0.0, 0.7), (0.7, 0.0), (0.0, 0.95)]


@pytest.mark.parametrize("stall_in,stall_out", STALLS)
@pytest.mark.parametrize("cfg", CFGS, ids=str)
def test_swg_ram_random_stalls(cfg: SwgRam, stall_in: float, stall_out: float) -> None:
    c = case(cfg)
    want = c.reference()
    r = c.run(stall_in=stall_in, stall_out=stall_out, seed=int(10 * stall_in + 100 * stall_out))
    assert r.outputs == want, _diff_msg(r.outputs, want, cfg)
    assert len(r.in_accept_cycles) == N_FRAMES * cfg.H * cfg.W


# The CNV's window shapes (bench/units_swg.py measures them) and other realistic sizes.
CNV_SHAPES = [
    SwgRam(3, 8, 32, 32, 3, 3, 1, 1, G=3),
    SwgRam(64, 1, 30, 30, 3, 3, 1, 1, G=32),
    SwgRam(64, 1, 14, 14, 3, 3, 1, 1, G=64),
    SwgRam(128, 1, 12, 12, 3, 3, 1, 1, G=16),
    SwgRam(128, 1, 5, 5, 3, 3, 1, 1, G=8),
    SwgRam(256, 1, 3, 3, 3, 3, 1, 1, G=32),
    SwgRam(16, 2, 13, 17, 2, 3, 2, 3, G=8),
]


@pytest.mark.parametrize("cfg", CNV_SHAPES, ids=str)
def test_swg_ram_module_lint(cfg: SwgRam) -> None:
    lint({"dut_top.v": stream_top("lowbit_swg_ram", cfg.params(), cfg.in_width, cfg.out_width), **library_sources()},
         "dut_top")  # fmt: skip


def test_swg_ram_lints_standalone() -> None:
    lint(library_sources(), "lowbit_swg_ram")


@pytest.mark.parametrize(
    "cfg,msg",
    [
        (SwgRam(6, 1, 4, 4, 3, 3, 1, 1, G=4), "lowbit_swg_ram_requires_G_to_divide_C"),
        (SwgRam(6, 1, 4, 4, 3, 3, 1, 1, G=0), "lowbit_swg_ram_requires_G_to_divide_C"),
        (SwgRam(2, 1, 4, 4, 5, 3, 1, 1, G=2), "lowbit_swg_ram_requires_1_le_KH_le_H"),
        (SwgRam(2, 1, 4, 4, 3, 5, 1, 1, G=2), "lowbit_swg_ram_requires_1_le_KH_le_H"),
        (SwgRam(2, 1, 4, 4, 3, 3, 1, 0, G=2), "lowbit_swg_ram_requires_SH_and_SW_at_least_1"),
        (SwgRam(2, 1, 4, 4, 3, 3, 1, 1, G=2, RAM_STYLE=3), "lowbit_swg_ram_requires_RAM_STYLE_0_1_or_2"),
    ],
    ids=lambda v: str(v) if isinstance(v, Swg) else "",
)
def test_swg_ram_rejects_bad_params(cfg: SwgRam, msg: str) -> None:
    src = stream_top("lowbit_swg_ram", cfg.params(), cfg.in_width, max(1, cfg.out_width))
    with pytest.raises(LintError, match=msg):
        lint({"dut_top.v": src, **library_sources()}, "dut_top")


@pytest.mark.parametrize("style,primitive", [(0, "brams"), (1, "lutram"), (2, "brams")])
def test_swg_ram_ram_style_picks_the_primitive(style: int, primitive: str) -> None:
    """Yosys synth_xilinx (as `report --synth`) on 14x14x64 in 64-element beats (a 5.4 Kbit ring,
    which Yosys puts in block RAM by itself): RAM_STYLE 1 moves it to LUT RAM, 2 keeps it in block
    RAM; the other primitive is then unused."""
    if shutil.which("yosys") is None:  # loud, never a silent skip
        pytest.fail("yosys not installed; the RAM_STYLE check needs it: apt-get install yosys")
    cfg = SwgRam(64, 1, 14, 14, 3, 3, 1, 1, G=64, RAM_STYLE=style)
    library = library_sources()
    top = stream_top("lowbit_swg_ram", cfg.params(), cfg.in_width, cfg.out_width, top="top")
    verilog = top + "".join(inline_includes(library[f], library) for f in ("lowbit_swg_ram.v", "lowbit_fifo.v"))
    total = synthesize(verilog, "top", get_device("xc7z020"), flat=True).total
    other = "lutram" if primitive == "brams" else "brams"
    assert getattr(total, primitive) > 0 and getattr(total, other) == 0, f"RAM_STYLE {style}: {total}"
