// RUN: lowbitc-opt %s -p 'tile{lanes=8}' | filecheck %s --check-prefix=LANES8
// RUN: echo '{"1": {"pe": 1, "simd": 8, "serial": true}}' > %t.json && lowbitc-opt %s -p 'tile{fold-file="%t.json"}' | filecheck %s --check-prefix=FILE
// RUN: echo '{"0": {"pe": 1, "simd": 8, "serial": 1}}' > %t.bad.json && not lowbitc-opt %s -p 'tile{fold-file="%t.bad.json"}' 2>&1 | filecheck %s --check-prefix=BAD

// Plane-popcounts: tile also chooses whether the unit takes both planes of its si2 input at once
// or one plane per cycle (`serial`: twice the cycles, lanes half as wide).
//
// lanes = 8: layer 0 (8 x 64) folds to 64 cycles with PE 1 x SIMD 8. Layer 1 (2 x 8) needs
// one lane even in parallel (16 cycles, 1 lane x 2 planes); serially the same lane takes 32
// cycles, still under 64, with half the lane width: serial wins.
// LANES8: lowbit.plane_popcount %p0 {{.*}}fold = #lowbit.fold<pe = 1, simd = 8>} :
// LANES8: lowbit.plane_popcount %p1 {{.*}}fold = #lowbit.fold<pe = 1, simd = 1>, serial = true} :
//
// A fold file can ask for serial planes: layer 1 at PE 1 x SIMD 8 serially takes 2 x 1 x 2 = 4
// cycles, which the free layer 0 then matches with the fewest lanes: PE 2 x SIMD 64.
// FILE: lowbit.plane_popcount %p0 {{.*}}fold = #lowbit.fold<pe = 2, simd = 64>} :
// FILE: lowbit.plane_popcount %p1 {{.*}}fold = #lowbit.fold<pe = 1, simd = 8>, serial = true} :
//
// BAD: tile: fold file {{.*}}.bad.json: entry '0' must be "<layer index>": {"pe": N, "simd": M} with positive integers (and optionally "serial": true or false)

func.func @net(%x: tensor<64xsi2>) -> tensor<2xsi6> {
  %p0 = lowbit.bitplanes %x : tensor<64xsi2> -> !lowbit.packed<2x64xi1>
  %c0 = lowbit.plane_popcount %p0 {element = si2, weights = #lowbit.bits<8x64, "0x0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF">} : !lowbit.packed<2x64xi1> -> tensor<8xsi9>
  %t0 = lowbit.threshold %c0 {thresholds = dense<[[-1, 2], [-1, 2], [-1, 2], [-1, 2], [-1, 2], [-1, 2], [-1, 2], [-1, 2]]> : tensor<8x2xi64>, offset = -1 : i64} : tensor<8xsi9> -> tensor<8xsi2>
  %p1 = lowbit.bitplanes %t0 : tensor<8xsi2> -> !lowbit.packed<2x8xi1>
  %c1 = lowbit.plane_popcount %p1 {element = si2, weights = #lowbit.bits<2x8, "0x0F0F">} : !lowbit.packed<2x8xi1> -> tensor<2xsi6>
  func.return %c1 : tensor<2xsi6>
}
