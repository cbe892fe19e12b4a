// RUN: %onnx-opt %s -onnx-vectorize-contractions="vector-bits=256 vector-registers=16" | FileCheck %s

// Without -canonicalize: what the pass itself reads the accumulators from (the canonicalizer
// folds some reads of splat tensors, but not the ones in the tile loops of a real model).

// A splat bias broadcast by a generic that only yields a value (what canonicalization makes
// of a zero bias's broadcast): the accumulators start from that value in registers; the
// output-sized fill is not read (dead, bufferization drops it).
// CHECK-LABEL: func.func @splat_generic_init
// CHECK:         %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:         %[[INIT:.+]] = linalg.generic
// CHECK:         scf.for
// CHECK:           vector.broadcast %[[HALF]] : f32 to vector<8xf32>
// CHECK-NOT:       vector.transfer_read %[[INIT]]
// CHECK:         return
#mA3 = affine_map<(d0, d1, d2) -> (d0, d2)>
#mB3 = affine_map<(d0, d1, d2) -> (d2, d1)>
#mC3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#id3 = affine_map<(d0, d1) -> (d0, d1)>
func.func @splat_generic_init(%a: tensor<40x4xf32>, %b: tensor<4x8xf32>) -> tensor<40x8xf32> {
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<40x8xf32>
  %init = linalg.generic {indexing_maps = [#id3], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<40x8xf32>) {
  ^bb0(%o: f32):
    linalg.yield %half : f32
  } -> tensor<40x8xf32>
  %r = linalg.generic {indexing_maps = [#mA3, #mB3, #mC3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<40x4xf32>, tensor<4x8xf32>) outs(%init : tensor<40x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<40x8xf32>
  return %r : tensor<40x8xf32>
}
