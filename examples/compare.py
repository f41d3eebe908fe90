"""Print how the interpreter and the simulated Verilog agree on the demo, and the accuracy."""

import json
import sys

import numpy as np

run, sim, labels, stats = sys.argv[1:5]
a, b, y = np.load(run), np.load(sim), np.load(labels)
s = json.load(open(stats))
print(f"frames: {len(a)}; simulation equals interpreter bit for bit: {np.array_equal(a, b)}")
print(f"top-1 accuracy against the labels: {(a.argmax(-1) == y).mean():.3f}")
print(
    f"initiation interval: measured {s['ii_cycles']} cycles, predicted {s['ii_cycles_predicted']}; "
    f"latency {s['latency_cycles']} cycles (predicted {s['latency_cycles_predicted']})"
)
sys.exit(0 if np.array_equal(a, b) else 1)
