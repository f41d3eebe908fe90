"""Compile time, ONNX to Verilog, as a whole `lowbitc` process: the BNN-PYNQ CNV of the corpus
and FINN's LFC (the 1024-wide MLP, made by `lowbitc zoo lfc-w1a1`). Writes
bench/results_compiler.json.

    .venv/bin/python bench/compiler.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import MODELS, ROOT, lowbitc, machine, median_of

TARGETS_S = {"cnv": 5.0, "lfc": 10.0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        lfc = Path(d) / "lfc_w1a1.onnx"
        lowbitc("zoo", "lfc-w1a1", "-o", str(lfc))
        for name, model in (("cnv", MODELS / "bnnpynq_cnv_1w1a_ts.onnx"), ("lfc", lfc)):
            out = Path(d) / f"{name}.v"
            seconds = median_of(lambda model=model, out=out: lowbitc(str(model), "-o", str(out)), args.repeats)
            rows.append(
                {
                    "model": name,
                    "source": model.name,
                    "compile_s": seconds,
                    "target_s": TARGETS_S[name],
                    "verilog_bytes": out.stat().st_size,
                    "meets_target": seconds < TARGETS_S[name],
                }
            )
            print(f"{name}: {seconds:.2f} s (target < {TARGETS_S[name]:.0f} s), {out.stat().st_size} bytes of Verilog")
    result = {"machine": machine(), "repeats": args.repeats, "rows": rows}
    (ROOT / "bench" / "results_compiler.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
