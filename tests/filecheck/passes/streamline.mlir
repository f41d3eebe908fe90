// RUN: lowbitc-opt %s -p streamline | filecheck %s
// RUN: lowbitc-opt %s -p streamline | filecheck %s --check-prefix=GONE

// streamline folds the float chain between a matmul and the next quantizer into integer
// thresholds on the accumulator. K = 8 here, so the accumulator a ranges over [-8, 8] (the pass
// evaluates every integer of that range; real dot products of 8 bipolar values are even).

// BatchNorm with var = 1, epsilon = 0 (sqrt = 1, exact), after dequantize by 0.5:
//   y_c = (0.5 a - mean_c) * gamma_c + beta_c, output +1 iff y_c >= 0.
// c0: gamma  1, mean 0.75, beta  0:  0.5a - 0.75 >= 0  <=> a >= 1.5  <=> a >= 2      -> t = 2
// c1: gamma -1, mean 0,    beta  1: -0.5a + 1    >= 0  <=> a <= 2: falls as a rises, so the
//     pass negates weight row 1 (a' = -a) and needs a' >= -2                          -> t = -2
// c2: gamma  0,            beta  0.5: y = 0.5 >= 0 for every a: always fires, t = lo = -8
// c3: gamma  0,            beta -0.5: y < 0 for every a: never fires, t = hi + 1 = 9
// Weights 0x0F 0xF0 0xA5 0x5A (one byte per row): only row 1 flips, 0xF0 -> 0x0F.

// CHECK-LABEL: func.func @batchnorm(
// CHECK-SAME:      %[[X:.*]]: tensor<8x!lowbit.bipolar>)
// CHECK-NEXT:    %[[MM:.*]] = lowbit.matmul %[[X]] {weights = #lowbit.bits<4x8, ["11110000", "11110000", "10100101", "01011010"]>} : tensor<8x!lowbit.bipolar> -> tensor<4xsi5>
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[MM]] {thresholds = dense<{{\[\[}}2], [-2], [-8], [9]]> : tensor<4x1xi64>} : tensor<4xsi5> -> tensor<4x!lowbit.bipolar>
// CHECK-NEXT:    func.return %[[T]] : tensor<4x!lowbit.bipolar>
// CHECK-NEXT:  }
func.func @batchnorm(%x: tensor<8x!lowbit.bipolar>) -> tensor<4x!lowbit.bipolar> {
  %acc = lowbit.matmul %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : tensor<8x!lowbit.bipolar> -> tensor<4xsi5>
  %f = lowbit.dequantize %acc {scale = dense<0.5> : tensor<1xf32>} : tensor<4xsi5> -> tensor<4xf32>
  %bn = lowbit.batchnorm %f {scale = dense<[1.0, -1.0, 0.0, 0.0]> : tensor<4xf32>, bias = dense<[0.0, 1.0, 0.5, -0.5]> : tensor<4xf32>, mean = dense<[0.75, 0.0, 0.0, 0.0]> : tensor<4xf32>, var = dense<1.0> : tensor<4xf32>, epsilon = 0.0 : f32} : tensor<4xf32> -> tensor<4xf32>
  %q = lowbit.quantize %bn : tensor<4xf32> -> tensor<4x!lowbit.bipolar>
  func.return %q : tensor<4x!lowbit.bipolar>
}

// The input quantizer of the network (host data, no matmul upstream) stays; the chain
// dequantize -> elementwise add -> quantize after the matmul folds. A negative per-channel
// dequantize scale also makes a channel fall:
// c0: a * 1 + 1.5 >= 0   <=> a >= -1.5 <=> a >= -1                  -> t = -1
// c1: a * -1 + 1.5 >= 0  <=> a <= 1.5 <=> -a >= -1.5 <=> a' >= -1   -> t = -1, row 1 flips
// Rows 0x3C, 0x81: row 1 becomes 0x7E.

