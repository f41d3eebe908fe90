// RUN: lowbitc-opt %s | filecheck %s
// RUN: lowbitc-opt %s | lowbitc-opt | filecheck %s
// RUN: lowbitc-opt %s --elide-constants-larger-than 4 | filecheck %s --check-prefix=ELIDED
// RUN: lowbitc-opt %s --elide-constants-larger-than 4 | not lowbitc-opt 2>&1 | filecheck %s --check-prefix=REPARSE

// Weight matrices of up to 1024 elements print as rows a person reads; larger ones as hex.
// Both forms parse, and print the same.

// CHECK: "test.op"() {a = #lowbit.bits<2x3, ["101", "110"]>, b = #lowbit.bits<2x3, ["101", "110"]>} : () -> ()
"test.op"() {a = #lowbit.bits<2x3, "0x0503">, b = #lowbit.bits<2x3, ["101", "110"]>} : () -> ()

// Signed elements print signed, unsigned ones unsigned (ui8 255, not -1).
// CHECK-NEXT: "test.op"() {a = #lowbit.ints<2x2, si2, {{\[\[}}1, -1], [0, 1]]>, b = #lowbit.ints<1x2, ui8, {{\[\[}}255, 7]]>} : () -> ()
"test.op"() {a = #lowbit.ints<2x2, si2, "0x01FF0001">, b = #lowbit.ints<1x2, ui8, [[255, 7]]>} : () -> ()

// 33 x 32 = 1056 elements: hex.
// CHECK-NEXT: "test.op"() {big = #lowbit.bits<33x32, "0x000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000">} : () -> ()
"test.op"() {big = #lowbit.bits<33x32, "0x000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000">} : () -> ()

// CHECK-NEXT: "test.op"() {t = dense<[1, 2, 3, 4, 5]> : tensor<5xi64>} : () -> ()
"test.op"() {t = dense<[1, 2, 3, 4, 5]> : tensor<5xi64>} : () -> ()

// Eliding: constants of more than 4 elements say that they were elided; small ones stay.
// ELIDED: "test.op"() {a = #lowbit.bits<2x3, __elided__>, b = #lowbit.bits<2x3, __elided__>} : () -> ()
// ELIDED-NEXT: "test.op"() {a = #lowbit.ints<2x2, si2, {{\[\[}}1, -1], [0, 1]]>, b = #lowbit.ints<1x2, ui8, {{\[\[}}255, 7]]>} : () -> ()
// ELIDED-NEXT: "test.op"() {big = #lowbit.bits<33x32, __elided__>} : () -> ()
// ELIDED-NEXT: "test.op"() {t = dense_resource<__elided__> : tensor<5xi64>} : () -> ()

// Elided IR does not parse back, and says why.
// REPARSE: this bit matrix was elided when printed (--elide-constants-larger-than): print the IR without that option to get IR that parses
