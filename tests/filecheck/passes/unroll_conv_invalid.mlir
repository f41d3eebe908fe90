// RUN: not lowbitc-opt %s -p unroll 2>&1 | filecheck %s

// Sliding windows have no hardware unit yet: unroll refuses them by name.
// CHECK-NOT: Traceback
// CHECK: unroll: lowbit.window: convolutional layers (sliding windows) are not lowered to hardware units yet; interpret them with lowbitc run --stage tile
func.func @main(%x: tensor<3x3x1x!lowbit.bipolar>) -> tensor<2x2x4x!lowbit.bipolar> {
  %w = lowbit.window %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : tensor<3x3x1x!lowbit.bipolar> -> tensor<2x2x4x!lowbit.bipolar>
  func.return %w : tensor<2x2x4x!lowbit.bipolar>
}
