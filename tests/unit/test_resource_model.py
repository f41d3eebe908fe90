"""backends/analysis/resource_model.py: the per-block formulas on hand-built cases (the counter tree's
schedule, ROM columns, memory placement as Yosys's memory_libmap chooses it, FIFOs), and the
model against real Yosys runs of small designs (digits and TFC for xc7z020 and ice40-up5k),
within the 15% bound on total LUTs of the flat run, flip-flops within 15% and block RAMs equal."""

from __future__ import annotations

import numpy as np
import pytest
from support.cli import MODELS

from lowbitc.backends.analysis.perf import predict
from lowbitc.backends.analysis.resource_cells import (
    Cost,
    count_tree_luts,
    ram_cost,
    rom_columns,
    rom_cost,
)
from lowbitc.backends.analysis.resource_model import design_cost, fifo_cost
from lowbitc.backends.eda.synth import synthesize, unit_figures
from lowbitc.backends.report.design import design_report
from lowbitc.backends.target.devices import get_device
from lowbitc.backends.verilog.emit import emit_verilog
from lowbitc.dialects.rtl import find_top
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

XC7 = get_device("xc7z020")
ICE40 = get_device("ice40-up5k")
BOUND = 0.15


# -- per-block formulas ------------------------------------------------------------------------
def test_counter_tree_schedule() -> None:
    # 3 lanes, 2 output bits: one lowbit_mvu_c32 (sum and carry, one LUT6 each); the one
    # step adds the carry to the sum (a chain's first step with a one-bit count: wires).
    assert count_tree_luts(3, 2, 1) == 2
    # 1 output bit: the carry is dropped, the sum stays.
    assert count_tree_luts(3, 1, 1) == 1
    # 4 XNOR lanes: one c32 and a left-over lane that needs its own XNOR LUT; the column-1
    # step (the carry, first of its chain) is a wire, the column-0 step only adds its
    # carry-in (the sum) on the carry chain -> 2 + 1.
    assert count_tree_luts(4, 3, 1) == 3
    # The identity operation needs no LUT for the left-over lane.
    assert count_tree_luts(4, 3, 0) == 2
    # 64 XNOR lanes into 7 bits: 21 c32 (42), the left-over lane (1), five column-1 steps
    # (3, 3, 3, 3 and one of a one-bit count: 1) and three column-0 steps (3 each) -> 65,
    # what bench/datapath.py measures for the popcount alone.
    assert count_tree_luts(64, 7, 1) == 65


def test_rom_columns_share_and_drop() -> None:
    # depth 4: columns 0 and 2 equal, column 1 constant, column 3 is address bit 0.
    bits = np.array([[1, 0, 1, 0], [0, 0, 0, 1], [1, 0, 1, 0], [1, 0, 1, 1]], dtype=np.uint8)
    assert rom_columns(bits) == (2, 1)  # two distinct live columns, one needs a LUT


@pytest.mark.parametrize(
    ("depth", "width", "expected"),
    [
        # Measured with Yosys 0.23 synth_xilinx on random contents (see the module docstring):
        (98, 512, Cost(mem_luts=1024, ffs=512)),  # logic: 2 LUT6 + MUXF7 per column
        (256, 256, Cost(mem_luts=1024, ffs=256)),  # logic: 4 LUT6 + MUXF7/F8 per column
        (1024, 64, Cost(brams=2.0)),  # two RAMB36 (1K x 36)
        (512, 72, Cost(brams=1.0)),  # one RAMB36 (512 x 72)
    ],
)
def test_rom_placement_like_yosys(depth: int, width: int, expected: Cost) -> None:
    bits = np.random.default_rng(1).integers(0, 2, (depth, width), dtype=np.uint8)
    assert rom_cost(bits, XC7) == expected


