"""Design-level projections: MACs and TOPS, the device's capacity in the report, and the
weight placement (on chip, or streamed from DRAM with the batch that keeps the rate)."""

from __future__ import annotations

import dataclasses
from math import ceil

import numpy as np
import onnx
import pytest
from support.cli import MODELS

from lowbitc.backends.analysis.projection import weight_placement
from lowbitc.backends.report.design import design_report
from lowbitc.backends.target.devices import get_device
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

CNV = MODELS / "bnnpynq_cnv_1w1a_ts.onnx"


def onnx_macs(path) -> int:
    """MACs per frame from the ONNX graph's own shapes: valid 3x3 convolutions and the pools of
    the CNV (32 -> 30 -> 28 -> 14 -> 12 -> 10 -> 5 -> 3 -> 1), then the dense layers."""
    g = onnx.load(str(path)).graph
    inits = {i.name: int(np.prod(i.dims)) for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}

    def weights(name: str) -> int:  # back through the weight quantizers and transposes
        while name not in inits:
            name = producer[name].input[0]
        return inits[name]

    convs = [weights(n.input[1]) for n in g.node if n.op_type == "Conv"]
    dense = [weights(n.input[1]) for n in g.node if n.op_type in ("MatMul", "Gemm")]
    sides = [30, 28, 12, 10, 3, 1]
    return sum(w * s * s for w, s in zip(convs, sides)) + sum(dense)


@pytest.fixture(scope="module")
def cnv_rtl():
    return compile_to(CNV, "rtl", Options(target="xc7z020", fps=3000))


def test_macs_and_tops_of_the_cnv(cnv_rtl) -> None:
    rep = design_report(cnv_rtl, get_device("xc7z020"))
    assert rep.macs_per_frame == onnx_macs(CNV) == 59_461_376
    assert rep.tops == pytest.approx(2 * rep.macs_per_frame * rep.fps / 1e12)
    assert rep.device is not None and rep.device.capacity.luts == 53200 and rep.device.capacity.brams == 140
    assert rep.weights is not None and rep.weights.fits_on_chip and rep.fit.problem is None


def test_weights_that_do_not_fit_are_streamed_with_a_batch(cnv_rtl) -> None:
    dev = get_device("xc7z020")
    # A part with the xc7z020's DRAM but 20 block RAMs (640 Kbit): the largest weight memories
    # (2304 x 256 and 256 x 512 bits...) go off chip until the rest fits.
    small = dataclasses.replace(
        dev, fabric=dataclasses.replace(dev.fabric, rams=(dataclasses.replace(dev.fabric.bram, count=20),))
    )
    fps = 3000.0
    w = weight_placement(cnv_rtl, small, fps)
    assert not w.fits_on_chip and w.streamed_units
    assert w.weight_bits - w.streamed_bytes * 8 <= w.on_chip_capacity_bits
    assert w.batch_needed == ceil(fps * w.streamed_bytes / (dev.fabric.dram_gbps * 1e9))
    assert w.fps_batch1 == pytest.approx(min(fps, dev.fabric.dram_gbps * 1e9 / w.streamed_bytes))


def test_the_generic_target_has_no_capacity(cnv_rtl) -> None:
    rep = design_report(cnv_rtl, get_device("generic"))
    assert rep.device is None and rep.weights is None and rep.fit.problem is None
