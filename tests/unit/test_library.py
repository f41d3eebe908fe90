"""The RTL library as files: shared functions live in one header (lowbit_functions.vh) that the
modules include, the multi-file paths carry it along, and the one-file design has it inlined."""

from __future__ import annotations

import re

import pytest
from support.cli import MODELS

from lowbitc.backends.runtime.sim.verilator import lint
from lowbitc.backends.verilog.emit import emit_sources, emit_verilog
from lowbitc.backends.verilog.library import included_files, inline_includes, library_sources
from lowbitc.pipeline import compile_to

HEADER = "lowbit_functions.vh"
MAX_LINES = 540  # "about 500": the library is split along its seams, no file is a monolith again


def module_names(text: str) -> list[str]:
    return re.findall(r"^module (\w+)", text, flags=re.MULTILINE)


def test_every_include_names_a_library_header() -> None:
    library = library_sources()
    assert HEADER in library
    includers = {name for name, text in library.items() if included_files(text)}
    # The header's functions are used across the blocks, not by one.
    assert {"lowbit_mvu.v", "lowbit_add.v", "lowbit_gap.v", "lowbit_fifo.v"} <= includers
    for name in includers:
        assert set(included_files(library[name])) <= {HEADER}, name


def test_no_library_file_is_a_monolith() -> None:
    sizes = {name: text.count("\n") for name, text in library_sources().items()}
    assert max(sizes.values()) <= MAX_LINES, sizes


def test_shared_functions_are_written_once() -> None:
    """clog2-style widths and range widths are defined in the header only."""
    library = library_sources()
    for name, text in library.items():
        defined = re.findall(r"^\s*function\s+(?:signed\s+)?(?:integer|\[[^\]]*\])\s+(\w+)", text, re.M)
        if name != HEADER:
            assert not {d for d in defined if d.startswith("lowbit_")}, name
        assert "(N > 1) ? $clog2(N) : 1" not in text, name


def test_inline_includes_makes_a_file_stand_alone() -> None:
    library = library_sources()
    text = inline_includes(library["lowbit_mvu.v"], library)
    assert "`include" not in text
    # Each including module gets its own copy (Verilog constant functions are per module).
    n_including = library["lowbit_mvu.v"].count(f'`include "{HEADER}"')
    assert text.count("function integer lowbit_index_width;") == n_including >= 1
    # The header's own file comment (how to include it) is not repeated in the design.
    assert "deliberately no include guard" not in text


def test_inline_includes_refuses_an_unknown_header() -> None:
    with pytest.raises(KeyError, match="nosuch.vh"):
        inline_includes('module m;\n    `include "nosuch.vh"\nendmodule\n', library_sources())


def test_every_library_module_lints_standalone() -> None:
    """Each module with its default parameters as the top, with the header on the include path."""
    library = library_sources()
    for text in library.values():
        for top in module_names(text):
            lint(library, top)


def test_emitted_design_inlines_the_header_and_multi_file_sources_carry_it() -> None:
    module = compile_to(MODELS / "tfc_w1a1_ts.onnx", "rtl")
    top, sources = emit_sources(module)
    assert HEADER in sources  # Verilator gets the files one by one, with -I
    assert {"lowbit_mvu_issue.v", "lowbit_mvu_acc.v", "lowbit_mvu_tables.v"} <= set(sources)
    one_file = emit_verilog(module)
    assert "`include" not in one_file
    lint({"design.v": one_file}, top)
