// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of the convolutional rtl units and of integer-input rtl.mvu.

// CHECK: swg input stream must carry 3 x 4 bits
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %w = rtl.swg %in {channels = 3 : i64, element_width = 4 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : !rtl.stream<8> -> !rtl.stream<48>
  rtl.output %w : !rtl.stream<48>
}

// -----

// CHECK: swg output stream must carry 2 x 2 x 3 x 4 bits
rtl.module @m {
^bb0(%in: !rtl.stream<12>):
  %w = rtl.swg %in {channels = 3 : i64, element_width = 4 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : !rtl.stream<12> -> !rtl.stream<12>
  rtl.output %w : !rtl.stream<12>
}

// -----

// CHECK: pool keeps the pixel width
rtl.module @m {
^bb0(%in: !rtl.stream<2>):
  %p = rtl.pool %in {height = 3 : i64, width = 3 : i64, kernel = 2 : i64, stride = 1 : i64} : !rtl.stream<2> -> !rtl.stream<4>
  rtl.output %p : !rtl.stream<4>
}

// -----

// CHECK: collect output stream must carry 4 input beats
rtl.module @m {
^bb0(%in: !rtl.stream<2>):
  %c = rtl.collect %in {count = 4 : i64} : !rtl.stream<2> -> !rtl.stream<6>
  rtl.output %c : !rtl.stream<6>
}

// -----

// CHECK: input stream of 10 bits is not a whole number of 4-bit elements
rtl.rom @w0 {contents = #lowbit.bits<1x2, "0x01">}
rtl.module @m {
^bb0(%in: !rtl.stream<10>):
  %m = rtl.mvu %in {rom = @w0, fold = #lowbit.fold<pe = 1, simd = 2>, channels = 1 : i64, popcount_width = 8 : i64, pipe = 0 : i64, element_width = 4 : i64} : !rtl.stream<10> -> !rtl.stream<8>
  rtl.output %m : !rtl.stream<8>
}

// -----

// K = 3 inputs of 4 bits sum to [-24, 24]; with the never-firing threshold 25: 6 bits.
// CHECK: accumulator width 5 cannot hold [-24, 25] (needs 6)
rtl.rom @w0 {contents = #lowbit.bits<1x3, "0x01">}
rtl.module @m {
^bb0(%in: !rtl.stream<12>):
  %m = rtl.mvu %in {rom = @w0, fold = #lowbit.fold<pe = 1, simd = 3>, channels = 1 : i64, popcount_width = 5 : i64, pipe = 0 : i64, element_width = 4 : i64} : !rtl.stream<12> -> !rtl.stream<5>
  rtl.output %m : !rtl.stream<5>
}

// -----

// |acc| <= 3 * 8 = 24: thresholds must lie in [-24, 25].
// CHECK: mvu thresholds must lie in [-24, 25] (accumulator domain)
rtl.rom @w0 {contents = #lowbit.bits<1x3, "0x01">}
rtl.module @m {
^bb0(%in: !rtl.stream<12>):
  %m = rtl.mvu %in {rom = @w0, fold = #lowbit.fold<pe = 1, simd = 3>, channels = 1 : i64, popcount_width = 6 : i64, pipe = 0 : i64, element_width = 4 : i64, thresholds = dense<-30> : tensor<1x1xi64>} : !rtl.stream<12> -> !rtl.stream<1>
  rtl.output %m : !rtl.stream<1>
}

// -----

// CHECK: pad widen must be 0, or 1 with 2-bit output elements
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %d = rtl.pad %in {channels = 8 : i64, element_width = 4 : i64, height = 2 : i64, width = 2 : i64, pads = array<i64: 1, 1, 1, 1>, widen = 1 : i64} : !rtl.stream<8> -> !rtl.stream<32>
  rtl.output %d : !rtl.stream<32>
}

// -----

// CHECK: pad streams must carry 24 bits in and 24 bits out
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %d = rtl.pad %in {channels = 3 : i64, element_width = 8 : i64, height = 2 : i64, width = 2 : i64, pads = array<i64: 1, 1, 1, 1>, widen = 0 : i64} : !rtl.stream<8> -> !rtl.stream<24>
  rtl.output %d : !rtl.stream<24>
}
