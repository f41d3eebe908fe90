// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of the rtl dialect (rtl.py).

// CHECK: stream width 0 must be positive
"test.op"() {a = !rtl.stream<0>} : () -> ()

// -----

// CHECK: Operation does not verify: rtl.module @m must take exactly one stream
rtl.module @m {
^bb0(%a: !rtl.stream<8>, %b: !rtl.stream<8>):
  rtl.output %a : !rtl.stream<8>
}

// -----

// CHECK: Operation does not verify: rtl.module @noargs must take exactly one stream
rtl.module @noargs {
  "test.termop"() : () -> ()
}

// -----

// CHECK: Operation does not verify: rtl.module @nostream must take exactly one stream
rtl.module @nostream {
^bb0(%a: i8):
  "test.termop"(%a) : (i8) -> ()
}

// -----

// An empty body is already rejected by xDSL's single-block region check.
// CHECK: Operation rtl.module contains empty block in single-block region that expects at least a terminator
rtl.module @open {
^bb0(%in: !rtl.stream<8>):
}

// -----

// A terminator, but not rtl.output.
// CHECK: Operation does not verify: rtl.module @open must end with rtl.output
rtl.module @open {
^bb0(%in: !rtl.stream<8>):
  %f = rtl.fifo %in {depth = 2 : i64} : !rtl.stream<8>
  "test.termop"(%f) : (!rtl.stream<8>) -> ()
}

// -----

// K = 8 needs K + 1 = 9 representable: 4 bits, not 3.
// CHECK: Operation does not verify: accumulator width 3 cannot hold [0, 9] (needs 4)
rtl.rom @w {contents = #lowbit.bits<4x8, "0x0FF0A55A">}
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 3 : i64, pipe = 1 : i64, thresholds = dense<[[0], [4], [5], [7]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
  rtl.output %a : !rtl.stream<4>
}

// -----

// The boundary: K = 7 fits in 3 bits, but K + 1 = 8 ("never fires") needs 4.
// CHECK: Operation does not verify: accumulator width 3 cannot hold [0, 8] (needs 4)
rtl.rom @w {contents = #lowbit.bits<2x7, "0x0F70">}
rtl.module @m {
^bb0(%in: !rtl.stream<7>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 1, simd = 7>, channels = 2 : i64, popcount_width = 3 : i64, pipe = 1 : i64, thresholds = dense<[[0], [7]]> : tensor<2x1xi64>} : !rtl.stream<7> -> !rtl.stream<2>
  rtl.output %a : !rtl.stream<2>
}

// -----

// With thresholds, one bit per channel.
// CHECK: Operation does not verify: mvu output stream is 16 bits, expected 4
rtl.rom @w {contents = #lowbit.bits<4x8, "0x0FF0A55A">}
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<[[0], [4], [5], [9]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<16>
  rtl.output %a : !rtl.stream<16>
}

// -----

// Without thresholds, the raw popcounts: channels x popcount_width = 4 x 4 bits.
// CHECK: Operation does not verify: mvu output stream is 4 bits, expected 16
rtl.rom @w {contents = #lowbit.bits<4x8, "0x0FF0A55A">}
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64} : !rtl.stream<8> -> !rtl.stream<4>
  rtl.output %a : !rtl.stream<4>
}

// -----

// CHECK: Operation does not verify: mvu thresholds must be [4, T] with T < 2^1
rtl.rom @w {contents = #lowbit.bits<4x8, "0x0FF0A55A">}
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<[[0, 1], [4, 5]]> : tensor<2x2xi64>} : !rtl.stream<8> -> !rtl.stream<4>
  rtl.output %a : !rtl.stream<4>
}

// -----

// CHECK: Operation does not verify: folding PE 5 x SIMD 4 exceeds 4 x 8
rtl.rom @w {contents = #lowbit.bits<4x8, "0x0FF0A55A">}
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 5, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<[[0], [4], [5], [9]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
  rtl.output %a : !rtl.stream<4>
}

// -----

// CHECK: Operation does not verify: folding PE 2 x SIMD 16 exceeds 4 x 8
rtl.rom @w {contents = #lowbit.bits<4x8, "0x0FF0A55A">}
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 2, simd = 16>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<[[0], [4], [5], [9]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
  rtl.output %a : !rtl.stream<4>
}

// -----

// CHECK: Operation does not verify: rtl.fifo carries a stream
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %x = "test.op"() : () -> i8
  %f = rtl.fifo %x {depth = 2 : i64} : i8
  rtl.output %in : !rtl.stream<8>
}

// -----

// CHECK: Operation does not verify: fifo depth 0 must be at least 1
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %f = rtl.fifo %in {depth = 0 : i64} : !rtl.stream<8>
  rtl.output %f : !rtl.stream<8>
}

// -----

// Instances and the output only live inside an rtl.module (HasParent).
// CHECK: Operation does not verify: 'rtl.fifo' expects parent op 'rtl.module'
func.func @f(%in: !rtl.stream<8>) {
  %f = rtl.fifo %in {depth = 2 : i64} : !rtl.stream<8>
  func.return
}

// -----

// CHECK: @nothere does not name an rtl.rom
rtl.module @top {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @nothere, fold = #lowbit.fold<pe = 1, simd = 8>, channels = 2 : i64, popcount_width = 4 : i64, pipe = 1 : i64} : !rtl.stream<8> -> !rtl.stream<8>
  rtl.output %a : !rtl.stream<8>
}

// -----

// CHECK: @w is 3x7, folding PE 1 x SIMD 8 with 1-bit weights needs 2x8
rtl.rom @w {contents = #lowbit.bits<3x7, "0x1F0015">}
rtl.module @top {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 1, simd = 8>, channels = 2 : i64, popcount_width = 4 : i64, pipe = 1 : i64} : !rtl.stream<8> -> !rtl.stream<8>
  rtl.output %a : !rtl.stream<8>
}

// -----

// CHECK: pipe 7 must be 0 or 1 (register stages after the popcount)
rtl.rom @w {contents = #lowbit.bits<2x8, "0x0FF0">}
rtl.module @top {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 1, simd = 8>, channels = 2 : i64, popcount_width = 4 : i64, pipe = 7 : i64} : !rtl.stream<8> -> !rtl.stream<8>
  rtl.output %a : !rtl.stream<8>
}

// -----

// CHECK: mvu thresholds must lie in [0, 9] (popcount domain)
rtl.rom @w {contents = #lowbit.bits<2x8, "0x0FF0">}
rtl.module @top {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 1, simd = 8>, channels = 2 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<[[-3], [4]]> : tensor<2x1xi64>} : !rtl.stream<8> -> !rtl.stream<2>
  rtl.output %a : !rtl.stream<2>
}
