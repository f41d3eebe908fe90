// lowbit_collect: gathers N consecutive beats of WI bits into one beat of
// N*WI bits. Beat i of a group (i = 0 .. N-1, in arrival order) lands at
// bits [i*WI +: WI] of the output beat; groups are formed from the start of
// the stream (after reset) without gaps or overlap.
//
// Structure: an assembly register `asm` of N*WI bits into which beats are
// shifted from the top (after N shifts beat 0 is at the bottom), and an
// output register `out_q` of N*WI bits driving out_tdata. The beat that
// completes a group goes straight to out_q together with asm's N-1 beats
// if out_q is empty or being taken; otherwise it is shifted into asm, which
// then holds a complete group (`full`) that moves to out_q in the cycle
// out_q is taken. asm can only become full while out_q is occupied, and
// then stays full until out_q is taken, so no other state is needed.
//
// Handshake: in_tready = !full, low in reset: a function of flops only (never
// of in_tvalid or out_tready). out_tvalid/out_tdata are flops.
//
// Timing (cycle t = the cycle of a handshake):
//   * Latency: the output beat whose last input beat is accepted in cycle t
//     is offered on out_tvalid from cycle t + 1 (out_q empty or being
//     taken), or one cycle after out_q frees up otherwise.
//   * Throughput: with out_tready always high one beat is accepted in every
//     cycle in which in_tvalid is high (any N >= 1), so N input beats with
//     input always valid take exactly N cycles per output beat. While the
//     consumer stalls the unit holds one complete group in out_q and one in
//     asm and then stops; input resumes the cycle after out_q is taken.
//
// Storage: 2*N*WI data bits and a clog2(N+1)-bit beat counter. Only control
// state is reset.
module lowbit_collect #(
    parameter integer WI = 8,
    parameter integer N  = 4
) (
    input  wire            clk,
    input  wire            rst,

    input  wire [WI-1:0]   in_tdata,
    input  wire            in_tvalid,
    output wire            in_tready,

    output wire [N*WI-1:0] out_tdata,
    output wire            out_tvalid,
    input  wire            out_tready
);

    localparam integer OW = N * WI;
    localparam integer KW = $clog2(N + 1);
    localparam integer NL = N - 1;
    localparam [KW-1:0] K_LAST = NL[KW-1:0];
    localparam [KW-1:0] K_FULL = N[KW-1:0];

    // Parameter guard: instantiating a non-existent module is the only
    // portable way to abort elaboration in Verilog-2005.
    generate
        if (WI < 1 || N < 1) begin : g_bad_params
            lowbit_collect_requires_WI_and_N_at_least_1 u_bad ();
        end
    endgenerate

    reg [OW-1:0] asm_q;      // beats of the current group, newest on top
    reg [KW-1:0] k;          // beats in asm_q (N = full)
    reg [OW-1:0] out_q;
    reg          out_v;
    reg          run;        // low in reset: no handshakes

    wire full     = (k == K_FULL);
    wire out_free = !out_v || out_tready;

    assign in_tready  = run && !full;
    assign out_tvalid = out_v;
    assign out_tdata  = out_q;

    wire in_fire = in_tvalid && in_tready;

    // asm_q with the incoming beat shifted in from the top.
    wire [OW-1:0] asm_sh;
    generate
        if (N == 1) begin : g_n1
            assign asm_sh = in_tdata;
        end else begin : g_nn
            assign asm_sh = {in_tdata, asm_q[OW-1:WI]};
        end
    endgenerate

    // Both moves need out_q to be free; they exclude each other (k == N vs
    // k == N-1). full implies out_v (see above), so move_asm happens exactly
    // when out_q is taken, and never together with in_fire.
    wire move_asm = full && out_free;
    wire move_in  = in_fire && (k == K_LAST) && out_free;

    always @(posedge clk) begin
        if (rst) begin
            k     <= {KW{1'b0}};
            out_v <= 1'b0;
            run   <= 1'b0;
        end else begin
            run <= 1'b1;
            if (move_in || move_asm) k <= {KW{1'b0}};
            else if (in_fire) k <= k + 1'b1;
            if (move_in || move_asm) out_v <= 1'b1;
            else if (out_tready) out_v <= 1'b0;
        end
    end

    always @(posedge clk) begin
        if (in_fire && !move_in) asm_q <= asm_sh;
        if (move_asm) out_q <= asm_q;
        else if (move_in) out_q <= asm_sh;
    end

endmodule
