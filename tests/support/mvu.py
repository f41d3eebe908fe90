"""The lowbit_mvu family's harness (XNOR, integer, bit-plane and border-case lanes: one module):
the fold every configuration has, the weight words and the wrappers; `mvu_checks` has the checks
every lane kind passes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass
from functools import cached_property
from typing import Any

import numpy as np

from lowbitc.backends.runtime.sim.verilator import SimResult, simulate
from lowbitc.backends.verilog.library import library_sources
from lowbitc.backends.verilog.rom import rom_addr_width, rom_module
from lowbitc.backends.verilog.vast import Instance, Port, Wire
from lowbitc.dialects.rtl.cells import clog2
from support.hw import by_name, pack, stream_top, tied_off_top, to_unsigned

WMEM_SIGNALS = ("wmem_addr", "wmem_en", "wmem_data")
"""lowbit_mvu's weight-memory port: address and enable out, the word back one cycle later."""


def swidth(lo: int, hi: int) -> int:
    """Smallest two's-complement width holding [lo, hi] (lowbit_range_width, written
    independently of the library for the tests)."""
    p = 1
    while not (-(1 << (p - 1)) <= lo and hi <= (1 << (p - 1)) - 1):
        p += 1
    return p


def _mvu_top(
    params: Mapping[str, Any] | Iterable[tuple[str, Any]],
    in_width: int,
    out_width: int,
    top: str,
    **wrapping: Any,
) -> str:
    """lowbit_mvu in a top named ``top``, its weight port connected by name (to the top's ports
    or to wires, as ``wrapping`` gives them: see `stream_top`)."""
    weights = by_name(*WMEM_SIGNALS)
    return stream_top("lowbit_mvu", params, in_width, out_width, top=top, connections=weights, **wrapping)


def mvu_lint_top(params: Mapping[str, Any], in_width: int, out_width: int, depth: int, word_width: int) -> str:
    """The bare lowbit_mvu with its weight port on the top's ports (left to Verilator)."""
    ports = [
        Port("output", "wmem_addr", max(1, clog2(depth))),
        Port("output", "wmem_en"),
        Port("input", "wmem_data", word_width),
    ]
    return _mvu_top(params, in_width, out_width, "lint_top", instance="u", ports=ports)


def mvu_sources(
    params: Mapping[str, Any] | Iterable[tuple[str, Any]],
    in_width: int,
    out_width: int,
    words: list[int],
    word_width: int,
) -> dict[str, str]:
    """`mvu_top`: lowbit_mvu reading ``words`` from a ROM `L0_wmem` (as the emitter builds it),
    with the whole library."""
    rom = Instance(
        "L0_wmem", "u_wmem", (), (("clk", "clk"), ("en", "wmem_en"), ("addr", "wmem_addr"), ("data", "wmem_data"))
    )
    items = [Wire("wmem_addr", rom_addr_width(len(words))), Wire("wmem_en"), Wire("wmem_data", word_width), rom]
    top = _mvu_top(params, in_width, out_width, "mvu_top", instance="u_mvu", items=items)
    return {"mvu_top.v": top, "L0_wmem.v": rom_module("L0_wmem", words, word_width), **library_sources()}


def mvu_rejects_top(params: Mapping[str, Any]) -> str:
    """lowbit_mvu with every port but clock and reset open, for the parameter checks."""
    return tied_off_top(
        "lowbit_mvu",
        params,
        low=("in_tvalid", "out_tready"),
        open_=("in_tdata", "in_tready", "out_tdata", "out_tvalid", *WMEM_SIGNALS),
    )


def fold_words(weights: np.ndarray, pe: int, simd: int, bits: int = 1) -> list[int]:
    """Weight-memory words of a (C, K) matrix of codes folded PE x SIMD: word nf*SF + sf holds
    weight (nf*PE + p, sf*SIMD + s) at bits [(p*SIMD + s)*bits +: bits]."""
    c, k = weights.shape
    return [
        sum(
            to_unsigned(weights[nf * pe + p, sf * simd + s], bits) << ((p * simd + s) * bits)
            for p in range(pe)
            for s in range(simd)
        )
        for nf in range(c // pe)
        for sf in range(k // simd)
    ]


@dataclass(frozen=True)
class MvuFold:
    """What every lowbit_mvu configuration has: fan-in K, channels C, the fold PE x SIMD and the
    output register; subclasses add their lane kinds (keyword-only)."""

    K: int
    C: int
    PE: int
    SIMD: int
    _: KW_ONLY
    PIPE: int

    @property
    def NF(self) -> int:
        return self.C // self.PE

    @property
    def SF(self) -> int:
        return self.K // self.SIMD

    @property
    def II(self) -> int:
        return self.NF * self.SF

    @property
    def latency(self) -> int:
        # Documented in lowbit_mvu.v: S + 3 + PIPE, S the steps per vector (II).
        return self.II + 3 + self.PIPE


class MvuCase:
    """Stimulus for one lowbit_mvu configuration in `mvu_top`: subclasses set ``cfg``, the weight
    matrix ``w`` (C, K) and the input vectors ``x`` (N, K), and give `params` and `reference`;
    the defaults here are the XNOR unit's (1-bit inputs and weights)."""

    cfg: MvuFold
    w: np.ndarray
    x: np.ndarray

    def params(self) -> Mapping[str, Any] | list[tuple[str, Any]]:
        raise NotImplementedError(f"{type(self).__name__} gives lowbit_mvu's parameters")

    @property
    def in_width(self) -> int:
        return getattr(self.cfg, "in_width", self.cfg.K)

    @property
    def word_width(self) -> int:
        return self.cfg.PE * self.cfg.SIMD

    def words(self) -> list[int]:
        return fold_words(self.w, self.cfg.PE, self.cfg.SIMD)

    def inputs(self) -> list[int]:
        return [pack(row, 1) for row in self.x]

    def popcounts(self) -> np.ndarray:
        """(N, C) matching bits of every input vector and weight row (the XNOR domain)."""
        return (self.x[:, None, :] == self.w[None, :, :]).sum(axis=2)

    @cached_property
    def sources(self) -> dict[str, str]:
        return mvu_sources(self.params(), self.in_width, self.cfg.out_width, self.words(), self.word_width)

    def run(self, **kw: Any) -> SimResult:
        return simulate(self.sources, "mvu_top", self.in_width, self.cfg.out_width, self.inputs(), **kw)
