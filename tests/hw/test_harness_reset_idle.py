"""The co-simulation harness's mid-run reset and idle gaps (tb_axis.cpp, `simulate`), on
lowbit_fifo and on small designs built to misbehave."""

from __future__ import annotations

import random

import numpy as np
import pytest
from support.hw import behavioural_top, fifo_top

from lowbitc.backends.runtime.sim.verilator import SimulationTimeout, simulate

N = 40


DATA = [random.Random(5).getrandbits(8) for _ in range(N)]


@pytest.mark.parametrize("reset_cycles", [1, 4])
@pytest.mark.parametrize("stall_in,stall_out", [(0.0, 0.0), (0.3, 0.3), (0.0, 0.95)])
def test_reset_restarts_the_stream(stall_in: float, stall_out: float, reset_cycles: int) -> None:
    """Everything before the reset is reported apart; afterwards all beats are streamed again
    and the result holds exactly the handshakes after the reset."""
    r = simulate(
        fifo_top(8, 3),
        "fifo_top",
        8,
        8,
        DATA,
        stall_in=stall_in,
        stall_out=stall_out,
        seed=4,
        reset_after_beats=10,
        reset_cycles=reset_cycles,
    )
    assert r.outputs == DATA
    assert r.reset_cycle is not None and 10 <= r.inputs_before_reset <= 10 + 64
    assert r.outputs_before_reset == DATA[: len(r.outputs_before_reset)]
    assert len(r.in_accept_cycles) == N and len(r.out_accept_cycles) == N
    # Nothing is taken while rst is high.
    assert min(r.in_accept_cycles + r.out_accept_cycles) >= r.reset_cycle + reset_cycles
    assert r.total_cycles == r.out_accept_cycles[-1] + 1


def test_reset_withdraws_a_waiting_output_beat() -> None:
    """A beat waiting for out_tready when rst rises may vanish: that is no protocol error."""
    pending = [
        simulate(
            fifo_top(8, 3), "fifo_top", 8, 8, DATA, stall_out=0.95, seed=s, reset_after_beats=20
        ).output_pending_at_reset
        for s in range(4)
    ]
    assert any(pending), "no seed met a waiting output beat"


def test_reset_after_the_last_beat() -> None:
    r = simulate(fifo_top(8, 3), "fifo_top", 8, 8, DATA, stall_out=0.5, seed=2, reset_after_beats=N)
    assert r.inputs_before_reset == N and r.outputs == DATA


def numbering(clear_on_reset: bool) -> dict[str, str]:
    """Adds the beat's index to each beat. The index counter has a power-on value; unless
    clear_on_reset, rst does not clear it: the bug class a mid-run reset exists to find."""
    clear = "if (rst) n <= 8'd0; else " if clear_on_reset else ""
    body = f"""reg [7:0] n = 8'd0;
reg [7:0] q;
reg v;
assign in_tready = !v || out_tready;
assign out_tvalid = v;
assign out_tdata = q;
always @(posedge clk) begin
    if (rst) v <= 1'b0;
    else if (in_tvalid && in_tready) v <= 1'b1;
    else if (out_tready) v <= 1'b0;
    if (in_tvalid && in_tready) q <= in_tdata + n;
    {clear}if (in_tvalid && in_tready) n <= n + 8'd1;
end"""
    return behavioural_top("numbering", body)


@pytest.mark.parametrize("clear_on_reset", [False, True])
def test_reset_exposes_state_that_only_power_on_clears(clear_on_reset: bool) -> None:
    want = [(d + i) & 0xFF for i, d in enumerate(DATA)]
    srcs = numbering(clear_on_reset)
    assert simulate(srcs, "numbering", 8, 8, DATA, stall_in=0.3, stall_out=0.3, seed=1).outputs == want
    r = simulate(srcs, "numbering", 8, 8, DATA, stall_in=0.3, stall_out=0.3, seed=1, reset_after_beats=7)
    assert (r.outputs == want) == clear_on_reset


def test_idle_gaps_do_not_count_towards_the_timeout() -> None:
    """Gaps 50 times longer than the timeout after every 10 beats (not after the last one)."""
    gap = 5000
    r = simulate(
        fifo_top(8, 3),
        "fifo_top",
        8,
        8,
        DATA,
        stall_in=0.2,
        stall_out=0.2,
        seed=3,
        idle_every=10,
        idle_cycles=gap,
        timeout_cycles=100,
    )
    assert r.outputs == DATA
    spacing = np.diff(r.in_accept_cycles)
    assert (spacing[9::10] > gap).all() and (np.delete(spacing, np.s_[9::10]) < 100).all()
    # The FIFO drains in every gap.
    assert r.out_accept_cycles[9] < r.in_accept_cycles[9] + gap
    assert r.total_cycles < 3 * gap + 1000


def test_idle_gaps_with_a_reset() -> None:
    """The gap counter restarts with the stream; a reset inside a gap ends it."""
    r = simulate(
        fifo_top(8, 3),
        "fifo_top",
        8,
        8,
        DATA,
        stall_out=0.5,
        seed=8,
        idle_every=4,
        idle_cycles=300,
        reset_after_beats=12,
    )
    assert r.outputs == DATA
    assert (np.diff(r.in_accept_cycles)[3::4] > 300).all()


def test_idle_gaps_still_time_out_on_a_deadlock() -> None:
    srcs = behavioural_top("sink", "assign in_tready = 1'b1; assign out_tvalid = 1'b0; assign out_tdata = 8'd0;")
    with pytest.raises(SimulationTimeout, match=r"no handshake for 50 cycles.*3/3 inputs accepted, 0/3"):
        simulate(srcs, "sink", 8, 8, [1, 2, 3], timeout_cycles=50, idle_every=1, idle_cycles=1000)


@pytest.mark.parametrize(
    "kw,msg",
    [
        ({"reset_after_beats": N + 1}, "reset_after_beats"),
        ({"reset_after_beats": -1}, "reset_after_beats"),
        ({"reset_after_beats": 3, "reset_cycles": 0}, "reset_cycles"),
        ({"idle_every": 5}, "idle_every and idle_cycles"),
        ({"idle_cycles": 5}, "idle_every and idle_cycles"),
        ({"idle_every": -1, "idle_cycles": 5}, "idle_every and idle_cycles"),
    ],
)
def test_option_validation(kw: dict, msg: str) -> None:
    with pytest.raises(ValueError, match=msg):
        simulate(fifo_top(8, 3), "fifo_top", 8, 8, DATA, **kw)
