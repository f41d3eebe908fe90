// RUN: lowbitc-opt %s -p streamline --split-input-file --verify-diagnostics | filecheck %s
// RUN: not lowbitc-opt %s -p streamline --split-input-file 2>&1 | filecheck %s --check-prefix=FAIL

// streamline refuses what it cannot fold exactly, naming the reason.

// FAIL: streamline: cannot fold into thresholds: channel 0 is not monotone in the accumulator

// y = 1 / a is not monotone in a: code = clip(round(1/a), 0, 3) is 0 for a < 0, 3 at a = 0
// (1/0 = inf) and 1 at a = 1, then 0 again from a = 2.
// CHECK: Error while applying pattern: streamline: cannot fold into thresholds: channel 0 is not monotone in the accumulator
func.func @not_monotone(%x: tensor<8x!lowbit.bipolar>) -> tensor<2xui2> {
  %acc = lowbit.matmul %x {weights = #lowbit.bits<2x8, "0x0FF0">} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
  %f = lowbit.dequantize %acc {scale = dense<1.0> : tensor<1xf32>} : tensor<2xsi5> -> tensor<2xf32>
  %r = lowbit.elementwise %f {kind = #lowbit<elementwise_kind div>, constant = dense<1.0> : tensor<1xf32>, swapped = true} : tensor<2xf32> -> tensor<2xf32>
  %q = lowbit.quantize %r {scale = dense<1.0> : tensor<1xf32>} : tensor<2xf32> -> tensor<2xui2>
  func.return %q : tensor<2xui2>
}
