// RUN: lowbitc-opt %s | filecheck %s
// RUN: lowbitc-opt %s | lowbitc-opt | filecheck %s

// #lowbit.border round-trips on a threshold, an mvu, and with a +1 pad of a bipolar map.

// CHECK:      lowbit.pad %x {pads = array<i64: 0, 2, 1, 0>, fill = 1 : i64} : tensor<4x5x1x!lowbit.bipolar> -> tensor<5x7x1x!lowbit.bipolar>
// CHECK-NEXT: lowbit.threshold %p {thresholds = dense<{{.*}}> : tensor<4x1x2xi64>, axis = 2 : i64, border = #lowbit.border<map = [4, 5], kernel = [3, 3], strides = [2, 2], pads = [0, 2, 1, 0]>} : tensor<2x3x1xui4> -> tensor<2x3x1xui2>
// CHECK-NEXT: lowbit.mvu %k {fold = #lowbit.fold<pe = 1, simd = 9>, memory = #lowbit.bits<1x9, ["101010101"]>, thresholds = dense<{{.*}}> : tensor<4x1x2xi64>, border = #lowbit.border<map = [4, 5], kernel = [3, 3], strides = [2, 2], pads = [0, 2, 1, 0]>} : !lowbit.packed<2x3x9x!lowbit.bipolar> -> tensor<2x3x1xui2>
func.func @f(%x: tensor<4x5x1x!lowbit.bipolar>, %p: tensor<2x3x1xui4>, %k: !lowbit.packed<2x3x9x!lowbit.bipolar>) {
  %d = lowbit.pad %x {pads = array<i64: 0, 2, 1, 0>, fill = 1 : i64} : tensor<4x5x1x!lowbit.bipolar> -> tensor<5x7x1x!lowbit.bipolar>
  %t = lowbit.threshold %p {thresholds = dense<[[[4, 6]], [[4, 6]], [[5, 7]], [[5, 7]]]> : tensor<4x1x2xi64>, axis = 2 : i64, border = #lowbit.border<map = [4, 5], kernel = [3, 3], strides = [2, 2], pads = [0, 2, 1, 0]>} : tensor<2x3x1xui4> -> tensor<2x3x1xui2>
  %y = lowbit.mvu %k {fold = #lowbit.fold<pe = 1, simd = 9>, memory = #lowbit.bits<1x9, "0x5501">, thresholds = dense<[[[4, 6]], [[4, 6]], [[5, 7]], [[5, 7]]]> : tensor<4x1x2xi64>, border = #lowbit.border<map = [4, 5], kernel = [3, 3], strides = [2, 2], pads = [0, 2, 1, 0]>} : !lowbit.packed<2x3x9x!lowbit.bipolar> -> tensor<2x3x1xui2>
  func.return
}
