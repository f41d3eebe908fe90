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

// CHECK-LABEL: func.func @pads
// CHECK:      %p = lowbit.pad %x {pads = array<i64: 0, 1, 2, 0>} : tensor<3x3x2x!lowbit.bipolar> -> tensor<5x4x2xsi2>
// CHECK-NEXT: %q = lowbit.pad %k {pads = array<i64: 1, 1, 1, 1>} : !lowbit.packed<3x3x2x!lowbit.bipolar> -> tensor<5x5x2xsi2>
func.func @pads(%x: tensor<3x3x2x!lowbit.bipolar>, %k: !lowbit.packed<3x3x2x!lowbit.bipolar>) -> tensor<5x5x2xsi2> {
  %p = lowbit.pad %x {pads = array<i64: 0, 1, 2, 0>} : tensor<3x3x2x!lowbit.bipolar> -> tensor<5x4x2xsi2>
  %q = lowbit.pad %k {pads = array<i64: 1, 1, 1, 1>} : !lowbit.packed<3x3x2x!lowbit.bipolar> -> tensor<5x5x2xsi2>
  func.return %q : tensor<5x5x2xsi2>
}
