// RUN: lowbitc-opt %s -p streamline | filecheck %s

// A 3x3 convolution over a 1-channel bipolar 3x3 frame: fan-in 9, dot product in [-9, 9].
// Channel 0: acc * 1 - 3 >= 0       <=> acc >= 3                 -> threshold 3.
// Channel 1: acc * -1 - (-1) >= 0   <=> acc <= 1 <=> -acc >= -1  -> weight row 1 negated
//            (0x0000 -> 0xFF01, the 9 bits set), threshold -1.

// CHECK:      [[CONV:%.*]] = lowbit.conv %x {weights = #lowbit.bits<2x9, ["111111111", "111111111"]>, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x3x!lowbit.bipolar> -> tensor<2x1x1xsi5>
// CHECK-NEXT: [[T:%.*]] = lowbit.threshold [[CONV]] {thresholds = dense<{{\[}}[3], [-1]]> : tensor<2x1xi64>} : tensor<2x1x1xsi5> -> tensor<2x1x1x!lowbit.bipolar>
// CHECK-NEXT: func.return [[T]]
// CHECK-NOT:  lowbit.elementwise
func.func @main(%x: tensor<1x3x3x!lowbit.bipolar>) -> tensor<2x1x1x!lowbit.bipolar> {
  %c = lowbit.conv %x {weights = #lowbit.bits<2x9, "0xFF010000">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x3x!lowbit.bipolar> -> tensor<2x1x1xsi5>
  %f = lowbit.dequantize %c {scale = dense<1.0> : tensor<1xf32>} : tensor<2x1x1xsi5> -> tensor<2x1x1xf32>
  %m = lowbit.elementwise %f {kind = #lowbit<elementwise_kind mul>, constant = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<2x1x1xf32> -> tensor<2x1x1xf32>
  %s = lowbit.elementwise %m {kind = #lowbit<elementwise_kind sub>, constant = dense<[3.0, -1.0]> : tensor<2xf32>} : tensor<2x1x1xf32> -> tensor<2x1x1xf32>
  %q = lowbit.quantize %s : tensor<2x1x1xf32> -> tensor<2x1x1x!lowbit.bipolar>
  func.return %q : tensor<2x1x1x!lowbit.bipolar>
}
