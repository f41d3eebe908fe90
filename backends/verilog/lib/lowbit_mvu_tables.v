// lowbit_mvu_tables: the constant tables of lowbit_mvu (lowbit_mvu.v) and
// the addressing of its border-case threshold tables.
//
//   lowbit_mvu_table    the word of a per-channel-fold constant table for
//                       the current channel fold (and border case)
//   lowbit_mvu_rom      constant table (thresholds), one LUT6 per bit
//   lowbit_mvu_border   threshold-table address of a +1-padded convolution's
//                       output pixel (its border case) and channel fold
//
// Requires lowbit_raster (lowbit_raster.v), the pixel walk of lowbit_mvu_border.

// Word q of a constant table with one word per channel fold (NF words of W
// bits, word nf at bits [nf*W +: W]) or, with NCASE > 1 border cases, one
// table per case (word case*NF + nf): the threshold tables of lowbit_mvu. The
// channel fold advances with step (a fold's word was used) and restarts with
// last (the vector's last fold); the case is that of the vector's output
// pixel (lowbit_mvu_border, with CYT/CXT as in lowbit_mvu; TW bits of table
// address, TW = max(1, clog2(NCASE*NF))).
module lowbit_mvu_table #(
    parameter integer NF    = 1,
    parameter integer NCASE = 1,
    parameter integer HO    = 1,
    parameter integer WO    = 1,
    parameter integer TW    = 1,
    parameter [HO*TW-1:0] CYT = {HO*TW{1'b0}},
    parameter [WO*TW-1:0] CXT = {WO*TW{1'b0}},
    parameter integer W     = 1,
    parameter [NCASE*NF*W-1:0] D = {NCASE*NF*W{1'b0}}
) (
    input  wire         clk,
    input  wire         rst,
    input  wire         step,
    input  wire         last,
    output wire [W-1:0] q
);
    `include "lowbit_functions.vh"

    generate
        if (NCASE > 1) begin : g_border
            wire [TW-1:0] addr;
            lowbit_mvu_border #(.HO(HO), .WO(WO), .TW(TW), .CYT(CYT), .CXT(CXT)) u_border (
                .clk(clk), .rst(rst), .step(step), .last(last), .addr(addr));
            lowbit_mvu_rom #(.N(NCASE*NF), .AW(TW), .W(W), .D(D)) u_rom (.a(addr), .q(q));
        end else begin : g_fold
            localparam integer NFW = lowbit_index_width(NF);
            reg [NFW-1:0] nf;
            lowbit_mvu_rom #(.N(NF), .AW(NFW), .W(W), .D(D)) u_rom (.a(nf), .q(q));
            always @(posedge clk) begin
                if (rst) nf <= {NFW{1'b0}};
                else if (step) nf <= last ? {NFW{1'b0}} : nf + 1'b1;
            end
        end
    endgenerate
endmodule

// Constant table: q = word a of D (word a at bits [a*W +: W]), built as one
// N-bit constant per output bit indexed by a, so that each output bit is one
// LUT6 for N <= 64 (wider tables add MUXF7/MUXF8). keep_hierarchy stops ABC
// from merging the table into the logic around it, where it made 8-input
// functions (two LUT6 and a MUXF7 and more per bit) or, with -abc9,
// re-split bits for delay. Addresses >= N read as don't care.
(* keep_hierarchy *)
module lowbit_mvu_rom #(
    parameter integer N  = 2,
    parameter integer AW = 1,
    parameter integer W  = 1,
    parameter [N*W-1:0] D = {N*W{1'b0}}
) (
    input  wire [AW-1:0] a,
    output wire [W-1:0]  q
);
    function [N-1:0] column;
        input integer b;
        integer n;
        begin
            for (n = 0; n < N; n = n + 1) column[n] = D[n*W + b];
        end
    endfunction

    genvar gb;
    generate
        for (gb = 0; gb < W; gb = gb + 1) begin : g_bit
            localparam [N-1:0] COL = column(gb);
            assign q[gb] = COL[a];
        end
    endgenerate
endmodule

// lowbit_mvu_border: the threshold-table address of a unit whose vectors are
// the HO x WO output pixels of a +1-padded convolution, in raster order
// (frames back to back). Counters (oy, ox) hold the pixel of the current
// vector; addr is its table CYT[oy] + CXT[ox] (case*NF, see lowbit_mvu)
// plus the channel fold, advanced by step (a fold's thresholds were used)
// and, with last (the vector's last fold), moved to the next pixel's table.
module lowbit_mvu_border #(
    parameter integer HO = 1,
    parameter integer WO = 1,
    parameter integer TW = 1,
    parameter [HO*TW-1:0] CYT = {HO*TW{1'b0}},
    parameter [WO*TW-1:0] CXT = {WO*TW{1'b0}}
) (
    input  wire          clk,
    input  wire          rst,
    input  wire          step,
    input  wire          last,
    output reg  [TW-1:0] addr
);
    `include "lowbit_functions.vh"

    localparam integer YW = lowbit_index_width(HO);
    localparam integer XW = lowbit_index_width(WO);
    localparam [TW-1:0] BASE0  = CYT[TW-1:0] + CXT[TW-1:0];  // pixel (0, 0)

    // The pixel (oy, ox) moves on with the vector's last fold; its successor's
    // table is read ahead, so that addr is a register.
    wire [YW-1:0] oy, oy_n;
    wire [XW-1:0] ox, ox_n;
    wire [TW-1:0] by, bx;
    lowbit_raster #(.H(HO), .W(WO), .YW(YW), .XW(XW)) u_pos (.clk(clk), .rst(rst), .step(step && last),
        .y(oy), .x(ox), .y_next(oy_n), .x_next(ox_n));
    lowbit_mvu_rom #(.N(HO), .AW(YW), .W(TW), .D(CYT)) u_y (.a(oy_n), .q(by));
    lowbit_mvu_rom #(.N(WO), .AW(XW), .W(TW), .D(CXT)) u_x (.a(ox_n), .q(bx));
    wire unused_pos = &{1'b0, oy, ox};

    always @(posedge clk) begin
        if (rst) begin
            addr <= BASE0;
        end else if (step) begin
            addr <= last ? by + bx : addr + 1'b1;
        end
    end
endmodule
