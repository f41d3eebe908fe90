"""The rtl op interfaces (dialects/rtl/interfaces.py): every instance op answers every property,
its answers agree with the Verilog library, and cycles and latencies match hand-computed cases.
The analyses built on them (perf, resources, resource_model) are checked against the same cases."""

from __future__ import annotations

import inspect
import re

import pytest
from xdsl.context import Context
from xdsl.dialects import get_all_dialects
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser

from lowbitc.backends.analysis.perf import predict
from lowbitc.backends.analysis.resource_model import design_cost, instance_cost
from lowbitc.backends.analysis.resources import design_resources
from lowbitc.backends.target.devices import DEVICES
from lowbitc.backends.verilog.emit import emit_verilog
from lowbitc.backends.verilog.library import library_sources
from lowbitc.dialects import rtl
from lowbitc.dialects.lowbit.attributes import frame_cycles
from lowbitc.dialects.rtl import HardwareInstance, StreamUnit, find_top, unit_owner
from lowbitc.dialects.rtl.cells import Fifo, Lanes, LineBuffer, Rom
from lowbitc.registry import all_dialects

STRUCTURE = {"rtl.module", "rtl.output", "rtl.rom", "rtl.invoke"}
"""rtl ops that are not instances of a library block."""

MVU = (
    "rtl.mvu %in {{rom = @w, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, "
    "pipe = {pipe} : i64, thresholds = dense<[[4], [4], [5], [5]]> : tensor<4x1xi64>{extra}}} "
    ": !rtl.stream<8> -> !rtl.stream<4>"
)
XNOR_ROM = 'rtl.rom @w {contents = #lowbit.bits<4x8, "0x42318675">}'
SERIAL_ROM = 'rtl.rom @w {contents = #lowbit.bits<6x9, "0x000000000000000000000000">}'
SERIAL = (
    "rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 3, simd = 3>, channels = 4 : i64, popcount_width = 6 : i64, "
    "pipe = 0 : i64, element_width = 2 : i64, serial = 1 : i64} : !rtl.stream<16> -> !rtl.stream<24>"
)
THRESHOLDS = "thresholds = dense<[[2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>, output_bits = 2 : i64"

