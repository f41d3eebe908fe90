// RUN: lowbitc-opt %s -p unroll | filecheck %s

// A +1-padded convolution (see bitserial_pad.mlir): the +1 pad keeps the bits packed like the
// -1 pad of a max-pool, and the popcount with its border-case threshold table becomes one XNOR
// mvu carrying the table [9, C, T] and the #lowbit.border geometry it is selected by.

// CHECK:      [[K:%.*]] = lowbit.pack %{{.*}} : tensor<3x3x1x!lowbit.bipolar> -> !lowbit.packed<3x3x1x!lowbit.bipolar>
// CHECK-NEXT: [[P:%.*]] = lowbit.pad [[K]] {pads = array<i64: 1, 1, 1, 1>, fill = 1 : i64} : !lowbit.packed<3x3x1x!lowbit.bipolar> -> !lowbit.packed<5x5x1x!lowbit.bipolar>
// CHECK-NEXT: [[W:%.*]] = lowbit.window [[P]] {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !lowbit.packed<5x5x1x!lowbit.bipolar> -> !lowbit.packed<3x3x9x!lowbit.bipolar>
// CHECK-NEXT: lowbit.mvu [[W]] {fold = #lowbit.fold<pe = 1, simd = 9>, memory = #lowbit.bits<1x9, ["111111111"]>, thresholds = dense<{{\[\[\[}}6]], {{\[\[}}7]], {{\[\[}}7]], {{\[\[}}7]], {{\[\[}}8]], {{\[\[}}8]], {{\[\[}}7]], {{\[\[}}8]], {{\[\[}}8]]]> : tensor<9x1x1xi64>, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : !lowbit.packed<3x3x9x!lowbit.bipolar> -> !lowbit.packed<3x3x1x!lowbit.bipolar>
// CHECK-NOT:  lowbit.threshold

builtin.module {
  func.func @binary(%x: tensor<1x3x3x!lowbit.bipolar>) -> tensor<1xsi5> {
    %0 = lowbit.to_pixels %x : tensor<1x3x3x!lowbit.bipolar> -> tensor<3x3x1x!lowbit.bipolar>
    %1 = lowbit.pad %0 {pads = array<i64: 1, 1, 1, 1>, fill = 1 : i64} : tensor<3x3x1x!lowbit.bipolar> -> tensor<5x5x1x!lowbit.bipolar>
    %2 = lowbit.window %1 {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<5x5x1x!lowbit.bipolar> -> tensor<3x3x9x!lowbit.bipolar>
    %3 = lowbit.pack %2 : tensor<3x3x9x!lowbit.bipolar> -> !lowbit.packed<3x3x9x!lowbit.bipolar>
    %4 = lowbit.xnor_popcount %3 {weights = #lowbit.bits<1x9, "0xFF01">, fold = #lowbit.fold<pe = 1, simd = 9>} : !lowbit.packed<3x3x9x!lowbit.bipolar> -> tensor<3x3x1xui4>
    %5 = lowbit.threshold %4 {thresholds = dense<[[[6]], [[7]], [[7]], [[7]], [[8]], [[8]], [[7]], [[8]], [[8]]]> : tensor<9x1x1xi64>, axis = 2 : i64, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : tensor<3x3x1xui4> -> tensor<3x3x1x!lowbit.bipolar>
    %6 = lowbit.reshape %5 : tensor<3x3x1x!lowbit.bipolar> -> tensor<9x!lowbit.bipolar>
    %7 = lowbit.pack %6 : tensor<9x!lowbit.bipolar> -> !lowbit.packed<9x!lowbit.bipolar>
    %8 = lowbit.xnor_popcount %7 {weights = #lowbit.bits<1x9, "0xFF01">, fold = #lowbit.fold<pe = 1, simd = 1>} : !lowbit.packed<9x!lowbit.bipolar> -> tensor<1xui4>
    %9 = lowbit.xnor_to_dot %8 {fan_in = 9 : i64} : tensor<1xui4> -> tensor<1xsi5>
    func.return %9 : tensor<1xsi5>
  }
}

