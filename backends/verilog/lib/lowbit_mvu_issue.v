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

// lowbit_mvu_feed: the issue stage of lowbit_mvu with NARROW = 1 (lowbit_mvu.v,
// "Narrow input"). Its input beats are single folds (XW bits), a vector's SF
// folds in order, and it gives the lanes their stage-1 input x directly (the
// cycle after a step's issue), with the same step flags as lowbit_mvu_issue.
// The counters hold the position of the next step (addr, sf, pl, and nf0 =
// channel fold 0); a step is issued in a cycle with en && active.
//
// A fold's plane-0 step in channel fold 0 waits for its beat: a gap in the
// input is a bubble, nothing is lost. in_tready is a function of flops (en
// and the counters), never of in_tvalid or out_tready.
//
// NF == 1, or SF == 1 with PS == 0 (R = 0 in lowbit_mvu.v): no buffer. A
// fold's plane-0 step is issued in the cycle its beat is accepted (active =
// in_tvalid there, so wmem_en follows in_tvalid combinationally), and the
// beat goes straight into the lane register x (which holds the one fold over
// the channel folds when SF == 1).
//
// Otherwise (R = 1): every beat is written into a RAM of SF words x XW bits
// (word sf = fold sf), and every step reads its fold from there through a
// registered read port (rd_q, loaded as the step is issued: the lanes' input register itself
// for PS == 0). A beat is accepted one cycle ahead of its step, either while
// the step before it is issued or while its own step waits (pend: the beat of
// the next step is in the RAM). Reading the RAM in channel fold 0 too, rather
// than taking the beat past it, spares an XW-bit multiplexer in front of the
// lane register, and makes active (and so the weight-memory enable) a
// function of flops. The beat of fold sf is written while fold sf-1 is read
// (fold 0 while the previous vector's last fold, SF-1, is read), and a word
// is rewritten only after the previous vector's last channel fold read it, so
// a read never meets a write of its own word.
//
// PS == 1 (NPL == EW planes per fold): the fold is read in its plane-0 step;
// the lanes then see it shifted right by one bit per plane (sh), so bit s*EW
// is always the current plane of element s.
module lowbit_mvu_feed #(
    parameter integer XW  = 4,    // input bits per fold (= per beat)
    parameter integer F   = 4,    // folds per vector (NF*SF)
    parameter integer SF  = 4,    // input folds per channel fold
    parameter integer NPL = 1,    // steps per fold
    parameter integer ADW = 2,    // weight-memory address bits
    parameter integer PLW = 1     // plane index bits
) (
    input  wire           clk,
    input  wire           rst,
    input  wire           en,
    input  wire [XW-1:0]  in_tdata,
    input  wire           in_tvalid,
    output wire           in_tready,
    output wire [XW-1:0]  x,           // the lanes' input, the cycle after the step's issue
    output wire           active,      // the next step can be issued (with en)
    output reg  [ADW-1:0] addr,        // its fold's weight-memory word
    output wire [PLW-1:0] pl,          // its plane (0 for NPL == 1)
    output wire           plane0,      // it is its fold's first step
    output wire           step_last,   // ... its fold's last step
    output wire           sf_first,    // the fold is its channel fold's first
    output wire           sf_last,     // ... its last
    output wire           vec_last     // the step is its vector's last
);
    `include "lowbit_functions.vh"

    localparam integer NF  = F / SF;
    localparam integer SFW = lowbit_index_width(SF);
    localparam integer FL  = F - 1;
    localparam integer SL  = SF - 1;
    localparam integer PL  = NPL - 1;
    localparam [ADW-1:0] ADDR_LAST = FL[ADW-1:0];
    localparam [SFW-1:0] SF_LAST   = SL[SFW-1:0];
    localparam [PLW-1:0] PL_LAST   = PL[PLW-1:0];

    reg [SFW-1:0] sf;
    reg           nf0;     // the next step is in channel fold 0
    reg           alast;   // addr == ADDR_LAST, kept as a flop (see lowbit_mvu_issue)

    assign sf_first = (sf == {SFW{1'b0}});
    assign sf_last  = (sf == SF_LAST);
    assign vec_last = alast && step_last;

    wire go = en && active;   // a step is issued

    always @(posedge clk) begin
        if (rst) begin
            addr  <= {ADW{1'b0}};
            sf    <= {SFW{1'b0}};
            alast <= (FL == 0);
            nf0   <= 1'b1;
        end else if (go && step_last) begin
            if (alast) begin
                addr  <= {ADW{1'b0}};
                sf    <= {SFW{1'b0}};
                alast <= (FL == 0);
                nf0   <= 1'b1;
            end else begin
                addr  <= addr + 1'b1;
                alast <= (addr + 1'b1 == ADDR_LAST);
                sf    <= sf_last ? {SFW{1'b0}} : sf + 1'b1;
                if (sf_last) nf0 <= 1'b0;
            end
        end
    end

    generate
        if (NPL > 1) begin : g_planes
            reg [PLW-1:0] pl_q;
            always @(posedge clk) begin
                if (rst) pl_q <= {PLW{1'b0}};
                else if (go) pl_q <= step_last ? {PLW{1'b0}} : pl_q + 1'b1;
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

    // The vector is kept in the RAM: several channel folds read more than one
    // fold each (one fold without planes is simply held in the lane register).
    localparam integer RAMD = (NF > 1 && (SF > 1 || NPL > 1)) ? 1 : 0;

    // The step needs a beat: its fold is in channel fold 0 and it is the
    // fold's first step.
    wire due = (NF == 1 || nf0) && plane0;

    generate
        if (RAMD == 0) begin : g_direct
            assign active    = !due || in_tvalid;
            assign in_tready = en && due;
            reg [XW-1:0] x_q;
            if (NPL > 1) begin : g_planes
                always @(posedge clk) if (en) x_q <= plane0 ? in_tdata : {1'b0, x_q[XW-1:1]};
            end else begin : g_load
                always @(posedge clk) if (en && due) x_q <= in_tdata;
            end
            assign x = x_q;
        end else begin : g_ram
            reg           pend;   // the beat of the next step (a due one) is in the RAM
            reg [SFW-1:0] wsf;    // the RAM word the next beat goes to
            // The step after this one needs a beat: the next vector's first
            // fold, or the next fold of channel fold 0.
            wire next_due = step_last && (alast || (nf0 && !sf_last));
            assign active    = !due || pend;
            assign in_tready = en && ((due && !pend) || (active && next_due));
            wire fire = in_tvalid && in_tready;

            always @(posedge clk) begin
                if (rst) begin
                    pend <= 1'b0;
                    wsf  <= {SFW{1'b0}};
                end else begin
                    if (fire) pend <= 1'b1;
                    else if (go && due) pend <= 1'b0;
                    if (fire) wsf <= (wsf == SF_LAST) ? {SFW{1'b0}} : wsf + 1'b1;
                end
            end

            reg [XW-1:0] mem [0:SF-1];
            reg [XW-1:0] rd_q;
            always @(posedge clk) begin
                if (fire) mem[wsf] <= in_tdata;
                if (go && plane0) rd_q <= mem[sf];
            end

            if (NPL > 1) begin : g_planes
                // rd_q holds the fold from its plane-0 step on; sh is x
                // shifted by one plane, for the step after.
                reg          first_q;   // the step in the lanes is a plane-0 step
                reg [XW-1:0] sh;
                assign x = first_q ? rd_q : sh;
                always @(posedge clk) begin
                    if (en) begin
                        first_q <= plane0;
                        sh      <= {1'b0, x[XW-1:1]};
                    end
                end
            end else begin : g_load
                assign x = rd_q;   // the lane register is the RAM's read register
            end
        end
    endgenerate
endmodule
