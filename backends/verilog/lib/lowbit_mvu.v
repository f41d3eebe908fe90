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
//             channel, signed output offset (see Outputs).
//   PW        accumulator/threshold width, given by the compiler (bounds below).
//   THRESH    MODE 0 thresholds (layout below); ignored in MODE 1.
//   PIPE      0/1: register after the per-fold lane sums (+1 cycle latency,
//             shorter critical path).
//   NCASE, HO, WO, CYT, CXT  border cases (MODE 0; NCASE = 1, the default,
//             has none): the thresholds are NCASE tables, and the vectors
//             are the HO x WO output pixels of a +1-padded convolution in
//             raster order. lowbit_mvu_border counts the pixel (oy, ox) and
//             reads table CYT[oy] + CXT[ox] (TW-bit words, TW =
//             clog2(NCASE*NF); the compiler stores cy(oy)*NCX*NF and
//             cx(ox)*NF, cy/cx the pixel's row/column case, NCX the column
//             cases) plus the channel fold nf: table case*NF + nf.
//
// Numbers. The input range [xlo, xhi] is {0, 1} for EW == 0 with WB >= 2,
// [-2^(EW-1), 2^(EW-1) - 1] for ES == 1, [0, 2^EW - 1] for ES == 0; the
// weight range [wlo, whi] is {-1, +1} for WB == 1 and [-2^(WB-1),
// 2^(WB-1) - 1] for WB >= 2. Lane kinds:
//   * XNOR (EW == 0, WB == 1): inputs are bipolar bits like the weights;
//         acc_c = P_c = #{ k : in[k] == W[c][k] }          (unsigned, 0..K)
//     (the bipolar dot product is 2*P_c - K).
//   * Everything else: acc_c = sum_k x_k * w_ck exactly (signed), with
//     x_k, w_ck in the ranges above. For EW == 0 (the AND domain) the inputs
//     are bits a_k in {0, 1}; the compiler folds a bipolar input's offset
//     (x = 2a - 1: sum x*w = 2*sum a*w - sum w) into the thresholds.
//     Datapaths:
//       NEG    (EW >= 1, WB == 1, PS == 0): conditional negation w ? x : -x
//              and a signed adder tree (lowbit_mvu_negtree);
//       PLANES (WB >= 2, or PS == 1): AND-popcounts over bit planes combined
//              by shifts and subtractions (lowbit_mvu_planes). With
//              x = sum_i a_i 2^i (top plane weighted -2^(EW-1) when ES) and
//              w = sum_j b_j 2^j (top plane -2^(WB-1)), one fold adds
//                  sum_{i,j} +-2^(i+j) popcount_s(a_i[s] & b_j[s]).
//              A bipolar weight (WB == 1, PS == 1) is the two-plane integer
//              w = 1 - 2*(~bit): planes b_0 = 1, b_1 = ~bit.
//   The accumulator is exact modulo 2^PW, and acc_c lies in
//   [K*pmin, K*pmax] (pmin/pmax: the extreme products of the two ranges,
//   reached), so the result is exact given the PW bound below.
//
// Outputs. MODE 1: acc_c at out bits [c*PW +: PW] (unsigned for XNOR, two's
// complement otherwise); beats are C*PW bits. MODE 0: channel c emits
//     y_c = ( #{ i in [0, NT) : acc_c >= T_{c,i} } + OOFF ) mod 2^OB
// at out bits [c*OB +: OB]; beats are C*OB bits. Comparisons are unsigned for
// XNOR and signed otherwise. NT <= 2^OB - 1 (checked). Examples: one bit
// (NT=1, OB=1, OOFF=0, the default); 2-bit unsigned (NT=3, OB=2, OOFF=0);
// ternary, i.e. narrow signed 2-bit (NT=2, OB=2, OOFF=-1: -1, 0, 1 as 2-bit
// two's complement); signed 2-bit (NT=3, OB=2, OOFF=-2).
//
// Layouts.
//   * In beat: one vector; element k at bits [k*EW +: EW] (K*EW bits), or
//     bit k for EW == 0 (K bits).
//   * THRESH: T_{c,i} at bits [(c*NT + i)*PW +: PW], C*NT*PW bits (case j's
//     table at bits [j*C*NT*PW +: C*NT*PW], NCASE*C*NT*PW bits), two's
//     complement except for XNOR; each channel's thresholds ascending (the
//     compiler guarantees it; the count above does not depend on it). A
//     threshold of acc_min always fires, one of acc_max + 1 never does.
//   * Weight memory word nf*SF + sf (PE*SIMD*WB bits): the weight of channel
//     nf*PE + p for element sf*SIMD + s at bits [(p*SIMD + s)*WB +: WB]
//     (WB == 1: bit 1 = +1, 0 = -1; WB >= 2: two's complement).
//
// PW lower bounds (checked at elaboration; the module name of the failing
// check is the error message):
//   * XNOR: PW >= clog2(K+1) to hold 0..K; MODE 0: PW >= clog2(K+2), so that
//     T = K+1 ("never fires") is representable.
//   * Signed kinds: PW >= the smallest two's-complement width holding
//     [K*pmin, K*pmax]; MODE 0: holding [K*pmin, K*pmax + 1]. For the NEG
//     kind with signed inputs this is EW + clog2(K+1) (MODE 0 and EW == 1:
//     1 + clog2(K+2)); for signed inputs x WB >= 2 weights it is
//     EW + WB - 1 + clog2(K+1) in both modes.
//   The default PW is (EW == 0 && WB == 1) ? clog2(K+2) :
//   (EW == 0 ? 0 : EW - ES) + WB + clog2(K+1) (+1 in MODE 0 when EW == ES
//   and WB == 1), which always meets the bound and equals it for XNOR, for
//   the NEG kind with signed inputs and for signed inputs x signed weights.
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
// Lane-sum widths (per step, per PE; RW, extended into the accumulator, or
// truncated to the accumulator width when wider, which is exact modulo 2^PW
// and, with one threshold, exact): XNOR
// clog2(SIMD+1), unsigned; NEG XE + clog2(SIMD) with XE = EW + 1 - ES (the
// unsigned inputs get a zero sign bit); PLANES the exact signed width of the
// step's contribution (PS == 0: SIMD*[pmin, pmax]; PS == 1: the plane sum
// SIMD*[wlo, whi] shifted by up to EW-1 and negated for the sign plane).
//
// Storage: 2*K*max(1,EW) input bits (buffer + working register),
// SIMD*max(1,EW) stage-1 bits, 2 output vectors in the FIFO, NF-1 channel
// folds of output assembly, PE accumulators of PW bits (PW + 1 in MODE 0
// with NT == 1, which start each channel fold from -T and read the
// comparison off the sign; see the accumulator section).
//
// Weight memory (one per layer, generated by the compiler, see rom.py's
// rom_module):
//     module L0_wmem(input wire clk, input wire en,
//                    input wire [ADW-1:0] addr, output reg [W-1:0] data);
//       reg [W-1:0] mem [0:D-1];
//       initial begin mem[0] = W'h...; ... end
//       always @(posedge clk) if (en) data <= mem[addr];
//     endmodule
//   with W = PE*SIMD*WB, D = NF*SF and ADW = max(1, clog2(D)). The unit
//   relies on two properties: data is valid one cycle after addr/en
//   (block-RAM output register), and data holds its value while en is low
//   (the freeze above and PS == 1 depend on it).
//
// Requires lowbit_fifo (lowbit_fifo.v) and, from lowbit_mvu_lanes.v,
// lowbit_mvu_count (with lowbit_mvu_c32 and lowbit_mvu_c63), lowbit_mvu_rom,
// lowbit_mvu_popcount, lowbit_mvu_sum, lowbit_mvu_fit, lowbit_mvu_negtree and
// lowbit_mvu_planes.
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
    parameter integer HO = 1,
    parameter integer WO = 1,
    parameter [HO*((NCASE*(C/PE) > 1) ? $clog2(NCASE*(C/PE)) : 1)-1:0] CYT = 0,
    parameter [WO*((NCASE*(C/PE) > 1) ? $clog2(NCASE*(C/PE)) : 1)-1:0] CXT = 0
) (
    input  wire clk,
    input  wire rst,

    input  wire [(EW == 0 ? K : K*EW)-1:0] in_tdata,
    input  wire                            in_tvalid,
    output wire                            in_tready,

    output wire [(MODE == 0 ? C*OB : C*PW)-1:0] out_tdata,
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

    // Input range (lo == 0 / hi == 1) and weight range (lo == 2 / hi == 3).
    function signed [63:0] bound;
        input integer which;
        begin
            case (which)
                0:       bound = (EW == 0 || ES == 0) ? 64'sd0 : -(ONE <<< (EW - 1));
                1:       bound = (EW == 0) ? ONE : (ES != 0) ? (ONE <<< (EW - 1)) - ONE : (ONE <<< EW) - ONE;
                2:       bound = (WB == 1) ? -ONE : -(ONE <<< (WB - 1));
                default: bound = (WB == 1) ? ONE : (ONE <<< (WB - 1)) - ONE;
            endcase
        end
    endfunction

    function signed [63:0] smin;
        input signed [63:0] a, b;
        smin = (a < b) ? a : b;
    endfunction

    function signed [63:0] smax;
        input signed [63:0] a, b;
        smax = (a > b) ? a : b;
    endfunction

    // Smallest two's-complement width holding [lo, hi].
    function integer swidth;
        input signed [63:0] lo, hi;
        integer p;
        begin
            swidth = 64;
            for (p = 63; p >= 1; p = p - 1)
                if (lo >= -(ONE <<< (p - 1)) && hi <= (ONE <<< (p - 1)) - ONE) swidth = p;
        end
    endfunction

    localparam signed [63:0] XLO  = bound(0);
    localparam signed [63:0] XHI  = bound(1);
    localparam signed [63:0] WLO  = bound(2);
    localparam signed [63:0] WHI  = bound(3);
    localparam signed [63:0] PMIN = smin(smin(XLO * WLO, XLO * WHI), smin(XHI * WLO, XHI * WHI));
    localparam signed [63:0] PMAX = smax(smax(XLO * WLO, XLO * WHI), smax(XHI * WLO, XHI * WHI));
    localparam signed [63:0] K64  = ONE * K;
    localparam signed [63:0] S64  = ONE * SIMD;

    // Lane kind: 0 XNOR, 1 NEG (+-1 tree), 2 PLANES (AND popcounts).
    localparam integer LK   = (EW == 0 && WB == 1) ? 0 : (EW > 0 && WB == 1 && PS == 0) ? 1 : 2;
    localparam integer SGN  = (LK == 0) ? 0 : 1;             // signed accumulator
    localparam integer NPL  = (PS == 1) ? EW : 1;            // steps per fold
    localparam integer PLW  = (NPL > 1) ? $clog2(NPL) : 1;
    localparam integer SER  = (LK == 2 && PS == 1) ? 1 : 0;  // plane-serial PLANES
    localparam integer NA   = (LK == 2 && PS == 0 && EW > 0) ? EW : 1;  // input planes per step
    localparam integer NB   = (WB == 1) ? 2 : WB;            // weight planes (PLANES)
    localparam integer XE   = EW + 1 - ES;                   // NEG leaf width

    // Accumulator bounds (see header): PW_ACC holds the range, PW_THR also
    // acc_max + 1.
    localparam integer PW_ACC = (LK == 0) ? $clog2(K + 1) : swidth(K64 * PMIN, K64 * PMAX);
    localparam integer PW_THR = (LK == 0) ? $clog2(K + 2) : swidth(K64 * PMIN, K64 * PMAX + ONE);

    // PS == 1: a plane step contributes D << i, D in SIMD*[wlo, whi]; the
    // sign plane (i = EW-1, ES) contributes ~(D << i) plus a carry-in.
    localparam integer RWD = swidth(S64 * WLO, S64 * WHI);
    localparam integer SHP = EW - 1 - ES;                    // largest shift of a positive plane
    localparam signed [63:0] SER_LO = smin((SHP >= 0) ? (S64 * WLO) <<< SHP : 64'sd0,
                                           (ES != 0) ? -((S64 * WHI) <<< (EW - 1)) - ONE : 64'sd0);
    localparam signed [63:0] SER_HI = smax((SHP >= 0) ? (S64 * WHI) <<< SHP : 64'sd0,
                                           (ES != 0) ? -((S64 * WLO) <<< (EW - 1)) - ONE : 64'sd0);
    localparam integer RW = (LK == 0) ? $clog2(SIMD + 1)
                          : (LK == 1) ? XE + $clog2(SIMD)
                          : (SER != 0) ? swidth(SER_LO, SER_HI)
                          : swidth(S64 * PMIN, S64 * PMAX);
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
    localparam integer ADW = (F > 1) ? $clog2(F) : 1;
    localparam integer SFW = (SF > 1) ? $clog2(SF) : 1;
    localparam integer OW  = (MODE == 0) ? C * OB : C * PW;
    localparam integer BW  = OW / NF;                    // output bits per channel fold
    localparam integer LW  = (EW == 0) ? 1 : EW;         // bits per input element
    localparam integer IW  = K * LW;                     // input bits per vector
    localparam integer XW  = SIMD * LW;                  // input bits per fold
    localparam integer FL  = F - 1;
    localparam integer SL  = SF - 1;
    localparam integer PL  = NPL - 1;
    localparam [ADW-1:0] ADDR_LAST = FL[ADW-1:0];
    localparam [SFW-1:0] SF_LAST   = SL[SFW-1:0];
    localparam [PLW-1:0] PL_LAST   = PL[PLW-1:0];

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
    // Global datapath enable. Only a finished vector that cannot enter the
    // output FIFO stops the datapath; all three inputs are flops, so
    // out_tready never reaches the weight memory or the input side
    // combinationally.
    // ------------------------------------------------------------------
    reg  blk_v;                  // acc holds a completed channel fold
    reg  blk_fin;                // ... which is the vector's last one
    wire fin_v = blk_v && blk_fin;
    wire ofifo_ready;
    // Written as an OR, not as !(fin_v && !ofifo_ready): Yosys folds a
    // driving inverter into the flops' enable polarity, and its non-abc9
    // synth_xilinx flow then re-creates the inverted enable once per flop
    // (one LUT per flop; bench/datapath.py measured 76 extra on 93 flops).
    wire en = !fin_v || ofifo_ready;

    // ------------------------------------------------------------------
    // Input buffer + issue stage. cur is rotated right by SIMD elements every
    // fold so the current slice is always cur[XW-1:0] (no K-wide
    // multiplexer); after SF folds it is back in place for the next channel
    // fold. With PS == 1 a fold is NPL steps (pl = plane index) and addr, sf
    // and cur advance on its last step.
    // ------------------------------------------------------------------
    reg [IW-1:0]  ibuf;
    reg           ibuf_v;
    reg           in_rdy_q;
    reg [IW-1:0]  cur;
    reg           active;
    reg [ADW-1:0] addr;
    reg [SFW-1:0] sf;
    wire [PLW-1:0] pl;            // plane of the step being issued (0 for NPL == 1)
    wire           step_last;     // the step is its fold's last
    wire           plane0;        // the step is its fold's first

    assign in_tready = in_rdy_q;
    assign wmem_addr = addr;
    assign wmem_en   = en && active && plane0;

    wire in_fire  = in_tvalid && in_rdy_q;  // only when ibuf is empty
    // alast is addr == ADDR_LAST kept as a flop, so that take is one LUT of
    // flops: with a comparator in front of take, Yosys/ABC mapped the K-bit
    // cur multiplexer for depth by copying the take logic into every bit
    // (two LUTs per input bit; bench/datapath.py's whole unit).
    reg  alast;
    wire vec_last = alast && step_last;
    // Taking the next vector in the same cycle as the last step's issue is
    // what makes the initiation interval exactly S.
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
                sf    <= (sf == SF_LAST) ? {SFW{1'b0}} : sf + 1'b1;
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

    // ------------------------------------------------------------------
    // Stage 1: weight word arrives (and is held over a fold's planes);
    // per PE, the lanes of one step are summed.
    // ------------------------------------------------------------------
    reg           v1, first1, last1, fin1;
    reg [XW-1:0]  s1;
    reg [PLW-1:0] pl1;
    wire [XW-1:0] s1_nx;

    generate
        if (NPL > 1) begin : g_s1_shift
            // PS == 1: load the slice in plane 0, then shift so that bit
            // s*EW is always the current plane of element s.
            assign s1_nx = plane0 ? cur[XW-1:0] : {1'b0, s1[XW-1:1]};
        end else begin : g_s1_load
            assign s1_nx = cur[XW-1:0];
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) v1 <= 1'b0;
        else if (en) v1 <= active;
        if (en) begin
            s1     <= s1_nx;
            pl1    <= pl;
            first1 <= (sf == {SFW{1'b0}}) && plane0;
            last1  <= (sf == SF_LAST) && step_last;
            fin1   <= vec_last;
        end
    end
    // pl1 only steers the plane-serial lanes.
    wire unused_pl1 = &{1'b0, pl1};

    wire [PE*SW-1:0] sum1;   // per-PE lane sum of the step (SW bits, see header)
    wire [PE-1:0]    cin1;   // per-PE accumulator carry-in
    genvar gp, gi, gj;
    generate
        for (gp = 0; gp < PE; gp = gp + 1) begin : g_pe
            wire [SIMD*WB-1:0] w = wmem_data[gp*SIMD*WB +: SIMD*WB];
            if (LK == 0) begin : g_xnor
                // The XNOR goes into the counter's first level (3 lanes per
                // LUT6), not in front of it.
                lowbit_mvu_count #(.N(SIMD), .W(SW), .OP(1)) u_pc (.a(s1), .b(w), .y(sum1[gp*SW +: SW]));
                assign cin1[gp] = 1'b0;
            end else if (LK == 1) begin : g_neg
                wire [SIMD*XE-1:0] x;
                wire [RW-1:0]      root;
                for (gi = 0; gi < SIMD; gi = gi + 1) begin : g_x
                    if (ES != 0) begin : g_s
                        assign x[gi*XE +: XE] = s1[gi*EW +: EW];
                    end else begin : g_u
                        assign x[gi*XE +: XE] = {1'b0, s1[gi*EW +: EW]};
                    end
                end
                lowbit_mvu_negtree #(.SIMD(SIMD), .XE(XE)) u_tree (.x(x), .wn(~w), .s(root), .cin(cin1[gp]));
                lowbit_mvu_fit #(.IW(RW), .OW(SW), .SGN(1)) u_fit (.x(root), .y(sum1[gp*SW +: SW]));
            end else begin : g_planes
                // Weight planes b_j[s] = w_s bit j; a bipolar weight is the
                // integer 1 - 2*(~bit): b_0 = 1, b_1 = ~bit.
                wire [NB*SIMD-1:0] bp;
                wire [NA*SIMD-1:0] ap;
                for (gi = 0; gi < SIMD; gi = gi + 1) begin : g_lane
                    if (WB == 1) begin : g_bip
                        assign bp[gi]        = 1'b1;
                        assign bp[SIMD + gi] = ~w[gi];
                    end else begin : g_int
                        for (gj = 0; gj < WB; gj = gj + 1) begin : g_b
                            assign bp[gj*SIMD + gi] = w[gi*WB + gj];
                        end
                    end
                    for (gj = 0; gj < NA; gj = gj + 1) begin : g_a
                        assign ap[gj*SIMD + gi] = s1[gi*LW + gj];
                    end
                end
                if (SER == 0) begin : g_par
                    lowbit_mvu_planes #(.SIMD(SIMD), .NA(NA), .NB(NB), .ASGN(EW > 0 ? ES : 0), .RW(RW)) u_pl (
                        .a(ap), .b(bp), .d(sum1[gp*SW +: SW]));
                    assign cin1[gp] = 1'b0;
                end else begin : g_ser
                    wire [RWD-1:0] d;
                    wire [SW-1:0]  dx;
                    lowbit_mvu_planes #(.SIMD(SIMD), .NA(1), .NB(NB), .ASGN(0), .RW(RWD)) u_pl (
                        .a(ap), .b(bp), .d(d));
                    lowbit_mvu_fit #(.IW(RWD), .OW(SW), .SGN(1)) u_fit (.x(d), .y(dx));
                    wire [SW-1:0] sh  = dx << pl1;
                    wire          neg = (ES != 0) && (pl1 == PL_LAST);
                    assign sum1[gp*SW +: SW] = sh ^ {SW{neg}};
                    assign cin1[gp]          = neg;
                end
            end
        end
    endgenerate

    // ------------------------------------------------------------------
    // Optional stage 2: register the lane sums (PIPE = 1).
    // ------------------------------------------------------------------
    wire             va, firsta, lasta, fina;
    wire [PE*SW-1:0] suma;
    wire [PE-1:0]    cina;
    generate
        if (PIPE == 1) begin : g_pipe
            reg             v2, first2, last2, fin2;
            reg [PE*SW-1:0] sum2;
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
    // Accumulate over the SF input folds (and NPL planes) modulo 2^AW, exact
    // (see header). blk_v marks a completed channel fold in acc; blk_fin
    // additionally marks the vector's last channel fold.
    //
    // With one threshold (TA: MODE 0, NT == 1) a channel fold starts from
    // -T instead of 0, so acc ends as acc_c - T_c and acc_c >= T_c is its
    // sign bit: no comparator. acc_c and T_c both lie in PW-bit ranges
    // (unsigned for XNOR, signed otherwise), so their difference fits AW =
    // PW + 1 signed bits exactly. The -T of all folds are a constant table
    // (lowbit_mvu_rom) indexed by anf, the fold being accumulated; its word
    // goes into the first-step multiplexer, which shares the adder's LUTs.
    // ------------------------------------------------------------------
    localparam integer NFW = (NF > 1) ? $clog2(NF) : 1;
    localparam integer TW  = (NCASE*NF > 1) ? $clog2(NCASE*NF) : 1;  // border table address

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

    reg  [PE*AW-1:0] acc;
    wire [PE*AW-1:0] acc_nx;
    wire [PE*AW-1:0] acc0;   // what a channel fold starts from

    generate
        if (TA != 0 && NCASE > 1) begin : g_ta_border
            // The table of the vector being accumulated: its pixel's case.
            wire [TW-1:0] ta;
            lowbit_mvu_border #(.HO(HO), .WO(WO), .TW(TW), .CYT(CYT), .CXT(CXT)) u_border (
                .clk(clk), .rst(rst), .step(en && va && lasta), .last(fina), .addr(ta));
            lowbit_mvu_rom #(.N(NCASE*NF), .AW(TW), .W(PE*AW), .D(neg_thresh(0))) u_rom (.a(ta), .q(acc0));
        end else if (TA != 0) begin : g_ta
            reg [NFW-1:0] anf;
            lowbit_mvu_rom #(.N(NF), .AW(NFW), .W(PE*AW), .D(neg_thresh(0))) u_rom (.a(anf), .q(acc0));
            always @(posedge clk) begin
                if (rst) anf <= {NFW{1'b0}};
                else if (en && va && lasta) anf <= fina ? {NFW{1'b0}} : anf + 1'b1;
            end
        end else begin : g_zero
            assign acc0 = {PE*AW{1'b0}};
        end

        for (gp = 0; gp < PE; gp = gp + 1) begin : g_acc
            wire [SW-1:0] s = suma[gp*SW +: SW];
            wire [AW-1:0] sx;
            wire [AW-1:0] ci;
            if (AW > SW) begin : g_ext
                // Popcounts are unsigned, all other lane sums signed.
                wire sg = (SGN == 0) ? 1'b0 : s[SW-1];
                assign sx = {{(AW-SW){sg}}, s};
            end else begin : g_noext
                assign sx = s;
            end
            if (AW > 1) begin : g_ci
                assign ci = {{(AW-1){1'b0}}, cina[gp]};
            end else begin : g_ci1
                assign ci = cina[gp];
            end
            assign acc_nx[gp*AW +: AW] = (firsta ? acc0[gp*AW +: AW] : acc[gp*AW +: AW]) + sx + ci;
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) blk_v <= 1'b0;
        else if (en) blk_v <= va && lasta;
        if (en) blk_fin <= fina;
        if (en && va) acc <= acc_nx;
    end

    // ------------------------------------------------------------------
    // Output block: NT thresholds per channel, count + OOFF (MODE 0), or
    // pass-through (MODE 1), then assembly of the NF channel folds into one
    // output word.
    // ------------------------------------------------------------------
    wire [BW-1:0] blk;

    generate
        if (MODE == 0) begin : g_thr
            localparam [OB-1:0] OFF = OOFF[OB-1:0];
            wire [PE*NT-1:0] ge;   // acc_c >= T_{c,i}
            if (TA != 0) begin : g_sign
                for (gp = 0; gp < PE; gp = gp + 1) begin : g_ch
                    assign ge[gp] = !acc[gp*AW + AW - 1];
                end
            end else begin : g_cmp
                // Thresholds of the current channel fold onf, a constant
                // table as for TA.
                localparam integer TPW = NT * PW;             // threshold bits per channel
                wire [PE*TPW-1:0] thr;
                for (gp = 0; gp < PE; gp = gp + 1) begin : g_ch
                    wire [PW-1:0] a = acc[gp*AW +: PW];
                    for (gi = 0; gi < NT; gi = gi + 1) begin : g_t
                        wire [PW-1:0] t = thr[(gp*NT + gi)*PW +: PW];
                        if (SGN == 0) begin : g_u
                            assign ge[gp*NT + gi] = (a >= t);
                        end else begin : g_s
                            assign ge[gp*NT + gi] = ($signed(a) >= $signed(t));
                        end
                    end
                end
                if (NCASE > 1) begin : g_border
                    // The table of the vector in acc: its pixel's case.
                    wire [TW-1:0] ta;
                    lowbit_mvu_border #(.HO(HO), .WO(WO), .TW(TW), .CYT(CYT), .CXT(CXT)) u_border (
                        .clk(clk), .rst(rst), .step(en && blk_v), .last(fin_v), .addr(ta));
                    lowbit_mvu_rom #(.N(NCASE*NF), .AW(TW), .W(PE*TPW), .D(THRESH)) u_rom (.a(ta), .q(thr));
                end else begin : g_fold
                    reg [NFW-1:0] onf;
                    lowbit_mvu_rom #(.N(NF), .AW(NFW), .W(PE*TPW), .D(THRESH)) u_rom (.a(onf), .q(thr));
                    always @(posedge clk) begin
                        if (rst) onf <= {NFW{1'b0}};
                        else if (en && blk_v) onf <= fin_v ? {NFW{1'b0}} : onf + 1'b1;
                    end
                end
            end
            for (gp = 0; gp < PE; gp = gp + 1) begin : g_out
                wire [OB-1:0] cnt;
                // A count rather than a thermometer decode: exact for any
                // threshold order, and NT < 2^OB keeps it from wrapping.
                lowbit_mvu_popcount #(.N(NT), .W(OB)) u_cnt (.x(ge[gp*NT +: NT]), .y(cnt));
                assign blk[gp*OB +: OB] = cnt + OFF;
            end
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
    // appended, without a variable-index write.
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

    // The FIFO holds finished vectors until accepted. Depth 2 lets one vector
    // wait for the consumer while the next completes, and its registered
    // in_tready is what keeps `en` free of combinational backpressure.
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


// lowbit_mvu_border: the threshold-table address of a unit whose vectors are
// the HO x WO output pixels of a +1-padded convolution, in raster order
// (frames back to back). Counters (oy, ox) hold the pixel of the current
// vector; addr is its table CYT[oy] + CXT[ox] (case*NF, see lowbit_mvu)
// plus the channel fold, advanced by step (a fold's thresholds were used)
// and, with last (the vector's last fold), moved to the next pixel's table.
module lowbit_mvu_border #(
    parameter integer HO = 1,
    parameter integer WO = 1,
    parameter integer TW = 1,
    parameter [HO*TW-1:0] CYT = {HO*TW{1'b0}},
    parameter [WO*TW-1:0] CXT = {WO*TW{1'b0}}
) (
    input  wire          clk,
    input  wire          rst,
    input  wire          step,
    input  wire          last,
    output reg  [TW-1:0] addr
);
    localparam integer YW = (HO > 1) ? $clog2(HO) : 1;
    localparam integer XW = (WO > 1) ? $clog2(WO) : 1;
    localparam integer HL = HO - 1;
    localparam integer WL = WO - 1;
    localparam [YW-1:0] Y_LAST = HL[YW-1:0];
    localparam [XW-1:0] X_LAST = WL[XW-1:0];
    localparam [TW-1:0] BASE0  = CYT[TW-1:0] + CXT[TW-1:0];  // pixel (0, 0)

    reg  [YW-1:0] oy;
    reg  [XW-1:0] ox;
    wire          x_end = (ox == X_LAST);
    wire [YW-1:0] oy_n  = x_end ? ((oy == Y_LAST) ? {YW{1'b0}} : oy + 1'b1) : oy;
    wire [XW-1:0] ox_n  = x_end ? {XW{1'b0}} : ox + 1'b1;
    wire [TW-1:0] by, bx;
    lowbit_mvu_rom #(.N(HO), .AW(YW), .W(TW), .D(CYT)) u_y (.a(oy_n), .q(by));
    lowbit_mvu_rom #(.N(WO), .AW(XW), .W(TW), .D(CXT)) u_x (.a(ox_n), .q(bx));

    always @(posedge clk) begin
        if (rst) begin
            oy   <= {YW{1'b0}};
            ox   <= {XW{1'b0}};
            addr <= BASE0;
        end else if (step) begin
            if (last) begin
                oy   <= oy_n;
                ox   <= ox_n;
                addr <= by + bx;
            end else begin
                addr <= addr + 1'b1;
            end
        end
    end
endmodule
