// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of the graph-level lowbit ops (ops_graph.py).

// CHECK: Operation does not verify: reshape from [4] to [5] changes the element count
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.reshape %x : tensor<4xf32> -> tensor<5xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: reshape must keep the element type
func.func @f(%x: tensor<2x2xf32>) {
  %y = lowbit.reshape %x : tensor<2x2xf32> -> tensor<4xi64>
  func.return
}

// -----

// CHECK: Operation does not verify: elementwise input must be a tensor of f32, got tensor<4xi64>
func.func @f(%x: tensor<4xi64>) {
  %y = lowbit.elementwise %x {kind = #lowbit<elementwise_kind mul>, constant = dense<2.0> : tensor<1xf32>} : tensor<4xi64> -> tensor<4xi64>
  func.return
}

// -----

// CHECK: Operation does not verify: elementwise result tensor<8xf32> differs from input tensor<4xf32>
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.elementwise %x {kind = #lowbit<elementwise_kind add>, constant = dense<2.0> : tensor<1xf32>} : tensor<4xf32> -> tensor<8xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: elementwise constant of shape [3] does not broadcast to [4]
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.elementwise %x {kind = #lowbit<elementwise_kind sub>, constant = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>} : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----

// A per-channel constant follows the first axis: [2] broadcasts to [2, 3], [3] does not.
// CHECK: Operation does not verify: elementwise constant of shape [3] does not broadcast to [2, 3]
func.func @f(%x: tensor<2x3xf32>) {
  %ok = lowbit.elementwise %x {kind = #lowbit<elementwise_kind mul>, constant = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %y = lowbit.elementwise %x {kind = #lowbit<elementwise_kind mul>, constant = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>} : tensor<2x3xf32> -> tensor<2x3xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: batchnorm input must be a tensor of f32, got tensor<2xsi3>
func.func @f(%x: tensor<2xsi3>) {
  %y = lowbit.batchnorm %x {scale = dense<1.0> : tensor<2xf32>, bias = dense<0.0> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<2xsi3> -> tensor<2xsi3>
  func.return
}

// -----

// CHECK: Operation does not verify: batchnorm result tensor<3xf32> differs from input tensor<2xf32>
func.func @f(%x: tensor<2xf32>) {
  %y = lowbit.batchnorm %x {scale = dense<1.0> : tensor<2xf32>, bias = dense<0.0> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<2xf32> -> tensor<3xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: batchnorm scale has shape [1], expected [2]
func.func @f(%x: tensor<2xf32>) {
  %y = lowbit.batchnorm %x {scale = dense<1.0> : tensor<1xf32>, bias = dense<0.0> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: batchnorm bias has shape [3], expected [2]
func.func @f(%x: tensor<2xf32>) {
  %y = lowbit.batchnorm %x {scale = dense<1.0> : tensor<2xf32>, bias = dense<0.0> : tensor<3xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: batchnorm mean has shape [2, 1], expected [2]
func.func @f(%x: tensor<2xf32>) {
  %y = lowbit.batchnorm %x {scale = dense<1.0> : tensor<2xf32>, bias = dense<0.0> : tensor<2xf32>, mean = dense<0.0> : tensor<2x1xf32>, var = dense<1.0> : tensor<2xf32>, epsilon = 1.0e-05 : f32} : tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: batchnorm var has shape [4], expected [2]
func.func @f(%x: tensor<2xf32>) {
  %y = lowbit.batchnorm %x {scale = dense<1.0> : tensor<2xf32>, bias = dense<0.0> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<1.0> : tensor<4xf32>, epsilon = 1.0e-05 : f32} : tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----

// var = -0.5 with epsilon 0.25: var + epsilon < 0 in channel 1.
// CHECK: Operation does not verify: batchnorm var + epsilon is negative
func.func @f(%x: tensor<2xf32>) {
  %y = lowbit.batchnorm %x {scale = dense<1.0> : tensor<2xf32>, bias = dense<0.0> : tensor<2xf32>, mean = dense<0.0> : tensor<2xf32>, var = dense<[1.0, -0.5]> : tensor<2xf32>, epsilon = 0.25 : f32} : tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: quantize input must be a tensor of f32, got tensor<4xsi8>
func.func @f(%x: tensor<4xsi8>) {
  %y = lowbit.quantize %x : tensor<4xsi8> -> tensor<4x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: quantize result tensor<5x!lowbit.bipolar> must have the input's shape [4]
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.quantize %x : tensor<4xf32> -> tensor<5x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: a bipolar quantize takes no scale or thresholds
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.quantize %x {scale = dense<1.0> : tensor<1xf32>} : tensor<4xf32> -> tensor<4x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: a bipolar quantize takes no scale or thresholds
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.quantize %x {thresholds = dense<0.0> : tensor<1x1xf32>} : tensor<4xf32> -> tensor<4x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: quantize result must be bipolar, siN or uiN, got i4
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.quantize %x {scale = dense<1.0> : tensor<1xf32>} : tensor<4xf32> -> tensor<4xi4>
  func.return
}

// -----

// CHECK: Operation does not verify: thresholds must be [C, T], got shape [3]
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.quantize %x {thresholds = dense<[0.0, 1.0, 2.0]> : tensor<3xf32>} : tensor<4xf32> -> tensor<4xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: thresholds must be sorted ascending along each channel
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.quantize %x {thresholds = dense<[[0.0, 2.0, 1.0]]> : tensor<1x3xf32>} : tensor<4xf32> -> tensor<4xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: an integer quantize needs a scale or thresholds
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.quantize %x : tensor<4xf32> -> tensor<4xsi4>
  func.return
}

// -----

// CHECK: Operation does not verify: quantize scale of shape [2] does not broadcast to [4]
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.quantize %x {scale = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<4xf32> -> tensor<4xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: quantize scale must be positive
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.quantize %x {scale = dense<[1.0, 2.0, 0.0, 4.0]> : tensor<4xf32>} : tensor<4xf32> -> tensor<4xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: matmul input must be a bipolar or siN/uiN tensor, got tensor<8xf32>
func.func @f(%x: tensor<8xf32>) {
  %y = lowbit.matmul %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : tensor<8xf32> -> tensor<4xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: matmul input shape [16] does not match fan-in 8
func.func @f(%x: tensor<16x!lowbit.bipolar>) {
  %y = lowbit.matmul %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : tensor<16x!lowbit.bipolar> -> tensor<4xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: matmul result tensor<2xsi5> must have shape [4]
func.func @f(%x: tensor<8x!lowbit.bipolar>) {
  %y = lowbit.matmul %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : tensor<8x!lowbit.bipolar> -> tensor<2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: matmul must produce siN or uiN integers, got tensor<4xi5>
func.func @f(%x: tensor<8x!lowbit.bipolar>) {
  %y = lowbit.matmul %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : tensor<8x!lowbit.bipolar> -> tensor<4xi5>
  func.return
}

// -----

// K = 8: the dot product lies in [-8, 8], which needs si5 (si4 stops at 7).
// CHECK: Operation does not verify: matmul result si4 cannot hold the range [-8, 8] (needs si5)
func.func @f(%x: tensor<8x!lowbit.bipolar>) {
  %y = lowbit.matmul %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : tensor<8x!lowbit.bipolar> -> tensor<4xsi4>
  func.return
}

// -----

// An unsigned accumulator cannot hold the negative half.
// CHECK: Operation does not verify: matmul result ui8 cannot hold the range [-8, 8] (needs si5)
func.func @f(%x: tensor<8x!lowbit.bipolar>) {
  %y = lowbit.matmul %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : tensor<8x!lowbit.bipolar> -> tensor<4xui8>
  func.return
}

// -----

// CHECK: Operation does not verify: dequantize input must be an integer or bipolar tensor, got tensor<4xf32>
func.func @f(%x: tensor<4xf32>) {
  %y = lowbit.dequantize %x {scale = dense<1.0> : tensor<1xf32>} : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: dequantize result must be a tensor of f32, got tensor<4xf64>
func.func @f(%x: tensor<4xsi5>) {
  %y = lowbit.dequantize %x {scale = dense<1.0> : tensor<1xf32>} : tensor<4xsi5> -> tensor<4xf64>
  func.return
}

// -----

// CHECK: Operation does not verify: dequantize must keep the shape
func.func @f(%x: tensor<4xsi5>) {
  %y = lowbit.dequantize %x {scale = dense<1.0> : tensor<1xf32>} : tensor<4xsi5> -> tensor<2x2xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: dequantize scale of shape [2, 2] does not broadcast to [4]
func.func @f(%x: tensor<4xsi5>) {
  %y = lowbit.dequantize %x {scale = dense<1.0> : tensor<2x2xf32>} : tensor<4xsi5> -> tensor<4xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: threshold input must be an integer tensor, got tensor<2xf32>
func.func @f(%x: tensor<2xf32>) {
  %y = lowbit.threshold %x {thresholds = dense<[[0], [1]]> : tensor<2x1xi64>} : tensor<2xf32> -> tensor<2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: threshold result tensor<3x!lowbit.bipolar> must have the input's shape
func.func @f(%x: tensor<2xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[[0], [1]]> : tensor<2x1xi64>} : tensor<2xsi5> -> tensor<3x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: thresholds have shape [3, 1], expected [2, T]
func.func @f(%x: tensor<2xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[[0], [1], [2]]> : tensor<3x1xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: thresholds have shape [2], expected [2, T]
func.func @f(%x: tensor<2xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[0, 1]> : tensor<2xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: threshold result must be bipolar, uiK or siK, got i2
func.func @f(%x: tensor<2xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[[0, 1, 2], [0, 1, 2]]> : tensor<2x3xi64>} : tensor<2xsi5> -> tensor<2xi2>
  func.return
}

// -----

// CHECK: Operation does not verify: !lowbit.bipolar output needs 1 thresholds per channel, got 2
func.func @f(%x: tensor<2xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[[0, 1], [0, 1]]> : tensor<2x2xi64>} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
  func.return
}

// -----

// Without an offset, si2 counts 0..3 overflow its top value 1.
// CHECK: Operation does not verify: si2 output holds [-2, 1], but 3 thresholds with offset 0 give [0, 3]
func.func @f(%x: tensor<2xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[[0, 1, 2], [0, 1, 2]]> : tensor<2x3xi64>} : tensor<2xsi5> -> tensor<2xsi2>
  func.return
}

// -----

// CHECK: Operation does not verify: ui2 output holds [0, 3], but 3 thresholds with offset -1 give [-1, 2]
func.func @f(%x: tensor<2xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[[0, 1, 2], [0, 1, 2]]> : tensor<2x3xi64>, offset = -1 : i64} : tensor<2xsi5> -> tensor<2xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: a bipolar threshold output takes no offset
func.func @f(%x: tensor<2xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[[0], [1]]> : tensor<2x1xi64>, offset = -1 : i64} : tensor<2xsi5> -> tensor<2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: thresholds of channel 2 are not sorted ascending
func.func @f(%x: tensor<3xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[[0, 1, 2], [5, 5, 5], [3, 4, 1]]> : tensor<3x3xi64>} : tensor<3xsi5> -> tensor<3xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: topk input must be a tensor of f32, got tensor<10xsi8>
func.func @f(%x: tensor<10xsi8>) {
  %y = lowbit.topk %x {k = 1 : i64} : tensor<10xsi8> -> tensor<1xi64>
  func.return
}

// -----

// CHECK: Operation does not verify: topk k = 0 is outside [1, 10]
func.func @f(%x: tensor<10xf32>) {
  %y = lowbit.topk %x {k = 0 : i64} : tensor<10xf32> -> tensor<0xi64>
  func.return
}

// -----

// CHECK: Operation does not verify: topk k = 11 is outside [1, 10]
func.func @f(%x: tensor<10xf32>) {
  %y = lowbit.topk %x {k = 11 : i64} : tensor<10xf32> -> tensor<11xi64>
  func.return
}

// -----

// CHECK: Operation does not verify: topk result tensor<2xi64> must have shape [2, 3]
func.func @f(%x: tensor<2x10xf32>) {
  %y = lowbit.topk %x {k = 3 : i64} : tensor<2x10xf32> -> tensor<2xi64>
  func.return
}

// -----

// CHECK: Operation does not verify: thresholds have 3 rows, expected 1 or 2 (one per channel)
func.func @f(%x: tensor<2xf32>) {
  %y = lowbit.quantize %x {thresholds = dense<[[0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]> : tensor<3x3xf32>} : tensor<2xf32> -> tensor<2xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: ui2 output needs 3 thresholds per channel, got 2
func.func @f(%x: tensor<2xf32>) {
  %y = lowbit.quantize %x {thresholds = dense<[[0.0, 1.0]]> : tensor<1x2xf32>} : tensor<2xf32> -> tensor<2xui2>
  func.return
}

// -----

// A 2-bit signed input: |dot| <= 8 * 2 = 16 needs si6.
// CHECK: Operation does not verify: matmul result si5 cannot hold the range [-16, 16] (needs si6)
func.func @f(%x: tensor<8xsi2>) {
  %y = lowbit.matmul %x {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : tensor<8xsi2> -> tensor<4xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: threshold axis 2 is outside the 2-D input
func.func @f(%x: tensor<2x3xsi5>) {
  %y = lowbit.threshold %x {thresholds = dense<[[3], [-1], [0]]> : tensor<3x1xi64>, axis = 2 : i64} : tensor<2x3xsi5> -> tensor<2x3x!lowbit.bipolar>
  func.return
}
