// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Every verifier and parse error of the lowbit types and attributes.

// CHECK: packed tensor needs at least one dimension
"test.op"() {a = !lowbit.packed<!lowbit.bipolar>} : () -> ()

// -----

// CHECK: packed tensor dimensions must be positive, got (4, 0)
"test.op"() {a = !lowbit.packed<4x0x!lowbit.bipolar>} : () -> ()

// -----

// CHECK: packed tensors hold bipolar bits or i1 bit planes, not si2
"test.op"() {a = !lowbit.packed<4xsi2>} : () -> ()

// -----

// CHECK: integer matrix must be non-empty, got 0x2
"test.op"() {a = #lowbit.ints<0x2, si2, "0x">} : () -> ()

// -----

// CHECK: integer matrix elements must be siN or uiN with N <= 8, got i2
"test.op"() {a = #lowbit.ints<1x2, i2, "0x0101">} : () -> ()

// -----

// CHECK: integer matrix elements must be siN or uiN with N <= 8, got si9
"test.op"() {a = #lowbit.ints<1x2, si9, "0x0101">} : () -> ()

// -----

// CHECK: integer matrix 1x2 needs 2 bytes, got 3
"test.op"() {a = #lowbit.ints<1x2, si2, "0x010101">} : () -> ()

// -----

// 0x02 is +2, outside si2's [-2, 1].
// CHECK: integer matrix row 1 holds values outside si2 [-2, 1]
"test.op"() {a = #lowbit.ints<2x2, si2, "0x01FF0200">} : () -> ()

// -----

// CHECK: integer matrix row 0 holds values outside ui2 [0, 3]
"test.op"() {a = #lowbit.ints<1x2, ui2, "0x0104">} : () -> ()

// -----

// CHECK: integer matrix needs two dimensions, got 1
"test.op"() {a = #lowbit.ints<4, si2, "0x00">} : () -> ()

// -----

// CHECK: integer matrix element type must be siN or uiN, got f32
"test.op"() {a = #lowbit.ints<1x1, f32, "0x00">} : () -> ()

// -----

// CHECK: integer matrix data must be a hex string starting with 0x
"test.op"() {a = #lowbit.ints<1x1, si2, "00">} : () -> ()

// -----

// CHECK: integer matrix data is not valid hex
"test.op"() {a = #lowbit.ints<1x1, si2, "0xZZ">} : () -> ()

// -----

// CHECK: bit matrix must be non-empty, got 0x8
"test.op"() {a = #lowbit.bits<0x8, "0x">} : () -> ()

// -----

// CHECK: bit matrix must be non-empty, got 3x0
"test.op"() {a = #lowbit.bits<3x0, "0x">} : () -> ()

// -----

// 2x9 needs 2 bytes per row.
// CHECK: bit matrix 2x9 needs 4 bytes, got 2
"test.op"() {a = #lowbit.bits<2x9, "0x0102">} : () -> ()

// -----

// Padding bits past the last column must be zero (row 1, byte 1 sets bit 9).
// CHECK: bit matrix row 1 has bits set past column 9
"test.op"() {a = #lowbit.bits<2x9, "0x01000102">} : () -> ()

// -----

// CHECK: bit matrix needs two dimensions, got 3
"test.op"() {a = #lowbit.bits<2x3x4, "0x00">} : () -> ()

// -----

// CHECK: bit matrix needs two dimensions, got 1
"test.op"() {a = #lowbit.bits<8, "0x00">} : () -> ()

// -----

// CHECK: bit matrix data must be a hex string starting with 0x
"test.op"() {a = #lowbit.bits<2x8, "0102">} : () -> ()

// -----

// CHECK: bit matrix data is not valid hex
"test.op"() {a = #lowbit.bits<2x8, "0xZZ01">} : () -> ()

// -----

// An odd number of hex digits is not whole bytes.
// CHECK: bit matrix data is not valid hex
"test.op"() {a = #lowbit.bits<1x8, "0x1">} : () -> ()

// -----

// CHECK: PE 0 and SIMD 4 must be positive
"test.op"() {a = #lowbit.fold<pe = 0, simd = 4>} : () -> ()

// -----

// CHECK: PE 2 and SIMD 0 must be positive
"test.op"() {a = #lowbit.fold<pe = 2, simd = 0>} : () -> ()
