// RUN: lowbitc-opt %s -p unroll | filecheck %s
// RUN: lowbitc-opt %s -p unroll | filecheck %s --check-prefix=GONE

// unroll turns each folded xnor_popcount into a lowbit.mvu whose weight memory has
// NF = C/PE rows (words) per SF = K/SIMD, word nf*SF+sf holding W[nf*PE+p, sf*SIMD+s] at bit
// p*SIMD+s. A bipolar threshold whose result is only packed becomes the unit's comparators.
//
// Weights 4x8 "0x12345678": row r is one byte, bit k = W[r, k] (LSB first), so the nibbles are
// row 0: lo 2 hi 1, row 1: lo 4 hi 3, row 2: lo 6 hi 5, row 3: lo 8 hi 7.
//
// PE 2 x SIMD 4: NF = 2, SF = 2, words of 8 bits = [row 2nf lanes | row 2nf+1 lanes << 4]:
//   word 0 (nf 0, sf 0) = lo(r0) | lo(r1) << 4 = 0x2 | 0x40 = 0x42
//   word 1 (nf 0, sf 1) = hi(r0) | hi(r1) << 4 = 0x1 | 0x30 = 0x31
//   word 2 (nf 1, sf 0) = lo(r2) | lo(r3) << 4 = 0x6 | 0x80 = 0x86
//   word 3 (nf 1, sf 1) = hi(r2) | hi(r3) << 4 = 0x5 | 0x70 = 0x75
// Second layer, weights 2x4 "0x0509" (row 0 = 1010, row 1 = 1001 as k0..k3), PE 1 x SIMD 2:
//   4 words of 2 bits: r0[0:2] = 0b01, r0[2:4] = 0b01, r1[0:2] = 0b01, r1[2:4] = 0b10.

// CHECK-LABEL: func.func @net(
// CHECK-SAME:      %[[X:.*]]: tensor<8x!lowbit.bipolar>)
// CHECK-NEXT:    %[[P0:.*]] = lowbit.pack %[[X]] : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
// CHECK-NEXT:    %[[U0:.*]] = lowbit.mvu %[[P0]] {fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<4x8, ["01000010", "10001100", "01100001", "10101110"]>, thresholds = dense<{{\[\[}}5], [3], [0], [9]]> : tensor<4x1xi64>} : !lowbit.packed<8x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %[[U1:.*]] = lowbit.mvu %[[U0]] {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, ["10", "10", "10", "01"]>} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
// CHECK-NEXT:    %[[D:.*]] = lowbit.xnor_to_dot %[[U1]] {fan_in = 4 : i64} : tensor<2xui3> -> tensor<2xsi4>
// CHECK-NEXT:    func.return %[[D]] : tensor<2xsi4>
func.func @net(%x: tensor<8x!lowbit.bipolar>) -> tensor<2xsi4> {
  %p0 = lowbit.pack %x : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
  %c0 = lowbit.xnor_popcount %p0 {weights = #lowbit.bits<4x8, "0x12345678">, fold = #lowbit.fold<pe = 2, simd = 4>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %t0 = lowbit.threshold %c0 {thresholds = dense<[[5], [3], [0], [9]]> : tensor<4x1xi64>} : tensor<4xui4> -> tensor<4x!lowbit.bipolar>
  %p1 = lowbit.pack %t0 : tensor<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %c1 = lowbit.xnor_popcount %p1 {weights = #lowbit.bits<2x4, "0x0509">, fold = #lowbit.fold<pe = 1, simd = 2>} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %d = lowbit.xnor_to_dot %c1 {fan_in = 4 : i64} : tensor<2xui3> -> tensor<2xsi4>
  func.return %d : tensor<2xsi4>
}

// The same 4x8 matrix under other foldings (raw popcount units, no thresholds).
// PE 4 x SIMD 2: NF = 1, SF = 4, word sf = sum over p of W[p, 2sf:2sf+2] << 2p:
//   sf 0: rows' bits 0-1 = 2, 0, 2, 0 -> 0b00100010 = 0x22
//   sf 1: rows' bits 2-3 = 0, 1, 1, 2 -> 0b10010100 = 0x94
//   sf 2: rows' bits 4-5 = 1, 3, 1, 3 -> 0b11011101 = 0xDD
//   sf 3: rows' bits 6-7 = 0, 0, 1, 1 -> 0b01010000 = 0x50
// PE 4 x SIMD 8: one 32-bit word holding the rows in order: bytes 12 34 56 78.
// PE 1 x SIMD 8: the weight matrix itself.

// CHECK-LABEL: func.func @layouts(
// CHECK-NEXT:    lowbit.mvu %{{.*}} {fold = #lowbit.fold<pe = 4, simd = 2>, memory = #lowbit.bits<4x8, ["01000100", "00101001", "10111011", "00001010"]>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
// CHECK-NEXT:    lowbit.mvu %{{.*}} {fold = #lowbit.fold<pe = 4, simd = 8>, memory = #lowbit.bits<1x32, ["01001000001011000110101000011110"]>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
// CHECK-NEXT:    lowbit.mvu %{{.*}} {fold = #lowbit.fold<pe = 1, simd = 8>, memory = #lowbit.bits<4x8, ["01001000", "00101100", "01101010", "00011110"]>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
func.func @layouts(%p: !lowbit.packed<8x!lowbit.bipolar>) -> (tensor<4xui4>, tensor<4xui4>, tensor<4xui4>) {
  %a = lowbit.xnor_popcount %p {weights = #lowbit.bits<4x8, "0x12345678">, fold = #lowbit.fold<pe = 4, simd = 2>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %b = lowbit.xnor_popcount %p {weights = #lowbit.bits<4x8, "0x12345678">, fold = #lowbit.fold<pe = 4, simd = 8>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %c = lowbit.xnor_popcount %p {weights = #lowbit.bits<4x8, "0x12345678">, fold = #lowbit.fold<pe = 1, simd = 8>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  func.return %a, %b, %c : tensor<4xui4>, tensor<4xui4>, tensor<4xui4>
}

// GONE-NOT: lowbit.xnor_popcount
// GONE-NOT: lowbit.threshold
