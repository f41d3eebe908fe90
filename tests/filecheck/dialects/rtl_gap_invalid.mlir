// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Every verifier message of rtl.gap (rtl_gap.py), and a valid instance that round-trips.

// CHECK:      rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 6 : i64, thresholds = dense<[[5, 14, 23], [4, 13, 22]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4> -> !rtl.stream<4>
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 6 : i64, thresholds = dense<[[5, 14, 23], [4, 13, 22]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4> -> !rtl.stream<4>
  rtl.output %g : !rtl.stream<4>
}

// -----

// CHECK: Operation does not verify: gap element_signed must be 0 or 1, got 2
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 2 : i64, pixels = 9 : i64, sum_width = 6 : i64} : !rtl.stream<4> -> !rtl.stream<12>
  rtl.output %g : !rtl.stream<12>
}

// -----

// CHECK: Operation does not verify: gap pixels 0 must be at least 1
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 0 : i64, sum_width = 6 : i64} : !rtl.stream<4> -> !rtl.stream<12>
  rtl.output %g : !rtl.stream<12>
}

// -----

// CHECK: Operation does not verify: gap input stream must carry 2 elements of 2 bits
rtl.module @m {
^bb0(%in: !rtl.stream<6>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 6 : i64} : !rtl.stream<6> -> !rtl.stream<12>
  rtl.output %g : !rtl.stream<12>
}

// -----

// CHECK: Operation does not verify: gap sum_width 5 cannot hold the sums [0, 27] in two's complement
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 5 : i64} : !rtl.stream<4> -> !rtl.stream<10>
  rtl.output %g : !rtl.stream<10>
}

// -----

// CHECK: Operation does not verify: gap output stream must carry 2 sums of 6 bits
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 6 : i64} : !rtl.stream<4> -> !rtl.stream<8>
  rtl.output %g : !rtl.stream<8>
}

// -----

// CHECK: Operation does not verify: gap thresholds must be [2, T] with T < 2^1
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 6 : i64, thresholds = dense<[[5, 14, 23], [4, 13, 22]]> : tensor<2x3xi64>} : !rtl.stream<4> -> !rtl.stream<2>
  rtl.output %g : !rtl.stream<2>
}

// -----

// CHECK: Operation does not verify: gap output stream must carry 2 codes of 2 bits
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 6 : i64, thresholds = dense<[[5, 14, 23], [4, 13, 22]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4> -> !rtl.stream<2>
  rtl.output %g : !rtl.stream<2>
}

// -----

// CHECK: Operation does not verify: gap thresholds must fit 6-bit two's complement (sum_width)
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 6 : i64, thresholds = dense<[[5, 14, 32], [4, 13, 22]]> : tensor<2x3xi64>, output_bits = 2 : i64} : !rtl.stream<4> -> !rtl.stream<4>
  rtl.output %g : !rtl.stream<4>
}

// -----

// CHECK: Operation does not verify: gap element_width 2 must be in [1, 16] and sum_width 40 in [2, 31] (lowbit_gap's limits)
rtl.module @m {
^bb0(%in: !rtl.stream<4>):
  %g = rtl.gap %in {channels = 2 : i64, element_width = 2 : i64, element_signed = 0 : i64, pixels = 9 : i64, sum_width = 40 : i64} : !rtl.stream<4> -> !rtl.stream<80>
  rtl.output %g : !rtl.stream<80>
}
