"""Measure, for every model of the corpus, the compile time, the initiation interval and the
latency in Verilator next to the performance model's prediction, and write them to
bench/results_ii.json and to the README's table (between the ii-table markers).

    .venv/bin/python bench/ii_table.py
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "models"
LOWBITC = Path(sys.executable).parent / "lowbitc"
CASES = [
    ("digits_bnn_w1a1", "digits_bnn_w1a1_test_in", 1.0),
    ("tfc_w1a1_ts", "tfc_w1a1_in", 1.0),
    ("tfc_w1a1_dynamo", "tfc_w1a1_in", 1.0),
    ("zoo_TFC_1W1A", "finn_build_dataflow_input", 1 / 255),
    ("finn_build_dataflow_model", "finn_build_dataflow_input", 1.0),
    ("cnv_small_w1a1_dynamo", "cnv_small_w1a1_in", 1.0),
    ("bnnpynq_cnv_1w1a_ts", "bnnpynq_cnv_1w1a_in", 1.0),
    ("zoo_TFC_2W2A", "finn_build_dataflow_input", 1 / 255),
    ("cnv_small_w2a2_ts", "cnv_small_w2a2_in", 1.0),
    ("generated/tfc_w1a2", "generated/tfc_w1a2_in", 1.0),
    ("generated/tfc_w2a2", "generated/tfc_w2a2_in", 1.0),
    ("generated/digits_w1a2", "generated/digits_w1a2_in", 1.0),
    ("generated/digits_w2a2", "generated/digits_w2a2_in", 1.0),
    ("generated/cnv_w1a2", "generated/cnv_w1a2_in", 1.0),
    ("generated/cnv_w2a2", "generated/cnv_w2a2_in", 1.0),
    ("generated/resnet_w2a2", "generated/resnet_w2a2_in", 1.0),
]


def run(*args: str) -> None:
    r = subprocess.run([str(LOWBITC), *args], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"lowbitc {' '.join(args)} failed: {r.stderr.strip()}")


def measure(model: str, inputs: str, scale: float, tmp: Path) -> dict:
    path = MODELS / f"{model}.onnx"
    np.save(tmp / "in.npy", (np.load(MODELS / f"{inputs}.npy") * np.float32(scale)).astype(np.float32))
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        run(str(path), "-o", str(tmp / "accel.v"))
        times.append(time.perf_counter() - t0)
    run(
        "sim",
        str(path),
        "-i",
        str(tmp / "in.npy"),
        "-o",
        str(tmp / "out.npy"),
        "--stall",
        "0.3",
        "--stats",
        str(tmp / "stats.json"),
    )
    run("run", str(path), "-i", str(tmp / "in.npy"), "-o", str(tmp / "ref.npy"))
    stats = json.loads((tmp / "stats.json").read_text())
    return {
        "model": model,
        "compile_s": float(np.median(times)),
        "ii_cycles": stats["ii_cycles"],
        "ii_cycles_predicted": stats["ii_cycles_predicted"],
        "latency_cycles": stats["latency_cycles"],
        "latency_cycles_predicted": stats["latency_cycles_predicted"],
        "sim_equals_run": bool(np.array_equal(np.load(tmp / "out.npy"), np.load(tmp / "ref.npy"))),
    }


def table(rows: list[dict], machine: str) -> str:
    lines = [
        f"Measured by `bench/ii_table.py` on {machine}; simulation with random stalls (p = 0.3) on both",
        "handshakes for exactness, and a stall-free run of the same build for the timing.",
        "",
        "| model | compile (s, median of 3) | II simulated | II predicted | ratio | latency simulated / "
        "predicted | sim == run |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        pred_lat = "n/a" if r["latency_cycles_predicted"] is None else str(r["latency_cycles_predicted"])
        lines.append(
            f"| {r['model']} | {r['compile_s']:.2f} | {r['ii_cycles']:.0f} | {r['ii_cycles_predicted']} | "
            f"{r['ii_cycles'] / r['ii_cycles_predicted']:.3f} | {r['latency_cycles']} / {pred_lat} | "
            f"{'yes' if r['sim_equals_run'] else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> None:
    machine = f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}"
    with tempfile.TemporaryDirectory() as d:
        rows = [measure(m, i, s, Path(d)) for m, i, s in CASES]
    (ROOT / "bench" / "results_ii.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    readme = ROOT / "README.md"
    text = readme.read_text()
    new = re.sub(
        r"(<!-- ii-table -->\n).*?(\n<!-- /ii-table -->)",
        lambda m: m.group(1) + table(rows, machine) + m.group(2),
        text,
        flags=re.S,
    )
    readme.write_text(new)
    print(table(rows, machine))


if __name__ == "__main__":
    main()
