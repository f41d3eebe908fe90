"""lowbit_collect (N beats of WI bits -> one beat of N*WI bits) under Verilator."""

from __future__ import annotations

import random
from functools import cache

import numpy as np
import pytest
from support.hw import stream_top

from lowbitc.backends.runtime.sim.verilator import LintError, SimResult, lint, simulate
from lowbitc.backends.verilog.library import library_sources

N_GROUPS = 30

# (WI, N): N == 1 is a plain register stage; 70 bits in / 140 out exercise
# VlWide ports; N = 7 is not a power of two.
CFGS = [(1, 1), (70, 2), (5, 7)]


def cfg_id(cfg: tuple[int, int]) -> str:
    return f"WI{cfg[0]}_N{cfg[1]}"


def wrapper(wi: int, n: int) -> str:
    return stream_top("lowbit_collect", {"WI": wi, "N": n}, wi, n * wi)


@cache
def sources(wi: int, n: int) -> dict[str, str]:
    return {"dut_top.v": wrapper(wi, n), **library_sources()}


def beats(wi: int, n: int) -> list[int]:
    rnd = random.Random(wi * 1000 + n)
    return [rnd.getrandbits(wi) for _ in range(N_GROUPS * n)]


def reference(wi: int, n: int, data: list[int]) -> list[int]:
    return [sum(data[g * n + i] << (i * wi) for i in range(n)) for g in range(len(data) // n)]


def run(cfg: tuple[int, int], **kw) -> tuple[SimResult, list[int]]:
    wi, n = cfg
    data = beats(wi, n)
    r = simulate(sources(wi, n), "dut_top", wi, n * wi, data, expected_outputs=N_GROUPS, **kw)
    return r, reference(wi, n, data)


@pytest.mark.parametrize("cfg", CFGS, ids=cfg_id)
def test_collect_lint(cfg: tuple[int, int]) -> None:
    lint(sources(*cfg), "dut_top")


@pytest.mark.parametrize("cfg", CFGS, ids=cfg_id)
def test_collect_no_stall_exact_and_timing(cfg: tuple[int, int]) -> None:
    n = cfg[1]
    r, want = run(cfg)
    assert r.outputs == want
    c0 = r.in_accept_cycles[0]
    assert r.in_accept_cycles == list(range(c0, c0 + N_GROUPS * n)), "input not accepted every cycle"
    # Documented latency: 1 cycle after the group's last beat; hence one
    # output every N cycles.
    last = [r.in_accept_cycles[g * n + n - 1] for g in range(N_GROUPS)]
    assert [o - t for o, t in zip(r.out_accept_cycles, last)] == [1] * N_GROUPS
    assert set(np.diff(r.out_accept_cycles).tolist()) == {n}


@pytest.mark.parametrize("stall_in,stall_out", [(0.3, 0.3), (0.7, 0.7), (0.0, 0.7), (0.7, 0.0)])
@pytest.mark.parametrize("cfg", CFGS, ids=cfg_id)
def test_collect_random_stalls(cfg: tuple[int, int], stall_in: float, stall_out: float) -> None:
    r, want = run(cfg, stall_in=stall_in, stall_out=stall_out, seed=int(10 * stall_in + 100 * stall_out) + 2)
    assert r.outputs == want
    assert len(r.in_accept_cycles) == N_GROUPS * cfg[1]


@pytest.mark.parametrize("cfg", CFGS, ids=cfg_id)
def test_collect_buffers_two_groups_under_backpressure(cfg: tuple[int, int]) -> None:
    """Consumer mostly stalled, input always valid: the unit holds at most
    two groups (out register + assembly register) and does fill both."""
    n = cfg[1]
    r, want = run(cfg, stall_in=0.0, stall_out=0.95, seed=9)
    assert r.outputs == want
    ins = np.array(r.in_accept_cycles)
    outs = np.array(r.out_accept_cycles)
    # Beats inside the unit right after each input handshake.
    held = np.arange(1, len(ins) + 1) - n * np.searchsorted(outs, ins, side="right")
    assert held.max() == 2 * n, held.max()


@pytest.mark.parametrize("wi,n", [(8, 4), (1, 2), (13, 1), (3, 8), (2, 16), (256, 3)])
def test_collect_module_lint(wi: int, n: int) -> None:
    lint(sources(wi, n), "dut_top")


def test_collect_lints_standalone() -> None:
    lint(library_sources(), "lowbit_collect")


def test_collect_rejects_bad_params() -> None:
    src = wrapper(4, 1).replace(".N(1)", ".N(0)")
    with pytest.raises(LintError, match="lowbit_collect_requires_WI_and_N_at_least_1"):
        lint({"dut_top.v": src, **library_sources()}, "dut_top")
