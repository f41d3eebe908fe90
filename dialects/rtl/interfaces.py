"""The op interfaces of the rtl dialect's instances, as CIRCT's `HWOpInterfaces`: the facts every
consumer needs from an instance, answered by the op itself.

`HardwareInstance` (every instance of a library block: units, FIFOs, duplicators) answers its
report kind, a one-line summary, its library files, its Verilog module, parameters and stream
ports, its latency contribution and its resource cells (`cells.py`). `StreamUnit` (the units
the performance model counts as layers) adds its cycles per frame and vectors per frame. The
performance model, the resource analyses, the report, the Verilog emitter and the synthesis
runner loop over these interfaces instead of testing op classes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from xdsl.ir import Operation, SSAValue

    from lowbitc.dialects.rtl.cells import Cell

FIFO_LATENCY = 1
"""Cycles a beat spends in a lowbit_fifo (its head register)."""


@dataclass(frozen=True)
class SizedBits:
    """A Verilog parameter value of exactly ``width`` bits (a packed table such as THRESH)."""

    value: int
    width: int


VerilogValue = int | SizedBits


@dataclass(frozen=True)
class MatrixFold:
    """The matrix a matrix-vector unit computes and its folding: ``fan_in`` x ``channels``,
    ``pe`` x ``simd`` lanes."""

    fan_in: int
    channels: int
    pe: int
    simd: int


class HardwareInstance(ABC):
    """An instance of a library block in an `rtl.module` (see the module docstring)."""

    LIBRARY_FILES: ClassVar[tuple[str, ...]]
    """The library files the instance needs (only those go into the design)."""
    VERILOG_MODULE: ClassVar[str]
    """The library module it instantiates."""
    STREAM_PORTS: ClassVar[tuple[tuple[str, ...], tuple[str, ...]]] = (("in",), ("out",))
    """Port prefixes of its input streams (one per operand) and output streams (one per result)."""

    @property
    def report_kind(self) -> str:
        """The kind the reports show (also its colour in the diagrams)."""
        name: str = self.name  # type: ignore[attr-defined]  # every implementer is an xDSL op
        return name.removeprefix("rtl.")

    @abstractmethod
    def summary(self) -> str:
        """One line about its shape, for the dataflow diagram."""

    @abstractmethod
    def latency(self) -> int | None:
        """Cycles it adds to a frame's way through the pipeline; None where that is not exact
        (line buffers, whole-frame units)."""

    @abstractmethod
    def verilog_parameters(self) -> tuple[tuple[str, VerilogValue], ...]:
        """The library module's parameters, in the order they are printed (defaults left out)."""

    @abstractmethod
    def resource_cells(self) -> tuple[Cell, ...]:
        """What it builds, device-independently (priced per family by the resource model)."""


class StreamUnit(HardwareInstance):
    """A unit the performance model counts as a layer: it sets a rate of its own."""

    @property
    @abstractmethod
    def vectors_per_frame(self) -> int:
        """Input vectors (or pixels, or beats) it takes per frame."""

    @abstractmethod
    def cycles_per_frame(self) -> int:
        """Cycles it needs per frame at full speed; the slowest unit sets the initiation interval."""

    def matrix_fold(self) -> MatrixFold | None:
        """The matrix and folding of a matrix-vector unit; None for the others."""
        return None


def unit_reading(value: SSAValue) -> StreamUnit | None:
    """The first unit reading ``value``, looking through FIFOs and duplicators."""
    for use in value.uses:
        op = use.operation
        if isinstance(op, StreamUnit):
            return op
        if isinstance(op, HardwareInstance):
            for result in op.results:  # type: ignore[attr-defined]
                found = unit_reading(result)
                if found is not None:
                    return found
    return None


def unit_writing(value: SSAValue) -> StreamUnit | None:
    """The unit producing ``value``, looking back through FIFOs and duplicators."""
    op = value.owner
    while isinstance(op, HardwareInstance) and not isinstance(op, StreamUnit):
        op = op.operands[0].owner  # type: ignore[attr-defined]
    return op if isinstance(op, StreamUnit) else None


def unit_owner(op: Operation) -> StreamUnit | None:
    """The unit a FIFO or duplicator belongs to, for every per-unit figure (bits, LUTs, synthesis):
    the first unit it feeds, else (only the module's output follows) the unit feeding it; None
    for a FIFO straight from the module's input to its output."""
    found = next((u for r in op.results if (u := unit_reading(r)) is not None), None)
    return found or unit_writing(op.operands[0])
