"""The interpreter's checks of a model: against the independent references (qonnx, onnxruntime,
the package's `lowbitc.zoo.reference`), and every stage against the first, bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lowbitc.backends.runtime.interpreter import run_module
from lowbitc.pipeline import compile_stages, compile_to
from lowbitc.stages import IR_STAGES
from lowbitc.zoo.reference import onnxruntime_reference, qonnx_reference

REFERENCES = {"qonnx": qonnx_reference, "onnxruntime": onnxruntime_reference}
"""The reference runners by name, in the order the checks compare them."""


def assert_matches_references(model: Path, frames: np.ndarray, references: tuple[str, ...]) -> np.ndarray:
    """The lowbit stage's outputs equal each of ``references`` (names of `REFERENCES`), side by
    side on the same frames: exactly for integer outputs (argmax, TopK), within a few float32 ULP
    of the largest logit for float ones (the float epilogue's order of operations may differ).
    Returns lowbitc's outputs."""
    assert references, "compare against at least one reference"
    ours = run_module(compile_to(model, "lowbit"), frames)
    for name in references:
        ref = REFERENCES[name](model, frames).reshape(ours.shape)
        if ours.dtype == np.int64:
            np.testing.assert_array_equal(ours, ref, err_msg=name)
        else:
            atol = 4 * np.finfo(np.float32).eps * max(1.0, np.abs(ref).max())
            np.testing.assert_allclose(ours, ref, rtol=0, atol=atol, err_msg=name)
    return ours


def assert_stages_bit_exact(model: Path, frames: np.ndarray) -> np.ndarray:
    """Every stage from streamline to pipeline gives the lowbit stage's outputs, dtype included,
    bit for bit. Returns them."""
    stages = dict(compile_stages(model, last="pipeline"))  # one import, every stage
    assert tuple(stages) == IR_STAGES[: IR_STAGES.index("pipeline") + 1]
    reference = run_module(stages.pop("lowbit"), frames)
    for stage, module in stages.items():  # streamline .. pipeline
        out = run_module(module, frames)
        assert out.dtype == reference.dtype
        np.testing.assert_array_equal(out, reference, err_msg=f"stage {stage}")
    return reference
