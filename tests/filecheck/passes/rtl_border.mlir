// RUN: lowbitc-opt %s -p 'rtl{narrow=false}' | filecheck %s
// RUN: lowbitc-opt %s -p 'rtl{narrow=false}' -t verilog | filecheck %s --check-prefix=V
// (narrow=false: the lowering alone; narrow_streams.mlir tests the fold-wide streams it ends with)

// A +1-padded convolution in hardware: rtl.pad with ones = 1 (border bits 1 = +1) and an
// rtl.mvu carrying the border table and geometry; the Verilog gives lowbit_pad ONES and
// lowbit_mvu the 9 tables (THRESH, case-major: 6, 7, 7, 7, 8, 8, 7, 8, 8 in 4-bit words) and the
// case tables of lowbit_mvu_border: CYT[oy] = cy * 3 * NF = 3, 0, 6 and CXT[ox] = cx * NF =
// 1, 0, 2 (TW = 4-bit words, oy 0 at the bottom).

// CHECK:      rtl.pad %{{.*}} {channels = 1 : i64, element_width = 1 : i64, height = 3 : i64, width = 3 : i64, pads = array<i64: 1, 1, 1, 1>, widen = 0 : i64, ones = 1 : i64} : !rtl.stream<1> -> !rtl.stream<1>
// CHECK:      rtl.mvu %{{.*}} {rom = @accel_l0_weights, fold = #lowbit.fold<pe = 1, simd = 9>, channels = 1 : i64, popcount_width = 4 : i64, pipe = 0 : i64, vectors = 9 : i64, thresholds = dense<{{.*}}> : tensor<9x1x1xi64>, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : !rtl.stream<9> -> !rtl.stream<1>

// V:      lowbit_pad #(
// V:        .WIDEN(0),
// V-NEXT:   .ONES(1)
// V:      lowbit_mvu #(
// V:        .THRESH(36'h887887776),
// V-NEXT:   .PIPE(0),
// V-NEXT:   .NCASE(9),
// V-NEXT:   .HO(3),
// V-NEXT:   .WO(3),
// V-NEXT:   .CYT(12'h603),
// V-NEXT:   .CXT(12'h201)
// V:      module lowbit_mvu_border

builtin.module {
  func.func @binary(%x: tensor<1x3x3x!lowbit.bipolar>) -> tensor<1xsi5> {
    %0 = lowbit.to_pixels %x : tensor<1x3x3x!lowbit.bipolar> -> tensor<3x3x1x!lowbit.bipolar>
    %1 = lowbit.pack %0 : tensor<3x3x1x!lowbit.bipolar> -> !lowbit.packed<3x3x1x!lowbit.bipolar>
    %2 = lowbit.pad %1 {pads = array<i64: 1, 1, 1, 1>, fill = 1 : i64} : !lowbit.packed<3x3x1x!lowbit.bipolar> -> !lowbit.packed<5x5x1x!lowbit.bipolar>
    %3 = lowbit.fifo %2 {depth = 2 : i64} : !lowbit.packed<5x5x1x!lowbit.bipolar>
    %4 = lowbit.window %3 {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !lowbit.packed<5x5x1x!lowbit.bipolar> -> !lowbit.packed<3x3x9x!lowbit.bipolar>
    %5 = lowbit.fifo %4 {depth = 2 : i64} : !lowbit.packed<3x3x9x!lowbit.bipolar>
    %6 = lowbit.mvu %5 {fold = #lowbit.fold<pe = 1, simd = 9>, memory = #lowbit.bits<1x9, "0xFF01">, thresholds = dense<[[[6]], [[7]], [[7]], [[7]], [[8]], [[8]], [[7]], [[8]], [[8]]]> : tensor<9x1x1xi64>, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>, pipe = 0 : i64} : !lowbit.packed<3x3x9x!lowbit.bipolar> -> !lowbit.packed<3x3x1x!lowbit.bipolar>
    %7 = lowbit.fifo %6 {depth = 2 : i64} : !lowbit.packed<3x3x1x!lowbit.bipolar>
    %8 = lowbit.collect %7 : !lowbit.packed<3x3x1x!lowbit.bipolar> -> !lowbit.packed<9x!lowbit.bipolar>
    %9 = lowbit.fifo %8 {depth = 2 : i64} : !lowbit.packed<9x!lowbit.bipolar>
    %10 = lowbit.mvu %9 {fold = #lowbit.fold<pe = 1, simd = 1>, memory = #lowbit.bits<9x1, "0x010101010101010101">, pipe = 0 : i64} : !lowbit.packed<9x!lowbit.bipolar> -> tensor<1xui4>
    %11 = lowbit.xnor_to_dot %10 {fan_in = 9 : i64} : tensor<1xui4> -> tensor<1xsi5>
    func.return %11 : tensor<1xsi5>
  }
}

