// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// ConvTranspose: zeros inserted between the input's elements (a strided insert_slice),
// padding of effective kernel - 1 - pads per side, then one contraction with the kernel
// flipped by its indexing map (K - 1 - k) and the channel roles of W swapped.

// CHECK-DAG: #[[$U:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6, d4 + d7)>
// CHECK-DAG: #[[$W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d2, -d6 + 2, -d7 + 1)>
// CHECK-DAG: #[[$K:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d6, d7)>
// CHECK-DAG: #[[$O:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @strided_groups
// CHECK-SAME:    (%[[X:.+]]: tensor<1x4x3x3xf32>, %[[W:.+]]: tensor<4x3x3x2xf32>, %[[B:.+]]: tensor<6xf32>)
// CHECK:         %[[ZEROS:.+]] = linalg.fill
// CHECK:         %[[U:.+]] = tensor.insert_slice %[[X]] into %[[ZEROS]][0, 0, 0, 0] [1, 4, 3, 3] [1, 1, 2, 2] : tensor<1x4x3x3xf32> into tensor<1x4x5x5xf32>
// pads [1, 0, 0, 1]: low 3 - 1 - 1 = 1 and 2 - 1 - 0 = 1, high 2 and 0.
// CHECK:         %[[P:.+]] = tensor.pad %[[U]] low[0, 0, 1, 1] high[0, 0, 2, 0]
// CHECK:         %[[UV:.+]] = tensor.expand_shape %[[P]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 8, 6]
// CHECK:         %[[WV:.+]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 2, 3, 3, 2]
// CHECK:         %[[KS:.+]] = tensor.empty() : tensor<3x2xf32>
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$U]], #[[$W]], #[[$K]], #[[$O]]]
// CHECK-SAME:      ins(%[[UV]], %[[WV]], %[[KS]] : tensor<1x2x2x8x6xf32>, tensor<2x2x3x3x2xf32>, tensor<3x2xf32>)
// CHECK-SAME:      outs(%{{.+}} : tensor<1x2x3x6x5xf32>)
// CHECK:         tensor.collapse_shape %[[Y]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x6x5xf32> into tensor<1x6x6x5xf32>
func.func @strided_groups(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x3x2xf32>, %b: tensor<6xf32>) -> tensor<1x6x6x5xf32> {
  %0 = onnx.ConvTranspose %x, %w, %b {group = 2 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 1>} : (tensor<1x4x3x3xf32>, tensor<4x3x3x2xf32>, tensor<6xf32>) -> tensor<1x6x6x5xf32>
  return %0 : tensor<1x6x6x5xf32>
}

// -----

// Pads larger than the kernel crop the input instead (here 3 > 2 - 1 at the start).
// CHECK-LABEL: func.func @crop
// CHECK-NOT:     tensor.insert_slice
// CHECK:         tensor.pad %{{.+}} low[0, 0, 0] high[0, 0, 1]
// CHECK:         tensor.extract_slice %{{.+}}[0, 0, 2] [1, 1, 3] [1, 1, 1] : tensor<1x1x5xf32> to tensor<1x1x3xf32>
func.func @crop(%x: tensor<1x1x4xf32>, %w: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> {
  %0 = onnx.ConvTranspose %x, %w {pads = array<i64: 3, 0>} : (tensor<1x1x4xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}
