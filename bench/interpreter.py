"""The interpreter against the references users would pick instead, side by side in one run:
`lowbitc run` (whole process) on N frames of the BNN-PYNQ CNV, both on a model seen before (its
plan cached: no compiler imported) and on a new one (compiled first), lowbitc's interpreter in a warm
process, onnxruntime (2 threads) on the float-equivalent network (session.run alone, and as a
whole process), and qonnx's node-by-node `execute_onnx`. Writes
bench/results_interpreter.json and the README table between the interpreter-table markers.

    .venv/bin/python bench/interpreter.py [--frames 512] [--repeats 3]

The float-equivalent network replaces every BipolarQuant by Where(x >= 0, s, -s) and every
Quant by its float arithmetic (divide, round half to even, clip, multiply), with quantized
weights folded into float initializers: what a user without a low-bit runtime would run.
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
from onnx import helper, numpy_helper

MODEL = MODELS / "bnnpynq_cnv_1w1a_ts.onnx"
INPUTS = MODELS / "bnnpynq_cnv_1w1a_in.npy"


def float_equivalent(model: onnx.ModelProto, batch: int) -> onnx.ModelProto:
    """The same network in plain float ONNX, with the batch set to ``batch``."""
    from lowbitc.importer.onnx_graph import attrs, bipolar_quant, int_quant

    g = model.graph
    consts = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    nodes, new_inits = [], []
    for n in g.node:
        if n.op_type in ("BipolarQuant", "Quant") and n.input[0] in consts:  # quantized weights: fold
            ins = [consts[i] for i in n.input]
            a = attrs(n)
            value = (
                bipolar_quant(*ins)
                if n.op_type == "BipolarQuant"
                else int_quant(
                    ins[0],
                    ins[1],
                    ins[2],
                    ins[3],
                    a.get("signed", 1),
                    a.get("narrow", 0),
                    a.get("rounding_mode", "ROUND"),
                )
            )
            consts[n.output[0]] = value
            new_inits.append(numpy_helper.from_array(value.astype(np.float32), n.output[0]))
        elif n.op_type == "BipolarQuant":
            s = float(consts[n.input[1]].reshape(-1)[0])
            ge, pos, neg, zero = (f"{n.output[0]}_{k}" for k in ("ge", "pos", "neg", "zero"))
            new_inits += [numpy_helper.from_array(np.float32(v), k) for v, k in ((s, pos), (-s, neg), (0.0, zero))]
            nodes += [
                helper.make_node("GreaterOrEqual", [n.input[0], zero], [ge]),
                helper.make_node("Where", [ge, pos, neg], [n.output[0]]),
            ]
        elif n.op_type == "Quant":
            a = attrs(n)
            s, zp, bits = (float(consts[i].reshape(-1)[0]) for i in n.input[1:4])
            lo, hi = (
                (-(2 ** (bits - 1)) + a.get("narrow", 0), 2 ** (bits - 1) - 1)
                if a.get("signed", 1)
                else (0, 2**bits - 1 - a.get("narrow", 0))
            )
            t = [f"{n.output[0]}_{k}" for k in ("div", "round", "clip", "s", "lo", "hi")]
            new_inits += [numpy_helper.from_array(np.float32(v), k) for v, k in ((s, t[3]), (lo, t[4]), (hi, t[5]))]
            nodes += [
                helper.make_node("Div", [n.input[0], t[3]], [t[0]]),
                helper.make_node("Round", [t[0]], [t[1]]),
                helper.make_node("Clip", [t[1], t[4], t[5]], [t[2]]),
                helper.make_node("Mul", [t[2], t[3]], [n.output[0]]),
            ]
        else:
            nodes.append(n)
    inits = [i for i in g.initializer] + new_inits
    for i, init in enumerate(inits):  # the flatten's [B, -1] target: keep it batch independent
        if init.name.endswith("Constant_2_output_0"):
            inits[i] = numpy_helper.from_array(np.array([-1, 256], np.int64), init.name)
    inp = helper.make_tensor_value_info(g.input[0].name, onnx.TensorProto.FLOAT, [batch, 3, 32, 32])
    out = helper.make_tensor_value_info(g.output[0].name, onnx.TensorProto.FLOAT, [batch, 10])
    graph = helper.make_graph(nodes, "float_cnv", [inp], [out], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    m.ir_version = 9
    return m


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


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
    import onnxruntime as ort

    from lowbitc.backends.runtime.interpreter import run_module
    from lowbitc.options import Options
    from lowbitc.pipeline import compile_to
    from lowbitc.zoo.reference import qonnx_reference

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
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.log_severity_level = 3
    sess = ort.InferenceSession(fm.SerializeToString(), opts, providers=["CPUExecutionProvider"])
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
