// lowbit_functions.vh: the constant functions several library modules use to
// size their registers and check their parameters, written once. Include it
// inside a module body (`include "lowbit_functions.vh"): Verilog-2005 constant
// functions must be declared in the module that calls them, so each including
// module gets its own copy, and there is deliberately no include guard.
//
// emit_verilog (backends/verilog/emit.py) writes the text in place of the
// `include line, so a generated design stays one self-contained file; the
// multi-file paths (Verilator, the hw tests, bench/) pass the library folder
// (or the file itself) on the include path.
//
// Range widths take 64-bit signed bounds: K * 2^(EW-1) * 2^(WB-1) overflows
// 32-bit integers for wide layers.

    // Bits of a counter or address over n values (0 .. n-1): clog2(n), and at
    // least 1 so that a one-value counter is still a legal one-bit vector.
    function integer lowbit_index_width;
        input integer n;
        lowbit_index_width = (n > 1) ? $clog2(n) : 1;
    endfunction

    // Smallest two's-complement width holding every value in [lo, hi].
    function integer lowbit_range_width;
        input signed [63:0] lo, hi;
        integer w;
        begin
            lowbit_range_width = 64;
            for (w = 63; w >= 1; w = w - 1)
                if (lo >= -(64'sd1 <<< (w - 1)) && hi <= (64'sd1 <<< (w - 1)) - 64'sd1) lowbit_range_width = w;
        end
    endfunction

    // Greatest common divisor of two positive widths (the gearbox's chunk).
    function integer lowbit_gcd;
        input integer gcd_a, gcd_b;
        integer gcd_x, gcd_y, gcd_t;  // named apart from the including modules' signals
        begin
            gcd_x = gcd_a;
            gcd_y = gcd_b;
            while (gcd_y != 0) begin
                gcd_t = gcd_x % gcd_y;
                gcd_x = gcd_y;
                gcd_y = gcd_t;
            end
            lowbit_gcd = gcd_x;
        end
    endfunction

    function signed [63:0] lowbit_min;
        input signed [63:0] a, b;
        lowbit_min = (a < b) ? a : b;
    endfunction

    function signed [63:0] lowbit_max;
        input signed [63:0] a, b;
        lowbit_max = (a > b) ? a : b;
    endfunction

    // Range of an e-bit integer (1 <= e <= 30): [-2^(e-1), 2^(e-1) - 1] when
    // signed (s != 0), [0, 2^e - 1] when unsigned.
    function integer lowbit_int_lo;
        input integer e, s;
        lowbit_int_lo = (s != 0) ? -(1 <<< (e - 1)) : 0;
    endfunction

    function integer lowbit_int_hi;
        input integer e, s;
        lowbit_int_hi = (s != 0) ? (1 <<< (e - 1)) - 1 : (1 <<< e) - 1;
    endfunction