def test_ram_placement() -> None:
    # A 32-deep line buffer of 12 bits: two RAM32M (32 x 6, four LUT sites each) and the read register.
    assert ram_cost(32, 12, XC7) == Cost(mem_luts=8, ffs=12)
    # 1024 deep x 64: block RAM (cheaper than 64 RAM128X1D-wide LUT RAM or flip-flops).
    assert ram_cost(1024, 64, XC7).brams == 2.0
    # iCE40 has no LUT RAM: a 32 x 12 buffer goes to one EBR (256 x 16).
    assert ram_cost(32, 12, ICE40) == Cost(brams=1, ffs=12)


def test_fifo_depth_two_matches_measurement() -> None:
    # Measured: a depth-2 lowbit_fifo of W bits is W + 5 LUTs and 2W + 3 FFs.
    assert fifo_cost(64, 2, XC7) == Cost(69, 131)
    assert fifo_cost(8, 1, XC7).ffs == 10


def test_design_report_carries_the_model() -> None:
    module = compile_to(MODELS / "digits_bnn_w1a1.onnx", "rtl", Options(target="xc7z020"))
    rep = design_report(module, XC7)
    assert rep.device is not None and rep.shares is not None
    for key in ("luts", "ffs", "brams", "dsps"):
        total = getattr(rep.totals.model, key)
        assert total == sum(getattr(unit.model, key) for unit in rep.units)
        capacity = getattr(rep.device.capacity, key)
        assert capacity > 0 and getattr(rep.shares, key) == round(total / capacity, 4)
    assert rep.totals.lanes and rep.totals.units == len(rep.units) and rep.totals.model.dsps == 0
    generic = design_report(compile_to(MODELS / "digits_bnn_w1a1.onnx", "rtl", Options()), get_device("generic"))
    assert generic.totals.model.luts is None and generic.shares is None


# -- against Yosys -----------------------------------------------------------------------------
@pytest.mark.parametrize("device", ["xc7z020", "ice40-up5k"])
@pytest.mark.parametrize("model", ["digits_bnn_w1a1", "tfc_w1a1_ts"])
def test_model_within_bound_of_yosys(model: str, device: str) -> None:
    dev = get_device(device)
    module = compile_to(MODELS / f"{model}.onnx", "rtl", Options(target=device))
    verilog, top = emit_verilog(module), find_top(module).sym_name.data
    flat = synthesize(verilog, top, dev, flat=True).total
    cost = design_cost(module, dev)
    assert abs(cost.total.luts / flat.lut_sites - 1) <= BOUND, (cost.total, flat)
    assert abs(cost.total.ffs / flat.ffs - 1) <= BOUND, (cost.total, flat)
    assert cost.total.brams == flat.brams and cost.total.dsps == flat.dsps == 0
    # Per layer, against the run that keeps each unit a module: LUTs within 25%, block RAMs equal.
    per_unit = unit_figures(synthesize(verilog, top, dev), module)
    for layer, c in zip(predict(module).layers, cost.units):
        measured = per_unit[layer.index]
        assert abs(c.luts / measured.lut_sites - 1) <= 0.25, (layer, c, measured)
        assert c.brams == measured.brams, (layer, c, measured)


def test_folding_that_does_not_divide_is_padded(tmp_path) -> None:
    # PE 6 does not divide 64 channels, SIMD 10 not 64 inputs: the instance is padded to 66 x 70
    # (backends/verilog/instances.py), and so is the model (input register: 70 bits, twice).
    import json

    fold = tmp_path / "fold.json"
    fold.write_text(json.dumps({"1": {"pe": 6, "simd": 10}}))
    even = tmp_path / "even.json"
    even.write_text(json.dumps({"1": {"pe": 8, "simd": 8}}))
    odd = design_cost(
        compile_to(MODELS / "digits_bnn_w1a1.onnx", "rtl", Options(target="xc7z020", fold_file=str(fold))), XC7
    )
    ref = design_cost(
        compile_to(MODELS / "digits_bnn_w1a1.onnx", "rtl", Options(target="xc7z020", fold_file=str(even))), XC7
    )
    assert odd.units[1].luts > 0 and odd.units[1].ffs > ref.units[1].ffs - 64
