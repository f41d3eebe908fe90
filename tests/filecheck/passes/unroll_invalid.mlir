// RUN: lowbitc-opt %s -p unroll --split-input-file --verify-diagnostics | filecheck %s
// RUN: not lowbitc-opt %s -p unroll --split-input-file 2>&1 | filecheck %s --check-prefix=FAIL

// unroll fails loudly on what it cannot build, and require_gone catches what it leaves behind.

// FAIL: unroll: lowbit.xnor_popcount has no fold; run the tile pass first

// CHECK: unroll: lowbit.xnor_popcount has no fold; run the tile pass first
func.func @unfolded(%p: !lowbit.packed<8x!lowbit.bipolar>) -> tensor<4xui4> {
  %c = lowbit.xnor_popcount %p {weights = #lowbit.bits<4x8, "0x12345678">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  func.return %c : tensor<4xui4>
}

// -----

// The bipolar result of the last layer goes back to the host unpacked.
// CHECK: unroll: a layer's bipolar output feeds func.return, which has no hardware unit
func.func @unpacked(%p: !lowbit.packed<8x!lowbit.bipolar>) -> tensor<4x!lowbit.bipolar> {
  %c = lowbit.xnor_popcount %p {weights = #lowbit.bits<4x8, "0x12345678">, fold = #lowbit.fold<pe = 2, simd = 4>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %t = lowbit.threshold %c {thresholds = dense<4> : tensor<4x1xi64>} : tensor<4xui4> -> tensor<4x!lowbit.bipolar>
  func.return %t : tensor<4x!lowbit.bipolar>
}

// -----

// A popcount with a threshold and another user (bitserial's xnor_to_dot) is left a raw MVU.
// CHECK: unroll: lowbit.threshold could not be lowered (result type tensor<4x!lowbit.bipolar>)
func.func @shared(%p: !lowbit.packed<8x!lowbit.bipolar>) -> (!lowbit.packed<4x!lowbit.bipolar>, tensor<4xsi5>) {
  %c = lowbit.xnor_popcount %p {weights = #lowbit.bits<4x8, "0x12345678">, fold = #lowbit.fold<pe = 2, simd = 4>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %d = lowbit.xnor_to_dot %c {fan_in = 8 : i64} : tensor<4xui4> -> tensor<4xsi5>
  %t = lowbit.threshold %c {thresholds = dense<4> : tensor<4x1xi64>} : tensor<4xui4> -> tensor<4x!lowbit.bipolar>
  %q = lowbit.pack %t : tensor<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  func.return %q, %d : !lowbit.packed<4x!lowbit.bipolar>, tensor<4xsi5>
}

// -----

// A threshold that no popcount feeds.
// CHECK: unroll: lowbit.threshold could not be lowered (result type tensor<2x!lowbit.bipolar>)
func.func @orphan(%a: tensor<2xsi5>) -> tensor<2x!lowbit.bipolar> {
  %t = lowbit.threshold %a {thresholds = dense<0> : tensor<2x1xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
  func.return %t : tensor<2x!lowbit.bipolar>
}
