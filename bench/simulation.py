"""Verilator speed on the BNN-PYNQ CNV accelerator: the cold build (empty cache), and frames per
second simulated, measured as the marginal rate between two whole `lowbitc sim` runs of
different frame counts on the cached build (so compile, build lookup and start-up cancel out),
each the median of --repeats runs (single runs varied by 30%). Writes bench/results_simulation.json.

    .venv/bin/python bench/simulation.py [--frames 4 20] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np
from common import MODELS, ROOT, lowbitc, machine, median_of

MODEL = MODELS / "bnnpynq_cnv_1w1a_ts.onnx"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, nargs=2, default=(4, 20))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    few, many = args.frames
    x = np.load(MODELS / "bnnpynq_cnv_1w1a_in.npy").astype(np.float32)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for n in (few, many):
            np.save(tmp / f"in{n}.npy", np.resize(x, (n,) + x.shape[1:]))
        cold_env = dict(os.environ, XDG_CACHE_HOME=str(tmp / "cache"))

        def sim(n: int, env: dict | None = None) -> float:
            out, stats_file = str(tmp / "out.npy"), str(tmp / "stats.json")
            return lowbitc("sim", str(MODEL), "-i", str(tmp / f"in{n}.npy"), "-o", out, "--stats", stats_file, env=env)

        cold_s = sim(few, cold_env)  # builds into an empty cache
        few_s = median_of(lambda: sim(few, cold_env), args.repeats)
        many_s = median_of(lambda: sim(many, cold_env), args.repeats)
        stats = json.loads((tmp / "stats.json").read_text())
    fps = (many - few) / (many_s - few_s)
    result = {
        "machine": machine(),
        "model": MODEL.name,
        "frames": [few, many],
        "cold_run_s": cold_s,
        "warm_run_s": [few_s, many_s],
        "build_s_estimate": cold_s - few_s,
        "sim_fps": fps,
        "ii_cycles": stats["ii_cycles"],
        "sim_cycles_per_s": fps * stats["ii_cycles"],
    }
    (ROOT / "bench" / "results_simulation.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"build {result['build_s_estimate']:.1f} s (cold run {cold_s:.1f} s); {fps:.2f} frames/s simulated, "
        f"{result['sim_cycles_per_s'] / 1e6:.2f} M cycles/s"
    )


if __name__ == "__main__":
    main()
