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
A binary layer fed by windows weighs its folds with the stream that feeds them
(passes/tile_streams.py): fewest lanes plus the LUTs of a gearbox or of whole windows.
"""

from __future__ import annotations

import json
import re
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
from lowbitc.passes.tile_streams import cheapest_streamed_fold, window_channels


class TileError(DiagnosticException):
    """A folding the tile pass cannot make, with its numbers: the ``layer`` at fault (None for
    the whole design) and, when a cycle target is out of reach, the ``floor``: the fewest cycles
    per frame any folding reaches."""

    def __init__(self, message: str, *, layer: int | None = None, floor: int | None = None):
        super().__init__(f"tile: {message}")
        self.layer, self.floor = layer, floor


FOLD_SPEC = re.compile(r"(\d+):(\d+)x(\d+)(:serial)?")
"""One entry of the `folds` option: ``LAYER:PExSIMD``, or ``LAYER:PExSIMD:serial``."""


def fold_spec(layer: int, pe: int, simd: int, serial: bool = False) -> str:
    return f"{layer}:{pe}x{simd}" + (":serial" if serial else "")


def parse_fold_specs(specs: tuple[str, ...]) -> dict[int, tuple[int, int, bool]]:
    out: dict[int, tuple[int, int, bool]] = {}
    for spec in specs:
        match = FOLD_SPEC.fullmatch(spec)
        if match is None or int(match[2]) < 1 or int(match[3]) < 1:
            raise TileError(
                f"folds entry {spec!r} must be LAYER:PExSIMD or LAYER:PExSIMD:serial, with positive PE and SIMD"
            )
        layer = int(match[1])
        if layer in out:
            raise TileError(f"folds names layer {layer} twice", layer=layer)
        out[layer] = (int(match[2]), int(match[3]), match[4] is not None)
    return out


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
        raise TileError(f"cannot read fold file {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise TileError(f"fold file {path} is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(raw, dict):
        raise TileError(f'fold file {path} must hold an object of layer index -> {{"pe": N, "simd": M}}')
    out: dict[int, tuple[int, int, bool]] = {}
    for key, val in raw.items():
        if (
            not str(key).isdigit()
            or not isinstance(val, dict)
            or not {"pe", "simd"} <= set(val) <= {"pe", "simd", "serial"}
            or not all(type(val[n]) is int and val[n] > 0 for n in ("pe", "simd"))
            or type(val.get("serial", False)) is not bool
        ):
            raise TileError(
                f'fold file {path}: entry {key!r} must be "<layer index>": {{"pe": N, "simd": M}} '
                'with positive integers (and optionally "serial": true or false)'
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
    """A JSON file fixing the folding of layers (the module docstring shows its form)."""
    folds: tuple[str, ...] = ()
    """Folds fixed in place of a file: ``LAYER:PExSIMD`` or ``LAYER:PExSIMD:serial`` each,
    as in `tile{folds="0:16x49","3:1x64:serial"}`."""
    cycles: int = 0
    """A target initiation interval in cycles per frame (`--fps` at the device clock): every
    free layer gets the fewest lanes, padded folds included, that meet it; 0 uses `lanes`."""

    def fixed_folds(self, layer_count: int) -> dict[int, tuple[int, int, bool]]:
        """The folds the options fix, by layer, each layer checked to exist."""
        fixed = parse_fold_specs(self.folds)
        if self.fold_file:
            from_file = read_fold_file(self.fold_file)
            twice = sorted(set(fixed) & set(from_file))
            if twice:
                raise TileError(f"layer {twice[0]} is fixed both by folds and by {self.fold_file}", layer=twice[0])
            fixed |= from_file
        source = "fold file" if self.fold_file else "folds"
        for layer in sorted(fixed):
            if layer >= layer_count:
                span = f"{layer_count} layers (0..{layer_count - 1})" if layer_count else "no layer to fold"
                raise TileError(f"{source} names layer {layer}, but the network has {span}", layer=layer)
        return fixed

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        layers = [o for o in op.walk() if isinstance(o, (h.XnorPopcountOp, g.MatMulOp, PlanePopcountOp))]
        fixed = self.fixed_folds(len(layers))
        if not layers:
            return
        if self.lanes < 1:
            raise TileError(f"lanes must be positive, got {self.lanes}")
        # Cycles per frame of a layer = pixels x (C / PE) x (K / SIMD). The target: the largest
        # free layer with `lanes` lanes, and no faster than any layer whose folding the user
        # fixed (a faster pipeline would wait on it anyway).
        shapes = [layer.weights.shape for layer in layers]
        pixels = [layer_pixels(layer) for layer in layers]
        target = 0
        for i, (c, k) in enumerate(shapes):
            if i in fixed:
                pe, simd, serial = fixed[i]
                too_wide = [f"PE {pe} exceeds {c} channels"] * (pe > c) + [f"SIMD {simd} exceeds fan-in {k}"] * (
                    simd > k
                )
                if too_wide:
                    raise TileError(f"layer {i}: {' and '.join(too_wide)}", layer=i)
                if serial and layer_planes(layers[i]) == 1:
                    raise TileError(f"layer {i} has no bit planes to run serially", layer=i)
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
            streamed = None
            if i not in fixed and (channels := window_channels(layer)) is not None:
                c, k = shapes[i]
                streamed = cheapest_streamed_fold(
                    c, k, channels, divisors(c), divisors(k), target // pixels[i], vector_out=pixels[i] == 1
                )
            if streamed is not None:
                pe, simd, serial = *streamed, False
            else:
                pe, simd, serial = fixed.get(i) or choose(*shapes[i], layer_planes(layer), target // pixels[i])
            layer.fold = FoldAttr(pe, simd)
            if serial:
                layer.serial = BoolAttr.from_bool(True)

    def _fold_for_cycles(self, module: ModuleOp, layers, shapes, pixels, fixed) -> None:
        goal = self.cycles
        floor = stream_floor(module)
        if goal < floor:
            raise TileError(
                f"a target of {goal} cycles per frame is below the {floor} cycles per "
                f"frame of the window units (one pixel per cycle)",
                floor=floor,
            )
        for i, layer in enumerate(layers):
            if i in fixed:
                pe, simd, serial = fixed[i]
            else:
                c, k = shapes[i]
                chosen = choose_padded(c, k, layer_planes(layer), goal // pixels[i])
                if chosen is not None and (channels := window_channels(layer)) is not None:
                    folds = padded_candidates(c), padded_candidates(k)
                    streamed = cheapest_streamed_fold(
                        c, k, channels, *folds, goal // pixels[i], vector_out=pixels[i] == 1
                    )
                    chosen = chosen if streamed is None else (*streamed, False)
                if chosen is None:
                    raise TileError(
                        f"layer {i} ({pixels[i]} vectors of {c} x {k}) needs at least {pixels[i]} "
                        f"cycles per frame, more than the target {goal}",
                        layer=i,
                        floor=pixels[i],
                    )
                pe, simd, serial = chosen
            layer.fold = FoldAttr(pe, simd)
            if serial:
                layer.serial = BoolAttr.from_bool(True)


def fold_of(op) -> FoldAttr | None:
    return op.fold
