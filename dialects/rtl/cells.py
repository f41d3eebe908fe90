"""Resource cells: a device-independent description of the hardware an rtl instance builds.

Each rtl instance op lists its cells (`HardwareInstance.resource_cells`); the structural
resource model (backends/analysis/resource_model.py) prices every kind of cell for a device
family, and the exact-bits analysis (backends/analysis/resources.py) reads lanes, weight,
line-buffer and FIFO bits from the same list. So what a library block instantiates is written
once, at its op, and what it costs on a family once, in the model.

`Logic` is counted in LUT6-equivalents (the unit the model converts for LUT4 families); every
other cell is priced by its own rule there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np


def clog2(n: int) -> int:
    """Bits to count n states, as Verilog's $clog2 (0 for n <= 1)."""
    return max(0, (n - 1).bit_length())


class Gate(Enum):
    """What the first level of a counter tree computes from each lane's input and weight bit."""

    IDENTITY = 0
    XNOR = 1
    AND = 2


@dataclass(frozen=True)
class Logic:
    """Combinational logic not otherwise described (multiplexers, comparators, counts), in
    LUT6-equivalents."""

    luts: int | float


@dataclass(frozen=True)
class Registers:
    """Plain flip-flops."""

    bits: int


@dataclass(frozen=True)
class Adder:
    """``copies`` two-operand adders (or comparators on a carry chain) of ``width`` bits."""

    width: int
    copies: int = 1


@dataclass(frozen=True)
class CounterTree:
    """``copies`` popcounts of ``inputs`` lane bits into ``width`` bits (lowbit_mvu_count),
    with ``gate`` folded into the first level."""

    inputs: int
    width: int
    gate: Gate
    copies: int = 1


@dataclass(frozen=True)
class AdderTree:
    """The signed-input lanes of lowbit_mvu_negtree: ``leaves`` elements of ``leaf_bits`` bits
    summed pairwise, one bit wider per level; with a single leaf its sign bit fans into
    ``extension_bits`` accumulator bits instead."""

    leaves: int
    leaf_bits: int
    extension_bits: int = 0


LaneCell = CounterTree | AdderTree | Adder


@dataclass(frozen=True)
class Lanes:
    """The PE x SIMD lanes of a matrix-vector unit: ``parts`` are one PE's lane logic (its
    counter or adder trees and their sums), built ``pe`` times; each lane reads a
    ``weight_bits``-bit weight."""

    pe: int
    simd: int
    weight_bits: int
    parts: tuple[LaneCell, ...]

    @property
    def count(self) -> int:
        return self.pe * self.simd


@dataclass(frozen=True)
class WorkingRegister:
    """A unit's input working register of ``bits`` bits, loaded from a buffer or the input and,
    with ``rotates``, shifted by SIMD elements each fold (a 3:1 multiplexer per bit)."""

    bits: int
    rotates: bool


@dataclass(frozen=True)
class LineBuffer:
    """A RAM of ``depth`` entries of ``width`` bits with one write and one read port (a window
    generator's rows); the read port is registered unless ``registered_read`` is False (an
    asynchronous read, as LUT RAM allows: lowbit_pool's window-row maxima). A single entry is
    a register."""

    depth: int
    width: int
    registered_read: bool = True

    @property
    def bits(self) -> int:
        return self.depth * self.width


@dataclass(frozen=True)
class Rom:
    """A synchronous-read ROM: ``contents`` is its depth x width 0/1 matrix; ``weights``: a
    unit's weight memory (left out when the weights stream from off-chip memory)."""

    contents: np.ndarray
    weights: bool = True

    @property
    def bits(self) -> int:
        rows, cols = self.contents.shape
        return rows * cols


@dataclass(frozen=True)
class ConstantTable:
    """A small constant table built in logic (a threshold table read by a fold counter): its
    words x width 0/1 ``contents``."""

    contents: np.ndarray


@dataclass(frozen=True)
class Fifo:
    """A lowbit_fifo of ``depth`` beats of ``width`` bits; ``stream``: an `rtl.fifo` between two
    units (the FIFO bits of the resources table), not a block's own output buffer."""

    width: int
    depth: int
    stream: bool = False


@dataclass(frozen=True)
class Control:
    """The fixed control of library block ``block`` (its handshake and step flags, calibrated in
    the model) plus its counters: ``counter_luts`` LUT6 and ``counter_ffs`` flip-flops."""

    block: str
    counter_luts: int = 0
    counter_ffs: int = 0


Cell = (
    Logic | Registers | Adder | Lanes | WorkingRegister | LineBuffer | Rom | ConstantTable | Fifo | Control | LaneCell
)
