// RUN: lowbitc-opt %s -p rtl --split-input-file --verify-diagnostics | filecheck %s
// RUN: not lowbitc-opt %s -p rtl --split-input-file 2>&1 | filecheck %s --check-prefix=FAIL

// rtl builds exactly one streaming chain and fails loudly (require_gone) on any unit it could
// not place in it.

// FAIL: rtl: found 2 separate hardware chains; lowbitc builds one streaming pipeline

// CHECK: rtl: found 2 separate hardware chains; lowbitc builds one streaming pipeline
func.func @two(%a: !lowbit.packed<4x!lowbit.bipolar>, %b: !lowbit.packed<4x!lowbit.bipolar>) -> (tensor<2xui3>, tensor<2xui3>) {
  %u = lowbit.mvu %a {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %v = lowbit.mvu %b {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return %u, %v : tensor<2xui3>, tensor<2xui3>
}

// -----

// A FIFO with no unit in front of it starts no chain and is left behind.
// CHECK: rtl: lowbit.fifo could not be lowered (result type !lowbit.packed<4x!lowbit.bipolar>)
func.func @fifo_only(%a: !lowbit.packed<4x!lowbit.bipolar>) -> !lowbit.packed<4x!lowbit.bipolar> {
  %f = lowbit.fifo %a {depth = 2 : i64} : !lowbit.packed<4x!lowbit.bipolar>
  func.return %f : !lowbit.packed<4x!lowbit.bipolar>
}

// -----

// A unit feeding two units: the chain stops at the fork and the two consumers remain.
// CHECK: rtl: lowbit.mvu could not be lowered (result type tensor<2xui3>)
func.func @fork(%a: !lowbit.packed<8x!lowbit.bipolar>) -> (tensor<2xui3>, tensor<2xui3>) {
  %u = lowbit.mvu %a {fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<4x8, "0x42318675">, thresholds = dense<4> : tensor<4x1xi64>} : !lowbit.packed<8x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %v = lowbit.mvu %u {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %w = lowbit.mvu %u {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return %v, %w : tensor<2xui3>, tensor<2xui3>
}
