"""Where the logic goes, per unit kind: LUTs, flip-flops and RAMB36 of every kind of rtl instance
(window generators, pads, pools, matrix-vector units and their weight ROMs, FIFOs, duplicators,
adds, collectors, ...) from Yosys `synth_xilinx` for xc7z020 beside the structural resource
model, per lane (matrix-vector units) and per input stream bit (the rest), before and after: the
measurement issue 15 (lean hardware) is decided by.

Designs: the BNN-PYNQ CNV folded for 3,000 frames/s (the headline, also tabulated instance by
instance) and every corpus model (`../shared/models/*.onnx` beside the repository, or --models
DIR) at its default folding. Per instance, the run that keeps the top's instances
(`synth.synthesize`); the flat run gives the design's total. Both are cached
(backends/eda/synth.py): a rerun takes seconds, cold the corpus takes about half an hour on 2 cores.
Kinds are read from the ops (bench/units_measure.py), not listed here.

Writes bench/results_units.json and the README table between the units-table markers; with
--save-baseline also bench/baseline_units.json, which every later run puts beside its figures
(ratio = now / baseline), so the lean-hardware work shows the same table after each change.

    .venv/bin/python bench/units.py [--models DIR] [--save-baseline] [--no-readme] [CASE ...]
    .venv/bin/python bench/units.py --check MODEL.onnx   # self-check on one model, writes nothing

CASE is a model name in the models folder, `name@fps` to fold it for fps frames/s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from common import CORPUS, ROOT, machine, replace_table
from units_measure import GLUE, measure

from lowbitc.backends.eda.tools import tool_version
from lowbitc.backends.target.devices import get_device
from lowbitc.errors import LowbitcError
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

DEVICE = "xc7z020"
HEADLINE = "bnnpynq_cnv_1w1a_ts@3000"
"""Issue 15's design: the BNN-PYNQ CNV at FINN's published frame rate on the same part."""
RESULTS = ROOT / "bench" / "results_units.json"
BASELINE = ROOT / "bench" / "baseline_units.json"
HIERARCHY_BOUND = 0.5
"""The self-check's bound on kept-hierarchy LUTs against the flat run (the corpus spans -15% to
+46%, backends/eda/synth.py); flip-flops differ only by the few that flattening merges."""
FF_BOUND = 0.05


HARDWARE = ("backends/verilog", "dialects", "passes", "lowbitc")
"""What decides the hardware: the compiler and the Verilog library."""


def hardware_commit() -> str:
    """The last commit that changed the hardware (`+changes` when the work tree differs from it)."""
    git = ["git", "-C", str(ROOT)]
    last = subprocess.run([*git, "log", "-1", "--format=%h", "--", *HARDWARE], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "--", *HARDWARE], capture_output=True, text=True)
    return last.stdout.strip() + (" +changes" if dirty.stdout.strip() else "")


def models_dir(arg: Path | None) -> Path:
    """The corpus folder: --models, else `shared/models` beside the repository's folder."""
    return (arg or CORPUS).resolve()


def compile_case(case: str, folder: Path):
    name, _, fps = case.partition("@")
    path = folder / f"{name}.onnx"
    if not path.is_file():
        raise LowbitcError(f"{path}: no such model; give its folder with --models DIR")
    return compile_to(path, "rtl", Options(target=DEVICE, fps=float(fps) if fps else None))


# -- tables ----------------------------------------------------------------------------------
def ratio(now: float, before: float | None) -> str:
    if before is None:
        return "new"
    return "=" if now == before else ("n/a" if not before else f"{now / before:.2f}")


def per(amount: float, kind: dict) -> str:
    """Per lane for matrix-vector units, per input stream bit for the rest."""
    if kind["lanes"]:
        return f"{amount / kind['lanes']:.2f} /lane"
    return f"{amount / kind['in_bits']:.2f} /bit" if kind["in_bits"] else ""


