"""A reset in the middle of a frame, unit by unit: after it the unit must behave exactly as after
power-on, whatever it held (line-buffer rows and window history in lowbit_swg, the ring of rows
and the reader's position in lowbit_swg_ram, a pool's window,
the padding position in lowbit_pad, a half-assembled group in lowbit_collect, partial sums,
the fold position and the held weight word of a plane-serial fold in lowbit_mvu).

The cases, their sources (one cached build each, shared with the unit's own tests) and their
references come from the unit's test module; the harness streams every input again after the
reset and the outputs must equal the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import test_collect as collect
import test_mvu as mvu
import test_mvu_planes as planes
import test_pad as pad
import test_pool as pool
import test_swg as swg
import test_swg_ram as swg_ram

from lowbitc.backends.runtime.sim.verilator import SimResult


@dataclass(frozen=True)
class Unit:
    name: str
    run: Callable[..., SimResult]
    want: Callable[[], list[int]]
    n_inputs: int
    frame: int  # input beats per frame (a group for the collector, a vector for the MVU)

    def __str__(self) -> str:
        return self.name


def _frames(module, cfg) -> Unit:
    """A map unit (window generator, pool, pad): its case's frames of H x W pixels."""
    c = module.case(cfg)
    name = f"{module.__name__.removeprefix('test_')}_{cfg}"
    return Unit(name, c.run, c.reference, module.N_FRAMES * cfg.H * cfg.W, cfg.H * cfg.W)


def _collect(cfg: tuple[int, int]) -> Unit:
    def run(**kw) -> SimResult:
        return collect.run(cfg, **kw)[0]

    def want() -> list[int]:
        return collect.reference(*cfg, collect.beats(*cfg))

    return Unit(f"collect_{collect.cfg_id(cfg)}", run, want, collect.N_GROUPS * cfg[1], cfg[1])


def _mvu(module, cfg) -> Unit:
    c = module.case(cfg)
    return Unit(f"{module.__name__.removeprefix('test_')}_{cfg}", c.run, c.reference, len(c.inputs()), 1)


UNITS = [
    *(_frames(swg, cfg) for cfg in swg.CFGS),
    _frames(swg_ram, swg_ram.CFGS[1]),  # whole-pixel words, 3 beats a pixel
    _frames(swg_ram, swg_ram.CFGS[2]),  # G-element banks, stride 2
    _frames(swg_ram, swg_ram.CFGS[7]),  # one window row a frame
    _frames(swg_ram, swg_ram.CFGS[12]),  # rows between windows (SH > KH)
    _frames(pool, pool.CFGS[1]),  # overlapping 3x3/2
    _frames(pool, pool.CFGS[3]),  # 2-bit signed max
    _frames(pad, pad.CFGS[0]),  # 8-bit, pads 1
    _frames(pad, pad.CFGS[3]),  # asymmetric pads, widened
    _frames(pad, pad.CFGS[10]),  # pads larger than the frame
    *(_collect(cfg) for cfg in collect.CFGS),
    _mvu(mvu, mvu.CFGS[0]),  # fully folded: PE = SIMD = 1
    _mvu(mvu, mvu.CFGS[4]),  # NF = 5: threshold table index and output assembly
    _mvu(planes, planes.CFGS[1]),  # plane-serial, folded, thresholds
    _mvu(planes, planes.CFGS[6]),  # plane-serial, raw sums
]

# (stall_in, stall_out, reset_cycles): a single-cycle reset as well as the usual four cycles.
RUNS = [(0.0, 0.0, 4), (0.3, 0.3, 1), (0.0, 0.9, 1), (0.7, 0.2, 2)]


def reset_points(u: Unit) -> list[int]:
    """Early in the first frame, mid-frame, inside the second frame, and after the last beat."""
    points = {1, u.frame // 2 + 1, u.frame + u.frame // 2 + 1, u.n_inputs}
    return sorted(r for r in points if 1 <= r <= u.n_inputs)


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_unit_recovers_from_reset_mid_frame(unit: Unit) -> None:
    want = unit.want()
    for r in reset_points(unit):
        for k, (stall_in, stall_out, cycles) in enumerate(RUNS):
            res = unit.run(
                stall_in=stall_in, stall_out=stall_out, seed=31 * r + k, reset_after_beats=r, reset_cycles=cycles
            )
            where = (
                f"{unit}: reset after beat {r} ({res.inputs_before_reset} taken), {cycles} cycles, "
                f"stalls {stall_in}/{stall_out}"
            )
            assert res.outputs == want, where
            assert res.outputs_before_reset == want[: len(res.outputs_before_reset)], where
            assert res.reset_cycle is not None and min(res.in_accept_cycles) > res.reset_cycle, where
