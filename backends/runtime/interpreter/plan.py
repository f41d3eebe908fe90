"""An interpreter plan: the entry function's ops as a straight list of steps over numbered
values, and the one loop that runs it (`execute`).

`planner.py` builds a plan from the IR of any stage; this module needs numpy alone, so a plan
that pickles (every step a function of `steps.py`/`spatial.py`/`values.py` with its constants
bound) runs without importing xDSL or onnx: `lowbitc run` caches plans (plan_cache.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Step:
    fn: Callable[..., Any]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    """Value numbers; a step with several outputs returns a tuple."""
    name: str
    """The op's name, for errors and profiles."""


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    values: int
    """How many values the steps number; value 0 is the input frames."""
    result: int
    frame_shape: tuple[int, ...]
    frames_per_chunk: int
    """Frames run in chunks whose largest intermediate is about CHUNK_BYTES (planner.py)."""
    picklable: bool
    """False when a step calls back into xDSL's interpreter (co-simulation units), which also
    want all frames in one call (a simulated accelerator streams the whole batch)."""

    def run_chunk(self, frames: np.ndarray) -> np.ndarray:
        last_use = self.last_use
        values: list[Any] = [None] * self.values
        values[0] = frames
        for i, step in enumerate(self.steps):
            out = step.fn(*(values[v] for v in step.inputs))
            if len(step.outputs) == 1:
                values[step.outputs[0]] = out
            else:
                for v, o in zip(step.outputs, out, strict=True):
                    values[v] = o
            for v in step.inputs:  # free intermediates as soon as nothing reads them again
                if last_use[v] == i and v != self.result:
                    values[v] = None
        return values[self.result]

    @functools.cached_property
    def last_use(self) -> list[int]:
        """The index of the last step reading each value (computed once per plan)."""
        last = [-1] * self.values
        for i, step in enumerate(self.steps):
            for v in step.inputs:
                last[v] = i
        return last


def execute(plan: Plan, frames: np.ndarray) -> np.ndarray:
    """Run ``plan`` on ``frames`` ([N, *frame shape]) and return its result, chunk by chunk
    (frames are independent) unless the plan wants the whole batch."""
    step = plan.frames_per_chunk if plan.picklable else len(frames)
    if step >= len(frames):
        return plan.run_chunk(frames)
    return np.concatenate([plan.run_chunk(frames[s : s + step]) for s in range(0, len(frames), step)])
