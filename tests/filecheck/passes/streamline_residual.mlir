// RUN: lowbitc-opt %s -p streamline --split-input-file --verify-diagnostics | filecheck %s

// A residual add of two code tensors of one scale, dequantized, through Relu (max with 0) and
// requantized: the float chain folds into thresholds on the integer sum, as after a product.
// code = clip(round(max(s / 2, 0)), 0, 3) with round half to even: s = 1 -> 0, 2 -> 1, 3 -> 2
// (round(1.5)), 5 -> 2 (round(2.5)), 6 -> 3. Levels from s = 2, 3 and 6.

// CHECK-LABEL: func.func @block(
// CHECK-NEXT:    %[[S:.*]] = lowbit.add %a, %b : tensor<2x2x2xui2>, tensor<2x2x2xui2> -> tensor<2x2x2xui3>
// CHECK-NEXT:    %[[Q:.*]] = lowbit.threshold %[[S]] {thresholds = dense<{{\[\[}}2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>} : tensor<2x2x2xui3> -> tensor<2x2x2xui2>
// CHECK-NEXT:    func.return %[[Q]]
func.func @block(%a: tensor<2x2x2xui2>, %b: tensor<2x2x2xui2>) -> tensor<2x2x2xui2> {
  %s = lowbit.add %a, %b : tensor<2x2x2xui2>, tensor<2x2x2xui2> -> tensor<2x2x2xui3>
  %f = lowbit.dequantize %s {scale = dense<0.5> : tensor<1xf32>} : tensor<2x2x2xui3> -> tensor<2x2x2xf32>
  %r = lowbit.elementwise %f {kind = #lowbit<elementwise_kind max>, constant = dense<0.0> : tensor<1xf32>} : tensor<2x2x2xf32> -> tensor<2x2x2xf32>
  %q = lowbit.quantize %r {scale = dense<1.0> : tensor<1xf32>} : tensor<2x2x2xf32> -> tensor<2x2x2xui2>
  func.return %q : tensor<2x2x2xui2>
}

// -----

// A requantizer that falls as the sum rises cannot be folded: an add has no weights to negate.
// CHECK: Error while applying pattern: streamline: the activation after a residual add falls as the sum rises (channel 0); only rising requantizers fold
func.func @falling(%a: tensor<2x2x2xui2>, %b: tensor<2x2x2xui2>) -> tensor<2x2x2xsi2> {
  %s = lowbit.add %a, %b : tensor<2x2x2xui2>, tensor<2x2x2xui2> -> tensor<2x2x2xui3>
  %f = lowbit.dequantize %s {scale = dense<-0.5> : tensor<1xf32>} : tensor<2x2x2xui3> -> tensor<2x2x2xf32>
  %q = lowbit.quantize %f {scale = dense<1.0> : tensor<1xf32>} : tensor<2x2x2xf32> -> tensor<2x2x2xsi2>
  func.return %q : tensor<2x2x2xsi2>
}
