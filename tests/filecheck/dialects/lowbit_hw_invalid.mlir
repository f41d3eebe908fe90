// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of the bit-level and hardware lowbit ops (ops_hw.py).

// CHECK: Operation does not verify: pack input must be bipolar, got tensor<8xui1>
func.func @f(%x: tensor<8xui1>) {
  %p = lowbit.pack %x : tensor<8xui1> -> !lowbit.packed<8x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: pack must keep the logical shape
func.func @f(%x: tensor<8x!lowbit.bipolar>) {
  %p = lowbit.pack %x : tensor<8x!lowbit.bipolar> -> !lowbit.packed<2x4x!lowbit.bipolar>
  func.return
}

// -----

// Leading axes (output pixels) carry over to the result.
// CHECK: Operation does not verify: xnor_popcount result tensor<4xui4> must have shape [2, 4]
func.func @f(%x: !lowbit.packed<2x8x!lowbit.bipolar>) {
  %y = lowbit.xnor_popcount %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : !lowbit.packed<2x8x!lowbit.bipolar> -> tensor<4xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: xnor_popcount input has 16 bits, weights expect 8
func.func @f(%x: !lowbit.packed<16x!lowbit.bipolar>) {
  %y = lowbit.xnor_popcount %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : !lowbit.packed<16x!lowbit.bipolar> -> tensor<4xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: xnor_popcount result tensor<8xui4> must have shape [4]
func.func @f(%x: !lowbit.packed<8x!lowbit.bipolar>) {
  %y = lowbit.xnor_popcount %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<8xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: xnor_popcount must produce siN or uiN integers, got tensor<4xi4>
func.func @f(%x: !lowbit.packed<8x!lowbit.bipolar>) {
  %y = lowbit.xnor_popcount %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xi4>
  func.return
}

// -----

// P counts 0..8 agreeing bits: ui3 stops at 7.
// CHECK: Operation does not verify: xnor_popcount result ui3 cannot hold the range [0, 8] (needs ui4)
func.func @f(%x: !lowbit.packed<8x!lowbit.bipolar>) {
  %y = lowbit.xnor_popcount %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: PE 5 exceeds the 4 output channels
func.func @f(%x: !lowbit.packed<8x!lowbit.bipolar>) {
  %y = lowbit.xnor_popcount %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">, fold = #lowbit.fold<pe = 5, simd = 4>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: SIMD 9 exceeds fan-in 8
func.func @f(%x: !lowbit.packed<8x!lowbit.bipolar>) {
  %y = lowbit.xnor_popcount %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">, fold = #lowbit.fold<pe = 2, simd = 9>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: xnor_to_dot input must produce siN or uiN integers, got tensor<4xi4>
func.func @f(%x: tensor<4xi4>) {
  %y = lowbit.xnor_to_dot %x {fan_in = 8 : i64} : tensor<4xi4> -> tensor<4xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: xnor_to_dot input result ui3 cannot hold the range [0, 8] (needs ui4)
func.func @f(%x: tensor<4xui3>) {
  %y = lowbit.xnor_to_dot %x {fan_in = 8 : i64} : tensor<4xui3> -> tensor<4xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: xnor_to_dot result si4 cannot hold the range [-8, 8] (needs si5)
func.func @f(%x: tensor<4xui4>) {
  %y = lowbit.xnor_to_dot %x {fan_in = 8 : i64} : tensor<4xui4> -> tensor<4xsi4>
  func.return
}

// -----

// CHECK: Operation does not verify: xnor_to_dot must keep the shape
func.func @f(%x: tensor<4xui4>) {
  %y = lowbit.xnor_to_dot %x {fan_in = 8 : i64} : tensor<4xui4> -> tensor<2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu input must be packed bipolar bits or an siN/uiN tensor, got tensor<4xf32>
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">} : tensor<4xf32> -> tensor<2xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu result tensor<2x2xui3> must keep the input's leading axes []
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2x2xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu result i32 must keep the input's leading axes []
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> i32
  func.return
}

// -----

// CHECK: Operation does not verify: PE 4 exceeds the 2 output channels
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 4, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: SIMD 5 exceeds fan-in 4
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 5>, memory = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return
}

// -----

// C = 4, K = 8 with PE 2 x SIMD 4: NF = 2, SF = 2, so 4 words of 8 bits, not the 8x4 matrix.
// CHECK: Operation does not verify: weight memory is 8x4, folding PE 2 x SIMD 4 with 1-bit weights needs 4x8
func.func @f(%x: !lowbit.packed<8x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<8x4, "0x0102030405060708">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  func.return
}

// -----

// ui3 codes from 1 threshold: values [0, 1] fit, so this one verifies; f32 codes do not.
// CHECK: Operation does not verify: an mvu with thresholds produces packed bits or siN/uiN codes, got tensor<2xf32>
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %ok = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, thresholds = dense<[[1], [2]]> : tensor<2x1xi64>} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, thresholds = dense<[[1], [2]]> : tensor<2x1xi64>} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xf32>
  func.return
}

// -----

// Ternary codes: 2 thresholds with offset -1 give [-1, 1], inside si2; offset 0 gives [0, 2].
// CHECK: Operation does not verify: mvu result si2 holds [-2, 1], but 2 thresholds with offset 0 give [0, 2]
func.func @f(%x: tensor<4xsi2>) {
  %ok = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x8, "0x0509">, weight_bits = 2 : i64, thresholds = dense<[[-1, 1], [0, 2]]> : tensor<2x2xi64>, offset = -1 : i64} : tensor<4xsi2> -> tensor<2xsi2>
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x8, "0x0509">, weight_bits = 2 : i64, thresholds = dense<[[-1, 1], [0, 2]]> : tensor<2x2xi64>} : tensor<4xsi2> -> tensor<2xsi2>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu thresholds must be sorted ascending per channel
func.func @f(%x: tensor<4xsi2>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x8, "0x0509">, weight_bits = 2 : i64, thresholds = dense<[[1, -1], [0, 2]]> : tensor<2x2xi64>, offset = -1 : i64} : tensor<4xsi2> -> tensor<2xsi2>
  func.return
}

// -----

// CHECK: Operation does not verify: an mvu producing packed bits takes one threshold per channel and no offset
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, thresholds = dense<[[1], [2]]> : tensor<2x1xi64>, offset = 0 : i64} : !lowbit.packed<4x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu weight_bits 9 must be in [1, 8]
func.func @f(%x: tensor<4xsi2>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, weight_bits = 9 : i64} : tensor<4xsi2> -> tensor<2xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: a serial mvu needs multi-bit (siN/uiN) inputs
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, serial = true} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu thresholds have shape [3, 1], expected [2, T]
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, thresholds = dense<[[1], [2], [3]]> : tensor<3x1xi64>} : !lowbit.packed<4x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
  func.return
}

