"""backends/target/devices.py: one consistent, sourced entry per device."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lowbitc.backends.target import devices
from lowbitc.backends.target.devices import DEVICES, Family, LogicCell, get_device
from lowbitc.errors import LowbitcError

REAL = [d for d in DEVICES.values() if d.fabric is not None]
EXPECTED = {
    "generic",
    "ice40-up5k",
    "ecp5-85f",
    "xc7z020",
    "xczu7ev",
    "xc7vx690t",
    "arria10-gx1150",
    "stratix10-gx2800",
}


def test_the_library() -> None:
    assert set(DEVICES) == EXPECTED
    assert all(name == d.name for name, d in DEVICES.items())
    assert DEVICES["generic"].fabric is None  # an abstract target: no capacities to invent
    assert {d.fabric.family for d in REAL} == set(Family)


@pytest.mark.parametrize("dev", DEVICES.values(), ids=lambda d: d.name)
def test_pass_fields_positive(dev) -> None:
    assert dev.clock_mhz > 0 and dev.lut_level_ns > 0 and dev.default_lanes > 0
    assert 1000 / dev.clock_mhz >= dev.lut_level_ns  # at least one LUT level fits in a clock period


@pytest.mark.parametrize("dev", REAL, ids=lambda d: d.name)
def test_fabric_figures(dev) -> None:
    fab = dev.fabric
    assert fab.logic.count > 0 and fab.logic.luts >= fab.logic.count
    assert fab.ffs >= fab.logic.count  # every family has at least one flip-flop per logic cell
    assert fab.dsps > 0 and fab.rams and all(r.count > 0 for r in fab.rams)
    assert fab.dram_gbps is None or fab.dram_gbps > 0
    assert fab.part and fab.board
    if fab.logic.cell is LogicCell.ALM:
        assert fab.family is Family.INTEL and 1.0 <= fab.logic.lut_equivalent <= 2.0
        assert fab.ffs == 4 * fab.logic.count  # four registers per ALM (Intel device overviews)
    else:
        assert fab.logic.lut_equivalent == 1.0
        assert fab.logic.cell is (LogicCell.LUT4 if fab.family in (Family.ICE40, Family.ECP5) else LogicCell.LUT6)
    if fab.family in (Family.XILINX7, Family.XILINXUS):
        assert fab.ffs == 2 * fab.logic.count  # two flip-flops per LUT6 in a slice (UG474, UG574)
    if fab.family is Family.ICE40:
        assert fab.package  # nextpnr needs it


@pytest.mark.parametrize(
    "ram",
    sorted({r for d in REAL for r in d.fabric.rams}, key=lambda r: (r.name, r.count)),
    ids=lambda r: f"{r.name}x{r.count}",
)
def test_ram_geometry(ram) -> None:
    assert ram.bits >= ram.data_bits > 0
    assert len(set(ram.modes)) == len(ram.modes)
    for depth, width in ram.modes:
        assert depth & (depth - 1) == 0, f"{ram.name}: depth {depth} is not a power of two"
        assert depth * width in (ram.bits, ram.data_bits), f"{ram.name}: {depth} x {width}"
    assert any(d * w == ram.bits for d, w in ram.modes)  # the full capacity is reachable


def test_known_geometries() -> None:
    z = get_device("xc7z020").fabric
    assert (z.bram.name, z.bram.bits, z.bram.max_width) == ("RAMB36", 36864, 72)
    up = get_device("ice40-up5k").fabric
    assert [(r.name, r.count, r.bits) for r in up.rams] == [("EBR", 30, 4096), ("SPRAM", 4, 262144)]
    assert get_device("arria10-gx1150").fabric.bram.modes[0] == (512, 40)
    assert get_device("ecp5-85f").fabric.bram.bits == 18 * 1024


def test_every_figure_has_a_source() -> None:
    """Each device's fabric (the constant its `Device(` row names) follows comments naming a data
    sheet, user guide or overview."""
    text = Path(devices.__file__).read_text()
    for name in EXPECTED - {"generic"}:
        rows = re.findall(rf'Device\("{re.escape(name)}", [^)]*, (\w+)\)', text)
        assert len(rows) == 1, name
        fabric = re.search(rf"((?:^#.*\n)+){rows[0]} = _fabric\(", text, re.MULTILINE)
        assert fabric is not None, name
        assert re.search(r"(DS\d+|FPGA-DS-\d+|UG\d+|Device Overview|User Guide|manual)", fabric.group(1)), name


def test_get_device_error() -> None:
    with pytest.raises(LowbitcError, match="unknown target device 'stratix99'; choose one of: generic, ice40-up5k"):
        get_device("stratix99")


@pytest.mark.parametrize(
    ("board", "part"),
    [
        ("pynq-z2", "xc7z020"),
        ("PYNQ-Z1", "xc7z020"),
        ("zcu104", "xczu7ev"),
        ("iCEBreaker", "ice40-up5k"),
        ("ulx3s", "ecp5-85f"),
        ("vc709", "xc7vx690t"),
    ],
)
def test_boards_are_aliases_of_their_parts(board: str, part: str) -> None:
    assert get_device(board) is DEVICES[part]


def test_every_board_names_a_part_whose_board_it_is() -> None:
    assert set(devices.BOARDS.values()) <= set(DEVICES) - {"generic"}
    for part in {d.name for d in REAL}:  # each part's own board is among its aliases
        board = DEVICES[part].fabric.board.lower().split(" ")[0]
        assert any(b.startswith(board[:5]) for b, p in devices.BOARDS.items() if p == part), part
    with pytest.raises(LowbitcError, match=r"boards: icebreaker \(= ice40-up5k\), .*pynq-z2 \(= xc7z020\)"):
        get_device("pynq-z3")
