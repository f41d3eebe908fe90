// RUN: lowbitc-opt %s -p narrow-streams | filecheck %s

// narrow-streams: a window generator feeding one matrix-vector unit through FIFOs becomes an
// rtl.swg_ram emitting words of G elements (G the smallest divisor of the channels >= SIMD), the
// FIFOs carry words, a gearbox cuts words into SIMD-element folds where G != SIMD or SIMD does
// not divide the fan-in (pad = 1: XNOR pad bits), and the unit takes one fold per beat (fan_in).

// SIMD 3 of 4 channels: words of 4, a gearbox 9 x 4 -> 12 x 3 bits (no pad: 36 = 12 x 3).
// CHECK-LABEL: rtl.module @gear
// CHECK:      %{{.*}} = rtl.swg_ram %{{.*}} {channels = 4 : i64, element_width = 1 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, word = 4 : i64} : !rtl.stream<4> -> !rtl.stream<4>
// CHECK-NEXT: %{{.*}} = rtl.fifo %{{.*}} {depth = 2 : i64} : !rtl.stream<4>
// CHECK-NEXT: %{{.*}} = rtl.gearbox %{{.*}} {in_beats = 9 : i64, out_beats = 12 : i64} : !rtl.stream<4> -> !rtl.stream<3>
// CHECK-NEXT: %{{.*}} = rtl.mvu %{{.*}} {{.*}}fan_in = 36 : i64} : !rtl.stream<3> -> !rtl.stream<2>
rtl.rom @w_gear {contents = #lowbit.bits<24x3, ["000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000"]>}
rtl.module @gear {
^bb0(%in: !rtl.stream<4>):
  %w = rtl.swg %in {channels = 4 : i64, element_width = 1 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !rtl.stream<4> -> !rtl.stream<36>
  %f = rtl.fifo %w {depth = 3 : i64} : !rtl.stream<36>
  %m = rtl.mvu %f {rom = @w_gear, fold = #lowbit.fold<pe = 1, simd = 3>, channels = 2 : i64, popcount_width = 6 : i64, pipe = 0 : i64, vectors = 4 : i64, thresholds = dense<[[18], [18]]> : tensor<2x1xi64>} : !rtl.stream<36> -> !rtl.stream<2>
  rtl.output %m : !rtl.stream<2>
}

// SIMD 2 divides the 4 channels: words of 2 straight into the unit, no gearbox.
// CHECK-LABEL: rtl.module @aligned
// CHECK:      rtl.swg_ram {{.*}}word = 2 : i64} : !rtl.stream<4> -> !rtl.stream<2>
// CHECK-NEXT: rtl.fifo %{{.*}} {depth = 2 : i64} : !rtl.stream<2>
// CHECK-NEXT: rtl.mvu %{{.*}} {{.*}}fan_in = 36 : i64} : !rtl.stream<2> -> !rtl.stream<2>
rtl.rom @w_aligned {contents = #lowbit.bits<18x4, ["0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000", "0000"]>}
rtl.module @aligned {
^bb0(%in: !rtl.stream<4>):
  %w = rtl.swg %in {channels = 4 : i64, element_width = 1 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !rtl.stream<4> -> !rtl.stream<36>
  %f = rtl.fifo %w {depth = 2 : i64} : !rtl.stream<36>
  %m = rtl.mvu %f {rom = @w_aligned, fold = #lowbit.fold<pe = 2, simd = 2>, channels = 2 : i64, popcount_width = 6 : i64, pipe = 0 : i64, vectors = 4 : i64, thresholds = dense<[[18], [18]]> : tensor<2x1xi64>} : !rtl.stream<36> -> !rtl.stream<2>
  rtl.output %m : !rtl.stream<2>
}

// SIMD 5 of 8 channels: words of 8; 72 elements in 15 folds of 5 leave 3 pad bits, set to 1
// (an XNOR mismatch against the 0 weight bits the memory holds there).
// CHECK-LABEL: rtl.module @padded
// CHECK:      rtl.swg_ram {{.*}}word = 8 : i64} : !rtl.stream<8> -> !rtl.stream<8>
// CHECK:      rtl.gearbox %{{.*}} {in_beats = 9 : i64, out_beats = 15 : i64, pad = 1 : i64} : !rtl.stream<8> -> !rtl.stream<5>
// CHECK-NEXT: rtl.mvu %{{.*}} {{.*}}fan_in = 72 : i64} : !rtl.stream<5> -> !rtl.stream<1>
rtl.rom @w_padded {contents = #lowbit.bits<15x5, ["00000", "00000", "00000", "00000", "00000", "00000", "00000", "00000", "00000", "00000", "00000", "00000", "00000", "00000", "00000"]>}
rtl.module @padded {
^bb0(%in: !rtl.stream<8>):
  %w = rtl.swg %in {channels = 8 : i64, element_width = 1 : i64, height = 3 : i64, width = 3 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !rtl.stream<8> -> !rtl.stream<72>
  %f = rtl.fifo %w {depth = 2 : i64} : !rtl.stream<72>
  %m = rtl.mvu %f {rom = @w_padded, fold = #lowbit.fold<pe = 1, simd = 5>, channels = 1 : i64, popcount_width = 7 : i64, pipe = 0 : i64, thresholds = dense<[[36]]> : tensor<1x1xi64>} : !rtl.stream<72> -> !rtl.stream<1>
  rtl.output %m : !rtl.stream<1>
}

// SIMD 6 exceeds the 4 channels (a word would span pixels): left with whole windows.
// CHECK-LABEL: rtl.module @wide
// CHECK:      rtl.swg %{{.*}} : !rtl.stream<4> -> !rtl.stream<36>
// CHECK-NEXT: rtl.fifo %{{.*}} {depth = 2 : i64} : !rtl.stream<36>
// CHECK-NEXT: rtl.mvu %{{.*}} : !rtl.stream<36> -> !rtl.stream<1>
// CHECK-NOT:  fan_in
rtl.rom @w_wide {contents = #lowbit.bits<6x6, ["000000", "000000", "000000", "000000", "000000", "000000"]>}
rtl.module @wide {
^bb0(%in: !rtl.stream<4>):
  %w = rtl.swg %in {channels = 4 : i64, element_width = 1 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !rtl.stream<4> -> !rtl.stream<36>
  %f = rtl.fifo %w {depth = 2 : i64} : !rtl.stream<36>
  %m = rtl.mvu %f {rom = @w_wide, fold = #lowbit.fold<pe = 1, simd = 6>, channels = 1 : i64, popcount_width = 6 : i64, pipe = 0 : i64, vectors = 4 : i64, thresholds = dense<[[18]]> : tensor<1x1xi64>} : !rtl.stream<36> -> !rtl.stream<1>
  rtl.output %m : !rtl.stream<1>
}
