"""backends/eda/synth_split.py: the split of each top-level instance by the library modules it
is built from, on Yosys's per-module cell counts as `stat -json` gives them (no tool run: the
real run is bench/units.py's, on the corpus)."""

from __future__ import annotations

from lowbitc.backends.eda.synth import yosys_script
from lowbitc.backends.eda.synth_split import OWN, library_module, split_modules
from lowbitc.backends.eda.synth_stats import Figures
from lowbitc.backends.target.devices import Family

# A top with a unit (own logic, two lanes of one derived module, a FIFO below which sits a
# register module) and a ROM, as Yosys names derived modules with and without a parameter hash.
LANE = "$paramod$3f2a\\lowbit_mvu_lane"
FIFO = "$paramod\\lowbit_fifo\\W=s32'00000000000000000000000000001000"
REGS = "$paramod$9c\\lowbit_regs"
MODULES = {
    "accel": {"$paramod\\lowbit_mvu\\PE=2": 1, "accel_l0_weights": 1, "IBUF": 3},
    "$paramod\\lowbit_mvu\\PE=2": {"LUT6": 4, "FDRE": 10, LANE: 2, FIFO: 1},
    LANE: {"LUT6": 5, "CARRY4": 1},
    FIFO: {"LUT3": 1, "FDRE": 8, REGS: 1},
    REGS: {"FDRE": 2},
    "accel_l0_weights": {"RAMB18E1": 1, "FDRE": 16},
}
TOP_CELLS = {"u1_mvu": "$paramod\\lowbit_mvu\\PE=2", "u1_weights": "accel_l0_weights", "ibuf0": "IBUF"}


def test_library_module_names() -> None:
    assert library_module(LANE) == "lowbit_mvu_lane"
    assert library_module(FIFO) == "lowbit_fifo"
    assert library_module("accel_l0_weights") == "accel_l0_weights"


def test_split_by_library_module() -> None:
    split = split_modules(MODULES, TOP_CELLS, Family.XILINX7)
    assert set(split) == {"u1_mvu", "u1_weights"}  # the top's primitives are glue, not instances
    mvu = split["u1_mvu"]
    assert mvu[OWN] == Figures(luts=4, ffs=10)
    assert mvu["lowbit_mvu_lane"] == Figures(luts=10, carry=2)  # both lanes
    assert mvu["lowbit_fifo"] == Figures(luts=1, ffs=10)  # with the module below it
    assert split["u1_weights"] == {OWN: Figures(ffs=16, brams=0.5)}


def test_nested_script_keeps_every_boundary() -> None:
    xc7 = yosys_script("accel", Family.XILINX7, flat=False, abc9=False, nested=True)
    assert "synth_xilinx -family xc7 -top accel\n" in xc7 and "keep_hierarchy" not in xc7
    assert "dump -o top.il accel/c:*" in xc7
    assert "synth_ice40 -noflatten -top t" in yosys_script("t", Family.ICE40, flat=False, abc9=False, nested=True)
