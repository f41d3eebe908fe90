// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of the channels-last ops (ops_pixels.py).

// CHECK: Operation does not verify: to_pixels input must be [C, H, W], got [4, 4]
func.func @f(%x: tensor<4x4xsi8>) {
  %p = lowbit.to_pixels %x : tensor<4x4xsi8> -> tensor<4x4xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: to_pixels result must be tensor<4x5x3xsi8>
func.func @f(%x: tensor<3x4x5xsi8>) {
  %p = lowbit.to_pixels %x : tensor<3x4x5xsi8> -> tensor<3x4x5xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: window input must be [H, W, C], got [16]
func.func @f(%x: tensor<16xsi8>) {
  %w = lowbit.window %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : tensor<16xsi8> -> tensor<16xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: kernel and strides must be positive
func.func @f(%x: tensor<4x4x1xsi8>) {
  %w = lowbit.window %x {kernel = array<i64: 2, 2>, strides = array<i64: 0, 1>} : tensor<4x4x1xsi8> -> tensor<3x3x4xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: kernel 5x5 does not fit the 4x4 input
func.func @f(%x: tensor<4x4x1xsi8>) {
  %w = lowbit.window %x {kernel = array<i64: 5, 5>, strides = array<i64: 1, 1>} : tensor<4x4x1xsi8> -> tensor<1x1x25xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: window result must be tensor<3x3x4xsi8>
func.func @f(%x: tensor<4x4x1xsi8>) {
  %w = lowbit.window %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : tensor<4x4x1xsi8> -> tensor<3x3x2xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: window_max needs an [Ho, Wo, size*C] input, got [3, 3, 5] with size 2
func.func @f(%x: tensor<3x3x5xsi8>) {
  %m = lowbit.window_max %x {size = 2 : i64} : tensor<3x3x5xsi8> -> tensor<3x3x2xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: window_max result must be tensor<3x3x2xsi8>
func.func @f(%x: tensor<3x3x4xsi8>) {
  %m = lowbit.window_max %x {size = 2 : i64} : tensor<3x3x4xsi8> -> tensor<3x3x4xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: pad input must be [H, W, C], got [4, 4]
func.func @f(%x: tensor<4x4xsi8>) {
  %p = lowbit.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<4x4xsi8> -> tensor<6x6xsi8>
  func.return
}

// -----

// CHECK: Operation does not verify: pads must be non-negative
func.func @f(%x: tensor<4x4x1xsi8>) {
  %p = lowbit.pad %x {pads = array<i64: -1, 1, 1, 1>} : tensor<4x4x1xsi8> -> tensor<5x6x1xsi8>
  func.return
}

// -----

// Unsigned codes pad with 0 as they are; signless integers have no stated range.
// CHECK: Operation does not verify: pad input must be bipolar, siN or uiN, got tensor<4x4x1xi8>
func.func @f(%x: tensor<4x4x1xui8>, %y: tensor<4x4x1xi8>) {
  %ok = lowbit.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<4x4x1xui8> -> tensor<6x6x1xui8>
  %p = lowbit.pad %y {pads = array<i64: 1, 1, 1, 1>} : tensor<4x4x1xi8> -> tensor<6x6x1xi8>
  func.return
}

// -----

// A bipolar map is widened to si2.
// CHECK: Operation does not verify: pad result must be tensor<6x6x1xsi2>
func.func @f(%x: tensor<4x4x1x!lowbit.bipolar>) {
  %p = lowbit.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<4x4x1x!lowbit.bipolar> -> tensor<6x6x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: pad fill -1 must be 0, or -1 or +1 on a bipolar map
func.func @f(%x: tensor<4x4x2xui2>) {
  %p = lowbit.pad %x {pads = array<i64: 1, 1, 1, 1>, fill = -1 : i64} : tensor<4x4x2xui2> -> tensor<6x6x2xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: pad fill 2 must be 0, or -1 or +1 on a bipolar map
func.func @f(%x: tensor<4x4x2x!lowbit.bipolar>) {
  %p = lowbit.pad %x {pads = array<i64: 1, 1, 1, 1>, fill = 2 : i64} : tensor<4x4x2x!lowbit.bipolar> -> tensor<6x6x2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: pad result must be !lowbit.packed<6x6x2x!lowbit.bipolar>
func.func @f(%x: !lowbit.packed<4x4x2x!lowbit.bipolar>) {
  %p = lowbit.pad %x {pads = array<i64: 1, 1, 1, 1>, fill = -1 : i64} : !lowbit.packed<4x4x2x!lowbit.bipolar> -> tensor<6x6x2xsi2>
  func.return
}
