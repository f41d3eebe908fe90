"""Stream robustness of whole generated accelerators in Verilator: a reset in the middle of a
frame, long idle gaps between bursts, and several stall rates on both handshakes.

Each design is compiled once to the rtl stage and co-simulated through the interpreter (the
host prologue and epilogue in numpy, `rtl.invoke` in Verilator with the testbench options under
test); its outputs must equal the interpreter's on the pipeline stage, bit for bit. A mid-frame
reset must leave no trace: partial line-buffer windows, half-filled FIFOs, partial MVU sums,
collectors mid-group and dup/add units holding one side are all discarded, and the frames
streamed again from the first beat come out exactly as in a clean run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import Any

import numpy as np
import pytest
from support.cli import MODELS
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from lowbitc.backends.runtime.interpreter import entry_function, run_module
from lowbitc.backends.runtime.sim.cosim import beats_per_frame, decode_frames, encode_frames
from lowbitc.backends.runtime.sim.verilator import SimResult, simulate
from lowbitc.backends.verilog.emit import byte_width, emit_sources
from lowbitc.dialects import rtl
from lowbitc.dialects.rtl import find_top
from lowbitc.pipeline import compile_to

MODELS_UNDER_TEST = {
    "tfc_w1a1": ("tfc_w1a1_ts.onnx", "tfc_w1a1_in.npy"),  # dense MLP: one beat per frame
    "cnv_w1a1": ("cnv_small_w1a1_dynamo.onnx", "cnv_small_w1a1_in.npy"),  # line buffers, pools, collector
    "cnv_w2a2": ("cnv_small_w2a2_ts.onnx", "cnv_small_w2a2_in.npy"),  # 2-bit maps and weights
    "resnet_w2a2": ("generated/resnet_w2a2.onnx", "generated/resnet_w2a2_in.npy"),  # pad, dup, skip FIFO, add
}
NAMES = list(MODELS_UNDER_TEST)

# Enough frames that the input is back-pressured while outputs come out, so a reset can meet
# the design with every stage busy; the extra frames are random, so that a frame never
# follows an identical one and stale state cannot pass for fresh.
N_FRAMES = 8

# The timeout counts cycles without any handshake: far above the slowest layer's interval.
TIMEOUT = 200_000


@dataclass(frozen=True)
class Design:
    name: str
    rtl_module: Any
    frames: np.ndarray
    reference: np.ndarray  # the interpreter on the pipeline stage
    in_beats: int  # input beats per frame
    top: str
    sources: dict[str, str]
    in_width: int
    out_width: int
    logical_out: int


@cache
def design(name: str) -> Design:
    model, inputs = MODELS_UNDER_TEST[name]
    given = np.load(MODELS / inputs)
    extra = np.random.default_rng(17).uniform(-1, 1, (N_FRAMES - len(given),) + given.shape[1:])
    frames = np.concatenate([given, extra.astype(given.dtype)])
    reference = run_module(compile_to(MODELS / model, "pipeline"), frames)
    module = compile_to(MODELS / model, "rtl")
    top, sources = emit_sources(module)
    (invoke,) = [op for op in entry_function(module).walk() if isinstance(op, rtl.InvokeOp)]
    t = find_top(module)
    return Design(
        name,
        module,
        frames,
        reference,
        beats_per_frame(invoke.input.type),
        top,
        sources,
        byte_width(t.input_width),
        byte_width(t.output_width),
        t.output_width,
    )


@register_impls
class StreamedInvoke(InterpreterFunctions):
    """`rtl.invoke` in Verilator with the given testbench options; keeps the SimResult."""

    def __init__(self, d: Design, **options: Any):
        super().__init__()
        self.design, self.options = d, options
        self.result: SimResult | None = None

    @impl(rtl.InvokeOp)
    def run_invoke(self, interpreter: Interpreter, op: rtl.InvokeOp, args: tuple[Any, ...]):
        d, frames = self.design, args[0].shape[0]
        beats = encode_frames(args[0], op.input.type)
        assert len(beats) == frames * d.in_beats
        options = {"timeout_cycles": TIMEOUT, **self.options}
        self.result = simulate(
            d.sources,
            d.top,
            d.in_width,
            d.out_width,
            beats,
            expected_outputs=frames * beats_per_frame(op.output.type),
            **options,
        )
        return (decode_frames(self.result.outputs, op.output.type, d.logical_out, frames),)


def cosim(d: Design, **options: Any) -> SimResult:
    """Run all frames through the design; the outputs must equal the interpreter's exactly."""
    streamed = StreamedInvoke(d, **options)
    out = run_module(d.rtl_module, d.frames, (streamed,))
    assert streamed.result is not None
    np.testing.assert_array_equal(out, d.reference, err_msg=f"{d.name} with {options}")
    return streamed.result


@cache
def clean_run(name: str) -> SimResult:
    return cosim(design(name))


