// lowbit_gap: global pool of a pixel stream, the sum of each channel over
// the N pixels of a frame, passed on raw or requantized by per-channel
// multi-thresholds (a global average pool whose division is folded into the
// thresholds).
//
// Parameters:
//   C       channels per pixel
//   EW, ES  bits and signedness of the input elements (ES = 1: two's
//           complement, 0: unsigned); 1 <= EW <= 16
//   N       pixels per frame (N >= 1, N * 2^EW <= 2^30)
//   MODE    1: raw sums, 0: multi-threshold requantization
//   SW      2 <= SW <= 31: bits of the accumulators, of the raw output
//           elements (MODE 1) and of each threshold (MODE 0), all two's
//           complement; must hold every possible sum [N*lo, N*hi] (checked)
//   NT      MODE 0: thresholds per channel (>= 1)
//   OB      MODE 0: bits of each output element; NT + 1 <= 2^OB
//   OOFF    MODE 0: signed offset added to the count
//   THRESH  MODE 0: C*NT*SW bits, threshold T[c][i] at bits
//           [(c*NT + i)*SW +: SW], signed, sorted ascending per channel
//   In MODE 1, NT, OB, OOFF and THRESH are ignored.
//
// Input beats: one pixel per beat, element c at in_tdata[c*EW +: EW]; the N
// pixels of a frame in any order, frames back to back with no separator.
// Output: one beat per frame, after its last pixel, element c being
//   MODE 1: out_tdata[c*SW +: SW] = s[c], the sum of element c over the
//           frame's N pixels (exact: SW holds every sum);
//   MODE 0: out_tdata[c*OB +: OB] = (#{i : s[c] >= T[c][i]} + OOFF) mod 2^OB.
// Thresholds are constants: those at or below the lowest possible sum are
// constant 1, those above the highest constant 0, the rest SW-bit
// comparators.
//
// Structure: one SW-bit accumulator per channel and a pixel counter. The
// first pixel of a frame loads the accumulators (nothing is cleared between
// frames), later ones add to them; the last pixel's sum (accumulator + pixel,
// combinational) is compared and counted and pushed into a 2-deep
// lowbit_fifo, whose head flops drive out_tdata and out_tvalid.
//
// Handshake: in_tready = (the next pixel is not a frame's last) || room,
// where room is the FIFO's registered in_tready: a function of flops only
// (never of in_tvalid or out_tready), low during reset. A stalled consumer
// stops the input only at the last pixel of a frame whose result has no room.
//
// Timing (cycle t = the cycle of a handshake):
//   * Latency: the result of a frame whose last pixel is accepted in cycle t
//     is offered on out_tvalid from cycle t + 1 if the FIFO was empty.
//   * Throughput: with out_tready always high one pixel is accepted in every
//     cycle in which in_tvalid is high, so a frame takes exactly N cycles.
//
// Storage: C*SW accumulator bits, a clog2(N)-bit counter, 2 output beats in
// the FIFO. Only control state (the counter, the FIFO's) is reset.
//
// Requires lowbit_fifo (lowbit_fifo.v) and lowbit_const_outputs (lowbit_thresholds.v).
module lowbit_gap #(
    parameter integer C      = 4,
    parameter integer EW     = 2,
    parameter integer ES     = 0,
    parameter integer N      = 4,
    parameter integer MODE   = 1,
    parameter integer SW     = 5,
    parameter integer NT     = 1,
    parameter integer OB     = 1,
    parameter integer OOFF   = 0,
    parameter [C*NT*SW-1:0] THRESH = {(C*NT*SW){1'b0}}
) (
    input  wire                                 clk,
    input  wire                                 rst,

    input  wire [C*EW-1:0]                      in_tdata,
    input  wire                                 in_tvalid,
    output wire                                 in_tready,

    output wire [C*((MODE == 1) ? SW : OB)-1:0] out_tdata,
    output wire                                 out_tvalid,
    input  wire                                 out_tready
);

    `include "lowbit_functions.vh"

    localparam integer LO   = lowbit_int_lo(EW, ES);
    localparam integer HI   = lowbit_int_hi(EW, ES);
    localparam integer SLO  = N * LO;                    // lowest sum
    localparam integer SHI  = N * HI;                    // highest sum
    localparam integer NEED = lowbit_range_width(64'sd1 * SLO, 64'sd1 * SHI);
    localparam integer OEW  = (MODE == 1) ? SW : OB;     // bits per out element
    localparam integer OW   = C * OEW;
    localparam integer NW   = lowbit_index_width(N);   // pixel counter bits

    // Parameter guards: instantiating a non-existent module is the only
    // portable way to abort elaboration in Verilog-2005.
    generate
        if (C < 1) begin : g_bad_c
            lowbit_gap_requires_C_at_least_1 u_bad ();
        end
        if (EW < 1 || EW > 16) begin : g_bad_ew
            lowbit_gap_requires_EW_between_1_and_16 u_bad ();
        end
        if (ES != 0 && ES != 1) begin : g_bad_es
            lowbit_gap_requires_ES_0_or_1 u_bad ();
        end
        if (N < 1 || (EW <= 16 && N > (1 << (30 - EW)))) begin : g_bad_n
            lowbit_gap_requires_N_at_least_1_and_N_times_2_pow_EW_at_most_2_pow_30 u_bad ();
        end
        if (MODE != 0 && MODE != 1) begin : g_bad_mode
            lowbit_gap_requires_MODE_0_or_1 u_bad ();
        end
        if (SW < 2 || SW > 31 || SW < NEED || SW < EW) begin : g_bad_sw
            lowbit_gap_requires_SW_between_2_and_31_holding_every_sum u_bad ();
        end
        if (MODE == 0 && (NT < 1 || OB < 1 || OB > 16)) begin : g_bad_mt
            lowbit_gap_requires_NT_at_least_1_and_OB_between_1_and_16 u_bad ();
        end
        if (MODE == 0 && OB <= 16 && NT + 1 > (1 << OB)) begin : g_bad_nt
            lowbit_gap_requires_NT_below_2_pow_OB u_bad ();
        end
    endgenerate

    localparam integer LAST_I = N - 1;
    localparam [NW-1:0] LAST  = LAST_I[NW-1:0];
    localparam integer ONE_NI = 1;
    localparam [NW-1:0] ONE_N = ONE_NI[NW-1:0];

    reg  [NW-1:0] cnt;
    wire          room;
    wire          last   = (cnt == LAST);
    wire          first  = (cnt == {NW{1'b0}});
    assign in_tready = !last || room;
    wire          accept = in_tvalid && in_tready;

    always @(posedge clk) begin
        if (rst) begin
            cnt <= {NW{1'b0}};
        end else if (accept) begin
            cnt <= last ? {NW{1'b0}} : cnt + ONE_N;
        end
    end

    wire [C*SW-1:0] sums;   // each channel's running sum, this pixel included
    wire [OW-1:0]   res;

    genvar gc;
    generate
        for (gc = 0; gc < C; gc = gc + 1) begin : g_ch
            wire [EW-1:0] x = in_tdata[gc*EW +: EW];
            // Sign- or zero-extension to SW bits (SW >= EW, guarded).
            wire [SW-1:0] xe;
            if (SW > EW) begin : g_ext
                assign xe = {{(SW - EW){(ES != 0) & x[EW-1]}}, x};
            end else begin : g_same
                assign xe = x;
            end
            reg  [SW-1:0] acc;
            // Exact: every partial sum lies in [SLO, SHI], which SW holds.
            wire [SW-1:0] s = (first ? {SW{1'b0}} : acc) + xe;
            always @(posedge clk) begin
                if (accept) acc <= s;
            end
            assign sums[gc*SW +: SW] = s;
        end
    endgenerate

    // The sums in [SLO, SHI] as they are (MODE 1) or thresholded.
    lowbit_const_outputs #(
        .C(C), .W(SW), .MODE(MODE), .SW(SW), .NT(NT), .OB(OB), .OOFF(OOFF), .LO(SLO), .HI(SHI), .THRESH(THRESH)
    ) u_out (.x(sums), .y(res));

    lowbit_fifo #(.W(OW), .DEPTH(2)) u_ofifo (.clk(clk), .rst(rst),
        .in_tdata(res), .in_tvalid(accept && last), .in_tready(room),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));

endmodule
