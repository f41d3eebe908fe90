"""`lowbitc gui`: xDSL's Textual app on a model's IR, driven headless with Textual's pilot."""

from __future__ import annotations

import asyncio
import builtins
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import BIN, MODELS

from lowbitc import cli, gui_cmd

DIGITS = MODELS / "digits_bnn_w1a1.onnx"
LOWBITC_PASSES = ("streamline", "bitserial", "tile", "unroll", "pipeline", "rtl")


@pytest.fixture(autouse=True)
def gui_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli.EXTRA_COMMANDS, "gui", "lowbitc.gui_cmd")


def parse(*argv: str):
    return gui_cmd.build_parser(cli._Parser).parse_args([str(a) for a in argv])


def user_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert cli.main(["gui", *map(str, argv)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lowbitc: error: "), lines
    return lines[0]


def test_gui_applies_lowbitc_passes() -> None:
    query = output = ""

    async def drive() -> None:
        nonlocal query, output
        app = gui_cmd.make_app(parse(DIGITS))
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            assert app.input_text_area.text.startswith("builtin.module {")
            assert "lowbit.matmul" in app.input_text_area.text
            assert "lowbit.threshold" not in app.input_text_area.text
            listed = {str(node.label) for node in app.passes_tree.root.children}
            assert set(LOWBITC_PASSES) <= listed, sorted(listed)
            assert "canonicalize" in listed  # xDSL's own passes are there too

            # Apply streamline the way a user does: cursor on it in the pass tree, Enter.
            await select_pass(pilot, "streamline")
            assert [p.name for p in app.pass_pipeline] == ["streamline"]
            assert "lowbit.threshold" in app.output_text_area.text
            # Hidden-layer BatchNorms fold into thresholds; the last one (float logits) stays.
            assert app.output_text_area.text.count("lowbit.batchnorm") < app.input_text_area.text.count(
                "lowbit.batchnorm"
            )

            # A pass with options opens xDSL's argument screen: the pass tree now lists the
            # passes after streamline; bitserial, then tile with lanes=64.
            await select_pass(pilot, "bitserial")
            await select_pass(pilot, "tile")
            arguments = app.screen.query_one("#argument_text_area")
            arguments.load_text("lanes=64")
            await pilot.pause()
            await pilot.click("#enter_button")
            await pilot.pause()
            assert [p.name for p in app.pass_pipeline] == ["streamline", "bitserial", "tile"]
            assert "lowbit.fold<" in app.output_text_area.text
            query = app.get_query_string()
            assert (
                query == f"lowbitc {DIGITS} --emit lowbit -o - | lowbitc-opt -p 'streamline,bitserial,tile{{lanes=64}}'"
            )
            output = app.output_text_area.text

    asyncio.run(drive())
    # "Copy Query" gives a shell command that reproduces the output pane.
    r = subprocess.run(
        query, shell=True, capture_output=True, text=True, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == output.strip()


async def select_pass(pilot, name: str) -> None:
    """Cursor on the pass in the tree, Enter: what a user does."""
    tree = pilot.app.passes_tree
    node = next(n for n in tree.root.children if str(n.label) == name)
    for _ in range(50):  # the tree numbers its lines when it renders
        if node.line >= 0:
            break
        await pilot.pause()
    tree.focus()
    tree.move_cursor(node)
    assert tree.cursor_node is node
    await pilot.press("enter")
    await pilot.pause()


def test_gui_stage_option() -> None:
    async def drive() -> None:
        app = gui_cmd.make_app(parse(DIGITS, "--stage", "streamline"))
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            assert "lowbit.threshold" in app.input_text_area.text
            assert app.output_text_area.text.startswith("builtin.module {")  # parses back

    asyncio.run(drive())


def test_missing_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = user_error(capsys, tmp_path / "nope.onnx")
    assert "nope.onnx" in line and "no such file" in line


def test_bad_stage(capsys: pytest.CaptureFixture[str]) -> None:
    line = user_error(capsys, DIGITS, "--stage", "verilog")
    assert "lowbitc gui" in line and "--stage" in line


def test_needs_a_terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    line = user_error(capsys, DIGITS)
    assert "interactive terminal" in line


def test_textual_missing(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real_import = builtins.__import__

    def no_textual(name: str, *args, **kwargs):
        if name == "textual" or name.startswith("textual."):
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
        return real_import(name, *args, **kwargs)

    for mod in [m for m in sys.modules if m == "xdsl.interactive.app" or m.startswith("textual")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setattr(builtins, "__import__", no_textual)
    line = user_error(capsys, DIGITS)
    assert "pip install 'lowbitc[gui]'" in line and "textual" in line