// CHECK-LABEL: func.func @host_input(
// CHECK-SAME:      %[[IN:.*]]: tensor<8xf32>)
// CHECK-NEXT:    %[[Q:.*]] = lowbit.quantize %[[IN]] : tensor<8xf32> -> tensor<8x!lowbit.bipolar>
// CHECK-NEXT:    %[[MM:.*]] = lowbit.matmul %[[Q]] {weights = #lowbit.bits<2x8, ["00111100", "01111110"]>} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[MM]] {thresholds = dense<-1> : tensor<2x1xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
// CHECK-NEXT:    func.return %[[T]]
func.func @host_input(%in: tensor<8xf32>) -> tensor<2x!lowbit.bipolar> {
  %q = lowbit.quantize %in : tensor<8xf32> -> tensor<8x!lowbit.bipolar>
  %acc = lowbit.matmul %q {weights = #lowbit.bits<2x8, "0x3C81">} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
  %f = lowbit.dequantize %acc {scale = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<2xsi5> -> tensor<2xf32>
  %b = lowbit.elementwise %f {kind = #lowbit<elementwise_kind add>, constant = dense<1.5> : tensor<1xf32>} : tensor<2xf32> -> tensor<2xf32>
  %q2 = lowbit.quantize %b : tensor<2xf32> -> tensor<2x!lowbit.bipolar>
  func.return %q2 : tensor<2x!lowbit.bipolar>
}

// A 2-bit unsigned quantizer becomes 3 thresholds per channel. code = clip(round(a / 2), 0, 3)
// with round half to even: a = 1 -> round(0.5) = 0, a = 2 -> 1, a = 3 -> round(1.5) = 2,
// a = 5 -> round(2.5) = 2, a = 6 -> 3. Level 1 from a = 2, level 2 from 3, level 3 from 6.

// CHECK-LABEL: func.func @two_bit(
// CHECK:         %[[MM:.*]] = lowbit.matmul %{{.*}} {weights = #lowbit.bits<2x8, ["11110000", "00001111"]>}
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[MM]] {thresholds = dense<{{\[\[}}2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>} : tensor<2xsi5> -> tensor<2xui2>
// CHECK-NEXT:    func.return %[[T]] : tensor<2xui2>
func.func @two_bit(%x: tensor<8x!lowbit.bipolar>) -> tensor<2xui2> {
  %acc = lowbit.matmul %x {weights = #lowbit.bits<2x8, "0x0FF0">} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
  %f = lowbit.dequantize %acc {scale = dense<1.0> : tensor<1xf32>} : tensor<2xsi5> -> tensor<2xf32>
  %q = lowbit.quantize %f {scale = dense<2.0> : tensor<1xf32>} : tensor<2xf32> -> tensor<2xui2>
  func.return %q : tensor<2xui2>
}

// A falling multi-bit channel: dequantize by -1 makes code = clip(round(-a / 2), 0, 3), which
// is the @two_bit staircase in a' = -a: row 1 flips (0xF0 -> 0x0F) and keeps [2, 3, 6].

// CHECK-LABEL: func.func @two_bit_falling(
// CHECK-NEXT:    %[[MM:.*]] = lowbit.matmul %{{.*}} {weights = #lowbit.bits<2x8, ["11110000", "11110000"]>} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[MM]] {thresholds = dense<{{\[\[}}2, 3, 6], [2, 3, 6]]> : tensor<2x3xi64>} : tensor<2xsi5> -> tensor<2xui2>
// CHECK-NEXT:    func.return %[[T]] : tensor<2xui2>
func.func @two_bit_falling(%x: tensor<8x!lowbit.bipolar>) -> tensor<2xui2> {
  %acc = lowbit.matmul %x {weights = #lowbit.bits<2x8, "0x0FF0">} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
  %f = lowbit.dequantize %acc {scale = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<2xsi5> -> tensor<2xf32>
  %q = lowbit.quantize %f {scale = dense<2.0> : tensor<1xf32>} : tensor<2xf32> -> tensor<2xui2>
  func.return %q : tensor<2xui2>
}

// A reshape inside the chain (FINN's Unsqueeze around BatchNorm) is folded too; the threshold
// works on the accumulator's shape and a reshape restores the quantizer's.
// var = 4 (sqrt = 2): c0: (a - 3) / 2 * 2 >= 0 <=> a >= 3; c1: (a + 3) / 2 >= 0 <=> a >= -3.

// CHECK-LABEL: func.func @reshaped(
// CHECK:         %[[MM:.*]] = lowbit.matmul
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[MM]] {thresholds = dense<{{\[\[}}3], [-3]]> : tensor<2x1xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
// CHECK-NEXT:    %[[R:.*]] = lowbit.reshape %[[T]] : tensor<2x!lowbit.bipolar> -> tensor<2x1x!lowbit.bipolar>
// CHECK-NEXT:    func.return %[[R]] : tensor<2x1x!lowbit.bipolar>
func.func @reshaped(%x: tensor<8x!lowbit.bipolar>) -> tensor<2x1x!lowbit.bipolar> {
  %acc = lowbit.matmul %x {weights = #lowbit.bits<2x8, "0x0FF0">} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
  %f = lowbit.dequantize %acc {scale = dense<1.0> : tensor<1xf32>} : tensor<2xsi5> -> tensor<2xf32>
  %r = lowbit.reshape %f : tensor<2xf32> -> tensor<2x1xf32>
  %bn = lowbit.batchnorm %r {scale = dense<[2.0, 1.0]> : tensor<2xf32>, bias = dense<[0.0, 0.0]> : tensor<2xf32>, mean = dense<[3.0, -3.0]> : tensor<2xf32>, var = dense<4.0> : tensor<2xf32>, epsilon = 0.0 : f32} : tensor<2x1xf32> -> tensor<2x1xf32>
  %q = lowbit.quantize %bn : tensor<2x1xf32> -> tensor<2x1x!lowbit.bipolar>
  func.return %q : tensor<2x1x!lowbit.bipolar>
}

// The float epilogue after the last matmul (no quantizer) is host code and stays.

// CHECK-LABEL: func.func @epilogue(
// CHECK-NEXT:    %[[MM:.*]] = lowbit.matmul
// CHECK-NEXT:    %[[F:.*]] = lowbit.dequantize %[[MM]] {scale = dense<2.500000e-01> : tensor<1xf32>}
// CHECK-NEXT:    func.return %[[F]] : tensor<2xf32>
func.func @epilogue(%x: tensor<8x!lowbit.bipolar>) -> tensor<2xf32> {
  %acc = lowbit.matmul %x {weights = #lowbit.bits<2x8, "0x0FF0">} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
  %f = lowbit.dequantize %acc {scale = dense<0.25> : tensor<1xf32>} : tensor<2xsi5> -> tensor<2xf32>
  func.return %f : tensor<2xf32>
}

// No float op of a folded chain survives (the pass cleans the dead chains up).
// GONE-NOT: lowbit.batchnorm
// GONE-NOT: lowbit.elementwise
// GONE-NOT: lowbit.quantize %{{.*}} : tensor<{{[0-9x]+}}xf32> -> tensor<{{[0-9x]+}}xui2>
// GONE-NOT: "0xF0A55A"

// Ternary output (narrow signed 2-bit): code = clip(round(a / 2), -1, 1) is -1 up to a = -2,
// 0 for a in [-1, 1] (round half to even: round(-0.5) = round(0.5) = 0) and 1 from a = 2.
// Counts start at the lowest code, so thresholds [-1, 2] and offset -1.

// CHECK-LABEL: func.func @ternary(
// CHECK-NEXT:    %[[MM:.*]] = lowbit.matmul %{{.*}} {weights = #lowbit.ints<2x4, si2, {{\[\[}}1, -1, 0, 1], [0, 1, 1, 0]]>} : tensor<4xsi2> -> tensor<2xsi5>
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[MM]] {thresholds = dense<{{\[\[}}-1, 2], [-1, 2]]> : tensor<2x2xi64>, offset = -1 : i64} : tensor<2xsi5> -> tensor<2xsi2>
// CHECK-NEXT:    func.return %[[T]] : tensor<2xsi2>
func.func @ternary(%x: tensor<4xsi2>) -> tensor<2xsi2> {
  %acc = lowbit.matmul %x {weights = #lowbit.ints<2x4, si2, "0x01FF000100010100">} : tensor<4xsi2> -> tensor<2xsi5>
  %f = lowbit.dequantize %acc {scale = dense<1.0> : tensor<1xf32>} : tensor<2xsi5> -> tensor<2xf32>
  %q = lowbit.quantize %f {scale = dense<2.0> : tensor<1xf32>, narrow = true} : tensor<2xf32> -> tensor<2xsi2>
  func.return %q : tensor<2xsi2>
}

// A falling channel with multi-bit weights is negated; -(-2) = 2 does not fit si2, so the
// weights become si3 ([1, -1, 0, 1] and -[-2, 1, 0, 0] = [2, -1, 0, 0]) and the product widens
// to hold [-16, 8]. Row 1 in a' = -a is the rising staircase of @ternary: [-1, 2] again.

// CHECK-LABEL: func.func @ternary_falling(
// CHECK-NEXT:    %[[MM:.*]] = lowbit.matmul %{{.*}} {weights = #lowbit.ints<2x4, si3, {{\[\[}}1, -1, 0, 1], [2, -1, 0, 0]]>} : tensor<4xsi2> -> tensor<2xsi5>
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[MM]] {thresholds = dense<{{\[\[}}-1, 2], [-1, 2]]> : tensor<2x2xi64>, offset = -1 : i64} : tensor<2xsi5> -> tensor<2xsi2>
func.func @ternary_falling(%x: tensor<4xsi2>) -> tensor<2xsi2> {
  %acc = lowbit.matmul %x {weights = #lowbit.ints<2x4, si2, "0x01FF0001FE010000">} : tensor<4xsi2> -> tensor<2xsi6>
  %f = lowbit.dequantize %acc {scale = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<2xsi6> -> tensor<2xf32>
  %q = lowbit.quantize %f {scale = dense<2.0> : tensor<1xf32>, narrow = true} : tensor<2xf32> -> tensor<2xsi2>
  func.return %q : tensor<2xsi2>
}
