// RUN: lowbitc-opt %s | lowbitc-opt | filecheck %s
// RUN: lowbitc-opt %s --print-op-generic | lowbitc-opt | filecheck %s

// The convolutional units: window generator, integer first-layer unit, pool, collector.
// CHECK:      %w = rtl.swg %in {channels = 3 : i64, element_width = 4 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : !rtl.stream<12> -> !rtl.stream<48>
// CHECK-NEXT: %m = rtl.mvu %w {rom = @w0, fold = #lowbit.fold<pe = 1, simd = 12>, channels = 2 : i64, popcount_width = 8 : i64, pipe = 0 : i64, element_width = 4 : i64, vectors = 9 : i64, thresholds = dense<{{\[}}[-5], [7]]> : tensor<2x1xi64>} : !rtl.stream<48> -> !rtl.stream<2>
// CHECK-NEXT: %p = rtl.pool %m {height = 3 : i64, width = 3 : i64, kernel = 2 : i64, stride = 1 : i64} : !rtl.stream<2> -> !rtl.stream<2>
// CHECK-NEXT: %c = rtl.collect %p {count = 4 : i64} : !rtl.stream<2> -> !rtl.stream<8>
// CHECK-NEXT: %d = rtl.pad %c {channels = 8 : i64, element_width = 2 : i64, height = 1 : i64, width = 1 : i64, pads = array<i64: 1, 0, 0, 1>, widen = 1 : i64} : !rtl.stream<8> -> !rtl.stream<16>
rtl.rom @w0 {contents = #lowbit.bits<2x12, "0xFF0F000F">}
rtl.module @accel {
^bb0(%in: !rtl.stream<12>):
  %w = rtl.swg %in {channels = 3 : i64, element_width = 4 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : !rtl.stream<12> -> !rtl.stream<48>
  %m = rtl.mvu %w {rom = @w0, fold = #lowbit.fold<pe = 1, simd = 12>, channels = 2 : i64, popcount_width = 8 : i64, pipe = 0 : i64, element_width = 4 : i64, vectors = 9 : i64, thresholds = dense<[[-5], [7]]> : tensor<2x1xi64>} : !rtl.stream<48> -> !rtl.stream<2>
  %p = rtl.pool %m {height = 3 : i64, width = 3 : i64, kernel = 2 : i64, stride = 1 : i64} : !rtl.stream<2> -> !rtl.stream<2>
  %c = rtl.collect %p {count = 4 : i64} : !rtl.stream<2> -> !rtl.stream<8>
  %d = rtl.pad %c {channels = 8 : i64, element_width = 2 : i64, height = 1 : i64, width = 1 : i64, pads = array<i64: 1, 0, 0, 1>, widen = 1 : i64} : !rtl.stream<8> -> !rtl.stream<16>
  rtl.output %d : !rtl.stream<16>
}
