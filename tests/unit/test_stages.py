"""The stage table (lowbitc/stages.py) and what is built from it: the registry, the command
line's choices, `compile_stages` (every stage from one import), the options checked before the
import, and tile's structured error."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support.cli import MODELS
from xdsl.context import Context

from lowbitc import cli
from lowbitc.errors import LowbitcError
from lowbitc.options import LayerFold, Options
from lowbitc.passes.tile import TileError, TilePass, stream_floor
from lowbitc.pipeline import compile_stages, compile_to, stage_passes
from lowbitc.registry import all_passes
from lowbitc.stages import IR_STAGES, PASS_STAGES, RUN_STAGES, STAGES

DIGITS = MODELS / "digits_bnn_w1a1.onnx"
CNV_SMALL = MODELS / "cnv_small_w1a1_dynamo.onnx"


def test_every_pass_stage_is_named_like_its_pass_and_registered_under_that_name() -> None:
    assert [s.name for s in PASS_STAGES] == list(STAGES[2:-1])
    # and the rtl-to-rtl pass the rtl stage runs inside, registered for filecheck tests
    assert list(all_passes()) == [s.name for s in PASS_STAGES] + ["narrow-streams"]
    for stage in PASS_STAGES:
        assert stage.pass_class().name == stage.name
    assert [name for name, _ in stage_passes(Options())] == [s.name for s in PASS_STAGES]


def test_the_command_line_takes_its_choices_from_the_table() -> None:
    comp, run, _, _ = cli.build_parsers()
    emit = next(a for a in comp._actions if a.dest == "emit")
    stage = next(a for a in run._actions if a.dest == "stage")
    assert tuple(emit.choices) == STAGES
    assert tuple(stage.choices) == RUN_STAGES == IR_STAGES[:-1]


def test_the_names_load_without_the_compiler() -> None:
    code = (
        "import sys, lowbitc.stages, lowbitc.options; lowbitc.options.Options(target='xc7z020', lanes=8, fps=10.0);"
        "print(sorted(m for m in ('xdsl', 'onnx') if m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_compile_stages_gives_every_stage_from_one_import(monkeypatch) -> None:
    import lowbitc.pipeline

    imports: list[str] = []
    real = lowbitc.pipeline.import_onnx
    monkeypatch.setattr(lowbitc.pipeline, "import_onnx", lambda path: imports.append(path) or real(path))
    stages = dict(compile_stages(DIGITS, Options(target="xc7z020")))
    assert imports == [DIGITS] and tuple(stages) == IR_STAGES
    monkeypatch.setattr(lowbitc.pipeline, "import_onnx", real)
    for name, module in stages.items():  # each its own copy, equal to compiling up to it alone
        assert str(module) == str(compile_to(DIGITS, name, Options(target="xc7z020"))), name
    assert "lowbit.matmul" in str(stages["lowbit"])  # later passes left it alone
    resumed = dict(compile_stages(DIGITS, Options(target="xc7z020"), "rtl", ("bitserial", stages["bitserial"])))
    assert tuple(resumed) == ("tile", "unroll", "pipeline", "rtl")
    assert str(resumed["rtl"]) == str(stages["rtl"])


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(target="vax"), "unknown target device 'vax'; choose one of: generic, "),
        (dict(lanes=0), "--lanes 0: must be positive"),
        (dict(fps=0.0), "--fps 0 must be positive"),
        (dict(target="xc7z020", budget=1.5), "--budget 1.5 must be a share of the device in (0, 1]"),
        (dict(budget=0.5), "--budget needs a device whose capacity is known; target generic has none"),
        (dict(target="xc7z020", fps=10.0, budget=0.5), "give --fps or --budget, not both"),
        (dict(fold_file="/nonexistent/f.json"), "--fold: cannot read fold file /nonexistent/f.json"),
    ],
)
def test_options_are_checked_when_made(options: dict, message: str) -> None:
    with pytest.raises(LowbitcError) as info:
        Options(**options)
    assert str(info.value).startswith(message)


def test_an_unknown_target_is_reported_before_the_import(tmp_path, capsys) -> None:
    # The model does not exist: the target is what the user hears about first.
    assert cli.main([str(tmp_path / "missing.onnx"), "-o", str(tmp_path / "a.v"), "--target", "vax"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lowbitc: error: unknown target device 'vax'; choose one of: generic, ")
    assert "xc7z020" in err and "ice40-up5k" in err


def test_the_fold_file_is_read_once(tmp_path, monkeypatch) -> None:
    import lowbitc.passes.tile as tile

    fold = tmp_path / "f.json"
    fold.write_text('{"1": {"pe": 2, "simd": 16, "serial": false}}')
    reads: list[str] = []
    real = tile.read_fold_file
    monkeypatch.setattr(tile, "read_fold_file", lambda path: reads.append(path) or real(path))
    options = Options(target="xc7z020", fold_file=str(fold), budget=0.5)
    assert dict(options.folds) == {1: LayerFold(2, 16, False)} and options.fold_specs == ("1:2x16",)
    module = compile_to(DIGITS, "tile", options)  # the budget search probes many foldings
    assert reads == [str(fold)]
    assert "fold = #lowbit.fold<pe = 2, simd = 16>" in str(module)


def test_tile_reports_the_cycle_floor_as_a_number() -> None:
    module = compile_to(CNV_SMALL, "bitserial")
    floor = stream_floor(module)
    with pytest.raises(TileError) as info:
        TilePass(cycles=floor - 1).apply(Context(), module)
    assert (info.value.floor, info.value.layer) == (floor, None)
    assert str(info.value) == (
        f"tile: a target of {floor - 1} cycles per frame is below the {floor} cycles per frame of the "
        "window units (one pixel per cycle)"
    )
    with pytest.raises(TileError) as info:
        TilePass(folds=("1:1000x1",)).apply(Context(), module)
    assert info.value.layer == 1 and info.value.floor is None
