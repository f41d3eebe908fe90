"""Differential fuzzing, long profile: thousands of random networks (lowbitc/zoo/random_nets.py), each
run through qonnx's node-by-node execution and lowbitc's interpreter at every stage, every K-th
also through Verilator with random stalls; any disagreement, crash or refusal is recorded with
its seed (replay: `random_network(path, seed)`). Writes bench/results_fuzz.json and the README's
fuzz table (between the fuzz-table markers).

    .venv/bin/python bench/fuzz_long.py --count 2000 --verilator-every 20
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from lowbitc.backends.runtime.interpreter import run_module
from lowbitc.errors import LowbitcError
from lowbitc.pipeline import compile_stages
from lowbitc.zoo.random_nets import random_inputs, random_network
from lowbitc.zoo.reference import qonnx_reference

ROOT = Path(__file__).resolve().parent.parent

LOWBITC = Path(sys.executable).parent / "lowbitc"


def check(seed: int, folder: Path, verilator: bool) -> str | None:
    """None if everything agrees, else a one-line description."""
    path, shape = random_network(folder / "net.onnx", seed)
    frames = random_inputs(seed, shape)
    try:
        ref = qonnx_reference(path, frames).reshape(len(frames), -1)
        stages = compile_stages(path, last="pipeline")  # one import, every stage
        lowbit = run_module(next(stages)[1], frames).reshape(len(frames), -1)
        tolerance = 4 * np.finfo(np.float32).eps * max(1.0, float(np.abs(ref).max()))
        if not np.allclose(lowbit, ref, rtol=0, atol=tolerance):
            return "lowbitc differs from qonnx"
        for stage, module in stages:  # streamline .. pipeline
            if not np.array_equal(run_module(module, frames).reshape(len(frames), -1), lowbit):
                return f"stage {stage} differs"
    except LowbitcError as exc:
        return f"refused: {str(exc).splitlines()[0][:160]}"
    except Exception as exc:  # noqa: BLE001 - a crash is a finding
        return f"crash: {type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
    if verilator:
        np.save(folder / "in.npy", frames)
        r = subprocess.run(
            [
                str(LOWBITC),
                "sim",
                str(path),
                "-i",
                str(folder / "in.npy"),
                "-o",
                str(folder / "sim.npy"),
                "--stall",
                "0.3",
                "--seed",
                str(seed),
            ],
            capture_output=True,
            text=True,
        )
        if r.returncode:
            return f"sim failed: {r.stderr.strip()[:160]}"
        if not np.array_equal(np.load(folder / "sim.npy").reshape(len(frames), -1), lowbit):
            return "Verilator differs"
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--start", type=int, default=100_000, help="first seed (the CI profile draws its own)")
    ap.add_argument("--verilator-every", type=int, default=20)
    args = ap.parse_args()
    t0 = time.time()
    failures: dict[int, str] = {}
    kinds: Counter[str] = Counter()
    sims = 0
    with tempfile.TemporaryDirectory() as d:
        for i, seed in enumerate(range(args.start, args.start + args.count)):
            verilator = args.verilator_every > 0 and i % args.verilator_every == 0
            sims += verilator
            msg = check(seed, Path(d), verilator)
            if msg:
                failures[seed] = msg
                kinds[msg.split(":")[0]] += 1
                print(f"seed {seed}: {msg}", flush=True)
            if (i + 1) % 100 == 0:
                print(f"{i + 1} networks, {len(failures)} findings, {time.time() - t0:.0f} s", flush=True)
    machine = f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}"
    result = {
        "machine": machine,
        "networks": args.count,
        "first_seed": args.start,
        "verilator_runs": sims,
        "findings": {str(k): v for k, v in failures.items()},
        "seconds": round(time.time() - t0),
    }
    (ROOT / "bench" / "results_fuzz.json").write_text(json.dumps(result, indent=2) + "\n")
    table = (
        f"Last run of `bench/fuzz_long.py` on {machine}: {args.count} random networks (seeds {args.start}.."
        f"{args.start + args.count - 1}), each checked against qonnx and at every interpreter stage, "
        f"{sims} of them also in Verilator with random stalls; {len(failures)} disagreements "
        f"({', '.join(f'{k}: {v}' for k, v in kinds.items()) or 'none'}), {result['seconds']} s."
    )
    readme = ROOT / "README.md"
    text = readme.read_text()
    readme.write_text(
        re.sub(
            r"(<!-- fuzz-table -->\n).*?(\n<!-- /fuzz-table -->)",
            lambda m: m.group(1) + table + m.group(2),
            text,
            flags=re.S,
        )
    )
    print(table)


if __name__ == "__main__":
    main()
