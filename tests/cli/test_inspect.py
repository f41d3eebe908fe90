"""`lowbitc inspect`: every command, every user error (one line, exit code 2 from a script),
stdin scripts, and an interactive session in a pseudo-terminal with TAB completion.

The subcommand is registered through `lowbitc.cli.EXTRA_COMMANDS`; the tests add it themselves
(monkeypatch in-process, `setdefault` in subprocesses), so they pass with or without the line
in cli.py."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from support.cli import MODELS
from xdsl.passes import ModulePass

from lowbitc import cli
from lowbitc.backends.report.design import design_report
from lowbitc.backends.runtime.interpreter import run_module
from lowbitc.backends.verilog.emit import emit_verilog
from lowbitc.errors import LowbitcError
from lowbitc.inspect_cmd import candidates
from lowbitc.inspect_commands import HELP
from lowbitc.inspect_grammar import parse_commands, run_script
from lowbitc.inspect_session import Session
from lowbitc.inspect_views import first_difference
from lowbitc.pipeline import compile_to
from lowbitc.stages import STAGES

DIGITS = MODELS / "digits_bnn_w1a1.onnx"
CNV = MODELS / "bnnpynq_cnv_1w1a_ts.onnx"
TFC2 = MODELS / "zoo_TFC_2W2A.onnx"
LAUNCH = (
    "import sys, lowbitc.cli as c; c.EXTRA_COMMANDS.setdefault('inspect', 'lowbitc.inspect_cmd'); sys.exit(c.main())"
)


def inspect_process(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`lowbitc inspect ...` as a separate process."""
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, "inspect", *map(str, args)], capture_output=True, text=True, input=stdin
    )


