"""A small PNG decoder (zlib + numpy) for checking browser screenshots without an imaging library.

Handles what Chromium writes: 8-bit greyscale, RGB or RGBA, not interlaced, any filter per row.
The filters' dependencies (left, up, up-left) only reach earlier anti-diagonals, so pixels are
reconstructed one anti-diagonal (x + y = t) at a time, vectorised over the rows."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel


def read_png(path: Path) -> np.ndarray:
    """[H, W, channels] uint8 pixels of the PNG file ``path``."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG file"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    assert header is not None, f"{path}: no IHDR chunk"
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in CHANNELS and interlace == 0, f"{path}: unsupported PNG {header}"
    bpp = CHANNELS[colour]
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8).reshape(height, 1 + width * bpp)
    filters = raw[:, 0].astype(np.int64)
    assert filters.max() <= 4, f"{path}: bad filter type {filters.max()}"
    filtered = raw[:, 1:].reshape(height, width, bpp).astype(np.int64)
    out = np.zeros((height + 1, width + 1, bpp), dtype=np.int64)  # row 0 and column 0: zero borders
    for t in range(width + height - 1):
        ys = np.arange(max(0, t - width + 1), min(height - 1, t) + 1)
        xs = t - ys
        a, b, c = out[ys + 1, xs], out[ys, xs + 1], out[ys, xs]
        p = a + b - c
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        predictors = np.stack([np.zeros_like(a), a, b, (a + b) // 2, paeth])
        f = filters[ys]
        pred = predictors[f, np.arange(len(ys))]
        out[ys + 1, xs + 1] = (filtered[ys, xs] + pred) & 0xFF
    return out[1:, 1:].astype(np.uint8)


def colour_count(pixels: np.ndarray, hex_colour: str) -> int:
    """Pixels exactly of ``#rrggbb``."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)
    return int(np.all(pixels[..., :3] == rgb, axis=-1).sum())
