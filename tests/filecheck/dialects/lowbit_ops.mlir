// RUN: lowbitc-opt %s | lowbitc-opt | filecheck %s
// RUN: lowbitc-opt %s --print-op-generic | lowbitc-opt | filecheck %s
// RUN: lowbitc-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC

// Round trip of every lowbit op, in the custom and in the generic format.

func.func @graph(%x: tensor<1x2x4xf32>) -> tensor<2xi64> {
  %flat = lowbit.reshape %x : tensor<1x2x4xf32> -> tensor<8xf32>
  %m = lowbit.elementwise %flat {kind = #lowbit<elementwise_kind mul>, constant = dense<2.0> : tensor<1xf32>} : tensor<8xf32> -> tensor<8xf32>
  %s = lowbit.elementwise %m {kind = #lowbit<elementwise_kind sub>, constant = dense<1.0> : tensor<1xf32>, swapped = true} : tensor<8xf32> -> tensor<8xf32>
  %a = lowbit.elementwise %s {kind = #lowbit<elementwise_kind add>, constant = dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>} : tensor<8xf32> -> tensor<8xf32>
  %d = lowbit.elementwise %a {kind = #lowbit<elementwise_kind div>, constant = dense<4.0> : tensor<1xf32>} : tensor<8xf32> -> tensor<8xf32>
  %q = lowbit.quantize %d : tensor<8xf32> -> tensor<8x!lowbit.bipolar>
  %acc = lowbit.matmul %q {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : tensor<8x!lowbit.bipolar> -> tensor<4xsi5>
  %f = lowbit.dequantize %acc {scale = dense<0.5> : tensor<1xf32>} : tensor<4xsi5> -> tensor<4xf32>
  %bn = lowbit.batchnorm %f {scale = dense<[1.0, -1.0, 0.0, 2.0]> : tensor<4xf32>, bias = dense<[0.0, 0.5, 1.0, -1.0]> : tensor<4xf32>, mean = dense<0.0> : tensor<4xf32>, var = dense<1.0> : tensor<4xf32>, epsilon = 1.0e-05 : f32} : tensor<4xf32> -> tensor<4xf32>
  %qi = lowbit.quantize %bn {scale = dense<0.25> : tensor<1xf32>, zero_point = dense<1.0> : tensor<1xf32>, narrow = true, rounding = #lowbit<rounding floor>} : tensor<4xf32> -> tensor<4xsi3>
  %qt = lowbit.quantize %bn {thresholds = dense<[[-1.0, 0.0, 1.0]]> : tensor<1x3xf32>} : tensor<4xf32> -> tensor<4xui2>
  %k = lowbit.topk %bn {k = 2 : i64} : tensor<4xf32> -> tensor<2xi64>
  func.return %k : tensor<2xi64>
}

// CHECK-LABEL: func.func @graph(
// CHECK-SAME:      %[[X:.*]]: tensor<1x2x4xf32>) -> tensor<2xi64> {
// CHECK-NEXT:    %[[FLAT:.*]] = lowbit.reshape %[[X]] : tensor<1x2x4xf32> -> tensor<8xf32>
// CHECK-NEXT:    %[[M:.*]] = lowbit.elementwise %[[FLAT]] {kind = #lowbit<elementwise_kind mul>, constant = dense<2.000000e+00> : tensor<1xf32>} : tensor<8xf32> -> tensor<8xf32>
// CHECK-NEXT:    %[[S:.*]] = lowbit.elementwise %[[M]] {kind = #lowbit<elementwise_kind sub>, constant = dense<1.000000e+00> : tensor<1xf32>, swapped = true} : tensor<8xf32> -> tensor<8xf32>
// CHECK-NEXT:    %[[A:.*]] = lowbit.elementwise %[[S]] {kind = #lowbit<elementwise_kind add>, constant = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> : tensor<8xf32>} : tensor<8xf32> -> tensor<8xf32>
// CHECK-NEXT:    %[[D:.*]] = lowbit.elementwise %[[A]] {kind = #lowbit<elementwise_kind div>, constant = dense<4.000000e+00> : tensor<1xf32>} : tensor<8xf32> -> tensor<8xf32>
// CHECK-NEXT:    %[[Q:.*]] = lowbit.quantize %[[D]] : tensor<8xf32> -> tensor<8x!lowbit.bipolar>
// CHECK-NEXT:    %[[ACC:.*]] = lowbit.matmul %[[Q]] {weights = #lowbit.bits<4x8, ["11110000", "00001111", "10100101", "01011010"]>} : tensor<8x!lowbit.bipolar> -> tensor<4xsi5>
// CHECK-NEXT:    %[[F:.*]] = lowbit.dequantize %[[ACC]] {scale = dense<5.000000e-01> : tensor<1xf32>} : tensor<4xsi5> -> tensor<4xf32>
// CHECK-NEXT:    %[[BN:.*]] = lowbit.batchnorm %[[F]] {scale = dense<[1.000000e+00, -1.000000e+00, 0.000000e+00, 2.000000e+00]> : tensor<4xf32>, bias = dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, -1.000000e+00]> : tensor<4xf32>, mean = dense<0.000000e+00> : tensor<4xf32>, var = dense<1.000000e+00> : tensor<4xf32>, epsilon = 1.000000e-05 : f32} : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT:    %{{.*}} = lowbit.quantize %[[BN]] {scale = dense<2.500000e-01> : tensor<1xf32>, zero_point = dense<1.000000e+00> : tensor<1xf32>, narrow = true, rounding = #lowbit<rounding floor>} : tensor<4xf32> -> tensor<4xsi3>
// CHECK-NEXT:    %{{.*}} = lowbit.quantize %[[BN]] {thresholds = dense<{{\[\[}}-1.000000e+00, 0.000000e+00, 1.000000e+00]]> : tensor<1x3xf32>} : tensor<4xf32> -> tensor<4xui2>
// CHECK-NEXT:    %[[K:.*]] = lowbit.topk %[[BN]] {k = 2 : i64} : tensor<4xf32> -> tensor<2xi64>
// CHECK-NEXT:    func.return %[[K]] : tensor<2xi64>

// GENERIC-LABEL: "func.func"() <{sym_name = "graph"
// GENERIC:       "lowbit.reshape"(%{{.*}}) : (tensor<1x2x4xf32>) -> tensor<8xf32>
// GENERIC:       "lowbit.elementwise"(%{{.*}}) <{kind = #lowbit<elementwise_kind mul>, constant = dense<2.000000e+00> : tensor<1xf32>}> : (tensor<8xf32>) -> tensor<8xf32>
// GENERIC:       "lowbit.matmul"(%{{.*}}) <{weights = #lowbit.bits<4x8, ["11110000", "00001111", "10100101", "01011010"]>}> : (tensor<8x!lowbit.bipolar>) -> tensor<4xsi5>
// GENERIC:       "lowbit.topk"(%{{.*}}) <{k = 2 : i64}> : (tensor<4xf32>) -> tensor<2xi64>

func.func @hardware(%q: tensor<8x!lowbit.bipolar>) -> tensor<4xsi5> {
  %p = lowbit.pack %q : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
  %pop = lowbit.xnor_popcount %p {weights = #lowbit.bits<4x8, "0x0FF0A55A">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %popf = lowbit.xnor_popcount %p {weights = #lowbit.bits<4x8, "0x0FF0A55A">, fold = #lowbit.fold<pe = 2, simd = 4>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %t = lowbit.threshold %pop {thresholds = dense<[[0], [4], [5], [9]]> : tensor<4x1xi64>} : tensor<4xui4> -> tensor<4x!lowbit.bipolar>
  %t2 = lowbit.threshold %popf {thresholds = dense<[[1, 2, 3], [2, 4, 6], [0, 0, 9], [3, 3, 3]]> : tensor<4x3xi64>} : tensor<4xui4> -> tensor<4xui2>
  %dot = lowbit.xnor_to_dot %popf {fan_in = 8 : i64} : tensor<4xui4> -> tensor<4xsi5>
  %mvu = lowbit.mvu %p {fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<4x8, "0x0FF0A55A">, thresholds = dense<[[0], [4], [5], [9]]> : tensor<4x1xi64>, pipe = 1 : i64} : !lowbit.packed<8x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %fifo = lowbit.fifo %mvu {depth = 2 : i64} : !lowbit.packed<4x!lowbit.bipolar>
  %raw = lowbit.mvu %fifo {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return %dot : tensor<4xsi5>
}

// CHECK-LABEL: func.func @hardware(
// CHECK-SAME:      %[[Q:.*]]: tensor<8x!lowbit.bipolar>) -> tensor<4xsi5> {
// CHECK-NEXT:    %[[P:.*]] = lowbit.pack %[[Q]] : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
// CHECK-NEXT:    %[[POP:.*]] = lowbit.xnor_popcount %[[P]] {weights = #lowbit.bits<4x8, ["11110000", "00001111", "10100101", "01011010"]>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
// CHECK-NEXT:    %[[POPF:.*]] = lowbit.xnor_popcount %[[P]] {weights = #lowbit.bits<4x8, ["11110000", "00001111", "10100101", "01011010"]>, fold = #lowbit.fold<pe = 2, simd = 4>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
// CHECK-NEXT:    %{{.*}} = lowbit.threshold %[[POP]] {thresholds = dense<{{\[\[}}0], [4], [5], [9]]> : tensor<4x1xi64>} : tensor<4xui4> -> tensor<4x!lowbit.bipolar>
// CHECK-NEXT:    %{{.*}} = lowbit.threshold %[[POPF]] {thresholds = dense<{{\[\[}}1, 2, 3], [2, 4, 6], [0, 0, 9], [3, 3, 3]]> : tensor<4x3xi64>} : tensor<4xui4> -> tensor<4xui2>
// CHECK-NEXT:    %[[DOT:.*]] = lowbit.xnor_to_dot %[[POPF]] {fan_in = 8 : i64} : tensor<4xui4> -> tensor<4xsi5>
// CHECK-NEXT:    %[[MVU:.*]] = lowbit.mvu %[[P]] {fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<4x8, ["11110000", "00001111", "10100101", "01011010"]>, thresholds = dense<{{\[\[}}0], [4], [5], [9]]> : tensor<4x1xi64>, pipe = 1 : i64} : !lowbit.packed<8x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %[[FIFO:.*]] = lowbit.fifo %[[MVU]] {depth = 2 : i64} : !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %{{.*}} = lowbit.mvu %[[FIFO]] {fold = #lowbit.fold<pe = 1, simd = 4>, memory = #lowbit.bits<2x4, ["1010", "1001"]>} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
// CHECK-NEXT:    func.return %[[DOT]] : tensor<4xsi5>

// GENERIC-LABEL: "func.func"() <{sym_name = "hardware"
// GENERIC:       "lowbit.pack"(%{{.*}}) : (tensor<8x!lowbit.bipolar>) -> !lowbit.packed<8x!lowbit.bipolar>
// GENERIC:       "lowbit.xnor_popcount"(%{{.*}}) <{weights = #lowbit.bits<4x8, ["11110000", "00001111", "10100101", "01011010"]>, fold = #lowbit.fold<pe = 2, simd = 4>}> : (!lowbit.packed<8x!lowbit.bipolar>) -> tensor<4xui4>
// GENERIC:       "lowbit.mvu"(%{{.*}}) <{fold = #lowbit.fold<pe = 2, simd = 4>, memory = #lowbit.bits<4x8, ["11110000", "00001111", "10100101", "01011010"]>, thresholds = dense<{{\[\[}}0], [4], [5], [9]]> : tensor<4x1xi64>, pipe = 1 : i64}> : (!lowbit.packed<8x!lowbit.bipolar>) -> !lowbit.packed<4x!lowbit.bipolar>
// GENERIC:       "lowbit.fifo"(%{{.*}}) <{depth = 2 : i64}> : (!lowbit.packed<4x!lowbit.bipolar>) -> !lowbit.packed<4x!lowbit.bipolar>
