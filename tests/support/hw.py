"""The hardware test harness of tests/hw: one library block under Verilator against numpy.

A test describes a configuration (a frozen dataclass), a `StreamCase` with random stimulus and
the reference outputs, and gets from here the wrapper module around the block, built with the
emitter's own Verilog syntax tree (`backends/verilog/vast.py`, printed by `printer.py`, so every
hardware test exercises the tree and the printer too), the simulation and the comparison.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from lowbitc.backends.runtime.sim.verilator import SimResult, lint, simulate
from lowbitc.backends.verilog.library import library_sources, with_headers
from lowbitc.backends.verilog.printer import print_module, print_port
from lowbitc.backends.verilog.vast import Assign, Instance, Module, Port, Wire, sized_hex

STREAM_SIGNALS = ("in_tdata", "in_tvalid", "in_tready", "out_tdata", "out_tvalid", "out_tready")
"""The AXI4-Stream handshake every unit has, connected by name in every wrapper."""


def int_range(bits: int, signed: int) -> tuple[int, int]:
    """The range of a ``bits``-bit integer: two's complement when ``signed``, else unsigned."""
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


@dataclass(frozen=True, kw_only=True)
class ConstOutputs:
    """The output stage of the units whose thresholds are design constants (lowbit_add, lowbit_gap:
    lowbit_const_outputs in lowbit_thresholds.v), as their configurations share it. MODE 1 passes
    each exact value on as SW bits; MODE 0 emits how many of its NT thresholds (SW bits each) it
    reaches, plus OOFF, as OB bits."""

    MODE: int
    SW: int
    NT: int = 1
    OB: int = 1
    OOFF: int = 0

    @property
    def OEW(self) -> int:
        """Bits of an output element."""
        return self.SW if self.MODE == 1 else self.OB

    def output_params(self) -> dict[str, int]:
        """The stage's Verilog parameters (NT, OB and OOFF only in MODE 0)."""
        keys = ("MODE", "SW") + (("NT", "OB", "OOFF") if self.MODE == 0 else ())
        return {k: getattr(self, k) for k in keys}

    def output_label(self) -> str:
        return f"sw{self.SW}_raw" if self.MODE == 1 else f"sw{self.SW}_nt{self.NT}_ob{self.OB}_off{self.OOFF}"

    def output_beats(self, values: np.ndarray, thresholds: np.ndarray | None) -> list[int]:
        """The output beats for exact ``values`` [beats, C] against ``thresholds`` [C, NT]."""
        if self.MODE == 1:
            return [pack(row, self.SW) for row in values]
        count = (values[:, :, None] >= thresholds[None, :, :]).sum(axis=2)
        return [pack(row, self.OB) for row in count + self.OOFF]


def to_unsigned(value: int, width: int) -> int:
    """The ``width``-bit two's-complement code of ``value``."""
    return int(value) & ((1 << width) - 1)


def pack(values: Iterable[int], width: int) -> int:
    """Elements as two's-complement codes, element i at bits [i*width +: width]."""
    return sum(to_unsigned(v, width) << (i * width) for i, v in enumerate(values))


def diff_msg(got: Sequence[int], want: Sequence[int], label: object, what: str = "beat") -> str:
    """The first differing beat (or the count mismatch), for an assertion message."""
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return f"{label}: {what} {i}: got {g:#x}, want {w:#x} (xor {g ^ w:#x})"
    return f"{label}: {len(got)} {what}s, want {len(want)}"


def threshold_literal(thresholds: np.ndarray, width: int) -> str:
    """Thresholds in the order given, each a ``width``-bit two's-complement field, as one
    sized Verilog literal (the unit's THRESH parameter)."""
    flat = np.asarray(thresholds).reshape(-1)
    return sized_hex(pack(flat, width), max(1, len(flat) * width))


case_cache = functools.cache
"""`case = case_cache(Case)`: one `Case` per configuration, so a test module builds its stimulus
(and its Verilator executable, cached on disk by the sources' hash) once for all its tests."""


def library_subset(files: Iterable[str]) -> dict[str, str]:
    """Only the library files a unit needs (and the headers they include), so its cached builds do
    not change when other library modules do."""
    lib = library_sources()
    files = tuple(files)
    missing = [f for f in files if f not in lib]
    assert not missing, f"RTL library lacks {missing}"
    return with_headers({f: lib[f] for f in files})


