"""IR for people: `--elide-constants-larger-than` in `lowbitc --emit` and `lowbitc-opt`
(with `--print-ir-after-all`), and lowbitc-opt's one-line errors for a mistyped pipeline."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.cli import BIN, MODELS, lowbitc

DIGITS = MODELS.parent.parent / "examples" / "digits_bnn_w1a1.onnx"
CNV = MODELS / "cnv_small_w1a1_dynamo.onnx"


def opt(*args) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "lowbitc-opt"), *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def lowbit_ir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ir") / "cnv.mlir"
    r = lowbitc(CNV, "--emit", "lowbit", "-o", path)
    assert r.returncode == 0, r.stderr
    return path


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        ("bitserail", "-p: unknown pass 'bitserail' (did you mean 'bitserial'?); lowbitc's passes: streamline,"),
        ("streamline,tile{lane=64}", "-p: pass 'tile' has no option 'lane' (did you mean 'lanes'?); its options:"),
        ("tile{lanes=x}", "-p: pass 'tile' option lanes=x: expected int"),
        ("tile{lanes=", "-p 'tile{lanes=': not a pass pipeline"),
    ],
)
def test_a_mistyped_pipeline_is_one_line_with_exit_2(lowbit_ir: Path, pipeline: str, message: str) -> None:
    r = opt(lowbit_ir, "-p", pipeline)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith(f"lowbitc-opt: error: {message}"), r.stderr


def test_emit_elides_large_constants_and_says_so() -> None:
    full = lowbitc(DIGITS, "--emit", "streamline")
    elided = lowbitc(DIGITS, "--emit", "streamline", "--elide-constants-larger-than", "16")
    assert full.returncode == 0 and elided.returncode == 0, elided.stderr
    assert "__elided__" not in full.stdout and "0x" in full.stdout
    assert "#lowbit.bits<64x64, __elided__>" in elided.stdout
    assert "thresholds = dense_resource<__elided__> : tensor<64x1xi64>" in elided.stdout
    assert len(elided.stdout) * 2 < len(full.stdout)
    # Everything else is unchanged: the same ops, line for line.
    assert len(elided.stdout.splitlines()) == len(full.stdout.splitlines())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--emit", "lowbit", "--elide-constants-larger-than", "-1"], "--elide-constants-larger-than -1 must be 0"),
        (["-o", "x.v", "--elide-constants-larger-than", "8"], "--elide-constants-larger-than applies to the IR"),
    ],
)
def test_emit_elide_misuse_is_refused(tmp_path: Path, args: list[str], message: str) -> None:
    r = lowbitc(DIGITS, *args, cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith(f"lowbitc: error: {message}"), r.stderr
    assert not (tmp_path / "x.v").exists()


def test_print_ir_after_all_elided_is_small(lowbit_ir: Path) -> None:
    full = opt(lowbit_ir, "-p", "streamline,bitserial", "--print-ir-after-all")
    elided = opt(lowbit_ir, "-p", "streamline,bitserial", "--print-ir-after-all", "--elide-constants-larger-than", "64")
    assert full.returncode == 0 and elided.returncode == 0, elided.stderr
    assert elided.stderr.count("// -----// IR Dump After") == 2
    assert "__elided__" in elided.stderr and "__elided__" in elided.stdout
    assert len(elided.stderr) * 5 < len(full.stderr)
    # The final IR without the option is the same as before: elision is only for reading.
    plain = opt(lowbit_ir, "-p", "streamline,bitserial")
    assert plain.stdout.strip() == full.stdout.strip() and "__elided__" not in plain.stdout


def test_small_weights_read_as_rows(lowbit_ir: Path) -> None:
    """A small bit matrix prints one string of 0s and 1s per row, and that text parses back."""
    text = "\n".join(
        [
            "func.func @f(%x: tensor<3x!lowbit.bipolar>) -> tensor<2xsi3> {",
            '  %y = lowbit.matmul %x {weights = #lowbit.bits<2x3, "0x0503">} '
            ": tensor<3x!lowbit.bipolar> -> tensor<2xsi3>",
            "  func.return %y : tensor<2xsi3>",
            "}",
        ]
    )
    src = lowbit_ir.parent / "small.mlir"
    src.write_text(text)
    first = opt(src)
    assert first.returncode == 0, first.stderr
    assert '#lowbit.bits<2x3, ["101", "110"]>' in first.stdout
    again = subprocess.run([str(BIN / "lowbitc-opt")], input=first.stdout, capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout == first.stdout, again.stderr


def test_inspect_show_elides_too() -> None:
    r = lowbitc("inspect", DIGITS, "--elide-constants-larger-than", "16", "-c", "show streamline; show streamline 0")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("#lowbit.bits<64x64, __elided__>") == 3  # two in the whole IR, one in the excerpt
    assert "dense_resource<__elided__> : tensor<64x1xi64>" in r.stdout and '"0x' not in r.stdout
    bad = lowbitc("inspect", DIGITS, "--elide-constants-larger-than", "-5", "-c", "show")
    assert bad.returncode == 2 and bad.stderr.startswith("lowbitc: error: --elide-constants-larger-than -5"), bad.stderr
