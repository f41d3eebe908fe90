"""The interpreter against the references users would pick instead, side by side in one run:
`lowbitc run` (whole process) on N frames of the BNN-PYNQ CNV, onnxruntime (2 threads) on the
float-equivalent network, and qonnx's node-by-node `execute_onnx`. Writes
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
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "tests" / "models" / "bnnpynq_cnv_1w1a_ts.onnx"
INPUTS = ROOT / "tests" / "models" / "bnnpynq_cnv_1w1a_in.npy"
LOWBITC = Path(sys.executable).parent / "lowbitc"


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
            value = bipolar_quant(*ins) if n.op_type == "BipolarQuant" else int_quant(
                ins[0], ins[1], ins[2], ins[3], a.get("signed", 1), a.get("narrow", 0), a.get("rounding_mode", "ROUND"))
            consts[n.output[0]] = value
            new_inits.append(numpy_helper.from_array(value.astype(np.float32), n.output[0]))
        elif n.op_type == "BipolarQuant":
            s = float(consts[n.input[1]].reshape(-1)[0])
            ge, pos, neg, zero = (f"{n.output[0]}_{k}" for k in ("ge", "pos", "neg", "zero"))
            new_inits += [numpy_helper.from_array(np.float32(v), k) for v, k in ((s, pos), (-s, neg), (0.0, zero))]
            nodes += [helper.make_node("GreaterOrEqual", [n.input[0], zero], [ge]),
                      helper.make_node("Where", [ge, pos, neg], [n.output[0]])]
        elif n.op_type == "Quant":
            a = attrs(n)
            s, zp, bits = (float(consts[i].reshape(-1)[0]) for i in n.input[1:4])
            lo, hi = (-(2 ** (bits - 1)) + a.get("narrow", 0), 2 ** (bits - 1) - 1) if a.get("signed", 1) else (0, 2**bits - 1 - a.get("narrow", 0))
            t = [f"{n.output[0]}_{k}" for k in ("div", "round", "clip", "s", "lo", "hi")]
            new_inits += [numpy_helper.from_array(np.float32(v), k) for v, k in ((s, t[3]), (lo, t[4]), (hi, t[5]))]
            nodes += [helper.make_node("Div", [n.input[0], t[3]], [t[0]]), helper.make_node("Round", [t[0]], [t[1]]),
                      helper.make_node("Clip", [t[1], t[4], t[5]], [t[2]]), helper.make_node("Mul", [t[2], t[3]], [n.output[0]])]
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import onnxruntime as ort

    x = np.tile(np.load(INPUTS), (args.frames // 4, 1, 1, 1)).astype(np.float32)
    results: dict = {"frames": len(x), "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    with tempfile.TemporaryDirectory() as d:
        np.save(Path(d) / "in.npy", x)
        lowbitc_s = median_time(lambda: subprocess.run([str(LOWBITC), "run", str(MODEL), "-i", str(Path(d) / "in.npy"), "-o", str(Path(d) / "out.npy")], check=True), args.repeats)
        ours = np.load(Path(d) / "out.npy")
    fm = float_equivalent(onnx.load(str(MODEL)), len(x))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(fm.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    ort_out = sess.run(None, {name: x})[0]
    ort_s = median_time(lambda: sess.run(None, {name: x}), args.repeats)
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import qonnx_reference

    qx = x[:64]
    qonnx_s = median_time(lambda: qonnx_reference(MODEL, qx), 1) * len(x) / len(qx)
    results |= {
        "lowbitc_run_s": lowbitc_s, "lowbitc_fps": len(x) / lowbitc_s,
        "onnxruntime_s": ort_s, "onnxruntime_fps": len(x) / ort_s,
        "qonnx_s_extrapolated": qonnx_s, "qonnx_fps": len(x) / qonnx_s,
        "lowbitc_vs_onnxruntime": ort_s / lowbitc_s, "lowbitc_vs_qonnx": qonnx_s / lowbitc_s,
        "onnxruntime_matches_lowbitc": bool(np.allclose(ort_out, ours, atol=1e-4)),
    }
    (ROOT / "bench" / "results_interpreter.json").write_text(json.dumps(results, indent=2) + "\n")
    table = "\n".join([
        f"Measured by `bench/interpreter.py` on {results['machine']}: {len(x)} frames of the BNN-PYNQ CNV, median of {args.repeats}.",
        "", "| runner | seconds | frames/s | lowbitc speed-up |", "|---|---|---|---|",
        f"| lowbitc run (whole process, bit-exact) | {lowbitc_s:.2f} | {results['lowbitc_fps']:.0f} | 1.00 |",
        f"| onnxruntime, 2 threads, float-equivalent network | {ort_s:.2f} | {results['onnxruntime_fps']:.0f} | {results['lowbitc_vs_onnxruntime']:.2f} |",
        f"| qonnx execute_onnx (64 frames, extrapolated) | {qonnx_s:.2f} | {results['qonnx_fps']:.0f} | {results['lowbitc_vs_qonnx']:.2f} |",
    ])
    readme = ROOT / "README.md"
    readme.write_text(re.sub(r"(<!-- interpreter-table -->\n).*?(\n<!-- /interpreter-table -->)", lambda m: m.group(1) + table + m.group(2),
                             readme.read_text(), flags=re.S))
    print(table)
    print("onnxruntime agrees with lowbitc:", results["onnxruntime_matches_lowbitc"])


if __name__ == "__main__":
    main()
