// RUN: lowbitc-opt %s -p streamline | filecheck %s

// A global average pool of 2-bit codes (scale 0.5) over a 2x2 map, then a 2-bit quantizer of the
// same scale, as the zoo's ResNet-34 ends: the sum s of the four codes stays an integer and the
// float chain (dequantize, divide by H*W = 4, quantize with round-half-to-even) folds into
// thresholds on it. round(s / 4) >= 1 needs s >= 3 (s = 2 is the tie 0.5, which rounds to 0),
// >= 2 needs s >= 6 (the tie 1.5 rounds to 2), >= 3 needs s >= 11 (the tie 2.5 rounds to 2).

// CHECK:      %s = lowbit.global_sum %x : tensor<2x2x2xui2> -> tensor<2x1x1xui4>
// CHECK-NEXT: %q = lowbit.threshold %s {thresholds = dense<{{\[\[}}3, 6, 11], [3, 6, 11]]> : tensor<2x3xi64>} : tensor<2x1x1xui4> -> tensor<2x1x1xui2>
// CHECK-NEXT: %r = lowbit.reshape %q : tensor<2x1x1xui2> -> tensor<2xui2>
// CHECK-NOT:  lowbit.dequantize
// CHECK-NOT:  lowbit.elementwise
func.func @main(%x: tensor<2x2x2xui2>) -> tensor<2xsi5> {
  %s = lowbit.global_sum %x : tensor<2x2x2xui2> -> tensor<2x1x1xui4>
  %f = lowbit.dequantize %s {scale = dense<5.000000e-01> : tensor<1xf32>} : tensor<2x1x1xui4> -> tensor<2x1x1xf32>
  %a = lowbit.elementwise %f {kind = #lowbit<elementwise_kind div>, constant = dense<4.000000e+00> : tensor<1xf32>} : tensor<2x1x1xf32> -> tensor<2x1x1xf32>
  %q = lowbit.quantize %a {scale = dense<5.000000e-01> : tensor<1xf32>, zero_point = dense<0.000000e+00> : tensor<1xf32>, rounding = #lowbit<rounding round>} : tensor<2x1x1xf32> -> tensor<2x1x1xui2>
  %r = lowbit.reshape %q : tensor<2x1x1xui2> -> tensor<2xui2>
  %m = lowbit.matmul %r {weights = #lowbit.bits<2x2, "0x0201">} : tensor<2xui2> -> tensor<2xsi5>
  func.return %m : tensor<2xsi5>
}
