// lowbit_swg_ram: sliding-window generator (convolutions without padding)
// whose pixels live in a RAM and whose output is as wide as the consumer's
// fold: G elements per beat instead of lowbit_swg's whole window.
//
// Input: as lowbit_swg: one beat = one pixel of C elements of EW bits
// (element c at bits [c*EW +: EW]); the H*W pixels of a frame arrive in
// raster order and frames follow each other back to back, no separator.
// Output: for each KHxKW window taken with strides SH (rows) and SW
// (columns), Ho x Wo windows per frame in raster order of their top-left
// corners,
//     Ho = (H-KH)/SH + 1,  Wo = (W-KW)/SW + 1     (floor division),
// the window's KH*KW*C elements in the order (ky, kx, c), i.e. window index
// (ky*KW + kx)*C + c, cut into KH*KW*C/G beats of G elements (G*EW bits,
// element j of a beat at [j*EW +: EW]). A window's beats concatenated, beat 0
// in the low bits, are exactly lowbit_swg's out_tdata for that window.
// Pixels that no window covers (the right/bottom margins when the strides do
// not divide W-KW / H-KH, and the rows and columns between windows when
// SH > KH / SW > KW) are consumed; margin rows and columns are not stored.
//
// Structure:
//   * a RAM of R = 2*KH rows of Wu = (Wo-1)*SW + KW pixels, a ring of rows
//     written through one address counter and read through a registered
//     read port: Yosys maps it to LUT RAM or block RAM. Only the stored rows
//     take a place in the ring: all rows up to the last window's bottom row
//     when SH <= KH, the KH rows of each window row when SH > KH.
//   * a writer (x, y counters, the write address) that stores one pixel per
//     cycle while the ring has a free row, and a reader (g, kx, ky, window
//     column and row counters; the read address and its window and row
//     bases) that reads one beat per cycle.
//   * `ahead`, the stored rows the writer has completed beyond the top row of
//     the reader's current window row. The writer waits at a stored pixel
//     while ahead == R; the reader starts a window once its bottom-right
//     pixel is written, and frees its window row's rows when it leaves it:
//     min(SH, KH) rows, all KH at the frame's last window row.
//   * a 2-deep lowbit_fifo of G*EW-bit beats.
// Why 2*KH rows: the reader holds the KH rows of its window row while the
// writer stores the next ones. At the last window row of a frame the next
// frame's first window row needs KH new rows: with fewer rows a reader-bound
// unit idles at every frame boundary (in a cycle model of this flow control,
// KH + SH rows cost (KH - SH - 1)*W + KW cycles a frame at SH < KH, 2*KH - 1
// rows about KW), and a writer-bound one whose frame is one window row
// (H == KH) stalls its input. With 2*KH the throughput below is exact.
// The RAM's words (measured with Yosys synth_xilinx on the CNV's window
// shapes, bench/units_swg.py):
//   * C/G a power of two above 1: words of G elements, a pixel written as
//     its C/G words at addresses {pixel, j} in one cycle. Yosys builds C/G
//     LUT RAM banks whose outputs are selected before a G*EW-bit read
//     register, or a block RAM with a wide write port that selects for free.
//     Against whole-pixel words: 124 to 244 fewer FFs on the LUT RAM shapes
//     (5x5x128 G 8, 3x3x256 G 16/32) for up to 40 more LUT sites, and 29 to
//     48 fewer LUTs on the block RAM shapes (30x30x64 G 32, 12x12x128 G 16/32).
//   * otherwise: words of a whole pixel (C*EW bits) and the g-th G elements
//     selected after the C*EW-bit read register. Padding C/G banks to a
//     power of two would waste RAM: 12x12x96 G 32 took 2 block RAMs instead
//     of 1.5, 5x5x320 G 64 701 LUT sites instead of 510.
//
// RAM_STYLE: 0 lets Yosys pick LUT RAM or block RAM by its cost (block RAM
// from about 5 Kbit on: 14x14x64 took a RAMB36), 1 asks for LUT RAM and 2
// for block RAM (Yosys's ram_style "distributed" / "block"), so that a
// compiler that budgets block RAMs decides.
//
// Handshake: in_tready is a function of flops only (low in reset and while
// the next pixel is a stored one and the ring is full); the reader issues a
// read only when the read register is empty or the FIFO (whose in_tready is
// a flop) takes its beat, so out_tvalid/out_tdata come straight from the
// FIFO's head flops and neither side's ready waits on the other's valid.
//
// Timing (cycle t = the cycle of a handshake), in_tvalid and out_tready
// always high:
//   * Latency: the first beat of a window whose bottom-right pixel is
//     accepted in cycle t is offered from cycle t + 3 when the reader was
//     waiting for it (read in t + 1, in the FIFO in t + 2).
//   * Throughput: every frame takes exactly
//         max(H*W, Ho*Wo*KH*KW*C/G)
//     cycles, from the first frame on: frame f+1's beats come exactly that
//     many cycles after frame f's, and a writer-bound unit (H*W larger)
//     accepts a pixel in every cycle.
//
// Storage: R*Wu*C*EW RAM bits; a read register of G*EW bits (banked) or
// C*EW bits plus clog2(C/G) select bits (whole pixels), inside the RAM when
// it is a block RAM; 2*G*EW FIFO bits; counters of clog2 of W, H (and SH
// when SH > KH), four of clog2(R*Wu) (the write address; the read address,
// its window base and its row base, the read address and the row base
// stepped by wrap-around adders), clog2 of W (the window's right column),
// Ho, KH, KW, C/G and R+1 (ahead). Only control state is reset.
//
// Requires lowbit_fifo (lowbit_fifo.v).
module lowbit_swg_ram #(
    parameter integer C  = 4,
    parameter integer EW = 1,
    parameter integer H  = 6,
    parameter integer W  = 6,
    parameter integer KH = 3,
    parameter integer KW = 3,
    parameter integer SH = 1,
    parameter integer SW = 1,
    parameter integer G  = 2,
    parameter integer RAM_STYLE = 0   // 0: the tool's choice, 1: LUT RAM, 2: block RAM
) (
    input  wire clk,
    input  wire rst,

    input  wire [C*EW-1:0] in_tdata,
    input  wire            in_tvalid,
    output wire            in_tready,

    output wire [G*EW-1:0] out_tdata,
    output wire            out_tvalid,
    input  wire            out_tready
);

    `include "lowbit_functions.vh"

    localparam integer PW  = C * EW;                  // bits per pixel
    localparam integer GW  = G * EW;                  // bits per beat
    localparam integer NB  = (G >= 1) ? C / G : 1;    // beats per pixel
    localparam integer HO  = (H - KH) / SH + 1;
    localparam integer WO  = (W - KW) / SW + 1;
    localparam integer WU  = (WO - 1) * SW + KW;      // columns stored
    localparam integer HU  = (HO - 1) * SH + KH;      // rows up to the last window's bottom
    localparam integer SE  = (SH < KH) ? SH : KH;     // stored rows between window rows
    localparam integer R   = 2 * KH;                  // rows in the ring
    localparam integer D   = R * WU;                  // RAM words
    localparam integer XW  = lowbit_index_width(W);
    localparam integer YW  = lowbit_index_width(H);
    localparam integer AW  = lowbit_index_width(D);
    localparam integer OYW = lowbit_index_width(HO);
    localparam integer KXW = lowbit_index_width(KW);
    localparam integer KYW = lowbit_index_width(KH);
    localparam integer GCW = lowbit_index_width(NB);
    localparam integer PHW = lowbit_index_width(SH);
    localparam integer AHW = $clog2(R + 1);
    // Constants as sized vectors (Verilator warns on width mismatches).
    localparam integer WL = W - 1, HL = H - 1, WUL = WU - 1, HUL = HU - 1, DL = D - 1;
    localparam integer HOL = HO - 1, KWL = KW - 1, KHL = KH - 1, NBL = NB - 1, SHL = SH - 1;
    localparam integer DROW = WU - KW + 1;             // next window pixel row: address step
    localparam integer DWIN = SW;                      // next window in the row
    localparam integer DSTEP = SE * WU, DFRAME = KH * WU;  // next window row / next frame
    localparam [XW-1:0]  X_LAST   = WL[XW-1:0];
    localparam [XW-1:0]  XU_LAST  = WUL[XW-1:0];
    localparam [XW-1:0]  XR_FIRST = KWL[XW-1:0];
    localparam [XW-1:0]  XR_STEP  = SW[XW-1:0];
    localparam [YW-1:0]  Y_LAST   = HL[YW-1:0];
    localparam [YW-1:0]  YU_LAST  = HUL[YW-1:0];
    localparam [PHW-1:0] PH_LAST  = SHL[PHW-1:0];
    localparam [OYW-1:0] OY_LAST  = HOL[OYW-1:0];
    localparam [KXW-1:0] KX_LAST  = KWL[KXW-1:0];
    localparam [KYW-1:0] KY_LAST  = KHL[KYW-1:0];
    localparam [GCW-1:0] G_LAST   = NBL[GCW-1:0];
    localparam [AW:0]    A_END    = D[AW:0];
    localparam [AW-1:0]  A_LAST   = DL[AW-1:0];
    localparam [AW:0]    A_ROW    = DROW[AW:0];
    localparam [AW:0]    A_WIN    = DWIN[AW:0];
    localparam [AW:0]    A_STEP   = DSTEP[AW:0];
    localparam [AW:0]    A_FRAME  = DFRAME[AW:0];
    localparam [AHW-1:0] AH_FULL  = R[AHW-1:0];
    localparam [AHW-1:0] AH_KH    = KH[AHW-1:0];
    localparam [AHW-1:0] AH_KHL   = KHL[AHW-1:0];
    localparam [AHW-1:0] AH_SE    = SE[AHW-1:0];

    // Parameter guards: instantiating a non-existent module is the only
    // portable way to abort elaboration in Verilog-2005.
    generate
        if (C < 1 || EW < 1) begin : g_bad_width
            lowbit_swg_ram_requires_C_and_EW_at_least_1 u_bad ();
        end
        if (KH < 1 || KW < 1 || KH > H || KW > W) begin : g_bad_kernel
            lowbit_swg_ram_requires_1_le_KH_le_H_and_1_le_KW_le_W u_bad ();
        end
        if (SH < 1 || SW < 1) begin : g_bad_stride
            lowbit_swg_ram_requires_SH_and_SW_at_least_1 u_bad ();
        end
        if (G < 1 || C % G != 0) begin : g_bad_group
            lowbit_swg_ram_requires_G_to_divide_C u_bad ();
        end
        if (RAM_STYLE < 0 || RAM_STYLE > 2) begin : g_bad_style
            lowbit_swg_ram_requires_RAM_STYLE_0_1_or_2 u_bad ();
        end
    endgenerate

    // Wrap-around sum of a ring address and a step of at most D.
    function [AW-1:0] ring_add;
        input [AW-1:0] a;
        input [AW:0]   step;
        reg   [AW:0]   s;
        begin
            s = {1'b0, a} + step;
            // The result is below D <= 2^AW: the subtraction works modulo 2^AW.
            ring_add = (s >= A_END) ? (s[AW-1:0] - A_END[AW-1:0]) : s[AW-1:0];
        end
    endfunction

    reg run;                                    // low in reset: no handshakes
    always @(posedge clk) run <= !rst;

    // ------------------------------------------------------------------
    // Writer: x, y of the next pixel; ph its row's phase within the row
    // stride (only when SH > KH, where rows ph >= KH lie between windows).
    // w_store: the next pixel is kept; wa: its RAM word.
    // ------------------------------------------------------------------
    reg [XW-1:0]  wx;
    reg [YW-1:0]  wy;
    reg [AW-1:0]  wa;
    reg [AHW-1:0] ahead;
    wire          row_in, col_in;            // above the bottom / left of the right margin
    wire          row_kept;

    generate
        if (HU == H) begin : g_no_bottom
            assign row_in = 1'b1;
        end else begin : g_bottom
            assign row_in = (wy <= YU_LAST);
        end
        if (WU == W) begin : g_no_right
            assign col_in = 1'b1;
        end else begin : g_right
            assign col_in = (wx <= XU_LAST);
        end
        if (SH > KH) begin : g_phase
            localparam [PHW-1:0] PH_KH = KH[PHW-1:0];  // SH > KH: fits
            reg [PHW-1:0] ph;
            assign row_kept = row_in && (ph < PH_KH);
            always @(posedge clk) begin
                if (rst) ph <= {PHW{1'b0}};
                else if (in_tvalid && in_tready && wx == X_LAST)
                    ph <= (wy == Y_LAST || ph == PH_LAST) ? {PHW{1'b0}} : ph + 1'b1;
            end
        end else begin : g_dense
            assign row_kept = row_in;
        end
    endgenerate

    wire w_store  = row_kept && col_in;
    wire w_rowend = w_store && (wx == XU_LAST);  // completes a stored row
    assign in_tready = run && !(w_store && ahead == AH_FULL);
    wire in_fire = in_tvalid && in_tready;

    always @(posedge clk) begin
        if (rst) begin
            wx <= {XW{1'b0}};
            wy <= {YW{1'b0}};
            wa <= {AW{1'b0}};
        end else if (in_fire) begin
            wx <= (wx == X_LAST) ? {XW{1'b0}} : wx + 1'b1;
            if (wx == X_LAST) wy <= (wy == Y_LAST) ? {YW{1'b0}} : wy + 1'b1;
            if (w_store) wa <= (wa == A_LAST) ? {AW{1'b0}} : wa + 1'b1;
        end
    end

    // ------------------------------------------------------------------
    // Reader: beat g of pixel (ky, kx) of the window whose right column is
    // xr in window row oy. ra: the pixel's word; wina: the window's top-left
    // word; basea: the window row's top-left word.
    // ------------------------------------------------------------------
    reg [GCW-1:0] g;
    reg [KXW-1:0] kx;
    reg [KYW-1:0] ky;
    reg [XW-1:0]  xr;
    reg [OYW-1:0] oy;
    reg [AW-1:0]  ra, wina, basea;
    reg           rv;                           // the read register holds a beat
    wire          ofifo_ready;

    // The window's bottom-right pixel is in: its row is complete, or it is the
    // writer's current row and the writer is past column xr.
    wire win_in = (ahead >= AH_KH) || (ahead == AH_KHL && w_store && wx > xr);
    wire issue  = run && win_in && (!rv || ofifo_ready);
    wire g_end  = (g == G_LAST);
    wire kx_end = g_end && (kx == KX_LAST);
    wire ky_end = kx_end && (ky == KY_LAST);        // last beat of a window
    wire row_end = ky_end && (xr == XU_LAST);       // ... of a window row
    wire frame_end = (oy == OY_LAST);
    wire [AW-1:0] next_base = ring_add(basea, frame_end ? A_FRAME : A_STEP);
    wire [AW-1:0] next_win  = wina + A_WIN[AW-1:0];  // stays in the window's rows

    always @(posedge clk) begin
        if (rst) begin
            g     <= {GCW{1'b0}};
            kx    <= {KXW{1'b0}};
            ky    <= {KYW{1'b0}};
            xr    <= XR_FIRST;
            oy    <= {OYW{1'b0}};
            ra    <= {AW{1'b0}};
            wina  <= {AW{1'b0}};
            basea <= {AW{1'b0}};
        end else if (issue) begin
            g <= g_end ? {GCW{1'b0}} : g + 1'b1;
            if (g_end) kx <= (kx == KX_LAST) ? {KXW{1'b0}} : kx + 1'b1;
            if (kx_end) ky <= (ky == KY_LAST) ? {KYW{1'b0}} : ky + 1'b1;
            if (row_end) begin
                xr    <= XR_FIRST;
                oy    <= frame_end ? {OYW{1'b0}} : oy + 1'b1;
                ra    <= next_base;
                wina  <= next_base;
                basea <= next_base;
            end else if (ky_end) begin
                xr   <= xr + XR_STEP;
                ra   <= next_win;
                wina <= next_win;
            end else if (kx_end) begin
                ra <= ring_add(ra, A_ROW);
            end else if (g_end) begin
                ra <= ra + 1'b1;                // the next column of the same row
            end
        end
    end

    // ahead: +1 when the writer completes a stored row, minus the rows the
    // reader frees when it leaves a window row.
    wire [AHW-1:0] freed = frame_end ? AH_KH : AH_SE;
    always @(posedge clk) begin
        if (rst) ahead <= {AHW{1'b0}};
        else ahead <= ahead + {{(AHW-1){1'b0}}, in_fire && w_rowend} - ((issue && row_end) ? freed : {AHW{1'b0}});
    end

    // ------------------------------------------------------------------
    // The RAM, written by the writer and read through a registered port
    // that holds its beat while the FIFO is full (see the header for the
    // choice of word; bench/units_swg.py measures both).
    // ------------------------------------------------------------------
    wire [GW-1:0] beat;

    generate
        if (NB > 1 && (NB & (NB - 1)) == 0) begin : g_banked
            // Words of G elements, a pixel's NB words at addresses {wa, j}
            // written at once: NB LUT RAM banks read before the G*EW-bit read
            // register, or a block RAM with a wide write port.
            lowbit_swg_ram_store #(.WW(GW), .NW(NB), .JW(GCW), .DEPTH(D), .AW(AW), .RAM_STYLE(RAM_STYLE)) u_store (
                .clk(clk), .we(in_fire && w_store), .waddr(wa), .wdata(in_tdata),
                .re(issue), .raddr({ra, g}), .rdata(beat));
        end else begin : g_whole
            // Words of a whole pixel; the g-th G elements are selected after
            // the C*EW-bit read register.
            wire [PW-1:0]  rq;
            reg  [GCW-1:0] rg;
            lowbit_swg_ram_store #(.WW(PW), .NW(1), .JW(0), .DEPTH(D), .AW(AW), .RAM_STYLE(RAM_STYLE)) u_store (
                .clk(clk), .we(in_fire && w_store), .waddr(wa), .wdata(in_tdata),
                .re(issue), .raddr(ra), .rdata(rq));
            always @(posedge clk) begin
                if (issue) rg <= g;
            end
            assign beat = rq[rg*GW +: GW];
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) rv <= 1'b0;
        else if (issue) rv <= 1'b1;
        else if (ofifo_ready) rv <= 1'b0;
    end

    lowbit_fifo #(.W(GW), .DEPTH(2)) u_ofifo (.clk(clk), .rst(rst),
        .in_tdata(beat), .in_tvalid(rv), .in_tready(ofifo_ready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));

endmodule


// lowbit_swg_ram_store: lowbit_swg_ram's RAM. DEPTH*NW words of WW bits; a
// write stores NW words (NW a power of two, or 1) at addresses {waddr, j},
// j = 0 .. NW-1 in JW = clog2(NW) bits, word j from wdata[j*WW +: WW]; a read
// loads the word at raddr into the read register rdata (held while re is
// low). RAM_STYLE sets Yosys's ram_style (1: "distributed", LUT RAM; 2:
// "block"); 0 leaves the choice to the tool. Attributes take literals only,
// hence one branch per style.
module lowbit_swg_ram_store #(
    parameter integer WW        = 8,
    parameter integer NW        = 1,
    parameter integer JW        = 0,
    parameter integer DEPTH     = 16,
    parameter integer AW        = 4,
    parameter integer RAM_STYLE = 0
) (
    input  wire                 clk,
    input  wire                 we,
    input  wire [AW-1:0]        waddr,
    input  wire [NW*WW-1:0]     wdata,
    input  wire                 re,
    input  wire [AW+JW-1:0]     raddr,
    output reg  [WW-1:0]        rdata
);
    localparam integer WORDS = DEPTH * NW;

    generate
        if (NW > 1 && (1 << JW) != NW) begin : g_bad_banks
            lowbit_swg_ram_store_requires_NW_equal_2_to_the_JW u_bad ();
        end
        if (NW == 1 && JW != 0) begin : g_bad_single
            lowbit_swg_ram_store_requires_JW_0_for_NW_1 u_bad ();
        end
    endgenerate

    generate
        if (RAM_STYLE == 1) begin : g_lutram
            (* ram_style = "distributed" *) reg [WW-1:0] mem [0:WORDS-1];
            if (NW == 1) begin : g_one
                always @(posedge clk) if (we) mem[waddr] <= wdata;
            end else begin : g_wide
                integer j;
                always @(posedge clk) if (we)
                    for (j = 0; j < NW; j = j + 1) mem[{waddr, j[JW-1:0]}] <= wdata[j*WW +: WW];
            end
            always @(posedge clk) if (re) rdata <= mem[raddr];
        end else if (RAM_STYLE == 2) begin : g_bram
            (* ram_style = "block" *) reg [WW-1:0] mem [0:WORDS-1];
            if (NW == 1) begin : g_one
                always @(posedge clk) if (we) mem[waddr] <= wdata;
            end else begin : g_wide
                integer j;
                always @(posedge clk) if (we)
                    for (j = 0; j < NW; j = j + 1) mem[{waddr, j[JW-1:0]}] <= wdata[j*WW +: WW];
            end
            always @(posedge clk) if (re) rdata <= mem[raddr];
        end else begin : g_auto
            reg [WW-1:0] mem [0:WORDS-1];
            if (NW == 1) begin : g_one
                always @(posedge clk) if (we) mem[waddr] <= wdata;
            end else begin : g_wide
                integer j;
                always @(posedge clk) if (we)
                    for (j = 0; j < NW; j = j + 1) mem[{waddr, j[JW-1:0]}] <= wdata[j*WW +: WW];
            end
            always @(posedge clk) if (re) rdata <= mem[raddr];
        end
    endgenerate

endmodule
