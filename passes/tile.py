"""tile: choose the folding (PE output channels x SIMD input elements per cycle) of every
matrix product left after `bitserial` (XNOR-popcounts and the integer first layer).

Cycles per frame of a layer = pixels * ceil(C / PE) * ceil(K / SIMD) (pixels = 1 for dense
layers, the output pixels for convolutions); the slowest layer sets the initiation interval.
The default balances the pipeline: the largest layer gets ``lanes`` lanes and every other layer
the fewest lanes that keep it at or under the same cycle count, choosing divisors of C and K so
that no lane computes padding. A JSON file can fix the folding of any layer (layers are
numbered in program order), divisors or not (the units then pad channels and inputs):
``{"0": {"pe": 16, "simd": 49}, "3": {"pe": 1, "simd": 64}}``.
"""

from __future__ import annotations

import json
from math import prod
from dataclasses import dataclass
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import FoldAttr


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def cycles(c: int, k: int, pe: int, simd: int) -> int:
    return -(-c // pe) * -(-k // simd)


def cheapest_fold(c: int, k: int, max_cycles: int) -> tuple[int, int]:
    """Fewest lanes (PE*SIMD) with cycles <= max_cycles; ties go to wider SIMD (one
    accumulator and comparator per PE, so fewer PEs are cheaper), then fewer cycles."""
    best: tuple[int, int, int, int] | None = None
    for pe in divisors(c):
        for simd in divisors(k):
            cyc = cycles(c, k, pe, simd)
            if cyc > max_cycles:
                continue
            key = (pe * simd, pe, cyc, simd)
            if best is None or key < best:
                best = key
    if best is None:  # max_cycles below one cycle per frame: fully parallel
        return c, k
    return best[1], best[3]


def read_fold_file(path: str) -> dict[int, tuple[int, int]]:
    try:
        raw = json.loads(Path(path).read_text())
    except OSError as exc:
        raise DiagnosticException(f"tile: cannot read fold file {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise DiagnosticException(f"tile: fold file {path} is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(raw, dict):
        raise DiagnosticException(f"tile: fold file {path} must hold an object of layer index -> {{\"pe\": N, \"simd\": M}}")
    out: dict[int, tuple[int, int]] = {}
    for key, val in raw.items():
        if not str(key).isdigit() or not isinstance(val, dict) or set(val) != {"pe", "simd"} or not all(type(v) is int and v > 0 for v in val.values()):
            raise DiagnosticException(f"tile: fold file {path}: entry {key!r} must be \"<layer index>\": {{\"pe\": N, \"simd\": M}} with positive integers")
        out[int(key)] = (val["pe"], val["simd"])
    return out


@dataclass(frozen=True)
class TilePass(ModulePass):
    """Set `fold` on every `lowbit.xnor_popcount` (see the module docstring)."""

    name = "tile"

    lanes: int = 256
    """PE x SIMD lanes of the largest layer; the others are balanced to its cycle count."""
    fold_file: str | None = None

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        layers = [o for o in op.walk() if isinstance(o, (h.XnorPopcountOp, g.MatMulOp))]
        fixed = read_fold_file(self.fold_file) if self.fold_file else {}
        for idx in fixed:
            if idx >= len(layers):
                raise DiagnosticException(f"tile: fold file names layer {idx}, but the network has {len(layers)} layers (0..{len(layers) - 1})")
        if not layers:
            return
        if self.lanes < 1:
            raise DiagnosticException(f"tile: lanes must be positive, got {self.lanes}")
        # Cycles per frame of a layer = pixels x (C / PE) x (K / SIMD). The target: the largest
        # free layer with `lanes` lanes, and no faster than any layer whose folding the user
        # fixed (a faster pipeline would wait on it anyway).
        shapes = [l.weights.shape for l in layers]
        pixels = [prod(l.input.type.get_shape()[:-1]) for l in layers]
        target = 0
        for i, (c, k) in enumerate(shapes):
            if i in fixed:
                pe, simd = fixed[i]
                if pe > c or simd > k:
                    raise DiagnosticException(f"tile: layer {i}: PE {pe} exceeds {c} channels or SIMD {simd} exceeds fan-in {k}")
                target = max(target, pixels[i] * cycles(c, k, pe, simd))
        free = [i for i in range(len(layers)) if i not in fixed]
        if free:
            big = max(free, key=lambda i: pixels[i] * shapes[i][0] * shapes[i][1])
            c, k = shapes[big]
            best = min(((pe, simd) for pe in divisors(c) for simd in divisors(k) if pe * simd <= self.lanes),
                       key=lambda f: (cycles(c, k, *f), f[0]))
            target = max(target, pixels[big] * cycles(c, k, *best))
        for i, layer in enumerate(layers):
            pe, simd = fixed.get(i) or cheapest_fold(*shapes[i], target // pixels[i])
            layer.fold = FoldAttr(pe, simd)


def fold_of(op) -> FoldAttr | None:
    return op.fold
