// RUN: %onnx-opt %s -onnx-vectorize-contractions="vector-bits=512 vector-registers=32" | FileCheck %s

// The vector operand (B: 256 x 196 floats, 200 KB) exceeds L1, so every M tile reads it from
// L2: tall tiles of 13 rows x 2 vectors (26 accumulators, 2 loads a step) rather than 4 x 5
// (20 accumulators, 5 loads a step), which the FMA count alone rates as well (resnet50's
// 256x14x14 -> 1024 pointwise conv: 0.665 -> 0.560 ms).
// CHECK-LABEL: func.func @l2_streamed_operand
// CHECK:         scf.for %{{.+}} = %c0 to %c1014 step %c13
// CHECK:           %{{.+}}:26 = scf.for
#mA = affine_map<(d0, d1, d2) -> (d0, d2)>
#mB = affine_map<(d0, d1, d2) -> (d2, d1)>
#mC = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @l2_streamed_operand(%a: tensor<1024x256xf32>, %b: tensor<256x196xf32>) -> tensor<1024x196xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x196xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1024x196xf32>) -> tensor<1024x196xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<1024x256xf32>, tensor<256x196xf32>) outs(%f : tensor<1024x196xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1024x196xf32>
  return %r : tensor<1024x196xf32>
}
