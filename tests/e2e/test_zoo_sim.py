"""The zoo's networks (and scaled-down copies of the ImageNet ones) through the generated
Verilog: outputs equal the interpreter's with random stalls, and the simulated initiation
interval is within 2% of the performance model's, the model the paper projections rest on
(bench/papers.py). The full-size CNV's II is checked on the corpus (bnnpynq_cnv_1w1a_ts);
full-size BinaryNet, AlexNet and ResNet-34 are too large to simulate here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.cli import lowbitc, run_and_simulate

from lowbitc.zoo import NETWORKS

SCALED = {
    "binarynet-small": ("binarynet-cifar10", {"widths": (16, 32, 64), "fc": 64}),
    "alexnet-small": ("alexnet-t2a2", {"size": 99, "widths": (8, 16, 16, 16, 16), "fc": 32, "classes": 10}),
    "resnet34-small": ("resnet34-t2a2", {"size": 64, "widths": (8, 8, 16, 16), "blocks": (1, 2, 1, 1), "classes": 10}),
}
FULL = ["tfc-w1a1", "tfc-w2a2", "sfc-w1a1", "sfc-w2a2"]


def model_file(name: str, folder: Path) -> tuple[Path, tuple[int, ...]]:
    path = folder / f"{name}.onnx"
    if name in SCALED:
        net, kwargs = SCALED[name]
        path.write_bytes(NETWORKS[net].build(0, **kwargs).SerializeToString())
        size = kwargs.get("size", 32)
        return path, (3, size, size)
    r = lowbitc("zoo", name, "-o", path)
    assert r.returncode == 0, r.stderr
    return path, (1, 28, 28)


@pytest.mark.parametrize("name", FULL + list(SCALED))
def test_zoo_network_in_verilator_matches_the_interpreter_and_the_model(name: str, tmp_path: Path) -> None:
    model, shape = model_file(name, tmp_path)
    x = (np.random.default_rng(11).integers(0, 256, (3, *shape)) / 255).astype(np.float32)
    run, sim, stats = run_and_simulate(model, x, tmp_path, stall="0.2")
    np.testing.assert_array_equal(sim, run)
    assert abs(stats["ii_cycles"] - stats["ii_cycles_predicted"]) <= 0.02 * stats["ii_cycles_predicted"], stats
