// RUN: lowbitc-opt %s -p bitserial | filecheck %s

// A residual add of two channels-first maps becomes the same add on their channels-last pixel
// streams; its requantizing threshold moves along (channel axis 2); the 2-bit max-pool becomes
// window + window_max (a maximum of codes), and the dense layer on ui2 codes a plane-popcount.

// CHECK:      %[[A:.*]] = lowbit.to_pixels %a : tensor<2x3x3xui2> -> tensor<3x3x2xui2>
// CHECK-NEXT: %[[B:.*]] = lowbit.to_pixels %b : tensor<2x3x3xui2> -> tensor<3x3x2xui2>
// CHECK-NEXT: %[[S:.*]] = lowbit.add %[[A]], %[[B]] : tensor<3x3x2xui2>, tensor<3x3x2xui2> -> tensor<3x3x2xui3>
// CHECK-NEXT: %[[T:.*]] = lowbit.threshold %[[S]] {thresholds = dense<{{\[\[}}2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>, axis = 2 : i64} : tensor<3x3x2xui3> -> tensor<3x3x2xui2>
// CHECK-NEXT: %[[W:.*]] = lowbit.window %[[T]] {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<3x3x2xui2> -> tensor<1x1x18xui2>
// CHECK-NEXT: %[[M:.*]] = lowbit.window_max %[[W]] {size = 9 : i64} : tensor<1x1x18xui2> -> tensor<1x1x2xui2>
// CHECK-NEXT: %[[F:.*]] = lowbit.reshape %[[M]] : tensor<1x1x2xui2> -> tensor<2xui2>
// CHECK-NEXT: %[[P:.*]] = lowbit.bitplanes %[[F]] : tensor<2xui2> -> !lowbit.packed<2x2xi1>
// CHECK-NEXT: %{{.*}} = lowbit.plane_popcount %[[P]] {element = ui2, weights = #lowbit.bits<2x2, ["10", "01"]>} : !lowbit.packed<2x2xi1> -> tensor<2xsi6>
func.func @block(%a: tensor<2x3x3xui2>, %b: tensor<2x3x3xui2>) -> tensor<2xsi6> {
  %s = lowbit.add %a, %b : tensor<2x3x3xui2>, tensor<2x3x3xui2> -> tensor<2x3x3xui3>
  %q = lowbit.threshold %s {thresholds = dense<[[2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>} : tensor<2x3x3xui3> -> tensor<2x3x3xui2>
  %p = lowbit.maxpool %q {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<2x3x3xui2> -> tensor<2x1x1xui2>
  %f = lowbit.reshape %p : tensor<2x1x1xui2> -> tensor<2xui2>
  %y = lowbit.matmul %f {weights = #lowbit.bits<2x2, "0x0102">} : tensor<2xui2> -> tensor<2xsi6>
  func.return %y : tensor<2xsi6>
}
