// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of the bit-plane ops.

// CHECK: Operation does not verify: bitplanes of tensor<4xsi2> must be !lowbit.packed<2x4xi1>, got !lowbit.packed<1x4xi1>
func.func @f(%x: tensor<4xsi2>) {
  %p = lowbit.bitplanes %x : tensor<4xsi2> -> !lowbit.packed<1x4xi1>
  func.return
}

// -----

// CHECK: Operation does not verify: bitplanes of tensor<4x!lowbit.bipolar> must be !lowbit.packed<1x4xi1>, got !lowbit.packed<1x4x!lowbit.bipolar>
func.func @f(%x: tensor<4x!lowbit.bipolar>) {
  %p = lowbit.bitplanes %x : tensor<4x!lowbit.bipolar> -> !lowbit.packed<1x4x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: expected a bipolar or siN/uiN element type, got f32
func.func @f(%x: tensor<4xf32>) {
  %p = lowbit.bitplanes %x : tensor<4xf32> -> !lowbit.packed<1x4xi1>
  func.return
}

// -----

// CHECK: Operation does not verify: plane_popcount of si3 takes 3 i1 planes, got !lowbit.packed<2x4xi1>
func.func @f(%p: !lowbit.packed<2x4xi1>) {
  %y = lowbit.plane_popcount %p {element = si3, weights = #lowbit.bits<2x4, "0x0102">} : !lowbit.packed<2x4xi1> -> tensor<2xsi6>
  func.return
}

// -----

// CHECK: Operation does not verify: plane_popcount input has 4 elements per plane, weights expect 3
func.func @f(%p: !lowbit.packed<2x4xi1>) {
  %y = lowbit.plane_popcount %p {element = si2, weights = #lowbit.bits<2x3, "0x0102">} : !lowbit.packed<2x4xi1> -> tensor<2xsi6>
  func.return
}

// -----

// CHECK: Operation does not verify: plane_popcount result tensor<3xsi6> must have shape [2]
func.func @f(%p: !lowbit.packed<2x4xi1>) {
  %y = lowbit.plane_popcount %p {element = si2, weights = #lowbit.bits<2x4, "0x0102">} : !lowbit.packed<2x4xi1> -> tensor<3xsi6>
  func.return
}

// -----

// si2 inputs x binary weights over 4 elements: [-8, 8] needs si5.
// CHECK: Operation does not verify: plane_popcount result si4 cannot hold the range [-8, 8] (needs si5)
func.func @f(%p: !lowbit.packed<2x4xi1>) {
  %y = lowbit.plane_popcount %p {element = si2, weights = #lowbit.bits<2x4, "0x0102">} : !lowbit.packed<2x4xi1> -> tensor<2xsi4>
  func.return
}

// -----

// CHECK: Operation does not verify: folding PE 3 x SIMD 4 exceeds 2 channels x fan-in 4
func.func @f(%p: !lowbit.packed<2x4xi1>) {
  %y = lowbit.plane_popcount %p {element = si2, weights = #lowbit.bits<2x4, "0x0102">, fold = #lowbit.fold<pe = 3, simd = 4>} : !lowbit.packed<2x4xi1> -> tensor<2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: collect keeps the element kind, got tensor<2x2x1xsi2> -> tensor<4xui2>
func.func @f(%m: tensor<2x2x1xsi2>) {
  %v = lowbit.collect %m : tensor<2x2x1xsi2> -> tensor<4xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: and_to_dot row_sums have shape [3], expected [2]
func.func @f(%s: tensor<2xsi4>) {
  %d = lowbit.and_to_dot %s {row_sums = dense<[1, 2, 3]> : tensor<3xi64>} : tensor<2xsi4> -> tensor<2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: and_to_dot must keep the shape
func.func @f(%s: tensor<2xsi4>) {
  %d = lowbit.and_to_dot %s {row_sums = dense<[1, 2]> : tensor<2xi64>} : tensor<2xsi4> -> tensor<3xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: and_to_dot produces siN/uiN integers, got tensor<2xf32>
func.func @f(%s: tensor<2xsi4>) {
  %d = lowbit.and_to_dot %s {row_sums = dense<[1, 2]> : tensor<2xi64>} : tensor<2xsi4> -> tensor<2xf32>
  func.return
}
