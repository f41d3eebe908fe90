"""The reference lowbitc is checked against: the ONNX model run node by node in qonnx, an
implementation independent of lowbitc's importer and interpreter. Used by the tests
(tests/support) and the benchmarks (bench/), so it lives in the package; qonnx comes with the
`test` and `bench` extras."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def qonnx_reference(model: str | Path, frames: np.ndarray) -> np.ndarray:
    """The model's outputs for ``frames`` (without the batch axis), in chunks of the model's
    fixed batch size, by qonnx's `execute_onnx`."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    m = ModelWrapper(str(model)).transform(InferShapes())
    iname, oname = m.graph.input[0].name, m.graph.output[0].name
    if any(init.name == iname for init in m.graph.initializer):
        raise ValueError(f"{model}: the graph input {iname} is an initializer")
    shape = m.get_tensor_shape(iname)
    batch = shape[0]
    outs = []
    for i in range(0, len(frames), batch):
        chunk = frames[i : i + batch].reshape([batch] + list(shape[1:]))
        outs.append(execute_onnx(m, {iname: chunk.astype(np.float32)})[oname])
    return np.concatenate(outs)