# name: (input width, body computing %y, ROM or "", [(op name, cycles per frame, vectors, latency)])
CASES: dict[str, tuple[int, list[str], str, list[tuple[str, int | None, int | None, int | None]]]] = {
    "mvu": (8, ["%y = " + MVU.format(pipe=1, extra=", vectors = 9 : i64")], XNOR_ROM, [("rtl.mvu", 36, 9, 8)]),
    # padded folds (PE 3 of 4 channels, SIMD 3 of 8 inputs): NF 2 x SF 3, two planes one per cycle
    "mvu_serial": (16, ["%y = " + SERIAL], SERIAL_ROM, [("rtl.mvu", 12, 1, 12 + 3)]),
    "mvu_fifo_mvu": (
        8,
        [
            "%a = " + MVU.format(pipe=1, extra=""),
            "%f = rtl.fifo %a {depth = 2 : i64} : !rtl.stream<4>",
            "%y = " + MVU.format(pipe=0, extra="").replace("%in", "%f").replace("@w", "@w2").replace("<8>", "<4>"),
        ],
        XNOR_ROM + '\nrtl.rom @w2 {contents = #lowbit.bits<2x8, "0x4231">}',
        [("rtl.mvu", 4, 1, 8), ("rtl.fifo", None, None, 1), ("rtl.mvu", 2, 1, 2 + 3 + 0)],
    ),
    "collect": (
        32,
        ["%y = rtl.collect %in {count = 25 : i64} : !rtl.stream<32> -> !rtl.stream<800>"],
        "",
        [("rtl.collect", 25, 25, None)],
    ),
    "swg": (
        32,
        [
            "%y = rtl.swg %in {channels = 16 : i64, element_width = 2 : i64, height = 8 : i64, width = 8 : i64, "
            "kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !rtl.stream<32> -> !rtl.stream<288>"
        ],
        "",
        [("rtl.swg", 64, 64, None)],
    ),
    # a window generator emitting 4-element words, a gearbox into 3-element folds, a unit fed fold by fold
    "swg_ram_gearbox_mvu": (
        4,
        [
            "%w = rtl.swg_ram %in {channels = 4 : i64, element_width = 1 : i64, height = 4 : i64, width = 4 : i64, "
            "kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, word = 4 : i64} : !rtl.stream<4> -> !rtl.stream<4>",
            "%g = rtl.gearbox %w {in_beats = 9 : i64, out_beats = 12 : i64} : !rtl.stream<4> -> !rtl.stream<3>",
            "%y = rtl.mvu %g {rom = @w, fold = #lowbit.fold<pe = 1, simd = 3>, channels = 2 : i64, "
            "popcount_width = 6 : i64, pipe = 0 : i64, vectors = 4 : i64, thresholds = dense<[[18], [18]]> : "
            "tensor<2x1xi64>, fan_in = 36 : i64} : !rtl.stream<3> -> !rtl.stream<2>",
        ],
        "rtl.rom @w {contents = #lowbit.bits<24x3, " + repr(["000"] * 24).replace("'", '"') + ">}",
        # latencies from the last beat: the gearbox's last input beat completes 2 output beats
        # ((8 x 4 mod 3 + 4) / 3); the unit then takes S - (SF-1) + 2 + PIPE 0 + its RAM
        [("rtl.swg_ram", 4 * 9, 16, None), ("rtl.gearbox", None, None, 2), ("rtl.mvu", 4 * 2 * 12, 4, 24 - 11 + 2 + 1)],
    ),
    "pad": (
        16,
        [
            "%y = rtl.pad %in {channels = 16 : i64, element_width = 2 : i64, height = 8 : i64, width = 8 : i64, "
            "pads = array<i64: 1, 1, 1, 1>, widen = 1 : i64} : !rtl.stream<16> -> !rtl.stream<32>"
        ],
        "",
        [("rtl.pad", 100, 100, None)],
    ),
    "pool": (
        32,
        [
            "%y = rtl.pool %in {height = 8 : i64, width = 8 : i64, kernel = 2 : i64, stride = 2 : i64, "
            "element_width = 2 : i64, element_signed = 0 : i64} : !rtl.stream<32> -> !rtl.stream<32>"
        ],
        "",
        [("rtl.pool", 64, 64, None)],
    ),
    "dup_add": (
        4,
        [
            "%a, %b = rtl.dup %in : !rtl.stream<4>",
            "%y = rtl.add %a, %b {channels = 2 : i64, lhs_width = 2 : i64, lhs_signed = 0 : i64, rhs_width = 2 : i64, "
            f"rhs_signed = 0 : i64, sum_width = 4 : i64, pixels = 16 : i64, {THRESHOLDS}}} "
            ": !rtl.stream<4>, !rtl.stream<4> -> !rtl.stream<4>",
        ],
        "",
        [("rtl.dup", None, None, 1), ("rtl.add", 16, 16, None)],
    ),
    "gap": (
        4,
        [
            "%y = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, "
            "pixels = 4 : i64, sum_width = 5 : i64, "
            "thresholds = dense<[[2, 6, 10], [2, 6, 10]]> : tensor<2x3xi64>, output_bits = 2 : i64}"
            " : !rtl.stream<4> -> !rtl.stream<4>"
        ],
        "",
        [("rtl.gap", 4, 4, None)],
    ),
}


def parse_case(name: str) -> ModuleOp:
    width, body, rom, _ = CASES[name]
    out = re.match(r"%y = .*-> (!rtl\.stream<\d+>)$", body[-1])
    out_type = out.group(1) if out else "!rtl.stream<4>"
    text = "\n".join(
        [
            "builtin.module {",
            rom,
            "rtl.module @accel {",
            f"^bb0(%in: !rtl.stream<{width}>):",
            *body,
            f"rtl.output %y : {out_type}",
            "}",
            "}",
        ]
    )
    ctx = Context()
    for dialect, factory in {**get_all_dialects(), **all_dialects()}.items():
        ctx.register_dialect(dialect, factory)
    module = Parser(ctx, text).parse_module()
    module.verify()
    return module


