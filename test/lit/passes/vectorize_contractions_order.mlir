// Weight-stationary loop order (chooseOrder): when the constant operand of a convolution is
// larger than 8x l2-bytes, the tiles along its dim go outside the loops over the output rows,
// so that each tile's share of the weights is read from memory once rather than once per
// row. With l2-bytes=64 these 1-2 KB of weights count as large; with the default (1 MB) the
// rows stay outside.
// RUN: %onnx-opt %s -onnx-vectorize-contractions="vector-bits=512 vector-registers=32 l2-bytes=64" -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=OUTER
// RUN: %onnx-opt %s -onnx-vectorize-contractions="vector-bits=512 vector-registers=32" -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=ROWS

// Vectors along the output width (8 of 16 lanes), 28-row tiles of the 64 output channels
// (the broadcast operand, the weights): the channel tiles go outside the 3 output rows.
// OUTER-LABEL: func.func @channel_tiles_outside
// OUTER:         scf.for %{{.+}} = %c0 to %c56 step %c28
// OUTER-NEXT:      scf.for %{{.+}} = %c0 to %c3 step %c1
// OUTER:             vector.fma
// ROWS-LABEL:  func.func @channel_tiles_outside
// ROWS:          scf.for %{{.+}} = %c0 to %c3 step %c1
// ROWS-NEXT:       scf.for %{{.+}} = %c0 to %c56 step %c28
// ROWS:              vector.fma
#mX = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d1 + d4, d2 + d5)>
#mW = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#mY = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @channel_tiles_outside(%x: tensor<2x5x10xf32>, %y: tensor<64x3x8xf32>) -> tensor<64x3x8xf32> {
  %w = arith.constant dense<0.5> : tensor<1152xf32>
  %w4 = tensor.expand_shape %w [[0, 1, 2, 3]] output_shape [64, 2, 3, 3] : tensor<1152xf32> into tensor<64x2x3x3xf32>
  %r = linalg.generic {indexing_maps = [#mX, #mW, #mY], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w4 : tensor<2x5x10xf32>, tensor<64x2x3x3xf32>) outs(%y : tensor<64x3x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<64x3x8xf32>
  return %r : tensor<64x3x8xf32>
}

// -----

// A 3x2 map: vectors along the 128 output channels (the vector operand, the weights, repacked
// channel-innermost), 3-row tiles along the output rows; the channel tiles (4 vectors) go
// outside the loop over the 2 output columns.
// OUTER-LABEL: func.func @vector_tiles_outside
// OUTER:         scf.for %{{.+}} = %c0 to %c128 step %c64
// OUTER-NEXT:      scf.for %{{.+}} = %c0 to %c2 step %c1
// OUTER:             vector.fma
// ROWS-LABEL:  func.func @vector_tiles_outside
// ROWS:          scf.for %{{.+}} = %c0 to %c2 step %c1
// ROWS-NEXT:       scf.for %{{.+}} = %c0 to %c128 step %c64
// ROWS:              vector.fma
#mX = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d1 + d4, d2 + d5)>
#mW = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#mY = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @vector_tiles_outside(%x: tensor<2x5x4xf32>, %y: tensor<128x3x2xf32>) -> tensor<128x3x2xf32> {
  %w = arith.constant dense<0.5> : tensor<2304xf32>
  %w4 = tensor.expand_shape %w [[0, 1, 2, 3]] output_shape [128, 2, 3, 3] : tensor<2304xf32> into tensor<128x2x3x3xf32>
  %r = linalg.generic {indexing_maps = [#mX, #mW, #mY], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w4 : tensor<2x5x4xf32>, tensor<128x2x3x3xf32>) outs(%y : tensor<128x3x2xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<128x3x2xf32>
  return %r : tensor<128x3x2xf32>
}
