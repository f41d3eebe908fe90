// RUN: lowbitc-opt %s -p pipeline | filecheck %s
// RUN: lowbitc-opt %s -p pipeline,pipeline | filecheck %s
// RUN: lowbitc-opt %s -p 'pipeline{clock-mhz=200.0}' | filecheck %s --check-prefix=FAST
// RUN: lowbitc-opt %s -p 'pipeline{clock-mhz=200}' | filecheck %s --check-prefix=FAST
// RUN: lowbitc-opt %s -p 'pipeline{clock-mhz=200.0 level-ns=0.5}' | filecheck %s --check-prefix=FASTLUT
// RUN: lowbitc-opt %s -p 'pipeline{clock_mhz=50.0}' | filecheck %s --check-prefix=SLOW
// RUN: not lowbitc-opt %s -p 'pipeline{clock-mhz=0.0}' 2>&1 | filecheck %s --check-prefix=ZERO

// pipeline puts a depth-2 lowbit.fifo on every unit-to-unit edge (not before the first unit,
// whose input is host data, nor after the last) and sets `pipe` = 1 when the estimated logic
// depth exceeds half the clock period. Levels = tree + 2, tree = max(1, ceil(2 log6(max(SIMD, 2)))):
//   SIMD 16: ceil(2 * 1.547) = 4 -> 6 levels;  SIMD 4: ceil(2 * 0.774) = 2 -> 4 levels;
//   SIMD 2: ceil(2 * 0.387) = 1 -> 3 levels.
// Default 100 MHz, 1 ns per level: half period 5 ns -> pipe 1, 0, 0 (idempotent: a second
// run finds fifos, not units, in front of units 1 and 2).
// 200 MHz: half period 2.5 ns -> pipe 1, 1, 1.  200 MHz with 0.5 ns levels: 3, 2, 1.5 ns -> 1, 0, 0.
// 50 MHz: half period 10 ns -> 0, 0, 0.

func.func @net(%p: !lowbit.packed<16x!lowbit.bipolar>) -> tensor<2xui3> {
  %u0 = lowbit.mvu %p {fold = #lowbit.fold<pe = 1, simd = 16>, memory = #lowbit.bits<4x16, "0x0102030405060708">, thresholds = dense<[[5], [3], [0], [17]]> : tensor<4x1xi64>} : !lowbit.packed<16x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %u1 = lowbit.mvu %u0 {fold = #lowbit.fold<pe = 4, simd = 4>, memory = #lowbit.bits<1x16, "0x1234">, thresholds = dense<[[1], [2], [3], [4]]> : tensor<4x1xi64>} : !lowbit.packed<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %u2 = lowbit.mvu %u1 {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, "0x01010102">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  func.return %u2 : tensor<2xui3>
}

// CHECK-LABEL: func.func @net(
// CHECK-SAME:      %[[P:.*]]: !lowbit.packed<16x!lowbit.bipolar>)
// CHECK-NEXT:    %[[U0:.*]] = lowbit.mvu %[[P]] {fold = #lowbit.fold<pe = 1, simd = 16>, memory = #lowbit.bits<4x16, ["1000000001000000", "1100000000100000", "1010000001100000", "1110000000010000"]>, thresholds = dense<{{\[\[}}5], [3], [0], [17]]> : tensor<4x1xi64>, pipe = 1 : i64} : !lowbit.packed<16x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %[[F0:.*]] = lowbit.fifo %[[U0]] {depth = 2 : i64} : !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %[[U1:.*]] = lowbit.mvu %[[F0]] {fold = #lowbit.fold<pe = 4, simd = 4>, memory = #lowbit.bits<1x16, ["0100100000101100"]>, thresholds = dense<{{\[\[}}1], [2], [3], [4]]> : tensor<4x1xi64>, pipe = 0 : i64} : !lowbit.packed<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %[[F1:.*]] = lowbit.fifo %[[U1]] {depth = 2 : i64} : !lowbit.packed<4x!lowbit.bipolar>
// CHECK-NEXT:    %[[U2:.*]] = lowbit.mvu %[[F1]] {fold = #lowbit.fold<pe = 1, simd = 2>, memory = #lowbit.bits<4x2, ["10", "10", "10", "01"]>, pipe = 0 : i64} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
// CHECK-NEXT:    func.return %[[U2]] : tensor<2xui3>

// FAST:      lowbit.mvu {{.*}}simd = 16{{.*}}pipe = 1 : i64
// FAST:      lowbit.mvu {{.*}}simd = 4{{.*}}pipe = 1 : i64
// FAST:      lowbit.mvu {{.*}}simd = 2{{.*}}pipe = 1 : i64

// FASTLUT:   lowbit.mvu {{.*}}simd = 16{{.*}}pipe = 1 : i64
// FASTLUT:   lowbit.mvu {{.*}}simd = 4{{.*}}pipe = 0 : i64
// FASTLUT:   lowbit.mvu {{.*}}simd = 2{{.*}}pipe = 0 : i64

// SLOW:      lowbit.mvu {{.*}}simd = 16{{.*}}pipe = 0 : i64
// SLOW:      lowbit.mvu {{.*}}simd = 4{{.*}}pipe = 0 : i64
// SLOW:      lowbit.mvu {{.*}}simd = 2{{.*}}pipe = 0 : i64

// ZERO: pipeline: clock-mhz must be positive, got 0.0
