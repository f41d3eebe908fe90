// lowbit_mvu_count: the counter tree of lowbit_mvu (lowbit_mvu.v), which
// counts the lanes of a step where a XNOR b (or a AND b, or a) is 1. All of
// it is purely combinational.
//
//   lowbit_mvu_popcount number of ones in N bits, as a W-bit value
//   lowbit_mvu_count    three-lane LUT6 counters (lowbit_mvu_c32) over the
//                       lane products (lowbit_mvu_laneop), summed by carry-
//                       chain adders that absorb 5-bit counts
//
// Requires lowbit_mvu_sum (lowbit_mvu_lanes.v), the adder tree Verilator
// simulates in its place.

// Popcount of N bits as a W-bit value (exact when W >= clog2(N+1)): the
// counter of lowbit_mvu_count with the identity lane operation.
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
// Why this shape: a LUT6 sees 6 inputs, and a carry chain (CARRY4 on 7-series,
// inferred from a plain `+`) adds A + B + cin with one LUT per bit computing
// A_j ^ B_j, where A_j must be a signal that exists anyway (it is also the
// chain's DI input). B_j may then be any function of 5 further signals: that
// LUT absorbs a small counter. So
//   * level 0 counts lanes in threes (lowbit_mvu_c32): sum and carry of three
//     lane products are each a function of 6 inputs, one LUT6 each with the
//     XNOR/AND folded in. Column 0 gets the G0 = N/3 sums and the N mod 3
//     left-over lane products, column 1 the G0 carries.
//   * Then a chain of steps r := r + (count5(b) << sh) + cin, each step a
//     carry-chain adder whose B operand is the 3-bit count of 5 bits b of one
//     column (sh = 1: carries of column 1; sh = 0: column 0) and whose carry-in
//     is one more bit of column 0. The count's bits are folded into the
//     adder's LUTs (r_j ^ count bit j: 6 inputs), so a step is 3 LUT6 for 6
//     column-0 bits (5 column-1 bits and a column-0 one), where 6:3 counters
//     took 3 LUT6 per 3 bits removed. 64 XNOR lanes: 65 LUTs (92 with 6:3
//     counters, 137-167 as an adder chain) in Yosys synth_xilinx.
//   * Steps are grouped in chains of at most L (so the carry chains in series
//     stay short); chain results meet in a balanced adder tree (lowbit_mvu_sum).
// Column-1 steps come first (each takes a column-0 bit as carry-in), then
// column-0 steps take the rest, 6 at a time; missing bits are zeros.
// The level-0 counters carry keep_hierarchy so that ABC maps each output to
// one LUT6 instead of merging them into the adders' LUTs for depth.
module lowbit_mvu_count #(
    parameter integer N  = 2,
    parameter integer W  = 2,
    parameter integer OP = 0
) (
    input  wire [N-1:0] a,
    input  wire [N-1:0] b,
    output wire [W-1:0] y
);
    localparam integer WS = (W > 0) ? W : 1;  // output bits (W < 1 is refused below)
    localparam integer G0 = N / 3;            // level-0 three-lane counters
    localparam integer R0 = N % 3;            // lanes left over, into column 0
    localparam integer N0 = G0 + R0;          // column-0 bits after level 0
    localparam integer N1 = (WS > 1) ? G0 : 0;   // column-1 bits (dropped when W == 1)
    localparam integer S1 = (N1 + 4) / 5;     // column-1 steps
    localparam integer M0 = (N0 > S1) ? N0 - S1 : 0;  // column-0 bits left for column-0 steps
    localparam integer S0 = (S1 == 0 && M0 == 0) ? 1 : (M0 + 5) / 6;  // column-0 steps
    localparam integer T  = S1 + S0;          // steps
    localparam integer L  = 8;                // steps per chain (COUNT_CHAIN_STEPS of the resource model)
    localparam integer NC = (T + L - 1) / L;  // chains

    // In simulation with Verilator this is an adder tree over the lane bits
    // instead of the counter: Verilator recognises that as a popcount and
    // computes it with one instruction per word, where the counter costs ~30%
    // of the BNN-PYNQ CNV's simulation speed and 3x the C++ build time of a
    // wide layer. Both compute the same function; tests/hw/test_count.py
    // checks the counter under Verilator (LOWBIT_COUNT_TREE defined) against
    // numpy and inside lowbit_mvu. Synthesis tools do not define VERILATOR.
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
    genvar gc, gt;
    generate
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
            // Level 0: column 0 = {left-over lane products, sums}, column 1 =
            // carries; each padded with zeros to what the steps read.
            wire [6*T-1:0] col0;
            wire [5*T-1:0] col1;
            if (G0 > 0) begin : g_c32
                wire [G0-1:0] s0, c0;
                lowbit_mvu_c32 #(.K(G0), .OP(OP)) u_c32 (
                    .a(a[3*G0-1:0]), .b(b[3*G0-1:0]), .s(s0), .c(c0));
                assign col0[R0 +: G0] = s0;
                if (N1 > 0) begin : g_c
                    assign col1[0 +: N1] = c0;
                end else begin : g_c_drop
                    wire unused_c = &{1'b0, c0};
                end
            end
            if (R0 > 0) begin : g_rest
                lowbit_mvu_laneop #(.N(R0), .OP(OP)) u_op (
                    .a(a[N-1 -: R0]), .b(b[N-1 -: R0]), .x(col0[0 +: R0]));
            end
            if (6*T > N0) begin : g_pad0
                assign col0[6*T-1:N0] = {(6*T-N0){1'b0}};
            end
            if (5*T > N1) begin : g_pad1
                assign col1[5*T-1:N1] = {(5*T-N1){1'b0}};
            end
            // Step t's carry-in and count bits: column-1 steps (t < S1) take
            // column-0 bit t and column-1 bits 5t..5t+4; column-0 step t takes
            // column-0 bits S1 + 6(t-S1) .. +5.
            wire [WS-1:0] acc  [0:T];   // acc[t+1]: the chain's sum after step t
            for (gt = 0; gt < T; gt = gt + 1) begin : g_step
                localparam integer C1 = (gt < S1) ? 1 : 0;
                localparam integer I0 = (C1 != 0) ? gt : S1 + 6*(gt - S1);
                wire       cin = col0[I0];
                wire [4:0] cb  = (C1 != 0) ? col1[5*gt +: 5] : col0[I0 + 1 +: 5];
                // K: the count's bits that are not padding (so that a short
                // count costs only the LUTs of its live bits).
                localparam integer NK = (C1 != 0) ? N1 - 5*gt : N0 - I0 - 1;
                localparam integer K  = (NK > 5) ? 5 : (NK < 0) ? 0 : NK;
                localparam integer FIRST = (gt % L == 0) ? 1 : 0;
                wire [WS-1:0] r_in;
                if (FIRST != 0) begin : g_first
                    assign r_in = {WS{1'b0}};
                end else begin : g_next
                    assign r_in = acc[gt];
                end
                lowbit_mvu_cstep #(.W(WS), .SH(C1), .K(K), .FIRST(FIRST)) u_step (
                    .r(r_in), .b(cb), .cin(cin), .y(acc[gt+1]));
            end
            assign acc[0] = {WS{1'b0}};
            wire unused_acc0 = &{1'b0, acc[0]};
            if (NC == 1) begin : g_one
                assign sum = acc[T];
            end else begin : g_merge
                wire [NC*WS-1:0] ends;
                for (gc = 0; gc < NC; gc = gc + 1) begin : g_end
                    localparam integer LAST = (gc + 1) * L < T ? (gc + 1) * L : T;
                    assign ends[gc*WS +: WS] = acc[LAST];
                end
                lowbit_mvu_sum #(.N(NC), .W(WS)) u_sum (.x(ends), .s(sum));
            end
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

// One step of lowbit_mvu_count: y = r + (count of the 5 bits b) * 2^SH + cin
// (mod 2^W). r is the adder's first operand, the carry chain's DI, so a
// synthesis tool that maps `+` to a carry chain computes r_j ^ (count bit j)
// in one LUT6 per bit (6 inputs) and the count needs no LUTs of its own.
// keep_hierarchy: flattened, consecutive steps merge into one multi-operand
// sum that is mapped as a tree of small adders instead (64 lanes: 104 LUTs).
(* keep_hierarchy *)
module lowbit_mvu_cstep #(
    parameter integer W     = 3,
    parameter integer SH    = 0,
    parameter integer K     = 5,   // bits of b that count (the others are zero)
    parameter integer FIRST = 0    // 1: r is zero (a chain's first step)
) (
    input  wire [W-1:0] r,
    input  wire [4:0]   b,
    input  wire         cin,
    output wire [W-1:0] y
);
    // The count (0..5) from counts of three and of two, written as logic (a
    // `+` here would become carry chains of its own).
    localparam integer LIVE = (1 << K) - 1;
    wire [4:0] bk = b & LIVE[4:0];
    wire [W-1:0] rr = (FIRST != 0) ? {W{1'b0}} : r;
    wire       p3 = bk[0] ^ bk[1] ^ bk[2];
    wire       m3 = (bk[0] & bk[1]) | (bk[0] & bk[2]) | (bk[1] & bk[2]);
    wire       p2 = bk[3] ^ bk[4];
    wire       m2 = bk[3] & bk[4];
    wire       pp = p3 & p2;
    wire [2:0] cnt = {(m3 & m2) | ((m3 ^ m2) & pp), m3 ^ m2 ^ pp, p3 ^ p2};
    // The count occupies bits SH..SH+2: r's bits 0..LO-1 and it are added
    // as two operands of equal width, with cin, on a carry chain. How Yosys
    // orders a `+`'s operands decides which one feeds the chain's DI; the
    // forms below are the ones that keep r there (else the count bits become
    // signals of their own: two LUTs per bit). The bits above LO only take
    // the carry, on the chain without LUTs.
    localparam integer LW = 3 + SH;
    localparam integer LO = (W < LW) ? W : LW;
    wire [LW-1:0] bl;
    if (SH != 0) begin : g_sh
        assign bl = {cnt, {SH{1'b0}}};
    end else begin : g_nosh
        assign bl = cnt;
    end
    wire [LO:0] lo;
    if (SH != 0) begin : g_lo_sh
        assign lo = {1'b0, rr[LO-1:0]} + {1'b0, bl[LO-1:0]} + {{LO{1'b0}}, cin};
    end else begin : g_lo
        // cin through a constant position below: 1 + 0 + cin carries cin.
        wire [LO+1:0] lo1 = {1'b0, rr[LO-1:0], 1'b1} + {1'b0, bl[LO-1:0], 1'b0} + {{(LO+1){1'b0}}, cin};
        assign lo = lo1[LO+1:1];
        wire unused_lo1 = lo1[0];
    end
    assign y[LO-1:0] = lo[LO-1:0];
    if (W > LO) begin : g_hi
        // The carry into the bits above, the same way.
        wire [W-LO:0] hi = {rr[W-1:LO], 1'b1} + {{(W-LO){1'b0}}, lo[LO]};
        assign y[W-1:LO] = hi[W-LO:1];
        wire unused_hi = hi[0];
    end else begin : g_top
        wire unused_top = &{1'b0, lo[LO], bl};
    end
endmodule
