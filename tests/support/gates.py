"""Test-only Verilog for driving the extra streams of multi-stream units, and the syntax-tree
pieces the multi-stream wrappers (tests/hw/test_dup.py, test_add.py) are built from.

The co-simulation harness (tb_axis.cpp) drives one input and one output
stream. Units with more streams (lowbit_dup: two outputs, lowbit_add: two
inputs) are wrapped so that the extra handshakes get their own random
stalls from inside the design:

* ``tb_go``: a 1-bit "go" per cycle with probability 1, 1/2, 1/4 or 1/32 for
  stall level 0, 1, 2, 3. The level travels with the data (two bits of each
  beat chosen by the test), so one build covers any stall pattern, and the
  random bits come from a xorshift32 register that is deliberately not
  reset: its start value is the simulator's randomised initial state, which
  the harness seeds from the run's ``seed``, so patterns differ per seed and
  repeat for the same seed.
* ``tb_src_gate``: turns a stream into one whose valid goes up only on
  ``go`` and then, as AXI4-Stream requires, stays up until the beat is
  taken.
* ``tb_cycle``: a cycle counter equal to the harness's cycle number (cycle 0
  is the first cycle after reset), to stamp handshakes inside the wrapper.
"""

from __future__ import annotations

from lowbitc.backends.verilog.vast import Instance, Wire
from support.hw import by_name

LEVEL_READY_PROB = (1.0, 1 / 2, 1 / 4, 1 / 32)

GATES_V = """\
module tb_go (
    input  wire       clk,
    input  wire [1:0] level,
    output wire       go
);
    // Not reset on purpose: see tests/support/gates.py.
    reg  [31:0] s;
    wire [31:0] x1 = s ^ (s << 13);
    wire [31:0] x2 = x1 ^ (x1 >> 17);
    wire [31:0] x3 = x2 ^ (x2 << 5);
    always @(posedge clk) s <= (s == 32'd0) ? 32'd1 : x3;
    assign go = (level == 2'd0) ? 1'b1
              : (level == 2'd1) ? s[31]
              : (level == 2'd2) ? (s[31:30] == 2'b00)
              :                   (s[31:27] == 5'b00000);
endmodule

module tb_src_gate (
    input  wire clk,
    input  wire rst,
    input  wire go,
    input  wire src_valid,
    output wire src_ready,
    output wire dst_valid,
    input  wire dst_ready
);
    reg held;                        // offered and not yet taken
    wire open_ = held || go;
    assign dst_valid = src_valid && open_;
    assign src_ready = dst_ready && open_;
    always @(posedge clk) held <= rst ? 1'b0 : (dst_valid && !dst_ready);
endmodule

module tb_cycle #(
    parameter integer W = 20
) (
    input  wire         clk,
    input  wire         rst,
    output reg  [W-1:0] cycle
);
    always @(posedge clk) cycle <= rst ? {W{1'b0}} : cycle + 1'b1;
endmodule
"""


def gate_sources() -> dict[str, str]:
    return {"tb_gates.v": GATES_V}


def wires(*names: str, width: int = 1) -> list[Wire]:
    """One wire per name, all ``width`` bits wide."""
    return [Wire(n, width) for n in names]


def fork(width: int, depth0: int, depth1: int, instance: str) -> list[Wire | Instance]:
    """lowbit_dup fed by the top's input stream, its sides on wires d0/v0/r0 and d1/v1/r1: the
    two streams a multi-stream wrapper gates or records."""
    dup = Instance(
        "lowbit_dup",
        instance,
        (("W", str(width)), ("DEPTH0", str(depth0)), ("DEPTH1", str(depth1))),
        (
            *by_name("clk", "rst", "in_tdata", "in_tvalid", "in_tready"),
            ("out0_tdata", "d0"),
            ("out0_tvalid", "v0"),
            ("out0_tready", "r0"),
            ("out1_tdata", "d1"),
            ("out1_tvalid", "v1"),
            ("out1_tready", "r1"),
        ),
    )
    return [*wires("d0", "d1", width=width), *wires("v0", "v1", "r0", "r1"), dup]


def go(instance: str, level: str, out: str) -> Instance:
    """tb_go: ``out`` high on a cycle with the probability of the stall level ``level``."""
    return Instance("tb_go", instance, (), (("clk", "clk"), ("level", level), ("go", out)))
