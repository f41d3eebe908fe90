"""tile: choose the folding (PE output channels x SIMD input elements per cycle) of every
matrix product left after `bitserial` (XNOR-popcounts, plane-popcounts and the integer first
layer), and for plane-popcounts whether the unit takes all activation planes at once or one
plane per cycle (``serial``: P times the cycles with lanes P times narrower).

Cycles per frame of a layer = pixels * ceil(C / PE) * ceil(K / SIMD) (pixels = 1 for dense
layers, the output pixels for convolutions); the slowest layer sets the initiation interval.
The default balances the pipeline: the largest layer gets ``lanes`` lanes and every other layer
the fewest lanes that keep it at or under the same cycle count, choosing divisors of C and K so
that no lane computes padding. A JSON file can fix the folding of any layer (layers are
numbered in program order), divisors or not (the units then pad channels and inputs):
``{"0": {"pe": 16, "simd": 49}, "3": {"pe": 1, "simd": 64, "serial": true}}``.
A layer whose planes run serially takes pixels * ceil(C / PE) * ceil(K / SIMD) * P cycles; the
default picks serial where that needs fewer lane-planes (PE * SIMD, against PE * SIMD * P in
parallel) at the target cycle count, which happens for layers far off the critical path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from math import prod
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import BoolAttr, ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit import ops_hw as h
from lowbitc.dialects.lowbit.attributes import FoldAttr, frame_cycles
from lowbitc.dialects.lowbit.ops_gap import SumUnitOp
from lowbitc.dialects.lowbit.ops_pixels import PadOp, WindowOp
from lowbitc.dialects.lowbit.ops_planes import PlanePopcountOp


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def cheapest_fold(c: int, k: int, max_cycles: int) -> tuple[int, int]:
    """Fewest lanes (PE*SIMD) with cycles <= max_cycles; ties go to wider SIMD (one
    accumulator and comparator per PE, so fewer PEs are cheaper), then fewer cycles."""
    best: tuple[int, int, int, int] | None = None
    for pe in divisors(c):
        for simd in divisors(k):
            cyc = frame_cycles(c, k, pe, simd)
            if cyc > max_cycles:
                continue
            key = (pe * simd, pe, cyc, simd)
            if best is None or key < best:
                best = key
    if best is None:  # max_cycles below one cycle per frame: fully parallel
        return c, k
    return best[1], best[3]


def padded_candidates(n: int) -> list[int]:
    """The smallest fold for each count of folds: ceil(n / f) for f = 1..n, ascending. A fold
    that does not divide n pads (the units zero-fill); these are the ones padding can win with."""
    return sorted({-(-n // f) for f in range(1, n + 1)})


def cheapest_padded_fold(c: int, k: int, max_cycles: int) -> tuple[int, int] | None:
    """Fewest lanes with cycles <= max_cycles, divisors or not; ties as in cheapest_fold. None
    when even full parallelism (one cycle) misses the target."""
    if max_cycles < 1:
        return None
    best: tuple[int, int, int, int] | None = None
    for pe in padded_candidates(c):
        sf = max_cycles // -(-c // pe)  # the input folds the cycle budget leaves per output fold
        if sf < 1:
            continue
        simd = -(-k // min(sf, k))  # itself a padded candidate: ceil(k / sf)
        key = (pe * simd, pe, frame_cycles(c, k, pe, simd), simd)
        if best is None or key < best:
            best = key
    return None if best is None else (best[1], best[3])


def choose_padded(c: int, k: int, planes: int, max_cycles: int) -> tuple[int, int, bool] | None:
    """choose() over padded folds: the cheaper of all planes at once and one plane per cycle."""
    par = cheapest_padded_fold(c, k, max_cycles)
    ser = cheapest_padded_fold(c, k, max_cycles // planes) if planes > 1 else None
    if ser is not None and (par is None or ser[0] * ser[1] < par[0] * par[1] * planes):
        return ser[0], ser[1], True
    return None if par is None else (par[0], par[1], False)


def stream_floor(module: ModuleOp) -> int:
    """Cycles per frame no folding can beat: the window, pool and padding units take one pixel
    per cycle, so a frame takes at least their H x W cycles (the global pool's sum units too)."""
    floor = 1
    for o in module.walk():
        if isinstance(o, (WindowOp, PadOp, SumUnitOp)):
            shape = (o.output if isinstance(o, PadOp) else o.input).type.get_shape()
            floor = max(floor, shape[0] * shape[1])
    return floor


def read_fold_file(path: str) -> dict[int, tuple[int, int, bool]]:
    try:
        raw = json.loads(Path(path).read_text())
    except OSError as exc:
        raise DiagnosticException(f"tile: cannot read fold file {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise DiagnosticException(f"tile: fold file {path} is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(raw, dict):
        raise DiagnosticException(
            f'tile: fold file {path} must hold an object of layer index -> {{"pe": N, "simd": M}}'
        )
    out: dict[int, tuple[int, int, bool]] = {}
    for key, val in raw.items():
        if (
            not str(key).isdigit()
            or not isinstance(val, dict)
            or not {"pe", "simd"} <= set(val) <= {"pe", "simd", "serial"}
            or not all(type(val[n]) is int and val[n] > 0 for n in ("pe", "simd"))
            or type(val.get("serial", False)) is not bool
        ):
            raise DiagnosticException(
                f'tile: fold file {path}: entry {key!r} must be "<layer index>": {{"pe": N, "simd": M}} with positive integers (and optionally "serial": true or false)'
            )
        out[int(key)] = (val["pe"], val["simd"], val.get("serial", False))
    return out


def layer_pixels(layer) -> int:
    """Vectors per frame: the leading (pixel) axes; a plane op's input has the planes first."""
    shape = layer.input.type.get_shape()
    return prod(shape[1:-1]) if isinstance(layer, PlanePopcountOp) else prod(shape[:-1])


def layer_planes(layer) -> int:
    return layer.planes if isinstance(layer, PlanePopcountOp) else 1


def choose(c: int, k: int, planes: int, max_cycles: int) -> tuple[int, int, bool]:
    """The cheaper of all planes in parallel and one plane per cycle (ties: parallel)."""
    pe, simd = cheapest_fold(c, k, max_cycles)
    if planes > 1 and max_cycles // planes >= 1:
        spe, ssimd = cheapest_fold(c, k, max_cycles // planes)
        if frame_cycles(c, k, spe, ssimd, planes=planes) <= max_cycles and spe * ssimd < pe * simd * planes:
            return spe, ssimd, True
    return pe, simd, False


@dataclass(frozen=True)
class TilePass(ModulePass):
    """Set `fold` on every `lowbit.xnor_popcount` (see the module docstring)."""

    name = "tile"

    lanes: int = 256
    """PE x SIMD lanes of the largest layer; the others are balanced to its cycle count."""
    fold_file: str | None = None
    cycles: int = 0
    """A target initiation interval in cycles per frame (`--fps` at the device clock): every
    free layer gets the fewest lanes, padded folds included, that meet it; 0 uses `lanes`."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        layers = [o for o in op.walk() if isinstance(o, (h.XnorPopcountOp, g.MatMulOp, PlanePopcountOp))]
        fixed = read_fold_file(self.fold_file) if self.fold_file else {}
        for idx in fixed:
            if idx >= len(layers):
                raise DiagnosticException(
                    f"tile: fold file names layer {idx}, but the network has {len(layers)} layers (0..{len(layers) - 1})"
                )
        if not layers:
            return
        if self.lanes < 1:
            raise DiagnosticException(f"tile: lanes must be positive, got {self.lanes}")
        # Cycles per frame of a layer = pixels x (C / PE) x (K / SIMD). The target: the largest
        # free layer with `lanes` lanes, and no faster than any layer whose folding the user
        # fixed (a faster pipeline would wait on it anyway).
        shapes = [layer.weights.shape for layer in layers]
        pixels = [layer_pixels(layer) for layer in layers]
        target = 0
        for i, (c, k) in enumerate(shapes):
            if i in fixed:
                pe, simd, serial = fixed[i]
                if pe > c or simd > k:
                    raise DiagnosticException(
                        f"tile: layer {i}: PE {pe} exceeds {c} channels or SIMD {simd} exceeds fan-in {k}"
                    )
                if serial and layer_planes(layers[i]) == 1:
                    raise DiagnosticException(f"tile: layer {i} has no bit planes to run serially")
                planes = layer_planes(layers[i]) if serial else 1
                target = max(target, frame_cycles(c, k, pe, simd, vectors=pixels[i], planes=planes))
        free = [i for i in range(len(layers)) if i not in fixed]
        if self.cycles:
            self._fold_for_cycles(op, layers, shapes, pixels, fixed)
            return
        if free:
            big = max(free, key=lambda i: pixels[i] * shapes[i][0] * shapes[i][1])
            c, k = shapes[big]
            best = min(
                ((pe, simd) for pe in divisors(c) for simd in divisors(k) if pe * simd <= self.lanes),
                key=lambda f: (frame_cycles(c, k, *f), f[0]),
            )
            target = max(target, frame_cycles(c, k, *best, vectors=pixels[big]))
        for i, layer in enumerate(layers):
            pe, simd, serial = fixed.get(i) or choose(*shapes[i], layer_planes(layer), target // pixels[i])
            layer.fold = FoldAttr(pe, simd)
            if serial:
                layer.serial = BoolAttr.from_bool(True)

    def _fold_for_cycles(self, module: ModuleOp, layers, shapes, pixels, fixed) -> None:
        floor = stream_floor(module)
        if self.cycles < floor:
            raise DiagnosticException(
                f"tile: a target of {self.cycles} cycles per frame is below the {floor} cycles per "
                f"frame of the window units (one pixel per cycle)"
            )
        for i, layer in enumerate(layers):
            if i in fixed:
                pe, simd, serial = fixed[i]
            else:
                c, k = shapes[i]
                chosen = choose_padded(c, k, layer_planes(layer), self.cycles // pixels[i])
                if chosen is None:
                    raise DiagnosticException(
                        f"tile: layer {i} ({pixels[i]} vectors of {c} x {k}) needs at least {pixels[i]} "
                        f"cycles per frame, more than the target {self.cycles}"
                    )
                pe, simd, serial = chosen
            layer.fold = FoldAttr(pe, simd)
            if serial:
                layer.serial = BoolAttr.from_bool(True)


def fold_of(op) -> FoldAttr | None:
    return op.fold
