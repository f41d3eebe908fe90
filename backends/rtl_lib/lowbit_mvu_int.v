// lowbit_mvu_int: folded matrix-vector unit for a first layer with signed
// EW-bit integer inputs (two's complement, e.g. 8-bit pixels) and binary
// weights (bit 1 = +1, bit 0 = -1).
//
// Computes, for every output channel c in [0, C):
//     acc_c = sum_{k in [0, K)} x_k * w_ck,    w_ck in {+1, -1}
// exactly (no saturation) and emits either the threshold bit (acc_c >= T_c),
// signed compare (MODE 0, out bit c), or acc_c itself as a signed AW-bit
// value (MODE 1, out bits [c*AW +: AW]).
//
// Folding: each cycle handles PE output channels x SIMD input elements, so one
// vector takes NF*SF cycles with NF = C/PE channel folds and SF = K/SIMD input
// folds. Loop order is nf outer, sf inner (as lowbit_mvu).
//
// Streams: one in beat = one vector of K elements (element k at bits
// [k*EW +: EW]), one out beat = the complete output vector (C bits in MODE 0,
// C*AW bits in MODE 1). A beat transfers when tvalid && tready. in_tready and
// out_tvalid are flops; neither depends combinationally on the other side.
//
// Timing (cycle t = the cycle in which a handshake happens; identical to
// lowbit_mvu):
//   * Latency: when the unit is idle and not back-pressured, an input vector
//     accepted in cycle t is offered on out_tvalid from cycle
//         t + NF*SF + 3 + PIPE
//     (folds issued in cycles t+1 .. t+NF*SF, then 1 weight-memory read,
//     PIPE lane-sum register, 1 accumulator, 1 output FIFO register).
//   * Initiation interval: with input always valid and out_tready always high,
//     input and output handshakes are spaced exactly NF*SF cycles apart
//     (NF*SF == 1 streams one vector per cycle). The next input vector is
//     buffered while the current one computes and is loaded into the working
//     register in the same cycle the last fold of the current one is issued.
//   * Backpressure: results land in a 2-deep output FIFO. If the FIFO is full
//     when a finished vector leaves the accumulator, the whole datapath
//     (including the weight-memory enable) freezes until there is room, so no
//     beat is dropped and the weight-read pipeline stays aligned.
//
// Lane datapath. w ? x : -x is computed as (x ^ {EW{~w}}) + ~w, i.e. ones'
// complement plus a correction bit, and the correction bits are fed as carry
// inputs into the adders that sum the lanes, so a lane costs only EW XORs
// (which fold into the first adder level's LUTs) and no negation adder:
//   * Level 0 holds the SIMD leaves x_s ^ {EW{~w_s}}, EW bits each.
//   * Level l (1 <= l <= LV = clog2(SIMD)) holds ceil(SIMD/2^l) nodes of EW+l
//     bits; node j = sext(child 2j) + sext(child 2j+1) + ~w_r, where
//     r = (2j+1)*2^(l-1) is the first lane under the right child. An odd last
//     child is passed through sign-extended, without an adder.
//   * Every lane except lane 0 is the first lane of exactly one right child,
//     so the SIMD-1 adders absorb SIMD-1 corrections; ~w_0 enters the
//     accumulator adder as its carry input.
//   Widths are exact: a level-l node covers n <= 2^l lanes and n-1 correction
//   bits, so its value lies in [-n*2^(EW-1), n*2^(EW-1) - 1], which fits in
//   EW+l signed bits. The per-fold lane sum (root, without ~w_0) thus needs
//   only EW + clog2(SIMD) bits. The accumulator computes modulo 2^AW; every
//   partial sum of w?x:-x lies in [-K*2^(EW-1), K*2^(EW-1)], which fits in AW
//   bits when AW >= EW + clog2(K+1) (checked), so the result is exact.
//
// Storage: 2*K*EW input bits (buffer + working register), 2 output vectors in
// the FIFO, NF-1 channel folds of output assembly, PE accumulators of AW bits.
//
// Weight memory: exactly as lowbit_mvu (one per layer, see rom.py's
// rom_module): W = PE*SIMD bits, D = NF*SF words, one-cycle synchronous read
// with en, data holds while en is low. Word nf*SF+sf, bit p*SIMD+s is the
// weight of channel nf*PE+p for input element k = sf*SIMD+s.
//
// AW is the accumulator/threshold width; the compiler passes the width of a
// signed value holding +-K*2^(EW-1), i.e. EW + clog2(K+1) or more. THRESH
// packs the signed T_c in bits [c*AW +: AW] (two's complement) and is ignored
// in MODE 1. PIPE (0/1) adds a register after the per-fold lane sums: +1 cycle
// latency, shorter critical path.
//
// Requires lowbit_fifo (lowbit_fifo.v).
module lowbit_mvu_int #(
    parameter integer K    = 16,
    parameter integer C    = 8,
    parameter integer PE   = 2,
    parameter integer SIMD = 4,
    parameter integer EW   = 8,
    parameter integer AW   = EW + $clog2(K + 1),
    parameter integer MODE = 0,
    parameter [C*AW-1:0] THRESH = {C*AW{1'b0}},
    parameter integer PIPE = 1
) (
    input  wire clk,
    input  wire rst,

    input  wire [K*EW-1:0] in_tdata,
    input  wire            in_tvalid,
    output wire            in_tready,

    output wire [(MODE == 0 ? C : C*AW)-1:0] out_tdata,
    output wire                              out_tvalid,
    input  wire                              out_tready,

    output wire [((C/PE)*(K/SIMD) > 1 ? $clog2((C/PE)*(K/SIMD)) : 1)-1:0] wmem_addr,
    output wire                                                          wmem_en,
    input  wire [PE*SIMD-1:0]                                            wmem_data
);

    localparam integer NF  = C / PE;
    localparam integer SF  = K / SIMD;
    localparam integer F   = NF * SF;
    localparam integer ADW = (F > 1) ? $clog2(F) : 1;
    localparam integer SFW = (SF > 1) ? $clog2(SF) : 1;
    localparam integer OW  = (MODE == 0) ? C : C * AW;
    localparam integer BW  = OW / NF;            // output bits per channel fold
    localparam integer XW  = SIMD * EW;          // input bits per fold
    localparam integer LV  = $clog2(SIMD);       // adder-tree levels
    localparam integer RW  = EW + LV;            // per-fold lane-sum width
    localparam integer FL  = F - 1;
    localparam integer SL  = SF - 1;
    localparam [ADW-1:0] ADDR_LAST = FL[ADW-1:0];
    localparam [SFW-1:0] SF_LAST   = SL[SFW-1:0];

    // Parameter guards: instantiating a non-existent module is the only
    // portable way to abort elaboration in Verilog-2005; the module name is
    // the error message.
    generate
        if (PE < 1 || SIMD < 1 || C % PE != 0 || K % SIMD != 0) begin : g_bad_fold
            lowbit_mvu_int_requires_PE_divides_C_and_SIMD_divides_K u_bad ();
        end
        if (EW < 1) begin : g_bad_ew
            lowbit_mvu_int_requires_EW_at_least_1 u_bad ();
        end
        if (AW < EW + $clog2(K + 1)) begin : g_bad_aw
            lowbit_mvu_int_requires_AW_at_least_EW_plus_clog2_K_plus_1 u_bad ();
        end
        if (MODE != 0 && MODE != 1) begin : g_bad_mode
            lowbit_mvu_int_requires_MODE_0_or_1 u_bad ();
        end
        if (PIPE != 0 && PIPE != 1) begin : g_bad_pipe
            lowbit_mvu_int_requires_PIPE_0_or_1 u_bad ();
        end
    endgenerate

    // Adder-tree layout: level l has tree_n(l) nodes of EW+l bits, stored
    // back to back from bit tree_off(l) of one flat vector per PE.
    function integer tree_n;
        input integer l;
        tree_n = (SIMD + (1 << l) - 1) >> l;
    endfunction

    function integer tree_off;
        input integer l;
        integer m;
        begin
            tree_off = 0;
            for (m = 0; m < l; m = m + 1) tree_off = tree_off + tree_n(m) * (EW + m);
        end
    endfunction

    localparam integer TW = tree_off(LV + 1);

    // ------------------------------------------------------------------
    // Global datapath enable (as lowbit_mvu): only a finished vector that
    // cannot enter the output FIFO stops the datapath; all inputs are flops.
    // ------------------------------------------------------------------
    reg  blk_v;                  // acc holds a completed channel fold
    reg  blk_fin;                // ... which is the vector's last one
    wire fin_v = blk_v && blk_fin;
    wire ofifo_ready;
    wire en = !(fin_v && !ofifo_ready);

    // ------------------------------------------------------------------
    // Input buffer + issue stage. cur is rotated right by SIMD elements every
    // fold so the current slice is always cur[XW-1:0] (no K-wide mux).
    // ------------------------------------------------------------------
    reg [K*EW-1:0] ibuf;
    reg            ibuf_v;
    reg            in_rdy_q;
    reg [K*EW-1:0] cur;
    reg            active;
    reg [ADW-1:0]  addr;
    reg [SFW-1:0]  sf;

    assign in_tready = in_rdy_q;
    assign wmem_addr = addr;
    assign wmem_en   = en && active;

    wire in_fire  = in_tvalid && in_rdy_q;  // only when ibuf is empty
    wire vec_last = (addr == ADDR_LAST);
    wire take     = en && (!active || vec_last);
    wire have     = ibuf_v || in_fire;

    wire [K*EW-1:0] cur_rot;
    generate
        if (SF == 1) begin : g_norot
            assign cur_rot = cur;
        end else begin : g_rot
            assign cur_rot = {cur[XW-1:0], cur[K*EW-1:XW]};
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
        end else begin
            ibuf_v   <= ibuf_v_nx;
            in_rdy_q <= !ibuf_v_nx;
            if (take) begin
                active <= have;
                addr   <= {ADW{1'b0}};
                sf     <= {SFW{1'b0}};
            end else if (en && active) begin
                addr <= addr + 1'b1;
                sf   <= (sf == SF_LAST) ? {SFW{1'b0}} : sf + 1'b1;
            end
        end
    end

    always @(posedge clk) begin
        if (in_fire && !take) ibuf <= in_tdata;
        if (take && have) cur <= ibuf_v ? ibuf : in_tdata;
        else if (en && active) cur <= cur_rot;
    end

    // ------------------------------------------------------------------
    // Stage 1: weight word arrives; per PE, conditional negate + adder tree.
    // ------------------------------------------------------------------
    reg          v1, first1, last1, fin1;
    reg [XW-1:0] s1;

    always @(posedge clk) begin
        if (rst) v1 <= 1'b0;
        else if (en) v1 <= active;
        if (en) begin
            s1     <= cur[XW-1:0];
            first1 <= (sf == {SFW{1'b0}});
            last1  <= (sf == SF_LAST);
            fin1   <= vec_last;
        end
    end

    wire [PE*RW-1:0] sum1;   // per-PE lane sum without lane 0's correction
    wire [PE-1:0]    cin1;   // per-PE lane 0 correction (~w_0)
    genvar gp, gi, gl;
    generate
        for (gp = 0; gp < PE; gp = gp + 1) begin : g_pe
            wire [SIMD-1:0] wn = ~wmem_data[gp*SIMD +: SIMD];
            wire [TW-1:0]   t;
            for (gi = 0; gi < SIMD; gi = gi + 1) begin : g_leaf
                assign t[gi*EW +: EW] = s1[gi*EW +: EW] ^ {EW{wn[gi]}};
            end
            for (gl = 1; gl <= LV; gl = gl + 1) begin : g_lvl
                localparam integer NI = tree_n(gl - 1);
                localparam integer NO = tree_n(gl);
                localparam integer WI = EW + gl - 1;
                localparam integer OI = tree_off(gl - 1);
                localparam integer OO = tree_off(gl);
                for (gi = 0; gi < NO; gi = gi + 1) begin : g_node
                    wire [WI-1:0] a = t[OI + 2*gi*WI +: WI];
                    if (2*gi + 1 < NI) begin : g_add
                        wire [WI-1:0] b = t[OI + (2*gi+1)*WI +: WI];
                        assign t[OO + gi*(WI+1) +: WI+1] =
                            {a[WI-1], a} + {b[WI-1], b} + {{WI{1'b0}}, wn[(2*gi+1) << (gl-1)]};
                    end else begin : g_pass
                        assign t[OO + gi*(WI+1) +: WI+1] = {a[WI-1], a};
                    end
                end
            end
            assign sum1[gp*RW +: RW] = t[TW-RW +: RW];
            assign cin1[gp]          = wn[0];
        end
    endgenerate

    // ------------------------------------------------------------------
    // Optional stage 2: register the lane sums (PIPE = 1).
    // ------------------------------------------------------------------
    wire             va, firsta, lasta, fina;
    wire [PE*RW-1:0] suma;
    wire [PE-1:0]    cina;
    generate
        if (PIPE == 1) begin : g_pipe
            reg             v2, first2, last2, fin2;
            reg [PE*RW-1:0] sum2;
            reg [PE-1:0]    cin2;
            always @(posedge clk) begin
                if (rst) v2 <= 1'b0;
                else if (en) v2 <= v1;
                if (en) begin
                    sum2   <= sum1;
                    cin2   <= cin1;
                    first2 <= first1;
                    last2  <= last1;
                    fin2   <= fin1;
                end
            end
            assign {va, firsta, lasta, fina, suma, cina} = {v2, first2, last2, fin2, sum2, cin2};
        end else begin : g_nopipe
            assign {va, firsta, lasta, fina, suma, cina} = {v1, first1, last1, fin1, sum1, cin1};
        end
    endgenerate

    // ------------------------------------------------------------------
    // Accumulate over the SF input folds (modulo 2^AW, exact, see header).
    // ------------------------------------------------------------------
    reg  [PE*AW-1:0] acc;
    wire [PE*AW-1:0] acc_nx;

    generate
        for (gp = 0; gp < PE; gp = gp + 1) begin : g_acc
            wire [RW-1:0] s = suma[gp*RW +: RW];
            wire [AW-1:0] sx;
            if (AW > RW) begin : g_ext
                assign sx = {{(AW-RW){s[RW-1]}}, s};
            end else begin : g_noext
                assign sx = s;
            end
            assign acc_nx[gp*AW +: AW] = (firsta ? {AW{1'b0}} : acc[gp*AW +: AW]) + sx
                                         + {{(AW-1){1'b0}}, cina[gp]};
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) blk_v <= 1'b0;
        else if (en) blk_v <= va && lasta;
        if (en) blk_fin <= fina;
        if (en && va) acc <= acc_nx;
    end

    // ------------------------------------------------------------------
    // Output block: signed threshold (MODE 0) or raw sums (MODE 1), then
    // assembly of the NF channel folds into one output word.
    // ------------------------------------------------------------------
    wire [BW-1:0] blk;

    generate
        if (MODE == 0) begin : g_thr
            localparam integer NFW = (NF > 1) ? $clog2(NF) : 1;
            wire [PE*AW-1:0] thr_tab [0:NF-1];
            reg  [NFW-1:0]   onf;
            genvar gn;
            for (gn = 0; gn < NF; gn = gn + 1) begin : g_tab
                assign thr_tab[gn] = THRESH[gn*PE*AW +: PE*AW];
            end
            wire [PE*AW-1:0] thr = thr_tab[onf];
            for (gp = 0; gp < PE; gp = gp + 1) begin : g_cmp
                assign blk[gp] = ($signed(acc[gp*AW +: AW]) >= $signed(thr[gp*AW +: AW]));
            end
            always @(posedge clk) begin
                if (rst) onf <= {NFW{1'b0}};
                else if (en && blk_v) onf <= fin_v ? {NFW{1'b0}} : onf + 1'b1;
            end
        end else begin : g_raw
            // Referencing THRESH keeps the parameter list uniform across
            // modes without an unused-parameter warning.
            localparam [C*AW-1:0] unused_thresh = THRESH;
            assign blk = acc;
        end
    endgenerate

    // Channel fold nf ends up at bits [nf*BW +: BW] (shifted in from the top).
    wire [OW-1:0] result;
    generate
        if (NF == 1) begin : g_asm1
            assign result = blk;
        end else begin : g_asm
            reg [(NF-1)*BW-1:0] asm_q;
            assign result = {blk, asm_q};
            always @(posedge clk) begin
                if (en && blk_v && !fin_v) asm_q <= result[OW-1:BW];
            end
        end
    endgenerate

    lowbit_fifo #(
        .W     (OW),
        .DEPTH (2)
    ) u_ofifo (
        .clk        (clk),
        .rst        (rst),
        .in_tdata   (result),
        .in_tvalid  (fin_v),
        .in_tready  (ofifo_ready),
        .out_tdata  (out_tdata),
        .out_tvalid (out_tvalid),
        .out_tready (out_tready)
    );

endmodule
