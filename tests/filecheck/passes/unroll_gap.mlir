// RUN: lowbitc-opt %s -p tile,unroll --split-input-file | filecheck %s

// The threshold after a global pool's sums becomes the sum unit's comparators (codes straight
// out of the unit, like the matrix-vector and add units), and the flatten of its one-pixel map
// before the classifier becomes a collector.

// CHECK:      [[S:%.*]] = lowbit.sum_unit %x {thresholds = dense<{{\[\[}}5, 14, 23], [4, 13, 22]]> : tensor<2x3xi64>} : tensor<3x3x2xui2> -> tensor<1x1x2xui2>
// CHECK-NEXT: [[C:%.*]] = lowbit.collect [[S]] : tensor<1x1x2xui2> -> tensor<2xui2>
// CHECK-NEXT: lowbit.mvu [[C]]
// CHECK-NOT:  lowbit.threshold
func.func @main(%x: tensor<3x3x2xui2>) -> tensor<2xsi5> {
  %s = lowbit.sum_unit %x : tensor<3x3x2xui2> -> tensor<1x1x2xui5>
  %t = lowbit.threshold %s {thresholds = dense<[[5, 14, 23], [4, 13, 22]]> : tensor<2x3xi64>, axis = 2 : i64} : tensor<1x1x2xui5> -> tensor<1x1x2xui2>
  %f = lowbit.reshape %t : tensor<1x1x2xui2> -> tensor<2xui2>
  %b = lowbit.bitplanes %f : tensor<2xui2> -> !lowbit.packed<2x2xi1>
  %m = lowbit.plane_popcount %b {element = ui2, weights = #lowbit.bits<2x2, "0x0201">} : !lowbit.packed<2x2xi1> -> tensor<2xsi5>
  func.return %m : tensor<2xsi5>
}

// -----

// A -1 padding of a bipolar map reads the packed stream and stays packed, for the OR pool after it.

// CHECK-LABEL: func.func @bipolar
// CHECK:      [[K:%.*]] = lowbit.pack %y : tensor<5x5x2x!lowbit.bipolar> -> !lowbit.packed<5x5x2x!lowbit.bipolar>
// CHECK-NEXT: [[D:%.*]] = lowbit.pad [[K]] {pads = array<i64: 1, 1, 1, 1>, fill = -1 : i64} : !lowbit.packed<5x5x2x!lowbit.bipolar> -> !lowbit.packed<7x7x2x!lowbit.bipolar>
// CHECK-NEXT: [[W:%.*]] = lowbit.window [[D]] {{.*}} -> !lowbit.packed<3x3x18x!lowbit.bipolar>
// CHECK-NEXT: lowbit.window_max [[W]] {size = 9 : i64} : !lowbit.packed<3x3x18x!lowbit.bipolar> -> !lowbit.packed<3x3x2x!lowbit.bipolar>
func.func @bipolar(%y: tensor<5x5x2x!lowbit.bipolar>) -> tensor<1xsi6> {
  %d = lowbit.pad %y {pads = array<i64: 1, 1, 1, 1>, fill = -1 : i64} : tensor<5x5x2x!lowbit.bipolar> -> tensor<7x7x2x!lowbit.bipolar>
  %w = lowbit.window %d {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<7x7x2x!lowbit.bipolar> -> tensor<3x3x18x!lowbit.bipolar>
  %m = lowbit.window_max %w {size = 9 : i64} : tensor<3x3x18x!lowbit.bipolar> -> tensor<3x3x2x!lowbit.bipolar>
  %r = lowbit.reshape %m : tensor<3x3x2x!lowbit.bipolar> -> tensor<18x!lowbit.bipolar>
  %k = lowbit.pack %r : tensor<18x!lowbit.bipolar> -> !lowbit.packed<18x!lowbit.bipolar>
  %p = lowbit.xnor_popcount %k {weights = #lowbit.bits<1x18, "0x01FF00">} : !lowbit.packed<18x!lowbit.bipolar> -> tensor<1xui5>
  %t = lowbit.xnor_to_dot %p {fan_in = 18 : i64} : tensor<1xui5> -> tensor<1xsi6>
  func.return %t : tensor<1xsi6>
}
