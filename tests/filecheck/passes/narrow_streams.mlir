// RUN: lowbitc-opt %s -p narrow-streams | filecheck %s

// narrow-streams: a window generator feeding one matrix-vector unit through FIFOs becomes an
// rtl.swg_ram emitting words of G elements (G the smallest divisor of the channels >= SIMD), the
// FIFOs carry words, a gearbox cuts words into SIMD-element folds where G != SIMD or SIMD does
// not divide the fan-in (pad = 1: XNOR pad bits), and the unit takes one fold per beat (fan_in).
// Between matrix-vector units the producer emits one channel fold per beat (fold_out) instead.

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

// SIMD 12 is three pixels of 4 channels: words of a pixel, a gearbox puts three together (it
// deserializes: 12 is a multiple of 4).
// CHECK-LABEL: rtl.module @pixels
// CHECK:      rtl.swg_ram {{.*}}word = 4 : i64} : !rtl.stream<4> -> !rtl.stream<4>
// CHECK-NEXT: rtl.fifo %{{.*}} {depth = 2 : i64} : !rtl.stream<4>
// CHECK-NEXT: rtl.gearbox %{{.*}} {in_beats = 9 : i64, out_beats = 3 : i64} : !rtl.stream<4> -> !rtl.stream<12>
// CHECK-NEXT: rtl.mvu %{{.*}} {{.*}}fan_in = 36 : i64} : !rtl.stream<12> -> !rtl.stream<1>
rtl.rom @w_pixels {contents = #lowbit.bits<3x12, ["000000000000", "000000000000", "000000000000"]>}
rtl.module @pixels {
^bb0(%in: !rtl.stream<4>):
  %w = rtl.swg %in {channels = 4 : i64, element_width = 1 : i64, height = 4 : i64, width = 4 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : !rtl.stream<4> -> !rtl.stream<36>
  %f = rtl.fifo %w {depth = 2 : i64} : !rtl.stream<36>
  %m = rtl.mvu %f {rom = @w_pixels, fold = #lowbit.fold<pe = 1, simd = 12>, channels = 1 : i64, popcount_width = 6 : i64, pipe = 0 : i64, vectors = 4 : i64, thresholds = dense<[[18]]> : tensor<1x1xi64>} : !rtl.stream<36> -> !rtl.stream<1>
  rtl.output %m : !rtl.stream<1>
}

// SIMD 6 exceeds the 4 channels and is no multiple of them (a fold would straddle pixels at
// varying offsets): left with whole windows.
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

// A unit fed by another unit's vectors: the producer emits one channel fold (PE 2 = 2 bits) per
// beat (fold_out), which is the consumer's fold (SIMD 2): no gearbox; the consumer has NF 2
// channel folds, so the FIFO in front holds its vector, SF 2 folds + 2.
// CHECK-LABEL: rtl.module @dense
// CHECK:      %[[A:.*]] = rtl.mvu %{{.*}} {{.*}}fold_out = 1 : i64} : !rtl.stream<8> -> !rtl.stream<2>
// CHECK-NEXT: %[[F:.*]] = rtl.fifo %[[A]] {depth = 4 : i64} : !rtl.stream<2>
// CHECK-NEXT: %[[B:.*]] = rtl.mvu %[[F]] {{.*}}fan_in = 4 : i64} : !rtl.stream<2> -> !rtl.stream<2>
// CHECK-NEXT: rtl.output %[[B]]
rtl.rom @w_dense_a {contents = #lowbit.bits<2x16, ["0000000000000000", "0000000000000000"]>}
rtl.rom @w_dense_b {contents = #lowbit.bits<4x2, ["00", "00", "00", "00"]>}
rtl.module @dense {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w_dense_a, fold = #lowbit.fold<pe = 2, simd = 8>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 0 : i64, thresholds = dense<[[4], [4], [4], [4]]> : tensor<4x1xi64>} : !rtl.stream<8> -> !rtl.stream<4>
  %f = rtl.fifo %a {depth = 2 : i64} : !rtl.stream<4>
  %b = rtl.mvu %f {rom = @w_dense_b, fold = #lowbit.fold<pe = 1, simd = 2>, channels = 2 : i64, popcount_width = 3 : i64, pipe = 0 : i64, thresholds = dense<[[2], [2]]> : tensor<2x1xi64>} : !rtl.stream<4> -> !rtl.stream<2>
  rtl.output %b : !rtl.stream<2>
}

// The flatten: 4 pixel vectors of 2 channels collected into one 8-element vector. The collector
// goes (the fold beats already come in flatten order); a gearbox makes 2 folds of 4 bits of the
// 4 x 2 one-bit beats; the consumer has one channel fold: a 2-deep FIFO in front.
// CHECK-LABEL: rtl.module @flatten
// CHECK:      %[[A:.*]] = rtl.mvu %{{.*}} {{.*}}fold_out = 1 : i64} : !rtl.stream<4> -> !rtl.stream<1>
// CHECK-NEXT: %[[F:.*]] = rtl.fifo %[[A]] {depth = 2 : i64} : !rtl.stream<1>
// CHECK-NEXT: %[[G:.*]] = rtl.gearbox %[[F]] {in_beats = 8 : i64, out_beats = 2 : i64} : !rtl.stream<1> -> !rtl.stream<4>
// CHECK-NEXT: %[[H:.*]] = rtl.fifo %[[G]] {depth = 2 : i64} : !rtl.stream<4>
// CHECK-NEXT: %[[B:.*]] = rtl.mvu %[[H]] {{.*}}fan_in = 8 : i64} : !rtl.stream<4> -> !rtl.stream<2>
// CHECK-NOT:  rtl.collect
rtl.rom @w_flat_a {contents = #lowbit.bits<2x4, ["0000", "0000"]>}
rtl.rom @w_flat_b {contents = #lowbit.bits<2x8, ["00000000", "00000000"]>}
rtl.module @flatten {
^bb0(%in: !rtl.stream<4>):
  %a = rtl.mvu %in {rom = @w_flat_a, fold = #lowbit.fold<pe = 1, simd = 4>, channels = 2 : i64, popcount_width = 3 : i64, pipe = 0 : i64, vectors = 4 : i64, thresholds = dense<[[2], [2]]> : tensor<2x1xi64>} : !rtl.stream<4> -> !rtl.stream<2>
  %f = rtl.fifo %a {depth = 2 : i64} : !rtl.stream<2>
  %c = rtl.collect %f {count = 4 : i64} : !rtl.stream<2> -> !rtl.stream<8>
  %g = rtl.fifo %c {depth = 2 : i64} : !rtl.stream<8>
  %b = rtl.mvu %g {rom = @w_flat_b, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 2 : i64, popcount_width = 4 : i64, pipe = 0 : i64, thresholds = dense<[[4], [4]]> : tensor<2x1xi64>} : !rtl.stream<8> -> !rtl.stream<2>
  rtl.output %b : !rtl.stream<2>
}

// PE 3 does not divide the producer's 4 channels (its last fold would carry 2 padding
// channels): it keeps emitting whole vectors, and a gearbox cuts each into the consumer's folds.
// CHECK-LABEL: rtl.module @uneven
// CHECK:      %[[A:.*]] = rtl.mvu %{{.*}} : !rtl.stream<4> -> !rtl.stream<4>
// CHECK-NEXT: %[[G:.*]] = rtl.gearbox %[[A]] {in_beats = 1 : i64, out_beats = 2 : i64} : !rtl.stream<4> -> !rtl.stream<2>
// CHECK-NEXT: %[[F:.*]] = rtl.fifo %[[G]] {depth = 2 : i64} : !rtl.stream<2>
// CHECK-NEXT: rtl.mvu %[[F]] {{.*}}fan_in = 4 : i64} : !rtl.stream<2> -> !rtl.stream<1>
rtl.rom @w_uneven_a {contents = #lowbit.bits<2x12, ["000000000000", "000000000000"]>}
rtl.rom @w_uneven_b {contents = #lowbit.bits<2x2, ["00", "00"]>}
rtl.module @uneven {
^bb0(%in: !rtl.stream<4>):
  %a = rtl.mvu %in {rom = @w_uneven_a, fold = #lowbit.fold<pe = 3, simd = 4>, channels = 4 : i64, popcount_width = 3 : i64, pipe = 0 : i64, thresholds = dense<[[2], [2], [2], [2]]> : tensor<4x1xi64>} : !rtl.stream<4> -> !rtl.stream<4>
  %f = rtl.fifo %a {depth = 2 : i64} : !rtl.stream<4>
  %b = rtl.mvu %f {rom = @w_uneven_b, fold = #lowbit.fold<pe = 1, simd = 2>, channels = 1 : i64, popcount_width = 3 : i64, pipe = 0 : i64, thresholds = dense<[[2]]> : tensor<1x1xi64>} : !rtl.stream<4> -> !rtl.stream<1>
  rtl.output %b : !rtl.stream<1>
}

// A pool's pixels, collected into the first dense layer's vector: the collector goes and a
// gearbox cuts the 4 pixel beats of 4 bits into 2 folds of 8.
// CHECK-LABEL: rtl.module @pooled
// CHECK:      %[[P:.*]] = rtl.pool %{{.*}} : !rtl.stream<4> -> !rtl.stream<4>
// CHECK-NEXT: %[[G:.*]] = rtl.gearbox %[[P]] {in_beats = 4 : i64, out_beats = 2 : i64} : !rtl.stream<4> -> !rtl.stream<8>
// CHECK-NEXT: %[[F:.*]] = rtl.fifo %[[G]] {depth = 4 : i64} : !rtl.stream<8>
// CHECK-NEXT: rtl.mvu %[[F]] {{.*}}fan_in = 16 : i64} : !rtl.stream<8> -> !rtl.stream<2>
// CHECK-NOT:  rtl.collect
rtl.rom @w_pooled {contents = #lowbit.bits<4x8, ["00000000", "00000000", "00000000", "00000000"]>}
rtl.module @pooled {
^bb0(%in: !rtl.stream<4>):
  %p = rtl.pool %in {height = 4 : i64, width = 4 : i64, kernel = 2 : i64, stride = 2 : i64} : !rtl.stream<4> -> !rtl.stream<4>
  %c = rtl.collect %p {count = 4 : i64} : !rtl.stream<4> -> !rtl.stream<16>
  %f = rtl.fifo %c {depth = 2 : i64} : !rtl.stream<16>
  %m = rtl.mvu %f {rom = @w_pooled, fold = #lowbit.fold<pe = 1, simd = 8>, channels = 2 : i64, popcount_width = 5 : i64, pipe = 0 : i64, thresholds = dense<[[8], [8]]> : tensor<2x1xi64>} : !rtl.stream<16> -> !rtl.stream<2>
  rtl.output %m : !rtl.stream<2>
}
