// RUN: lowbitc-opt %s -p 'streamline,bitserial,tile{lanes=8},unroll,pipeline,rtl' | filecheck %s
// RUN: lowbitc-opt %s -p 'streamline,bitserial,tile{lanes=8},unroll,pipeline,rtl' -t verilog | filecheck %s --check-prefix=VLOG

// All passes on a two-layer network, following one set of numbers through every stage.
// streamline (K = 8, a in [-8, 8], dequantize 0.5, var 1, epsilon 0):
//   c0: 0.5a - 0.75 >= 0 -> a >= 2;  c1: -0.5a + 1 >= 0 -> row 1 flips (0x34 -> 0xCB), a' >= -2;
//   c2: gamma 0, beta 0.5 -> always (-8);  c3: gamma 0, beta -0.5 -> never (9).
// bitserial: P >= ceil((t + 8) / 2): 2 -> 5, -2 -> 3, -8 -> 0, 9 -> 9 (K + 1, never).
//   Layer 1 (2 x 4) feeds the float epilogue: xnor_popcount + xnor_to_dot {fan_in = 4}.
// tile{lanes=8}: layer 0 PE 1 x SIMD 8 (4 cycles), layer 1 PE 1 x SIMD 2 (4 cycles).
// unroll: PE 1 x SIMD 8 keeps the matrix as is; layer 1 memory 4 words of 2 bits (0x01010102).
// pipeline at 100 MHz: SIMD 8 -> 3 + 2 = 5 levels = 5 ns, not > 5: pipe 0; SIMD 2: pipe 0.
// rtl: ROMs, the module, and the host part around rtl.invoke; its narrow-streams step has layer 0
// emit one channel fold (PE 1 = 1 bit) per beat, a gearbox make layer 1's 2-bit folds, and the FIFO
// in front of layer 1 hold its vector (SF 2 folds + 2).

