// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of lowbit.conv and lowbit.maxpool (ops_conv.py).

// CHECK: Operation does not verify: kernel needs 2 values, got 1
func.func @f(%x: tensor<1x4x4x!lowbit.bipolar>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x!lowbit.bipolar> -> tensor<1x2x2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: pads needs 4 values, got 2
func.func @f(%x: tensor<1x4x4x!lowbit.bipolar>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0>} : tensor<1x4x4x!lowbit.bipolar> -> tensor<1x2x2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: expected a bipolar or siN/uiN tensor, got tensor<1x4x4xf32>
func.func @f(%x: tensor<1x4x4xf32>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x4x4xf32> -> tensor<1x2x2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: conv input must be [C, H, W], got [16]
func.func @f(%x: tensor<16x!lowbit.bipolar>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<16x!lowbit.bipolar> -> tensor<1x2x2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: kernel and strides must be positive and pads non-negative
func.func @f(%x: tensor<1x4x4x!lowbit.bipolar>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x!lowbit.bipolar> -> tensor<1x2x2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: weights have fan-in 9, expected 2 x 3 x 3 = 18
func.func @f(%x: tensor<2x4x4x!lowbit.bipolar>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<2x4x4x!lowbit.bipolar> -> tensor<1x2x2xsi6>
  func.return
}

// -----

// CHECK: Operation does not verify: kernel 3x3 does not fit the padded 2x2 input
func.func @f(%x: tensor<1x2x2x!lowbit.bipolar>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x2x!lowbit.bipolar> -> tensor<1x1x1xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: conv result tensor<1x4x4xsi5> must have shape [1, 2, 2]
func.func @f(%x: tensor<1x4x4x!lowbit.bipolar>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x!lowbit.bipolar> -> tensor<1x4x4xsi5>
  func.return
}

// -----

// An 8-bit input: |dot| <= 9 * 128 = 1152 needs si12.
// CHECK: Operation does not verify: conv result si8 cannot hold the range [-1152, 1152] (needs si12)
func.func @f(%x: tensor<1x4x4xsi8>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x4x4xsi8> -> tensor<1x2x2xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: maxpool input must be [C, H, W], got [16]
func.func @f(%x: tensor<16x!lowbit.bipolar>) {
  %p = lowbit.maxpool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<16x!lowbit.bipolar> -> tensor<8x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: kernel and strides must be positive
func.func @f(%x: tensor<1x4x4x!lowbit.bipolar>) {
  %p = lowbit.maxpool %x {kernel = array<i64: 0, 2>, strides = array<i64: 2, 2>} : tensor<1x4x4x!lowbit.bipolar> -> tensor<1x2x2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: kernel 5x5 does not fit the 4x4 input
func.func @f(%x: tensor<1x4x4x!lowbit.bipolar>) {
  %p = lowbit.maxpool %x {kernel = array<i64: 5, 5>, strides = array<i64: 1, 1>} : tensor<1x4x4x!lowbit.bipolar> -> tensor<1x1x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: maxpool result tensor<1x2x2xsi4> must be [1, 2, 2] of !lowbit.bipolar
func.func @f(%x: tensor<1x4x4x!lowbit.bipolar>) {
  %p = lowbit.maxpool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x4x4x!lowbit.bipolar> -> tensor<1x2x2xsi4>
  func.return
}

// -----

// CHECK: Operation does not verify: group 3 must divide the 4 input and 2 output channels
func.func @f(%x: tensor<4x4x4x!lowbit.bipolar>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<2x9, "0xFF01FF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 3 : i64} : tensor<4x4x4x!lowbit.bipolar> -> tensor<2x2x2xsi5>
  func.return
}

// -----

// Two groups of 2 input channels: fan-in 2 x 3 x 3 = 18 per output channel.
// CHECK: Operation does not verify: weights have fan-in 9, expected 2 x 3 x 3 = 18
func.func @f(%x: tensor<4x4x4x!lowbit.bipolar>) {
  %c = lowbit.conv %x {weights = #lowbit.bits<2x9, "0xFF01FF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : tensor<4x4x4x!lowbit.bipolar> -> tensor<2x2x2xsi5>
  func.return
}
