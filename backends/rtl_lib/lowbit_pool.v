// lowbit_pool: max-pool of bipolar pixels over KxK windows with stride S.
//
// Input: one beat = one pixel of C bits (bit 1 = +1, bit 0 = -1), the H*W
// pixels of a frame in raster order, frames back to back. Output: one beat
// of C bits per window, Ho*Wo beats per frame with Ho = (H-K)/S + 1 and
// Wo = (W-K)/S + 1 (floor division), in raster order. For bipolar values the
// maximum is +1 iff any element is +1, so output bit c is the OR of bit c
// over the K*K pixels of the window. No padding: pixels no window covers
// are dropped.
//
// Structure: lowbit_swg (C, EW = 1) produces the windows, an OR tree
// reduces them and a 2-deep lowbit_fifo registers the result, so
// out_tdata/out_tvalid are flops and the OR tree is never in the consumer's
// timing path. in_tready is lowbit_swg's (a function of flops only).
//
// Timing (cycle t = the cycle of a handshake):
//   * Latency: a window whose bottom-right pixel is accepted in cycle t is
//     offered on out_tvalid from cycle t + 2 (unit idle, consumer ready).
//   * Throughput: with out_tready always high one pixel is accepted in every
//     cycle in which in_tvalid is high, so with input always valid a frame
//     takes exactly H*W cycles (frame f+1's outputs follow frame f's by
//     exactly H*W cycles).
//
// Storage: lowbit_swg's ((K-1)*W*C line buffer, (K-1)*C read register,
// K*(K-1)*C window, 2*K*K*C FIFO) plus 2*C output FIFO bits.
//
// Requires lowbit_swg (lowbit_swg.v) and lowbit_fifo (lowbit_fifo.v).
module lowbit_pool #(
    parameter integer C = 4,
    parameter integer H = 4,
    parameter integer W = 4,
    parameter integer K = 2,
    parameter integer S = 2
) (
    input  wire         clk,
    input  wire         rst,

    input  wire [C-1:0] in_tdata,
    input  wire         in_tvalid,
    output wire         in_tready,

    output wire [C-1:0] out_tdata,
    output wire         out_tvalid,
    input  wire         out_tready
);

    localparam integer KK = K * K;

    // lowbit_swg checks K and S against H and W.
    wire [KK*C-1:0] win;
    wire            win_valid;
    wire            win_ready;

    lowbit_swg #(
        .C  (C),
        .EW (1),
        .H  (H),
        .W  (W),
        .KH (K),
        .KW (K),
        .SH (S),
        .SW (S)
    ) u_swg (
        .clk        (clk),
        .rst        (rst),
        .in_tdata   (in_tdata),
        .in_tvalid  (in_tvalid),
        .in_tready  (in_tready),
        .out_tdata  (win),
        .out_tvalid (win_valid),
        .out_tready (win_ready)
    );

    // Window pixel p (raster order) carries channel c at bit p*C + c.
    wire [C-1:0] pooled;
    genvar gc, gp;
    generate
        for (gc = 0; gc < C; gc = gc + 1) begin : g_ch
            wire [KK-1:0] bits;
            for (gp = 0; gp < KK; gp = gp + 1) begin : g_px
                assign bits[gp] = win[gp*C + gc];
            end
            assign pooled[gc] = |bits;
        end
    endgenerate

    lowbit_fifo #(
        .W     (C),
        .DEPTH (2)
    ) u_ofifo (
        .clk        (clk),
        .rst        (rst),
        .in_tdata   (pooled),
        .in_tvalid  (win_valid),
        .in_tready  (win_ready),
        .out_tdata  (out_tdata),
        .out_tvalid (out_tvalid),
        .out_tready (out_tready)
    );

endmodule
