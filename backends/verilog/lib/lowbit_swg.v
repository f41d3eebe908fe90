// lowbit_swg: sliding-window generator for convolutions without padding.
//
// Input: one beat = one pixel of C elements of EW bits (element c at bits
// [c*EW +: EW]); the H*W pixels of a frame arrive in raster order (row-major)
// and frames follow each other back to back with no separator.
// Output: one beat per KHxKW window taken with strides SH (rows) and SW
// (columns), Ho*Wo beats per frame with
//     Ho = (H-KH)/SH + 1,  Wo = (W-KW)/SW + 1     (floor division),
// in raster order of the windows' top-left corners. Element (ky, kx, c) of
// a window is at bits [((ky*KW + kx)*C + c)*EW +: EW], i.e. the window is
// the KH*KW pixels in raster order, each pixel packed as on the input.
// Pixels that no window covers (right/bottom margins when the strides do not
// divide H-KH or W-KW) are consumed and dropped.
//
// Structure: a window is complete when the pixel at its bottom-right corner
// arrives. The unit keeps
//   * a line buffer of W words of (KH-1)*C*EW bits: word x holds column x of
//     the KH-1 rows above the current one (a simple dual-port RAM read one
//     pixel ahead through a registered port, so it maps to block RAM),
//   * the KH x (KW-1) pixels to the left of the current column,
// and assembles the window from those plus the incoming pixel in the cycle
// the pixel is accepted. Every pixel shifts the state by one column, so frames
// need no flushing: the first KH-1 rows and KW-1 columns of every row never
// complete a window and simply push out the previous frame's/row's pixels.
// Windows wait for the consumer in a 2-deep lowbit_fifo.
//
// Handshake: in_tready is low only during reset and while the next pixel
// would complete a window and the output FIFO is full; it is a function of
// flops only (never of in_tvalid or out_tready). Pixels that complete no
// window are accepted even while the consumer stalls. out_tvalid/out_tdata
// come straight from the FIFO's head flops.
//
// Timing (cycle t = the cycle of a handshake):
//   * Latency: a window whose bottom-right pixel is accepted in cycle t is
//     offered on out_tvalid from cycle t + 1 (if the FIFO was empty).
//   * Throughput: with out_tready always high the unit accepts one pixel in
//     every cycle in which in_tvalid is high and emits at most one window per
//     cycle, so with input always valid a frame takes exactly H*W cycles and
//     frame f+1's windows come exactly H*W cycles after frame f's. Under
//     backpressure the unit stalls only on window-completing pixels.
//
// Storage: (KH-1)*W*C*EW line-buffer bits (+ (KH-1)*C*EW read register),
// KH*(KW-1)*C*EW window bits, 2*KH*KW*C*EW FIFO bits; counters of
// clog2(W), clog2(H), clog2(max(KW,SW)), clog2(max(KH,SH)) bits.
// Only control state is reset.
//
// Requires lowbit_fifo (lowbit_fifo.v).
module lowbit_swg #(
    parameter integer C  = 4,
    parameter integer EW = 1,
    parameter integer H  = 6,
    parameter integer W  = 6,
    parameter integer KH = 3,
    parameter integer KW = 3,
    parameter integer SH = 1,
    parameter integer SW = 1
) (
    input  wire clk,
    input  wire rst,

    input  wire [C*EW-1:0]       in_tdata,
    input  wire                  in_tvalid,
    output wire                  in_tready,

    output wire [KH*KW*C*EW-1:0] out_tdata,
    output wire                  out_tvalid,
    input  wire                  out_tready
);

    `include "lowbit_functions.vh"

    localparam integer PW  = C * EW;          // bits per pixel
    localparam integer OW  = KH * KW * PW;    // bits per window
    localparam integer XW  = lowbit_index_width(W);
    localparam integer YW  = lowbit_index_width(H);
    localparam integer XCM = (KW > SW) ? KW : SW;
    localparam integer YCM = (KH > SH) ? KH : SH;
    localparam integer XCW = lowbit_index_width(XCM);
    localparam integer YCW = lowbit_index_width(YCM);
    localparam integer WL  = W - 1;
    localparam integer HL  = H - 1;
    localparam integer KWL = KW - 1;
    localparam integer KHL = KH - 1;
    localparam integer SWL = SW - 1;
    localparam integer SHL = SH - 1;
    localparam [XW-1:0]  X_LAST    = WL[XW-1:0];
    localparam [YW-1:0]  Y_LAST    = HL[YW-1:0];
    localparam [XCW-1:0] XC_START  = KWL[XCW-1:0];
    localparam [YCW-1:0] YC_START  = KHL[YCW-1:0];
    localparam [XCW-1:0] XC_STRIDE = SWL[XCW-1:0];
    localparam [YCW-1:0] YC_STRIDE = SHL[YCW-1:0];

    // Parameter guards: instantiating a non-existent module is the only
    // portable way to abort elaboration in Verilog-2005.
    generate
        if (C < 1 || EW < 1) begin : g_bad_width
            lowbit_swg_requires_C_and_EW_at_least_1 u_bad ();
        end
        if (KH < 1 || KW < 1 || KH > H || KW > W) begin : g_bad_kernel
            lowbit_swg_requires_1_le_KH_le_H_and_1_le_KW_le_W u_bad ();
        end
        if (SH < 1 || SW < 1) begin : g_bad_stride
            lowbit_swg_requires_SH_and_SW_at_least_1 u_bad ();
        end
    endgenerate

    // ------------------------------------------------------------------
    // Position of the next pixel. x/y are its column/row; xc/yc count down
    // to the next column/row at which a window ends: they start at KW-1 /
    // KH-1 at the start of a row / frame and reload with SW-1 / SH-1 after
    // each window column / row. emit: the next pixel completes a window.
    // ------------------------------------------------------------------
    reg [XW-1:0]  x;
    reg [YW-1:0]  y;
    reg [XCW-1:0] xc;
    reg [YCW-1:0] yc;
    reg           run;              // low in reset: no handshakes

    wire emit  = (xc == {XCW{1'b0}}) && (yc == {YCW{1'b0}});
    wire x_end = (x == X_LAST);
    wire y_end = (y == Y_LAST);
    wire ofifo_ready;

    assign in_tready = run && (ofifo_ready || !emit);
    wire in_fire = in_tvalid && in_tready;

    always @(posedge clk) begin
        if (rst) begin
            run <= 1'b0;
            x   <= {XW{1'b0}};
            y   <= {YW{1'b0}};
            xc  <= XC_START;
            yc  <= YC_START;
        end else begin
            run <= 1'b1;
            if (in_fire) begin
                if (x_end) begin
                    x  <= {XW{1'b0}};
                    xc <= XC_START;
                    if (y_end) begin
                        y  <= {YW{1'b0}};
                        yc <= YC_START;
                    end else begin
                        y  <= y + 1'b1;
                        yc <= (yc == {YCW{1'b0}}) ? YC_STRIDE : yc - 1'b1;
                    end
                end else begin
                    x  <= x + 1'b1;
                    xc <= (xc == {XCW{1'b0}}) ? XC_STRIDE : xc - 1'b1;
                end
            end
        end
    end

    // ------------------------------------------------------------------
    // Column x of rows y-KH+1 .. y: slot ky (bits [ky*PW +: PW]) is row
    // y-KH+1+ky; the incoming pixel is the bottom slot KH-1. The line buffer
    // returns slots 0..KH-2 and gets slots 1..KH-1 back for the next row.
    // ------------------------------------------------------------------
    wire [KH*PW-1:0] col;

    generate
        if (KH == 1) begin : g_nolb
            assign col = in_tdata;
        end else begin : g_lb
            localparam integer LW = (KH - 1) * PW;
            reg  [LW-1:0] lb_rd;
            assign col = {in_tdata, lb_rd};
            wire [LW-1:0] lb_wr = col[KH*PW-1:PW];
            if (W == 1) begin : g_reg
                // A single column: the read register is the whole buffer.
                always @(posedge clk) begin
                    if (in_fire) lb_rd <= lb_wr;
                end
            end else begin : g_ram
                // Read one pixel ahead: while column x is written, column
                // x+1 (mod W) is read for the next pixel. For W >= 2 the two
                // addresses differ, and column x+1 was written W-1 >= 1
                // pixels earlier, so no read-during-write case arises.
                reg  [LW-1:0] mem [0:W-1];
                wire [XW-1:0] rd_addr = x_end ? {XW{1'b0}} : x + 1'b1;
                always @(posedge clk) begin
                    if (in_fire) begin
                        mem[x] <= lb_wr;
                        lb_rd  <= mem[rd_addr];
                    end
                end
            end
        end
    endgenerate

    // ------------------------------------------------------------------
    // Window = the KW-1 columns kept in `hist` plus the new column. hist
    // pixel (ky, j) sits at bits [(ky*(KW-1) + j)*PW +: PW] and is window
    // column j; accepting a pixel shifts every row left by one column.
    // ------------------------------------------------------------------
    wire [OW-1:0] win;
    genvar gy, gx;

    generate
        if (KW == 1) begin : g_nohist
            assign win = col;   // (ky, 0) at ky*PW in both layouts
        end else begin : g_hist
            localparam integer HW = KH * (KW - 1) * PW;
            reg  [HW-1:0] hist;
            wire [HW-1:0] hist_nx;
            for (gy = 0; gy < KH; gy = gy + 1) begin : g_row
                for (gx = 0; gx < KW - 1; gx = gx + 1) begin : g_old
                    assign win[(gy*KW + gx)*PW +: PW] = hist[(gy*(KW-1) + gx)*PW +: PW];
                    assign hist_nx[(gy*(KW-1) + gx)*PW +: PW] = win[(gy*KW + gx + 1)*PW +: PW];
                end
                assign win[(gy*KW + KW - 1)*PW +: PW] = col[gy*PW +: PW];
            end
            always @(posedge clk) begin
                if (in_fire) hist <= hist_nx;
            end
        end
    endgenerate

    // A completing pixel is only accepted when the FIFO has room (see
    // in_tready), so in_fire && emit always enters the FIFO.
    lowbit_fifo #(.W(OW), .DEPTH(2)) u_ofifo (.clk(clk), .rst(rst),
        .in_tdata(win), .in_tvalid(in_fire && emit), .in_tready(ofifo_ready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));

endmodule