// -----

// K = 4: thresholds live in [0, K + 1] = [0, 5]; 6 is out.
// CHECK: Operation does not verify: mvu thresholds must lie in [0, 5] (accumulator domain)
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %ok = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, thresholds = dense<[[0], [5]]> : tensor<2x1xi64>} : !lowbit.packed<4x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, thresholds = dense<[[1], [6]]> : tensor<2x1xi64>} : !lowbit.packed<4x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu thresholds must lie in [0, 5] (accumulator domain)
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, thresholds = dense<[[-1], [2]]> : tensor<2x1xi64>} : !lowbit.packed<4x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: an mvu without thresholds produces the raw accumulator tensor
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> !lowbit.packed<2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: an mvu without thresholds produces the raw accumulator tensor
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">, offset = 1 : i64} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu result ui2 cannot hold the range [0, 4] (needs ui3)
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu must produce siN or uiN integers, got tensor<2xi3>
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xi3>
  func.return
}

// -----

// CHECK: Operation does not verify: fifo depth 0 must be at least 1
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.fifo %x {depth = 0 : i64} : !lowbit.packed<4x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: fifo depth -3 must be at least 1
func.func @f(%x: !lowbit.packed<4x!lowbit.bipolar>) {
  %y = lowbit.fifo %x {depth = -3 : i64} : !lowbit.packed<4x!lowbit.bipolar>
  func.return
}
