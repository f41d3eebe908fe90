// lowbit_add: residual add of two pixel streams, with the sum either passed
// on raw or requantized by per-channel multi-thresholds.
//
// Parameters:
//   C       channels per pixel
//   EA, SA  bits and signedness of the elements of stream A (SA = 1: two's
//           complement, 0: unsigned); 1 <= EA <= 24
//   EB, SB  the same for stream B
//   MODE    1: raw sum, 0: multi-threshold requantization
//   SW      1 <= SW <= 31. MODE 1: bits of each output element (two's
//           complement); must hold every possible sum (checked, see NEED
//           below). MODE 0: bits of each threshold (two's complement, any
//           width; thresholds beyond the range of the sum simply never or
//           always fire and cost no logic)
//   NT      MODE 0: thresholds per channel (>= 1)
//   OB      MODE 0: bits of each output element; NT + 1 <= 2^OB so the
//           NT + 1 possible counts stay distinct
//   OOFF    MODE 0: signed offset added to the count
//   THRESH  MODE 0: C*NT*SW bits, threshold T[c][i] at bits
//           [(c*NT + i)*SW +: SW], signed, sorted ascending per channel
//   In MODE 1, NT, OB, OOFF and THRESH are ignored.
//
// Input beats: one pixel per beat on each stream, A element c at
// a_tdata[c*EA +: EA], B element c at b_tdata[c*EB +: EB]. Pixel k of A is
// added to pixel k of B: the two streams are joined, one beat of each being
// consumed together.
//
// Arithmetic (exact): s[c] = a[c] + b[c] as an integer. Its range is
// [loA + loB, hiA + hiB]; NEED is the fewest two's complement bits that hold
// it (at most max(EA + 1 - SA, EB + 1 - SB) + 1 = XW bits, fewer when one
// side is 1-bit signed and the other unsigned). The adder works in XW bits.
// Output beat: C elements, element c at
//   MODE 1: out_tdata[c*SW +: SW] = s[c] as SW-bit two's complement.
//   MODE 0: out_tdata[c*OB +: OB] = (#{i : s[c] >= T[c][i]} + OOFF) mod 2^OB,
//           e.g. ternary {-1, 0, +1}: NT = 2, OB = 2, OOFF = -1; 2-bit
//           unsigned: NT = 3, OB = 2, OOFF = 0; bipolar bit (1 = +1):
//           NT = 1, OB = 1, OOFF = 0.
// Thresholds are constants: those at or below the lowest possible sum are
// constant 1, those above the highest constant 0, the rest XW-bit
// comparators, so the comparison is exact whatever SW is. The count does not
// rely on the thresholds being sorted (sorted, it is the multi-threshold's
// level).
//
// Structure: combinational add (an XW-bit carry chain), compare (XW-bit
// comparators) and count (a chain of NT small increments) from the two input
// beats into a 2-deep lowbit_fifo, whose head flops drive out_tdata and
// out_tvalid, so none of that logic is in the consumer's timing path.
//
// Handshake (join): a pair moves when a_tvalid && b_tvalid and the output
// FIFO is not full. a_tready = b_tvalid && room and b_tready = a_tvalid &&
// room, where room is the FIFO's registered in_tready (low in reset). So
// each input's ready depends combinationally on the other input's valid
// (AXI allows ready to depend on valid; neither valid depends on a ready),
// but no ready depends on out_tready: there is no combinational path from
// the consumer back to either producer.
//
// Timing (cycle t = the cycle of a handshake):
//   * Latency: a pair joined in cycle t is offered on out_tvalid from cycle
//     t + 1 if the FIFO was empty (latency 1).
//   * Throughput: with out_tready always high a pair is joined in every
//     cycle in which both inputs are valid (II = 1).
//
// Storage: 2 output beats (2*C*SW bits in MODE 1, 2*C*OB in MODE 0) in the
// FIFO plus its pointer/counter; no other state. Only control state is
// reset.
//
// Requires lowbit_fifo (lowbit_fifo.v) and lowbit_const_outputs (lowbit_thresholds.v).
module lowbit_add #(
    parameter integer C      = 4,
    parameter integer EA     = 2,
    parameter integer SA     = 1,
    parameter integer EB     = 2,
    parameter integer SB     = 1,
    parameter integer MODE   = 1,
    parameter integer SW     = 4,
    parameter integer NT     = 1,
    parameter integer OB     = 1,
    parameter integer OOFF   = 0,
    parameter [C*NT*SW-1:0] THRESH = {(C*NT*SW){1'b0}}
) (
    input  wire                                 clk,
    input  wire                                 rst,

    input  wire [C*EA-1:0]                      a_tdata,
    input  wire                                 a_tvalid,
    output wire                                 a_tready,

    input  wire [C*EB-1:0]                      b_tdata,
    input  wire                                 b_tvalid,
    output wire                                 b_tready,

    output wire [C*((MODE == 1) ? SW : OB)-1:0] out_tdata,
    output wire                                 out_tvalid,
    input  wire                                 out_tready
);

    `include "lowbit_functions.vh"

    // The operands are at most 24 bits wide, so their ranges fit 32-bit integers.
    localparam integer LO_A = lowbit_int_lo(EA, SA);
    localparam integer HI_A = lowbit_int_hi(EA, SA);
    localparam integer LO_B = lowbit_int_lo(EB, SB);
    localparam integer HI_B = lowbit_int_hi(EB, SB);
    localparam integer LO_S = LO_A + LO_B;               // range of the sum
    localparam integer HI_S = HI_A + HI_B;
    localparam integer NEED = lowbit_range_width(64'sd1 * LO_S, 64'sd1 * HI_S);
    // Signed widths of the operands (an unsigned one gets a zero sign bit)
    // and of the adder.
    localparam integer WA   = EA + 1 - SA;
    localparam integer WB   = EB + 1 - SB;
    localparam integer XW   = ((WA > WB) ? WA : WB) + 1;
    localparam integer OEW  = (MODE == 1) ? SW : OB;    // bits per out element
    localparam integer OW   = C * OEW;

    // Parameter guards: instantiating a non-existent module is the only
    // portable way to abort elaboration in Verilog-2005.
    generate
        if (C < 1) begin : g_bad_c
            lowbit_add_requires_C_at_least_1 u_bad ();
        end
        if (EA < 1 || EA > 24 || EB < 1 || EB > 24) begin : g_bad_e
            lowbit_add_requires_EA_and_EB_between_1_and_24 u_bad ();
        end
        if ((SA != 0 && SA != 1) || (SB != 0 && SB != 1)) begin : g_bad_s
            lowbit_add_requires_SA_and_SB_0_or_1 u_bad ();
        end
        if (MODE != 0 && MODE != 1) begin : g_bad_mode
            lowbit_add_requires_MODE_0_or_1 u_bad ();
        end
        if (SW < 1 || SW > 31) begin : g_bad_sw
            lowbit_add_requires_SW_between_1_and_31 u_bad ();
        end
        if (MODE == 1 && SW < NEED) begin : g_bad_raw
            lowbit_add_requires_SW_to_hold_every_sum u_bad ();
        end
        if (MODE == 0 && (NT < 1 || OB < 1 || OB > 16)) begin : g_bad_mt
            lowbit_add_requires_NT_at_least_1_and_OB_between_1_and_16 u_bad ();
        end
        if (MODE == 0 && OB <= 16 && NT + 1 > (1 << OB)) begin : g_bad_nt
            lowbit_add_requires_NT_below_2_pow_OB u_bad ();
        end
    endgenerate

    wire room;
    wire pair_valid = a_tvalid && b_tvalid;

    assign a_tready = b_tvalid && room;
    assign b_tready = a_tvalid && room;

    wire [C*XW-1:0] sums;   // exact: each sum fits in XW bits
    wire [OW-1:0]   res;

    genvar gc;
    generate
        for (gc = 0; gc < C; gc = gc + 1) begin : g_ch
            wire [EA-1:0] a = a_tdata[gc*EA +: EA];
            wire [EB-1:0] b = b_tdata[gc*EB +: EB];
            // Sign- or zero-extension to XW bits (XW > EA and XW > EB).
            wire [XW-1:0] ax = {{(XW - EA){(SA != 0) & a[EA-1]}}, a};
            wire [XW-1:0] bx = {{(XW - EB){(SB != 0) & b[EB-1]}}, b};
            assign sums[gc*XW +: XW] = ax + bx;
        end
    endgenerate

    // The sums in [LO_S, HI_S] as SW-bit values (MODE 1; SW >= NEED) or thresholded.
    lowbit_const_outputs #(
        .C(C), .W(XW), .MODE(MODE), .SW(SW), .NT(NT), .OB(OB), .OOFF(OOFF), .LO(LO_S), .HI(HI_S), .THRESH(THRESH)
    ) u_out (.x(sums), .y(res));

    lowbit_fifo #(.W(OW), .DEPTH(2)) u_ofifo (.clk(clk), .rst(rst),
        .in_tdata(res), .in_tvalid(pair_valid), .in_tready(room),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));

endmodule
