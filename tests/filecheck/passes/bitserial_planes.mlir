// RUN: lowbitc-opt %s -p bitserial | filecheck %s

// Activations of 2 to 4 bits, and bipolar activations with multi-bit weights, become bit planes
// and one plane-popcount each; the result stays the exact dot product, so the thresholds are
// unchanged. The 8-bit input layer keeps its integer product.

// CHECK-LABEL: func.func @mlp(
// CHECK-NEXT:    %[[Q:.*]] = lowbit.quantize %in {{.*}} : tensor<4xf32> -> tensor<4xsi8>
// CHECK-NEXT:    %[[A:.*]] = lowbit.matmul %[[Q]] {weights = #lowbit.ints<2x4, si2, {{\[\[}}1, -1, 0, 1], [0, 1, 1, 0]]>} : tensor<4xsi8> -> tensor<2xsi11>
// CHECK-NEXT:    %[[T:.*]] = lowbit.threshold %[[A]] {thresholds = dense<{{\[\[}}-1, 2], [0, 1]]> : tensor<2x2xi64>, offset = -1 : i64} : tensor<2xsi11> -> tensor<2xsi2>
// CHECK-NEXT:    %[[P:.*]] = lowbit.bitplanes %[[T]] : tensor<2xsi2> -> !lowbit.packed<2x2xi1>
// CHECK-NEXT:    %[[B:.*]] = lowbit.plane_popcount %[[P]] {element = si2, weights = #lowbit.ints<3x2, si3, {{\[\[}}3, -3], [-1, 1], [0, -4]]>} : !lowbit.packed<2x2xi1> -> tensor<3xsi6>
// CHECK-NEXT:    %[[U:.*]] = lowbit.threshold %[[B]] {thresholds = dense<{{\[\[}}0, 1, 2], [0, 1, 2], [0, 1, 2]]> : tensor<3x3xi64>} : tensor<3xsi6> -> tensor<3xui2>
// CHECK-NEXT:    %[[P2:.*]] = lowbit.bitplanes %[[U]] : tensor<3xui2> -> !lowbit.packed<2x3xi1>
// CHECK-NEXT:    %[[C:.*]] = lowbit.plane_popcount %[[P2]] {element = ui2, weights = #lowbit.bits<2x3, ["101", "010"]>} : !lowbit.packed<2x3xi1> -> tensor<2xsi5>
// CHECK-NEXT:    %[[D:.*]] = lowbit.threshold %[[C]] {thresholds = dense<{{\[\[}}0], [1]]> : tensor<2x1xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
// CHECK-NEXT:    %[[P3:.*]] = lowbit.bitplanes %[[D]] : tensor<2x!lowbit.bipolar> -> !lowbit.packed<1x2xi1>
// CHECK-NEXT:    %[[E:.*]] = lowbit.plane_popcount %[[P3]] {element = !lowbit.bipolar, weights = #lowbit.ints<1x2, ui3, {{\[\[}}7, 5]]>} : !lowbit.packed<1x2xi1> -> tensor<1xsi5>
// CHECK-NEXT:    func.return %[[E]]
func.func @mlp(%in: tensor<4xf32>) -> tensor<1xsi5> {
  %q = lowbit.quantize %in {scale = dense<1.0> : tensor<1xf32>} : tensor<4xf32> -> tensor<4xsi8>
  %a = lowbit.matmul %q {weights = #lowbit.ints<2x4, si2, "0x01FF000100010100">} : tensor<4xsi8> -> tensor<2xsi11>
  %t = lowbit.threshold %a {thresholds = dense<[[-1, 2], [0, 1]]> : tensor<2x2xi64>, offset = -1 : i64} : tensor<2xsi11> -> tensor<2xsi2>
  %b = lowbit.matmul %t {weights = #lowbit.ints<3x2, si3, "0x03FDFF0100FC">} : tensor<2xsi2> -> tensor<3xsi6>
  %u = lowbit.threshold %b {thresholds = dense<[[0, 1, 2], [0, 1, 2], [0, 1, 2]]> : tensor<3x3xi64>} : tensor<3xsi6> -> tensor<3xui2>
  %c = lowbit.matmul %u {weights = #lowbit.bits<2x3, "0x0502">} : tensor<3xui2> -> tensor<2xsi5>
  %d = lowbit.threshold %c {thresholds = dense<[[0], [1]]> : tensor<2x1xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
  %e = lowbit.matmul %d {weights = #lowbit.ints<1x2, ui3, "0x0705">} : tensor<2x!lowbit.bipolar> -> tensor<1xsi5>
  func.return %e : tensor<1xsi5>
}
