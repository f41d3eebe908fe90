// RUN: lowbitc-opt %s | lowbitc-opt | filecheck %s
// RUN: lowbitc-opt %s --print-op-generic | lowbitc-opt | filecheck %s
// RUN: lowbitc-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC

// Round trip of every rtl op and of !rtl.stream.

rtl.rom @w0 {contents = #lowbit.bits<4x8, "0x0FF0a55a">}
rtl.rom @w1 {contents = #lowbit.bits<2x4, "0x0509">}
rtl.module @accel {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w0, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<[[0], [4], [5], [9]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
  %b = rtl.fifo %a {depth = 2 : i64} : !rtl.stream<4>
  %c = rtl.mvu %b {rom = @w1, fold = #lowbit.fold<pe = 1, simd = 4>, channels = 2 : i64, popcount_width = 3 : i64, pipe = 0 : i64} : !rtl.stream<4> -> !rtl.stream<6>
  rtl.output %c : !rtl.stream<6>
}
func.func @main(%x: !lowbit.packed<8x!lowbit.bipolar>) -> tensor<2xui3> {
  %y = rtl.invoke @accel(%x) : (!lowbit.packed<8x!lowbit.bipolar>) -> tensor<2xui3>
  func.return %y : tensor<2xui3>
}

// CHECK:      rtl.rom @w0 {contents = #lowbit.bits<4x8, ["11110000", "00001111", "10100101", "01011010"]>}
// CHECK-NEXT: rtl.rom @w1 {contents = #lowbit.bits<2x4, ["1010", "1001"]>}
// CHECK-NEXT: rtl.module @accel {
// CHECK-NEXT: ^{{.*}}(%[[IN:.*]]: !rtl.stream<8>):
// CHECK-NEXT:   %[[A:.*]] = rtl.mvu %[[IN]] {rom = @w0, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<{{\[\[}}0], [4], [5], [9]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
// CHECK-NEXT:   %[[B:.*]] = rtl.fifo %[[A]] {depth = 2 : i64} : !rtl.stream<4>
// CHECK-NEXT:   %[[C:.*]] = rtl.mvu %[[B]] {rom = @w1, fold = #lowbit.fold<pe = 1, simd = 4>, channels = 2 : i64, popcount_width = 3 : i64, pipe = 0 : i64} : !rtl.stream<4> -> !rtl.stream<6>
// CHECK-NEXT:   rtl.output %[[C]] : !rtl.stream<6>
// CHECK-NEXT: }
// CHECK-NEXT: func.func @main(%[[X:.*]]: !lowbit.packed<8x!lowbit.bipolar>) -> tensor<2xui3> {
// CHECK-NEXT:   %[[Y:.*]] = rtl.invoke @accel(%[[X]]) : (!lowbit.packed<8x!lowbit.bipolar>) -> tensor<2xui3>
// CHECK-NEXT:   func.return %[[Y]] : tensor<2xui3>

// GENERIC:      "rtl.rom"() <{sym_name = "w0", contents = #lowbit.bits<4x8, ["11110000", "00001111", "10100101", "01011010"]>}> : () -> ()
// GENERIC:      "rtl.module"() <{sym_name = "accel"}> ({
// GENERIC-NEXT: ^{{.*}}(%{{.*}}: !rtl.stream<8>):
// GENERIC-NEXT:   "rtl.mvu"(%{{.*}}) <{rom = @w0, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, thresholds = dense<{{\[\[}}0], [4], [5], [9]]> : tensor<4x1xi64>}> : (!rtl.stream<8>) -> !rtl.stream<4>
// GENERIC-NEXT:   "rtl.fifo"(%{{.*}}) <{depth = 2 : i64}> : (!rtl.stream<4>) -> !rtl.stream<4>
// GENERIC:        "rtl.output"(%{{.*}}) : (!rtl.stream<6>) -> ()
// GENERIC:      "rtl.invoke"(%{{.*}}) <{callee = @accel}> : (!lowbit.packed<8x!lowbit.bipolar>) -> tensor<2xui3>
