// RUN: lowbitc-opt %s -p bitserial | filecheck %s

// A zero-padded bipolar convolution: the map is padded with lowbit.pad, which widens the bits to
// si2 so the border 0 is exact, and the layer becomes a two-plane product over the windows; its
// threshold stays in the dot-product domain (no popcount conversion). |dot| <= 9 * 2 = 18 -> si6.

// CHECK:      [[P:%.*]] = lowbit.to_pixels %x : tensor<1x3x3x!lowbit.bipolar> -> tensor<3x3x1x!lowbit.bipolar>
// CHECK-NEXT: [[D:%.*]] = lowbit.pad [[P]] {pads = array<i64: 1, 1, 1, 1>} : tensor<3x3x1x!lowbit.bipolar> -> tensor<5x5x1xsi2>
// CHECK-NEXT: [[W:%.*]] = lowbit.window [[D]] {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<5x5x1xsi2> -> tensor<3x3x9xsi2>
// CHECK-NEXT: [[B:%.*]] = lowbit.bitplanes [[W]] : tensor<3x3x9xsi2> -> !lowbit.packed<2x3x3x9xi1>
// CHECK-NEXT: [[M:%.*]] = lowbit.plane_popcount [[B]] {element = si2, weights = #lowbit.bits<1x9, "0xFF01">} : !lowbit.packed<2x3x3x9xi1> -> tensor<3x3x1xsi6>
// CHECK-NEXT: [[T:%.*]] = lowbit.threshold [[M]] {thresholds = dense<2> : tensor<1x1xi64>, axis = 2 : i64} : tensor<3x3x1xsi6> -> tensor<3x3x1x!lowbit.bipolar>
func.func @main(%x: tensor<1x3x3x!lowbit.bipolar>) -> tensor<1xsi5> {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x3x3x!lowbit.bipolar> -> tensor<1x3x3xsi5>
  %t = lowbit.threshold %c {thresholds = dense<[[2]]> : tensor<1x1xi64>} : tensor<1x3x3xsi5> -> tensor<1x3x3x!lowbit.bipolar>
  %f = lowbit.reshape %t : tensor<1x3x3x!lowbit.bipolar> -> tensor<9x!lowbit.bipolar>
  %d = lowbit.matmul %f {weights = #lowbit.bits<1x9, "0xFF01">} : tensor<9x!lowbit.bipolar> -> tensor<1xsi5>
  func.return %d : tensor<1xsi5>
}
