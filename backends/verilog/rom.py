"""Per-layer weight ROM generation (the memory behind ``lowbit_mvu``'s wmem port).

Contents differ per layer, so instead of a generic library ROM the compiler
emits one small module per layer with the contents inlined in an ``initial``
block; synthesis tools infer a block/distributed ROM with an output register
from this shape.
"""

from __future__ import annotations

import re

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")


def rom_addr_width(depth: int) -> int:
    """Address width of a ROM with ``depth`` words: max(1, ceil(log2(depth)))."""
    if depth < 1:
        raise ValueError(f"ROM depth must be >= 1, got {depth}")
    return max(1, (depth - 1).bit_length())


def rom_module(name: str, words: list[int], width: int) -> str:
    """Return Verilog for a synchronous-read ROM module called ``name``.

    Interface: ``clk``, ``en``, ``addr[AW-1:0]``, ``data[width-1:0]`` with
    ``AW = rom_addr_width(len(words))``; ``data`` is updated from ``mem[addr]``
    on a rising edge when ``en`` is high and holds otherwise (one cycle read
    latency, as ``lowbit_mvu`` expects). Word ``i`` of ``words`` is stored at
    address ``i``. The output passes ``verilator --lint-only -Wall``.
    """
    if not _IDENT.match(name):
        raise ValueError(f"not a Verilog identifier: {name!r}")
    if width < 1:
        raise ValueError(f"ROM width must be >= 1, got {width}")
    depth = len(words)
    aw = rom_addr_width(depth)
    digits = (width + 3) // 4
    for i, w in enumerate(words):
        if not 0 <= w < (1 << width):
            raise ValueError(f"word {i} = {w:#x} does not fit in {width} bits")

    lines = [
        f"module {name}(input wire clk, input wire en, input wire [{aw - 1}:0] addr, output reg [{width - 1}:0] data);",
        f"  reg [{width - 1}:0] mem [0:{depth - 1}];",
    ]
    # Sized literals of exactly `width` bits keep Verilator's WIDTH checks quiet.
    lines.append("  initial begin")
    lines += [f"    mem[{i}] = {width}'h{w:0{digits}x};" for i, w in enumerate(words)]
    lines.append("  end")
    # Verilator accepts a 1-bit address into a one-word array and an address
    # range wider than a non-power-of-two depth without warnings; lowbit_mvu
    # never issues addresses >= depth, so no guard logic is emitted.
    lines.append("  always @(posedge clk) if (en) data <= mem[addr];")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"
