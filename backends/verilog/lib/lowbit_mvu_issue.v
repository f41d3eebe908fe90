// lowbit_mvu_issue: the input buffer and issue stage of lowbit_mvu
// (lowbit_mvu.v, "Folding and timing"). It accepts one IW-bit input vector
// into a buffer while the current one computes, and issues the current one
// as F = NF*SF folds of XW bits (addr = the weight-memory word of the fold),
// each NPL steps long (pl = the plane of the step). Everything advances only
// with en, lowbit_mvu's datapath enable; active is high while a step is
// issued. The next vector is taken in the cycle the last step of the current
// one is issued, so a vector takes exactly F*NPL cycles.
//
// cur is rotated right by XW bits every fold so the current slice is always
// cur[XW-1:0] (no K-wide multiplexer); after SF folds it is back in place
// for the next channel fold. With NPL > 1 addr, sf and cur advance on a
// fold's last step.
module lowbit_mvu_issue #(
    parameter integer IW  = 16,   // input bits per vector
    parameter integer XW  = 4,    // input bits per fold
    parameter integer F   = 4,    // folds per vector (NF*SF)
    parameter integer SF  = 4,    // input folds per channel fold
    parameter integer NPL = 1,    // steps per fold
    parameter integer ADW = 2,    // weight-memory address bits
    parameter integer PLW = 1     // plane index bits
) (
    input  wire           clk,
    input  wire           rst,
    input  wire           en,
    input  wire [IW-1:0]  in_tdata,
    input  wire           in_tvalid,
    output wire           in_tready,
    output wire [XW-1:0]  slice,       // the step's input bits
    output reg            active,      // a step is issued
    output reg  [ADW-1:0] addr,        // its fold's weight-memory word
    output wire [PLW-1:0] pl,          // its plane (0 for NPL == 1)
    output wire           plane0,      // it is its fold's first step
    output wire           step_last,   // ... its fold's last step
    output wire           sf_first,    // the fold is its channel fold's first
    output wire           sf_last,     // ... its last
    output wire           vec_last     // the step is its vector's last
);
    `include "lowbit_functions.vh"

    localparam integer SFW = lowbit_index_width(SF);
    localparam integer FL  = F - 1;
    localparam integer SL  = SF - 1;
    localparam integer PL  = NPL - 1;
    localparam [ADW-1:0] ADDR_LAST = FL[ADW-1:0];
    localparam [SFW-1:0] SF_LAST   = SL[SFW-1:0];
    localparam [PLW-1:0] PL_LAST   = PL[PLW-1:0];

    reg [IW-1:0]  ibuf;
    reg           ibuf_v;
    reg           in_rdy_q;
    reg [IW-1:0]  cur;
    reg [SFW-1:0] sf;

    assign in_tready = in_rdy_q;
    assign slice     = cur[XW-1:0];
    assign sf_first  = (sf == {SFW{1'b0}});
    assign sf_last   = (sf == SF_LAST);

    wire in_fire  = in_tvalid && in_rdy_q;  // only when ibuf is empty
    // alast is addr == ADDR_LAST kept as a flop, so that take is one LUT of
    // flops: with a comparator in front of take, Yosys/ABC mapped the K-bit
    // cur multiplexer for depth by copying the take logic into every bit
    // (two LUTs per input bit; bench/datapath.py's whole unit).
    reg  alast;
    assign vec_last = alast && step_last;
    // Taking the next vector in the same cycle as the last step's issue is
    // what makes a vector take exactly F*NPL cycles.
    wire take     = en && (!active || vec_last);
    wire have     = ibuf_v || in_fire;
    wire advance  = en && active && step_last;   // a fold is issued completely

    wire [IW-1:0] cur_rot;
    generate
        if (SF == 1) begin : g_norot
            assign cur_rot = cur;
        end else begin : g_rot
            assign cur_rot = {cur[XW-1:0], cur[IW-1:XW]};
        end
    endgenerate

    wire ibuf_v_nx = (take && ibuf_v) ? 1'b0 : ((in_fire && !take) ? 1'b1 : ibuf_v);

    always @(posedge clk) begin
        if (rst) begin
            ibuf_v   <= 1'b0;
            in_rdy_q <= 1'b0;
            active   <= 1'b0;
            addr     <= {ADW{1'b0}};
            sf       <= {SFW{1'b0}};
            alast    <= (FL == 0);
        end else begin
            ibuf_v   <= ibuf_v_nx;
            in_rdy_q <= !ibuf_v_nx;
            if (take) begin
                active <= have;
                addr   <= {ADW{1'b0}};
                sf     <= {SFW{1'b0}};
                alast  <= (FL == 0);
            end else if (advance) begin
                addr  <= addr + 1'b1;
                alast <= (addr + 1'b1 == ADDR_LAST);
                sf    <= sf_last ? {SFW{1'b0}} : sf + 1'b1;
            end
        end
    end

    always @(posedge clk) begin
        if (in_fire && !take) ibuf <= in_tdata;
        if (take && have) cur <= ibuf_v ? ibuf : in_tdata;
        else if (advance) cur <= cur_rot;
    end

    generate
        if (NPL > 1) begin : g_planes
            reg [PLW-1:0] pl_q;
            always @(posedge clk) begin
                if (rst || take) pl_q <= {PLW{1'b0}};
                else if (en && active) pl_q <= step_last ? {PLW{1'b0}} : pl_q + 1'b1;
            end
            assign pl        = pl_q;
            assign step_last = (pl_q == PL_LAST);
            assign plane0    = (pl_q == {PLW{1'b0}});
        end else begin : g_noplanes
            assign pl        = {PLW{1'b0}};
            assign step_last = 1'b1;
            assign plane0    = 1'b1;
        end
    endgenerate
endmodule
