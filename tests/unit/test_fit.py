"""The one fit call, `fit.fit_check`: its typed result for a design that fits, one the resource
model puts over its part and one that certainly cannot be built there, the cost a caller passes
in, and a `report` run that prices the resource model once on its target."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from support.cli import MODELS

from lowbitc.backends.analysis import resource_model
from lowbitc.backends.analysis.fit import FitCheck, fit_check
from lowbitc.backends.target.devices import DEVICES, get_device
from lowbitc.cli import main
from lowbitc.options import Options
from lowbitc.pipeline import compile_to

TFC_W2A2 = MODELS / "generated" / "tfc_w2a2.onnx"
UP5K = get_device("ice40-up5k")


@pytest.fixture(scope="module")
def overfull_rtl():
    """TFC w2a2 folded for the iCE40 UP5K: the model says 118.5% of its LUTs."""
    return compile_to(TFC_W2A2, "rtl", Options(target="ice40-up5k"))


class Pricings:
    """How often the resource model priced a design on each device. Counted per instance in
    `resource_model.instance_cost`, which every pricing calls through the module however its
    caller imported `design_cost`: a design's count is that of its most priced instance."""

    def __init__(self) -> None:
        self.per_instance: Counter = Counter()

    def count(self, device: str) -> int:
        return max((n for (d, _), n in self.per_instance.items() if d == device), default=0)

    def devices(self) -> list[str]:
        """The devices priced on, in the order of their first pricing."""
        return list(dict.fromkeys(d for d, _ in self.per_instance))


@pytest.fixture
def pricings(monkeypatch) -> Pricings:
    found = Pricings()
    price = resource_model.instance_cost

    def counted(op, device, **kwargs):
        found.per_instance[device.name, id(op)] += 1
        return price(op, device, **kwargs)

    monkeypatch.setattr(resource_model, "instance_cost", counted)
    return found


def test_a_target_without_fabric_has_no_limits(overfull_rtl, pricings) -> None:
    assert fit_check(overfull_rtl, get_device("generic")) == FitCheck((), (), None, None)
    assert fit_check(overfull_rtl, get_device("generic")).messages == ()
    assert not pricings.devices()


def test_an_overfull_design_gets_the_warning_only(overfull_rtl) -> None:
    fit = fit_check(overfull_rtl, UP5K)
    assert fit.shortfalls == () and fit.problem is None  # the certain floor does not fire
    assert [s.resource for s in fit.overfull] == ["brams"]  # fold-wide streams: LUTs, FFs and DSPs are not short
    assert all(s.needed > s.available for s in fit.overfull)
    assert fit.warning is not None and fit.messages == (fit.warning,)
    assert fit.warning.startswith("the design does not fit ice40-up5k by the structural resource model: EBR ")
    assert "EBR blocks 36 of 30 (120.0%)" in fit.warning and "larger part such as" in fit.warning


def test_a_design_that_cannot_be_built_gets_both(pricings) -> None:
    cnv = compile_to(MODELS / "bnnpynq_cnv_1w1a_ts.onnx", "rtl", Options(target="ice40-up5k"))
    fit = fit_check(cnv, UP5K)
    assert [s.resource for s in fit.shortfalls] == ["on-chip memory (weights, line buffers, FIFOs)"]
    assert fit.problem is not None and fit.problem.startswith("the design does not fit ice40-up5k: on-chip memory")
    assert "needs at least 1,609,178 bits of" in fit.problem  # window rings of 2 KH rows, pools Wo words
    assert fit.warning is not None and fit.messages == (fit.problem, fit.warning)
    assert pricings.count("ice40-up5k") == 1


def test_a_given_cost_is_not_priced_again(overfull_rtl, pricings) -> None:
    cost = resource_model.design_cost(overfull_rtl, UP5K)
    pricings.per_instance.clear()
    given = fit_check(overfull_rtl, UP5K, cost)
    assert pricings.count("ice40-up5k") == 0
    assert given == fit_check(overfull_rtl, UP5K)  # the same findings as pricing it here


def test_the_advice_prices_larger_parts_smallest_first_until_one_fits(overfull_rtl, pricings) -> None:
    fit = fit_check(overfull_rtl, UP5K)
    others = [name for name in pricings.devices() if name != "ice40-up5k"]
    luts = {name: DEVICES[name].fabric.logic.luts for name in others}
    assert others and others == sorted(others, key=luts.get)  # smallest first ...
    assert f"larger part such as {others[-1]}" in (fit.warning or "")  # ... stopping at the first that fits
    assert all(pricings.count(name) == 1 for name in pricings.devices())


@pytest.mark.parametrize(
    ("model", "target"), [(MODELS / "tfc_w1a1_ts.onnx", "xc7z020"), (TFC_W2A2, "ice40-up5k")], ids=["fits", "overfull"]
)
def test_a_report_prices_its_target_once(model: Path, target: str, pricings, tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.json"
    assert main(["report", str(model), "--target", target, "--json", str(out), "--html", str(tmp_path / "r.html")]) == 0
    capsys.readouterr()
    rep = json.loads(out.read_text())
    assert rep["weights"]["fits_on_chip"]  # nothing streamed: the table's cost is the fit check's
    assert pricings.count(target) == 1
    # A design that fits prices nothing else; an overfull one also each larger part it tries, once.
    assert (rep["fit_warning"] is None) == (pricings.devices() == [target])
    assert all(pricings.count(name) == 1 for name in pricings.devices())
