// RUN: lowbitc-opt %s -p unroll | filecheck %s --check-prefix=UNROLL
// RUN: lowbitc-opt %s -p unroll,pipeline | filecheck %s --check-prefix=PIPE
// RUN: lowbitc-opt %s -p 'unroll,pipeline,rtl{narrow=false}' | filecheck %s --check-prefix=RTL
// (narrow=false: the lowering alone; narrow_streams.mlir tests the fold-wide streams it ends with)

// The residual lowering on a minimal block: a 1x1 window whose pixels feed both a branch (a
// multi-bit matrix-vector layer) and, as the skip, the residual add.
//
// unroll: the add and its requantizing threshold become one add_unit.
// UNROLL:      %[[W:.*]] = lowbit.window %x
// UNROLL-NEXT: %[[T:.*]] = lowbit.mvu %[[W]] {{{.*}}weight_bits = 2 : i64, thresholds = dense<{{\[\[}}0, 1, 2], [1, 3, 5]]> : tensor<2x3xi64>} : tensor<4x4x2xui2> -> tensor<4x4x2xui2>
// UNROLL-NEXT: %[[Q:.*]] = lowbit.add_unit %[[T]], %[[W]] {thresholds = dense<{{\[\[}}2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>} : tensor<4x4x2xui2>, tensor<4x4x2xui2> -> tensor<4x4x2xui2>
// UNROLL-NEXT: func.return %[[Q]]
//
// pipeline: the window's stream is duplicated. The branch buffers 2 (FIFO) + 4 (unit) + 2 (FIFO)
// = 8 beats before the add, the skip 2: the skip FIFO grows by the difference 6 plus a unit's
// slack 4, to 12, so the branch can always run ahead and the add never waits on a full dup.
// PIPE:      %[[W:.*]] = lowbit.window %x
// PIPE-NEXT: %[[S:.*]], %[[B:.*]] = lowbit.dup %[[W]] : tensor<4x4x2xui2>
// PIPE-NEXT: %[[BF:.*]] = lowbit.fifo %[[B]] {depth = 2 : i64}
// PIPE-NEXT: %[[T:.*]] = lowbit.mvu %[[BF]]
// PIPE-NEXT: %[[TF:.*]] = lowbit.fifo %[[T]] {depth = 2 : i64}
// PIPE-NEXT: %[[SF:.*]] = lowbit.fifo %[[S]] {depth = 12 : i64}
// PIPE-NEXT: %{{.*}} = lowbit.add_unit %[[TF]], %[[SF]]
//
// rtl: dup and add instances; the add's sums and thresholds are 4-bit two's complement (the
// thresholds reach 6, the sums [0, 6]).
// RTL:      rtl.module @accel {
// RTL:        %[[D0:.*]], %[[D1:.*]] = rtl.dup %{{.*}} : !rtl.stream<4>
// RTL:        %{{.*}} = rtl.mvu {{.*}}element_width = 2 : i64, element_signed = 0 : i64, weight_bits = 2 : i64, thresholds = dense<{{\[\[}}0, 1, 2], [1, 3, 5]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4> -> !rtl.stream<4>
// RTL:        %{{.*}} = rtl.add %{{.*}}, %{{.*}} {channels = 2 : i64, lhs_width = 2 : i64, lhs_signed = 0 : i64, rhs_width = 2 : i64, rhs_signed = 0 : i64, sum_width = 4 : i64, pixels = 16 : i64, thresholds = dense<{{\[\[}}2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4>, !rtl.stream<4> -> !rtl.stream<4>
// RTL:      rtl.invoke @accel(%x)
func.func @block(%x: tensor<4x4x2xui2>) -> tensor<4x4x2xui2> {
  %w = lowbit.window %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>} : tensor<4x4x2xui2> -> tensor<4x4x2xui2>
  %p = lowbit.bitplanes %w : tensor<4x4x2xui2> -> !lowbit.packed<2x4x4x2xi1>
  %y = lowbit.plane_popcount %p {element = ui2, weights = #lowbit.ints<2x2, si2, "0x01FF0101">, fold = #lowbit.fold<pe = 1, simd = 2>} : !lowbit.packed<2x4x4x2xi1> -> tensor<4x4x2xsi4>
  %t = lowbit.threshold %y {thresholds = dense<[[0, 1, 2], [1, 3, 5]]> : tensor<2x3xi64>, axis = 2 : i64} : tensor<4x4x2xsi4> -> tensor<4x4x2xui2>
  %s = lowbit.add %t, %w : tensor<4x4x2xui2>, tensor<4x4x2xui2> -> tensor<4x4x2xui3>
  %q = lowbit.threshold %s {thresholds = dense<[[2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>, axis = 2 : i64} : tensor<4x4x2xui3> -> tensor<4x4x2xui2>
  func.return %q : tensor<4x4x2xui2>
}
