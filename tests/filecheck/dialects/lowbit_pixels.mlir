// RUN: lowbitc-opt %s | lowbitc-opt | filecheck %s
// RUN: lowbitc-opt %s --print-op-generic | lowbitc-opt | filecheck %s

// CHECK:      %p = lowbit.to_pixels %x : tensor<3x8x6xsi8> -> tensor<8x6x3xsi8>
// CHECK-NEXT: %w = lowbit.window %p {kernel = array<i64: 3, 2>, strides = array<i64: 2, 1>} : tensor<8x6x3xsi8> -> tensor<3x5x18xsi8>
// CHECK-NEXT: %m = lowbit.window_max %w {size = 6 : i64} : tensor<3x5x18xsi8> -> tensor<3x5x3xsi8>
// CHECK-NEXT: %t = lowbit.threshold %m {thresholds = dense<{{\[}}[0], [1], [2]]> : tensor<3x1xi64>, axis = 2 : i64} : tensor<3x5x3xsi8> -> tensor<3x5x3x!lowbit.bipolar>
func.func @main(%x: tensor<3x8x6xsi8>) -> tensor<3x5x3x!lowbit.bipolar> {
  %p = lowbit.to_pixels %x : tensor<3x8x6xsi8> -> tensor<8x6x3xsi8>
  %w = lowbit.window %p {kernel = array<i64: 3, 2>, strides = array<i64: 2, 1>} : tensor<8x6x3xsi8> -> tensor<3x5x18xsi8>
  %m = lowbit.window_max %w {size = 6 : i64} : tensor<3x5x18xsi8> -> tensor<3x5x3xsi8>
  %t = lowbit.threshold %m {thresholds = dense<[[0], [1], [2]]> : tensor<3x1xi64>, axis = 2 : i64} : tensor<3x5x3xsi8> -> tensor<3x5x3x!lowbit.bipolar>
  func.return %t : tensor<3x5x3x!lowbit.bipolar>
}
