"""The structural resource model (backends/analysis/resource_model.py) against Yosys `synth_xilinx` for
xc7z020, on every corpus model at its default folding and on the BNN-PYNQ CNV folded for 3,000
frames/s: total LUTs (LUT sites: logic and LUT RAM), flip-flops and RAMB36 against the flat run
(what a real flow does), and per layer against the run that keeps the top's instances
(`synth.unit_figures`). Synthesis results are cached (backends/eda/synth.py), so a rerun takes
seconds; cold, the whole corpus takes about 20 minutes on 2 cores.

Writes bench/results_resources.json and the README table between the resources-table markers.

    .venv/bin/python bench/resources.py [--no-readme] [--models DIR] [MODEL ...]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from common import CORPUS, ROOT, machine, replace_table

from lowbitc.backends.analysis.perf import predict
from lowbitc.backends.analysis.resource_model import design_cost
from lowbitc.backends.eda.synth import synthesize, unit_figures
from lowbitc.backends.eda.tools import tool_version
from lowbitc.backends.target.devices import get_device
from lowbitc.backends.verilog.emit import emit_verilog
from lowbitc.dialects.rtl import find_top
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

MODELS = (
    "digits_bnn_w1a1",
    "tfc_w1a1_ts",
    "zoo_TFC_1W1A",
    "zoo_TFC_2W2A",
    "finn_build_dataflow_model",
    "cnv_small_w1a1_dynamo",
    "cnv_small_w2a2_ts",
    "bnnpynq_cnv_1w1a_ts",
    "bnnpynq_cnv_1w1a_ts@3000",
)
"""name[@fps]: the model at its default folding, or folded for fps frames/s."""
DEVICE = "xc7z020"
BOUND = 0.15


def err(model: float, measured: float) -> float | None:
    return None if not measured else round(model / measured - 1, 4)


def compare(case: str, corpus: Path) -> dict:
    name, _, fps = case.partition("@")
    dev = get_device(DEVICE)
    module = compile_to(corpus / f"{name}.onnx", "rtl", Options(target=DEVICE, fps=float(fps) if fps else None))
    verilog, top = emit_verilog(module), find_top(module).sym_name.data
    start = time.monotonic()
    kept = synthesize(verilog, top, dev)
    flat = synthesize(verilog, top, dev, flat=True)
    seconds = time.monotonic() - start
    cost = design_cost(module, dev)
    per_unit = unit_figures(kept, module)
    layers = []
    for layer, c in zip(predict(module).layers, cost.units):
        f = per_unit.get(layer.index)
        layers.append(
            {
                "index": layer.index,
                "kind": layer.kind,
                "pe": layer.pe,
                "simd": layer.simd,
                "luts": c.luts,
                "luts_synth": f.lut_sites if f else 0,
                "luts_err": err(c.luts, f.lut_sites if f else 0),
                "ffs": c.ffs,
                "ffs_synth": f.ffs if f else 0,
                "ffs_err": err(c.ffs, f.ffs if f else 0),
                "brams": c.brams,
                "brams_synth": f.brams if f else 0.0,
            }
        )
    t = cost.total
    return {
        "model": name,
        "fps": float(fps) if fps else None,
        "luts": t.luts,
        "luts_flat": flat.total.lut_sites,
        "luts_kept": kept.total.lut_sites,
        "luts_err": err(t.luts, flat.total.lut_sites),
        "ffs": t.ffs,
        "ffs_flat": flat.total.ffs,
        "ffs_err": err(t.ffs, flat.total.ffs),
        "brams": t.brams,
        "brams_flat": flat.total.brams,
        "dsps": t.dsps,
        "dsps_flat": flat.total.dsps,
        "lut_share": round(t.luts / dev.fabric.logic.luts, 4),
        "lut_share_flat": round(flat.total.lut_sites / dev.fabric.logic.luts, 4),
        "synth_seconds_this_run": round(seconds, 1),
        "layers": layers,
    }


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1%}"


def table(rows: list[dict]) -> str:
    out = [
        (
            f"Measured by `bench/resources.py` on {machine()}, {tool_version('yosys')}, `synth_xilinx` for {DEVICE}. "
            "LUTs are LUT sites (logic and LUT RAM); BRAM in RAMB36 (an 18 Kb half counts 0.5). Per-layer LUT error: "
            "the largest in absolute value, and the median, against the kept-hierarchy run."
        ),
        "",
        (
            "| model | folding | LUTs model | LUTs Yosys (flat) | error | FFs model | FFs Yosys | error | "
            "BRAM model | BRAM Yosys | "
            "worst layer LUT error | median layer LUT error |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        errs = sorted((ly["luts_err"] for ly in r["layers"] if ly["luts_err"] is not None), key=abs)
        worst = pct(errs[-1]) if errs else "n/a"
        med = sorted(errs)[len(errs) // 2] if errs else None
        fold = f"--fps {r['fps']:g}" if r["fps"] else "default"
        out.append(
            f"| {r['model']} | {fold} | {r['luts']:,.0f} | {r['luts_flat']:,} | {pct(r['luts_err'])} | "
            f"{r['ffs']:,.0f} | "
            f"{r['ffs_flat']:,} | {pct(r['ffs_err'])} | {r['brams']:g} | {r['brams_flat']:g} | {worst} | {pct(med)} |"
        )
    for r in rows:
        if r["fps"]:
            out += [
                "",
                (
                    f"{r['model']} folded for --fps {r['fps']:g}: the model gives {r['luts']:,.0f} LUTs, "
                    f"{r['lut_share']:.1%} of {DEVICE}'s {get_device(DEVICE).fabric.logic.luts:,}; the flat Yosys run "
                    f"{r['luts_flat']:,} ({r['lut_share_flat']:.1%})."
                ),
            ]
    ok = all(abs(r["luts_err"]) <= BOUND for r in rows)
    out += [
        "",
        (
            f"Total LUTs within {BOUND:.0%} of Yosys on every row: {'yes' if ok else 'NO'}. Per-layer figures in "
            "bench/results_resources.json."
        ),
    ]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="*", default=list(MODELS))
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument(
        "--models",
        dest="models_dir",
        type=Path,
        default=CORPUS,
        help="folder of the corpus models (default: ../shared/models)",
    )
    args = ap.parse_args()
    missing = [c for c in args.models if not (args.models_dir / f"{c.partition('@')[0]}.onnx").is_file()]
    if missing:
        ap.error(f"--models {args.models_dir}: no {missing[0].partition('@')[0]}.onnx there; give the corpus folder")
    rows = []
    for case in args.models:
        rows.append(compare(case, args.models_dir))
        r = rows[-1]
        print(
            f"{case}: LUTs {r['luts']:.0f} vs {r['luts_flat']} ({pct(r['luts_err'])}), FFs {r['ffs']:.0f} vs "
            f"{r['ffs_flat']} "
            f"({pct(r['ffs_err'])}), BRAM {r['brams']} vs {r['brams_flat']}",
            flush=True,
        )
    result = {"machine": machine(), "yosys": tool_version("yosys"), "device": DEVICE, "bound": BOUND, "rows": rows}
    (ROOT / "bench" / "results_resources.json").write_text(json.dumps(result, indent=2) + "\n")
    if not args.no_readme:
        replace_table("resources-table", table(rows))


if __name__ == "__main__":
    main()
