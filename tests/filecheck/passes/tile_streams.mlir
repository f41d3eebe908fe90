// RUN: lowbitc-opt %s -p 'tile{cycles=16}' | filecheck %s
// RUN: lowbitc-opt %s -p 'tile{lanes=9}' | filecheck %s --check-prefix=LANES

// A binary layer fed by 3x3 windows of 4-channel pixels (K = 36, 2 output channels) weighs its
// folds with the stream that feeds it (passes/tile_streams.py). At 16 cycles per frame its 4
// output pixels get 4 cycles each; the fewest lanes, 18 (PE 1 x SIMD 18 or PE 2 x SIMD 9), take
// folds that straddle pixels at varying offsets, so the window would stay whole in registers
// (3 LUTs a bit: 108 LUTs, 54 lanes' worth). PE 2 x SIMD 12 (three whole pixels a fold, joined
// by a deserializing gearbox of a few LUTs) takes 24 lanes.
// CHECK: lowbit.xnor_popcount {{.*}} fold = #lowbit.fold<pe = 2, simd = 12>
// The default: the largest layer with 9 lanes runs 8 cycles a pixel (PE 1 x SIMD 9); among the
// divisors of C and K that meet it, PE 1 x SIMD 12 (6 cycles) is the cheapest with its stream.
// LANES: lowbit.xnor_popcount {{.*}} fold = #lowbit.fold<pe = 1, simd = 12>

func.func @main(%x: tensor<4x4x4x!lowbit.bipolar>) -> tensor<2x2x2xui6> {
  %w = lowbit.window %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<4x4x4x!lowbit.bipolar> -> tensor<2x2x36x!lowbit.bipolar>
  %k = lowbit.pack %w : tensor<2x2x36x!lowbit.bipolar> -> !lowbit.packed<2x2x36x!lowbit.bipolar>
  %a = lowbit.xnor_popcount %k {weights = #lowbit.bits<2x36, "0x00000000000000000000">} : !lowbit.packed<2x2x36x!lowbit.bipolar> -> tensor<2x2x2xui6>
  func.return %a : tensor<2x2x2xui6>
}
