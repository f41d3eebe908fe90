"""backends/analysis/resources.py: the per-unit figures are exact reads of the rtl-stage IR, numbered
like the performance model's layers, and capacities are never invented."""

from __future__ import annotations

import pytest
from support.cli import MODELS
from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.analysis.perf import predict
from lowbitc.backends.analysis.resources import Resource, design_resources
from lowbitc.backends.target.devices import DEVICES, get_device
from lowbitc.dialects import rtl
from lowbitc.dialects.rtl import find_top
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

TFC = MODELS / "tfc_w1a1_ts.onnx"
CNV = MODELS / "cnv_small_w1a1_dynamo.onnx"
RESNET = MODELS / "generated" / "resnet_w2a2.onnx"


@pytest.fixture(scope="module", params=[TFC, CNV, RESNET], ids=lambda p: p.stem)
def module(request) -> ModuleOp:
    return compile_to(request.param, "rtl", Options())


def _ops(module: ModuleOp, kind: type) -> list:
    return [op for op in find_top(module).body.block.ops if isinstance(op, kind)]


def _total(module: ModuleOp, resource: Resource) -> int:
    return next(t.used for t in design_resources(module).totals if t.resource == resource)


def test_units_numbered_like_perf(module: ModuleOp) -> None:
    units = design_resources(module).units
    assert [(u.index, u.kind) for u in units] == [(layer.index, layer.kind) for layer in predict(module).layers]
    assert [u.lanes for u in units] == [layer.pe * layer.simd for layer in predict(module).layers]


def test_lane_and_weight_bits(module: ModuleOp) -> None:
    mvus = _ops(module, rtl.MVUInstanceOp)
    roms = {op.sym_name.data: op.contents.shape for op in module.ops if isinstance(op, rtl.RomOp)}
    assert _total(module, Resource.LANE_BITS) == sum(op.fold.pe.data * op.fold.simd.data * op.wb for op in mvus)
    assert _total(module, Resource.WEIGHT_BITS) == sum(r * c for r, c in roms.values())


def test_every_fifo_counted_once(module: ModuleOp) -> None:
    fifos = _ops(module, rtl.FifoInstanceOp)
    assert _total(module, Resource.FIFO_BITS) == sum(op.depth.value.data * op.output.type.width.data for op in fifos)


def test_line_buffers_of_windows_and_pools() -> None:
    res = design_resources(compile_to(CNV, "rtl", Options()))
    by_index = {u.index: u for u in res.units}
    # the first layer's SIMD 9 is 3 pixels of 3 channels: fed fold by fold, a ring of 2 KH rows of
    # the 32 covered columns of 8-bit pixels
    assert (by_index[0].kind, by_index[0].line_buffer_bits) == ("swg", 2 * 3 * 32 * 3 * 8)
    # fed fold by fold (narrow-streams): lowbit_swg_ram's ring of 2 KH rows of the 30 covered columns
    assert (by_index[2].kind, by_index[2].line_buffer_bits) == ("swg", 2 * 3 * 30 * 16 * 1)
    # 2x2/2 pool, a row accumulator: one word of C EW bits per window column, 28 // 2 of them
    assert (by_index[4].kind, by_index[4].line_buffer_bits) == ("pool", 28 // 2 * 16 * 1)
    # a unit fed fold by fold keeps its vector in a RAM of SF folds x SIMD elements for its
    # channel folds (NF > 1): the first layer (SF 3 x 9 8-bit pixels' elements), the convolutions
    # of whole-pixel folds (3 x 48, 3 x 96), the first dense layer (K 800 from the pool through a
    # gearbox, no collector: 100 x 8) and the last (64 x 1); unit 3 has one input fold (SF 1),
    # held in its lane register
    mvu_rams = [(u.index, u.line_buffer_bits) for u in res.units if u.kind.startswith("mvu")]
    assert mvu_rams == [(1, 3 * 9 * 8), (3, 0), (6, 3 * 48), (8, 3 * 96), (10, 100 * 8), (11, 64 * 1)]


def test_multibit_weights_widen_lanes_and_skip_fifo_counts_at_the_add() -> None:
    module = compile_to(RESNET, "rtl", Options())
    res = design_resources(module)
    first = res.units[2]
    assert (first.kind, first.lanes, first.lane_bits) == ("mvu_int", 16 * 3, 16 * 3 * 2)  # 2-bit weights
    adds = [u for u in res.units if u.kind == "add"]
    feeding_adds = [
        op
        for op in _ops(module, rtl.FifoInstanceOp)
        if isinstance(next(iter(op.output.uses)).operation, rtl.AddInstanceOp)
    ]
    assert len(adds) == 2 and len(feeding_adds) == 4  # each add reads a branch FIFO and a skip FIFO
    assert max(op.depth.value.data for op in feeding_adds) > 100  # the skip FIFOs hold the branch's buffering
    assert sum(u.fifo_bits for u in adds) == sum(op.depth.value.data * op.output.type.width.data for op in feeding_adds)


def test_bit_capacity_is_not_invented() -> None:
    """Devices state LUTs, FFs, block RAMs and DSPs (`Fabric.capacity()`), not these bits: without
    a capacity from the caller every total has none, on every device."""
    res = design_resources(compile_to(TFC, "rtl", Options()))
    assert all(t.capacity is None and t.fraction is None for t in res.totals)
    for name in DEVICES:
        fabric = get_device(name).fabric
        assert fabric is None or set(fabric.capacity()) == {"luts", "ffs", "brams", "dsps"}


def test_known_capacity_gives_fraction() -> None:
    module = compile_to(TFC, "rtl", Options())
    used = _total(module, Resource.WEIGHT_BITS)
    res = design_resources(module, {Resource.WEIGHT_BITS: 4 * used})
    weights = next(t for t in res.totals if t.resource == Resource.WEIGHT_BITS)
    assert weights.capacity == 4 * used and weights.fraction == pytest.approx(0.25)
    assert all(t.capacity is None for t in res.totals if t.resource != Resource.WEIGHT_BITS)
