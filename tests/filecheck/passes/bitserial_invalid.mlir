// RUN: lowbitc-opt %s -p bitserial --split-input-file --verify-diagnostics 2>&1 | filecheck %s

// What bitserial cannot lower yet fails loudly, naming the problem.

// CHECK-NOT: Traceback
// CHECK: bitserial: a convolution feeds func.return; it must feed an activation threshold (run streamline first)
func.func @main(%x: tensor<1x3x3x!lowbit.bipolar>) -> tensor<1x1x1xsi5> {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x3x!lowbit.bipolar> -> tensor<1x1x1xsi5>
  func.return %c : tensor<1x1x1xsi5>
}

// -----

// CHECK: bitserial: func.return uses a channels-first feature map, which is not lowered to hardware
func.func @main(%x: tensor<1x4x4x!lowbit.bipolar>) -> tensor<1x2x2x!lowbit.bipolar> {
  %p = lowbit.maxpool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x4x4x!lowbit.bipolar> -> tensor<1x2x2x!lowbit.bipolar>
  func.return %p : tensor<1x2x2x!lowbit.bipolar>
}

// -----

// CHECK: bitserial: a feature map is reshaped to [2, 2]; only a flatten to the dense layers is lowered
func.func @main(%x: tensor<1x2x2x!lowbit.bipolar>) -> tensor<2x2x!lowbit.bipolar> {
  %p = lowbit.maxpool %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>} : tensor<1x2x2x!lowbit.bipolar> -> tensor<1x2x2x!lowbit.bipolar>
  %r = lowbit.reshape %p : tensor<1x2x2x!lowbit.bipolar> -> tensor<2x2x!lowbit.bipolar>
  func.return %r : tensor<2x2x!lowbit.bipolar>
}

// -----

// CHECK: bitserial: a flattened feature map feeds func.return; only dense layers are lowered
func.func @main(%x: tensor<1x2x2x!lowbit.bipolar>) -> tensor<4x!lowbit.bipolar> {
  %p = lowbit.maxpool %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>} : tensor<1x2x2x!lowbit.bipolar> -> tensor<1x2x2x!lowbit.bipolar>
  %r = lowbit.reshape %p : tensor<1x2x2x!lowbit.bipolar> -> tensor<4x!lowbit.bipolar>
  func.return %r : tensor<4x!lowbit.bipolar>
}


// -----

// A padded max-pool of signed codes would need the pad unit to produce the lowest code (-2 here),
// not 0 (the importer refuses such models first).
// CHECK: bitserial: a padded max-pool of si2 values cannot pad with its lowest value; only unsigned codes (pad 0) and bipolar maps (pad -1) are lowered
func.func @main(%x: tensor<1x4x4xsi2>) -> tensor<1x2x2xsi2> {
  %p = lowbit.maxpool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x4x4xsi2> -> tensor<1x2x2xsi2>
  func.return %p : tensor<1x2x2xsi2>
}
