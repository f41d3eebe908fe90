"""The papers' workloads projected by lowbitc's models: each network from `lowbitc zoo`, folded
by `--budget` for the highest frames/s within a share of the paper's device, at the paper's
clock and at the device's default clock, beside the paper's figure. Writes
bench/results_papers.json and the README table between the papers-table markers.

    .venv/bin/python bench/papers.py [--budget 0.8] [--only binarynet]

What the figures are: the performance model's initiation interval (checked against Verilator
within 2% on the corpus and on scaled-down copies of these networks, tests/e2e/test_zoo_sim.py),
TOPS at 2 operations per MAC as the papers count them, the structural resource model's shares
(checked against Yosys within 15% for xc7z020; unchecked for Intel parts, which have no open
synthesis flow), and the DRAM batch when the weights do not fit on chip. Projections, not
measurements on boards.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from common import ROOT, machine, replace_table

from lowbitc.backends.report.design import DesignReport, design_report
from lowbitc.backends.target.devices import get_device
from lowbitc.budget import cycles_for_budget
from lowbitc.options import Options
from lowbitc.passes.tile import stream_floor
from lowbitc.pipeline import compile_to
from lowbitc.zoo import NETWORKS


@dataclass(frozen=True)
class Workload:
    key: str
    network: str
    device: str
    paper: str
    metric: str  # "tops" or "fps"
    paper_value: float
    paper_clock_mhz: float | None
    """None: the source does not state the clock; the row at the device clock stands alone."""


WORKLOADS = [
    Workload(
        "binarynet",
        "binarynet-cifar10",
        "xc7vx690t",
        "Li et al., A 7.663-TOPS 8.2-W energy-efficient FPGA accelerator for binary CNNs (FPGA 2017), Virtex-7 VX690T",
        "tops",
        7.663,
        90.0,
    ),
    Workload(
        "alexnet",
        "alexnet-t2a2",
        "arria10-gx1150",
        "Colangelo et al., Exploration of low numeric precision deep learning inference using Intel FPGAs "
        "(FCCM 2018), measured",
        "fps",
        3700.0,
        None,
    ),
    Workload(
        "resnet34",
        "resnet34-t2a2",
        "stratix10-gx2800",
        "Colangelo et al. (FCCM 2018), hardware modeler's projection",
        "tops",
        55.5,
        None,
    ),
]


def limit_of(rep: DesignReport, probe, floor: int, budget: float) -> str:
    """What keeps the design from going faster."""
    cap = rep.clock_mhz * 1e6 / floor
    if rep.ii_cycles <= floor:
        return f"pixel stream: {floor:,} pixels per frame at one per cycle"
    name, share = probe.worst
    return (
        f"{name} ({share:.0%} of a {budget:.0%} budget); the pixel stream ({floor:,} pixels per frame) "
        f"would cap it at {cap:,.0f} frames/s"
    )


def weights_of(rep: DesignReport) -> str:
    w = rep.weights
    if w is None or w.fits_on_chip:
        return "on chip"
    assert w.fps_batch1 is not None
    return f"DRAM, batch {w.batch_needed} (batch 1: {w.fps_batch1:,.0f} frames/s)"


def project(w: Workload, budget: float, folder: Path) -> list[dict]:
    model = folder / f"{w.network}.onnx"
    model.write_bytes(NETWORKS[w.network].build(0).SerializeToString())
    t0 = time.perf_counter()
    module = compile_to(model, "bitserial")
    floor = stream_floor(module)
    rows = []
    device = get_device(w.device)
    clocks = [("paper", w.paper_clock_mhz)] if w.paper_clock_mhz else []
    clocks.append(("device", device.clock_mhz))
    # The search is in cycles per frame and shares of the device: the clock does not change it.
    probe = cycles_for_budget(module, Options(target=w.device, budget=budget), model.name)
    for label, clock in clocks:
        dev = replace(device, clock_mhz=clock)
        rep = design_report(probe.module, dev, model.name)
        ours = rep.tops if w.metric == "tops" else rep.fps
        rows.append(
            {
                "workload": w.key,
                "network": w.network,
                "device": w.device,
                "clock": label,
                "clock_mhz": clock,
                "ii_cycles": rep.ii_cycles,
                "fps": rep.fps,
                "tops": rep.tops,
                "macs_per_frame": rep.macs_per_frame,
                "lanes": rep.totals.lanes,
                "shares": None if rep.shares is None else rep.shares.as_dict(),
                "totals": rep.totals.model.as_dict(),
                "weights": None if rep.weights is None else rep.weights.as_dict(),
                "weights_where": weights_of(rep),
                "limit": limit_of(rep, probe, floor, budget),
                "paper": w.paper,
                "metric": w.metric,
                "paper_value": w.paper_value,
                "ours": ours,
                "ratio": ours / w.paper_value,
                "seconds": time.perf_counter() - t0,
            }
        )
    return rows


def table(rows: list[dict], budget: float, where: str) -> str:
    lines = [
        f"Projected by `bench/papers.py` on {where}: each network from `lowbitc zoo` (random weights), folded by "
        f"`--budget {budget:g}` for the highest frames/s within {budget:.0%} of the device's LUTs, FFs, "
        "block RAMs and DSPs "
        "by the structural model, at the paper's clock and at the device's default clock.",
        "",
        "| workload | device | clock | paper | lowbitc | ratio | frames/s | LUT / FF / BRAM share | weights "
        "| limited by |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        fmt = (lambda v: f"{v:.3g} TOPS") if r["metric"] == "tops" else (lambda v: f"{v:,.0f} frames/s")
        s = r["shares"]
        lines.append(
            f"| {r['network']} | {r['device']} | {r['clock_mhz']:g} MHz ({r['clock']}) | {fmt(r['paper_value'])} | "
            f"{fmt(r['ours'])} | {r['ratio']:.2f}x | {r['fps']:,.0f} | {s['luts']:.0%} / {s['ffs']:.0%} / "
            f"{s['brams']:.0%} | "
            f"{r['weights_where']} | {r['limit']} |"
        )
    missing = [w for w in WORKLOADS if w.paper_clock_mhz is None]
    if missing:
        lines += [
            "",
            "The Intel study's abstract states no clock for its figures, so those rows show the device clock only. "
            "A frame streams one pixel per cycle into the first layer, so the input's pixel count caps every design's "
            "frames/s at the clock; ResNet-34 at 224x224 cannot reach the study's 55.5 TOPS on one stream at 300 MHz "
            "(several pixels per cycle in the first layers would lift that cap; lowbitc does not generate them yet).",
        ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=0.8, help="share of each device the design may take (default 0.8)")
    ap.add_argument("--only", help="comma-separated workloads: " + ", ".join(w.key for w in WORKLOADS))
    args = ap.parse_args()
    chosen = [w for w in WORKLOADS if not args.only or w.key in args.only.split(",")]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as d:
        for w in chosen:
            print(f"== {w.network} on {w.device}", flush=True)
            rows += project(w, args.budget, Path(d))
    results = {"machine": machine(), "budget": args.budget, "rows": rows}
    out = ROOT / "bench" / "results_papers.json"
    if args.only and out.exists():  # keep the other workloads' last rows
        old = [r for r in json.loads(out.read_text())["rows"] if r["workload"] not in {w.key for w in chosen}]
        results["rows"] = sorted(old + rows, key=lambda r: [w.key for w in WORKLOADS].index(r["workload"]))
    out.write_text(json.dumps(results, indent=2) + "\n")
    text = table(results["rows"], args.budget, results["machine"])
    replace_table("papers-table", text)
    print(text)


if __name__ == "__main__":
    main()