def by_name(*ports: str) -> tuple[tuple[str, str], ...]:
    """Connections of ports to the top's signals of the same names."""
    return tuple((p, p) for p in ports)


def _params(params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> tuple[tuple[str, str], ...]:
    items = params.items() if isinstance(params, Mapping) else params
    return tuple((name, str(value)) for name, value in items)


def stream_ports(in_width: int, out_width: int) -> list[Port]:
    """Clock, reset and the two streams: the ports tb_axis.cpp drives."""
    return [
        Port("input", "clk"),
        Port("input", "rst"),
        Port("input", "in_tdata", in_width),
        Port("input", "in_tvalid"),
        Port("output", "in_tready"),
        Port("output", "out_tdata", out_width),
        Port("output", "out_tvalid"),
        Port("input", "out_tready"),
    ]


def stream_top(
    module: str,
    params: Mapping[str, Any] | Iterable[tuple[str, Any]],
    in_width: int,
    out_width: int,
    *,
    top: str = "dut_top",
    instance: str = "u_dut",
    ports: Sequence[Port] = (),
    items: Sequence[Wire | Assign | Instance] = (),
    connections: Iterable[tuple[str, str]] = (),
    rewire: Mapping[str, str] | None = None,
) -> str:
    """A top whose ports are the unit's streams (plus ``ports``), around one instance of
    ``module``: its stream signals connected by name unless ``rewire`` maps them elsewhere,
    then ``connections``; ``items`` come before the instance."""
    rewire = rewire or {}
    streams = tuple((s, rewire.get(s, s)) for s in ("clk", "rst", *STREAM_SIGNALS))
    unit = Instance(module, instance, _params(params), streams + tuple(connections))
    return print_module(Module(top, [*stream_ports(in_width, out_width), *ports], [*items, unit]))


def fifo_top(width: int, depth: int) -> dict[str, str]:
    """`fifo_top`: one lowbit_fifo, the library's simplest stream unit, with the whole library."""
    top = stream_top("lowbit_fifo", {"W": width, "DEPTH": depth}, width, width, top="fifo_top", instance="u_fifo")
    return {"fifo_top.v": top, **library_sources()}


def behavioural_top(name: str, body: str, width: int = 8) -> dict[str, str]:
    """A stream top ``name`` whose body is hand-written Verilog (``always`` blocks, which the
    syntax tree does not model): the designs that misbehave on purpose to test the harness."""
    ports = ",\n".join(print_port(p) for p in stream_ports(width, width))
    return {f"{name}.v": f"module {name} (\n{ports}\n);\n{body}\nendmodule\n"}


def tied_off_top(
    module: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]], low: Sequence[str], open_: Sequence[str]
) -> str:
    """`lint_top` with only clock and reset around ``module``: the ports ``low`` tied to 0, the
    ports ``open_`` left unconnected; for the parameter checks that must fail elaboration."""
    ties = tuple((p, "1'b0") for p in low) + tuple((p, "") for p in open_)
    unit = Instance(module, "u", _params(params), by_name("clk", "rst") + ties)
    return print_module(Module("lint_top", [Port("input", "clk"), Port("input", "rst")], [unit]))


class StreamCase:
    """A configuration's stimulus under Verilator: subclasses give `top_source`, `inputs` and
    `reference`, and the widths through the configuration's `in_width` and `out_width`."""

    top = "dut_top"
    lib_files: tuple[str, ...] | None = None
    """The library files the unit needs (None: the whole library)."""

    def __init__(self, cfg: Any):
        self.cfg = cfg

    def top_source(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} gives its wrapper")

    def inputs(self) -> list[int]:
        raise NotImplementedError(f"{type(self).__name__} gives its stimulus")

    def expected_outputs(self) -> int | None:
        """Output beats of a run (None: one per input beat)."""
        return None

    @cached_property
    def sources(self) -> dict[str, str]:
        lib = library_sources() if self.lib_files is None else library_subset(self.lib_files)
        return {f"{self.top}.v": self.top_source(), **lib}

    def lint(self) -> None:
        lint(self.sources, self.top)

    def run(self, inputs: list[int] | None = None, expected: int | None = None, **kw: Any) -> SimResult:
        return simulate(
            self.sources,
            self.top,
            self.cfg.in_width,
            self.cfg.out_width,
            self.inputs() if inputs is None else inputs,
            expected_outputs=self.expected_outputs() if expected is None else expected,
            **kw,
        )