def kind_lines(kinds: dict, before: dict | None) -> list[str]:
    lines = [
        "| kind | units | lanes | stream bits in | LUTs Yosys | model | FFs Yosys | model | BRAM36 Yosys | model "
        "| LUTs per | FFs per | LUTs / FFs / BRAM vs baseline |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = sorted(kinds, key=lambda k: (k == GLUE, -kinds[k]["synth"]["luts"]))
    for name in order:
        k, s, m = kinds[name], kinds[name]["synth"], kinds[name]["model"]
        b = (before or {}).get(name, {}).get("synth")
        vs = " / ".join(ratio(s[f], b[f] if b else None) for f in ("luts", "ffs", "brams"))
        lines.append(
            f"| {name} | {k['units']} | {k['lanes'] or ''} | {k['in_bits'] or ''} | {s['luts']:,.0f} | "
            f"{m['luts']:,.0f} | {s['ffs']:,.0f} | {m['ffs']:,.0f} | {s['brams']:g} | {m['brams']:g} | "
            f"{per(s['luts'], k)} | {per(s['ffs'], k)} | {vs if before is not None else ''} |"
        )
    for name in sorted(set(before or {}) - set(kinds)):  # a kind the change removed: what it cost before
        b = before[name]["synth"]  # type: ignore[index]
        lines.append(
            f"| {name} (gone) | 0 | | | 0 | | 0 | | 0 | | | | was {b['luts']:,.0f} / {b['ffs']:,.0f} / {b['brams']:g} |"
        )
    return lines


def unit_lines(instances: list[dict]) -> list[str]:
    lines = [
        "| instance | layer | kind | shape | bits in / out | LUTs Yosys / model | FFs Yosys / model "
        "| BRAM Yosys / model |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in instances:
        s, m = r["synth"], r["model"]
        lines.append(
            f"| {r['instance']} | {'' if r['layer'] is None else r['layer']} | {r['kind']} | {r['shape']} | "
            f"{r['in_bits']} / {r['out_bits']} | {s['luts']:,.0f} / {m['luts']:,.0f} | "
            f"{s['ffs']:,.0f} / {m['ffs']:,.0f} | {s['brams']:g} / {m['brams']:g} |"
        )
    return lines


def parts_lines(parts: dict) -> list[str]:
    """Each kind's figures by library module (the run keeping every module boundary)."""
    lines = [
        "| kind | part (library module) | LUTs | share | of which LUT RAM | FFs | share | BRAM36 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, by_module in sorted(parts.items(), key=lambda kv: -sum(a["luts"] for a in kv[1].values())):
        luts = sum(a["luts"] for a in by_module.values()) or 1
        ffs = sum(a["ffs"] for a in by_module.values()) or 1
        for module, a in by_module.items():
            lines.append(
                f"| {kind} | {module} | {a['luts']:,.0f} | {a['luts'] / luts:.0%} | {a['lutram']:,} | "
                f"{a['ffs']:,.0f} | {a['ffs'] / ffs:.0%} | {a['brams']:g} |"
            )
    return lines


def summed_kinds(designs: list[dict]) -> dict:
    """Per-kind figures summed over ``designs``."""
    out: dict = {}
    for d in designs:
        for name, k in d["kinds"].items():
            acc = out.setdefault(
                name, {"units": 0, "lanes": 0, "in_bits": 0, "synth": dict.fromkeys(k["synth"], 0.0), "model": {}}
            )
            for f in ("units", "lanes", "in_bits"):
                acc[f] += k[f]
            for src in ("synth", "model"):
                for f, v in k[src].items():
                    acc[src][f] = acc[src].get(f, 0) + v
    return out


def total_line(t: dict, before: dict | None) -> str:
    flat, kept, model = t["synth_flat"], t["synth_kept"], t["model"]
    text = (
        f"Whole design: Yosys flat {flat['luts']:,.0f} LUTs, {flat['ffs']:,.0f} FFs, {flat['brams']:g} BRAM36 "
        f"(the kept-hierarchy run the kinds add up to: {kept['luts']:,.0f} LUTs, {kept['ffs']:,.0f} FFs); "
        f"model {model['luts']:,.0f} LUTs, {model['ffs']:,.0f} FFs, {model['brams']:g} BRAM36."
    )
    if before is not None:
        b = before["synth_flat"]
        text += (
            f" Flat against the baseline: LUTs {ratio(flat['luts'], b['luts'])}, FFs {ratio(flat['ffs'], b['ffs'])}."
        )
    return text


def table(result: dict, baseline: dict | None) -> str:
    designs, base = result["designs"], (baseline or {}).get("designs", {})
    head = designs[HEADLINE] if HEADLINE in designs else None
    out = [
        f"Measured by `bench/units.py` on {result['machine']}, {result['yosys']}, `synth_xilinx` for {DEVICE}; "
        f"LUTs are LUT sites, BRAM in RAMB36. Baseline: {result['baseline'] or 'none saved'}.",
    ]
    if head:
        before = base.get(HEADLINE)
        out += ["", f"**{HEADLINE.replace('@', ' at --fps ')}**, per kind:", ""]
        out += kind_lines(head["kinds"], before["kinds"] if before else None)
        out += ["", total_line(head["total"], before["total"] if before else None)]
        if head.get("parts"):
            out += [
                "",
                "Inside the units: the same design in a run that keeps every library module's boundary "
                "(`synth_split.py`; boundaries cost LUTs, so read shares, not totals):",
                "",
                *parts_lines(head["parts"]),
            ]
    cases = [case for case in designs if "@" not in case]
    if cases:
        # compared only when the baseline has every one of these models, so that both sums are of the same set
        before_corpus = summed_kinds([base[c] for c in cases]) if all(c in base for c in cases) else None
        out += ["", f"**Every corpus model at its default folding** ({', '.join(cases)}), per kind, summed:", ""]
        out += kind_lines(summed_kinds([designs[c] for c in cases]), before_corpus)
    if head:
        out += ["", "<details><summary>The headline design instance by instance</summary>", ""]
        out += unit_lines(head["instances"]) + ["", "</details>"]
    return "\n".join(out)


# -- the self-check --------------------------------------------------------------------------
def check(model: Path) -> None:
    """Measure one model and check the tables add up: every kind has figures, the kinds and the
    glue are the kept-hierarchy total exactly, and that total is near the flat run's."""
    d = measure(compile_to(model, "rtl", Options(target=DEVICE)), get_device(DEVICE))
    kinds, total = d["kinds"], d["total"]
    print("\n".join(kind_lines(kinds, None)))
    problems = [f"kind {k} has no figures" for k, v in kinds.items() if k != GLUE and not any(v["synth"].values())]
    problems += [
        f"kind {k} has no model figures" for k, v in kinds.items() if k != GLUE and not any(v["model"].values())
    ]
    for f in ("luts", "ffs", "brams"):
        summed = sum(v["synth"][f] for v in kinds.values())
        if abs(summed - total["synth_kept"][f]) > 1e-6:
            problems.append(f"{f}: the kinds add up to {summed}, the kept-hierarchy run has {total['synth_kept'][f]}")
    flat, kept = total["synth_flat"], total["synth_kept"]
    if abs(kept["luts"] / flat["luts"] - 1) > HIERARCHY_BOUND or abs(kept["ffs"] / flat["ffs"] - 1) > FF_BOUND:
        problems.append(f"kept-hierarchy run {kept} too far from the flat run {flat}")
    if problems:
        raise SystemExit("units check failed: " + "; ".join(problems))
    print(f"units check: ok ({len(kinds) - 1} kinds)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="*", help=f"models (name or name@fps); default: {HEADLINE} and the corpus")
    ap.add_argument("--models", type=Path, help="folder of the corpus models (default: ../shared/models)")
    ap.add_argument("--save-baseline", action="store_true", help=f"also write {BASELINE.relative_to(ROOT)}")
    ap.add_argument("--no-readme", action="store_true", help="do not rewrite the README table")
    ap.add_argument("--json", type=Path, default=RESULTS, help="results file (default: %(default)s)")
    ap.add_argument("--check", type=Path, metavar="MODEL", help="self-check on one model; writes nothing")
    args = ap.parse_args()
    try:
        if args.check:
            if not args.check.is_file():
                fail(f"--check {args.check}: no such model file")
            check(args.check)
            return
        folder = models_dir(args.models)
        if not folder.is_dir():
            fail(f"--models {folder}: no such folder; give the corpus folder with --models DIR")
        cases = args.cases or [HEADLINE, *sorted(p.stem for p in folder.glob("*.onnx"))]
        run(cases, folder, args)
    except LowbitcError as e:
        fail(str(e))


def fail(message: str) -> None:
    """A user's mistake or a missing tool: one line, exit code 2."""
    print(f"bench/units.py: {message}", file=sys.stderr)
    sys.exit(2)


def run(cases: list[str], folder: Path, args: argparse.Namespace) -> None:
    device = get_device(DEVICE)
    designs = {}
    for case in cases:
        designs[case] = measure(compile_case(case, folder), device, split=case == HEADLINE)
        t = designs[case]["total"]["synth_flat"]
        print(f"{case}: {t['luts']:,.0f} LUTs, {t['ffs']:,.0f} FFs, {t['brams']:g} BRAM36 (flat)", flush=True)
    baseline = json.loads(BASELINE.read_text()) if BASELINE.is_file() and not args.save_baseline else None
    result = {
        "machine": machine(),
        "yosys": tool_version("yosys"),
        "device": DEVICE,
        "baseline": None,
        "designs": designs,
    }
    if args.save_baseline:
        label = f"bench/baseline_units.json, the hardware of commit {hardware_commit()}"
        kept = {case: {k: v for k, v in d.items() if k != "instances"} for case, d in designs.items()}
        baseline = result | {"label": label, "designs": kept}  # per kind and in total: what later runs compare
        BASELINE.write_text(json.dumps(baseline, indent=1) + "\n")
    result["baseline"] = baseline["label"] if baseline else None
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    text = table(result, None if args.save_baseline else baseline)  # no ratios against itself
    print(text)
    if not args.no_readme:
        replace_table("units-table", text)


if __name__ == "__main__":
    main()
