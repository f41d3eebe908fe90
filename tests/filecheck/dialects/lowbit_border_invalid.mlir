// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Every verifier message of #lowbit.border and of the ops that take one (threshold, mvu,
// rtl.mvu), and of rtl.pad's ones.

// CHECK: border map 0x3, kernel 3x3 and strides 1x1 must be positive and pads [1, 1, 1, 1] non-negative
func.func @f(%x: tensor<3x3x1xui4>) {
  %t = lowbit.threshold %x {thresholds = dense<[[[6]], [[7]], [[7]], [[7]], [[8]], [[8]], [[7]], [[8]], [[8]]]> : tensor<9x1x1xi64>, axis = 2 : i64, border = #lowbit.border<map = [0, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : tensor<3x3x1xui4> -> tensor<3x3x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: border kernel 5x5 does not fit the padded 2x2 map
func.func @f(%x: tensor<3x3x1xui4>) {
  %t = lowbit.threshold %x {thresholds = dense<[[[6]], [[7]], [[7]], [[7]], [[8]], [[8]], [[7]], [[8]], [[8]]]> : tensor<9x1x1xi64>, axis = 2 : i64, border = #lowbit.border<map = [2, 2], kernel = [5, 5], strides = [1, 1], pads = [1, 1, 1, 1]>} : tensor<3x3x1xui4> -> tensor<3x3x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: border pads needs 4 values, got 3
func.func @f(%x: tensor<3x3x1xui4>) {
  %t = lowbit.threshold %x {thresholds = dense<[[[6]], [[7]], [[7]], [[7]], [[8]], [[8]], [[7]], [[8]], [[8]]]> : tensor<9x1x1xi64>, axis = 2 : i64, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1]>} : tensor<3x3x1xui4> -> tensor<3x3x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: threshold with a border needs an [Ho, Wo, C] input on axis 2, got [9, 1] on axis 1
func.func @f(%x: tensor<9x1xui4>) {
  %t = lowbit.threshold %x {thresholds = dense<[[[6]], [[7]], [[7]], [[7]], [[8]], [[8]], [[7]], [[8]], [[8]]]> : tensor<9x1x1xi64>, axis = 1 : i64, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : tensor<9x1xui4> -> tensor<9x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: threshold border has 3x3 output pixels, the result has [3, 2]
func.func @f(%x: tensor<3x2x1xui4>) {
  %t = lowbit.threshold %x {thresholds = dense<[[[6]], [[7]], [[7]], [[7]], [[8]], [[8]], [[7]], [[8]], [[8]]]> : tensor<9x1x1xi64>, axis = 2 : i64, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : tensor<3x2x1xui4> -> tensor<3x2x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: threshold border table has shape [9, 1], expected [9, 1, T]
func.func @f(%x: tensor<3x3x1xui4>) {
  %t = lowbit.threshold %x {thresholds = dense<1> : tensor<9x1xi64>, axis = 2 : i64, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : tensor<3x3x1xui4> -> tensor<3x3x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: an mvu with a border needs XNOR lanes over [Ho, Wo, K] pixels, got tensor<3x3x9xsi2> with 1-bit weights
func.func @f(%x: tensor<3x3x9xsi2>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 9>, memory = #lowbit.bits<1x9, "0xFF01">, thresholds = dense<[[[6]], [[7]], [[7]], [[7]], [[8]], [[8]], [[7]], [[8]], [[8]]]> : tensor<9x1x1xi64>, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : tensor<3x3x9xsi2> -> !lowbit.packed<3x3x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: mvu border table has shape [4, 1, 1], expected [9, 1, T]
func.func @f(%x: !lowbit.packed<3x3x9x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 9>, memory = #lowbit.bits<1x9, "0xFF01">, thresholds = dense<5> : tensor<4x1x1xi64>, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : !lowbit.packed<3x3x9x!lowbit.bipolar> -> !lowbit.packed<3x3x1x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: an mvu border selects thresholds; this mvu has none
func.func @f(%x: !lowbit.packed<3x3x9x!lowbit.bipolar>) {
  %y = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 9>, memory = #lowbit.bits<1x9, "0xFF01">, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : !lowbit.packed<3x3x9x!lowbit.bipolar> -> tensor<3x3x1xui4>
  func.return
}

// -----

// CHECK: Operation does not verify: an mvu with a border needs XNOR lanes and its 3x3 output pixels as vectors, got 4
rtl.rom @w {contents = #lowbit.bits<1x9, "0xFF01">}
rtl.module @m {
^bb0(%in: !rtl.stream<9>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 1, simd = 9>, channels = 1 : i64, popcount_width = 4 : i64, pipe = 0 : i64, vectors = 4 : i64, thresholds = dense<[[[6]], [[7]], [[7]], [[7]], [[8]], [[8]], [[7]], [[8]], [[8]]]> : tensor<9x1x1xi64>, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : !rtl.stream<9> -> !rtl.stream<1>
  rtl.output %a : !rtl.stream<1>
}

// -----

// CHECK: Operation does not verify: mvu border table has shape [9, 1], expected [9, 1, T]
rtl.rom @w {contents = #lowbit.bits<1x9, "0xFF01">}
rtl.module @m {
^bb0(%in: !rtl.stream<9>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 1, simd = 9>, channels = 1 : i64, popcount_width = 4 : i64, pipe = 0 : i64, vectors = 9 : i64, thresholds = dense<5> : tensor<9x1xi64>, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : !rtl.stream<9> -> !rtl.stream<1>
  rtl.output %a : !rtl.stream<1>
}

// -----

// CHECK: Operation does not verify: an mvu border selects thresholds; this mvu has none
rtl.rom @w {contents = #lowbit.bits<1x9, "0xFF01">}
rtl.module @m {
^bb0(%in: !rtl.stream<9>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 1, simd = 9>, channels = 1 : i64, popcount_width = 4 : i64, pipe = 0 : i64, vectors = 9 : i64, border = #lowbit.border<map = [3, 3], kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1]>} : !rtl.stream<9> -> !rtl.stream<4>
  rtl.output %a : !rtl.stream<4>
}

// -----

// CHECK: Operation does not verify: pad ones 1 must be 0, or 1 on 1-bit elements without widen
rtl.module @m {
^bb0(%in: !rtl.stream<16>):
  %p = rtl.pad %in {channels = 16 : i64, element_width = 2 : i64, height = 8 : i64, width = 8 : i64, pads = array<i64: 1, 1, 1, 1>, widen = 1 : i64, ones = 1 : i64} : !rtl.stream<16> -> !rtl.stream<32>
  rtl.output %p : !rtl.stream<32>
}