@pytest.fixture
def inspect(monkeypatch, capsys):
    """`lowbitc inspect ...` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setitem(cli.EXTRA_COMMANDS, "inspect", "lowbitc.inspect_cmd")

    def call(*args) -> tuple[int, str, str]:
        rc = cli.main(["inspect", *map(str, args)])
        out, err = capsys.readouterr()
        return rc, out, err

    return call


@pytest.fixture
def frames(tmp_path: Path) -> Path:
    path = tmp_path / "in.npy"
    np.save(path, np.load(MODELS / "digits_bnn_w1a1_test_in.npy")[:5])
    return path


def session_run(session: Session, text: str) -> str:
    out: list[str] = []
    run_script(session.execute, text, out.append)
    return "".join(out)


def one_line_error(rc: int, err: str, *fragments: str) -> str:
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lowbitc: error: "), err
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


# -- the cases the issue names -------------------------------------------------------------
def test_cnv_stages(inspect) -> None:
    rc, out, err = inspect(CNV, "-c", "stages")
    assert rc == 0, err
    for stage in STAGES:
        assert re.search(rf"^ [ *] {stage} ", out, re.M), stage
    assert " * lowbit " in out and "9 layers" in out


def test_cnv_show_streamline_cost(inspect) -> None:
    rc, out, err = inspect(CNV, "-c", "show streamline; cost")
    assert rc == 0, err
    ir, table = out.split("bnnpynq_cnv_1w1a_ts.onnx on generic")
    assert ir.startswith("builtin.module") and "lowbit.threshold" in ir and "lowbit.batchnorm" not in ir
    layers = [line.split()[1] for line in table.splitlines() if re.match(r"\s*\d+\s+\d+ mvu", line)]
    assert layers == [str(i) for i in range(9)]
    assert "<- bottleneck" in table and re.search(r"^II \d+ cycles/frame, [\d.]+ frames/s", table, re.M)


# -- commands ------------------------------------------------------------------------------
def test_stages_follow_show_and_apply() -> None:
    s = Session(DIGITS)
    assert " * lowbit " in session_run(s, "stages")
    out = session_run(s, "show bitserial; apply cse; stages")
    assert " * bitserial " in out and "current IR: bitserial + cse" in out


def test_passes_lists_options() -> None:
    s = Session(DIGITS, lanes=64)
    out = session_run(s, "passes")
    for name in ("streamline", "bitserial", "tile", "unroll", "pipeline", "rtl"):
        assert re.search(rf"^  {name} ", out, re.M), name
    assert "lanes: int = 64" in out and "clock_mhz: int | float = 100.0" in out and "'passes all'" in out
    everything = session_run(s, "passes all")
    assert re.search(r"^  canonicalize$", everything, re.M) and re.search(r"^  cse$", everything, re.M)


def test_show_whole_and_layer() -> None:
    s = Session(DIGITS)
    whole = session_run(s, "show tile")
    assert whole == str(compile_to(DIGITS, "tile")) + "\n"
    layer = session_run(s, "show 1")  # the current IR is now tile
    assert layer.startswith("// layer 1 of 3 at tile: lowbit.xnor_popcount")
    body = [line for line in layer.splitlines() if not line.startswith("//")]
    assert [line.split()[2] for line in body] == ["lowbit.pack", "lowbit.xnor_popcount", "lowbit.threshold"]
    assert all(line in whole for line in body)  # the SSA names of the whole IR
    assert "block argument (input)" in session_run(s, "show rtl 0")
    assert session_run(s, "show onnx").startswith("<")
    assert "Generated by lowbitc" in session_run(s, "show verilog")


def test_apply_uses_the_sessions_pipeline_settings() -> None:
    s = Session(DIGITS)
    out = session_run(s, "show bitserial; apply tile")
    assert out.endswith("current IR: bitserial + tile\n")
    assert str(s.current) == str(compile_to(DIGITS, "tile"))
    session_run(s, "show bitserial; apply tile{lanes=16}")
    folds = re.findall(r"fold = #lowbit.fold<pe = \d+, simd = \d+>", str(s.current))
    assert len(folds) == 3 and folds != re.findall(r"fold = #lowbit.fold<[^>]*>", str(compile_to(DIGITS, "tile")))


def test_show_one_layer_of_a_stage_does_not_move_the_session() -> None:
    s = Session(DIGITS)
    out = session_run(s, "show streamline 0")
    assert out.startswith("// layer 0 of 3 at streamline: lowbit.matmul")
    assert s.label == "lowbit" and " * lowbit " in session_run(s, "stages")
    session_run(s, "show bitserial")  # a whole stage does move it
    assert s.label == "bitserial"


def test_the_session_imports_the_model_once(monkeypatch) -> None:
    import lowbitc.pipeline

    calls: list[str] = []
    real = lowbitc.pipeline.import_onnx
    monkeypatch.setattr(lowbitc.pipeline, "import_onnx", lambda path: calls.append(str(path)) or real(path))
    s = Session(DIGITS)
    session_run(s, "show tile; show rtl; cost; fold 1 pe=2 simd=16; cost; show unroll 1")
    assert calls == [str(DIGITS)]


def test_apply_a_pipeline_pass_past_its_stage() -> None:
    s = Session(DIGITS)
    session_run(s, "fold 1 pe=2 simd=16; show rtl")
    with pytest.raises(LowbitcError) as info:
        session_run(s, "apply tile{lanes=64}")
    assert str(info.value) == (
        "apply tile: the current IR (rtl) is past the tile stage; tile runs on the IR of bitserial: "
        "'show bitserial' first"
    )
    assert s.label == "rtl"
    session_run(s, "show bitserial; apply tile; apply unroll")
    with pytest.raises(LowbitcError, match=r"^apply tile: the current IR \(bitserial \+ tile.* \+ unroll\) is past"):
        session_run(s, "apply tile")


def test_apply_tile_takes_the_sessions_folds_in_memory() -> None:
    s = Session(DIGITS)
    out = session_run(s, "fold 1 pe=2 simd=16; show bitserial; apply tile")
    assert out.endswith('current IR: bitserial + tile{folds="1:2x16"}\n')  # no temporary file behind it
    assert "fold = #lowbit.fold<pe = 2, simd = 16>" in str(s.current)
    assert str(s.current) == str(s.module("tile"))


def test_apply_failure_leaves_the_ir(inspect) -> None:
    s = Session(DIGITS)
    session_run(s, "show bitserial")
    before = str(s.current)
    with pytest.raises(LowbitcError, match=r"^apply tile\{lanes=0\}: lanes must be positive, got 0$"):
        session_run(s, "apply tile{lanes=0}")
    assert str(s.current) == before and s.label == "bitserial"


def test_apply_invalid_ir(monkeypatch) -> None:
    @dataclass(frozen=True)
    class DropReturn(ModulePass):
        name = "drop-return"

        def apply(self, ctx, op) -> None:
            for o in [o for o in op.walk() if o.name == "func.return"]:
                o.detach()
                o.erase()

    s = Session(DIGITS)
    s.passes()["drop-return"] = lambda: DropReturn
    with pytest.raises(LowbitcError, match=r"^apply drop-return: the pass produced invalid IR: "):
        session_run(s, "apply drop-return")
    assert s.label == "lowbit"


def test_cost_is_the_performance_model() -> None:
    out = session_run(Session(DIGITS), "cost")
    rep = design_report(compile_to(DIGITS, "rtl"), Session(DIGITS).device)
    assert f"II {rep.ii_cycles} cycles/frame, {rep.fps:.1f} frames/s" in out
    assert len([line for line in out.splitlines() if " mvu " in line]) == 3


def test_cost_and_fold_show_resources_with_a_fabric() -> None:
    s = Session(DIGITS, target="xc7z020")
    out = session_run(s, "cost")
    rep = design_report(s.module("rtl"), s.device)
    totals, shares = rep.totals.model, rep.shares
    assert shares is not None
    assert re.search(r"cycles/frame +LUTs +FFs +BRAM$", out, re.M)
    for unit in rep.units:
        assert re.search(
            rf"^ +{unit.index} .* {unit.model.luts:,} +{unit.model.ffs:,} +{unit.model.brams:,g}(  |$)", out, re.M
        )
    assert (
        f"resources (model): {totals.luts:,} LUTs ({shares.luts:.1%}), {totals.ffs:,} FFs "
        f"({shares.ffs:.1%}), {totals.brams:,g} BRAM ({shares.brams:.1%})"
    ) in out
    change = session_run(s, "fold 1 pe=2 simd=16")
    after = design_report(s.module("rtl"), s.device).totals.model
    assert f"LUTs {totals.luts:,} -> {after.luts:,}, FFs {totals.ffs:,} -> {after.ffs:,}" in change
    assert after.luts < totals.luts
    generic = session_run(Session(DIGITS), "cost")  # no fabric: no resource columns
    assert "LUTs" not in generic and "resources" not in generic


def test_fold_before_after_and_back(tmp_path: Path) -> None:
    s = Session(DIGITS)
    out = session_run(s, "fold 1 pe=2 simd=16")
    assert out.startswith(
        "layer 1 (unit #1, mvu 64 -> 64): PE 4 SIMD 64 -> PE 2 SIMD 16, lanes 256 -> 32, cycles/frame 16 -> 128\n"
    )
    assert "design: II 16 -> 128 cycles/frame, 6250000.0 -> 781250.0 frames/s" in out
    assert session_run(s, "fold") == "layer 1: pe=2 simd=16\n"
    assert re.search(r"^\s+1\s+1 mvu .*fixed", session_run(s, "cost"), re.M)
    session_run(s, f"write {tmp_path / 'folded.v'}")
    assert "II 128 -> 16" in session_run(s, "fold 1 auto")
    assert session_run(s, "fold").startswith("no fixed folds")
    session_run(s, f"write {tmp_path / 'auto.v'}")
    assert (tmp_path / "auto.v").read_text() == emit_verilog(compile_to(DIGITS, "rtl"))
    assert (tmp_path / "folded.v").read_text() != (tmp_path / "auto.v").read_text()


def test_fold_serial_and_initial_fold_file(tmp_path: Path) -> None:
    s = Session(TFC2)
    out = session_run(s, "fold 1 pe=8 simd=32 serial")
    assert "-> PE 8 SIMD 32 serial" in out and "cycles/frame 128 -> 32" in out
    fold_file = tmp_path / "f.json"
    fold_file.write_text('{"1": {"pe": 8, "simd": 32, "serial": true}}')
    again = Session(TFC2, fold_file=str(fold_file))
    assert session_run(again, "cost") == session_run(s, "cost")


def test_fold_refreshes_the_current_stage() -> None:
    s = Session(DIGITS)
    session_run(s, "show tile; fold 0 pe=1 simd=8")
    assert "fold = #lowbit.fold<pe = 1, simd = 8>" in str(s.current)


def test_run_and_compare(frames: Path) -> None:
    s = Session(DIGITS)
    out = session_run(s, f"run {frames} pipeline")
    expected = run_module(compile_to(DIGITS, "pipeline"), np.load(frames))
    assert out.startswith("5 frames of [64] at pipeline -> output [5, 10] float32\n")
    assert f"argmax: {' '.join(map(str, expected.argmax(axis=1)))}\n" in out
    assert "\n5 frames of [64] at streamline -> output" in session_run(s, f"show streamline; run {frames}")
    assert (
        session_run(s, f'compare lowbit pipeline "{frames}"')
        == "lowbit and pipeline agree bit for bit on 5 frames (output [5, 10] float32)\n"
    )


def test_compare_reports_the_first_difference(frames: Path, monkeypatch) -> None:
    s = Session(DIGITS)
    real = Session._interpret

    def perturbed(self, module, path, given=None):
        x, y = real(self, module, path, given)
        if given is not None:  # the second stage: one value off
            y = y.copy()
            y[3, 7] += 1
        return x, y

    monkeypatch.setattr(Session, "_interpret", perturbed)
    with pytest.raises(
        LowbitcError,
        match=r"^compare: tile and unroll differ on .*: first at frame 3, element \[7\]: .* 1 of 50 values differ$",
    ):
        session_run(s, f"compare tile unroll {frames}")


def test_first_difference_is_bitwise() -> None:
    assert first_difference(np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32)) is None
    assert "frame 0, element [1]" in first_difference(
        np.array([[0.0, 0.0]], np.float32), np.array([[0.0, -0.0]], np.float32)
    )
    assert first_difference(np.array([np.nan], np.float32), np.array([np.nan], np.float32)) is None
    assert "differ in shape or type" in first_difference(np.zeros(2, np.int64), np.zeros(2, np.float32))


def test_write_and_help_and_quit(inspect, tmp_path: Path) -> None:
    target = tmp_path / "accel.v"
    rc, out, err = inspect(DIGITS, "-c", f"write {target}; help; help fold; quit; cost")
    assert rc == 0, err
    assert target.read_text() == emit_verilog(compile_to(DIGITS, "rtl"))
    assert f"wrote {target}:" in out and "Verilog" in out
    for usage, _, _ in HELP.values():
        assert usage in out
    assert "'auto' lets the tile pass balance the layer again" in out
    assert "cycles/frame" not in out  # nothing runs after quit
    assert [p.name for p in tmp_path.iterdir()] == ["accel.v"]


# -- errors: one line, exit code 2, the session state untouched ------------------------------
ERRORS = [
    ("foo", "unknown command 'foo'; 'help' lists the commands"),
    ("stagse", "unknown command 'stagse' (did you mean 'stages'?)"),
    ("showx tile", "unknown command 'showx'"),
    ("{", "unexpected '{' at column 1 where a command should start"),
    ("show tile x", "show: unexpected 'x' at column 11; usage: show [STAGE] [LAYER]"),
    ("stages stages", "stages: unexpected 'stages' at column 8; usage: stages"),
    ("cost\nshow 1 2", "show: unexpected '2' at column 8 of line 2"),
    ("compare tile", "compare: incomplete command; usage: compare STAGE1 STAGE2 IN.npy"),
    ('run "in.npy', "run: unterminated string at column 5"),
    ("show tiel", "show: unknown stage 'tiel' (did you mean 'tile'?); stages: onnx, lowbit"),
    ("show tile 3", "show: no layer 3 in tile; it has 3 layers (0..2)"),
    ("show onnx 0", "show: layers are numbered in the IR (stages lowbit .. rtl), not at onnx"),
    ("apply tiel", "apply: unknown pass 'tiel' (did you mean 'tile'?); 'passes' lists them"),
    (
        "apply tile{lane=3}",
        "apply tile: unknown option 'lane' (did you mean 'lanes'?); its options: cycles, fold_file, folds, lanes",
    ),
    ("apply tile{lanes=abc}", "apply tile: option lanes=abc does not fit its type int"),
    ("apply tile{lanes=1 lanes=2}", "apply tile: option 'lanes' given twice"),
    ("apply unroll", "apply unroll: lowbit.matmul has no fold; run the tile pass first"),
    ("fold 3 pe=1 simd=1", "fold 3: no layer 3; the model has 3 layers (0..2)"),
    ("fold 1 pe=4", "fold 1: give both pe=N and simd=M (or 'auto')"),
    ("fold 1 pe=0 simd=4", "fold 1: pe and simd must be positive"),
    ("fold 1 pe=1 pe=2 simd=4", "fold 1: pe given twice"),
    ("fold 1 auto simd=4", "fold 1: 'auto' frees the layer; give it alone"),
    ("fold 1 pe=65 simd=4", "fold 1: tile: layer 1: PE 65 exceeds 64 channels"),
    ("fold 1 pe=4 simd=65", "fold 1: tile: layer 1: SIMD 65 exceeds fan-in 64"),
    ("fold 1 pe=65 simd=65", "fold 1: tile: layer 1: PE 65 exceeds 64 channels and SIMD 65 exceeds fan-in 64"),
    ("fold 1 pe=4 simd=4 serial", "fold 1: tile: layer 1 has no bit planes to run serially"),
    ("run {tmp}/nope.npy", "nope.npy: no such file; give an .npy file of input frames"),
    ("run {tmp}/bad.npy", "bad.npy: shape [2, 3] does not hold frames"),
    ("run {tmp}/in.npy rtl", "run: the rtl stage runs in Verilator, not the interpreter"),
    ("run {tmp}/in.npy tiel", "run: unknown stage 'tiel' (did you mean 'tile'?)"),
    ("show rtl; run {tmp}/in.npy", "run: the current IR (rtl) holds rtl ops, which run in Verilator"),
    ("compare tile verilog {tmp}/in.npy", "compare: unknown stage 'verilog'"),
    ("write {tmp}/no/such/dir/a.v", "folder"),
    ("write {tmp}", "is a directory; give an output file name"),
    ("help foo", "help: no command 'foo'; 'help' lists them"),
]


@pytest.mark.parametrize("command,message", ERRORS, ids=[c for c, _ in ERRORS])
def test_error(inspect, tmp_path: Path, frames: Path, command: str, message: str) -> None:
    np.save(tmp_path / "bad.npy", np.zeros((2, 3), np.float32))
    rc, out, err = inspect(DIGITS, "-c", command.replace("{tmp}", str(tmp_path)) + "; stages")
    line = one_line_error(rc, err, message.replace("{tmp}", str(tmp_path)))
    assert "current IR" not in out, line  # the script stopped at the failing command


def test_parse_error_runs_nothing(inspect) -> None:
    rc, out, err = inspect(DIGITS, "-c", "stages; bogus")
    one_line_error(rc, err, "unknown command 'bogus'")
    assert out == ""


@pytest.mark.parametrize(
    "args,message",
    [
        (["{tmp}/missing.onnx"], "missing.onnx: no such file"),
        ([DIGITS, "--target", "vax"], "unknown target device 'vax'"),
        ([DIGITS, "--lanes", "0"], "--lanes 0: must be positive"),
        ([DIGITS, "--fold", "{tmp}/nope.json"], "--fold: cannot read fold file"),
        ([DIGITS, "--fold", "{tmp}/three.json"], "--fold {tmp}/three.json: no layer 3; the model has 3 layers (0..2)"),
        ([DIGITS, "--bogus"], "lowbitc inspect: unrecognized arguments: --bogus"),
    ],
)
def test_command_line_errors(inspect, tmp_path: Path, args: list, message: str) -> None:
    (tmp_path / "three.json").write_text('{"3": {"pe": 1, "simd": 1}}')
    rc, _, err = inspect(*[str(a).replace("{tmp}", str(tmp_path)) for a in args], "-c", "stages")
    one_line_error(rc, err, message.replace("{tmp}", str(tmp_path)))


def test_parse_commands_grammar() -> None:
    cmds = parse_commands(
        '# comment\nstages;; passes all\napply tile{lanes=64 fold-file="a b.json"} ; fold 2 pe=4 simd=8 serial\n'
        'run "x y.npy" tile; compare lowbit current in.npy; help show; exit'
    )
    assert [type(c).__name__ for c in cmds] == ["Stages", "Passes", "Apply", "Fold", "Run", "Compare", "Help", "Quit"]
    assert cmds[2].options == (("lanes", (64,)), ("fold-file", ("a b.json",)))
    assert (cmds[3].pe, cmds[3].simd, cmds[3].serial) == (4, 8, True)
    assert cmds[4].path == "x y.npy" and parse_commands("") == []


# -- stdin and the terminal ------------------------------------------------------------------
def test_stdin_script() -> None:
    r = inspect_process(DIGITS, stdin="stages\ncost\n")
    assert r.returncode == 0 and r.stderr == "" and "> " not in r.stdout.split("\n")[0]
    assert "current IR: lowbit" in r.stdout and "cycles/frame" in r.stdout
    r = inspect_process(DIGITS, stdin="stages\nshow tiel\ncost\n")
    assert r.returncode == 2 and r.stderr.startswith("lowbitc: error: show: unknown stage 'tiel'")
    assert "current IR: lowbit" in r.stdout and "cycles/frame" not in r.stdout


def test_completion_candidates(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "in.npy").write_bytes(b"")
    (tmp_path / "x.v").write_text("")
    monkeypatch.chdir(tmp_path)

    def names() -> list[str]:
        return ["tile", "canonicalize"]

    assert candidates("", "sh", names) == ["show"]
    assert candidates("cost; ", "s", names) == ["show", "stages"]
    assert candidates("show ", "t", names) == ["tile"]
    assert candidates("apply ", "ca", names) == ["canonicalize"]
    assert candidates("run ", "", names) == ["data/in.npy"]  # a lone folder opens
    assert candidates("run data/in.npy ", "pi", names) == ["pipeline"]
    assert candidates("compare tile pipeline ", "d", names) == ["data/in.npy"]
    assert candidates("write ", "", names) == ["data/", "x.v"]
    assert candidates("fold 1 ", "s", names) == ["serial", "simd="]


class Terminal:
    """A process on a pseudo-terminal: what a user types, what a user sees."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        self.seen = b""

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def expect(self, pattern: str, timeout: float = 20) -> str:
        """Everything up to and including ``pattern``, consumed."""
        end, want = time.monotonic() + timeout, pattern.encode()
        while want not in self.seen:
            ready, _, _ = select.select([self.master], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                raise AssertionError(f"{pattern!r} not seen in {self.seen.decode(errors='replace')!r}")
            try:
                self.seen += os.read(self.master, 65536)
            except OSError:  # the process ended
                raise AssertionError(
                    f"{pattern!r} not seen before exit: {self.seen.decode(errors='replace')!r}"
                ) from None
        i = self.seen.index(want) + len(want)
        out, self.seen = self.seen[:i], self.seen[i:]
        return out.decode(errors="replace").replace("\r\n", "\n")

    def close(self) -> None:
        os.close(self.master)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def test_interactive_session_with_tab_completion(tmp_path: Path) -> None:
    env = dict(os.environ, HOME=str(tmp_path), TERM="dumb")
    term = Terminal([sys.executable, "-c", LAUNCH, "inspect", str(DIGITS)], env)
    try:
        assert "3 layers, at stage lowbit" in term.expect("lowbitc[lowbit]> ")
        term.type("sta\t")  # TAB completes the command name
        term.expect("stages")
        term.type("\n")
        assert "current IR: lowbit" in term.expect("lowbitc[lowbit]> ")
        term.type("show bits\t")
        term.expect("bitserial")
        term.type("\n")  # a whole stage becomes the current IR
        assert "builtin.module" in term.expect("lowbitc[bitserial]> ")
        term.type("show 2\n")
        assert "// layer 2 of 3 at bitserial" in term.expect("lowbitc[bitserial]> ")
        term.type("apply cse\n")
        term.expect("lowbitc[bitserial+1]> ")
        term.type("bogus\n")  # an error is reported and the session goes on
        assert "error: unknown command 'bogus'" in term.expect("lowbitc[bitserial+1]> ")
        term.type("\x04")  # Ctrl-D on an empty line ends the session, as 'quit' does
        assert term.proc.wait(timeout=20) == 0
        history = (tmp_path / ".cache" / "lowbitc" / "inspect_history").read_text()
        assert "stages" in history and "apply cse" in history
    finally:
        term.close()
