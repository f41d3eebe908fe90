// lowbit_mvu_count: the counter tree of lowbit_mvu (lowbit_mvu.v), which
// counts the lanes of a step where a XNOR b (or a AND b, or a) is 1. All of
// it is purely combinational.
//
//   lowbit_mvu_popcount number of ones in N bits, as a W-bit value
//   lowbit_mvu_count    a LUT6 compressor tree (lowbit_mvu_c32, _c63) over
//                       the lane products (lowbit_mvu_laneop)
//
// Requires lowbit_mvu_sum (lowbit_mvu_lanes.v), the adder tree Verilator
// simulates in its place.

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
            lowbit_mvu_laneop #(.N(N), .OP(OP)) u_op (.a(a), .b(b), .x(x));
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

// The lane products of lowbit_mvu_count: x = op(a, b) bitwise, OP 0: a (b
// unused), 1: ~(a ^ b) (XNOR lanes), 2: a & b (AND lanes).
module lowbit_mvu_laneop #(
    parameter integer N  = 1,
    parameter integer OP = 0
) (
    input  wire [N-1:0] a,
    input  wire [N-1:0] b,
    output wire [N-1:0] x
);
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
    lowbit_mvu_laneop #(.N(3*K), .OP(OP)) u_op (.a(a), .b(b), .x(x));
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
