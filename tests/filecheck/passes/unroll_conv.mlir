// RUN: lowbitc-opt %s -p unroll | filecheck %s

// A first layer with integer inputs and a convolution over its bipolar output: each product and
// threshold becomes an mvu producing packed pixels, and the windows, the pool and the flatten
// downstream move onto the packed stream (the pack ops disappear).
// Memory layout of the first layer (C = 2, K = 4, PE = 1, SIMD = 2): word nf*SF + sf holds
// W[nf, 2sf .. 2sf+1]: rows 0b1001, 0b0110 -> words 0b01, 0b10, 0b10, 0b01.

// CHECK:      [[W0:%.*]] = lowbit.window %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : tensor<3x3x1xsi4> -> tensor<2x2x4xsi4>
// CHECK-NEXT: [[M0:%.*]] = lowbit.mvu [[W0]] {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, ["10", "01", "01", "10"]>, thresholds = dense<{{\[}}[0], [3]]> : tensor<2x1xi64>} : tensor<2x2x4xsi4> -> !lowbit.packed<2x2x2x!lowbit.bipolar>
// CHECK-NEXT: [[W1:%.*]] = lowbit.window [[M0]] {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : !lowbit.packed<2x2x2x!lowbit.bipolar> -> !lowbit.packed<1x1x8x!lowbit.bipolar>
// CHECK-NEXT: [[M1:%.*]] = lowbit.mvu [[W1]] {fold = #lowbit.fold<pe = 2, simd = 8>, memory = #lowbit.bits<1x16, ["1111111100000000"]>, thresholds = dense<4> : tensor<2x1xi64>} : !lowbit.packed<1x1x8x!lowbit.bipolar> -> !lowbit.packed<1x1x2x!lowbit.bipolar>
// CHECK-NEXT: [[P:%.*]] = lowbit.window [[M1]] {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>} : !lowbit.packed<1x1x2x!lowbit.bipolar> -> !lowbit.packed<1x1x2x!lowbit.bipolar>
// CHECK-NEXT: [[Q:%.*]] = lowbit.window_max [[P]] {size = 1 : i64} : !lowbit.packed<1x1x2x!lowbit.bipolar> -> !lowbit.packed<1x1x2x!lowbit.bipolar>
// CHECK-NEXT: [[C:%.*]] = lowbit.collect [[Q]] : !lowbit.packed<1x1x2x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
// CHECK-NEXT: [[D:%.*]] = lowbit.mvu [[C]] {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<1x2, ["01"]>} : !lowbit.packed<2x!lowbit.bipolar> -> tensor<1xui2>
// CHECK-NOT:  lowbit.pack
// CHECK-NOT:  lowbit.threshold
func.func @main(%x: tensor<3x3x1xsi4>) -> tensor<1xui2> {
  %w0 = lowbit.window %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : tensor<3x3x1xsi4> -> tensor<2x2x4xsi4>
  %a0 = lowbit.matmul %w0 {weights = #lowbit.bits<2x4, "0x0906">, fold = #lowbit.fold<pe = 1, simd = 2>} : tensor<2x2x4xsi4> -> tensor<2x2x2xsi7>
  %t0 = lowbit.threshold %a0 {thresholds = dense<[[0], [3]]> : tensor<2x1xi64>, axis = 2 : i64} : tensor<2x2x2xsi7> -> tensor<2x2x2x!lowbit.bipolar>
  %w1 = lowbit.window %t0 {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : tensor<2x2x2x!lowbit.bipolar> -> tensor<1x1x8x!lowbit.bipolar>
  %k1 = lowbit.pack %w1 : tensor<1x1x8x!lowbit.bipolar> -> !lowbit.packed<1x1x8x!lowbit.bipolar>
  %a1 = lowbit.xnor_popcount %k1 {weights = #lowbit.bits<2x8, "0xFF00">, fold = #lowbit.fold<pe = 2, simd = 8>} : !lowbit.packed<1x1x8x!lowbit.bipolar> -> tensor<1x1x2xui4>
  %t1 = lowbit.threshold %a1 {thresholds = dense<4> : tensor<2x1xi64>, axis = 2 : i64} : tensor<1x1x2xui4> -> tensor<1x1x2x!lowbit.bipolar>
  %p = lowbit.window %t1 {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>} : tensor<1x1x2x!lowbit.bipolar> -> tensor<1x1x2x!lowbit.bipolar>
  %q = lowbit.window_max %p {size = 1 : i64} : tensor<1x1x2x!lowbit.bipolar> -> tensor<1x1x2x!lowbit.bipolar>
  %f = lowbit.reshape %q : tensor<1x1x2x!lowbit.bipolar> -> tensor<2x!lowbit.bipolar>
  %k2 = lowbit.pack %f : tensor<2x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
  %d = lowbit.xnor_popcount %k2 {weights = #lowbit.bits<1x2, "0x02">, fold = #lowbit.fold<pe = 1, simd = 2>} : !lowbit.packed<2x!lowbit.bipolar> -> tensor<1xui2>
  func.return %d : tensor<1xui2>
}
