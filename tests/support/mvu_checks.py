"""The checks every lowbit_mvu lane kind passes (XNOR, integer, bit-plane, border cases), given a
case with `run(...)` and `reference()` and a configuration with `II` and `latency`."""

from __future__ import annotations

import numpy as np

from support.hw import diff_msg


def check_exact_ii_latency(c, cfg) -> None:
    """No stalls: exact outputs, every handshake exactly II cycles after the previous one from
    the first vector on, and the documented latency."""
    want = c.reference()
    r = c.run()
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)
    gaps = np.diff(r.out_accept_cycles)
    assert (gaps == cfg.II).all(), f"{cfg}: output spacing {gaps.tolist()}, want {cfg.II}"
    in_gaps = np.diff(r.in_accept_cycles[1:])
    assert (in_gaps == cfg.II).all(), f"{cfg}: input spacing {in_gaps.tolist()}"
    assert r.out_accept_cycles[0] - r.in_accept_cycles[0] == cfg.latency
    assert r.total_cycles == r.out_accept_cycles[-1] + 1


def check_random_stalls(c, cfg, seed: int) -> None:
    want = c.reference()
    r = c.run(stall_in=0.3, stall_out=0.3, seed=seed)
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)
    assert len(r.in_accept_cycles) == len(want)


def check_heavy_backpressure(c, cfg) -> None:
    """A consumer much slower than the unit: the output FIFO fills and the datapath must freeze
    mid-stream without losing or corrupting anything."""
    want = c.reference()
    r = c.run(stall_in=0.1, stall_out=0.97, seed=7)
    assert r.outputs == want, diff_msg(r.outputs, want, cfg)


def check_latency_when_idle(c, cfg) -> None:
    """Vectors spaced far apart each see exactly the documented latency."""
    r = c.run(stall_in=0.97, seed=3)
    assert r.outputs == c.reference()
    lat = [o - i for i, o in zip(r.in_accept_cycles, r.out_accept_cycles)]
    idle = [lat[j] for j in range(1, len(lat)) if r.in_accept_cycles[j] > r.out_accept_cycles[j - 1]]
    assert idle and all(v == cfg.latency for v in idle), (lat, cfg.latency)
