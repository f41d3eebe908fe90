// RUN: not lowbitc-opt %s -p 'tile{cycles=8}' 2>&1 | filecheck %s --check-prefix=FLOOR
// RUN: lowbitc-opt %s -p 'tile{cycles=9}' | filecheck %s --check-prefix=OK

// The window unit takes one input pixel per cycle, so no folding beats H x W = 9 cycles per
// frame: a lower target is an error (`--fps` adds the frames/s within reach). At 9 cycles the 4 output
// pixels of 2 x 8 get 2 cycles each: 8 lanes, as PE 1 x SIMD 8 (fewer PEs win the tie with 2 x 4).
// FLOOR: tile: a target of 8 cycles per frame is below the 9 cycles per frame of the window units (one pixel per cycle)
// OK: lowbit.xnor_popcount {{.*}} fold = #lowbit.fold<pe = 1, simd = 8>

func.func @main(%x: tensor<3x3x2x!lowbit.bipolar>) -> tensor<2x2x2xui4> {
  %w = lowbit.window %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : tensor<3x3x2x!lowbit.bipolar> -> tensor<2x2x8x!lowbit.bipolar>
  %k = lowbit.pack %w : tensor<2x2x8x!lowbit.bipolar> -> !lowbit.packed<2x2x8x!lowbit.bipolar>
  %a = lowbit.xnor_popcount %k {weights = #lowbit.bits<2x8, "0xFF00">} : !lowbit.packed<2x2x8x!lowbit.bipolar> -> tensor<2x2x2xui4>
  func.return %a : tensor<2x2x2xui4>
}
