// RUN: lowbitc-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Every verifier and parse error of the lowbit types and attributes.

// CHECK: packed tensor needs at least one dimension
"test.op"() {a = !lowbit.packed<!lowbit.bipolar>} : () -> ()

// -----

// CHECK: packed tensor dimensions must be positive, got (4, 0)
"test.op"() {a = !lowbit.packed<4x0x!lowbit.bipolar>} : () -> ()

// -----

// CHECK: packed tensors hold bipolar bits, not i1
"test.op"() {a = !lowbit.packed<4xi1>} : () -> ()

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
