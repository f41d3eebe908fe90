// RUN: not lowbitc-opt %s -p bitserial --split-input-file 2>&1 | filecheck %s

// What bitserial cannot lower yet fails loudly, naming the op.

// CHECK-NOT: Traceback
// CHECK: bitserial: lowbit.conv is not lowered to XNOR hardware yet (convolutional networks run in the interpreter up to the streamline stage: lowbitc run --stage streamline)
func.func @main(%x: tensor<1x3x3x!lowbit.bipolar>) -> tensor<1x1x1xsi5> {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x9, "0xFF01">, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x3x!lowbit.bipolar> -> tensor<1x1x1xsi5>
  func.return %c : tensor<1x1x1xsi5>
}
