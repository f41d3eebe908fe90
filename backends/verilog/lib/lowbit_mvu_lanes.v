// lowbit_mvu_lanes: the per-PE lane datapaths of lowbit_mvu (lowbit_mvu.v),
// one module per lane kind, plus the small helpers they share. All of them are
// purely combinational; lowbit_mvu registers their inputs and outputs. See
// lowbit_mvu.v's header for which kind a parameter set selects, the numbers
// each computes and why the widths are exact.
//
//   lowbit_mvu_sum      heap-shaped adder tree over N W-bit leaves (mod 2^W)
//   lowbit_mvu_popcount number of ones in N bits, as a W-bit value
//   lowbit_mvu_count    number of lanes where a XNOR b (or a AND b, or a) is
//                       1: a LUT6 compressor tree (lowbit_mvu_c32, _c63)
//   lowbit_mvu_fit      sign/zero-extend or truncate a value to a new width
//   lowbit_mvu_rom      constant table (thresholds), one LUT6 per bit
//   lowbit_mvu_negtree  sum of SIMD signed integers times +-1 weights
//   lowbit_mvu_planes   sum over bit planes of +-2^(i+j) * popcount(a_i & b_j)

// Balanced adder tree laid out like a binary heap: leaves at node[N-1 ..
// 2N-2], node i = node[2i+1] + node[2i+2], root at node[0]. Any N gives a full
// tree of depth ~log2(N), and each node is a plain continuous assignment,
// which keeps both synthesis (no adder chain) and Verilator's generated C++
// small. All nodes are W bits and wrap modulo 2^W; callers choose W so the
// sum fits (zero-extended leaves let synthesis trim the unused top bits).
module lowbit_mvu_sum #(
    parameter integer N = 2,
    parameter integer W = 2
) (
    input  wire [N*W-1:0] x,
    output wire [W-1:0]   s
);
    wire [W-1:0] node [0:2*N-2];
    genvar i;
    generate
        for (i = 0; i < N; i = i + 1) begin : g_leaf
            assign node[N-1+i] = x[i*W +: W];
        end
        for (i = 0; i < N - 1; i = i + 1) begin : g_add
            assign node[i] = node[2*i+1] + node[2*i+2];
        end
    endgenerate
    assign s = node[0];
endmodule

// Popcount of N bits as a W-bit value (exact when W >= clog2(N+1)): the
// compressor tree of lowbit_mvu_count with the identity lane operation.
module lowbit_mvu_popcount #(
    parameter integer N = 2,
    parameter integer W = 2
) (
    input  wire [N-1:0] x,
    output wire [W-1:0] y
);
    lowbit_mvu_count #(.N(N), .W(W), .OP(0)) u_cnt (.a(x), .b({N{1'b0}}), .y(y));
endmodule

