"""Interpreter plans and their cache (backends/runtime/interpreter/plan.py, planner.py, plan_cache.py):
a cached `lowbitc run` gives the same bits without importing the compiler, any change to
what a plan depends on gives a new key, and a broken or unwritable cache only costs speed."""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.cli import MODELS

from lowbitc.backends.runtime.interpreter import plan_cache, prepare
from lowbitc.backends.runtime.interpreter.plan import execute
from lowbitc.pipeline import compile_to

ROOT = MODELS.parent.parent
CNV = MODELS / "bnnpynq_cnv_1w1a_ts.onnx"
CNV_IN = MODELS / "bnnpynq_cnv_1w1a_in.npy"

# Runs `lowbitc run` in a fresh interpreter and reports whether xDSL or onnx got imported.
PROBE = """
import sys
from lowbitc.cli import main
code = main(sys.argv[1:])
loaded = sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('xdsl', 'onnx', 'onnxruntime')})
print('LOADED=' + ','.join(loaded))
sys.exit(code)
"""


def run_cli(tmp_path: Path, *args: str, cache: Path) -> tuple[int, str, str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "run", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_a_second_run_uses_the_cached_plan_without_importing_the_compiler(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    outs = []
    for i in range(2):
        out = tmp_path / f"out{i}.npy"
        code, stdout, stderr = run_cli(tmp_path, str(CNV), "-i", str(CNV_IN), "-o", str(out), cache=cache)
        assert code == 0, stderr
        outs.append((np.load(out), stdout))
    (first, first_log), (second, second_log) = outs
    assert "xdsl" in first_log and "onnx" in first_log  # the first run compiled the model
    assert "LOADED=\n" in second_log  # the second ran the plan alone
    assert len(list((cache / "lowbitc" / "plans").glob("*.plan"))) == 1
    np.testing.assert_array_equal(first, second)
    # ... and both are the network's outputs as PyTorch computed them, not only the planner's own
    torch = np.load(MODELS / "bnnpynq_cnv_1w1a_out_torch.npy")  # BatchNorm head: a few ULP, as in test_corpus
    np.testing.assert_allclose(second, torch, rtol=0, atol=4 * np.finfo(np.float32).eps * max(1.0, np.abs(torch).max()))


def test_the_key_changes_with_everything_a_plan_depends_on(tmp_path: Path) -> None:
    model = tmp_path / "m.onnx"
    model.write_bytes(CNV.read_bytes())
    fold = tmp_path / "fold.json"
    fold.write_text('{"0": {"pe": 1, "simd": 1}}')
    base = plan_cache.plan_key(str(model), "pipeline", "generic", None, None)
    assert base == plan_cache.plan_key(str(model), "pipeline", "generic", None, None)
    variants = [
        plan_cache.plan_key(str(model), "bitserial", "generic", None, None),
        plan_cache.plan_key(str(model), "pipeline", "xc7z020", None, None),
        plan_cache.plan_key(str(model), "pipeline", "generic", str(fold), None),
        plan_cache.plan_key(str(model), "pipeline", "generic", None, (3000.0, None)),
        plan_cache.plan_key(str(model), "pipeline", "generic", None, (None, 0.5)),
    ]
    model.write_bytes(CNV.read_bytes() + b"\0")
    variants.append(plan_cache.plan_key(str(model), "pipeline", "generic", None, None))
    assert len({base, *variants}) == 7
    assert plan_cache.plan_key(str(tmp_path / "missing.onnx"), "pipeline", "generic", None, None) is None


def test_a_corrupt_plan_is_recompiled_and_an_unwritable_cache_is_skipped(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    out = tmp_path / "out.npy"
    assert run_cli(tmp_path, str(CNV), "-i", str(CNV_IN), "-o", str(out), cache=cache)[0] == 0
    expected = np.load(out)
    (plan_file,) = (cache / "lowbitc" / "plans").glob("*.plan")
    plan_file.write_bytes(b"not a pickle")
    code, stdout, stderr = run_cli(tmp_path, str(CNV), "-i", str(CNV_IN), "-o", str(out), cache=cache)
    assert code == 0 and stderr == "" and "xdsl" in stdout  # compiled afresh, silently
    np.testing.assert_array_equal(np.load(out), expected)
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")  # the cache folder cannot be created under a file
    code, _, stderr = run_cli(tmp_path, str(CNV), "-i", str(CNV_IN), "-o", str(out), cache=blocked)
    assert code == 0 and stderr == ""
    np.testing.assert_array_equal(np.load(out), expected)


@pytest.mark.parametrize("stage", ["lowbit", "streamline", "bitserial", "pipeline"])
def test_plans_pickle_and_run_the_same(stage: str) -> None:
    module = compile_to(CNV, stage)
    plan = prepare(module)
    assert plan.picklable
    frames = np.load(CNV_IN)
    np.testing.assert_array_equal(execute(pickle.loads(pickle.dumps(plan)), frames), execute(plan, frames))


def test_chunked_and_whole_runs_agree() -> None:
    plan = prepare(compile_to(CNV, "pipeline"))
    frames = np.random.default_rng(3).uniform(-1, 1, (9,) + plan.frame_shape).astype(np.float32)
    small = dataclasses.replace(plan, frames_per_chunk=2)  # 5 chunks, the last one short
    np.testing.assert_array_equal(execute(small, frames), execute(plan, frames))
