// tile's errors: bad options and bad fold files fail the run with a message naming the problem.

// RUN: not lowbitc-opt %s -p 'tile{lanes=0}' 2>&1 | filecheck %s --check-prefix=LANES
// LANES: tile: lanes must be positive, got 0

// RUN: rm -f %t.missing.json && not lowbitc-opt %s -p 'tile{fold-file="%t.missing.json"}' 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING: tile: cannot read fold file {{.*}}.missing.json: No such file or directory

// RUN: echo 'pe=2 simd=4' > %t.text.json && not lowbitc-opt %s -p 'tile{fold-file="%t.text.json"}' 2>&1 | filecheck %s --check-prefix=NOTJSON
// NOTJSON: tile: fold file {{.*}}.text.json is not JSON (Expecting value at line 1)

// RUN: echo '[{"pe": 2, "simd": 4}]' > %t.list.json && not lowbitc-opt %s -p 'tile{fold-file="%t.list.json"}' 2>&1 | filecheck %s --check-prefix=NOTOBJ
// NOTOBJ: tile: fold file {{.*}}.list.json must hold an object of layer index -> {"pe": N, "simd": M}

// RUN: echo '{"0": {"pe": 2}}' > %t.nosimd.json && not lowbitc-opt %s -p 'tile{fold-file="%t.nosimd.json"}' 2>&1 | filecheck %s --check-prefix=ENTRY
// ENTRY: tile: fold file {{.*}}.nosimd.json: entry '0' must be "<layer index>": {"pe": N, "simd": M} with positive integers

// RUN: echo '{"first": {"pe": 2, "simd": 4}}' > %t.key.json && not lowbitc-opt %s -p 'tile{fold-file="%t.key.json"}' 2>&1 | filecheck %s --check-prefix=KEY
// KEY: tile: fold file {{.*}}.key.json: entry 'first' must be "<layer index>": {"pe": N, "simd": M} with positive integers

// RUN: echo '{"0": {"pe": 0, "simd": 4}}' > %t.zero.json && not lowbitc-opt %s -p 'tile{fold-file="%t.zero.json"}' 2>&1 | filecheck %s --check-prefix=ZERO
// ZERO: tile: fold file {{.*}}.zero.json: entry '0' must be "<layer index>": {"pe": N, "simd": M} with positive integers

// RUN: echo '{"2": {"pe": 1, "simd": 1}}' > %t.layer.json && not lowbitc-opt %s -p 'tile{fold-file="%t.layer.json"}' 2>&1 | filecheck %s --check-prefix=LAYER
// LAYER: tile: fold file names layer 2, but the network has 2 layers (0..1)

// RUN: echo '{"0": {"pe": 5, "simd": 4}}' > %t.pe.json && not lowbitc-opt %s -p 'tile{fold-file="%t.pe.json"}' 2>&1 | filecheck %s --check-prefix=PE
// PE: tile: layer 0: PE 5 exceeds 4 channels{{$}}

// RUN: echo '{"1": {"pe": 1, "simd": 5}}' > %t.simd.json && not lowbitc-opt %s -p 'tile{fold-file="%t.simd.json"}' 2>&1 | filecheck %s --check-prefix=SIMD
// SIMD: tile: layer 1: SIMD 5 exceeds fan-in 4{{$}}

// RUN: not lowbitc-opt %s -p 'tile{folds="0:5x9"}' 2>&1 | filecheck %s --check-prefix=BOTH
// BOTH: tile: layer 0: PE 5 exceeds 4 channels and SIMD 9 exceeds fan-in 8{{$}}

// RUN: not lowbitc-opt %s -p 'tile{folds="0:2"}' 2>&1 | filecheck %s --check-prefix=SPEC
// SPEC: tile: folds entry '0:2' must be
// SPEC-SAME: PExSIMD or {{.*}}PExSIMD:serial, with positive PE and SIMD

// RUN: not lowbitc-opt %s -p 'tile{folds="1:1x1","1:2x1"}' 2>&1 | filecheck %s --check-prefix=TWICE
// TWICE: tile: folds names layer 1 twice

// RUN: not lowbitc-opt %s -p 'tile{folds="2:1x1"}' 2>&1 | filecheck %s --check-prefix=FOLDSLAYER
// FOLDSLAYER: tile: folds names layer 2, but the network has 2 layers (0..1)

// RUN: echo '{"1": {"pe": 1, "simd": 1}}' > %t.both.json && not lowbitc-opt %s -p 'tile{folds="1:2x1" fold-file="%t.both.json"}' 2>&1 | filecheck %s --check-prefix=FILEANDFOLDS
// FILEANDFOLDS: tile: layer 1 is fixed both by folds and by {{.*}}.both.json

func.func @net(%x: tensor<8x!lowbit.bipolar>) -> tensor<2x!lowbit.bipolar> {
  %p0 = lowbit.pack %x : tensor<8x!lowbit.bipolar> -> !lowbit.packed<8x!lowbit.bipolar>
  %c0 = lowbit.xnor_popcount %p0 {weights = #lowbit.bits<4x8, "0x12345678">} : !lowbit.packed<8x!lowbit.bipolar> -> tensor<4xui4>
  %t0 = lowbit.threshold %c0 {thresholds = dense<[[4], [4], [5], [5]]> : tensor<4x1xi64>} : tensor<4xui4> -> tensor<4x!lowbit.bipolar>
  %p1 = lowbit.pack %t0 : tensor<4x!lowbit.bipolar> -> !lowbit.packed<4x!lowbit.bipolar>
  %c1 = lowbit.xnor_popcount %p1 {weights = #lowbit.bits<2x4, "0x0509">} : !lowbit.packed<4x!lowbit.bipolar> -> tensor<2xui3>
  %t1 = lowbit.threshold %c1 {thresholds = dense<2> : tensor<2x1xi64>} : tensor<2xui3> -> tensor<2x!lowbit.bipolar>
  func.return %t1 : tensor<2x!lowbit.bipolar>
}
