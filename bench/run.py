"""The benchmark runner: runs the scripts behind the four performance targets (each writes its
own bench/results_*.json and README table), then gathers their figures into bench/results.json
and the README's summary table: every target beside its anchor, with the ratio and whether it
holds on this machine.

    .venv/bin/python bench/run.py                 # run every script, then gather (about 10 min)
    .venv/bin/python bench/run.py --collect-only  # gather the last results only
    .venv/bin/python bench/run.py --only interpreter,compiler

Anchors: onnxruntime and qonnx (the `bench` extra) for the interpreter, the issue's time limits
for the compiler, a naive XNOR + adder-chain popcount synthesised by the same Yosys for the
datapath; the simulation figure is reported, with no target.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from common import ROOT, machine, replace_table

BENCH = ROOT / "bench"
SCRIPTS = {
    "interpreter": ["interpreter.py", "--frames", "512", "--repeats", "5"],
    "compiler": ["compiler.py"],
    "simulation": ["simulation.py"],
    "datapath": ["datapath.py"],
}


def load(name: str) -> dict:
    path = BENCH / f"results_{name}.json"
    if not path.exists():
        raise SystemExit(f"{path.relative_to(ROOT)} is missing: run bench/run.py --only {name}")
    return json.loads(path.read_text())


def targets() -> list[dict]:
    """One row per target: the figure, its anchor, the ratio and whether the target holds."""
    interp, comp, sim, dp = load("interpreter"), load("compiler"), load("simulation"), load("datapath")
    rows = [
        {
            "target": "Interpreter: `lowbitc run`, CNV, 512 frames, whole process, no slower than "
            "onnxruntime's session.run",
            "lowbitc": f"{interp['lowbitc_run_s']:.2f} s",
            "anchor": f"onnxruntime {interp['onnxruntime_s']:.2f} s",
            "ratio": interp["lowbitc_vs_onnxruntime"],
            "met": interp["lowbitc_vs_onnxruntime"] >= 1.0 and interp["lowbitc_steady_equals_process"],
        },
        {
            "target": "Interpreter: at least 10x qonnx's execute_onnx",
            "lowbitc": f"{interp['lowbitc_run_s']:.2f} s",
            "anchor": f"qonnx {interp['qonnx_s_extrapolated']:.2f} s",
            "ratio": interp["lowbitc_vs_qonnx"],
            "met": interp["lowbitc_vs_qonnx"] >= 10.0,
        },
    ]
    for row in comp["rows"]:
        rows.append(
            {
                "target": f"Compiler: ONNX to Verilog, {row['model'].upper()}, under {row['target_s']:g} s",
                "lowbitc": f"{row['compile_s']:.2f} s",
                "anchor": f"limit {row['target_s']:g} s",
                "ratio": row["target_s"] / row["compile_s"],
                "met": row["compile_s"] < row["target_s"],
            }
        )
    ours, anchor = dp["lowbitc"], dp["anchor"]
    rows.append(
        {
            "target": "Datapath: LUTs per binary lane, 64-lane unit with accumulator and threshold, 2.0 or below",
            "lowbitc": f"{ours['luts_per_lane']:.2f} LUTs/lane",
            "anchor": f"adder chain {anchor['luts_per_lane']:.2f} LUTs/lane",
            "ratio": anchor["luts_per_lane"] / ours["luts_per_lane"],
            "met": ours["luts_per_lane"] <= 2.0,
        }
    )
    rows.append(
        {
            "target": "Simulation: Verilator on the CNV accelerator, build cached (reported)",
            "lowbitc": f"{sim['sim_fps']:.1f} frames/s",
            "anchor": f"{sim['sim_cycles_per_s'] / 1e6:.1f} M cycles/s; cold build {sim['build_s_estimate']:.0f} s",
            "ratio": None,
            "met": True,
        }
    )
    return rows


def table(rows: list[dict], where: str) -> str:
    lines = [
        f"Gathered by `bench/run.py` from the scripts' last runs on {where}; ratio = anchor / lowbitc "
        "(higher is better for lowbitc).",
        "",
        "| target | lowbitc | anchor | ratio | holds |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        lines.append(f"| {r['target']} | {r['lowbitc']} | {r['anchor']} | {ratio} | {'yes' if r['met'] else 'NO'} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--collect-only", action="store_true", help="do not run the scripts; gather their last results")
    ap.add_argument("--only", help=f"comma-separated scripts to run ({', '.join(SCRIPTS)})")
    args = ap.parse_args()
    chosen = list(SCRIPTS) if not args.only else args.only.split(",")
    unknown = [c for c in chosen if c not in SCRIPTS]
    if unknown:
        raise SystemExit(f"unknown script(s) {', '.join(unknown)}; choose from {', '.join(SCRIPTS)}")
    if not args.collect_only:
        for name in chosen:
            print(f"== bench/{SCRIPTS[name][0]}", flush=True)
            subprocess.run([sys.executable, str(BENCH / SCRIPTS[name][0]), *SCRIPTS[name][1:]], check=True, cwd=BENCH)
    rows = targets()
    results = {
        "machine": machine(),
        "targets": rows,
        "all_met": all(r["met"] for r in rows),
        "sources": {name: f"bench/results_{name}.json" for name in SCRIPTS},
    }
    (BENCH / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    text = table(rows, results["machine"])
    replace_table("perf-table", text)
    print(text)


if __name__ == "__main__":
    main()
