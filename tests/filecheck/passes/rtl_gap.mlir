// RUN: lowbitc-opt %s -p 'pipeline,rtl{narrow=false}' --split-input-file | filecheck %s
// (narrow=false: the lowering alone; narrow_streams.mlir tests the fold-wide streams it ends with)

// A sum unit is a stream unit: FIFOs around it, and the rtl.gap instance of lowbit_gap with the
// frame's pixels, the input elements and a sum width holding both the sums [0, 27] and the
// thresholds as two's complement (6 bits).

// CHECK:      rtl.module @accel {
// CHECK-NEXT: ^bb0([[IN:%.*]]: !rtl.stream<4>):
// CHECK-NEXT:   [[G:%.*]] = rtl.gap [[IN]] {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 6 : i64, thresholds = dense<{{\[\[}}5, 14, 23], [4, 13, 22]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4> -> !rtl.stream<4>
// CHECK-NEXT:   [[F:%.*]] = rtl.fifo [[G]] {depth = 2 : i64} : !rtl.stream<4>
// CHECK-NEXT:   rtl.collect [[F]] {count = 1 : i64} : !rtl.stream<4> -> !rtl.stream<4>
// CHECK:      rtl.invoke @accel(%x) : (tensor<3x3x2xui2>) -> tensor<2xsi5>
func.func @main(%x: tensor<3x3x2xui2>) -> tensor<2xsi5> {
  %t = lowbit.sum_unit %x {thresholds = dense<[[5, 14, 23], [4, 13, 22]]> : tensor<2x3xi64>} : tensor<3x3x2xui2> -> tensor<1x1x2xui2>
  %f = lowbit.collect %t : tensor<1x1x2xui2> -> tensor<2xui2>
  %m = lowbit.mvu %f {fold = #lowbit.fold<pe = 2, simd = 2>, memory = #lowbit.bits<1x4, "0x06">} : tensor<2xui2> -> tensor<2xsi5>
  func.return %m : tensor<2xsi5>
}

// -----

// Raw sums: SW-bit fields (6 bits for [0, 27] in two's complement) on the output stream, which
// the host reads by field width.

// CHECK:      rtl.gap {{.*}}pixels = 9 : i64, sum_width = 6 : i64} : !rtl.stream<4> -> !rtl.stream<12>
// CHECK:      rtl.invoke @accel(%z) : (tensor<3x3x2xui2>) -> tensor<2xui5>
func.func @raw(%z: tensor<3x3x2xui2>) -> tensor<2xui5> {
  %s = lowbit.sum_unit %z : tensor<3x3x2xui2> -> tensor<1x1x2xui5>
  %c = lowbit.collect %s : tensor<1x1x2xui5> -> tensor<2xui5>
  func.return %c : tensor<2xui5>
}
