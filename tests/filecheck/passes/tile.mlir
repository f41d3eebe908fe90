// RUN: lowbitc-opt %s -p tile | filecheck %s --check-prefix=DEFAULT
// RUN: lowbitc-opt %s -p 'tile{lanes=8}' | filecheck %s --check-prefix=LANES8
// RUN: lowbitc-opt %s -p 'tile{lanes=4}' | filecheck %s --check-prefix=LANES4
// RUN: echo '{"0": {"pe": 2, "simd": 4}}' > %t.json && lowbitc-opt %s -p 'tile{fold-file="%t.json"}' | filecheck %s --check-prefix=FILE
// RUN: echo '{"1": {"pe": 2, "simd": 1}}' > %t.1.json && lowbitc-opt %s -p 'tile{fold_file="%t.1.json" lanes=8}' | filecheck %s --check-prefix=FILE1
// RUN: lowbitc-opt %s -p 'tile{folds="0:2x4"}' | filecheck %s --check-prefix=FILE
// RUN: lowbitc-opt %s -p 'tile{folds="1:2x1" lanes=8}' | filecheck %s --check-prefix=FILE1
// RUN: echo '{"0": {"pe": 1, "simd": 8, "serial": true}}' > %t.s.json && not lowbitc-opt %s -p 'tile{fold_file="%t.s.json"}' 2>&1 | filecheck %s --check-prefix=NOPLANES

// NOPLANES: tile: layer 0 has no bit planes to run serially

// tile sets the folding of every xnor_popcount. Layer 0 is C x K = 4 x 8, layer 1 is 2 x 4.
// Cycles per frame = (C / PE) * (K / SIMD).
//
// DEFAULT (lanes = 256): the largest layer (layer 0, 32 bits) gets the fastest folding within
// 256 lanes, fully parallel PE 4 x SIMD 8 = 1 cycle; layer 1 needs 1 cycle too: PE 2 x SIMD 4.
//
// lanes = 8: layer 0 folds in 4 cycles with 8 lanes: (1, 8), (2, 4) and (4, 2) tie on cycles,
// fewest PEs wins: PE 1 x SIMD 8. Layer 1 then takes the fewest lanes that keep <= 4 cycles:
// 2 lanes, (1, 2) or (2, 1), both 4 cycles; fewer PEs (wider SIMD) wins: PE 1 x SIMD 2.
//
// lanes = 4: layer 0 takes 8 cycles with PE 1 x SIMD 4; layer 1 needs one lane: PE 1 x SIMD 1
// (2 x 4 = 8 cycles).
//
// The `folds` option fixes layers as a fold file does, without a file (the inspector's folds):
// `folds="0:2x4"` is the fold file {"0": {"pe": 2, "simd": 4}}.
//
// Fold file fixing layer 0 at PE 2 x SIMD 4 (2 x 2 = 4 cycles): the target is 4 cycles and the
// free layer 1 gets PE 1 x SIMD 2 as above.
//
// Fold file fixing layer 1 at PE 2 x SIMD 1 (1 x 4 = 4 cycles) and lanes = 8: layer 0 is the
// largest free layer, 4 cycles with PE 1 x SIMD 8, as for lanes = 8 alone.

func.func @net(%x: tensor<8x!lowbit.bipolar>) -> tensor<2x!lowbit.bipolar> {
  %p0 = lowbit.pack %x : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
  %c0 = lowbit.xnor_popcount %p0 {weights = #lowbit.bits<4x8, "0x12345678">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %t0 = lowbit.threshold %c0 {thresholds = dense<[[4], [4], [5], [5]]> : tensor<4x1xi64>} : tensor<4xui4> -> tensor<4x!lowbit.bipolar>
  %p1 = lowbit.pack %t0 : tensor<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %c1 = lowbit.xnor_popcount %p1 {weights = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %t1 = lowbit.threshold %c1 {thresholds = dense<2> : tensor<2x1xi64>} : tensor<2xui3> -> tensor<2x!lowbit.bipolar>
  func.return %t1 : tensor<2x!lowbit.bipolar>
}

// DEFAULT:      lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<4x8, ["01001000", "00101100", "01101010", "00011110"]>, fold = #lowbit.fold<pe = 4, simd = 8>} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
// DEFAULT:      lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<2x4, ["1010", "1001"]>, fold = #lowbit.fold<pe = 2, simd = 4>} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>

// LANES8:       lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<4x8, ["01001000", "00101100", "01101010", "00011110"]>, fold = #lowbit.fold<pe = 1, simd = 8>}
// LANES8:       lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<2x4, ["1010", "1001"]>, fold = #lowbit.fold<pe = 1, simd = 2>}

// LANES4:       lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<4x8, ["01001000", "00101100", "01101010", "00011110"]>, fold = #lowbit.fold<pe = 1, simd = 4>}
// LANES4:       lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<2x4, ["1010", "1001"]>, fold = #lowbit.fold<pe = 1, simd = 1>}

// FILE:         lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<4x8, ["01001000", "00101100", "01101010", "00011110"]>, fold = #lowbit.fold<pe = 2, simd = 4>}
// FILE:         lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<2x4, ["1010", "1001"]>, fold = #lowbit.fold<pe = 1, simd = 2>}

// FILE1:        lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<4x8, ["01001000", "00101100", "01101010", "00011110"]>, fold = #lowbit.fold<pe = 1, simd = 8>}
// FILE1:        lowbit.xnor_popcount %{{.*}} {weights = #lowbit.bits<2x4, ["1010", "1001"]>, fold = #lowbit.fold<pe = 2, simd = 1>}
