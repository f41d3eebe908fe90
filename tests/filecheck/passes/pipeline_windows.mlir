// RUN: lowbitc-opt %s -p pipeline | filecheck %s

// The FIFO from a strided window generator to its matrix-vector unit holds enough windows that
// the unit does not idle while the generator reads the rows no window ends in (a 3x3/2 window
// skips every other row), beyond the unit's slack; the FIFO in front of a window generator
// holds the pixels of the longest such stretch, so that the generator reads them at one per
// cycle.
//
// II = 100 (the pad and the first generator: 10x10 pixels). Unit %m: T = NF*SF = 2*3 = 6 cycles
// per window, 16 windows = 96 cycles, slack 4. The 3x3/2 windows on 10x10 end at rows and
// columns 2, 4, 6, 8: within a row 2 pixels apart (12 times), row to row 2*10 - 3*2 = 14
// (3 times), frame to frame 100 - 3*20 - 3*2 = 34 (once). Idle cycles with B windows queued:
// sum of max(0, g - 6B) = 52, 28, 16, 10, 4 for B = 1..5: B = 5, depth 5 - 2 (the generator's
// own FIFO) = 3.
// The 1x1/2 windows on %m's 4x4 map end at rows and columns 0, 2: row to row and frame to
// frame 6 pixels apart, so the FIFO in front of it holds 6 pixels (one row and a half). Unit %m2
// takes 4 cycles per window with slack 84: depth 2.

func.func @strided(%x: tensor<8x8x2xui2>) -> tensor<2x2x2xui2> {
  %p = lowbit.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<8x8x2xui2> -> tensor<10x10x2xui2>
  %w = lowbit.window %p {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<10x10x2xui2> -> tensor<4x4x18xui2>
  %m = lowbit.mvu %w {fold = #lowbit.fold<pe = 1, simd = 6>, memory = #lowbit.bits<6x12, "0x5400710FCC007C001C0D1100">, weight_bits = 2 : i64, thresholds = dense<[[0, 2, 5], [2, 3, 5]]> : tensor<2x3xi64>} : tensor<4x4x18xui2> -> tensor<4x4x2xui2>
  %w2 = lowbit.window %m {kernel = array<i64: 1, 1>, strides = array<i64: 2, 2>} : tensor<4x4x2xui2> -> tensor<2x2x2xui2>
  %m2 = lowbit.mvu %w2 {fold = #lowbit.fold<pe = 1, simd = 1>, memory = #lowbit.bits<4x2, "0x03000001">, weight_bits = 2 : i64, thresholds = dense<[[0, 2, 3], [1, 3, 5]]> : tensor<2x3xi64>} : tensor<2x2x2xui2> -> tensor<2x2x2xui2>
  func.return %m2 : tensor<2x2x2xui2>
}

// CHECK-LABEL: func.func @strided(
// CHECK:         %[[W:.*]] = lowbit.window %{{.*}} {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>}
// CHECK-NEXT:    %[[F:.*]] = lowbit.fifo %[[W]] {depth = 3 : i64} : tensor<4x4x18xui2>
// CHECK-NEXT:    %[[M:.*]] = lowbit.mvu %[[F]]
// CHECK-NEXT:    %[[F1:.*]] = lowbit.fifo %[[M]] {depth = 6 : i64} : tensor<4x4x2xui2>
// CHECK-NEXT:    %[[W2:.*]] = lowbit.window %[[F1]] {kernel = array<i64: 1, 1>, strides = array<i64: 2, 2>}
// CHECK-NEXT:    %[[F2:.*]] = lowbit.fifo %[[W2]] {depth = 2 : i64} : tensor<2x2x2xui2>
// CHECK-NEXT:    lowbit.mvu %[[F2]]
