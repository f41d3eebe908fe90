"""The shared helpers live in tests/support (imported as `support`) and the reference runner in
the package (`lowbitc.zoo.reference`); the names below are re-exported for test files that
still import them from here."""

from __future__ import annotations

from support.cli import BIN, MODELS, TESTS, lint_verilog_file, lowbitc

from lowbitc.zoo.reference import qonnx_reference

__all__ = ["BIN", "MODELS", "TESTS", "lint_verilog_file", "lowbitc", "qonnx_reference"]
