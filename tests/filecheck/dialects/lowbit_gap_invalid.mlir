// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of the global pool ops (ops_gap.py) and of a padded max-pool.

// CHECK: Operation does not verify: global_sum input must be a tensor of siN/uiN codes, got tensor<2x2x2x!lowbit.bipolar>
func.func @f(%x: tensor<2x2x2x!lowbit.bipolar>) {
  %s = lowbit.global_sum %x : tensor<2x2x2x!lowbit.bipolar> -> tensor<2x1x1xsi4>
  func.return
}

// -----

// CHECK: Operation does not verify: global_sum input must be [C, H, W], got [2, 4]
func.func @f(%x: tensor<2x4xui2>) {
  %s = lowbit.global_sum %x : tensor<2x4xui2> -> tensor<2x1x1xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: global_sum result tensor<2x1xui4> must have shape [2, 1, 1]
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.global_sum %x : tensor<2x2x2xui2> -> tensor<2x1xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: global_sum result ui3 cannot hold the range [0, 12] (needs ui4)
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.global_sum %x : tensor<2x2x2xui2> -> tensor<2x1x1xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: sum_unit input must be a tensor of siN/uiN codes, got tensor<2x2x8x!lowbit.bipolar>
func.func @f(%x: tensor<2x2x8x!lowbit.bipolar>) {
  %s = lowbit.sum_unit %x : tensor<2x2x8x!lowbit.bipolar> -> tensor<1x1x8xsi4>
  func.return
}

// -----

// CHECK: Operation does not verify: sum_unit input must be [H, W, C], got [4, 2]
func.func @f(%x: tensor<4x2xui2>) {
  %s = lowbit.sum_unit %x : tensor<4x2xui2> -> tensor<1x1x2xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: sum_unit result tensor<2xui4> must have shape [1, 1, 2]
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.sum_unit %x : tensor<2x2x2xui2> -> tensor<2xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: a sum_unit without thresholds produces the raw sum tensor
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.sum_unit %x {offset = -1 : i64} : tensor<2x2x2xui2> -> tensor<1x1x2xsi5>
  func.return
}

// -----

// CHECK: Operation does not verify: sum_unit result si4 cannot hold the range [0, 12] (needs ui4)
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.sum_unit %x : tensor<2x2x2xui2> -> tensor<1x1x2xsi4>
  func.return
}

// -----

// CHECK: Operation does not verify: sum_unit thresholds have shape [1, 3], expected [2, T]
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.sum_unit %x {thresholds = dense<[[3, 6, 11]]> : tensor<1x3xi64>} : tensor<2x2x2xui2> -> tensor<1x1x2xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: a sum_unit producing packed bits takes one threshold per channel and no offset
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.sum_unit %x {thresholds = dense<[[3, 6], [3, 6]]> : tensor<2x2xi64>} : tensor<2x2x2xui2> -> !lowbit.packed<1x1x2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: a sum_unit with thresholds produces packed bits or siN/uiN codes, got tensor<1x1x2x!lowbit.bipolar>
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.sum_unit %x {thresholds = dense<[[3], [6]]> : tensor<2x1xi64>} : tensor<2x2x2xui2> -> tensor<1x1x2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: sum_unit result ui1 holds [0, 1], but 3 thresholds with offset 0 give [0, 3]
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.sum_unit %x {thresholds = dense<[[3, 6, 11], [3, 6, 11]]> : tensor<2x3xi64>} : tensor<2x2x2xui2> -> tensor<1x1x2xui1>
  func.return
}

// -----

// CHECK: Operation does not verify: sum_unit thresholds must be sorted ascending per channel
func.func @f(%x: tensor<2x2x2xui2>) {
  %s = lowbit.sum_unit %x {thresholds = dense<[[3, 6, 11], [3, 11, 6]]> : tensor<2x3xi64>} : tensor<2x2x2xui2> -> tensor<1x1x2xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: maxpool pads [1, 1, 3, 1] must be non-negative and below the 3x3 kernel
func.func @f(%x: tensor<2x5x5xui2>) {
  %p = lowbit.maxpool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 3, 1>} : tensor<2x5x5xui2> -> tensor<2x4x3xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: pads needs 4 values, got 2
func.func @f(%x: tensor<2x5x5xui2>) {
  %p = lowbit.maxpool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1>} : tensor<2x5x5xui2> -> tensor<2x3x3xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: maxpool result tensor<2x2x2xui2> must be [2, 3, 3] of ui2
func.func @f(%x: tensor<2x5x5xui2>) {
  %p = lowbit.maxpool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<2x5x5xui2> -> tensor<2x2x2xui2>
  func.return
}
