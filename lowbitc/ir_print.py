"""Printing IR for people: large constants elided, as MLIR's ``--mlir-elide-elementsattrs-if-larger``.

A weight matrix of a real network is thousands of hex digits on one line; elided, the IR shows
its structure in a terminal. Elided output says so in every place it elides
(``#lowbit.bits<64x784, __elided__>``, ``dense_resource<__elided__>`` as MLIR writes it) and
does not parse back: print without the option for IR to feed to another tool.
"""

from __future__ import annotations

from typing import IO

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp
from xdsl.ir import Attribute
from xdsl.printer import Printer

from lowbitc.dialects.lowbit.attributes import ELIDED, BitMatrixAttr, IntMatrixAttr
from lowbitc.errors import LowbitcError

ELIDE_OPTION = "--elide-constants-larger-than"
ELIDE_HELP = (
    "print weight matrices and dense constants of more than N elements as __elided__ "
    "(readable IR; elided IR does not parse back)"
)


class ElidingPrinter(Printer):
    """An xDSL printer that writes constants of more than ``limit`` elements as ``__elided__``."""

    def __init__(self, stream: IO[str], limit: int):
        super().__init__(stream=stream)
        self.limit = limit

    def print_attribute(self, attribute: Attribute) -> None:
        if isinstance(attribute, BitMatrixAttr | IntMatrixAttr) and attribute.rows.data * attribute.cols.data > (
            self.limit
        ):
            kind = "bits" if isinstance(attribute, BitMatrixAttr) else "ints"
            self.print_string(f"#lowbit.{kind}<{attribute.rows.data}x{attribute.cols.data}, ")
            if isinstance(attribute, IntMatrixAttr):
                self.print_attribute(attribute.element_type)
                self.print_string(", ")
            self.print_string(f"{ELIDED}>")
            return
        if isinstance(attribute, DenseIntOrFPElementsAttr) and len(attribute) > self.limit:
            self.print_string(f"dense_resource<{ELIDED}> : ")
            self.print_attribute(attribute.get_type())
            return
        super().print_attribute(attribute)


def check_elide_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise LowbitcError(f"{ELIDE_OPTION} {limit} must be 0 or more (the largest constant printed in full)")


def ir_printer(stream: IO[str], elide_larger_than: int | None = None) -> Printer:
    """A printer for ``stream``: xDSL's own, or one that elides constants of more than
    ``elide_larger_than`` elements."""
    return Printer(stream=stream) if elide_larger_than is None else ElidingPrinter(stream, elide_larger_than)


def ir_text(module: ModuleOp, elide_larger_than: int | None = None) -> str:
    """``module`` as text, with a final newline (``str(module)`` when nothing is elided)."""
    if elide_larger_than is None:
        return str(module) + "\n"
    import io

    out = io.StringIO()
    ir_printer(out, elide_larger_than).print_op(module)
    return out.getvalue() + "\n"
