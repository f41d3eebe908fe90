// RUN: lowbitc-opt %s -p rtl --split-input-file --verify-diagnostics | filecheck %s
// RUN: not lowbitc-opt %s -p rtl --split-input-file 2>&1 | filecheck %s --check-prefix=FAIL

// rtl builds exactly one streaming pipeline, from one host input to one host output, and says
// why when the units do not form one.

// FAIL: rtl: the hardware reads 2 host values; lowbitc builds one streaming pipeline with one input

// CHECK: rtl: the hardware reads 2 host values; lowbitc builds one streaming pipeline with one input
func.func @two(%a: !lowbit.packed<4x!lowbit.bipolar>, %b: !lowbit.packed<4x!lowbit.bipolar>) -> (tensor<2xui3>, tensor<2xui3>) {
  %u = lowbit.mvu %a {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %v = lowbit.mvu %b {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return %u, %v : tensor<2xui3>, tensor<2xui3>
}

// -----

// Two results go back to the host.
// CHECK: rtl: the hardware has 2 outputs to the host; lowbitc builds one streaming pipeline with one output
func.func @two_out(%a: !lowbit.packed<4x!lowbit.bipolar>) -> (tensor<2xui3>, !lowbit.packed<4x!lowbit.bipolar>) {
  %f = lowbit.fifo %a {depth = 2 : i64} : !lowbit.packed<4x!lowbit.bipolar>
  %u = lowbit.mvu %f {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return %u, %f : tensor<2xui3>, !lowbit.packed<4x!lowbit.bipolar>
}

// -----

// A unit feeding two units without a lowbit.dup: a stream has one consumer.
// CHECK: rtl: a lowbit.mvu stream feeds 2 units; a stream has one consumer (the pipeline pass duplicates skip connections with lowbit.dup)
func.func @fork(%a: !lowbit.packed<8x!lowbit.bipolar>) -> (tensor<2xui3>, tensor<2xui3>) {
  %u = lowbit.mvu %a {fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<4x8, "0x42318675">, thresholds = dense<4> : tensor<4x1xi64>} : !lowbit.packed<8x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %v = lowbit.mvu %u {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %w = lowbit.mvu %u {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return %v, %w : tensor<2xui3>, tensor<2xui3>
}
