// lowbit_raster: the position (y, x) of a walk over an H x W frame in raster
// order (row-major), frames back to back: each step moves it to the next
// position, and from the last, (H-1, W-1), back to (0, 0). y_next and x_next
// are the position after a step (combinational), for units that look ahead
// (lowbit_mvu_border); YW and XW are the instantiator's widths of y and x,
// at least clog2(H) and clog2(W) and at least 1. Only this position is
// state, and it is reset to (0, 0).
//
// Used by lowbit_pad (the padded frame it emits) and lowbit_mvu_border (the
// output pixel whose thresholds are read).
module lowbit_raster #(
    parameter integer H  = 1,
    parameter integer W  = 1,
    parameter integer YW = 1,
    parameter integer XW = 1
) (
    input  wire          clk,
    input  wire          rst,
    input  wire          step,
    output reg  [YW-1:0] y,
    output reg  [XW-1:0] x,
    output wire [YW-1:0] y_next,
    output wire [XW-1:0] x_next
);
    localparam integer  HL     = H - 1;
    localparam integer  WL     = W - 1;
    localparam [YW-1:0] Y_LAST = HL[YW-1:0];
    localparam [XW-1:0] X_LAST = WL[XW-1:0];

    wire x_end = (x == X_LAST);
    assign x_next = x_end ? {XW{1'b0}} : x + 1'b1;
    assign y_next = x_end ? ((y == Y_LAST) ? {YW{1'b0}} : y + 1'b1) : y;

    always @(posedge clk) begin
        if (rst) begin
            y <= {YW{1'b0}};
            x <= {XW{1'b0}};
        end else if (step) begin
            y <= y_next;
            x <= x_next;
        end
    end
endmodule
