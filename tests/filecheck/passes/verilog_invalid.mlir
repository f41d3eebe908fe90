// RUN: not lowbitc-opt %s -t verilog 2>&1 | filecheck %s

// The Verilog target needs the rtl stage: IR without an rtl.module is refused by name.

// CHECK-NOT: Traceback
// CHECK: verilog: expected one rtl.module, found 0; run the pipeline up to the rtl stage
func.func @main(%x: !lowbit.packed<8x!lowbit.bipolar>) -> tensor<2xui4> {
  %u = lowbit.mvu %x {fold = #lowbit.fold<pe = 1, simd = 8>, memory = #lowbit.bits<2x8, "0x0FF0">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<2xui4>
  func.return %u : tensor<2xui4>
}
