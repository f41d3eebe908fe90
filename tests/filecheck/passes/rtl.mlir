// RUN: lowbitc-opt %s -p 'rtl{narrow=false}' | filecheck %s
// RUN: lowbitc-opt %s -p 'rtl{top="bnn"}' | filecheck %s --check-prefix=TOP
// RUN: lowbitc-opt %s -p 'rtl{narrow=false}' | lowbitc-opt | filecheck %s
// (narrow=false: the lowering alone; narrow_streams.mlir tests the fold-wide streams it ends with)

// rtl moves the unit chain that starts at the host's pack into rtl.module @accel (one ROM per
// unit, named after the top, in chain order) and calls it with rtl.invoke. Stream widths: the
// input is the packed frame (8 bits); a thresholded unit emits C = 4 bits; a raw unit emits
// C * PW bits, PW = bits of K + 1 (K = 4: 5 needs 3 bits), so 2 * 3 = 6. PW of the first unit:
// K = 8, 9 needs 4 bits. A unit without `pipe` gets pipe = 1.

func.func @main(%x: tensor<8xf32>) -> tensor<2xsi4> {
  %q = lowbit.quantize %x : tensor<8xf32> -> tensor<8x!lowbit.bipolar>
  %p = lowbit.pack %q : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
  %u0 = lowbit.mvu %p {fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<4x8, "0x42318675">, thresholds = dense<[[5], [3], [0], [9]]> : tensor<4x1xi64>, pipe = 0 : i64} : !lowbit.packed<8x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %f0 = lowbit.fifo %u0 {depth = 2 : i64} : !lowbit.packed<4x!lowbit.bipolar>
  %u1 = lowbit.mvu %f0 {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %d = lowbit.xnor_to_dot %u1 {fan_in = 4 : i64} : tensor<2xui3> -> tensor<2xsi4>
  func.return %d : tensor<2xsi4>
}

// CHECK:      rtl.rom @accel_l0_weights {contents = #lowbit.bits<4x8, ["01000010", "10001100", "01100001", "10101110"]>}
// CHECK-NEXT: rtl.rom @accel_l1_weights {contents = #lowbit.bits<4x2, ["10", "10", "10", "01"]>}
// CHECK-NEXT: rtl.module @accel {
// CHECK-NEXT: ^{{.*}}(%[[IN:.*]]: !rtl.stream<8>):
// CHECK-NEXT:   %[[A:.*]] = rtl.mvu %[[IN]] {rom = @accel_l0_weights, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 0 : i64, thresholds = dense<{{\[\[}}5], [3], [0], [9]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
// CHECK-NEXT:   %[[B:.*]] = rtl.fifo %[[A]] {depth = 2 : i64} : !rtl.stream<4>
// CHECK-NEXT:   %[[C:.*]] = rtl.mvu %[[B]] {rom = @accel_l1_weights, fold = #lowbit.fold<pe = 1, simd = 2>, channels = 2 : i64, popcount_width = 3 : i64, pipe = 1 : i64} : !rtl.stream<4> -> !rtl.stream<6>
// CHECK-NEXT:   rtl.output %[[C]] : !rtl.stream<6>
// CHECK-NEXT: }
// CHECK-NEXT: func.func @main(%[[X:.*]]: tensor<8xf32>) -> tensor<2xsi4> {
// CHECK-NEXT:   %[[Q:.*]] = lowbit.quantize %[[X]] : tensor<8xf32> -> tensor<8x!lowbit.bipolar>
// CHECK-NEXT:   %[[P:.*]] = lowbit.pack %[[Q]] : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
// CHECK-NEXT:   %[[Y:.*]] = rtl.invoke @accel(%[[P]]) : (!lowbit.packed<8x!lowbit.bipolar>) -> tensor<2xui3>
// CHECK-NEXT:   %[[D:.*]] = lowbit.xnor_to_dot %[[Y]] {fan_in = 4 : i64} : tensor<2xui3> -> tensor<2xsi4>
// CHECK-NEXT:   func.return %[[D]] : tensor<2xsi4>
// CHECK-NOT:  lowbit.mvu
// CHECK-NOT:  lowbit.fifo

// TOP:      rtl.rom @bnn_l0_weights
// TOP-NEXT: rtl.rom @bnn_l1_weights
// TOP-NEXT: rtl.module @bnn {
// TOP:        rtl.mvu %{{.*}} {rom = @bnn_l0_weights,
// TOP:        rtl.mvu %{{.*}} {rom = @bnn_l1_weights,
// TOP:        rtl.invoke @bnn(
