"""A small Verilog syntax tree: what the emitter builds and the printer prints. No string
templates: every construct is a node, and only `printer` turns nodes into text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Port:
    direction: str  # "input" | "output"
    name: str
    width: int = 1


@dataclass(frozen=True)
class Wire:
    name: str
    width: int = 1


@dataclass(frozen=True)
class Assign:
    target: str
    expr: str


@dataclass(frozen=True)
class Instance:
    module: str
    name: str
    params: tuple[tuple[str, str], ...]
    connections: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Comment:
    text: str


@dataclass
class Module:
    name: str
    ports: list[Port]
    items: list[Wire | Assign | Instance | Comment] = field(default_factory=list)


def sized_hex(value: int, width: int) -> str:
    """A Verilog literal of exactly ``width`` bits (Verilator's WIDTH checks stay quiet)."""
    return f"{width}'h{value:0{max(1, (width + 3) // 4)}x}"
