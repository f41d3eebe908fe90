// RUN: lowbitc-opt %s -p bitserial | filecheck %s

// A grouped convolution becomes a dense one with zero weights outside each group: binary weights
// become ternary si2. Group 2 over 2 channels: output channel 0 (all +1) sees input channel 0,
// channel 1 (all -1) sees input channel 1; in the window's (ky, kx, c) order row 0 is
// "+1, 0" and row 1 "0, -1" for each of the 9 taps. Bipolar inputs times ternary weights become
// a one-plane plane-popcount (AND lanes in hardware).

// CHECK:      %[[W:.*]] = lowbit.window %{{.*}} : tensor<3x3x2x!lowbit.bipolar> -> tensor<1x1x18x!lowbit.bipolar>
// CHECK-NEXT: %[[P:.*]] = lowbit.bitplanes %[[W]] : tensor<1x1x18x!lowbit.bipolar> -> !lowbit.packed<1x1x1x18xi1>
// CHECK-NEXT: %{{.*}} = lowbit.plane_popcount %[[P]] {element = !lowbit.bipolar, weights = #lowbit.ints<2x18, si2, {{\[\[}}1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0], [0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1]]>} : !lowbit.packed<1x1x1x18xi1> -> tensor<1x1x2xsi6>
func.func @main(%x: tensor<2x3x3x!lowbit.bipolar>) -> tensor<1xsi3> {
  %c = lowbit.conv %x {weights = #lowbit.bits<2x9, "0xFF010000">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : tensor<2x3x3x!lowbit.bipolar> -> tensor<2x1x1xsi5>
  %t = lowbit.threshold %c {thresholds = dense<[[2], [2]]> : tensor<2x1xi64>} : tensor<2x1x1xsi5> -> tensor<2x1x1x!lowbit.bipolar>
  %f = lowbit.reshape %t : tensor<2x1x1x!lowbit.bipolar> -> tensor<2x!lowbit.bipolar>
  %d = lowbit.matmul %f {weights = #lowbit.bits<1x2, "0x01">} : tensor<2x!lowbit.bipolar> -> tensor<1xsi3>
  func.return %d : tensor<1xsi3>
}
