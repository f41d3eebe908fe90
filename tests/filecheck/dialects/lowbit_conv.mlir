// RUN: lowbitc-opt %s | lowbitc-opt | filecheck %s
// RUN: lowbitc-opt %s --print-op-generic | lowbitc-opt | filecheck %s

// CHECK:      %c = lowbit.conv %x {weights = #lowbit.bits<2x27, ["111111111111111111111111111", "000000000000000000000000000"]>, kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<3x8x8xsi8> -> tensor<2x4x4xsi14>
// CHECK-NEXT: %p = lowbit.maxpool %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<2x4x4xsi14> -> tensor<2x2x2xsi14>
func.func @main(%x: tensor<3x8x8xsi8>) -> tensor<2x2x2xsi14> {
  %c = lowbit.conv %x {weights = #lowbit.bits<2x27, "0xFFFFFF0700000000">, kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<3x8x8xsi8> -> tensor<2x4x4xsi14>
  %p = lowbit.maxpool %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<2x4x4xsi14> -> tensor<2x2x2xsi14>
  func.return %p : tensor<2x2x2xsi14>
}

// CHECK-LABEL: func.func @depthwise
// CHECK: lowbit.conv %x {weights = #lowbit.bits<2x9, ["111111111", "000000000"]>, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : tensor<2x3x3x!lowbit.bipolar> -> tensor<2x1x1xsi5>
func.func @depthwise(%x: tensor<2x3x3x!lowbit.bipolar>) -> tensor<2x1x1xsi5> {
  %c = lowbit.conv %x {weights = #lowbit.bits<2x9, "0xFF010000">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : tensor<2x3x3x!lowbit.bipolar> -> tensor<2x1x1xsi5>
  func.return %c : tensor<2x1x1xsi5>
}
