"""What a user sees of a successful command and of a design too large for its part: one line
saying what was written (and for `sim` the measured II against the prediction), the sample
input of `zoo`, `--help`/`--version`/board names, the refusal of an overfull design unless
`--allow-overfull`, the warning of `sim`, and the report's layer numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from support.cli import MODELS, lowbitc

from lowbitc.backends.target.devices import BOARDS, DEVICES

TFC_W2A2 = MODELS / "generated" / "tfc_w2a2.onnx"
TFC_W2A2_IN = MODELS / "generated" / "tfc_w2a2_in.npy"
CNV = MODELS / "bnnpynq_cnv_1w1a_ts.onnx"


def one_line(r) -> str:
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines and lines[-1].startswith("lowbitc: wrote "), r.stdout
    return lines[-1]


# -- the overfull design ---------------------------------------------------------------------
def test_an_overfull_design_is_refused_with_the_shortfall(tmp_path: Path) -> None:
    out = tmp_path / "tfc.v"
    r = lowbitc(TFC_W2A2, "--target", "ice40-up5k", "-o", out)
    assert r.returncode == 2 and r.stdout == "" and not out.exists()
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"lowbitc: error: {TFC_W2A2}: the design does not fit ice40-up5k by the structural")
    assert "EBR blocks 36 of 30 (120.0%)" in line, line
    for fits in ("LUTs", "FFs", "DSPs"):  # only the resources it lacks (fold-wide streams: 96% of the LUTs)
        assert fits not in line, line
    assert "--budget" in line and "larger part such as" in line and line.endswith("--allow-overfull to write it anyway")
    r = lowbitc(TFC_W2A2, "--target", "ice40-up5k", "-o", out, "--allow-overfull")
    assert r.returncode == 0 and r.stderr == "" and len(re.findall(r"^module accel\b(?!_)", out.read_text(), re.M)) == 1


def test_report_json_and_text_warn(tmp_path: Path) -> None:
    r = lowbitc("report", TFC_W2A2, "--target", "ice40-up5k", "--json", tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["fit_problem"] is None  # the certain floor does not fire ...
    assert rep["fit_warning"].startswith("the design does not fit ice40-up5k by the structural resource model")
    assert f"WARNING: {rep['fit_warning']}" in r.stdout.splitlines()  # ... the model's estimate does
    assert rep["shares"]["brams"] > 1 and rep["device"]["rams"] == ["EBR", "SPRAM"]
    # "36 EBR" and the RAM bits left say what each counts, so they do not contradict each other.
    text = r.stdout
    assert "36 of 30 EBR blocks (120.0%)" in text
    assert "bits of EBR and SPRAM left after line buffers and FIFOs" in text and "whole EBR blocks" in text
    fits = lowbitc("report", TFC_W2A2, "--target", "xc7z020", "--json", tmp_path / "z.json")
    assert fits.returncode == 0 and "WARNING" not in fits.stdout
    assert json.loads((tmp_path / "z.json").read_text())["fit_warning"] is None


def test_sim_warns_and_says_what_it_wrote(tmp_path: Path) -> None:
    out, stats = tmp_path / "sim.npy", tmp_path / "stats.json"
    r = lowbitc("sim", TFC_W2A2, "--target", "ice40-up5k", "-i", TFC_W2A2_IN, "-o", out, "--stats", stats)
    assert r.returncode == 0, r.stderr
    (warning,) = r.stderr.splitlines()
    assert warning.startswith(f"lowbitc: warning: {TFC_W2A2}: the design does not fit ice40-up5k")
    st = json.loads(stats.read_text())
    frames = len(np.load(TFC_W2A2_IN))
    assert r.stdout == (
        f"lowbitc: wrote {out} and {stats} ({frames} frames through the Verilog in Verilator; "
        f"II {st['ii_cycles']:g} cycles/frame measured, {st['ii_cycles_predicted']} predicted)\n"
    )


# -- layer numbers ---------------------------------------------------------------------------
def test_report_numbers_layers_as_fold_files_do(tmp_path: Path) -> None:
    """`{"3": ...}` refolds the fourth matrix-vector unit, unit 8 of the CNV: the report says
    layer 3 on that row, in text and JSON."""
    fold = tmp_path / "fold.json"
    fold.write_text(json.dumps({"3": {"pe": 8, "simd": 32}}))
    r = lowbitc("report", CNV, "--fold", fold, "--json", tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    rep = json.loads((tmp_path / "r.json").read_text())
    (row,) = [unit for unit in rep["layers"] if unit["layer"] == 3]
    assert (row["index"], row["pe"], row["simd"]) == (8, 8, 32)
    mvus = [unit for unit in rep["layers"] if unit["kind"].startswith("mvu")]
    assert [unit["layer"] for unit in mvus] == list(range(len(mvus)))
    assert all(unit["layer"] is None for unit in rep["layers"] if not unit["kind"].startswith("mvu"))
    head = next(line for line in r.stdout.splitlines() if line.lstrip().startswith("#"))
    assert head.split()[:3] == ["#", "layer", "unit"]
    text_row = next(line for line in r.stdout.splitlines() if line.split()[:2] == ["8", "3"])
    assert text_row.split()[2].startswith("mvu") and text_row.split()[5:7] == ["8", "32"]


# -- help, version, targets -----------------------------------------------------------------
def test_help_names_every_command_and_target() -> None:
    r = lowbitc("--help")
    assert r.returncode == 0, r.stderr
    for command in ("run", "sim", "report", "inspect", "gui", "zoo"):
        assert f"lowbitc {command} " in r.stdout, command
    flat = "".join(r.stdout.split())  # argparse wraps lines, also at hyphens
    for name in [*DEVICES, *BOARDS]:
        assert name in flat, name


@pytest.mark.parametrize("command", ["run", "sim", "report", "inspect", "gui"])
def test_every_target_option_lists_the_devices(command: str) -> None:
    r = lowbitc(command, "--help")
    assert r.returncode == 0, r.stderr
    flat = "".join(r.stdout.split())
    assert "--targetDEVICE" in flat and "xc7vx690t" in flat and "pynq-z2(=xc7z020)" in flat


def test_version() -> None:
    from importlib.metadata import version

    r = lowbitc("--version")
    assert r.returncode == 0 and r.stdout == f"lowbitc {version('lowbitc')}\n"


@pytest.mark.parametrize(("board", "part"), [("pynq-z2", "xc7z020"), ("ZCU104", "xczu7ev")])
def test_boards_are_accepted_as_targets(tmp_path: Path, board: str, part: str) -> None:
    r = lowbitc("report", MODELS / "tfc_w1a1_ts.onnx", "--target", board, "--json", tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "r.json").read_text())["target"] == part


# -- what successful commands wrote -------------------------------------------------------------
def test_zoo_writes_a_sample_input_that_runs(tmp_path: Path) -> None:
    model = tmp_path / "tfc.onnx"
    r = lowbitc("zoo", "tfc-w1a1", "-o", model)
    sample = tmp_path / "tfc_in.npy"
    assert one_line(r) == f"lowbitc: wrote {model} (tfc-w1a1, seed 0) and {sample} (4 sample frames, [4, 1, 28, 28])"
    frames = np.load(sample)
    assert frames.dtype == np.float32 and frames.shape == (4, 1, 28, 28)
    assert frames.min() >= 0 and frames.max() <= 1 and len(np.unique(frames)) > 100  # pixels k/255
    out = tmp_path / "out.npy"
    r = lowbitc("run", model, "-i", sample, "-o", out)
    assert one_line(r) == f"lowbitc: wrote {out} (4 outputs [10] float32, interpreter at stage pipeline)"
    assert np.load(out).shape == (4, 10)


def test_report_html_says_what_it_wrote(tmp_path: Path) -> None:
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    r = lowbitc("report", MODELS / "tfc_w1a1_ts.onnx", "--html", html, "--json", js)
    assert one_line(r) == f"lowbitc: wrote {js} (JSON) and {html} (one HTML page)"
    assert r.stderr == "" and html.is_file() and js.is_file()
    plain = lowbitc("report", MODELS / "tfc_w1a1_ts.onnx")
    assert "lowbitc: wrote" not in plain.stdout  # nothing written, nothing said


def test_inspect_warns_of_an_overfull_design_in_cost_and_write(tmp_path: Path) -> None:
    """The inspector builds hardware too: its cost table and its written Verilog carry the
    compile command's finding, as warnings (the session keeps exploring)."""
    from lowbitc.inspect_session import Session

    session = Session(str(TFC_W2A2), target="ice40-up5k")
    cost = session.cost()
    assert "WARNING: the design does not fit ice40-up5k by the structural" in cost
    written = session.write(str(tmp_path / "tfc.v"))
    assert written.startswith(f"wrote {tmp_path / 'tfc.v'}: ")
    assert "WARNING: the design does not fit ice40-up5k" in written
    assert (tmp_path / "tfc.v").read_text().startswith("// Generated by lowbitc.")
    fits = Session(str(TFC_W2A2), target="xc7z020")
    assert "WARNING" not in fits.cost()
