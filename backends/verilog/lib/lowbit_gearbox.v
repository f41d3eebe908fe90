// lowbit_gearbox: a stream width converter that knows vectors. A vector of
// NI input beats of IW bits (beat 0 in the low bits) leaves as NO output
// beats of OW bits, followed by P = NO*OW - NI*IW pad bits of value PAD
// (0 <= P < OW): the concatenation of a vector's output beats equals the
// concatenation of its input beats with P copies of PAD on top. It sits
// between a producer whose beats are a pixel's (or a window word's) worth
// and a matrix-vector unit that takes one fold (SIMD elements) per beat, so
// no unit has to hold a whole vector in registers; the pad bits are the
// ones the compiler adds when SIMD does not divide the fan-in (a 1 bit for
// XNOR lanes, 0 for integers: see unroll.weight_memory).
//
// Structure: a buffer of B bits holds the `fill` oldest bits not yet sent,
// in order from bit 0. An output beat is buf[OW-1:0]; sending it shifts the
// buffer down by OW (a wire shuffle). An input beat (and, with the vector's
// last beat, the pad) is written at the fill position after that shift. All
// positions are multiples of G = gcd(IW, OW), so the buffer is handled in
// G-bit chunks and each chunk chooses among at most min(IW/G + P/G, number
// of fill positions) sources: a wire when IW is a multiple of OW and P = 0
// with the vector in one beat, a two-way select for a whole vector cut into
// folds, a wider multiplexer only when the widths share a small G (the
// resource model prices it, so the compiler's fold search can avoid it).
//
// B = IW + P + 2*OW - G: an input beat is accepted while the buffer has
// room for it before the cycle's output leaves (so in_tready is a function
// of flops only), and with IW >= OW and input always valid the fill never
// drops below OW once the first beat is in: with out_tready high the unit
// emits one beat per cycle (it accepts IW-bit beats at OW/IW of the cycles).
// With IW < OW it emits at the input's rate.
//
// Deserializer (DS = 1: OW a multiple of IW, P a multiple of IW, and the
// vector's last output beat made of L = (OW-P)/IW >= 2 input beats): input
// beats are shifted into an (OW-IW)-bit register from the top, and a completed
// output beat (OW/IW beats, or L and the pad) is copied into the output
// register, the last one of a vector moved down by P bits under the pad: no
// buffer positions, no multiplexer beyond the pad's. An input beat that would
// complete an output beat waits while the output register is still full;
// with L >= 2 completions are two cycles apart, so the unit keeps up with an
// input beat per cycle.
//
// Handshake: out_tvalid and out_tdata come from flops; in_tready depends on
// flops only (never on in_tvalid or out_tready). Latency: a beat accepted in
// cycle t whose bits complete an output beat is offered from cycle t + 1.
// Only control state (fill, the input beat counter, run) is reset.
module lowbit_gearbox #(
    parameter integer IW  = 32,
    parameter integer OW  = 18,
    parameter integer NI  = 72,
    parameter integer NO  = 128,
    parameter integer PAD = 0
) (
    input  wire clk,
    input  wire rst,

    input  wire [IW-1:0] in_tdata,
    input  wire          in_tvalid,
    output wire          in_tready,

    output wire [OW-1:0] out_tdata,
    output wire          out_tvalid,
    input  wire          out_tready
);

    `include "lowbit_functions.vh"

    localparam integer P   = NO * OW - NI * IW;   // pad bits per vector
    localparam integer G   = lowbit_gcd(IW, OW);
    localparam integer B   = IW + P + 2 * OW - G;
    localparam integer NB  = B / G;               // buffer chunks
    localparam integer IC  = IW / G;
    localparam integer PC  = P / G;
    localparam integer OC  = OW / G;
    localparam integer DC  = IC + PC;             // chunks written with a vector's last beat
    localparam integer FW  = lowbit_index_width(NB + 1);
    localparam integer IBW = lowbit_index_width(NI);
    localparam integer NIL = NI - 1;
    localparam [IBW-1:0] IB_LAST = NIL[IBW-1:0];
    localparam integer ROOM  = NB - IC;           // accept while fill <= ROOM (ROOML with the pad)
    localparam integer ROOML = NB - DC;
    localparam integer PMAX  = (ROOM > ROOML) ? ROOM : ROOML;
    localparam [FW-1:0]  F_IC    = IC[FW-1:0];
    localparam [FW-1:0]  F_DC    = DC[FW-1:0];
    localparam [FW-1:0]  F_OC    = OC[FW-1:0];
    localparam [FW-1:0]  F_ROOM  = ROOM[FW-1:0];
    localparam [FW-1:0]  F_ROOML = ROOML[FW-1:0];

    genvar q, p;
    generate
        if (IW < 1 || OW < 1 || NI < 1 || NO < 1) begin : g_bad_size
            lowbit_gearbox_requires_positive_IW_OW_NI_NO u_bad ();
        end
        if (P < 0 || P >= OW) begin : g_bad_pad
            lowbit_gearbox_requires_0_le_NO_OW_minus_NI_IW_lt_OW u_bad ();
        end
        if (PAD != 0 && PAD != 1) begin : g_bad_padbit
            lowbit_gearbox_requires_PAD_0_or_1 u_bad ();
        end
    endgenerate

    localparam integer DS = (OW % IW == 0 && P % IW == 0 && OW - P >= 2 * IW) ? 1 : 0;

    reg [IBW-1:0] ib;        // the next input beat's index in its vector
    reg           run;       // low in reset: no handshakes
    wire last_in = (ib == IB_LAST);
    wire accept;

    generate
        if (DS != 0) begin : g_ds
            localparam integer NW  = OW / IW;          // input beats per output beat
            localparam integer NL  = (OW - P) / IW;    // ... in the vector's last one
            localparam integer WBW = lowbit_index_width(NW);
            localparam integer NWL = NW - 1;
            localparam [WBW-1:0] W_LAST = NWL[WBW-1:0];
            reg [OW-IW-1:0] sr;      // the output beat's beats so far, newest on top
            reg [OW-1:0]  out_q;
            reg           out_v;
            reg [WBW-1:0] wb;        // the next input beat's index in its output beat
            wire done_w = last_in || (wb == W_LAST);   // the next beat completes an output beat
            wire [OW-1:0] sr_nx = {in_tdata, sr};
            wire [OW-1:0] word;
            if (P > 0) begin : g_pad
                assign word = last_in ? {{P{PAD[0]}}, sr_nx[OW-1:P]} : sr_nx;
            end else begin : g_nopad
                assign word = sr_nx;
            end
            assign accept     = in_tvalid && in_tready;
            assign in_tready  = run && (!out_v || !done_w);
            assign out_tvalid = out_v;
            assign out_tdata  = out_q;
            always @(posedge clk) begin
                if (accept) sr <= sr_nx[OW-1:IW];
                if (accept && done_w) out_q <= word;
                if (rst) begin
                    run   <= 1'b0;
                    out_v <= 1'b0;
                    wb    <= {WBW{1'b0}};
                    ib    <= {IBW{1'b0}};
                end else begin
                    run <= 1'b1;
                    if (accept && done_w) out_v <= 1'b1;
                    else if (out_tready) out_v <= 1'b0;
                    if (accept) begin
                        wb <= done_w ? {WBW{1'b0}} : wb + 1'b1;
                        ib <= last_in ? {IBW{1'b0}} : ib + 1'b1;
                    end
                end
            end
            wire unused_ds = &{1'b0, NB, PMAX, F_IC, F_DC, F_OC, F_ROOM, F_ROOML, NL};
        end else begin : g_buf
            reg [B-1:0]   buffer;
            reg [FW-1:0]  fill;      // chunks held, from chunk 0

            assign in_tready  = run && (fill <= (last_in ? F_ROOML : F_ROOM));
            assign out_tvalid = (fill >= F_OC);
            assign out_tdata  = buffer[OW-1:0];

            assign accept = in_tvalid && in_tready;
            wire emit   = out_tvalid && out_tready;

            // The buffer after this cycle's output leaves, and where the input goes.
            wire [B-1:0]  nx;
            wire [B-1:0]  base = emit ? (buffer >> OW) : buffer;
            wire [FW-1:0] pos  = emit ? fill - F_OC : fill;
            wire [FW-1:0] nwr  = last_in ? F_DC : F_IC;

            // The written chunks: the beat and, with a vector's last beat, the pad.
            wire [DC*G-1:0] data;
            if (P > 0) begin : g_pad
                assign data = {{P{PAD[0]}}, in_tdata};
            end else begin : g_nopad
                assign data = in_tdata;
            end

            // Chunk q takes data chunk q - p when the write starts at pos == p and
            // covers q. pos is at most PMAX (the fill before a write is at most ROOM,
            // or ROOML with the pad), so each chunk ORs the few sources that can reach
            // it, each gated by a decode of pos shared by all chunks (a shift by pos
            // would build a barrel shifter over every position of the buffer).
            wire [PMAX:0] at;
            for (p = 0; p <= PMAX; p = p + 1) begin : g_at
                localparam [FW-1:0] PV = p;
                assign at[p] = accept && (pos == PV);
            end
            for (q = 0; q < NB; q = q + 1) begin : g_chunk
                wire [G-1:0] src [0:PMAX];
                wire [PMAX:0] sel;
                for (p = 0; p <= PMAX; p = p + 1) begin : g_src
                    if (q >= p && q - p < IC) begin : g_beat
                        assign sel[p] = at[p];
                        assign src[p] = data[(q-p)*G +: G];
                    end else if (q >= p && q - p < DC) begin : g_pad
                        assign sel[p] = at[p] && last_in;
                        assign src[p] = data[(q-p)*G +: G];
                    end else begin : g_none
                        assign sel[p] = 1'b0;
                        assign src[p] = {G{1'b0}};
                    end
                end
                reg [G-1:0] wr;
                integer k;
                always @* begin
                    wr = {G{1'b0}};
                    for (k = 0; k <= PMAX; k = k + 1) wr = wr | ({G{sel[k]}} & src[k]);
                end
                assign nx[q*G +: G] = (|sel) ? wr : base[q*G +: G];
            end

            always @(posedge clk) begin
                buffer <= nx;
                if (rst) begin
                    run  <= 1'b0;
                    fill <= {FW{1'b0}};
                    ib   <= {IBW{1'b0}};
                end else begin
                    run  <= 1'b1;
                    fill <= accept ? pos + nwr : pos;
                    if (accept) ib <= last_in ? {IBW{1'b0}} : ib + 1'b1;
                end
            end
        end
    endgenerate

endmodule
