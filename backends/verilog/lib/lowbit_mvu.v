// lowbit_mvu: folded matrix-vector unit. For every output channel c in
// [0, C) it computes an exact integer acc_c over a vector of K input
// elements and emits either k-bit multi-threshold activations (MODE 0) or the
// sums themselves (MODE 1). Everything except the lane datapath (input
// buffer, fold counters, weight-memory addressing, freeze, thresholds, output
// FIFO) is shared by all lane kinds.
//
// Parameters
//   K, C      fan-in (input elements per vector) and output channels.
//   PE, SIMD  folding: PE channels x SIMD elements per fold; PE | C, SIMD | K
//             (the compiler pads), NF = C/PE channel folds, SF = K/SIMD input
//             folds.
//   EW        input element width: 0 = one bit per element, >= 1 = integers.
//   ES        EW >= 1: inputs signed two's complement (1) or unsigned (0).
//   WB        weight bits: 1 = bipolar (bit 1 = +1, bit 0 = -1); >= 2 = signed
//             two's-complement WB-bit integers (WB = 2 holds ternary).
//   PS        EW >= 1 only: 0 = all input bit planes per cycle, 1 = one input
//             plane per cycle (bit-serial, EW times fewer lanes, EW times the
//             cycles). PS = 1 requires EW >= 1.
//   MODE      0 = thresholds, 1 = raw accumulator.
//   NT, OB, OOFF  MODE 0: NT thresholds per channel, OB output bits per
//             channel, signed output offset (below).
//   PW        accumulator/threshold width, given by the compiler (bounds: docs/hardware.md).
//   THRESH    MODE 0 thresholds (layout: docs/hardware.md); ignored in MODE 1.
//   PIPE      0/1: register after the per-fold lane sums (+1 cycle latency,
//             shorter critical path).
//   NARROW    0: a beat is a vector. 1: a beat is one fold (XW =
//             SIMD*max(1,EW) bits, laid out as a vector), SF beats per vector
//             in fold order (lowbit_mvu_feed: buffering, timing, bubbles).
//             R = 0 when NF == 1 or SF == NPL == 1 (no buffer), else R = 1
//             (a RAM of SF x XW). II = S; latency S + 2 + PIPE + R from the
//             first beat (no gaps, idle), S - (SF-1)*NPL + 2 + PIPE + R from
//             the last. The output FIFO is 1 deep unless S == 1.
//   FOLDOUT   0: an output beat is a vector. 1: an output beat is one channel
//             fold (PE channels, BW = PE*OB bits, or PE*PW raw), NF beats per
//             vector in order nf = 0..NF-1, so a consumer fed fold by fold
//             never sees the vector whole and no register assembles it. A
//             fold leaves the accumulator every SF*NPL steps; the output FIFO
//             is 1 deep unless SF*NPL == 1. The vector's last beat leaves
//             when the whole vector would (same latency).
//   NCASE, HO, WO, CYT, CXT  border cases (MODE 0; NCASE = 1, the default,
//             has none): the thresholds are NCASE tables, and the vectors
//             are the HO x WO output pixels of a +1-padded convolution in
//             raster order. lowbit_mvu_border counts the pixel (oy, ox) and
//             reads table CYT[oy] + CXT[ox] (TW-bit words, TW =
//             clog2(NCASE*NF); the compiler stores cy(oy)*NCX*NF and
//             cx(ox)*NF, cy/cx the pixel's row/column case, NCX the column
//             cases) plus the channel fold nf: table case*NF + nf.
//
// Numbers, outputs, layouts (in beat, THRESH, weight memory words), PW
// lower bounds, storage and the weight memory's interface: docs/hardware.md,
// section lowbit_mvu. In short: acc_c is the exact dot product of channel c
// (for XNOR lanes the match count P_c, bipolar dot product 2*P_c - K), kept
// modulo 2^PW, and PW's lower bounds (checked at elaboration; the module name
// of the failing check is the error message) make it exact. MODE 0 emits
//     y_c = ( #{ i in [0, NT) : acc_c >= T_{c,i} } + OOFF ) mod 2^OB
// at out bits [c*OB +: OB]; MODE 1 acc_c at out bits [c*PW +: PW].
//
// Folding and timing. Loop order: nf outer, sf, then (PS == 1) the input
// plane i = 0..EW-1 inner. A step is one fold (PS == 0) or one plane of a
// fold (PS == 1), and a vector takes S = NF*SF*NPL steps, NPL = EW if PS == 1
// else 1. A beat transfers when tvalid && tready; in_tready and out_tvalid
// are flops and neither depends combinationally on the other side. Cycle t
// is the cycle of a handshake:
//   * Latency: when the unit is idle and not back-pressured, an input vector
//     accepted in cycle t is offered on out_tvalid from cycle
//         t + S + 3 + PIPE
//     (steps issued in cycles t+1 .. t+S, then 1 weight-memory read, PIPE
//     lane-sum register, 1 accumulator, 1 output FIFO register; thresholds
//     are combinational between accumulator and FIFO).
//   * Initiation interval: with input always valid and out_tready always
//     high, input and output handshakes are spaced exactly S cycles apart
//     (II = NF*SF for PS == 0, NF*SF*EW for PS == 1; S == 1 streams one vector
//     per cycle). The next vector is buffered while the current one computes
//     and is loaded into the working register in the same cycle the last
//     step of the current one is issued.
//   * Backpressure: results land in a 2-deep output FIFO. If the FIFO is full
//     when a finished vector leaves the accumulator, the whole datapath
//     (including the weight-memory enable) freezes until there is room, so no
//     beat is dropped and the weight-read pipeline stays aligned.
//   * PS == 1: the weight word of a fold is read in its plane-0 step only
//     (wmem_en is low in the other EW-1 steps) and held by the memory's
//     output register, so the memory is read once per fold as for PS == 0.
//     The stage-1 input register loads the fold's SIMD elements in plane 0
//     and shifts right by one bit per plane, so bit s*EW is always plane i of
//     element s (no plane multiplexer). The plane's popcount sum is shifted
//     left by i (a log2(EW)-level mux) and, for the sign plane when ES,
//     inverted with a carry-in of 1 into the accumulator (subtraction).
//
// Lane-sum widths: see lowbit_mvu_lane (lowbit_mvu_lanes.v).
//
// Requires lowbit_fifo (lowbit_fifo.v), the lane datapaths (lowbit_mvu_lane
// and what it uses, lowbit_mvu_lanes.v), the counter tree (lowbit_mvu_count.v)
// and the constant tables and border addressing (lowbit_mvu_tables.v).
module lowbit_mvu #(
    parameter integer K    = 16,
    parameter integer C    = 8,
    parameter integer PE   = 2,
    parameter integer SIMD = 4,
    parameter integer EW   = 0,
    parameter integer ES   = 1,
    parameter integer WB   = 1,
    parameter integer PS   = 0,
    parameter integer MODE = 0,
    parameter integer NCASE = 1,
    parameter integer NT   = 1,
    parameter integer OB   = 1,
    parameter integer OOFF = 0,
    parameter integer PW   = (EW == 0 && WB == 1) ? $clog2(K + 2)
                           : (EW == 0 ? 0 : EW - ES) + WB + $clog2(K + 1)
                             + ((MODE == 0 && EW == ES && WB == 1) ? 1 : 0),
    parameter [NCASE*C*NT*PW-1:0] THRESH = {NCASE*C*NT*PW{1'b0}},
    parameter integer PIPE = 1,
    parameter integer NARROW = 0,
    parameter integer FOLDOUT = 0,
    parameter integer HO = 1,
    parameter integer WO = 1,
    parameter [HO*((NCASE*(C/PE) > 1) ? $clog2(NCASE*(C/PE)) : 1)-1:0] CYT = 0,
    parameter [WO*((NCASE*(C/PE) > 1) ? $clog2(NCASE*(C/PE)) : 1)-1:0] CXT = 0
) (
    input  wire clk,
    input  wire rst,

    input  wire [(NARROW != 0 ? SIMD : K)*(EW == 0 ? 1 : EW)-1:0] in_tdata,
    input  wire                            in_tvalid,
    output wire                            in_tready,

    output wire [(FOLDOUT != 0 ? PE : C)*(MODE == 0 ? OB : PW)-1:0] out_tdata,
    output wire                                 out_tvalid,
    input  wire                                 out_tready,

    output wire [((C/PE)*(K/SIMD) > 1 ? $clog2((C/PE)*(K/SIMD)) : 1)-1:0] wmem_addr,
    output wire                                                          wmem_en,
    input  wire [PE*SIMD*WB-1:0]                                         wmem_data
);

    // ------------------------------------------------------------------
    // Exact ranges (64-bit constant arithmetic: K * 2^(EW-1) * 2^(WB-1)
    // overflows 32-bit integers for wide layers).
    // ------------------------------------------------------------------
    localparam signed [63:0] ONE = 64'sd1;

    `include "lowbit_functions.vh"

    // Input range (lo == 0 / hi == 1) and weight range (lo == 2 / hi == 3).
    function signed [63:0] bound;
        input integer which;
        begin
            case (which)
                0:       bound = (EW == 0) ? 64'sd0 : ONE * lowbit_int_lo(EW, ES);
                1:       bound = (EW == 0) ? ONE : ONE * lowbit_int_hi(EW, ES);
                2:       bound = (WB == 1) ? -ONE : ONE * lowbit_int_lo(WB, 1);
                default: bound = (WB == 1) ? ONE : ONE * lowbit_int_hi(WB, 1);
            endcase
        end
    endfunction

    localparam signed [63:0] XLO  = bound(0);
    localparam signed [63:0] XHI  = bound(1);
    localparam signed [63:0] WLO  = bound(2);
    localparam signed [63:0] WHI  = bound(3);
    localparam signed [63:0] PMIN = lowbit_min(lowbit_min(XLO * WLO, XLO * WHI), lowbit_min(XHI * WLO, XHI * WHI));
    localparam signed [63:0] PMAX = lowbit_max(lowbit_max(XLO * WLO, XLO * WHI), lowbit_max(XHI * WLO, XHI * WHI));
    localparam signed [63:0] K64  = ONE * K;
    localparam signed [63:0] S64  = ONE * SIMD;

    // Lane kind: 0 XNOR, 1 NEG (+-1 tree), 2 PLANES (AND popcounts).
    localparam integer LK   = (EW == 0 && WB == 1) ? 0 : (EW > 0 && WB == 1 && PS == 0) ? 1 : 2;
    localparam integer SGN  = (LK == 0) ? 0 : 1;             // signed accumulator
    localparam integer NPL  = (PS == 1) ? EW : 1;            // steps per fold
    localparam integer PLW  = lowbit_index_width(NPL);
    localparam integer SER  = (LK == 2 && PS == 1) ? 1 : 0;  // plane-serial PLANES
    localparam integer NA   = (LK == 2 && PS == 0 && EW > 0) ? EW : 1;  // input planes per step
    localparam integer NB   = (WB == 1) ? 2 : WB;            // weight planes (PLANES)
    localparam integer XE   = EW + 1 - ES;                   // NEG leaf width

    // Accumulator bounds (docs/hardware.md, PW lower bounds): PW_ACC holds
    // the range, PW_THR also acc_max + 1.
    localparam integer PW_ACC = (LK == 0) ? $clog2(K + 1) : lowbit_range_width(K64 * PMIN, K64 * PMAX);
    localparam integer PW_THR = (LK == 0) ? $clog2(K + 2) : lowbit_range_width(K64 * PMIN, K64 * PMAX + ONE);

    // PS == 1: a plane step contributes D << i, D in SIMD*[wlo, whi]; the
    // sign plane (i = EW-1, ES) contributes ~(D << i) plus a carry-in.
    localparam integer RWD = lowbit_range_width(S64 * WLO, S64 * WHI);
    localparam integer SHP = EW - 1 - ES;                    // largest shift of a positive plane
    localparam signed [63:0] SER_LO = lowbit_min((SHP >= 0) ? (S64 * WLO) <<< SHP : 64'sd0,
                                           (ES != 0) ? -((S64 * WHI) <<< (EW - 1)) - ONE : 64'sd0);
    localparam signed [63:0] SER_HI = lowbit_max((SHP >= 0) ? (S64 * WHI) <<< SHP : 64'sd0,
                                           (ES != 0) ? -((S64 * WLO) <<< (EW - 1)) - ONE : 64'sd0);
    localparam integer RW = (LK == 0) ? $clog2(SIMD + 1)
                          : (LK == 1) ? XE + $clog2(SIMD)
                          : (SER != 0) ? lowbit_range_width(SER_LO, SER_HI)
                          : lowbit_range_width(S64 * PMIN, S64 * PMAX);
    // Accumulator width: PW, or PW + 1 with one threshold (TA, see the
    // accumulator section). A step's lane sum is truncated to AW bits at most:
    // its value lies within K*[pmin, pmax] (one less with a ones' complement
    // carry), which fits AW signed bits, so TA's sign-extension is exact.
    localparam integer TA = (MODE == 0 && NT == 1) ? 1 : 0;
    localparam integer AW = PW + TA;
    localparam integer SW = (RW < AW) ? RW : AW;             // lane sum as accumulated

    localparam integer NF  = C / PE;
    localparam integer SF  = K / SIMD;
    localparam integer F   = NF * SF;
    localparam integer ADW = lowbit_index_width(F);
    localparam integer OW  = (MODE == 0) ? C * OB : C * PW;
    localparam integer BW  = OW / NF;                    // output bits per channel fold
    localparam integer LW  = (EW == 0) ? 1 : EW;         // bits per input element
    localparam integer IW  = K * LW;                     // input bits per vector
    localparam integer XW  = SIMD * LW;                  // input bits per fold

    // Parameter guards: instantiating a non-existent module is the only
    // portable way to abort elaboration in Verilog-2005; the module name is
    // the error message.
    generate
        if (PE < 1 || SIMD < 1 || C % PE != 0 || K % SIMD != 0) begin : g_bad_fold
            lowbit_mvu_requires_PE_divides_C_and_SIMD_divides_K u_bad ();
        end
        if (EW < 0) begin : g_bad_ew
            lowbit_mvu_requires_EW_at_least_0 u_bad ();
        end
        if (ES != 0 && ES != 1) begin : g_bad_es
            lowbit_mvu_requires_ES_0_or_1 u_bad ();
        end
        if (WB < 1) begin : g_bad_wb
            lowbit_mvu_requires_WB_at_least_1 u_bad ();
        end
        if (PS != 0 && PS != 1) begin : g_bad_ps
            lowbit_mvu_requires_PS_0_or_1 u_bad ();
        end
        if (PS == 1 && EW < 1) begin : g_bad_ps_ew
            lowbit_mvu_requires_EW_at_least_1_for_PS_1 u_bad ();
        end
        if (MODE != 0 && MODE != 1) begin : g_bad_mode
            lowbit_mvu_requires_MODE_0_or_1 u_bad ();
        end
        if (OB < 1 || OB > 30) begin : g_bad_ob
            lowbit_mvu_requires_OB_from_1_to_30 u_bad ();
        end else if (NT < 1 || NT >= (1 << OB)) begin : g_bad_nt
            lowbit_mvu_requires_NT_from_1_to_2_pow_OB_minus_1 u_bad ();
        end
        if (NCASE < 1 || (NCASE > 1 && MODE != 0)) begin : g_bad_ncase
            lowbit_mvu_requires_NCASE_at_least_1_and_thresholds_for_border_cases u_bad ();
        end
        if (PIPE != 0 && PIPE != 1) begin : g_bad_pipe
            lowbit_mvu_requires_PIPE_0_or_1 u_bad ();
        end
        if (NARROW != 0 && NARROW != 1) begin : g_bad_narrow
            lowbit_mvu_requires_NARROW_0_or_1 u_bad ();
        end
        if (FOLDOUT != 0 && FOLDOUT != 1) begin : g_bad_foldout
            lowbit_mvu_requires_FOLDOUT_0_or_1 u_bad ();
        end
        if (LK == 0 && PW < PW_ACC) begin : g_bad_pw
            lowbit_mvu_requires_PW_at_least_clog2_K_plus_1 u_bad ();
        end else if (LK == 1 && ES == 1 && PW < PW_ACC) begin : g_bad_pw_int
            // The original integer lanes: PW_ACC == EW + clog2(K+1).
            lowbit_mvu_requires_PW_at_least_EW_plus_clog2_K_plus_1 u_bad ();
        end else if (PW < PW_ACC) begin : g_bad_pw_range
            lowbit_mvu_requires_PW_to_hold_the_accumulator_range u_bad ();
        end else if (MODE == 0 && PW < PW_THR) begin : g_bad_pw_thr
            lowbit_mvu_requires_PW_to_hold_accumulator_max_plus_1_in_MODE_0 u_bad ();
        end
    endgenerate

    // ------------------------------------------------------------------
    // Global datapath enable. Only a finished vector (FOLDOUT: channel fold)
    // that cannot enter the output FIFO stops the datapath; all three inputs
    // are flops, so
    // out_tready never reaches the weight memory or the input side
    // combinationally.
    // ------------------------------------------------------------------
    wire blk_v;                  // acc holds a completed channel fold
    wire blk_fin;                // ... which is the vector's last one
    wire fin_v = blk_v && blk_fin;
    wire push_v = (FOLDOUT != 0) ? blk_v : fin_v;   // acc holds an output beat
    wire ofifo_ready;
    // Written as an OR, not as !(push_v && !ofifo_ready): Yosys folds a
    // driving inverter into the flops' enable polarity, and its non-abc9
    // synth_xilinx flow then re-creates the inverted enable once per flop
    // (one LUT per flop; bench/datapath.py measured 76 extra on 93 flops).
    wire en = !push_v || ofifo_ready;

    // ------------------------------------------------------------------
    // Issue stage (lowbit_mvu_issue.v; NARROW = 0: lowbit_mvu_issue, whole
    // vectors; 1: lowbit_mvu_feed, one fold per beat): the step's weight
    // address, where it stands in its fold, channel fold and vector, and in
    // stage 1 (the cycle after its issue) its SIMD input elements x1.
    // ------------------------------------------------------------------
    wire [XW-1:0]  x1;            // stage 1: the step's input elements
    wire           active;        // a step is being issued (with en)
    wire [PLW-1:0] pl;            // plane of the step being issued (0 for NPL == 1)
    wire           plane0;        // the step is its fold's first
    wire           step_last;     // the step is its fold's last
    wire           sf_first;      // the fold is its channel fold's first input fold
    wire           sf_last;       // ... its last
    wire           vec_last;      // the step is its vector's last

    assign wmem_en = en && active && plane0;

    generate
        if (NARROW == 0) begin : g_wide
            wire [XW-1:0] slice;   // the step's SIMD input elements
            lowbit_mvu_issue #(
                .IW(IW), .XW(XW), .F(F), .SF(SF), .NPL(NPL), .ADW(ADW), .PLW(PLW)
            ) u_issue (
                .clk(clk), .rst(rst), .en(en),
                .in_tdata(in_tdata), .in_tvalid(in_tvalid), .in_tready(in_tready),
                .slice(slice), .active(active), .addr(wmem_addr), .pl(pl), .plane0(plane0),
                .step_last(step_last), .sf_first(sf_first), .sf_last(sf_last), .vec_last(vec_last)
            );
            // Stage-1 input register. PS == 1: load the slice in plane 0, then
            // shift so that bit s*EW is always the current plane of element s.
            reg  [XW-1:0] s1;
            wire [XW-1:0] s1_nx;
            if (NPL > 1) begin : g_s1_shift
                assign s1_nx = plane0 ? slice : {1'b0, s1[XW-1:1]};
            end else begin : g_s1_load
                assign s1_nx = slice;
            end
            always @(posedge clk) if (en) s1 <= s1_nx;
            assign x1 = s1;
        end else begin : g_narrow
            lowbit_mvu_feed #(
                .XW(XW), .F(F), .SF(SF), .NPL(NPL), .ADW(ADW), .PLW(PLW)
            ) u_feed (
                .clk(clk), .rst(rst), .en(en),
                .in_tdata(in_tdata), .in_tvalid(in_tvalid), .in_tready(in_tready),
                .x(x1), .active(active), .addr(wmem_addr), .pl(pl), .plane0(plane0),
                .step_last(step_last), .sf_first(sf_first), .sf_last(sf_last), .vec_last(vec_last)
            );
        end
    endgenerate

    // ------------------------------------------------------------------
    // Stage 1: weight word arrives (and is held over a fold's planes);
    // per PE, the lanes of one step are summed.
    // ------------------------------------------------------------------
    reg           v1, first1, last1, fin1;
    reg [PLW-1:0] pl1;

    always @(posedge clk) begin
        if (rst) v1 <= 1'b0;
        else if (en) v1 <= active;
        if (en) begin
            pl1    <= pl;
            first1 <= sf_first && plane0;
            last1  <= sf_last && step_last;
            fin1   <= vec_last;
        end
    end

    wire [PE*SW-1:0] sum1;   // per-PE lane sum of the step (SW bits, see lowbit_mvu_lane)
    wire [PE-1:0]    cin1;   // per-PE accumulator carry-in
    genvar gp;
    generate
        for (gp = 0; gp < PE; gp = gp + 1) begin : g_pe
            lowbit_mvu_lane #(
                .SIMD(SIMD), .EW(EW), .ES(ES), .WB(WB), .LK(LK), .SER(SER), .NA(NA), .NB(NB), .XE(XE),
                .RW(RW), .RWD(RWD), .SW(SW), .PLW(PLW)
            ) u_lane (
                .x(x1), .w(wmem_data[gp*SIMD*WB +: SIMD*WB]), .pl(pl1),
                .sum(sum1[gp*SW +: SW]), .cin(cin1[gp])
            );
        end
    endgenerate

    // ------------------------------------------------------------------
    // Optional stage 2 (PIPE = 1) and the accumulator (lowbit_mvu_acc,
    // lowbit_mvu_acc.v): acc sums the SF input folds (and NPL planes) of a
    // channel fold modulo 2^AW, exact (docs/hardware.md, Numbers). blk_v
    // marks a completed channel fold in acc; blk_fin additionally marks the
    // vector's last one.
    //
    // With one threshold (TA: MODE 0, NT == 1) a channel fold starts from
    // -T instead of 0, so acc ends as acc_c - T_c and acc_c >= T_c is its
    // sign bit: no comparator. acc_c and T_c both lie in PW-bit ranges
    // (unsigned for XNOR, signed otherwise), so their difference fits AW =
    // PW + 1 signed bits exactly. The -T of all folds are a constant table
    // (lowbit_mvu_table) indexed by the fold being accumulated; its word goes
    // into the first-step multiplexer, which shares the adder's LUTs.
    // ------------------------------------------------------------------
    localparam integer TW  = lowbit_index_width(NCASE*NF);  // border table address

    // TA: -T of every channel, PW + 1 (= AW) bits each, T extended to PW + 1
    // bits first (word nf of the table is channels nf*PE .. nf*PE+PE-1).
    // Only called when TA (NT == 1): THRESH holds one threshold per channel.
    function [NCASE*C*(PW+1)-1:0] neg_thresh;
        input integer unused;
        integer c;
        reg [PW:0] t;
        begin
            for (c = 0; c < NCASE*C; c = c + 1) begin
                t = {(SGN != 0) && THRESH[c*PW + PW - 1], THRESH[c*PW +: PW]};
                neg_thresh[c*(PW+1) +: PW+1] = ~t + 1'b1;
            end
        end
    endfunction

    wire [PE*AW-1:0] acc;
    wire [PE*AW-1:0] acc0;       // what a channel fold starts from
    wire             acc_step;   // a channel fold's last step is accumulated
    wire             acc_fin;    // ... and it is the vector's last

    generate
        if (TA != 0) begin : g_ta
            // The -T of the channel fold being accumulated (and, with border
            // cases, of its vector's pixel).
            lowbit_mvu_table #(
                .NF(NF), .NCASE(NCASE), .HO(HO), .WO(WO), .TW(TW), .CYT(CYT), .CXT(CXT), .W(PE*AW), .D(neg_thresh(0))
            ) u_table (.clk(clk), .rst(rst), .step(acc_step), .last(acc_fin), .q(acc0));
        end else begin : g_zero
            assign acc0 = {PE*AW{1'b0}};
            wire unused_fold = &{1'b0, acc_step, acc_fin};   // no table to advance
        end
    endgenerate

    lowbit_mvu_acc #(.PE(PE), .SW(SW), .AW(AW), .SGN(SGN), .PIPE(PIPE)) u_acc (
        .clk(clk), .rst(rst), .en(en),
        .v(v1), .first(first1), .last(last1), .fin(fin1), .sum(sum1), .cin(cin1), .acc0(acc0),
        .acc_step(acc_step), .acc_fin(acc_fin), .acc(acc), .blk_v(blk_v), .blk_fin(blk_fin)
    );

    // ------------------------------------------------------------------
    // Output block: NT thresholds per channel, count + OOFF (MODE 0), or
    // pass-through (MODE 1), then assembly of the NF channel folds into one
    // output word.
    // ------------------------------------------------------------------
    wire [BW-1:0] blk;

    generate
        if (MODE == 0) begin : g_thr
            wire [PE*NT*PW-1:0] thr;
            if (TA != 0) begin : g_sign
                assign thr = {PE*NT*PW{1'b0}};   // TA reads the comparison off acc's sign
            end else begin : g_table
                // The thresholds of the channel fold in acc (and, with border
                // cases, of its vector's pixel).
                lowbit_mvu_table #(
                    .NF(NF), .NCASE(NCASE), .HO(HO), .WO(WO), .TW(TW), .CYT(CYT), .CXT(CXT), .W(PE*NT*PW), .D(THRESH)
                ) u_table (.clk(clk), .rst(rst), .step(en && blk_v), .last(fin_v), .q(thr));
            end
            lowbit_mvu_thresh #(.PE(PE), .NT(NT), .OB(OB), .OOFF(OOFF), .PW(PW), .AW(AW), .SGN(SGN), .TA(TA)) u_thresh (
                .acc(acc), .thr(thr), .y(blk));
        end else begin : g_raw
            // THRESH, NT, OB and OOFF have no meaning for raw sums;
            // referencing them here keeps the parameter list uniform across
            // modes without unused-parameter warnings.
            localparam [NCASE*C*NT*PW-1:0] unused_thresh = THRESH;
            localparam integer       unused_out    = NT + OB + OOFF + NCASE + HO + WO;
            localparam [HO*TW-1:0]   unused_cyt    = CYT;
            localparam [WO*TW-1:0]   unused_cxt    = CXT;
            assign blk = acc;
        end
    endgenerate

    // Channel folds arrive in order nf = 0..NF-1; shifting each one in from
    // the top leaves fold nf at bits [nf*BW +: BW] once the last one is
    // appended, without a variable-index write. FOLDOUT sends each fold as
    // it comes.
    localparam integer OBW = (FOLDOUT != 0) ? BW : OW;
    wire [OBW-1:0] result;
    generate
        if (NF == 1 || FOLDOUT != 0) begin : g_asm1
            assign result = blk;
        end else begin : g_asm
            reg [(NF-1)*BW-1:0] asm_q;
            assign result = {blk, asm_q};
            always @(posedge clk) begin
                if (en && blk_v && !fin_v) asm_q <= result[OW-1:BW];
            end
        end
    endgenerate

    // The FIFO holds finished vectors until accepted. Depth 2 lets one vector
    // wait for the consumer while the next completes, and its registered
    // in_tready is what keeps `en` free of combinational backpressure. 1 deep
    // is ready again the cycle after its word is taken, soon enough for
    // vectors S >= 2 cycles apart: NARROW uses it there (NARROW = 0 keeps 2),
    // FOLDOUT for channel folds SF*NPL >= 2 cycles apart.
    localparam integer ODEPTH = (FOLDOUT != 0) ? ((SF * NPL > 1) ? 1 : 2)
                              : (NARROW != 0 && F * NPL > 1) ? 1 : 2;
    lowbit_fifo #(.W(OBW), .DEPTH(ODEPTH)) u_ofifo (.clk(clk), .rst(rst),
        .in_tdata(result), .in_tvalid(push_v), .in_tready(ofifo_ready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));

endmodule
