// RUN: lowbitc-opt %s -p bitserial | filecheck %s

// A 2-channel 3x3 bipolar map, a 2x2 convolution to 1 channel, then flatten into a dense layer.
// Weights in ONNX order (c, ky, kx): channel 0 = [1 1; 0 0], channel 1 = [0 0; 0 1]
//   bits k = c*4 + ky*2 + kx set: 0, 1, 7                      -> 0x83
// The window orders elements (ky, kx, c): index (ky*2 + kx)*2 + c:
//   (c0,0,0)->0, (c0,0,1)->2, (c1,1,1)->7                      -> 0x85
// Threshold dot >= 2 with K = 8 becomes P >= ceil((2 + 8) / 2) = 5 on the channels-last axis 2.
// Flatten: the conv output is [1, 2, 2] (c, h, w); the dense layer's columns move from
// (c, h, w) to (h, w, c) order, which for one channel is the identity: 0x09 stays 0x09.

// CHECK:      [[P:%.*]] = lowbit.to_pixels %x : tensor<2x3x3x!lowbit.bipolar> -> tensor<3x3x2x!lowbit.bipolar>
// CHECK-NEXT: [[W:%.*]] = lowbit.window [[P]] {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : tensor<3x3x2x!lowbit.bipolar> -> tensor<2x2x8x!lowbit.bipolar>
// CHECK-NEXT: [[K:%.*]] = lowbit.pack [[W]] : tensor<2x2x8x!lowbit.bipolar> -> !lowbit.packed<2x2x8x!lowbit.bipolar>
// CHECK-NEXT: [[C:%.*]] = lowbit.xnor_popcount [[K]] {weights = #lowbit.bits<1x8, ["10100001"]>} : !lowbit.packed<2x2x8x!lowbit.bipolar> -> tensor<2x2x1xui4>
// CHECK-NEXT: [[T:%.*]] = lowbit.threshold [[C]] {thresholds = dense<5> : tensor<1x1xi64>, axis = 2 : i64} : tensor<2x2x1xui4> -> tensor<2x2x1x!lowbit.bipolar>
// CHECK-NEXT: [[F:%.*]] = lowbit.reshape [[T]] : tensor<2x2x1x!lowbit.bipolar> -> tensor<4x!lowbit.bipolar>
// CHECK-NEXT: [[FP:%.*]] = lowbit.pack [[F]]
// CHECK-NEXT: [[D:%.*]] = lowbit.xnor_popcount [[FP]] {weights = #lowbit.bits<2x4, ["1001", "1001"]>}
// CHECK-NOT:  lowbit.conv
func.func @main(%x: tensor<2x3x3x!lowbit.bipolar>) -> tensor<2xsi4> {
  %c = lowbit.conv %x {weights = #lowbit.bits<1x8, "0x83">, kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<2x3x3x!lowbit.bipolar> -> tensor<1x2x2xsi5>
  %t = lowbit.threshold %c {thresholds = dense<[[2]]> : tensor<1x1xi64>} : tensor<1x2x2xsi5> -> tensor<1x2x2x!lowbit.bipolar>
  %f = lowbit.reshape %t : tensor<1x2x2x!lowbit.bipolar> -> tensor<4x!lowbit.bipolar>
  %d = lowbit.matmul %f {weights = #lowbit.bits<2x4, "0x0909">} : tensor<4x!lowbit.bipolar> -> tensor<2xsi4>
  func.return %d : tensor<2xsi4>
}

// A two-channel flatten does permute: [2, 1, 2] (c, h, w) -> (h, w, c); ONNX column j = c*2 + w
// goes to (w*2 + c): columns 0,1,2,3 -> 0,2,1,3. Row 0b0010 (column 1 set) -> 0b0100 = 0x04.
// CHECK-LABEL: func.func @perm
// CHECK: lowbit.xnor_popcount {{%.*}} {weights = #lowbit.bits<1x4, ["0010"]>}
func.func @perm(%x: tensor<2x1x2x!lowbit.bipolar>) -> tensor<1xsi4> {
  %p = lowbit.maxpool %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>} : tensor<2x1x2x!lowbit.bipolar> -> tensor<2x1x2x!lowbit.bipolar>
  %f = lowbit.reshape %p : tensor<2x1x2x!lowbit.bipolar> -> tensor<4x!lowbit.bipolar>
  %d = lowbit.matmul %f {weights = #lowbit.bits<1x4, "0x02">} : tensor<4x!lowbit.bipolar> -> tensor<1xsi4>
  func.return %d : tensor<1xsi4>
}
