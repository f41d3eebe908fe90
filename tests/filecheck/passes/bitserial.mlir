// RUN: lowbitc-opt %s -p bitserial | filecheck %s
// RUN: lowbitc-opt %s -p bitserial | filecheck %s --check-prefix=GONE

// bitserial: lowbit.matmul becomes lowbit.pack + lowbit.xnor_popcount. With K = 8 bits the
// popcount P counts agreeing bits, P in [0, 8] (ui4), and dot = 2P - 8. A threshold dot >= t
// moves to the popcount domain as P >= ceil((t + 8) / 2), clamped to [0, K + 1] = [0, 9]:
//   t =   2 -> ceil(10/2) = 5        t =  -2 -> ceil(6/2) = 3
//   t =  -8 -> 0 (always fires)      t =   9 -> ceil(17/2) = 9 (never fires)
//   t =  -5 -> ceil(3/2) = 2         t =  -7 -> ceil(1/2) = 1
//   t = -20 -> ceil(-12/2) = -6, clamped to 0      t = 20 -> 14, clamped to 9

// CHECK-LABEL: func.func @threshold(
// CHECK-SAME:      %[[X:.*]]: tensor<8x!lowbit.bipolar>)
// CHECK-NEXT:    %[[P:.*]] = lowbit.pack %[[X]] : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
// CHECK-NEXT:    %[[POP:.*]] = lowbit.xnor_popcount %[[P]] {weights = #lowbit.bits<8x8, ["11110000", "00001111", "10100101", "01011010", "01001000", "00101100", "01101010", "00011110"]>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<8xui4>
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[POP]] {thresholds = dense<{{\[\[}}5], [3], [0], [9], [2], [1], [0], [9]]> : tensor<8x1xi64>} : tensor<8xui4> -> tensor<8x!lowbit.bipolar>
// CHECK-NEXT:    func.return %[[T]] : tensor<8x!lowbit.bipolar>
func.func @threshold(%x: tensor<8x!lowbit.bipolar>) -> tensor<8x!lowbit.bipolar> {
  %acc = lowbit.matmul %x {weights = #lowbit.bits<8x8, "0x0FF0A55A12345678">} : tensor<8x!lowbit.bipolar> -> tensor<8xsi5>
  %t = lowbit.threshold %acc {thresholds = dense<[[2], [-2], [-8], [9], [-5], [-7], [-20], [20]]> : tensor<8x1xi64>} : tensor<8xsi5> -> tensor<8x!lowbit.bipolar>
  func.return %t : tensor<8x!lowbit.bipolar>
}

// Multi-thresholds map one by one: [2, 3, 6] -> [5, ceil(11/2) = 6, 7].

// CHECK-LABEL: func.func @two_bit(
// CHECK:         %[[POP:.*]] = lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<2x8, ["11110000", "00001111"]>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<2xui4>
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[POP]] {thresholds = dense<{{\[\[}}5, 6, 7], [1, 2, 3]]> : tensor<2x3xi64>} : tensor<2xui4> -> tensor<2xui2>
func.func @two_bit(%x: tensor<8x!lowbit.bipolar>) -> tensor<2xui2> {
  %acc = lowbit.matmul %x {weights = #lowbit.bits<2x8, "0x0FF0">} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
  %t = lowbit.threshold %acc {thresholds = dense<[[2, 3, 6], [-6, -4, -2]]> : tensor<2x3xi64>} : tensor<2xsi5> -> tensor<2xui2>
  func.return %t : tensor<2xui2>
}

// Any other use of the dot product gets one lowbit.xnor_to_dot (2P - K), shared by all such
// uses, next to the converted threshold. K = 10 here: P in [0, 10] is ui4, dot in [-10, 10] si5;
// the threshold t = 1 becomes P >= ceil(11/2) = 6.

// CHECK-LABEL: func.func @dot_uses(
// CHECK-SAME:      %[[X:.*]]: tensor<10x!lowbit.bipolar>)
// CHECK-NEXT:    %[[P:.*]] = lowbit.pack %[[X]] : tensor<10x!lowbit.bipolar> -> !lowbit.packed<10x!lowbit.bipolar>
// CHECK-NEXT:    %[[POP:.*]] = lowbit.xnor_popcount %[[P]] {weights = #lowbit.bits<2x10, ["1111111111", "0101010110"]>} : !lowbit.packed<10x!lowbit.bipolar> -> tensor<2xui4>
// CHECK-NEXT:    %[[DOT:.*]] = lowbit.xnor_to_dot %[[POP]] {fan_in = 10 : i64} : tensor<2xui4> -> tensor<2xsi5>
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[POP]] {thresholds = dense<6> : tensor<2x1xi64>} : tensor<2xui4> -> tensor<2x!lowbit.bipolar>
// CHECK-NEXT:    %[[F:.*]] = lowbit.dequantize %[[DOT]] {scale = dense<5.000000e-01> : tensor<1xf32>} : tensor<2xsi5> -> tensor<2xf32>
// CHECK-NEXT:    func.return %[[F]], %[[T]], %[[DOT]] : tensor<2xf32>, tensor<2x!lowbit.bipolar>, tensor<2xsi5>
func.func @dot_uses(%x: tensor<10x!lowbit.bipolar>) -> (tensor<2xf32>, tensor<2x!lowbit.bipolar>, tensor<2xsi5>) {
  %acc = lowbit.matmul %x {weights = #lowbit.bits<2x10, "0xFF03AA01">} : tensor<10x!lowbit.bipolar> -> tensor<2xsi5>
  %t = lowbit.threshold %acc {thresholds = dense<1> : tensor<2x1xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
  %f = lowbit.dequantize %acc {scale = dense<0.5> : tensor<1xf32>} : tensor<2xsi5> -> tensor<2xf32>
  func.return %f, %t, %acc : tensor<2xf32>, tensor<2x!lowbit.bipolar>, tensor<2xsi5>
}

// A chain: the second layer packs the first one's bipolar output. K = 4 for the second layer:
// P in [0, 4] is ui3 and t = 0 becomes ceil(4/2) = 2.

// CHECK-LABEL: func.func @chain(
// CHECK-NEXT:    %[[P0:.*]] = lowbit.pack
// CHECK-NEXT:    %[[POP0:.*]] = lowbit.xnor_popcount %[[P0]] {weights = #lowbit.bits<4x8, ["01001000", "00101100", "01101010", "00011110"]>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
// CHECK-NEXT:    %[[T0:.*]] = lowbit.threshold %[[POP0]] {thresholds = dense<{{\[\[}}4], [4], [5], [5]]> : tensor<4x1xi64>} : tensor<4xui4> -> tensor<4x!lowbit.bipolar>
// CHECK-NEXT:    %[[P1:.*]] = lowbit.pack %[[T0]] : tensor<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %[[POP1:.*]] = lowbit.xnor_popcount %[[P1]] {weights = #lowbit.bits<2x4, ["1010", "1001"]>} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
// CHECK-NEXT:    %[[T1:.*]] = lowbit.threshold %[[POP1]] {thresholds = dense<2> : tensor<2x1xi64>} : tensor<2xui3> -> tensor<2x!lowbit.bipolar>
// CHECK-NEXT:    func.return %[[T1]]
func.func @chain(%x: tensor<8x!lowbit.bipolar>) -> tensor<2x!lowbit.bipolar> {
  %a0 = lowbit.matmul %x {weights = #lowbit.bits<4x8, "0x12345678">} : tensor<8x!lowbit.bipolar> -> tensor<4xsi5>
  %t0 = lowbit.threshold %a0 {thresholds = dense<[[0], [-1], [1], [2]]> : tensor<4x1xi64>} : tensor<4xsi5> -> tensor<4x!lowbit.bipolar>
  %a1 = lowbit.matmul %t0 {weights = #lowbit.bits<2x4, "0x0509">} : tensor<4x!lowbit.bipolar> -> tensor<2xsi4>
  %t1 = lowbit.threshold %a1 {thresholds = dense<0> : tensor<2x1xi64>} : tensor<2xsi4> -> tensor<2x!lowbit.bipolar>
  func.return %t1 : tensor<2x!lowbit.bipolar>
}

// GONE-NOT: lowbit.matmul
