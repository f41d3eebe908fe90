// RUN: lowbitc-opt %s -p bitserial | filecheck %s

// A padded 3x3/2 max-pool of 2-bit unsigned codes (ResNet's stem pool): the map is padded with
// lowbit.pad, whose 0 is the lowest code and never wins, then windowed and reduced. A global sum
// becomes a sum unit over the channels-last pixels, [H, W, C] -> [1, 1, C], its threshold moves to
// the channel axis 2, and the flatten to the classifier is a reshape (1x1 pixels: no permutation).

// CHECK:      [[P:%.*]] = lowbit.to_pixels %x : tensor<2x5x5xui2> -> tensor<5x5x2xui2>
// CHECK-NEXT: [[D:%.*]] = lowbit.pad [[P]] {pads = array<i64: 1, 1, 1, 1>} : tensor<5x5x2xui2> -> tensor<7x7x2xui2>
// CHECK-NEXT: [[W:%.*]] = lowbit.window [[D]] {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<7x7x2xui2> -> tensor<3x3x18xui2>
// CHECK-NEXT: [[M:%.*]] = lowbit.window_max [[W]] {size = 9 : i64} : tensor<3x3x18xui2> -> tensor<3x3x2xui2>
// CHECK-NEXT: [[S:%.*]] = lowbit.sum_unit [[M]] : tensor<3x3x2xui2> -> tensor<1x1x2xui5>
// CHECK-NEXT: [[T:%.*]] = lowbit.threshold [[S]] {thresholds = dense<{{\[\[}}5, 14, 23], [5, 14, 23]]> : tensor<2x3xi64>, axis = 2 : i64} : tensor<1x1x2xui5> -> tensor<1x1x2xui2>
// CHECK-NEXT: [[F:%.*]] = lowbit.reshape [[T]] : tensor<1x1x2xui2> -> tensor<2xui2>
// CHECK-NEXT: lowbit.bitplanes [[F]]
// CHECK-NOT:  lowbit.maxpool
// CHECK-NOT:  lowbit.global_sum
func.func @main(%x: tensor<2x5x5xui2>) -> tensor<2xsi5> {
  %p = lowbit.maxpool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<2x5x5xui2> -> tensor<2x3x3xui2>
  %s = lowbit.global_sum %p : tensor<2x3x3xui2> -> tensor<2x1x1xui5>
  %q = lowbit.threshold %s {thresholds = dense<[[5, 14, 23], [5, 14, 23]]> : tensor<2x3xi64>} : tensor<2x1x1xui5> -> tensor<2x1x1xui2>
  %r = lowbit.reshape %q : tensor<2x1x1xui2> -> tensor<2xui2>
  %m = lowbit.matmul %r {weights = #lowbit.bits<2x2, "0x0201">} : tensor<2xui2> -> tensor<2xsi5>
  func.return %m : tensor<2xsi5>
}

// A padded max-pool of a bipolar map pads with -1 (bit 0), which never wins, and stays bipolar.

// CHECK-LABEL: func.func @bipolar
// CHECK:      [[BP:%.*]] = lowbit.to_pixels %y : tensor<2x5x5x!lowbit.bipolar> -> tensor<5x5x2x!lowbit.bipolar>
// CHECK-NEXT: [[BD:%.*]] = lowbit.pad [[BP]] {pads = array<i64: 1, 1, 1, 1>, fill = -1 : i64} : tensor<5x5x2x!lowbit.bipolar> -> tensor<7x7x2x!lowbit.bipolar>
// CHECK-NEXT: [[BW:%.*]] = lowbit.window [[BD]] {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<7x7x2x!lowbit.bipolar> -> tensor<3x3x18x!lowbit.bipolar>
// CHECK-NEXT: lowbit.window_max [[BW]] {size = 9 : i64} : tensor<3x3x18x!lowbit.bipolar> -> tensor<3x3x2x!lowbit.bipolar>
func.func @bipolar(%y: tensor<2x5x5x!lowbit.bipolar>) -> tensor<1xsi6> {
  %p = lowbit.maxpool %y {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<2x5x5x!lowbit.bipolar> -> tensor<2x3x3x!lowbit.bipolar>
  %r = lowbit.reshape %p : tensor<2x3x3x!lowbit.bipolar> -> tensor<18x!lowbit.bipolar>
  %m = lowbit.matmul %r {weights = #lowbit.bits<1x18, "0x01FF00">} : tensor<18x!lowbit.bipolar> -> tensor<1xsi6>
  func.return %m : tensor<1xsi6>
}

// Raw sums for the host (a float chain that is no quantizer): the [1, 1, C] pixel is flattened
// (a collector in hardware) and reshaped back to the [C, 1, 1] map on the host.

// CHECK-LABEL: func.func @raw
// CHECK:      [[RP:%.*]] = lowbit.to_pixels %z : tensor<2x3x3xui2> -> tensor<3x3x2xui2>
// CHECK-NEXT: [[RS:%.*]] = lowbit.sum_unit [[RP]] : tensor<3x3x2xui2> -> tensor<1x1x2xui5>
// CHECK-NEXT: [[RF:%.*]] = lowbit.reshape [[RS]] : tensor<1x1x2xui5> -> tensor<2xui5>
// CHECK-NEXT: [[RB:%.*]] = lowbit.reshape [[RF]] : tensor<2xui5> -> tensor<2x1x1xui5>
// CHECK-NEXT: lowbit.dequantize [[RB]]
func.func @raw(%z: tensor<2x3x3xui2>) -> tensor<2x1x1xf32> {
  %s = lowbit.global_sum %z : tensor<2x3x3xui2> -> tensor<2x1x1xui5>
  %f = lowbit.dequantize %s {scale = dense<5.000000e-01> : tensor<1xf32>} : tensor<2x1x1xui5> -> tensor<2x1x1xf32>
  func.return %f : tensor<2x1x1xf32>
}
