"""`lowbitc report --html`: a self-contained, well-formed page for a dense, a convolutional and a
residual network, the bottleneck marked everywhere, model-derived text escaped, no file on
error, and the page rendered in headless Chromium with the charts' colours on screen."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from support.cli import MODELS, lowbitc
from support.png import colour_count, read_png

from lowbitc.backends.analysis.resources import design_resources
from lowbitc.backends.report.dataflow import LANE_W
from lowbitc.backends.report.svg import BOTTLENECK_COLOUR, KIND_COLOURS
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

SVG = "{http://www.w3.org/2000/svg}"
CASES = {
    "tfc_w1a1_ts": MODELS / "tfc_w1a1_ts.onnx",
    "cnv_small_w1a1_dynamo": MODELS / "cnv_small_w1a1_dynamo.onnx",
    "resnet_w2a2": MODELS / "generated" / "resnet_w2a2.onnx",
}
CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"


def parse_page(text: str) -> ET.Element:
    """The whole page as XML (it is written to be well-formed); the doctype is not XML."""
    assert text.startswith("<!DOCTYPE html>\n")
    return ET.fromstring(text.removeprefix("<!DOCTYPE html>\n"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, tuple[Path, str, dict, str]]:
    """name -> (html path, html text, --json report, stdout)."""
    out = tmp_path_factory.mktemp("report_html")
    result = {}
    for name, model in CASES.items():
        html, js = out / f"{name}.html", out / f"{name}.json"
        r = lowbitc("report", model, "--html", html, "--json", js)
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""
        result[name] = (html, html.read_text(encoding="utf-8"), json.loads(js.read_text()), r.stdout)
    return result


@pytest.mark.parametrize("name", CASES)
def test_page_is_well_formed_and_self_contained(pages, name: str) -> None:
    _, text, rep, stdout = pages[name]
    root = parse_page(text)
    svgs = root.findall(f".//{SVG}svg")
    assert len(svgs) == 3  # cycles, resources, dataflow
    for svg in svgs:  # each chart on its own, as a browser's SVG parser sees it
        ET.fromstring(ET.tostring(svg))
        assert float(svg.get("width")) > 100 and float(svg.get("height")) > 50
    assert not re.search(r"<script|<link|<img|<iframe|@import|\bsrc=", text, re.IGNORECASE)
    assert re.findall(r"https?://[^\s\"']+", text) == ["http://www.w3.org/2000/svg"] * 3
    assert re.findall(r"url\(([^)]*)\)", text) == ["#arrow"] * len(re.findall(r"url\(", text))
    assert stdout.splitlines()[0].endswith("at 100 MHz")  # the text report still goes to stdout
    table_rows = root.findall(".//tbody/tr")
    assert len(table_rows) == len(rep["layers"])
    assert [row.findall("td")[2].text for row in table_rows] == [unit["kind"] for unit in rep["layers"]]
    # The layer column is the fold file's numbering: matrix-vector units in program order.
    numbers = [row.findall("td")[1].text for row in table_rows]
    mvus = [unit["kind"].startswith("mvu") for unit in rep["layers"]]
    assert [n for n, mvu in zip(numbers, mvus) if mvu] == [str(i) for i in range(sum(mvus))]
    assert all(n is None for n, mvu in zip(numbers, mvus) if not mvu)


@pytest.mark.parametrize("name", CASES)
def test_bottleneck_marked(pages, name: str) -> None:
    _, text, rep, _ = pages[name]
    root = parse_page(text)
    slow = [layer["index"] for layer in rep["layers"] if layer["bottleneck"]]
    assert slow and all(rep["layers"][i]["cycles"] == rep["ii_cycles"] for i in slow)
    marked_rows = [
        int(tr.findall("td")[0].text) for tr in root.findall(".//tbody/tr") if tr.get("class") == "bottleneck"
    ]
    assert marked_rows == slow
    bars = root.findall(f".//{SVG}rect[@class='bar bottleneck']")
    assert len(bars) == len(slow) and all(b.get("fill") == BOTTLENECK_COLOUR for b in bars)
    assert all(b.get("fill") != BOTTLENECK_COLOUR for b in root.findall(f".//{SVG}rect[@class='bar']"))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels.count("\u25c0 bottleneck") == len(slow)
    assert f"II = {rep['ii_cycles']:,} cycles/frame" in labels
    assert len(root.findall(f".//{SVG}line[@class='ii']")) == 1
    assert len(root.findall(f".//{SVG}g[@class='node bottleneck']")) == len(slow)


@pytest.mark.parametrize("name", CASES)
def test_resources_without_a_device(pages, name: str) -> None:
    """`generic` is no particular part: the bits the IR states, no capacity, and how to get one."""
    text = pages[name][1]
    labels = [t.text for t in parse_page(text).iter(f"{SVG}text")]
    assert labels.count("device capacity unknown") == 4  # generic has no fabric
    assert "The generic target stands for no particular part" in text and "give --target DEVICE" in text
    assert not any(label.startswith(("LUTs: ", "FFs: ")) for label in labels)
    assert 'class="warning"' not in text  # nothing to warn about without a device
    for use in design_resources(compile_to(CASES[name], "rtl", Options())).totals:
        assert f"{use.resource.value}: {use.used:,} " in labels


@pytest.fixture(scope="module")
def overfull_page(tmp_path_factory) -> tuple[Path, str, dict, str]:
    """The W2A2 TFC on an iCE40 UP5K: the resource model puts it at 118.5% of the LUTs."""
    out = tmp_path_factory.mktemp("overfull")
    html, js = out / "tfc.html", out / "tfc.json"
    model = MODELS / "generated" / "tfc_w2a2.onnx"
    r = lowbitc("report", model, "--target", "ice40-up5k", "--html", html, "--json", js)
    assert r.returncode == 0, r.stderr
    return html, html.read_text(encoding="utf-8"), json.loads(js.read_text()), r.stdout


def test_luts_ffs_brams_dsps_against_the_device(overfull_page) -> None:
    _, text, rep, _ = overfull_page
    root = parse_page(text)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    totals = rep["totals"]
    for label, key, capacity in (("LUTs", "luts", 5280), ("FFs", "ffs", 5280), ("EBR blocks", "brams", 30)):
        assert f"{label}: {totals[key]:,g} " in labels
        share = 100 * totals[key] / capacity
        exceeds = " \u2014 exceeds the device" if share > 100 else ""
        assert f"of {capacity:,} on the device ({share:.1f}%){exceeds}" in labels
    assert totals["brams"] > 30 and totals["luts"] < 5280  # the EBR blocks are what it lacks
    assert "DSPs: 0 " in labels and "of 8 on the device (0.0%)" in labels
    assert len(root.findall(f".//{SVG}line[@class='capacity']")) == 4
    assert labels.count("exact bits from the IR") == 4
    # The table has the model's columns too, per unit.
    heads = [th.text for th in root.iter("th")]
    assert heads[-4:] == ["LUTs", "FFs", "BRAM", "DSPs"]
    first = [td.text for td in root.find(".//tbody/tr").findall("td")]
    assert first[-4:] == [f"{rep['layers'][0][k]:,g}" for k in ("luts", "ffs", "brams", "dsps")]


def test_a_design_that_does_not_fit_gets_a_banner(overfull_page, tmp_path: Path) -> None:
    html, text, rep, stdout = overfull_page
    banner = parse_page(text).find(".//div[@class='warning']")
    assert banner is not None and "".join(banner.itertext()).startswith("Does not fit: the design does not fit")
    assert "EBR blocks 36 of 30" in "".join(banner.itertext()) and "(120.0%)" in "".join(banner.itertext())
    assert rep["fit_warning"] in "".join(banner.itertext())
    assert f"WARNING: {rep['fit_warning']}" in stdout
    # The banner's red border is on screen, above the fold (1280 x 400).
    assert colour_count(screenshot(html, tmp_path, 400), BOTTLENECK_COLOUR) > 1500


def test_dataflow_diagram_of_a_residual_network(pages) -> None:
    from lowbitc.dialects.rtl import find_top

    ops = list(find_top(compile_to(CASES["resnet_w2a2"], "rtl", Options())).body.block.ops)
    root = parse_page(pages["resnet_w2a2"][1])
    svg = root.findall(f".//{SVG}svg")[2]
    nodes = svg.findall(f"{SVG}g")
    assert len(nodes) == len(ops) + 1  # every instance, plus in and out (rtl.output is 'out')
    titles = [n.findall(f"{SVG}text")[0].text for n in nodes]
    assert titles.count("dup") == 2 and sum(t.startswith("add ") for t in titles) == 2
    streams = svg.findall(f"{SVG}path[@class='stream']")
    assert len(streams) == sum(len(op.operands) for op in ops)  # one arrow per stream, forks and joins included
    # The skip FIFOs sit beside the branch: a second lane, level with the branch's first FIFO.
    boxes = {
        (float(n.find(f"{SVG}rect").get("x")), float(n.find(f"{SVG}rect").get("y"))): t for n, t in zip(nodes, titles)
    }
    # Each dup feeds a deep skip FIFO and a shallow branch FIFO (depths: passes/pipeline.py).
    pairs = {
        tuple(sorted((u.operation.depth.value.data for r in op.results for u in r.uses), reverse=True))
        for op in ops
        if op.name == "rtl.dup"
    }
    assert len(pairs) == 1
    ((skip_depth, branch_depth),) = pairs
    assert skip_depth > branch_depth
    skips = [xy for xy, t in boxes.items() if t == f"fifo depth {skip_depth}"]
    assert len(skips) == 2
    for x, y in skips:
        assert boxes.get((x - LANE_W, y)) == f"fifo depth {branch_depth}", (x, y)


def test_hostile_model_path_is_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "a&b\"c'<script>alert(1)<"  # with the file name, the path holds <script>alert(1)</script>
    folder.mkdir()
    model = folder / "script>.onnx"
    shutil.copy(CASES["tfc_w1a1_ts"], model)
    assert "<script>alert(1)</script>" in str(model)
    out = tmp_path / "r.html"
    r = lowbitc("report", model, "--html", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text.lower() and "alert(1)</" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "a&amp;b&quot;c&#x27;" in text
    assert parse_page(text).find("body/h1").text.endswith("<script>alert(1)</script>.onnx")


def _assert_one_line_error(r: subprocess.CompletedProcess, *fragments: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("lowbitc: error: "), r.stderr
    for f in fragments:
        assert f in r.stderr


def test_no_file_on_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00\xffnot protobuf" * 10)
    out = tmp_path / "out" / "r.html"
    out.parent.mkdir()
    _assert_one_line_error(lowbitc("report", junk, "--html", out), "junk.onnx")
    assert list(out.parent.iterdir()) == []
    missing = tmp_path / "no_such_folder" / "r.html"
    _assert_one_line_error(lowbitc("report", CASES["tfc_w1a1_ts"], "--html", missing), "does not exist")
    _assert_one_line_error(lowbitc("report", CASES["tfc_w1a1_ts"], "--html", out.parent), "is a directory")
    assert list(out.parent.iterdir()) == [] and not missing.parent.exists()


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        exe = shutil.which(name)
        if exe:
            return exe
    pytest.fail(
        f"headless Chromium is needed to check that the HTML report renders; install it with: {CHROMIUM_INSTALL}"
    )


def screenshot(html: Path, tmp_path: Path, height: int) -> np.ndarray:
    """``html`` as headless Chromium shows it in a 1280 x ``height`` window: the pixels."""
    shot = tmp_path / "shot.png"
    cmd = [
        find_chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        f"--window-size=1280,{height}",
        html.as_uri(),
    ]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0 and shot.is_file(), r.stderr[-2000:]
    return read_png(shot)


@pytest.mark.parametrize("name", CASES)
def test_renders_in_headless_chromium(pages, name: str, tmp_path: Path) -> None:
    html, _, rep, _ = pages[name]
    pixels = screenshot(html, tmp_path, 2000)
    assert pixels.shape[:2] == (2000, 1280)
    ink = np.any(pixels[..., :3] < 235, axis=-1).mean()
    assert 0.03 < ink < 0.6, f"page looks blank or broken: {ink:.3f} of the pixels are ink"
    # Bars: a bottleneck bar 640 px x 16 px at least, and the unit kinds' own colours.
    assert colour_count(pixels, BOTTLENECK_COLOUR) > 5000
    for kind in {layer["kind"] for layer in rep["layers"] if not layer["bottleneck"]} | {
        "mvu" if "tfc" in name else "mvu_int"
    }:
        assert colour_count(pixels, KIND_COLOURS[kind]) > 100, kind
