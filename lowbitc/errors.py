"""User-facing errors: one line on stderr, exit code 2, never a traceback."""

from __future__ import annotations


class LowbitcError(Exception):
    """An error in the user's input or request. ``str()`` is the whole one-line message."""


class ModelError(LowbitcError):
    """A problem with one ONNX node: the message names the file, the node and the fix."""

    def __init__(self, path: str, node: str, op_type: str, problem: str, fix: str):
        self.path, self.node, self.op_type = path, node, op_type
        super().__init__(f"{path}: node '{node}' ({op_type}): {problem}; {fix}")
