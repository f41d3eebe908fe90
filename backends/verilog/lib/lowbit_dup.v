// lowbit_dup: duplicates one AXI4-Stream onto two (the fork of a skip
// connection).
//
// Parameters: W bits per beat; DEPTH0, DEPTH1 (default 2 each): beats
// buffered for output 0 resp. output 1.
//
// Beats: out0_tdata and out1_tdata carry the input beats unchanged (W bits,
// same layout), each output every input beat exactly once, in input order.
//
// Structure: one lowbit_fifo per output (DEPTH0 resp. DEPTH1 entries). An
// input beat is accepted only in a cycle in which both FIFOs can take it,
// and then enters both, so no beat is lost or duplicated on either side.
// The outputs drain independently: a slow consumer on one side stalls the
// other side (through the input) only once its own FIFO is full; until then
// the fast side keeps receiving beats at full rate. A skip connection whose
// two paths have different latencies needs the difference in beats as
// buffering on the short path: DEPTHn here, or a FIFO after this unit.
//
// Handshake: in_tready = (FIFO 0 not full) && (FIFO 1 not full), both flops
// (lowbit_fifo's registered ready), so in_tready is a function of flops only
// (never of in_tvalid or either out_tready) and low in reset. "Not full" is
// as of the previous edge: a full FIFO blocks the input even in the cycle
// its head is taken. Each FIFO's in_tvalid is in_tvalid gated by the other
// FIFO's ready (internal only; both are flops). out{0,1}_tvalid and
// out{0,1}_tdata are the FIFOs' head flops.
//
// Timing (cycle t = the cycle of a handshake):
//   * Latency: a beat accepted in cycle t is offered on out0 / out1 from
//     cycle t + 1 if that side's FIFO was empty.
//   * Throughput: with DEPTH0, DEPTH1 >= 2 and both consumers always ready a
//     beat is accepted in every cycle in which in_tvalid is high (II = 1).
//     A side with DEPTH 1 alternates fill/drain (lowbit_fifo), halving the
//     rate (II = 2).
//   * Occupancy: with n_in(t) the beats accepted before cycle t and n_k(t)
//     the beats taken from output k before cycle t, FIFO k holds
//     n_in(t) - n_k(t) <= DEPTHk beats, and in_tready(t) is high exactly
//     when both hold fewer than their DEPTH.
//
// Storage: (DEPTH0 + DEPTH1) * W data bits (each FIFO: a W-bit head register
// and a ring of DEPTH-1 entries that can map to distributed RAM) plus the
// FIFOs' pointers and counters. Only control state is reset.
//
// Requires lowbit_fifo (lowbit_fifo.v).
module lowbit_dup #(
    parameter integer W      = 8,
    parameter integer DEPTH0 = 2,
    parameter integer DEPTH1 = 2
) (
    input  wire         clk,
    input  wire         rst,

    input  wire [W-1:0] in_tdata,
    input  wire         in_tvalid,
    output wire         in_tready,

    output wire [W-1:0] out0_tdata,
    output wire         out0_tvalid,
    input  wire         out0_tready,

    output wire [W-1:0] out1_tdata,
    output wire         out1_tvalid,
    input  wire         out1_tready
);

    // lowbit_fifo checks W and DEPTH >= 1.
    wire rdy0;
    wire rdy1;

    assign in_tready = rdy0 && rdy1;

    // Each FIFO sees the beat only when the other one takes it as well, so
    // both push in exactly the cycles of the input handshake.
    lowbit_fifo #(.W(W), .DEPTH(DEPTH0)) u_fifo0 (.clk(clk), .rst(rst),
        .in_tdata(in_tdata), .in_tvalid(in_tvalid && rdy1), .in_tready(rdy0),
        .out_tdata(out0_tdata), .out_tvalid(out0_tvalid), .out_tready(out0_tready));

    lowbit_fifo #(.W(W), .DEPTH(DEPTH1)) u_fifo1 (.clk(clk), .rst(rst),
        .in_tdata(in_tdata), .in_tvalid(in_tvalid && rdy0), .in_tready(rdy1),
        .out_tdata(out1_tdata), .out_tvalid(out1_tvalid), .out_tready(out1_tready));

endmodule
