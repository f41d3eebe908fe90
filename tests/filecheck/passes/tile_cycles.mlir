// RUN: lowbitc-opt %s -p 'tile{cycles=3}' | filecheck %s --check-prefix=C3
// RUN: lowbitc-opt %s -p 'tile{cycles=8}' | filecheck %s --check-prefix=C8
// RUN: echo '{"0": {"pe": 1, "simd": 1}}' > %t.json && lowbitc-opt %s -p 'tile{cycles=3 fold-file="%t.json"}' | filecheck %s --check-prefix=FIXED

// tile{cycles=N} (what `--fps` sets at the device's clock): every free layer gets the fewest
// lanes whose cycles per frame, ceil(C / PE) x ceil(K / SIMD), stay within N; PE and SIMD need
// not divide C and K (the units pad), which is where padding wins. Layer 0 is 4 x 8, layer 1
// is 2 x 4.
//
// cycles = 3: layer 0: PE 2 needs SIMD 8 (2 x 1 cycles, 16 lanes), PE 4 only SIMD 3 (1 x 3
// cycles, 12 lanes: 8 inputs padded to 9); divisors alone would need 16 lanes. Layer 1: PE 1 x
// SIMD 4 and PE 2 x SIMD 2 both take 4 lanes; fewer PEs win.
// C3: lowbit.xnor_popcount {{.*}} fold = #lowbit.fold<pe = 4, simd = 3>
// C3: lowbit.xnor_popcount {{.*}} fold = #lowbit.fold<pe = 1, simd = 4>
//
// cycles = 8: layer 0 PE 1 x SIMD 4 (4 x 2 = 8 cycles, 4 lanes), layer 1 PE 1 x SIMD 1 (8 cycles).
// C8: lowbit.xnor_popcount {{.*}} fold = #lowbit.fold<pe = 1, simd = 4>
// C8: lowbit.xnor_popcount {{.*}} fold = #lowbit.fold<pe = 1, simd = 1>
//
// A fold file still fixes its layers (layer 0 at 32 cycles); the others meet the target alone.
// FIXED: lowbit.xnor_popcount {{.*}} fold = #lowbit.fold<pe = 1, simd = 1>
// FIXED: lowbit.xnor_popcount {{.*}} fold = #lowbit.fold<pe = 1, simd = 4>

func.func @net(%x: tensor<8x!lowbit.bipolar>) -> tensor<2x!lowbit.bipolar> {
  %p0 = lowbit.pack %x : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
  %c0 = lowbit.xnor_popcount %p0 {weights = #lowbit.bits<4x8, "0x12345678">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %t0 = lowbit.threshold %c0 {thresholds = dense<[[4], [4], [5], [5]]> : tensor<4x1xi64>} : tensor<4xui4> -> tensor<4x!lowbit.bipolar>
  %p1 = lowbit.pack %t0 : tensor<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %c1 = lowbit.xnor_popcount %p1 {weights = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %t1 = lowbit.threshold %c1 {thresholds = dense<2> : tensor<2x1xi64>} : tensor<2xui3> -> tensor<2x!lowbit.bipolar>
  func.return %t1 : tensor<2x!lowbit.bipolar>
}