@pytest.fixture(scope="module", params=list(CASES))
def case(request) -> tuple[str, ModuleOp]:
    return request.param, parse_case(request.param)


def instance_classes() -> list[type]:
    return [op for op in rtl.RTL.operations if op.name not in STRUCTURE]


@pytest.mark.parametrize("cls", instance_classes(), ids=lambda c: c.name)
def test_every_instance_op_implements_the_interface(cls: type) -> None:
    assert issubclass(cls, HardwareInstance)
    assert not inspect.isabstract(cls), f"{cls.name} leaves {sorted(cls.__abstractmethods__)} unanswered"
    assert cls.LIBRARY_FILES and cls.VERILOG_MODULE
    assert len(cls.STREAM_PORTS) == 2


def test_cases_cover_every_instance_op() -> None:
    seen = {op.name for name in CASES for op in find_top(parse_case(name)).body.block.ops}
    assert {c.name for c in instance_classes()} <= seen


def _module_header(source: str, module: str) -> str:
    match = re.search(rf"\bmodule {module}\s*#\((.*?)\)\s*\(", source, re.S)
    assert match, f"no module {module} with parameters"
    return match.group(1)


def _instantiated(source: str) -> set[str]:
    """Library modules instantiated in ``source``, without the undefined modules the blocks
    instantiate on purpose (as ``u_bad*``) to stop elaboration when a parameter check fails."""
    found = re.findall(r"^\s*(lowbit_\w+)\s+(#\s*\(|\w+)", source, re.M)
    return {name for name, instance in found if not instance.startswith("u_bad")}


def test_answers_agree_with_the_library(case) -> None:
    """Library files name the module, hold every module it instantiates, and declare every
    parameter the op sets; kinds, summaries and cells are there for every instance."""
    library = library_sources()
    for op in find_top(case[1]).body.block.ops:
        if isinstance(op, rtl.OutputOp):
            continue
        assert isinstance(op, HardwareInstance)
        assert set(op.LIBRARY_FILES) <= set(library)
        text = "\n".join(library[f] for f in op.LIBRARY_FILES)
        defined = set(re.findall(r"^module (\w+)", text, re.M))
        assert op.VERILOG_MODULE in defined
        assert _instantiated(text) <= defined, f"{op.name}: instantiates modules outside {op.LIBRARY_FILES}"
        declared = set(
            re.findall(r"parameter\s+(?:integer\s+|\[[^\]]*\]\s*)?(\w+)", _module_header(text, op.VERILOG_MODULE))
        )
        names = [name for name, _ in op.verilog_parameters()]
        assert set(names) <= declared and len(names) == len(set(names)), f"{op.name}: {names} vs {declared}"
        assert len(op.STREAM_PORTS[0]) == len(op.operands) and len(op.STREAM_PORTS[1]) == len(op.results)
        assert op.report_kind and isinstance(op.summary(), str)
        assert op.resource_cells(), f"{op.name} states no hardware"


def test_cycles_latency_and_perf_by_hand(case) -> None:
    name, module = case
    ops = [op for op in find_top(module).body.block.ops if isinstance(op, HardwareInstance)]
    expected = CASES[name][3]
    assert [op.name for op in ops] == [e[0] for e in expected]
    for op, (_, cycles, vectors, latency) in zip(ops, expected):
        assert op.latency() == latency, op.name
        if isinstance(op, StreamUnit):
            assert (op.cycles_per_frame(), op.vectors_per_frame) == (cycles, vectors), op.name
        else:
            assert cycles is None
    perf = predict(module)
    assert [layer.cycles for layer in perf.layers] == [e[1] for e in expected if e[1] is not None]
    assert perf.ii_cycles == max(e[1] for e in expected if e[1] is not None)
    latencies = [e[3] for e in expected]
    assert perf.latency_cycles == (None if None in latencies else sum(latencies))


def test_frame_cycles_by_hand() -> None:
    assert frame_cycles(10, 64, 3, 16) == 4 * 4  # ceil(10/3) x ceil(64/16)
    assert frame_cycles(10, 64, 3, 16, vectors=9, planes=2) == 9 * 4 * 4 * 2
    assert frame_cycles(64, 576, 64, 576, vectors=1) == 1