def reset_points(name: str) -> dict[str, int]:
    """Input beats after which the reset is triggered (it lands 1 to 64 cycles later)."""
    d, clean = design(name), clean_run(name)
    n = d.in_beats
    # Inputs accepted by the time the second output is taken: from then on outputs are flowing
    # and, with out_tready mostly low, waiting.
    flowing = int(np.searchsorted(clean.in_accept_cycles, clean.out_accept_cycles[1])) + 1
    assert flowing < N_FRAMES * n, "the design took all input before its second output"
    if n == 1:  # one beat per frame (the MLP): the reset meets frames being computed
        return {"first_frame": 1, "later_frame": 3, "outputs_flowing": flowing}
    return {"first_frame": n // 2 + 3, "later_frame": n + n // 2 + 3, "outputs_flowing": flowing}


def backpressure(name: str) -> float:
    """A stall probability on out_tready that makes the consumer take an output beat half as
    often as the design makes one: the pipeline backs up and output beats wait for out_tready
    nearly all the time."""
    ii = float(np.median(np.diff(clean_run(name).out_accept_cycles)))
    return 1.0 - 1.0 / (2.0 * ii)


@pytest.mark.parametrize("name", NAMES)
def test_reset_mid_frame(name: str) -> None:
    """Reset inside the first frame, inside a later frame and while outputs flow; without stalls,
    with stalls on both sides, and with the outputs back-pressured: the run from the first beat
    after the reset equals the interpreter."""
    d = design(name)
    stalls = [(0.0, 0.0), (0.3, 0.3), (0.0, backpressure(name))]
    met_pending = 0
    # Resets as long as the initial one (4 cycles) and of a single cycle.
    for (label, r), (k, (stall_in, stall_out)), cycles in product(
        reset_points(name).items(), enumerate(stalls), (4, 1)
    ):
        res = cosim(
            d, reset_after_beats=r, reset_cycles=cycles, stall_in=stall_in, stall_out=stall_out, seed=7 * k + r + cycles
        )
        where = f"{name}, reset {label} after beat {r} for {cycles} cycles, stalls {stall_in}/{stall_out:g}"
        assert res.reset_cycle is not None and r <= res.inputs_before_reset <= r + 64, where
        assert len(res.in_accept_cycles) == N_FRAMES * d.in_beats, where
        assert min(res.in_accept_cycles) > res.reset_cycle, where
        # What came out before the reset was right, too.
        assert res.outputs_before_reset == res.outputs[: len(res.outputs_before_reset)], where
        if label == "outputs_flowing" and k == 0:
            assert res.outputs_before_reset, f"{where}: no output before the reset"
        if label != "first_frame" and k == 2:
            met_pending += res.output_pending_at_reset
    assert met_pending, f"{name}: no reset met an output beat waiting for out_tready"


def test_reset_after_the_last_input_beat() -> None:
    """The reset right after the last input beat (R = all of them), while the pipeline drains."""
    d = design("resnet_w2a2")
    res = cosim(d, reset_after_beats=N_FRAMES * d.in_beats, stall_in=0.2, stall_out=0.5, seed=3)
    assert res.inputs_before_reset == N_FRAMES * d.in_beats


@pytest.mark.parametrize("name", NAMES)
def test_long_idle_gaps(name: str) -> None:
    """in_tvalid low for thousands of cycles after every frame and after every third of a frame:
    the pipeline drains completely in between, the timeout (set below the gap length, above the
    design's own slowest interval) does not fire, and the outputs are exact."""
    d, clean = design(name), clean_run(name)
    handshakes = np.sort(np.array(clean.in_accept_cycles + clean.out_accept_cycles))
    slowest = int(np.diff(handshakes).max())  # longest quiet stretch of the design itself
    timeout = 2 * slowest + 1000
    gap = max(3000, 2 * timeout)
    for every in sorted({d.in_beats, max(1, d.in_beats // 3)}):
        res = cosim(
            d, idle_every=every, idle_cycles=gap, stall_in=0.2, stall_out=0.2, seed=every, timeout_cycles=timeout
        )
        spacing = np.diff(np.array(res.in_accept_cycles))[every - 1 :: every]
        assert (spacing > gap).all(), f"{name}: input gaps of {spacing.min()} cycles, want > {gap}"
        # The pipeline drained: every output of the beats before a gap left before it ended.
        if every == d.in_beats:
            ends = np.array(res.in_accept_cycles[every - 1 :: every])[:-1] + gap
            assert (np.array(res.out_accept_cycles)[: len(ends)] < ends).all(), name


@pytest.mark.parametrize("stall", [0.0, 0.1, 0.5, 0.9])
@pytest.mark.parametrize("name", NAMES)
def test_stall_rates(name: str, stall: float) -> None:
    """The same stall probability on in_tvalid and out_tready: exact outputs, no deadlock."""
    d = design(name)
    res = cosim(d, stall_in=stall, stall_out=stall, seed=int(stall * 100) + 1)
    assert len(res.in_accept_cycles) == N_FRAMES * d.in_beats
