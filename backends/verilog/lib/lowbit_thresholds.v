// The output stage of the units whose thresholds are constants of the design (lowbit_add,
// lowbit_gap):
//   lowbit_const_outputs     C channels' exact values, passed on (MODE 1) or thresholded
//   lowbit_const_thresholds  one channel's multi-threshold activation

// lowbit_const_outputs: x holds C exact values, channel c's W-bit two's complement at bits
// [c*W +: W], each known to lie in [LO, HI]. MODE 1 passes each on as SW bits (SW holds
// [LO, HI], so truncating or sign-extending keeps the value); MODE 0 gives each the OB-bit
// activation of lowbit_const_thresholds against its NT thresholds, THRESH[c*NT*SW +: NT*SW].
// Purely combinational.
module lowbit_const_outputs #(
    parameter integer C    = 1,
    parameter integer W    = 4,
    parameter integer MODE = 1,
    parameter integer SW   = 4,
    parameter integer NT   = 1,
    parameter integer OB   = 1,
    parameter integer OOFF = 0,
    parameter integer LO   = 0,
    parameter integer HI   = 0,
    parameter [C*NT*SW-1:0] THRESH = {(C*NT*SW){1'b0}}
) (
    input  wire [C*W-1:0]                       x,
    output wire [C*((MODE == 1) ? SW : OB)-1:0] y
);
    genvar gc;
    generate
        for (gc = 0; gc < C; gc = gc + 1) begin : g_ch
            wire [W-1:0] s = x[gc*W +: W];
            if (MODE == 1) begin : g_raw
                if (SW <= W) begin : g_cut
                    assign y[gc*SW +: SW] = s[SW-1:0];
                    if (SW < W) begin : g_unused
                        // Only sign copies above bit SW-1 (the value fits).
                        wire unused_hi = &{1'b0, s[W-1:SW]};
                    end
                end else begin : g_ext
                    assign y[gc*SW +: SW] = {{(SW - W){s[W-1]}}, s};
                end
            end else if (NT >= 1) begin : g_mt  // the units refuse NT < 1
                lowbit_const_thresholds #(
                    .W(W), .TW(SW), .NT(NT), .OB(OB), .OOFF(OOFF), .LO(LO), .HI(HI),
                    .THRESH(THRESH[gc*NT*SW +: NT*SW])
                ) u_th (.x(s), .y(y[gc*OB +: OB]));
            end
        end
    endgenerate
endmodule

// lowbit_const_thresholds: the multi-threshold activation of one channel against constant
// thresholds: y = count(x >= t_i over i < NT) + OOFF (modulo 2^OB).
//
// x is a W-bit two's-complement value known to lie in [LO, HI]; threshold i is the TW-bit
// two's-complement field THRESH[i*TW +: TW]. A threshold at or below LO always fires and one
// above HI never does, so neither costs logic; one inside the range fits in W bits and is
// compared there, as an unsigned compare with the sign bits inverted (signed order is the
// unsigned order with the sign bit flipped). Purely combinational.
module lowbit_const_thresholds #(
    parameter integer W    = 4,
    parameter integer TW   = 4,
    parameter integer NT   = 1,
    parameter integer OB   = 1,
    parameter integer OOFF = 0,
    parameter integer LO   = 0,
    parameter integer HI   = 0,
    parameter [NT*TW-1:0] THRESH = {(NT*TW){1'b0}}
) (
    input  wire [W-1:0]  x,
    output wire [OB-1:0] y
);

    localparam integer CNTW  = $clog2(NT + 1);
    localparam integer ONE_I = 1;
    localparam [CNTW-1:0] ONE  = ONE_I[CNTW-1:0];
    localparam [W-1:0]    FLIP = {1'b1, {(W - 1){1'b0}}};

    generate
        if (TW < 1 || TW > 31) begin : g_bad_tw
            lowbit_const_thresholds_requires_TW_between_1_and_31 u_bad ();
        end
        if (NT < 1 || OB < 1 || OB > 16 || NT + 1 > (1 << OB)) begin : g_bad_nt
            lowbit_const_thresholds_requires_NT_at_least_1_and_below_2_pow_OB u_bad ();
        end
    endgenerate

    wire [W-1:0]    xf = x ^ FLIP;
    wire [CNTW-1:0] cnt [0:NT];
    assign cnt[0] = {CNTW{1'b0}};
    genvar gi;
    generate
        for (gi = 0; gi < NT; gi = gi + 1) begin : g_th
            // TW <= 31 (guarded): the field zero-extends into an integer, then its sign applies.
            localparam integer TU = {{(32 - TW){1'b0}}, THRESH[gi*TW +: TW]};
            localparam integer TI = (TU >= (1 << (TW - 1))) ? TU - (1 << TW) : TU;
            wire fire;
            if (TI <= LO) begin : g_always
                assign fire = 1'b1;
            end else if (TI > HI) begin : g_never
                assign fire = 1'b0;
            end else begin : g_cmp
                localparam [W-1:0] TF = TI[W-1:0] ^ FLIP;
                assign fire = (xf >= TF);
            end
            assign cnt[gi+1] = cnt[gi] + (fire ? ONE : {CNTW{1'b0}});
        end
    endgenerate
    // Keeps lint quiet when every threshold is constant (x then drives nothing).
    wire unused_x = &{1'b0, xf};

    // CNTW <= OB (guarded), so the count zero-extends; the offset is added modulo 2^OB.
    localparam [OB-1:0] OFF = OOFF[OB-1:0];
    wire [OB-1:0] cnt_ob;
    generate
        if (OB > CNTW) begin : g_zx
            assign cnt_ob = {{(OB - CNTW){1'b0}}, cnt[NT]};
        end else begin : g_same
            assign cnt_ob = cnt[NT];
        end
    endgenerate
    assign y = cnt_ob + OFF;

endmodule