// Number of lanes s in [0, N) where op(a[s], b[s]) is 1, as a W-bit value
// (mod 2^W, exact when W >= clog2(N+1)). OP 0: a (b unused), 1: ~(a ^ b)
// (XNOR lanes), 2: a & b (AND lanes).
//
// Why a compressor tree: 64 XNOR lanes with an adder tree over 1-bit leaves
// cost 185-253 LUTs in Yosys synth_xilinx (with/without -abc9), with an adder
// chain 136-167, with this tree 92 (1.44 per lane). A LUT6 sees 6 inputs, so
//   * level 0 counts lanes in threes (lowbit_mvu_c32): sum and carry of three
//     lane products are each a function of 6 inputs, one LUT6 each with the
//     XNOR/AND folded in (2/3 LUT per lane). The N mod 3 left-over lanes are
//     plain bits of column 0.
//   * Then the bits are kept as columns of weight 2^c (height = bits in the
//     column) and every level compresses each column higher than 2 with 6:3
//     counters (lowbit_mvu_c63, 3 LUT6 per 6 bits: one LUT per removed bit),
//     a 4- or 5-bit remainder with one more zero-padded 6:3 counter, a 3-bit
//     remainder with a full adder; bits of a column of height <= 2 and 0-2
//     remainder bits pass. Outputs land in columns c, c+1, c+2 of the next
//     level; columns >= W are dropped (mod 2^W).
//   * When every column holds <= 2 bits, one carry-chain adder adds the two
//     rows.
// The counters are instantiated per column as K-wide vector modules over
// contiguous slices (a few word operations per column and level when the
// tree is simulated; by default Verilator simulates an adder tree, see
// g_sim below). They carry keep_hierarchy so that ABC maps each counter
// output to one LUT6: flattened, ABC maps the tree for depth and duplicates
// logic (64 lanes: 102 LUTs, 138 with -abc9). The flip side: ABC no longer
// sees the tree's depth, so logic around it that fans a deep control signal
// out to many bits gets mapped for depth instead (see alast in lowbit_mvu).
//
// The schedule (column heights per level) is computed at elaboration: HT
// holds the heights of levels 0..NL, HB bits each, level-major.
module lowbit_mvu_count #(
    parameter integer N  = 2,
    parameter integer W  = 2,
    parameter integer OP = 0
) (
    input  wire [N-1:0] a,
    input  wire [N-1:0] b,
    output wire [W-1:0] y
);
    localparam integer HB = 32;
    localparam integer G0 = N / 3;    // level-0 three-lane counters
    localparam integer R0 = N % 3;    // lanes left over, into column 0
    localparam integer MAXL = 64;     // level cap (a height at least halves per level)
    localparam integer WS = (W > 0) ? W : 1;  // columns (W < 1 is refused below)

    // What a column of h bits becomes in one level: n63 counters, nfa full
    // adders, npass bits passed on unchanged.
    function integer n63;
        input integer h;
        n63 = (h <= 2) ? 0 : h / 6 + ((h % 6 >= 4) ? 1 : 0);
    endfunction

    function integer nfa;
        input integer h;
        nfa = (h > 2 && h % 6 == 3) ? 1 : 0;
    endfunction

    function integer npass;
        input integer h;
        npass = (h <= 2) ? h : (h % 6 <= 2) ? h % 6 : 0;
    endfunction

    // Level 0: column 0 gets the sums and the left-over lanes, column 1 the
    // carries (a loop, so WS == 1 needs no out-of-range select).
    function [WS*HB-1:0] level0;
        input integer lanes;
        integer col;
        begin
            level0 = {WS*HB{1'b0}};
            level0[0 +: HB] = lanes / 3 + lanes % 3;
            for (col = 1; col < WS && col < 2; col = col + 1) level0[col*HB +: HB] = lanes / 3;
        end
    endfunction

    function [WS*HB-1:0] step;
        input [WS*HB-1:0] h;
        integer col, hc;
        begin
            step = {WS*HB{1'b0}};
            for (col = 0; col < WS; col = col + 1) begin
                hc = h[col*HB +: HB];
                step[col*HB +: HB] = step[col*HB +: HB] + npass(hc) + n63(hc) + nfa(hc);
                if (col + 1 < WS) step[(col+1)*HB +: HB] = step[(col+1)*HB +: HB] + n63(hc) + nfa(hc);
                if (col + 2 < WS) step[(col+2)*HB +: HB] = step[(col+2)*HB +: HB] + n63(hc);
            end
        end
    endfunction

    function integer max_h;
        input [WS*HB-1:0] h;
        integer col;
        begin
            max_h = 0;
            for (col = 0; col < WS; col = col + 1) if (h[col*HB +: HB] > max_h) max_h = h[col*HB +: HB];
        end
    endfunction

    // Levels of compression until every column holds <= 2 bits (MAXL + 1
    // if it never happens, which the check below reports).
    function integer n_levels;
        input [WS*HB-1:0] h0;
        reg [WS*HB-1:0] h;
        integer l;
        begin
            h = h0;
            n_levels = 0;
            for (l = 0; l <= MAXL; l = l + 1) begin
                if (max_h(h) > 2) begin
                    h = step(h);
                    n_levels = n_levels + 1;
                end
            end
        end
    endfunction

    localparam integer NL = n_levels(level0(N));

    function [(NL+1)*WS*HB-1:0] heights;
        input [WS*HB-1:0] h0;
        reg [WS*HB-1:0] h;
        integer l;
        begin
            h = h0;
            for (l = 0; l <= NL; l = l + 1) begin
                heights[l*WS*HB +: WS*HB] = h;
                h = step(h);
            end
        end
    endfunction

    localparam [(NL+1)*WS*HB-1:0] HT = heights(level0(N));

    // Height of column c at level l (0 outside 0..WS-1).
    function integer ht;
        input integer l, col;
        begin
            if (col < 0 || col >= WS) ht = 0;
            else ht = HT[(l*WS + col)*HB +: HB];
        end
    endfunction

    // Offset of column c in level l's vector (c = WS: the level's width).
    function integer coff;
        input integer l, col;
        integer i;
        begin
            coff = 0;
            for (i = 0; i < col; i = i + 1) coff = coff + ht(l, i);
        end
    endfunction

    // Offset, inside column c of level l + 1, of what column c - k of level
    // l sends it: slot 0 passed bits, 1 o0 and 2 the full-adder sum of
    // column c, 3 o1 and 4 the carry of column c-1, 5 o2 of column c-2.
    function integer slot;
        input integer l, col, k;
        begin
            slot = 0;
            if (k > 0) slot = slot + npass(ht(l, col));
            if (k > 1) slot = slot + n63(ht(l, col));
            if (k > 2) slot = slot + nfa(ht(l, col));
            if (k > 3) slot = slot + n63(ht(l, col - 1));
            if (k > 4) slot = slot + nfa(ht(l, col - 1));
        end
    endfunction

    // In simulation with Verilator this is an adder tree over the lane bits
    // instead of the compressor tree: Verilator recognises that as a popcount
    // and computes it with one instruction per word, where the compressor
    // tree costs ~30% of the BNN-PYNQ CNV's simulation speed and 3x the C++
    // build time of a wide layer. Both compute the same function;
    // tests/hw/test_count.py checks the compressor tree under Verilator
    // (LOWBIT_COUNT_TREE defined) against numpy and inside lowbit_mvu.
    // Synthesis tools do not define VERILATOR.
`ifdef VERILATOR
`ifdef LOWBIT_COUNT_TREE
    localparam integer SIM = 0;
`else
    localparam integer SIM = 1;
`endif
`else
    localparam integer SIM = 0;
`endif

    wire [WS-1:0] sum;
    genvar gl, gc;
    generate
        if (NL > MAXL) begin : g_bad
            lowbit_mvu_count_schedule_does_not_converge u_bad ();
        end
        if (SIM != 0) begin : g_sim
            // Leaves are zero-extended by concatenation: a `bit ? 1 : 0` leaf
            // made Verilator's C++ for a 20x100 fold three times slower to
            // compile.
            wire [N-1:0]    x;
            wire [N*WS-1:0] leaves;
            if (OP == 1) begin : g_xnor
                assign x = ~(a ^ b);
            end else if (OP == 2) begin : g_and
                assign x = a & b;
            end else begin : g_id
                assign x = a;
                wire unused_b = &{1'b0, b};
            end
            for (gc = 0; gc < N; gc = gc + 1) begin : g_leaf
                if (WS > 1) begin : g_w
                    assign leaves[gc*WS +: WS] = {{(WS-1){1'b0}}, x[gc]};
                end else begin : g_1
                    assign leaves[gc] = x[gc];
                end
            end
            lowbit_mvu_sum #(.N(N), .W(WS)) u_sum (.x(leaves), .s(sum));
        end else begin : g_tree
            for (gl = 0; gl <= NL; gl = gl + 1) begin : g_lvl
                wire [coff(gl, WS)-1:0] v;
                if (gl == 0) begin : g_first
                    // Column 0: G0 sums, then the R0 left-over lanes; column 1:
                    // G0 carries (dropped when WS == 1).
                    if (G0 > 0) begin : g_c32
                        wire [G0-1:0] s, c;
                        lowbit_mvu_c32 #(.K(G0), .OP(OP)) u_c32 (
                            .a(a[3*G0-1:0]), .b(b[3*G0-1:0]), .s(s), .c(c));
                        assign v[0 +: G0] = s;
                        if (WS > 1) begin : g_carry
                            assign v[G0 + R0 +: G0] = c;
                        end else begin : g_drop
                            wire unused_c = &{1'b0, c};
                        end
                    end
                    if (R0 > 0) begin : g_rest
                        wire [R0-1:0] ra = a[N-1 -: R0];
                        wire [R0-1:0] rb = b[N-1 -: R0];
                        if (OP == 1) begin : g_xnor
                            assign v[G0 +: R0] = ~(ra ^ rb);
                        end else if (OP == 2) begin : g_and
                            assign v[G0 +: R0] = ra & rb;
                        end else begin : g_id
                            assign v[G0 +: R0] = ra;
                            wire unused_rb = &{1'b0, rb};
                        end
                    end
                end else begin : g_next
                    for (gc = 0; gc < WS; gc = gc + 1) begin : g_col
                        localparam integer H  = ht(gl - 1, gc);
                        localparam integer Q  = n63(H);
                        localparam integer F  = nfa(H);
                        localparam integer P  = npass(H);
                        localparam integer S  = coff(gl - 1, gc);
                        localparam integer D0 = coff(gl, gc);
                        localparam integer D1 = coff(gl, gc + 1);
                        localparam integer D2 = coff(gl, gc + 2);
                        if (P > 0) begin : g_pass
                            assign v[D0 +: P] = g_lvl[gl-1].v[S + 6*Q + 3*F +: P];
                        end
                        if (Q > 0) begin : g_c63
                            wire [6*Q-1:0] x;
                            wire [Q-1:0]   o0, o1, o2;
                            if (6*Q > H) begin : g_pad
                                assign x = {{(6*Q-H){1'b0}}, g_lvl[gl-1].v[S +: H]};
                            end else begin : g_full
                                assign x = g_lvl[gl-1].v[S +: 6*Q];
                            end
                            lowbit_mvu_c63 #(.K(Q)) u_c63 (.x(x), .o0(o0), .o1(o1), .o2(o2));
                            assign v[D0 + slot(gl - 1, gc, 1) +: Q] = o0;
                            if (gc + 1 < WS) begin : g_o1
                                assign v[D1 + slot(gl - 1, gc + 1, 3) +: Q] = o1;
                            end else begin : g_o1_drop
                                wire unused_o1 = &{1'b0, o1};
                            end
                            if (gc + 2 < WS) begin : g_o2
                                assign v[D2 + slot(gl - 1, gc + 2, 5) +: Q] = o2;
                            end else begin : g_o2_drop
                                wire unused_o2 = &{1'b0, o2};
                            end
                        end
                        if (F > 0) begin : g_fa
                            wire fs, fc;
                            lowbit_mvu_c32 #(.K(1), .OP(0)) u_fa (
                                .a(g_lvl[gl-1].v[S + 6*Q +: 3]), .b(3'b000), .s(fs), .c(fc));
                            assign v[D0 + slot(gl - 1, gc, 2)] = fs;
                            if (gc + 1 < WS) begin : g_c
                                assign v[D1 + slot(gl - 1, gc + 1, 4)] = fc;
                            end else begin : g_c_drop
                                wire unused_fc = fc;
                            end
                        end
                    end
                end
            end
            // Every column of the last level holds <= 2 bits: two rows, one add.
            for (gc = 0; gc < WS; gc = gc + 1) begin : g_row
                localparam integer H = ht(NL, gc);
                localparam integer D = coff(NL, gc);
                wire r0, r1;
                if (H >= 1) begin : g_r0
                    assign r0 = g_lvl[NL].v[D];
                end else begin : g_z0
                    assign r0 = 1'b0;
                end
                if (H >= 2) begin : g_r1
                    assign r1 = g_lvl[NL].v[D + 1];
                end else begin : g_z1
                    assign r1 = 1'b0;
                end
            end
            wire [WS-1:0] row0, row1;
            for (gc = 0; gc < WS; gc = gc + 1) begin : g_rows
                assign row0[gc] = g_row[gc].r0;
                assign row1[gc] = g_row[gc].r1;
            end
            assign sum = row0 + row1;
        end
        if (W >= 1) begin : g_y
            assign y = sum;
        end else begin : g_bad_w
            lowbit_mvu_count_requires_W_at_least_1 u_bad ();
        end
    endgenerate
endmodule

// Level-0 counters of lowbit_mvu_count: for each of K lane triples (lanes i,
// K+i, 2K+i), sum s and carry c of the three lane products x = op(a, b)
// (OP as in lowbit_mvu_count). Each output depends on 6 input bits: one LUT6.
(* keep_hierarchy *)
module lowbit_mvu_c32 #(
    parameter integer K  = 1,
    parameter integer OP = 0
) (
    input  wire [3*K-1:0] a,
    input  wire [3*K-1:0] b,
    output wire [K-1:0]   s,
    output wire [K-1:0]   c
);
    wire [3*K-1:0] x;
    generate
        if (OP == 1) begin : g_xnor
            assign x = ~(a ^ b);
        end else if (OP == 2) begin : g_and
            assign x = a & b;
        end else begin : g_id
            assign x = a;
            wire unused_b = &{1'b0, b};
        end
    endgenerate
    wire [K-1:0] x0 = x[0 +: K];
    wire [K-1:0] x1 = x[K +: K];
    wire [K-1:0] x2 = x[2*K +: K];
    assign s = x0 ^ x1 ^ x2;
    assign c = (x0 & x1) | (x0 & x2) | (x1 & x2);
endmodule

// 6:3 counters of lowbit_mvu_count: for each of K groups (bits i, K+i, ...,
// 5K+i of x), the count of ones o2 o1 o0. Each output is a function of the 6
// bits: one LUT6.
(* keep_hierarchy *)
module lowbit_mvu_c63 #(
    parameter integer K = 1
) (
    input  wire [6*K-1:0] x,
    output wire [K-1:0]   o0,
    output wire [K-1:0]   o1,
    output wire [K-1:0]   o2
);
    wire [K-1:0] x0 = x[0 +: K];
    wire [K-1:0] x1 = x[K +: K];
    wire [K-1:0] x2 = x[2*K +: K];
    wire [K-1:0] x3 = x[3*K +: K];
    wire [K-1:0] x4 = x[4*K +: K];
    wire [K-1:0] x5 = x[5*K +: K];
    wire [K-1:0] s1 = x0 ^ x1 ^ x2;
    wire [K-1:0] c1 = (x0 & x1) | (x0 & x2) | (x1 & x2);
    wire [K-1:0] s2 = x3 ^ x4 ^ x5;
    wire [K-1:0] c2 = (x3 & x4) | (x3 & x5) | (x4 & x5);
    wire [K-1:0] t  = s1 & s2;
    assign o0 = s1 ^ s2;
    assign o1 = c1 ^ c2 ^ t;
    assign o2 = (c1 & c2) | (c1 & t) | (c2 & t);
endmodule

// Width adapter: OW > IW sign-extends (SGN = 1) or zero-extends (SGN = 0),
// OW < IW keeps the low OW bits, which is exact modulo 2^OW (the accumulator
// arithmetic is modular, so a lane sum may be truncated to the accumulator
// width).
module lowbit_mvu_fit #(
    parameter integer IW  = 1,
    parameter integer OW  = 1,
    parameter integer SGN = 1
) (
    input  wire [IW-1:0] x,
    output wire [OW-1:0] y
);
    generate
        if (OW > IW) begin : g_ext
            wire top = (SGN != 0) && x[IW-1];
            assign y = {{(OW-IW){top}}, x};
        end else if (OW == IW) begin : g_same
            assign y = x;
        end else begin : g_cut
            assign y = x[OW-1:0];
            wire unused_hi = &{1'b0, x[IW-1:OW]};
        end
    endgenerate
endmodule

// Constant table: q = word a of D (word a at bits [a*W +: W]), built as one
// N-bit constant per output bit indexed by a, so that each output bit is one
// LUT6 for N <= 64 (wider tables add MUXF7/MUXF8). keep_hierarchy stops ABC
// from merging the table into the logic around it, where it made 8-input
// functions (two LUT6 and a MUXF7 and more per bit) or, with -abc9,
// re-split bits for delay. Addresses >= N read as don't care.
(* keep_hierarchy *)
module lowbit_mvu_rom #(
    parameter integer N  = 2,
    parameter integer AW = 1,
    parameter integer W  = 1,
    parameter [N*W-1:0] D = {N*W{1'b0}}
) (
    input  wire [AW-1:0] a,
    output wire [W-1:0]  q
);
    function [N-1:0] column;
        input integer b;
        integer n;
        begin
            for (n = 0; n < N; n = n + 1) column[n] = D[n*W + b];
        end
    endfunction

    genvar gb;
    generate
        for (gb = 0; gb < W; gb = gb + 1) begin : g_bit
            localparam [N-1:0] COL = column(gb);
            assign q[gb] = COL[a];
        end
    endgenerate
endmodule

// Integer lanes with +-1 weights: s + cin = sum_s (w_s ? x_s : -x_s), x_s a
// signed XE-bit integer (lowbit_mvu zero-extends unsigned inputs by one bit).
// w ? x : -x is computed as (x ^ {XE{~w}}) + ~w, i.e. ones' complement plus a
// correction bit, and the correction bits are fed as carry inputs into the
// adders that sum the lanes, so a lane costs only XE XORs (which fold into the
// first adder level's LUTs) and no negation adder:
//   * Level 0 holds the SIMD leaves x_s ^ {XE{~w_s}}, XE bits each.
//   * Level l (1 <= l <= LV = clog2(SIMD)) holds ceil(SIMD/2^l) nodes of XE+l
//     bits; node j = sext(child 2j) + sext(child 2j+1) + ~w_r, where
//     r = (2j+1)*2^(l-1) is the first lane under the right child. An odd last
//     child is passed through sign-extended, without an adder.
//   * Every lane except lane 0 is the first lane of exactly one right child,
//     so the SIMD-1 adders absorb SIMD-1 corrections; ~w_0 is returned as cin
//     for the accumulator adder.
// Widths are exact: a level-l node covers n <= 2^l lanes and n-1 correction
// bits, so its value lies in [-n*2^(XE-1), n*2^(XE-1) - 1], which fits in
// XE+l signed bits; the root s is XE + clog2(SIMD) bits.
module lowbit_mvu_negtree #(
    parameter integer SIMD = 4,
    parameter integer XE   = 8
) (
    input  wire [SIMD*XE-1:0]            x,
    input  wire [SIMD-1:0]               wn,   // ~w: 1 where the weight is -1
    output wire [XE+$clog2(SIMD)-1:0]    s,
    output wire                          cin
);
    localparam integer LV = $clog2(SIMD);
    localparam integer RW = XE + LV;

    // Level l has tree_n(l) nodes of XE+l bits, stored back to back from bit
    // tree_off(l) of one flat vector.
    function integer tree_n;
        input integer l;
        tree_n = (SIMD + (1 << l) - 1) >> l;
    endfunction

    function integer tree_off;
        input integer l;
        integer m;
        begin
            tree_off = 0;
            for (m = 0; m < l; m = m + 1) tree_off = tree_off + tree_n(m) * (XE + m);
        end
    endfunction

    localparam integer TW = tree_off(LV + 1);
    wire [TW-1:0] t;
    genvar gi, gl;
    generate
        for (gi = 0; gi < SIMD; gi = gi + 1) begin : g_leaf
            assign t[gi*XE +: XE] = x[gi*XE +: XE] ^ {XE{wn[gi]}};
        end
        for (gl = 1; gl <= LV; gl = gl + 1) begin : g_lvl
            localparam integer NI = tree_n(gl - 1);
            localparam integer NO = tree_n(gl);
            localparam integer WI = XE + gl - 1;
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
    endgenerate
    assign s   = t[TW-RW +: RW];
    assign cin = wn[0];
endmodule

// Bit-plane lanes: with activation planes a_i (i < NA) and weight planes b_j
// (j < NB), SIMD bits each, computes
//     d = sum_{i,j} sg_ij * 2^(i+j) * popcount(a_i & b_j)   (mod 2^RW)
// where sg_ij = -1 iff exactly one of "i is the activation sign plane" (i ==
// NA-1 and ASGN) and "j is the weight sign plane" (j == NB-1; weight planes
// are always two's complement) holds. That is sum_s x_s * w_s for
// x = sum_i a_i 2^i (top plane negative when ASGN) and w = sum_j b_j 2^j (top
// plane negative).
//
// The NA*NB popcounts are shifted into place and summed in two unsigned heaps,
// P over the positive terms and N over the negative ones, and d = P - N: no
// leaf needs a negation, and every heap leaf is a zero-extended popcount that
// synthesis can narrow. Each heap is exactly as wide as its largest value
// (SIMD * sum of its 2^(i+j)), so no leaf is truncated; d wraps modulo 2^RW,
// exact whenever the caller's RW holds the range of d (lowbit_mvu derives it
// from the ranges of x and w).
module lowbit_mvu_planes #(
    parameter integer SIMD = 4,
    parameter integer NA   = 1,
    parameter integer NB   = 2,
    parameter integer ASGN = 0,
    parameter integer RW   = 4
) (
    input  wire [NA*SIMD-1:0] a,   // plane i at bits [i*SIMD +: SIMD]
    input  wire [NB*SIMD-1:0] b,   // plane j at bits [j*SIMD +: SIMD]
    output wire [RW-1:0]      d
);
    localparam integer NT  = NA * NB;             // terms, t = i*NB + j
    localparam integer PCW = $clog2(SIMD + 1);    // popcount width

    function integer term_neg;
        input integer t;
        term_neg = (((ASGN != 0) && (t / NB == NA - 1)) != (t % NB == NB - 1)) ? 1 : 0;
    endfunction

    function integer n_terms;
        input integer neg;
        integer t;
        begin
            n_terms = 0;
            for (t = 0; t < NT; t = t + 1) if (term_neg(t) == neg) n_terms = n_terms + 1;
        end
    endfunction

    // Index of the k-th term of sign neg.
    function integer term_at;
        input integer neg;
        input integer k;
        integer t, n;
        begin
            term_at = 0;
            n = 0;
            for (t = 0; t < NT; t = t + 1) begin
                if (term_neg(t) == neg) begin
                    if (n == k) term_at = t;
                    n = n + 1;
                end
            end
        end
    endfunction

    // Unsigned width of the heap of sign neg: clog2(SIMD * sum 2^(i+j) + 1),
    // which is at least PCW + i + j for each of its terms.
    function integer heap_w;
        input integer neg;
        reg [63:0] m;
        integer t;
        begin
            m = 64'd0;
            for (t = 0; t < NT; t = t + 1) if (term_neg(t) == neg) m = m + (64'd1 << (t / NB + t % NB));
            m = m * SIMD;
            heap_w = 1;
            while (m >= (64'd1 << heap_w)) heap_w = heap_w + 1;
        end
    endfunction

    localparam integer NP = n_terms(0);
    localparam integer NN = n_terms(1);
    localparam integer HP = heap_w(0);
    localparam integer HN = heap_w(1);

    wire [NT*PCW-1:0] c;
    wire [NP*HP-1:0]  lp;
    wire [NN*HN-1:0]  ln;
    wire [HP-1:0]     p;
    wire [HN-1:0]     n;
    wire [RW-1:0]     pf, nf;

    genvar gt;
    generate
        for (gt = 0; gt < NT; gt = gt + 1) begin : g_pc
            lowbit_mvu_count #(.N(SIMD), .W(PCW), .OP(2)) u_pc (
                .a(a[(gt / NB)*SIMD +: SIMD]), .b(b[(gt % NB)*SIMD +: SIMD]),
                .y(c[gt*PCW +: PCW])
            );
        end
        for (gt = 0; gt < NP; gt = gt + 1) begin : g_pos
            localparam integer T  = term_at(0, gt);
            localparam integer SH = T / NB + T % NB;
            if (HP > PCW) begin : g_ext
                assign lp[gt*HP +: HP] = {{(HP-PCW){1'b0}}, c[T*PCW +: PCW]} << SH;
            end else begin : g_same
                assign lp[gt*HP +: HP] = c[T*PCW +: PCW];
            end
        end
        for (gt = 0; gt < NN; gt = gt + 1) begin : g_neg
            localparam integer T  = term_at(1, gt);
            localparam integer SH = T / NB + T % NB;
            if (HN > PCW) begin : g_ext
                assign ln[gt*HN +: HN] = {{(HN-PCW){1'b0}}, c[T*PCW +: PCW]} << SH;
            end else begin : g_same
                assign ln[gt*HN +: HN] = c[T*PCW +: PCW];
            end
        end
    endgenerate

    lowbit_mvu_sum #(.N(NP), .W(HP)) u_p (.x(lp), .s(p));
    lowbit_mvu_sum #(.N(NN), .W(HN)) u_n (.x(ln), .s(n));
    lowbit_mvu_fit #(.IW(HP), .OW(RW), .SGN(0)) u_pf (.x(p), .y(pf));
    lowbit_mvu_fit #(.IW(HN), .OW(RW), .SGN(0)) u_nf (.x(n), .y(nf));
    assign d = pf - nf;
endmodule
