// lowbit_pad: zero padding of a frame, in front of a sliding-window generator.
//
// Input: one beat = one pixel of C elements; the H*W pixels of a frame arrive
// in raster order (row-major) and frames follow each other back to back with
// no separator.
//   * WIDEN == 0: elements are EW-bit signed integers, element c at bits
//     [c*EW +: EW]; output elements are the same EW bits (OEW = EW).
//   * WIDEN == 1: elements are single bipolar bits (bit 1 = +1, bit 0 = -1),
//     element c at bit c (EW is ignored); every output element is a 2-bit
//     signed integer, +1 = 2'b01 and -1 = 2'b11 (OEW = 2), so padding zeros
//     (2'b00) are distinct from both input values.
// Output: one beat = one pixel of C elements of OEW bits (element c at bits
// [c*OEW +: OEW]); per frame the HP x WP padded frame in raster order, with
//     HP = PT + H + PB,  WP = PL + W + PR,  P = HP * WP beats per frame.
// Padded pixel (oy, ox) is input pixel (oy-PT, ox-PL) (widened if WIDEN)
// when PT <= oy < PT+H and PL <= ox < PL+W, and all-zero otherwise (PT rows
// above, PB rows below, PL columns left and PR columns right; all-one bits
// with ONES = 1, i.e. +1 on a packed bipolar map, WIDEN = 0). With all pads
// 0 the unit is a pass-through (that widens if WIDEN == 1).
//
// Structure: a counter (oy, ox) walks the padded frame. Each step pushes one
// pixel into a 2-deep lowbit_fifo: at an interior position the input pixel
// (the step is the input handshake), elsewhere a zero pixel. A frame does not
// start before its data does: the step at (0, 0) also waits for in_tvalid
// when (0, 0) is a padding pixel (it is not consumed then), so nothing of a
// frame is emitted before its first pixel is offered. All later padding
// pixels of the frame, including the bottom rows after its last input pixel,
// need no input.
//
// Handshake: in_tready = (position is interior) && (FIFO not full), a
// function of flops only (never of in_tvalid or out_tready); it is low during
// reset. out_tvalid/out_tdata come straight from the FIFO's head flops.
//
// Timing (cycle t = the cycle of a handshake or of a padding step):
//   * Latency: a pixel pushed in cycle t (interior: accepted in cycle t) is
//     offered on out_tvalid from cycle t + 1 if the FIFO was empty.
//   * A padding step happens in every cycle the position is not interior and
//     the FIFO has room (at (0, 0): and in_tvalid is high), so padding never
//     waits for the input except at the start of a frame.
//   * Throughput: with out_tready always high the FIFO never fills and one
//     pixel is pushed per cycle whenever the next one is available, so with
//     input always valid one pixel is output per cycle and a frame takes
//     exactly P = (PT+H+PB)*(PL+W+PR) cycles (frame f+1's outputs follow
//     frame f's by exactly P cycles). If the unit is idle at (0, 0) and the
//     frame's first pixel is offered from cycle t0 with input valid from then
//     on, padded pixel (oy, ox) is pushed in cycle t0 + oy*WP + ox and
//     offered from t0 + oy*WP + ox + 1; input pixel (y, x) is accepted in
//     cycle t0 + (PT+y)*WP + PL + x. The input is accepted in H*W of every
//     P cycles.
//
// Storage: 2*C*OEW FIFO bits (data not reset), clog2(WP) + clog2(HP)
// position bits. Only control state is reset.
//
// Requires lowbit_fifo (lowbit_fifo.v) and lowbit_raster (lowbit_raster.v);
// lowbit_pad_span is below.
module lowbit_pad #(
    parameter integer C     = 4,
    parameter integer EW    = 8,
    parameter integer H     = 4,
    parameter integer W     = 4,
    parameter integer PT    = 1,
    parameter integer PL    = 1,
    parameter integer PB    = 1,
    parameter integer PR    = 1,
    parameter integer WIDEN = 0,
    parameter integer ONES  = 0
) (
    input  wire clk,
    input  wire rst,

    input  wire [((WIDEN != 0) ? C : C*EW)-1:0]   in_tdata,
    input  wire                                   in_tvalid,
    output wire                                   in_tready,

    output wire [((WIDEN != 0) ? 2*C : C*EW)-1:0] out_tdata,
    output wire                                   out_tvalid,
    input  wire                                   out_tready
);

    `include "lowbit_functions.vh"

    localparam integer OW = (WIDEN != 0) ? 2 * C : C * EW;   // output bits
    localparam integer HP = PT + H + PB;                      // padded rows
    localparam integer WP = PL + W + PR;                      // padded columns
    localparam integer XW = lowbit_index_width(WP);
    localparam integer YW = lowbit_index_width(HP);

    // Parameter guards: instantiating a non-existent module is the only
    // portable way to abort elaboration in Verilog-2005.
    generate
        if (C < 1 || (WIDEN == 0 && EW < 1)) begin : g_bad_width
            lowbit_pad_requires_C_and_EW_at_least_1 u_bad ();
        end
        if (H < 1 || W < 1) begin : g_bad_frame
            lowbit_pad_requires_H_and_W_at_least_1 u_bad ();
        end
        if (PT < 0 || PL < 0 || PB < 0 || PR < 0) begin : g_bad_pad
            lowbit_pad_requires_pads_at_least_0 u_bad ();
        end
        if (WIDEN != 0 && WIDEN != 1) begin : g_bad_widen
            lowbit_pad_requires_WIDEN_0_or_1 u_bad ();
        end
    endgenerate

    // ------------------------------------------------------------------
    // Position (oy, ox) of the next output pixel in the padded frame and
    // whether it is an input pixel: inside the input's columns and rows.
    // ------------------------------------------------------------------
    wire [XW-1:0] ox;
    wire [YW-1:0] oy;
    wire          x_in, y_in;

    lowbit_pad_span #(.N(W), .BEFORE(PL), .AFTER(PR), .PW(XW)) u_x_in (.p(ox), .in_span(x_in));
    lowbit_pad_span #(.N(H), .BEFORE(PT), .AFTER(PB), .PW(YW)) u_y_in (.p(oy), .in_span(y_in));

    wire interior    = x_in && y_in;
    wire frame_start = (ox == {XW{1'b0}}) && (oy == {YW{1'b0}});
    wire ofifo_ready;

    // Interior step = input handshake. Padding step: FIFO room, and at the
    // start of a frame also the frame's first pixel offered (not taken).
    assign in_tready = ofifo_ready && interior;
    wire push = ofifo_ready && (in_tvalid || (!interior && !frame_start));

    // The walk over the padded frame, one position per push.
    wire [YW-1:0] unused_oy_next;
    wire [XW-1:0] unused_ox_next;
    lowbit_raster #(.H(HP), .W(WP), .YW(YW), .XW(XW)) u_pos (.clk(clk), .rst(rst), .step(push),
        .y(oy), .x(ox), .y_next(unused_oy_next), .x_next(unused_ox_next));

    // ------------------------------------------------------------------
    // Pixel data: the (widened) input pixel at interior positions, else 0.
    // ------------------------------------------------------------------
    wire [OW-1:0] px;
    genvar gc;

    generate
        if (WIDEN != 0) begin : g_widen
            // bipolar bit b -> 2-bit signed {~b, 1}: 1 -> 01 (+1), 0 -> 11 (-1)
            for (gc = 0; gc < C; gc = gc + 1) begin : g_el
                assign px[2*gc +: 2] = {~in_tdata[gc], 1'b1};
            end
        end else begin : g_same
            assign px = in_tdata;
        end
    endgenerate

    // ONES: border bits are all 1 (a packed bipolar map padded with +1).
    wire [OW-1:0] pix = interior ? px : {OW{ONES != 0}};

    // The FIFO only sees a beat when it has room (push includes
    // ofifo_ready), so every push enters it.
    lowbit_fifo #(.W(OW), .DEPTH(2)) u_ofifo (.clk(clk), .rst(rst),
        .in_tdata(pix), .in_tvalid(push), .in_tready(ofifo_ready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));

endmodule

// lowbit_pad_span: whether position p (PW bits) of one padded axis, BEFORE
// pad positions, then N input positions, then AFTER pad positions, is an
// input position: BEFORE <= p < BEFORE + N. A bound whose pad is 0 is left
// out rather than compared, so no comparison is constant. Combinational.
module lowbit_pad_span #(
    parameter integer N      = 4,
    parameter integer BEFORE = 1,
    parameter integer AFTER  = 1,
    parameter integer PW     = 2
) (
    input  wire [PW-1:0] p,
    output wire          in_span
);
    wire lo, hi;
    // With no pad on either side p decides nothing.
    wire unused_p = &{1'b0, p};

    generate
        if (BEFORE == 0) begin : g_lo_all
            assign lo = 1'b1;
        end else begin : g_lo
            localparam [PW-1:0] FIRST = BEFORE[PW-1:0];
            assign lo = (p >= FIRST);
        end
        if (AFTER == 0) begin : g_hi_all
            assign hi = 1'b1;
        end else begin : g_hi
            localparam integer  E   = BEFORE + N;   // < BEFORE + N + AFTER here
            localparam [PW-1:0] STOP = E[PW-1:0];
            assign hi = (p < STOP);
        end
    endgenerate
    assign in_span = lo && hi;
endmodule
