// RUN: lowbitc-opt %s -p bitserial | filecheck %s

// A zero-padded binary convolution of a bipolar map followed by a threshold: the map is padded
// with +1 (fill = 1, bit 1) and stays bipolar, the layer runs on XNOR lanes, and the threshold
// becomes a table over the 9 border cases of a 3x3 / pad 1 / stride 1 window
// (#lowbit.border): t + corr[case], corr = the sum of the weights over the padded positions.
// All nine weights are +1 and t = 2: case 0 (interior) keeps 2, an edge case (3 padded
// positions) 5, a corner (5 padded positions) 7; in the popcount domain P >= ceil((t + 9) / 2):
// 6, 7, 8. Case = cy * 3 + cx, cy/cx = 0 inside, 1 top/left, 2 bottom/right.

// CHECK-LABEL: func.func @binary
// CHECK:      [[P:%.*]] = lowbit.to_pixels %x : tensor<1x3x3x!lowbit.bipolar> -> tensor<3x3x1x!lowbit.bipolar>
// CHECK-NEXT: [[D:%.*]] = lowbit.pad [[P]] {pads = array<i64: 1, 1, 1, 1>, fill = 1 : i64} : tensor<3x3x1x!lowbit.bipolar> -> tensor<5x5x1x!lowbit.bipolar>
// CHECK-NEXT: [[W:%.*]] = lowbit.window [[D]] {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<5x5x1x!lowbit.bipolar> -> tensor<3x3x9x!lowbit.bipolar>
// CHECK-NEXT: [[K:%.*]] = lowbit.pack [[W]] : tensor<3x3x9x!lowbit.bipolar> -> !lowbit.packed<3x3x9x!lowbit.bipolar>
// CHECK-NEXT: [[M:%.*]] = lowbit.xnor_popcount [[K]] {weights = #lowbit.bits<1x9, ["111111111"]>} : !lowbit.packed<3x3x9x!lowbit.bipolar> -> tensor<3x3x1xui4>
// CHECK-NEXT: [[T:%.*]] = lowbit.threshold [[M]] {thresholds = dense<{{\[\[\[}}6]], {{\[\[}}7]], {{\[\[}}7]], {{\[\[}}7]], {{\[\[}}8]], {{\[\[}}8]], {{\[\[}}7]], {{\[\[}}8]], {{\[\[}}8]]]> : tensor<9x1x1xi64>, axis = 2 : i64, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : tensor<3x3x1xui4> -> tensor<3x3x1x!lowbit.bipolar>
func.func @binary(%x: tensor<1x3x3x!lowbit.bipolar>) -> tensor<1xsi5> {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x3x3x!lowbit.bipolar> -> tensor<1x3x3xsi5>
  %t = lowbit.threshold %c {thresholds = dense<[[2]]> : tensor<1x1xi64>} : tensor<1x3x3xsi5> -> tensor<1x3x3x!lowbit.bipolar>
  %f = lowbit.reshape %t : tensor<1x3x3x!lowbit.bipolar> -> tensor<9x!lowbit.bipolar>
  %d = lowbit.matmul %f {weights = #lowbit.bits<1x9, "0xFF01">} : tensor<9x!lowbit.bipolar> -> tensor<1xsi5>
  func.return %d : tensor<1xsi5>
}

// Asymmetric pads (top 0, left 2, bottom 1, right 0) and stride 2 on a 4x5 map (2x3 outputs),
// weights +1 at the corners and the centre, -1 elsewhere ("0x5501": bits 0, 2, 4, 6, 8), two
// thresholds [-1, 3] (a 2-bit output). Rows: no top case, one bottom case (oy 1 pads ky 2);
// columns: one left case (ox 0 pads kx 0, 1), so 2 x 2 cases, case = cy * 2 + cx. Corrections:
// case 0 and the left case 0 (+1 -1 -1 +1 +1 -1), the bottom and bottom-left cases +1; so
// P >= ceil((t + corr + 9) / 2) = [4, 6], [4, 6], [5, 7], [5, 7].
// CHECK-LABEL: func.func @asymmetric
// CHECK:      lowbit.pad %{{.*}} {pads = array<i64: 0, 2, 1, 0>, fill = 1 : i64} : tensor<4x5x1x!lowbit.bipolar> -> tensor<5x7x1x!lowbit.bipolar>
// CHECK:      lowbit.threshold %{{.*}} {thresholds = dense<{{\[\[\[}}4, 6]], {{\[\[}}4, 6]], {{\[\[}}5, 7]], {{\[\[}}5, 7]]]> : tensor<4x1x2xi64>, offset = 0 : i64, axis = 2 : i64, border = #lowbit.border<map = [4, 5], kernel = [3, 3], strides = [2, 2], pads = [0, 2, 1, 0]>} : tensor<2x3x1xui4> -> tensor<2x3x1xui2>
func.func @asymmetric(%x: tensor<1x4x5x!lowbit.bipolar>) -> tensor<1xsi8> {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0x5501">, kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 2, 1, 0>} : tensor<1x4x5x!lowbit.bipolar> -> tensor<1x2x3xsi5>
  %t = lowbit.threshold %c {thresholds = dense<[[-1, 3]]> : tensor<1x2xi64>, offset = 0 : i64} : tensor<1x2x3xsi5> -> tensor<1x2x3xui2>
  %f = lowbit.reshape %t : tensor<1x2x3xui2> -> tensor<6xui2>
  %d = lowbit.matmul %f {weights = #lowbit.bits<1x6, "0x3F">} : tensor<6xui2> -> tensor<1xsi8>
  func.return %d : tensor<1xsi8>
}

// Out of scope, today's path: ternary weights keep the si2 padding (0 exact) and the bit-plane
// product, the threshold in the dot-product domain.
// CHECK-LABEL: func.func @ternary
// CHECK:      lowbit.pad %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : tensor<3x3x1x!lowbit.bipolar> -> tensor<5x5x1xsi2>
// CHECK:      lowbit.plane_popcount
// CHECK:      lowbit.threshold %{{.*}} {thresholds = dense<1> : tensor<1x1xi64>, axis = 2 : i64} : tensor<3x3x1xsi6> -> tensor<3x3x1x!lowbit.bipolar>
// CHECK-NOT:  #lowbit.border
func.func @ternary(%x: tensor<1x3x3x!lowbit.bipolar>) -> tensor<1xsi5> {
  %c = lowbit.conv %x {weights = #lowbit.ints<1x9, si2, "0x01FF000101FF0001FF">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x3x3x!lowbit.bipolar> -> tensor<1x3x3xsi5>
  %t = lowbit.threshold %c {thresholds = dense<[[1]]> : tensor<1x1xi64>} : tensor<1x3x3xsi5> -> tensor<1x3x3x!lowbit.bipolar>
  %f = lowbit.reshape %t : tensor<1x3x3x!lowbit.bipolar> -> tensor<9x!lowbit.bipolar>
  %d = lowbit.matmul %f {weights = #lowbit.bits<1x9, "0xFF01">} : tensor<9x!lowbit.bipolar> -> tensor<1xsi5>
  func.return %d : tensor<1xsi5>
}
