// lowbit_mvu_lanes: the per-PE lane datapaths of lowbit_mvu (lowbit_mvu.v),
// one module per lane kind, plus the small helpers they share. All of them are
// purely combinational; lowbit_mvu registers their inputs and outputs. See
// docs/hardware.md (lowbit_mvu, Numbers) for which kind a parameter set
// selects, the numbers each computes and why the widths are exact.
//
//   lowbit_mvu_lane     one PE's lane sum of a step, of the kind LK
//   lowbit_mvu_sum      heap-shaped adder tree over N W-bit leaves (mod 2^W)
//   lowbit_mvu_fit      sign/zero-extend or truncate a value to a new width
//   lowbit_mvu_negtree  sum of SIMD signed integers times +-1 weights
//   lowbit_mvu_planes   sum over bit planes of +-2^(i+j) * popcount(a_i & b_j)
//   lowbit_mvu_heap     one sign's half of that sum
//
// Requires lowbit_mvu_count (lowbit_mvu_count.v), the XNOR and AND popcounts.

// One PE's lanes of one step of lowbit_mvu: the sum of the SIMD lane
// products of input slice x and weight word w, as SW bits plus a carry-in
// for the accumulator. The lane kind and widths are derived once, by
// lowbit_mvu, and passed in:
//   LK   0 XNOR (lowbit_mvu_count), 1 NEG (lowbit_mvu_negtree), 2 PLANES
//        (lowbit_mvu_planes); SER 1: PLANES one input plane per step, the
//        plane pl of EW, shifted into place and, for the sign plane when ES,
//        negated (inverted here, + cin in the accumulator).
//   NA, NB  input and weight planes (PLANES); XE the NEG leaf width.
//   RW   the exact lane-sum width (RWD: one plane's, SER), SW as accumulated.
// x holds element s at bits [s*LW +: LW] (LW = max(1, EW)); with SER, bit
// s*EW is the current plane of element s (lowbit_mvu shifts x per plane).
//
// Lane-sum widths (per step; RW, extended into the accumulator, or
// truncated to the accumulator width when wider, which is exact modulo 2^PW
// and, with one threshold, exact): XNOR
// clog2(SIMD+1), unsigned; NEG XE + clog2(SIMD) with XE = EW + 1 - ES (the
// unsigned inputs get a zero sign bit); PLANES the exact signed width of the
// step's contribution (PS == 0: SIMD*[pmin, pmax]; PS == 1: the plane sum
// SIMD*[wlo, whi] shifted by up to EW-1 and negated for the sign plane).
module lowbit_mvu_lane #(
    parameter integer SIMD = 4,
    parameter integer EW   = 0,
    parameter integer ES   = 1,
    parameter integer WB   = 1,
    parameter integer LK   = 0,
    parameter integer SER  = 0,
    parameter integer NA   = 1,
    parameter integer NB   = 2,
    parameter integer XE   = 1,
    parameter integer RW   = 3,
    parameter integer RWD  = 3,
    parameter integer SW   = 3,
    parameter integer PLW  = 1
) (
    input  wire [SIMD*((EW == 0) ? 1 : EW)-1:0] x,
    input  wire [SIMD*WB-1:0]                   w,
    input  wire [PLW-1:0]                       pl,
    output wire [SW-1:0]                        sum,
    output wire                                 cin
);
    localparam integer LW = (EW == 0) ? 1 : EW;   // bits per input element
    localparam integer PL = EW - 1;               // the sign plane (SER)
    localparam [PLW-1:0] PL_LAST = PL[PLW-1:0];
    // Only the plane-serial lanes read pl, and they read one plane of x.
    wire unused_lane = &{1'b0, pl, x};

    genvar gi, gj;
    generate
        if (LK == 0) begin : g_xnor
            // The XNOR goes into the counter's first level (3 lanes per
            // LUT6), not in front of it.
            lowbit_mvu_count #(.N(SIMD), .W(SW), .OP(1)) u_pc (.a(x), .b(w), .y(sum));
            assign cin = 1'b0;
        end else if (LK == 1) begin : g_neg
            wire [SIMD*XE-1:0] xe;
            wire [RW-1:0]      root;
            for (gi = 0; gi < SIMD; gi = gi + 1) begin : g_x
                if (ES != 0) begin : g_s
                    assign xe[gi*XE +: XE] = x[gi*EW +: EW];
                end else begin : g_u
                    assign xe[gi*XE +: XE] = {1'b0, x[gi*EW +: EW]};
                end
            end
            lowbit_mvu_negtree #(.SIMD(SIMD), .XE(XE)) u_tree (.x(xe), .wn(~w), .s(root), .cin(cin));
            lowbit_mvu_fit #(.IW(RW), .OW(SW), .SGN(1)) u_fit (.x(root), .y(sum));
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
                    assign ap[gj*SIMD + gi] = x[gi*LW + gj];
                end
            end
            if (SER == 0) begin : g_par
                lowbit_mvu_planes #(.SIMD(SIMD), .NA(NA), .NB(NB), .ASGN(EW > 0 ? ES : 0), .RW(RW)) u_pl (
                    .a(ap), .b(bp), .d(sum));
                assign cin = 1'b0;
            end else begin : g_ser
                wire [RWD-1:0] d;
                wire [SW-1:0]  dx;
                lowbit_mvu_planes #(.SIMD(SIMD), .NA(1), .NB(NB), .ASGN(0), .RW(RWD)) u_pl (
                    .a(ap), .b(bp), .d(d));
                lowbit_mvu_fit #(.IW(RWD), .OW(SW), .SGN(1)) u_fit (.x(d), .y(dx));
                wire [SW-1:0] sh  = dx << pl;
                wire          neg = (ES != 0) && (pl == PL_LAST);
                assign sum = sh ^ {SW{neg}};
                assign cin = neg;
            end
        end
    endgenerate
