// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of the fold-per-beat streams: rtl.swg_ram, rtl.gearbox and an rtl.mvu
// fed one fold per beat or emitting one channel fold per beat.

// CHECK: swg_ram word of 3 elements must divide the 4 channels
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %w = rtl.swg_ram %in {channels = 4 : i64, element_width = 1 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, word = 3 : i64} : !rtl.stream<4> -> !rtl.stream<3>
  rtl.output %w : !rtl.stream<3>
}

// -----

// CHECK: swg_ram input stream must carry 4 x 2 bits
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %w = rtl.swg_ram %in {channels = 4 : i64, element_width = 2 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, word = 2 : i64} : !rtl.stream<4> -> !rtl.stream<4>
  rtl.output %w : !rtl.stream<4>
}

// -----

// CHECK: swg_ram output stream must carry 2 x 1 bits
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %w = rtl.swg_ram %in {channels = 4 : i64, element_width = 1 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, word = 2 : i64} : !rtl.stream<4> -> !rtl.stream<4>
  rtl.output %w : !rtl.stream<4>
}

// -----

// CHECK: gearbox pad 2 must be 0 or 1
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %g = rtl.gearbox %in {in_beats = 2 : i64, out_beats = 4 : i64, pad = 2 : i64} : !rtl.stream<8> -> !rtl.stream<4>
  rtl.output %g : !rtl.stream<4>
}

// -----

// CHECK: gearbox in_beats and out_beats must be positive
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %g = rtl.gearbox %in {in_beats = 0 : i64, out_beats = 4 : i64} : !rtl.stream<8> -> !rtl.stream<4>
  rtl.output %g : !rtl.stream<4>
}

// -----

// CHECK: gearbox out_beats x output width must cover the input vector with fewer pad bits than a beat, got 4 pad bits
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %g = rtl.gearbox %in {in_beats = 2 : i64, out_beats = 5 : i64} : !rtl.stream<8> -> !rtl.stream<4>
  rtl.output %g : !rtl.stream<4>
}

// -----

// CHECK: an mvu fed one fold per beat needs a 3-bit input stream (SIMD 3 elements), got 4
rtl.rom @w {contents = #lowbit.bits<12x3, ["000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000", "000"]>}
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %m = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 1, simd = 3>, channels = 1 : i64, popcount_width = 6 : i64, pipe = 0 : i64, thresholds = dense<[[18]]> : tensor<1x1xi64>, fan_in = 36 : i64} : !rtl.stream<4> -> !rtl.stream<1>
  rtl.output %m : !rtl.stream<1>
}

// -----

// CHECK: an mvu emitting one channel fold per beat needs PE 3 to divide C = 4
rtl.rom @w {contents = #lowbit.bits<2x12, ["000000000000", "000000000000"]>}
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 3, simd = 4>, channels = 4 : i64, popcount_width = 3 : i64, pipe = 0 : i64, thresholds = dense<[[2], [2], [2], [2]]> : tensor<4x1xi64>, fold_out = 1 : i64} : !rtl.stream<4> -> !rtl.stream<3>
  rtl.output %a : !rtl.stream<3>
}

// -----

// CHECK: mvu output stream is 4 bits, expected 2
rtl.rom @w {contents = #lowbit.bits<2x8, ["00000000", "00000000"]>}
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 3 : i64, pipe = 0 : i64, thresholds = dense<[[2], [2], [2], [2]]> : tensor<4x1xi64>, fold_out = 1 : i64} : !rtl.stream<4> -> !rtl.stream<4>
  rtl.output %a : !rtl.stream<4>
}
