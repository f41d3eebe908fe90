// RUN: lowbitc-opt %s -p streamline,bitserial --print-ir-after-all 2>&1 >/dev/null | filecheck %s

// --print-ir-after-all prints the IR after every pass (to stderr, as mlir-opt does).
// CHECK:      // -----// IR Dump After streamline //----- //
// CHECK:      lowbit.threshold
// CHECK:      // -----// IR Dump After bitserial //----- //
// CHECK:      lowbit.xnor_popcount
func.func @main(%x: tensor<4x!lowbit.bipolar>) -> tensor<2x!lowbit.bipolar> {
  %a = lowbit.matmul %x {weights = #lowbit.bits<2x4, "0x050F">} : tensor<4x!lowbit.bipolar> -> tensor<2xsi4>
  %f = lowbit.dequantize %a {scale = dense<1.0> : tensor<1xf32>} : tensor<2xsi4> -> tensor<2xf32>
  %q = lowbit.quantize %f : tensor<2xf32> -> tensor<2x!lowbit.bipolar>
  func.return %q : tensor<2x!lowbit.bipolar>
}