func.func @main(%x: tensor<8xf32>) -> tensor<2xf32> {
  %q = lowbit.quantize %x : tensor<8xf32> -> tensor<8x!lowbit.bipolar>
  %a0 = lowbit.matmul %q {weights = #lowbit.bits<4x8, "0x12345678">} : tensor<8x!lowbit.bipolar> -> tensor<4xsi5>
  %f0 = lowbit.dequantize %a0 {scale = dense<0.5> : tensor<1xf32>} : tensor<4xsi5> -> tensor<4xf32>
  %bn = lowbit.batchnorm %f0 {scale = dense<[1.0, -1.0, 0.0, 0.0]> : tensor<4xf32>, bias = dense<[0.0, 1.0, 0.5, -0.5]> : tensor<4xf32>, mean = dense<[0.75, 0.0, 0.0, 0.0]> : tensor<4xf32>, var = dense<1.0> : tensor<4xf32>, epsilon = 0.0 : f32} : tensor<4xf32> -> tensor<4xf32>
  %q1 = lowbit.quantize %bn : tensor<4xf32> -> tensor<4x!lowbit.bipolar>
  %a1 = lowbit.matmul %q1 {weights = #lowbit.bits<2x4, "0x0509">} : tensor<4x!lowbit.bipolar> -> tensor<2xsi4>
  %f1 = lowbit.dequantize %a1 {scale = dense<0.25> : tensor<1xf32>} : tensor<2xsi4> -> tensor<2xf32>
  func.return %f1 : tensor<2xf32>
}

// CHECK:      rtl.rom @accel_l0_weights {contents = #lowbit.bits<4x8, ["01001000", "11010011", "01101010", "00011110"]>}
// CHECK-NEXT: rtl.rom @accel_l1_weights {contents = #lowbit.bits<4x2, ["10", "10", "10", "01"]>}
// CHECK-NEXT: rtl.module @accel {
// CHECK-NEXT: ^{{.*}}(%[[IN:.*]]: !rtl.stream<8>):
// CHECK-NEXT:   %[[U0:.*]] = rtl.mvu %[[IN]] {rom = @accel_l0_weights, fold = #lowbit.fold<pe = 1, simd = 8>, channels = 4 : i64, popcount_width = 4 : i64, pipe = 0 : i64, thresholds = dense<{{\[\[}}5], [3], [0], [9]]> : tensor<4x1xi64>, fold_out = 1 : i64} : !rtl.stream<8> -> !rtl.stream<1>
// CHECK-NEXT:   %[[G:.*]] = rtl.gearbox %[[U0]] {in_beats = 4 : i64, out_beats = 2 : i64} : !rtl.stream<1> -> !rtl.stream<2>
// CHECK-NEXT:   %[[F:.*]] = rtl.fifo %[[G]] {depth = 4 : i64} : !rtl.stream<2>
// CHECK-NEXT:   %[[U1:.*]] = rtl.mvu %[[F]] {rom = @accel_l1_weights, fold = #lowbit.fold<pe = 1, simd = 2>, channels = 2 : i64, popcount_width = 3 : i64, pipe = 0 : i64, fan_in = 4 : i64} : !rtl.stream<2> -> !rtl.stream<6>
// CHECK-NEXT:   rtl.output %[[U1]] : !rtl.stream<6>
// CHECK-NEXT: }
// CHECK-NEXT: func.func @main(%[[X:.*]]: tensor<8xf32>) -> tensor<2xf32> {
// CHECK-NEXT:   %[[Q:.*]] = lowbit.quantize %[[X]] : tensor<8xf32> -> tensor<8x!lowbit.bipolar>
// CHECK-NEXT:   %[[P:.*]] = lowbit.pack %[[Q]] : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
// CHECK-NEXT:   %[[Y:.*]] = rtl.invoke @accel(%[[P]]) : (!lowbit.packed<8x!lowbit.bipolar>) -> tensor<2xui3>
// CHECK-NEXT:   %[[D:.*]] = lowbit.xnor_to_dot %[[Y]] {fan_in = 4 : i64} : tensor<2xui3> -> tensor<2xsi4>
// CHECK-NEXT:   %[[R:.*]] = lowbit.dequantize %[[D]] {scale = dense<2.500000e-01> : tensor<1xf32>} : tensor<2xsi4> -> tensor<2xf32>
// CHECK-NEXT:   func.return %[[R]] : tensor<2xf32>
// CHECK-NEXT: }

// THRESH: 5 | 3 << 4 | 0 << 8 | 9 << 12 = 0x9035 over 4 * 4 bits; raw layer: MODE 1, zero THRESH.
// VLOG:      module accel (
// VLOG:        lowbit_mvu #(
// VLOG-NEXT:     .K(8),
// VLOG-NEXT:     .C(4),
// VLOG-NEXT:     .PE(1),
// VLOG-NEXT:     .SIMD(8),
// VLOG-NEXT:     .PW(4),
// VLOG-NEXT:     .MODE(0),
// VLOG-NEXT:     .THRESH(16'h9035),
// VLOG-NEXT:     .PIPE(0),
// VLOG-NEXT:     .FOLDOUT(1)
// VLOG:        lowbit_gearbox #(
// VLOG:        lowbit_mvu #(
// VLOG-NEXT:     .K(4),
// VLOG-NEXT:     .C(2),
// VLOG-NEXT:     .PE(1),
// VLOG-NEXT:     .SIMD(2),
// VLOG-NEXT:     .PW(3),
// VLOG-NEXT:     .MODE(1),
// VLOG-NEXT:     .THRESH(6'h00),
// VLOG-NEXT:     .PIPE(0),
// VLOG-NEXT:     .NARROW(1)
// VLOG:        assign out_tdata = {2'd0, s4_tdata};
// VLOG:      module accel_l0_weights(input wire clk, input wire en, input wire [1:0] addr, output reg [7:0] data);
// VLOG-NEXT:   reg [7:0] mem [0:3];
// VLOG-NEXT:   initial begin
// VLOG-NEXT:     mem[0] = 8'h12;
// VLOG-NEXT:     mem[1] = 8'hcb;
// VLOG-NEXT:     mem[2] = 8'h56;
// VLOG-NEXT:     mem[3] = 8'h78;
// VLOG:      module accel_l1_weights(input wire clk, input wire en, input wire [1:0] addr, output reg [1:0] data);
