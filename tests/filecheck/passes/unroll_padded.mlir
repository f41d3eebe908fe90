// RUN: lowbitc-opt %s -p unroll | filecheck %s

// PE 3 does not divide 4 channels and SIMD 3 does not divide fan-in 4: the weight memory is
// padded to NF = 2 channel folds x SF = 2 input folds of 3 x 3 bits, the padding 0.
// Rows W = 0b1001, 0b0110, 0b1111, 0b0001 (bit k = column k).
// Word nf*2 + sf, bit p*3 + s = W[nf*3 + p, sf*3 + s]:
//   word 0 (nf 0, sf 0): rows 0..2, cols 0..2: 001, 110, 111 -> 0b111_110_001 = 0x1F1
//   word 1 (nf 0, sf 1): rows 0..2, col 3:     1, 0, 1       -> 0b001_000_001 = 0x041
//   word 2 (nf 1, sf 0): row 3, cols 0..2:     001           -> 0x001
//   word 3 (nf 1, sf 1): row 3, col 3:         0             -> 0x000
// CHECK: lowbit.mvu %x {fold = #lowbit.fold<pe = 3, simd = 3>, memory = #lowbit.bits<4x9, ["100011111", "100000100", "100000000", "000000000"]>}
func.func @main(%x: !lowbit.packed<4x!lowbit.bipolar>) -> tensor<4xui3> {
  %c = lowbit.xnor_popcount %x {weights = #lowbit.bits<4x4, "0x09060F01">, fold = #lowbit.fold<pe = 3, simd = 3>} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<4xui3>
  func.return %c : tensor<4xui3>
}
