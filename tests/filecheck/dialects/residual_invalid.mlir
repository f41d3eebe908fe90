// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of the residual ops (lowbit.add, lowbit.add_unit, rtl.add) and of the
// multi-bit rtl units.

// CHECK: Operation does not verify: add operands must be siN/uiN codes, got tensor<4x!lowbit.bipolar>
func.func @f(%a: tensor<4x!lowbit.bipolar>, %b: tensor<4xui2>) {
  %s = lowbit.add %a, %b : tensor<4x!lowbit.bipolar>, tensor<4xui2> -> tensor<4xsi3>
  func.return
}

// -----

// CHECK: Operation does not verify: add needs equal shapes, got [4] + [2] -> [4]
func.func @f(%a: tensor<4xui2>, %b: tensor<2xui2>) {
  %s = lowbit.add %a, %b : tensor<4xui2>, tensor<2xui2> -> tensor<4xui3>
  func.return
}

// -----

// ui2 + ui2 reaches 6.
// CHECK: Operation does not verify: add result ui2 cannot hold the range [0, 6] (needs ui3)
func.func @f(%a: tensor<4xui2>, %b: tensor<4xui2>) {
  %s = lowbit.add %a, %b : tensor<4xui2>, tensor<4xui2> -> tensor<4xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: add_unit operands must be siN/uiN codes, got tensor<2x2xi2>
func.func @f(%a: tensor<2x2xi2>, %b: tensor<2x2xui2>) {
  %s = lowbit.add_unit %a, %b : tensor<2x2xi2>, tensor<2x2xui2> -> tensor<2x2xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: add_unit needs equal shapes, got [2, 2] + [2, 2] -> [4]
func.func @f(%a: tensor<2x2xui2>, %b: tensor<2x2xui2>) {
  %s = lowbit.add_unit %a, %b : tensor<2x2xui2>, tensor<2x2xui2> -> tensor<4xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: an add_unit without thresholds produces the raw sum tensor
func.func @f(%a: tensor<2x2xui2>, %b: tensor<2x2xui2>) {
  %s = lowbit.add_unit %a, %b {offset = 1 : i64} : tensor<2x2xui2>, tensor<2x2xui2> -> tensor<2x2xui3>
  func.return
}

// -----

// CHECK: Operation does not verify: add_unit thresholds have shape [3, 1], expected [2, T]
func.func @f(%a: tensor<2x2xui2>, %b: tensor<2x2xui2>) {
  %s = lowbit.add_unit %a, %b {thresholds = dense<[[1], [2], [3]]> : tensor<3x1xi64>} : tensor<2x2xui2>, tensor<2x2xui2> -> !lowbit.packed<2x2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: an add_unit producing packed bits takes one threshold per channel and no offset
func.func @f(%a: tensor<2x2xui2>, %b: tensor<2x2xui2>) {
  %s = lowbit.add_unit %a, %b {thresholds = dense<[[1, 2], [2, 3]]> : tensor<2x2xi64>} : tensor<2x2xui2>, tensor<2x2xui2> -> !lowbit.packed<2x2x!lowbit.bipolar>
  func.return
}

// -----

// CHECK: Operation does not verify: an add_unit with thresholds produces packed bits or siN/uiN codes, got tensor<2x2xf32>
func.func @f(%a: tensor<2x2xui2>, %b: tensor<2x2xui2>) {
  %s = lowbit.add_unit %a, %b {thresholds = dense<[[1], [2]]> : tensor<2x1xi64>} : tensor<2x2xui2>, tensor<2x2xui2> -> tensor<2x2xf32>
  func.return
}

// -----

// CHECK: Operation does not verify: add_unit result si2 holds [-2, 1], but 3 thresholds with offset 0 give [0, 3]
func.func @f(%a: tensor<2x2xui2>, %b: tensor<2x2xui2>) {
  %s = lowbit.add_unit %a, %b {thresholds = dense<[[1, 2, 3], [2, 3, 4]]> : tensor<2x3xi64>} : tensor<2x2xui2>, tensor<2x2xui2> -> tensor<2x2xsi2>
  func.return
}

// -----

// CHECK: Operation does not verify: add_unit thresholds must be sorted ascending per channel
func.func @f(%a: tensor<2x2xui2>, %b: tensor<2x2xui2>) {
  %s = lowbit.add_unit %a, %b {thresholds = dense<[[3, 2, 1], [2, 3, 4]]> : tensor<2x3xi64>} : tensor<2x2xui2>, tensor<2x2xui2> -> tensor<2x2xui2>
  func.return
}

// -----

// CHECK: Operation does not verify: add input streams must carry 2 elements of lhs_width and rhs_width bits
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %a, %b = rtl.dup %in : !rtl.stream<4>
  %s = rtl.add %a, %b {channels = 2 : i64, lhs_width = 2 : i64, lhs_signed = 0 : i64, rhs_width = 3 : i64, rhs_signed = 0 : i64, sum_width = 4 : i64, pixels = 4 : i64} : !rtl.stream<4>, !rtl.stream<4> -> !rtl.stream<8>
  rtl.output %s : !rtl.stream<8>
}

// -----

// CHECK: Operation does not verify: add output stream must carry 2 sums of 4 bits
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %a, %b = rtl.dup %in : !rtl.stream<4>
  %s = rtl.add %a, %b {channels = 2 : i64, lhs_width = 2 : i64, lhs_signed = 0 : i64, rhs_width = 2 : i64, rhs_signed = 0 : i64, sum_width = 4 : i64, pixels = 4 : i64} : !rtl.stream<4>, !rtl.stream<4> -> !rtl.stream<6>
  rtl.output %s : !rtl.stream<6>
}

// -----

// CHECK: Operation does not verify: add thresholds must be [2, T] with T < 2^1
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %a, %b = rtl.dup %in : !rtl.stream<4>
  %s = rtl.add %a, %b {channels = 2 : i64, lhs_width = 2 : i64, lhs_signed = 0 : i64, rhs_width = 2 : i64, rhs_signed = 0 : i64, sum_width = 4 : i64, pixels = 4 : i64, thresholds = dense<[[1, 2], [2, 3]]> : tensor<2x2xi64>} : !rtl.stream<4>, !rtl.stream<4> -> !rtl.stream<2>
  rtl.output %s : !rtl.stream<2>
}

// -----

// CHECK: Operation does not verify: add output stream must carry 2 codes of 2 bits
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %a, %b = rtl.dup %in : !rtl.stream<4>
  %s = rtl.add %a, %b {channels = 2 : i64, lhs_width = 2 : i64, lhs_signed = 0 : i64, rhs_width = 2 : i64, rhs_signed = 0 : i64, sum_width = 4 : i64, pixels = 4 : i64, thresholds = dense<[[1, 2, 3], [2, 3, 4]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4>, !rtl.stream<4> -> !rtl.stream<2>
  rtl.output %s : !rtl.stream<2>
}

// -----

// 8 does not fit 4-bit two's complement ([-8, 7]).
// CHECK: Operation does not verify: add thresholds must fit 4-bit two's complement (sum_width)
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %a, %b = rtl.dup %in : !rtl.stream<4>
  %s = rtl.add %a, %b {channels = 2 : i64, lhs_width = 2 : i64, lhs_signed = 0 : i64, rhs_width = 2 : i64, rhs_signed = 0 : i64, sum_width = 4 : i64, pixels = 4 : i64, thresholds = dense<[[1, 2, 8], [2, 3, 4]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4>, !rtl.stream<4> -> !rtl.stream<4>
  rtl.output %s : !rtl.stream<4>
}

// -----

// CHECK: Operation does not verify: pool stream of 5 bits is not a whole number of 2-bit elements
rtl.module @m {
^bb0(%in: !rtl.stream<5>):
  %p = rtl.pool %in {height = 2 : i64, width = 2 : i64, kernel = 2 : i64, stride = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64} : !rtl.stream<5> -> !rtl.stream<5>
  rtl.output %p : !rtl.stream<5>
}

// -----

// CHECK: Operation does not verify: a serial mvu needs multi-bit input elements
rtl.rom @w {contents = #lowbit.bits<4x8, "0x0FF0A55A">}
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 1 : i64, serial = 1 : i64} : !rtl.stream<8> -> !rtl.stream<16>
  rtl.output %a : !rtl.stream<16>
}

// -----

// 2-bit weights: the ROM words are PE x SIMD x 2 = 16 bits wide.
// CHECK: Operation does not verify: @w is 4x8, folding PE 2 x SIMD 4 with 2-bit weights needs 4x16
rtl.rom @w {contents = #lowbit.bits<4x8, "0x0FF0A55A">}
rtl.module @m {
^bb0(%in: !rtl.stream<8>):
  %a = rtl.mvu %in {rom = @w, fold = #lowbit.fold<pe = 2, simd = 4>, channels = 4 : i64, popcount_width = 6 : i64, pipe = 1 : i64, weight_bits = 2 : i64} : !rtl.stream<8> -> !rtl.stream<24>
  rtl.output %a : !rtl.stream<24>
}
