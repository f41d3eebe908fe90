// RUN: lowbitc-opt %s | lowbitc-opt | filecheck %s
// RUN: lowbitc-opt %s --print-op-generic | lowbitc-opt --print-op-generic | filecheck %s

// Round trip of the lowbit types and attributes outside of any lowbit op.

// Small bit matrices print one string per row (element [i, j] at character j); their hex form
// pads rows to whole bytes, so a 2x10 matrix holds 2 bytes per row.
// CHECK: "test.op"() {bits = #lowbit.bits<2x10, ["1101010111", "1000000011"]>} : () -> ()
"test.op"() {bits = #lowbit.bits<2x10, "0xab030103">} : () -> ()

// CHECK-NEXT: "test.op"() {one = #lowbit.bits<1x1, ["1"]>, wide = #lowbit.bits<1x64, ["1000000011000100101000101110011010010001110101011011001111110111"]>} : () -> ()
"test.op"() {one = #lowbit.bits<1x1, "0x01">, wide = #lowbit.bits<1x64, "0x0123456789abcdef">} : () -> ()

// CHECK-NEXT: "test.op"() {fold = #lowbit.fold<pe = 3, simd = 5>} : () -> ()
"test.op"() {fold = #lowbit.fold<pe=3,simd=5>} : () -> ()

// CHECK-NEXT: "test.op"() {r0 = #lowbit<rounding round>, r1 = #lowbit<rounding floor>, r2 = #lowbit<rounding ceil>} : () -> ()
"test.op"() {r0 = #lowbit<rounding round>, r1 = #lowbit<rounding floor>, r2 = #lowbit<rounding ceil>} : () -> ()

// CHECK-NEXT: "test.op"() {k0 = #lowbit<elementwise_kind mul>, k1 = #lowbit<elementwise_kind add>, k2 = #lowbit<elementwise_kind sub>, k3 = #lowbit<elementwise_kind div>} : () -> ()
"test.op"() {k0 = #lowbit<elementwise_kind mul>, k1 = #lowbit<elementwise_kind add>, k2 = #lowbit<elementwise_kind sub>, k3 = #lowbit<elementwise_kind div>} : () -> ()

// CHECK-NEXT: %{{.*}} = "test.op"() : () -> tensor<3x!lowbit.bipolar>
%b = "test.op"() : () -> tensor<3x!lowbit.bipolar>

// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !lowbit.packed<784x!lowbit.bipolar>
%p1 = "test.op"() : () -> !lowbit.packed<784x!lowbit.bipolar>

// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !lowbit.packed<2x3x65x!lowbit.bipolar>
%p3 = "test.op"() : () -> !lowbit.packed<2x3x65x!lowbit.bipolar>

// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !lowbit.bipolar
%s = "test.op"() : () -> !lowbit.bipolar
