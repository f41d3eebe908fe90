// RUN: lowbitc-opt %s -p 'rtl{narrow=false}' | filecheck %s
// RUN: lowbitc-opt %s -p 'rtl{narrow=false}' -t verilog | filecheck %s --check-prefix=VLOG
// (narrow=false: the lowering alone; narrow_streams.mlir tests the fold-wide streams it ends with)

// The popcount width PW must hold K + 1, the "never fires" threshold, not just P <= K:
// K = 3 needs 2 bits for P but 3 bits for 4. Unit 0 (K = 3): PW = 3, its second channel never
// fires (T = 4). Unit 1 (K = 2, raw popcounts): PW holds 3, 2 bits, so the stream is 2 * 2 bits.
// THRESH of unit 0: 1 | 4 << 3 = 0x21 over 2 * 3 = 6 bits.

func.func @main(%p: !lowbit.packed<3x!lowbit.bipolar>) -> tensor<2xui2> {
  %u0 = lowbit.mvu %p {fold = #lowbit.fold<pe = 1, simd = 3>, memory = #lowbit.bits<2x3, "0x0502">, thresholds = dense<[[1], [4]]> : tensor<2x1xi64>, pipe = 0 : i64} : !lowbit.packed<3x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
  %u1 = lowbit.mvu %u0 {fold = #lowbit.fold<pe = 2, simd = 2>, memory = #lowbit.bits<1x4, "0x09">, pipe = 0 : i64} : !lowbit.packed<2x!lowbit.bipolar> -> tensor<2xui2>
  func.return %u1 : tensor<2xui2>
}

// CHECK:      rtl.mvu %{{.*}} {rom = @accel_l0_weights, fold = #lowbit.fold<pe = 1, simd = 3>, channels = 2 : i64, popcount_width = 3 : i64, pipe = 0 : i64, thresholds = dense<{{\[\[}}1], [4]]> : tensor<2x1xi64>} : !rtl.stream<3> -> !rtl.stream<2>
// CHECK-NEXT: rtl.mvu %{{.*}} {rom = @accel_l1_weights, fold = #lowbit.fold<pe = 2, simd = 2>, channels = 2 : i64, popcount_width = 2 : i64, pipe = 0 : i64} : !rtl.stream<2> -> !rtl.stream<4>
// CHECK:      rtl.invoke @accel(%{{.*}}) : (!lowbit.packed<3x!lowbit.bipolar>) -> tensor<2xui2>

// VLOG:      .K(3),
// VLOG-NEXT: .C(2),
// VLOG-NEXT: .PE(1),
// VLOG-NEXT: .SIMD(3),
// VLOG-NEXT: .PW(3),
// VLOG-NEXT: .MODE(0),
// VLOG-NEXT: .THRESH(6'h21),
// VLOG:      .K(2),
// VLOG-NEXT: .C(2),
// VLOG-NEXT: .PE(2),
// VLOG-NEXT: .SIMD(2),
// VLOG-NEXT: .PW(2),
// VLOG-NEXT: .MODE(1),
// VLOG-NEXT: .THRESH(4'h0),
