"""The sliding-window generators' configuration and numpy reference, shared by the tests of
lowbit_swg (a whole window per beat) and lowbit_swg_ram (a window cut into beats of G elements)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from support.hw import pack


@dataclass(frozen=True)
class Swg:
    """lowbit_swg's parameters: C elements of EW bits a pixel, H x W frames, KH x KW windows with
    strides SH, SW."""

    C: int
    EW: int
    H: int
    W: int
    KH: int
    KW: int
    SH: int
    SW: int

    @property
    def Ho(self) -> int:
        return (self.H - self.KH) // self.SH + 1

    @property
    def Wo(self) -> int:
        return (self.W - self.KW) // self.SW + 1

    @property
    def in_width(self) -> int:
        return self.C * self.EW

    @property
    def window_width(self) -> int:
        return self.KH * self.KW * self.C * self.EW

    @property
    def out_width(self) -> int:
        return self.window_width

    def params(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("C", "EW", "H", "W", "KH", "KW", "SH", "SW")}

    def __str__(self) -> str:
        return f"C{self.C}_EW{self.EW}_{self.H}x{self.W}_k{self.KH}x{self.KW}_s{self.SH}x{self.SW}"


def random_frames(cfg: Swg, n_frames: int) -> np.ndarray:
    """``n_frames`` frames of (H, W, C) random elements, seeded by the configuration's name."""
    rng = np.random.default_rng(zlib.crc32(str(cfg).encode()))
    return rng.integers(0, 1 << cfg.EW, size=(n_frames, cfg.H, cfg.W, cfg.C), dtype=np.int64)


def pixel_beats(cfg: Swg, frames: np.ndarray) -> list[int]:
    """The input stream: every frame's pixels in raster order, element c at [c*EW +: EW]."""
    return [pack(px, cfg.EW) for f in frames for row in f for px in row]


def window_words(cfg: Swg, frames: np.ndarray) -> list[int]:
    """lowbit_swg's output: one word per window, windows in raster order of their top-left
    corners, element (ky, kx, c) at ((ky*KW + kx)*C + c)*EW, the row-major flattening of the
    (KH, KW, C) window."""
    outs = []
    for f in frames:
        for oy in range(cfg.Ho):
            for ox in range(cfg.Wo):
                win = f[oy * cfg.SH : oy * cfg.SH + cfg.KH, ox * cfg.SW : ox * cfg.SW + cfg.KW]
                outs.append(pack(win.reshape(-1), cfg.EW))
    return outs


def completing_pixels(cfg: Swg, n_frames: int) -> list[int]:
    """Index in the input stream of each window's bottom-right pixel."""
    return [
        f * cfg.H * cfg.W + (oy * cfg.SH + cfg.KH - 1) * cfg.W + ox * cfg.SW + cfg.KW - 1
        for f in range(n_frames)
        for oy in range(cfg.Ho)
        for ox in range(cfg.Wo)
    ]
