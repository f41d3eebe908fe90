"""What the user asked of a compilation (`--target`, `--fold`, `--lanes`, `--fps`, `--budget`),
checked when it is made: every mistake in the options is reported before the ONNX import.

Imports nothing of the compiler at module level (the device table and the errors only): the
command line builds it on the uncached path of `lowbitc run` as well."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import NamedTuple

from lowbitc.backends.target.devices import Device, get_device
from lowbitc.errors import LowbitcError


class LayerFold(NamedTuple):
    """One layer's folding fixed by the user (a fold file entry, `fold` in the inspector)."""

    pe: int
    simd: int
    serial: bool = False


Folds = Mapping[int, LayerFold]
"""Fixed folds by layer number (the matrix products in program order)."""


@dataclass(frozen=True)
class Options:
    target: str = "generic"
    fold_file: str | None = None
    """A JSON file of fixed folds, read and checked once, here; its layers end up in `folds`."""
    lanes: int | None = None
    """PE x SIMD lanes of the largest layer (default: the target's)."""
    fps: float | None = None
    """Target frames/s at the device's clock: tile folds every layer for it."""
    budget: float | None = None
    """Share of the device (0, 1]: tile folds for the highest frames/s that fits it (lowbitc/budget.py)."""
    folds: Folds = field(default_factory=dict)
    """Fixed folds given in memory (the inspector's); a fold file's entries are added to them."""
    ii_cycles: int | None = None
    """A target initiation interval in cycles, given directly: what the --budget search settles on."""

    def __post_init__(self) -> None:
        # Every check runs here, so that a bad option is refused before any work.
        device = self.device  # an unknown target: the error lists the known devices
        if self.fps is not None and self.budget is not None:
            raise LowbitcError("give --fps or --budget, not both")
        if self.ii_cycles is not None and (self.fps is not None or self.budget is not None or self.ii_cycles < 1):
            raise ValueError(f"ii_cycles {self.ii_cycles} needs to be positive and replaces --fps and --budget")
        if self.lanes is not None and self.lanes < 1:
            raise LowbitcError(f"--lanes {self.lanes}: must be positive")
        if self.budget is not None:
            if not 0 < self.budget <= 1:
                raise LowbitcError(f"--budget {self.budget:g} must be a share of the device in (0, 1]")
            budget_capacity(device)
        self._check_fps()
        folds = dict(self.folds)
        if self.fold_file is not None:
            folds |= read_folds(self.fold_file)
        object.__setattr__(self, "folds", MappingProxyType(folds))  # frozen: nobody changes them later

    @property
    def device(self) -> Device:
        return get_device(self.target)

    def _check_fps(self) -> None:
        """--fps must be positive and at most one frame per cycle of the device's clock."""
        if self.fps is not None and self.ii_cycles is None:
            self._fps_cycles(self.fps)

    @property
    def target_cycles(self) -> int:
        """The initiation interval asked of `tile` (0: no target, `lanes` decides)."""
        if self.ii_cycles is not None:
            return self.ii_cycles
        return 0 if self.fps is None else self._fps_cycles(self.fps)

    def _fps_cycles(self, fps: float) -> int:
        if not fps > 0:
            raise LowbitcError(f"--fps {fps:g} must be positive")
        clock = self.device.clock_mhz
        cycles = int(clock * 1e6 // fps)
        if cycles < 1:  # a streaming design takes at least one cycle per frame
            raise LowbitcError(
                f"--fps {fps:g} at {clock:g} MHz is under one cycle per frame: "
                f"ask for at most {clock * 1e6:.0f} frames/s"
            )
        return cycles

    def with_ii_cycles(self, cycles: int) -> Options:
        """These options with the cycle target given directly (--fps and --budget resolved to it);
        the fold file is not read again, its folds are kept."""
        return replace(self, fold_file=None, fps=None, budget=None, folds=dict(self.folds), ii_cycles=cycles)

    @property
    def fold_specs(self) -> tuple[str, ...]:
        """`folds` as the tile pass's `folds` option takes them."""
        from lowbitc.passes.tile import fold_spec

        return tuple(fold_spec(layer, *fold) for layer, fold in sorted(self.folds.items()))


def budget_capacity(device: Device) -> dict[str, float]:
    """What --budget measures shares against; refused for a device without a known fabric."""
    if device.fabric is None:
        raise LowbitcError(
            f"--budget needs a device whose capacity is known; target {device.name} has none: "
            "give --target with a part such as xc7z020"
        )
    return device.fabric.capacity()


def read_folds(path: str) -> dict[int, LayerFold]:
    """The fold file ``path``, checked entry by entry (the layer numbers are checked against the
    model by `tile`)."""
    from xdsl.utils.exceptions import DiagnosticException

    from lowbitc.passes.tile import read_fold_file

    try:
        return {layer: LayerFold(*fold) for layer, fold in read_fold_file(path).items()}
    except DiagnosticException as exc:
        message = str(exc).strip().splitlines()[0]
        raise LowbitcError(f"--fold: {message.removeprefix('tile: ')}") from None
