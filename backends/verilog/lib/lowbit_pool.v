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
//     bit c over the K*K pixels of the window.
//   * EW >= 2: elements are two's complement (ES = 1) or unsigned (ES = 0)
//     integers and output element c is the maximum of element c over the
//     window. The maximum of a set is one of its members, so the output
//     needs no extra bits and never overflows.
// Signed maxima are taken as unsigned maxima of the elements with their sign
// bit inverted (x ^ 2^(EW-1) maps two's complement order onto unsigned
// order), inverted back at the output, so every comparator is unsigned.
//
// Two structures, chosen by the parameters; the outputs are the same.
//
// Row accumulator (S == K: windows that neither overlap nor leave gaps,
// every pool of the corpus). Each window's pixels arrive as K row segments
// of K pixels, so nothing of the size of a window is ever held:
//   * a register of C*EW bits, the running maximum of the current segment;
//   * a RAM of Wo words of C*EW bits (a reg array, one write port and one
//     asynchronous read port at the same address, so Yosys maps it to LUT
//     RAM), the running maxima of the Wo windows of the current window row
//     over its rows seen so far. When a segment completes (x % K == K-1), it
//     is written to word x / K in the window's first row (y % K == 0),
//     combined with the word and written back in a middle row, and combined
//     with the word and emitted in the last row (y % K == K-1). The read
//     happens in the cycle of the write, before it;
//   * counters: x, y (raster position), x % K, y % K and the word address
//     x / K; columns x >= Wo*K and rows y >= Ho*K are consumed and dropped;
//   * a lowbit_fifo of C*EW bits, 1 deep (2 when K = 1: then every pixel is
//     a window, a beat per cycle, and a 1-deep FIFO would halve the rate).
//   in_tready = !(the next pixel completes a window) || the FIFO's in_tready:
//   a function of flops only.
//
// Window generator (S != K): lowbit_swg (C, EW) produces whole windows, a
// reduction (OR tree, or a balanced tree of K*K-1 two-input max units)
// combines them and a 2-deep lowbit_fifo registers the result. in_tready is
// lowbit_swg's (a function of flops only).
//
// In both, out_tdata/out_tvalid are the FIFO's head flops, so the reduction
// is never in the consumer's timing path.
//
// Timing (cycle t = the cycle of a handshake):
//   * Latency: a window whose bottom-right pixel is accepted in cycle t is
//     offered on out_tvalid from cycle t + 1 (row accumulator: the pixel is
//     combined on its way into the FIFO) or t + 2 (window generator), unit
//     idle, consumer ready.
//   * Throughput: with out_tready always high one pixel is accepted in every
//     cycle in which in_tvalid is high, so with input always valid a frame
//     takes exactly H*W cycles (frame f+1's outputs follow frame f's by
//     exactly H*W cycles).
//
// Storage:
//   * row accumulator: Wo*C*EW RAM bits, C*EW segment register bits, C*EW
//     output FIFO bits (2*C*EW when K = 1); counters of clog2 of W, H, K
//     (two) and Wo+1.
//   * window generator: lowbit_swg's ((K-1)*W*C*EW line buffer, (K-1)*C*EW
//     read register, K*(K-1)*C*EW window, 2*K*K*C*EW FIFO) plus 2*C*EW output
//     FIFO bits.
// Only control state is reset.
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

    `include "lowbit_functions.vh"

    localparam integer KK = K * K;
    localparam integer PW = C * EW;       // bits per pixel
    // Inverting the sign bit of signed elements makes unsigned comparison
    // order them correctly (see header); bits (EW = 1) are ORed as they are.
    localparam [EW-1:0] FLIP = (ES != 0 && EW > 1) ? {1'b1, {(EW-1){1'b0}}} : {EW{1'b0}};

    // lowbit_swg checks C, EW >= 1 and K, S against H and W; the row
    // accumulator checks the same with the same messages.
    generate
        if (ES != 0 && ES != 1) begin : g_bad_es
            lowbit_pool_requires_ES_0_or_1 u_bad ();
        end
    endgenerate

    genvar gc, gp, gn;
    generate
        if (S == K) begin : g_rows
            if (C < 1 || EW < 1) begin : g_bad_width
                lowbit_swg_requires_C_and_EW_at_least_1 u_bad ();
            end
            if (K < 1 || K > H || K > W) begin : g_bad_kernel
                lowbit_swg_requires_1_le_KH_le_H_and_1_le_KW_le_W u_bad ();
            end

            localparam integer HO   = H / K;
            localparam integer WO   = W / K;
            localparam integer XW   = lowbit_index_width(W);
            localparam integer YW   = lowbit_index_width(H);
            localparam integer KW_  = lowbit_index_width(K);
            localparam integer AW   = lowbit_index_width(WO + 1);
            localparam integer RW   = lowbit_index_width(WO);   // RAM address bits
            localparam integer WL   = W - 1;
            localparam integer HL   = H - 1;
            localparam integer KL   = K - 1;
            localparam integer YU   = HO * K;     // rows some window covers (columns: wx < WO)
            localparam integer WOV  = WO;
            localparam [XW-1:0]  X_LAST = WL[XW-1:0];
            localparam [YW-1:0]  Y_LAST = HL[YW-1:0];
            localparam [KW_-1:0] K_LAST = KL[KW_-1:0];

            // Position of the next pixel: x, y; kx = x % K, ky = y % K and
            // the RAM word (window column) wx = x / K, the last two only
            // counted over covered columns and rows.
            reg [XW-1:0]  x;
            reg [YW-1:0]  y;
            reg [KW_-1:0] kx;
            reg [KW_-1:0] ky;
            reg [AW-1:0]  wx;
            reg           run;               // low in reset: no handshakes

            wire x_end   = (x == X_LAST);
            wire y_end   = (y == Y_LAST);
            wire covered = (wx != WOV[AW-1:0]) && ({1'b0, y} < YU[YW:0]);
            wire seg_end = covered && (kx == K_LAST);
            wire first   = (ky == {KW_{1'b0}});
            wire last    = (ky == K_LAST);
            wire emit    = seg_end && last;   // the next pixel completes a window
            wire ofifo_ready;

            assign in_tready = run && (ofifo_ready || !emit);
            wire in_fire = in_tvalid && in_tready;

            always @(posedge clk) begin
                if (rst) begin
                    run <= 1'b0;
                    x   <= {XW{1'b0}};
                    y   <= {YW{1'b0}};
                    kx  <= {KW_{1'b0}};
                    ky  <= {KW_{1'b0}};
                    wx  <= {AW{1'b0}};
                end else begin
                    run <= 1'b1;
                    if (in_fire) begin
                        x  <= x_end ? {XW{1'b0}} : x + 1'b1;
                        kx <= (x_end || kx == K_LAST) ? {KW_{1'b0}} : kx + 1'b1;
                        if (x_end) wx <= {AW{1'b0}};
                        else if (seg_end) wx <= wx + 1'b1;
                        if (x_end) begin
                            y  <= y_end ? {YW{1'b0}} : y + 1'b1;
                            ky <= (y_end || ky == K_LAST) ? {KW_{1'b0}} : ky + 1'b1;
                        end
                    end
                end
            end

            // The segment's running maximum (flipped domain) and the RAM of
            // the window row's running maxima. Neither is reset: a segment
            // starts with its first pixel, a window row with its first row.
            reg  [PW-1:0] seg_q;
            reg  [PW-1:0] rows_ram [0:WO-1];
            wire [PW-1:0] pix = in_tdata ^ {C{FLIP}};
            wire [PW-1:0] stored = rows_ram[wx[RW-1:0]];
            wire [PW-1:0] seg;                // the segment including this pixel
            wire [PW-1:0] win;                // the window so far including this segment
            for (gc = 0; gc < C; gc = gc + 1) begin : g_ch
                wire [EW-1:0] p_e = pix[gc*EW +: EW];
                wire [EW-1:0] q_e = seg_q[gc*EW +: EW];
                wire [EW-1:0] r_e = stored[gc*EW +: EW];
                wire [EW-1:0] s_e = (kx == {KW_{1'b0}} || q_e < p_e) ? p_e : q_e;
                assign seg[gc*EW +: EW] = s_e;
                assign win[gc*EW +: EW] = (first || r_e < s_e) ? s_e : r_e;
            end

            always @(posedge clk) begin
                if (in_fire && covered) seg_q <= seg;
                if (in_fire && seg_end && !last) rows_ram[wx[RW-1:0]] <= win;
            end

            lowbit_fifo #(.W(PW), .DEPTH(K == 1 ? 2 : 1)) u_ofifo (.clk(clk), .rst(rst),
                .in_tdata(win ^ {C{FLIP}}), .in_tvalid(in_fire && emit), .in_tready(ofifo_ready),
                .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));
        end else begin : g_swg
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
            if (EW == 1) begin : g_or
                for (gc = 0; gc < C; gc = gc + 1) begin : g_ch
                    wire [KK-1:0] bits;
                    for (gp = 0; gp < KK; gp = gp + 1) begin : g_px
                        assign bits[gp] = win[gp*C + gc];
                    end
                    assign pooled[gc] = |bits;
                end
            end else begin : g_max
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

            lowbit_fifo #(.W(PW), .DEPTH(2)) u_ofifo (.clk(clk), .rst(rst),
                .in_tdata(pooled), .in_tvalid(win_valid), .in_tready(win_ready),
                .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));
        end
    endgenerate

endmodule
