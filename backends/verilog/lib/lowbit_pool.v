// lowbit_pool: max-pool over KxK windows with stride S, of bipolar bits
// (EW = 1) or of EW-bit integers (EW >= 2).
//
// Parameters: C channels, frame H x W, window K x K, stride S (rows and
// columns), element width EW (default 1) and element signedness ES (default
// 1; only meaningful for EW >= 2).
//
// Input: one beat = one pixel of C elements of EW bits, element c at bits
// [c*EW +: EW]; the H*W pixels of a frame in raster order, frames back to
// back. Output: one beat of C*EW bits per window (same element layout), Ho*Wo
// beats per frame with Ho = (H-K)/S + 1 and Wo = (W-K)/S + 1 (floor
// division), in raster order. No padding: pixels no window covers are
// dropped.
//   * EW = 1: elements are bipolar (bit 1 = +1, bit 0 = -1; ES is ignored).
//     The maximum is +1 iff any element is +1, so output bit c is the OR of
//     bit c over the K*K pixels of the window (the original unit, unchanged).
//   * EW >= 2: elements are two's complement (ES = 1) or unsigned (ES = 0)
//     integers and output element c is the maximum of element c over the
//     window. The maximum of a set is one of its members, so the output
//     needs no extra bits and never overflows.
//
// Structure: lowbit_swg (C, EW) produces the windows, a reduction (OR tree,
// or a balanced tree of K*K-1 two-input max units) combines them and a
// 2-deep lowbit_fifo registers the result, so out_tdata/out_tvalid are flops
// and the reduction is never in the consumer's timing path. in_tready is
// lowbit_swg's (a function of flops only). Signed maxima are taken as
// unsigned maxima of the elements with their sign bit inverted (x ^ 2^(EW-1)
// maps two's complement order onto unsigned order), inverted back at the
// root, so the tree is plain unsigned comparators either way.
//
// Timing (cycle t = the cycle of a handshake):
//   * Latency: a window whose bottom-right pixel is accepted in cycle t is
//     offered on out_tvalid from cycle t + 2 (unit idle, consumer ready).
//   * Throughput: with out_tready always high one pixel is accepted in every
//     cycle in which in_tvalid is high, so with input always valid a frame
//     takes exactly H*W cycles (frame f+1's outputs follow frame f's by
//     exactly H*W cycles).
//
// Storage: lowbit_swg's ((K-1)*W*C*EW line buffer, (K-1)*C*EW read register,
// K*(K-1)*C*EW window, 2*K*K*C*EW FIFO) plus 2*C*EW output FIFO bits.
//
// Requires lowbit_swg (lowbit_swg.v) and lowbit_fifo (lowbit_fifo.v).
module lowbit_pool #(
    parameter integer C = 4,
    parameter integer H = 4,
    parameter integer W = 4,
    parameter integer K = 2,
    parameter integer S = 2,
    parameter integer EW = 1,
    parameter integer ES = 1
) (
    input  wire            clk,
    input  wire            rst,

    input  wire [C*EW-1:0] in_tdata,
    input  wire            in_tvalid,
    output wire            in_tready,

    output wire [C*EW-1:0] out_tdata,
    output wire            out_tvalid,
    input  wire            out_tready
);

    localparam integer KK = K * K;
    localparam integer PW = C * EW;       // bits per pixel

    // lowbit_swg checks C, EW >= 1 and K, S against H and W.
    generate
        if (ES != 0 && ES != 1) begin : g_bad_es
            lowbit_pool_requires_ES_0_or_1 u_bad ();
        end
    endgenerate

    wire [KK*PW-1:0] win;
    wire             win_valid;
    wire             win_ready;

    lowbit_swg #(
        .C  (C),
        .EW (EW),
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

    // Window pixel p (raster order) carries channel c at bits
    // [(p*C + c)*EW +: EW].
    wire [PW-1:0] pooled;
    genvar gc, gp, gn;
    generate
        if (EW == 1) begin : g_or
            for (gc = 0; gc < C; gc = gc + 1) begin : g_ch
                wire [KK-1:0] bits;
                for (gp = 0; gp < KK; gp = gp + 1) begin : g_px
                    assign bits[gp] = win[gp*C + gc];
                end
                assign pooled[gc] = |bits;
            end
        end else begin : g_max
            // Inverting the sign bit of signed elements makes unsigned
            // comparison order them correctly (see header).
            localparam [EW-1:0] FLIP = (ES != 0) ? {1'b1, {(EW-1){1'b0}}} : {EW{1'b0}};
            for (gc = 0; gc < C; gc = gc + 1) begin : g_ch
                // Heap-ordered tree of 2*KK-1 nodes: leaves KK-1 .. 2*KK-2
                // are the window's elements, internal node n is the maximum
                // of nodes 2n+1 and 2n+2, node 0 is the root. Every internal
                // node has two children for any KK, and the depth is
                // ceil(log2(KK)) comparators.
                wire [EW-1:0] node [0:2*KK-2];
                for (gp = 0; gp < KK; gp = gp + 1) begin : g_leaf
                    assign node[KK-1+gp] = win[(gp*C + gc)*EW +: EW] ^ FLIP;
                end
                for (gn = 0; gn < KK-1; gn = gn + 1) begin : g_node
                    assign node[gn] = (node[2*gn+1] >= node[2*gn+2]) ? node[2*gn+1] : node[2*gn+2];
                end
                assign pooled[gc*EW +: EW] = node[0] ^ FLIP;
            end
        end
    endgenerate

    lowbit_fifo #(.W(PW), .DEPTH(2)) u_ofifo (.clk(clk), .rst(rst),
        .in_tdata(pooled), .in_tvalid(win_valid), .in_tready(win_ready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));

endmodule