endmodule

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
// The NA*NB popcounts are shifted into place and summed in two unsigned heaps
// (lowbit_mvu_heap), P over the positive terms and N over the negative ones,
// and d = P - N: no leaf needs a negation. d wraps modulo 2^RW, exact
// whenever the caller's RW holds the range of d (lowbit_mvu derives it from
// the ranges of x and w).
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

    wire [NT*PCW-1:0] c;
    wire [RW-1:0]     p, n;

    genvar gt;
    generate
        for (gt = 0; gt < NT; gt = gt + 1) begin : g_pc
            lowbit_mvu_count #(.N(SIMD), .W(PCW), .OP(2)) u_pc (
                .a(a[(gt / NB)*SIMD +: SIMD]), .b(b[(gt % NB)*SIMD +: SIMD]),
                .y(c[gt*PCW +: PCW])
            );
        end
    endgenerate

    lowbit_mvu_heap #(.SIMD(SIMD), .NA(NA), .NB(NB), .ASGN(ASGN), .NEG(0), .RW(RW)) u_p (.c(c), .y(p));
    lowbit_mvu_heap #(.SIMD(SIMD), .NA(NA), .NB(NB), .ASGN(ASGN), .NEG(1), .RW(RW)) u_n (.c(c), .y(n));
    assign d = p - n;
endmodule

// One heap of lowbit_mvu_planes: the terms t = i*NB + j of sign NEG (0: the
// positive ones, 1: the negative ones, as sg_ij there), each popcount
// c_t = c[t*PCW +: PCW] shifted left by i + j, summed as unsigned values and
// fitted to RW bits (modulo 2^RW). The heap is exactly as wide as its largest
// value, HW = clog2(SIMD * sum of its 2^(i+j) + 1) bits, so no leaf is
// truncated, and every leaf is a zero-extended popcount synthesis can narrow.
module lowbit_mvu_heap #(
    parameter integer SIMD = 4,
    parameter integer NA   = 1,
    parameter integer NB   = 2,
    parameter integer ASGN = 0,
    parameter integer NEG  = 0,
    parameter integer RW   = 4
) (
    input  wire [NA*NB*$clog2(SIMD+1)-1:0] c,
    output wire [RW-1:0]                   y
);
    localparam integer NT  = NA * NB;
    localparam integer PCW = $clog2(SIMD + 1);

    // 1 if term t is negative: exactly one of its planes is a sign plane.
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

    localparam integer N  = n_terms(NEG);
    localparam integer HW = heap_w(NEG);

    wire [N*HW-1:0] leaves;
    wire [HW-1:0]   sum;

    genvar gt;
    generate
        for (gt = 0; gt < N; gt = gt + 1) begin : g_leaf
            localparam integer T  = term_at(NEG, gt);
            localparam integer SH = T / NB + T % NB;
            if (HW > PCW) begin : g_ext
                assign leaves[gt*HW +: HW] = {{(HW-PCW){1'b0}}, c[T*PCW +: PCW]} << SH;
            end else begin : g_same
                assign leaves[gt*HW +: HW] = c[T*PCW +: PCW];
            end
        end
    endgenerate
    // Only this heap's terms are read.
    wire unused_c = &{1'b0, c};

    lowbit_mvu_sum #(.N(N), .W(HW)) u_sum (.x(leaves), .s(sum));
    lowbit_mvu_fit #(.IW(HW), .OW(RW), .SGN(0)) u_fit (.x(sum), .y(y));
endmodule