def test_exact_bits_from_cells() -> None:
    res = design_resources(parse_case("mvu")).units[0]
    assert (res.lanes, res.lane_bits, res.weight_bits, res.line_buffer_bits) == (8, 8, 32, 0)
    assert design_resources(parse_case("swg")).units[0].line_buffer_bits == 2 * 8 * 32  # (KH - 1) x W x pixel bits
    chain = design_resources(parse_case("mvu_fifo_mvu")).units
    assert [u.fifo_bits for u in chain] == [0, 2 * 4]  # the FIFO belongs to the unit reading it
    cells = find_top(parse_case("mvu")).body.block.first_op.resource_cells()
    assert {type(c) for c in cells} >= {Lanes, Rom, Fifo}
    swg_cells = find_top(parse_case("swg")).body.block.first_op.resource_cells()
    assert [c.bits for c in swg_cells if isinstance(c, LineBuffer)] == [512]


def test_unit_owner() -> None:
    top = find_top(parse_case("mvu_fifo_mvu"))
    ops = list(top.body.block.ops)
    assert unit_owner(ops[1]) is ops[2]  # the FIFO belongs to the unit it feeds
    dup = find_top(parse_case("dup_add")).body.block.first_op
    assert unit_owner(dup) is dup.next_op


@pytest.mark.parametrize("device", [d for d in DEVICES.values() if d.fabric is not None], ids=lambda d: d.name)
def test_every_cell_is_priced_on_every_family(device) -> None:
    for name in CASES:
        module = parse_case(name)
        for op in find_top(module).body.block.ops:
            if isinstance(op, HardwareInstance):
                cost = instance_cost(op, device)
                assert cost.luts + cost.mem_luts > 0 or cost.ffs > 0, op.name
        total = design_cost(module, device).total
        assert total.luts > 0 and total.ffs > 0 and total.dsps == 0


def test_emitter_prints_what_the_ops_state(case) -> None:
    verilog = emit_verilog(case[1])
    for i, op in enumerate(find_top(case[1]).body.block.ops, start=1):
        if isinstance(op, HardwareInstance):
            assert re.search(rf"{op.VERILOG_MODULE} #\(", verilog)
            assert f"u{i}_" in verilog


@pytest.mark.parametrize("model", ["tfc_w1a1_ts.onnx", "generated/resnet_w2a2.onnx"])
def test_pipeline_counts_cycles_as_the_rtl_units_state_them(model: str) -> None:
    """`pipeline` sizes FIFOs from the II before the rtl ops exist: its per-unit cycles (lowbit
    level) are the rtl units' own, unit by unit, as `rtl` lowers them; `narrow-streams` then lets
    window generators emit words (more cycles per frame of their own, never more than the unit
    they feed) and leaves the II as it was."""
    from support.cli import MODELS

    from lowbitc.options import Options
    from lowbitc.passes.narrow_streams import NarrowStreamsPass
    from lowbitc.passes.pipeline import stream_cycles
    from lowbitc.passes.to_rtl import ToRTLPass
    from lowbitc.pipeline import compile_to

    lowbit = compile_to(MODELS / model, "pipeline", Options())
    before = [cycles for op in lowbit.walk() if (cycles := stream_cycles(op))]
    ToRTLPass(narrow=False).apply(Context(), lowbit)
    units = [op for op in find_top(lowbit).body.block.ops if isinstance(op, StreamUnit)]
    assert before == [op.cycles_per_frame() for op in units]
    wide_ii = predict(lowbit).ii_cycles
    NarrowStreamsPass().apply(Context(), lowbit)
    assert predict(lowbit).ii_cycles == wide_ii
    for op in find_top(lowbit).body.block.ops:
        if isinstance(op, rtl.SWGRamInstanceOp):
            reader = next(iter(op.output.uses)).operation
            while not isinstance(reader, StreamUnit):
                reader = next(iter(reader.results[0].uses)).operation
            assert op.cycles_per_frame() <= reader.cycles_per_frame()
