// RUN: lowbitc-opt %s -p streamline --verify-diagnostics 2>&1 | filecheck %s

// A requantizer that falls as a global pool's sum rises cannot be folded: a sum has no weights to
// negate.

// CHECK-NOT: Traceback
// CHECK: Error while applying pattern: streamline: the activation after a global pool falls as the sum rises (channel 0); only rising requantizers fold
func.func @falling(%x: tensor<2x2x2xui2>) -> tensor<2x1x1xsi2> {
  %s = lowbit.global_sum %x : tensor<2x2x2xui2> -> tensor<2x1x1xui4>
  %f = lowbit.dequantize %s {scale = dense<-0.5> : tensor<1xf32>} : tensor<2x1x1xui4> -> tensor<2x1x1xf32>
  %q = lowbit.quantize %f {scale = dense<1.0> : tensor<1xf32>} : tensor<2x1x1xf32> -> tensor<2x1x1xsi2>
  func.return %q : tensor<2x1x1xsi2>
}
