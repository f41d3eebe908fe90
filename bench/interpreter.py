"""The interpreter against the references users would pick instead, side by side in one run:
`lowbitc run` (whole process) on N frames of the BNN-PYNQ CNV, both on a model seen before (its
plan cached: no compiler imported) and on a new one (compiled first), lowbitc's interpreter in a warm
process, onnxruntime (2 threads) on the float-equivalent network (session.run alone, and as a
whole process), and qonnx's node-by-node `execute_onnx`. Writes
bench/results_interpreter.json and the README table between the interpreter-table markers.

    .venv/bin/python bench/interpreter.py [--frames 512] [--repeats 3]

The float-equivalent network is the reference runner's plain ONNX form of the model
(`lowbitc.zoo.reference.plain_onnx`): every BipolarQuant becomes Where(x >= 0, s, -s) and every
Quant its float arithmetic (divide, round half to even, clip, multiply), which onnxruntime folds
into float initializers for the weights when it builds the session: what a user without a
low-bit runtime would run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from common import LOWBITC, MODELS, ROOT, machine, replace_table
from onnx import numpy_helper

MODEL = MODELS / "bnnpynq_cnv_1w1a_ts.onnx"
INPUTS = MODELS / "bnnpynq_cnv_1w1a_in.npy"


def float_equivalent(model: onnx.ModelProto, batch: int) -> onnx.ModelProto:
    """The same network in plain float ONNX (the reference runner's `plain_onnx`), with the batch
    set to ``batch``."""
    from lowbitc.zoo.reference import plain_onnx

    m = plain_onnx(model)
    g = m.graph
    for i, init in enumerate(g.initializer):  # the flatten's [B, -1] target: keep it batch independent
        if init.name.endswith("Constant_2_output_0"):
            g.initializer[i].CopyFrom(numpy_helper.from_array(np.array([-1, 256], np.int64), init.name))
    for value in (g.input[0], g.output[0]):
        value.type.tensor_type.shape.dim[0].dim_value = batch
    return m


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


# The whole-process anchor is a user's own script: onnxruntime alone, not imported through lowbitc,
# with the settings of `onnxruntime_session`.
ORT_PROCESS = """
import sys, numpy as np, onnx, onnxruntime as ort
x = np.load(sys.argv[2])
opts = ort.SessionOptions(); opts.intra_op_num_threads = 2; opts.log_severity_level = 3
sess = ort.InferenceSession(sys.argv[1], opts, providers=["CPUExecutionProvider"])
np.save(sys.argv[3], sess.run(None, {sess.get_inputs()[0].name: x})[0])
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from lowbitc.backends.runtime.interpreter import run_module
    from lowbitc.options import Options
    from lowbitc.pipeline import compile_to
    from lowbitc.zoo.reference import onnxruntime_session, qonnx_reference

    x = np.tile(np.load(INPUTS), (args.frames // 4, 1, 1, 1)).astype(np.float32)
    results: dict = {"frames": len(x), "machine": machine()}
    fm = float_equivalent(onnx.load(str(MODEL)), len(x))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        np.save(tmp / "in.npy", x)
        onnx.save(fm, str(tmp / "float.onnx"))
        # A cache of its own: kernels built once by the warm-up, plans removed for the cold runs.
        env = dict(os.environ, XDG_CACHE_HOME=str(tmp / "cache"))
        plans = tmp / "cache" / "lowbitc" / "plans"
        run = [str(LOWBITC), "run", str(MODEL), "-i", str(tmp / "in.npy"), "-o", str(tmp / "out.npy")]
        subprocess.run(run, check=True, env=env)

        def cold() -> None:
            shutil.rmtree(plans, ignore_errors=True)
            subprocess.run(run, check=True, env=env)

        lowbitc_cold_s = median_time(cold, args.repeats)
        lowbitc_s = median_time(lambda: subprocess.run(run, check=True, env=env), args.repeats)
        ours = np.load(tmp / "out.npy")
        ort_process_s = median_time(
            lambda: subprocess.run(
                [sys.executable, "-c", ORT_PROCESS, str(tmp / "float.onnx"), str(tmp / "in.npy"), str(tmp / "ort.npy")],
                check=True,
            ),
            args.repeats,
        )
    module = compile_to(str(MODEL), "pipeline", Options())
    run_module(module, x[:8])  # warm: the kernels are built and loaded
    steady_s = median_time(lambda: run_module(module, x), args.repeats)
    exact = bool(np.array_equal(run_module(module, x).reshape(ours.shape), ours))
    sess = onnxruntime_session(fm, threads=2)
    name = sess.get_inputs()[0].name
    ort_out = sess.run(None, {name: x})[0]
    ort_s = median_time(lambda: sess.run(None, {name: x}), args.repeats)
    qx = x[:64]
    qonnx_s = median_time(lambda: qonnx_reference(MODEL, qx), 1) * len(x) / len(qx)
    results |= {
        "lowbitc_run_s": lowbitc_s,
        "lowbitc_fps": len(x) / lowbitc_s,
        "lowbitc_run_first_s": lowbitc_cold_s,
        "lowbitc_steady_s": steady_s,
        "lowbitc_steady_fps": len(x) / steady_s,
        "onnxruntime_s": ort_s,
        "onnxruntime_fps": len(x) / ort_s,
        "onnxruntime_process_s": ort_process_s,
        "qonnx_s_extrapolated": qonnx_s,
        "qonnx_fps": len(x) / qonnx_s,
        "lowbitc_vs_onnxruntime": ort_s / lowbitc_s,
        "lowbitc_vs_onnxruntime_process": ort_process_s / lowbitc_s,
        "lowbitc_steady_vs_onnxruntime": ort_s / steady_s,
        "lowbitc_vs_qonnx": qonnx_s / lowbitc_s,
        "lowbitc_steady_equals_process": exact,
        "onnxruntime_matches_lowbitc": bool(np.allclose(ort_out, ours.reshape(ort_out.shape), atol=1e-4)),
    }
    (ROOT / "bench" / "results_interpreter.json").write_text(json.dumps(results, indent=2) + "\n")
    rows = [
        ("lowbitc run, whole process, model seen before (plan cached, bit-exact)", lowbitc_s, 1.0),
        (
            "lowbitc run, whole process, new model (import, compile, interpret)",
            lowbitc_cold_s,
            lowbitc_cold_s / lowbitc_s,
        ),
        ("lowbitc interpreter in a warm process (compiled module)", steady_s, steady_s / lowbitc_s),
        ("onnxruntime, 2 threads, float-equivalent network, session.run only", ort_s, ort_s / lowbitc_s),
        ("onnxruntime, same, whole process (import, session, run)", ort_process_s, ort_process_s / lowbitc_s),
        ("qonnx execute_onnx (64 frames, extrapolated)", qonnx_s, qonnx_s / lowbitc_s),
    ]
    table = "\n".join(
        [
            f"Measured by `bench/interpreter.py` on {results['machine']}: {len(x)} frames of the BNN-PYNQ CNV, "
            f"median of {args.repeats}.",
            "",
            "| runner | seconds | frames/s | lowbitc run (whole process) speed-up |",
            "|---|---|---|---|",
            *(f"| {what} | {seconds:.2f} | {len(x) / seconds:.0f} | {ratio:.2f} |" for what, seconds, ratio in rows),
            "",
            f"`lowbitc run` on a model it has run before, as a whole process, is "
            f"{results['lowbitc_vs_onnxruntime']:.2f}x as fast as onnxruntime's session.run alone and "
            f"{results['lowbitc_vs_qonnx']:.1f}x as fast as qonnx; its first run of a model also imports onnx and "
            "xDSL and compiles it.",
        ]
    )
    replace_table("interpreter-table", table)
    print(table)
    print("onnxruntime agrees with lowbitc:", results["onnxruntime_matches_lowbitc"], "; warm == whole process:", exact)


if __name__ == "__main__":
    main()
