// lowbit_mvu_acc: the accumulator end of lowbit_mvu (lowbit_mvu.v): the
// optional lane-sum register (PIPE), the PE accumulators and, in MODE 0, the
// thresholds that turn a channel fold's sums into outputs.
//
//   lowbit_mvu_acc      stage 2 and the accumulators of a channel fold
//   lowbit_mvu_thresh   y_c = #{i : acc_c >= T_{c,i}} + OOFF for one fold

// Stage 2 (PIPE = 1: the step's lane sums and flags registered, +1 cycle
// latency) and the accumulators: per PE, acc = (first ? acc0 : acc) + sum +
// cin over the steps of a channel fold, modulo 2^AW (the caller's AW holds
// the range, lowbit_mvu's header). sum is SW bits, unsigned when SGN == 0
// (popcounts) and signed otherwise, extended to AW bits; cin is the lane's
// carry-in (ones' complement negations). blk_v marks a completed channel
// fold in acc, blk_fin additionally the vector's last; acc_step/acc_fin say
// the same one cycle earlier, as the fold's last step is accumulated (when
// acc0, the table word for the next fold, must advance). Everything but
// the valid flags advances only with en.
module lowbit_mvu_acc #(
    parameter integer PE   = 1,
    parameter integer SW   = 1,
    parameter integer AW   = 1,
    parameter integer SGN  = 0,
    parameter integer PIPE = 1
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             en,
    input  wire             v,        // the step is valid
    input  wire             first,    // ... and its channel fold's first
    input  wire             last,     // ... its channel fold's last
    input  wire             fin,      // ... its vector's last
    input  wire [PE*SW-1:0] sum,
    input  wire [PE-1:0]    cin,
    input  wire [PE*AW-1:0] acc0,     // what a channel fold starts from
    output wire             acc_step,
    output wire             acc_fin,
    output reg  [PE*AW-1:0] acc,
    output reg              blk_v,
    output reg              blk_fin
);
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
                else if (en) v2 <= v;
                if (en) begin
                    sum2   <= sum;
                    cin2   <= cin;
                    first2 <= first;
                    last2  <= last;
                    fin2   <= fin;
                end
            end
            assign {va, firsta, lasta, fina, suma, cina} = {v2, first2, last2, fin2, sum2, cin2};
        end else begin : g_nopipe
            assign {va, firsta, lasta, fina, suma, cina} = {v, first, last, fin, sum, cin};
        end
    endgenerate

    assign acc_step = en && va && lasta;
    assign acc_fin  = fina;

    wire [PE*AW-1:0] acc_nx;
    genvar gp;
    generate
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
endmodule

// MODE 0 outputs of one channel fold of lowbit_mvu: for each of the PE
// channels, y_c = (#{i in [0, NT) : acc_c >= T_{c,i}} + OOFF) mod 2^OB, with
// T_{c,i} at thr bits [(c*NT + i)*PW +: PW] and acc_c the low PW bits of
// acc's AW-bit word c, compared unsigned (SGN == 0) or signed. With TA (one
// threshold, subtracted up front: lowbit_mvu's accumulator) acc_c >= T_c is
// the sign of the AW-bit word and thr is not read.
module lowbit_mvu_thresh #(
    parameter integer PE   = 1,
    parameter integer NT   = 1,
    parameter integer OB   = 1,
    parameter integer OOFF = 0,
    parameter integer PW   = 2,
    parameter integer AW   = 2,
    parameter integer SGN  = 0,
    parameter integer TA   = 0
) (
    input  wire [PE*AW-1:0]    acc,
    input  wire [PE*NT*PW-1:0] thr,
    output wire [PE*OB-1:0]    y
);
    localparam [OB-1:0] OFF = OOFF[OB-1:0];
    // TA reads only the sign bits; the comparators read only the PW low bits.
    wire unused_thresh = &{1'b0, acc, thr};
    wire [PE*NT-1:0] ge;   // acc_c >= T_{c,i}
    genvar gp, gi;
    generate
        if (TA != 0) begin : g_sign
            for (gp = 0; gp < PE; gp = gp + 1) begin : g_ch
                assign ge[gp] = !acc[gp*AW + AW - 1];
            end
        end else begin : g_cmp
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
        end
        for (gp = 0; gp < PE; gp = gp + 1) begin : g_out
            wire [OB-1:0] cnt;
            // A count rather than a thermometer decode: exact for any
            // threshold order, and NT < 2^OB keeps it from wrapping.
            lowbit_mvu_popcount #(.N(NT), .W(OB)) u_cnt (.x(ge[gp*NT +: NT]), .y(cnt));
            assign y[gp*OB +: OB] = cnt + OFF;
        end
    endgenerate
endmodule
