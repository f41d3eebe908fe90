// lowbit_fifo: AXI4-Stream FIFO with registered outputs.
//
// Storage is split into a head register that drives out_tdata directly and a
// ring of DEPTH-1 entries behind it. Keeping the head in a flop means
// out_tdata/out_tvalid never pass through the ring's read multiplexer, so the
// consumer sees clean flop outputs. in_tready is a flop as well, which keeps
// ready paths from chaining combinationally through a pipeline of FIFOs.
//
// Throughput: for DEPTH >= 2 one beat can enter and one can leave in the same
// cycle whenever the FIFO is neither empty nor full, so a stream flows at one
// beat per cycle. Because in_tready is registered it reports "not full" as of
// the previous edge; a FIFO that is full does not accept a beat even in the
// cycle its head is being popped. For DEPTH == 1 this means the FIFO alternates
// fill/drain and sustains at most one beat every two cycles: use DEPTH >= 2
// wherever full rate matters.
//
// An empty FIFO forwards a beat to out_tvalid one cycle after it is accepted.
//
// Only valid/ready/count state is reset; data flops are not, so synthesis can
// map the ring to distributed RAM.
module lowbit_fifo #(
    parameter integer W     = 8,
    parameter integer DEPTH = 2
) (
    input  wire         clk,
    input  wire         rst,
    input  wire [W-1:0] in_tdata,
    input  wire         in_tvalid,
    output wire         in_tready,
    output wire [W-1:0] out_tdata,
    output wire         out_tvalid,
    input  wire         out_tready
);
    `include "lowbit_functions.vh"

    // Parameter guard: instantiating a non-existent module is the only
    // portable way to abort elaboration in Verilog-2005.
    generate
        if (DEPTH < 1 || W < 1) begin : g_bad_params
            lowbit_fifo_requires_DEPTH_and_W_at_least_1 u_bad_params ();
        end
    endgenerate

    reg         head_v;
    reg [W-1:0] head_d;

    assign out_tvalid = head_v;
    assign out_tdata  = head_d;

    generate
        if (DEPTH == 1) begin : g_single
            // A single slot cannot take a beat while it is occupied; see the
            // header for the resulting half-rate behaviour. ready_q mirrors
            // !head_v but is also held low in reset.
            reg ready_q;
            assign in_tready = ready_q;

            wire in_fire   = in_tvalid && ready_q;
            wire head_v_nx = head_v ? !out_tready : in_fire;

            always @(posedge clk) begin
                if (rst) begin
                    head_v  <= 1'b0;
                    ready_q <= 1'b0;
                end else begin
                    head_v  <= head_v_nx;
                    ready_q <= !head_v_nx;
                end
            end

            always @(posedge clk) begin
                if (in_fire) head_d <= in_tdata;
            end
        end else begin : g_ring
            localparam integer R    = DEPTH - 1;            // ring entries
            localparam integer PTRW = lowbit_index_width(R);
            localparam integer CNTW = $clog2(R + 1);
            localparam integer RL   = R - 1;
            localparam [PTRW-1:0] PTR_LAST = RL[PTRW-1:0];
            localparam [CNTW-1:0] CNT_FULL = R[CNTW-1:0];

            reg [W-1:0]    ring [0:R-1];
            reg [PTRW-1:0] rptr;
            reg [PTRW-1:0] wptr;
            reg [CNTW-1:0] cnt;
            reg            ready_q;

            assign in_tready = ready_q;

            wire in_fire   = in_tvalid && ready_q;
            // The head can be (re)loaded when it is empty or being popped.
            wire head_free = !head_v || out_tready;
            wire ring_nz   = (cnt != {CNTW{1'b0}});
            // Ring entries are older than the incoming beat, so the input may
            // only go straight to the head when the ring is empty.
            wire bypass    = head_free && !ring_nz && in_fire;
            wire ring_rd   = head_free && ring_nz;
            wire ring_wr   = in_fire && !bypass;

            reg [CNTW-1:0] cnt_nx;
            reg            head_v_nx;
            always @* begin
                cnt_nx = cnt;
                if (ring_wr && !ring_rd) cnt_nx = cnt + 1'b1;
                if (ring_rd && !ring_wr) cnt_nx = cnt - 1'b1;
                head_v_nx = head_free ? (ring_nz || in_fire) : 1'b1;
            end

            always @(posedge clk) begin
                if (rst) begin
                    head_v  <= 1'b0;
                    cnt     <= {CNTW{1'b0}};
                    rptr    <= {PTRW{1'b0}};
                    wptr    <= {PTRW{1'b0}};
                    ready_q <= 1'b0;
                end else begin
                    head_v  <= head_v_nx;
                    cnt     <= cnt_nx;
                    // The ring only fills behind a valid head, so a full
                    // ring means the whole FIFO is full.
                    ready_q <= (cnt_nx != CNT_FULL);
                    if (ring_rd) rptr <= (rptr == PTR_LAST) ? {PTRW{1'b0}} : rptr + 1'b1;
                    if (ring_wr) wptr <= (wptr == PTR_LAST) ? {PTRW{1'b0}} : wptr + 1'b1;
                end
            end

            always @(posedge clk) begin
                if (ring_wr) ring[wptr] <= in_tdata;
                if (ring_rd) head_d <= ring[rptr];
                else if (bypass) head_d <= in_tdata;
            end
        end
    endgenerate

endmodule
