// RUN: lowbitc-opt %s -p unroll --split-input-file | filecheck %s

// Multi-bit layers become matrix-vector units with k-bit comparators and multi-bit weight
// memories.

// XNOR lanes with a 2-bit unsigned activation: the unit keeps the three popcount thresholds and
// produces ui2 codes, no packing.
// CHECK-LABEL: func.func @xnor_two_bit(
// Word nf*SF + sf holds channels nf*2 + p in nibble p: 0x42 = rows 0/1 low nibbles (2, 4), ...
// CHECK-NEXT:    %[[U:.*]] = lowbit.mvu %p {fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<4x8, ["01000010", "10001100", "01100001", "10101110"]>, thresholds = dense<{{\[\[}}1, 2, 3], [1, 2, 3], [1, 2, 3], [2, 4, 6]]> : tensor<4x3xi64>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui2>
// CHECK-NEXT:    func.return %[[U]] : tensor<4xui2>
func.func @xnor_two_bit(%p: !lowbit.packed<8x!lowbit.bipolar>) -> tensor<4xui2> {
  %c = lowbit.xnor_popcount %p {weights = #lowbit.bits<4x8, "0x12345678">, fold = #lowbit.fold<pe = 2, simd = 4>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %t = lowbit.threshold %c {thresholds = dense<[[1, 2, 3], [1, 2, 3], [1, 2, 3], [2, 4, 6]]> : tensor<4x3xi64>} : tensor<4xui4> -> tensor<4xui2>
  func.return %t : tensor<4xui2>
}

// -----

// Ternary activations times ternary weights: the unit reads the si2 elements (the planes are
// their wires), 2-bit two's-complement weights (1 -> 01, -1 -> 11, 0 -> 00; weight (p, s) at
// bits (p*SIMD + s)*2 of the word), and produces ternary codes with offset -1. Row 0 is
// [1, -1, 0, 1], row 1 [0, 1, 1, 0]; PE 1, SIMD 4: one word per channel.
// CHECK-LABEL: func.func @ternary(
// CHECK-NEXT:    %[[U:.*]] = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x8, ["10110010", "00101000"]>, weight_bits = 2 : i64, thresholds = dense<{{\[\[}}-1, 2], [0, 1]]> : tensor<2x2xi64>, offset = -1 : i64} : tensor<4xsi2> -> tensor<2xsi2>
// CHECK-NEXT:    func.return %[[U]] : tensor<2xsi2>
func.func @ternary(%x: tensor<4xsi2>) -> tensor<2xsi2> {
  %p = lowbit.bitplanes %x : tensor<4xsi2> -> !lowbit.packed<2x4xi1>
  %y = lowbit.plane_popcount %p {element = si2, weights = #lowbit.ints<2x4, si2, "0x01FF000100010100">, fold = #lowbit.fold<pe = 1, simd = 4>} : !lowbit.packed<2x4xi1> -> tensor<2xsi5>
  %t = lowbit.threshold %y {thresholds = dense<[[-1, 2], [0, 1]]> : tensor<2x2xi64>, offset = -1 : i64} : tensor<2xsi5> -> tensor<2xsi2>
  func.return %t : tensor<2xsi2>
}

// -----

// One plane per cycle: tile's `serial` choice travels to the unit.
// CHECK-LABEL: func.func @serial(
// CHECK-NEXT:    %{{.*}} = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, ["01", "11", "00", "11"]>, serial = true, thresholds = dense<{{\[\[}}0, 1, 2], [-3, 0, 3]]> : tensor<2x3xi64>} : tensor<4xui2> -> tensor<2xui2>
func.func @serial(%x: tensor<4xui2>) -> tensor<2xui2> {
  %p = lowbit.bitplanes %x : tensor<4xui2> -> !lowbit.packed<2x4xi1>
  %y = lowbit.plane_popcount %p {element = ui2, weights = #lowbit.bits<2x4, "0x0E0C">, fold = #lowbit.fold<pe = 1, simd = 2>, serial = true} : !lowbit.packed<2x4xi1> -> tensor<2xsi5>
  %t = lowbit.threshold %y {thresholds = dense<[[0, 1, 2], [-3, 0, 3]]> : tensor<2x3xi64>} : tensor<2xsi5> -> tensor<2xui2>
  func.return %t : tensor<2xui2>
}

// -----

// A bipolar input with ternary weights runs on AND lanes over the input bits a = (x + 1) / 2:
// S = sum a_k w_k and dot = 2S - sum_k w_k, so dot >= t becomes S >= ceil((t + rowsum) / 2).
// Row 0 [1, -1, 0, 1] sums to 1: t = 2 -> S >= 2 (ceil(3 / 2)); row 1 [0, 1, 1, 0] sums to 2:
// t = -9 -> ceil(-7 / 2) = -3, inside the unit's range [-8, 4] (4 inputs x si2 weights).
// CHECK-LABEL: func.func @and_lanes(
// CHECK-NEXT:    %[[P:.*]] = lowbit.pack %x : tensor<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %{{.*}} = lowbit.mvu %[[P]] {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x8, ["10110010", "00101000"]>, weight_bits = 2 : i64, thresholds = dense<{{\[\[}}2], [-3]]> : tensor<2x1xi64>} : !lowbit.packed<4x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
func.func @and_lanes(%x: tensor<4x!lowbit.bipolar>) -> !lowbit.packed<2x!lowbit.bipolar> {
  %p = lowbit.bitplanes %x : tensor<4x!lowbit.bipolar> -> !lowbit.packed<1x4xi1>
  %y = lowbit.plane_popcount %p {element = !lowbit.bipolar, weights = #lowbit.ints<2x4, si2, "0x01FF000100010100">, fold = #lowbit.fold<pe = 1, simd = 4>} : !lowbit.packed<1x4xi1> -> tensor<2xsi4>
  %t = lowbit.threshold %y {thresholds = dense<[[2], [-9]]> : tensor<2x1xi64>} : tensor<2xsi4> -> tensor<2x!lowbit.bipolar>
  %q = lowbit.pack %t : tensor<2x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
  func.return %q : !lowbit.packed<2x!lowbit.bipolar>
}

// -----

// The raw result of AND lanes is S = sum a_k w_k; the host turns it into the dot product with
// the weights' row sums (row 0 [1, -1, 0, 1] sums to 1, row 1 [0, 1, 1, 0] to 2). The unit's
// range [-8, 4] (4 inputs x si2 lanes) fits the product's si4. PE 1 x SIMD 2: words 0x0D
// (1 -> 01, -1 -> 11), 0x04 (0, 1), 0x04 (0, 1), 0x01 (1, 0).
// CHECK-LABEL: func.func @and_raw(
// CHECK-NEXT:    %[[P:.*]] = lowbit.pack %x : tensor<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %[[S:.*]] = lowbit.mvu %[[P]] {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x4, ["1011", "0010", "0010", "1000"]>, weight_bits = 2 : i64} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xsi4>
// CHECK-NEXT:    %[[D:.*]] = lowbit.and_to_dot %[[S]] {row_sums = dense<[1, 2]> : tensor<2xi64>} : tensor<2xsi4> -> tensor<2xsi4>
// CHECK-NEXT:    func.return %[[D]]
func.func @and_raw(%x: tensor<4x!lowbit.bipolar>) -> tensor<2xsi4> {
  %p = lowbit.bitplanes %x : tensor<4x!lowbit.bipolar> -> !lowbit.packed<1x4xi1>
  %y = lowbit.plane_popcount %p {element = !lowbit.bipolar, weights = #lowbit.ints<2x4, si2, "0x01FF000100010100">, fold = #lowbit.fold<pe = 1, simd = 2>} : !lowbit.packed<1x4xi1> -> tensor<2xsi4>
  func.return %y : tensor<2xsi4>
}
