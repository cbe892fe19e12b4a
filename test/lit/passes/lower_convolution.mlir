// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Conv: pad with zeros, view input and weights per group ([N, G, C/G, H...] and
// [G, M/G, C/G, K...]), one linalg.generic over (n, g, m, o..., c, k...) whose accumulator is
// the bias broadcast over the output (or zeros), then collapse [G, M/G] back to M.

// CHECK-DAG: #[[$BIAS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2)>
// CHECK-DAG: #[[$ID5:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-DAG: #[[$W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @conv_bias_pad_stride
// CHECK-SAME:    (%[[X:.+]]: tensor<1x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<4xf32>)
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// Padding fills only the border: the rows above and below, then the columns left and right of
// the interior rows, each a fill of a slice put back in place; then the input goes into the
// interior (no fill of the whole padded tensor before the copy).
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<1x3x10x10xf32>
// CHECK:         %[[S0:.+]] = tensor.extract_slice %[[E]][0, 0, 0, 0] [1, 3, 1, 10] [1, 1, 1, 1]
// CHECK:         %[[F0:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[S0]] : tensor<1x3x1x10xf32>)
// CHECK:         %[[P0:.+]] = tensor.insert_slice %[[F0]] into %[[E]][0, 0, 0, 0] [1, 3, 1, 10] [1, 1, 1, 1]
// CHECK:         %[[S1:.+]] = tensor.extract_slice %[[P0]][0, 0, 9, 0] [1, 3, 1, 10] [1, 1, 1, 1]
// CHECK:         %[[F1:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[S1]] : tensor<1x3x1x10xf32>)
// CHECK:         %[[P1:.+]] = tensor.insert_slice %[[F1]] into %[[P0]][0, 0, 9, 0] [1, 3, 1, 10] [1, 1, 1, 1]
// CHECK:         %[[S2:.+]] = tensor.extract_slice %[[P1]][0, 0, 1, 0] [1, 3, 8, 1] [1, 1, 1, 1]
// CHECK:         %[[F2:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[S2]] : tensor<1x3x8x1xf32>)
// CHECK:         %[[P2:.+]] = tensor.insert_slice %[[F2]] into %[[P1]][0, 0, 1, 0] [1, 3, 8, 1] [1, 1, 1, 1]
// CHECK:         %[[S3:.+]] = tensor.extract_slice %[[P2]][0, 0, 1, 9] [1, 3, 8, 1] [1, 1, 1, 1]
// CHECK:         %[[F3:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[S3]] : tensor<1x3x8x1xf32>)
// CHECK:         %[[P3:.+]] = tensor.insert_slice %[[F3]] into %[[P2]][0, 0, 1, 9] [1, 3, 8, 1] [1, 1, 1, 1]
// CHECK:         %[[PAD:.+]] = tensor.insert_slice %[[X]] into %[[P3]][0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1] : tensor<1x3x8x8xf32> into tensor<1x3x10x10xf32>
// CHECK:         %[[XG:.+]] = tensor.expand_shape %[[PAD]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 1, 3, 10, 10]
// CHECK:         %[[WG:.+]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [1, 4, 3, 3, 3]
// CHECK:         %[[BG:.+]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [1, 4]
// CHECK:         %[[INIT:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$BIAS]], #[[$ID5]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[BG]] : tensor<1x4xf32>)
// CHECK:         } -> tensor<1x1x4x4x4xf32>
// CHECK:         %[[CONV:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$IN]], #[[$W]], #[[$OUT]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK-SAME:      ins(%[[XG]], %[[WG]] : tensor<1x1x3x10x10xf32>, tensor<1x4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x1x4x4x4xf32>)
// CHECK:           %[[P:.+]] = arith.mulf
// CHECK:           arith.addf %{{.+}}, %[[P]]
// CHECK:         %[[R:.+]] = tensor.collapse_shape %[[CONV]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x1x4x4x4xf32> into tensor<1x4x4x4xf32>
// CHECK:         return %[[R]]
func.func @conv_bias_pad_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = onnx.Conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Groups and dilations, no bias, no padding: no tensor.pad, a zero-filled accumulator, and the
// dilation multiplies the kernel index.
// CHECK-DAG: #[[$GIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6 * 2, d4 + d7 * 2)>
// CHECK-LABEL: func.func @conv_group_dilation
// CHECK-NOT:     tensor.pad
// CHECK:         tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 4, 2, 9, 9]
// CHECK:         tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2], [3], [4]] output_shape [4, 4, 2, 3, 3]
// CHECK:         %[[FILL:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x4x4x5x5xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$GIN]],
// CHECK-SAME:      outs(%[[FILL]] : tensor<1x4x4x5x5xf32>)
// CHECK:         tensor.collapse_shape %{{.+}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x4x4x5x5xf32> into tensor<1x16x5x5xf32>
func.func @conv_group_dilation(%x: tensor<1x8x9x9xf32>, %w: tensor<16x2x3x3xf32>) -> tensor<1x16x5x5xf32> {
  %0 = onnx.Conv %x, %w {group = 4 : i64, dilations = array<i64: 2, 2>} : (tensor<1x8x9x9xf32>, tensor<16x2x3x3xf32>) -> tensor<1x16x5x5xf32>
  return %0 : tensor<1x16x5x5xf32>
}

// -----

// Asymmetric padding from auto_pad=SAME_UPPER (the extra row/column goes at the end).
// CHECK-LABEL: func.func @conv_same_upper
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<1x1x5x5xf32>
// CHECK-NOT:     tensor.extract_slice %{{.+}}[0, 0, 0, 0] [1, 1, 0
// CHECK:         tensor.extract_slice %[[E]][0, 0, 4, 0] [1, 1, 1, 5] [1, 1, 1, 1]
// CHECK:         tensor.extract_slice %{{.+}}[0, 0, 0, 4] [1, 1, 4, 1] [1, 1, 1, 1]
// CHECK:         tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1] : tensor<1x1x4x4xf32> into tensor<1x1x5x5xf32>
func.func @conv_same_upper(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = onnx.Conv %x, %w {auto_pad = "SAME_UPPER"} : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// 1-D convolution: one spatial loop and one kernel loop.
// CHECK-DAG: #[[$IN1:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 + d5)>
// CHECK-DAG: #[[$W1:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG: #[[$OUT1:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_1d
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$IN1]], #[[$W1]], #[[$OUT1]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK:         tensor.collapse_shape %{{.+}} : tensor<2x1x5x7xf32> into tensor<2x5x7xf32>
func.func @conv_1d(%x: tensor<2x3x10xf32>, %w: tensor<5x3x4xf32>) -> tensor<2x5x7xf32> {
  %0 = onnx.Conv %x, %w : (tensor<2x3x10xf32>, tensor<5x3x4xf32>) -> tensor<2x5x7xf32>
  return %0 : tensor<2x5x7xf32>
}

// -----

// A pointwise Conv (1x1 kernel, unit strides, no padding) is a product over the flattened map:
// the contraction runs on [N, G, C/G, H*W] and its result is expanded back to [N, M, H, W].
// CHECK-LABEL: func.func @conv_pointwise
// CHECK-SAME:    (%[[X:.+]]: tensor<2x8x7x7xf32>, %[[W:.+]]: tensor<16x8x1x1xf32>)
// CHECK:         %[[XF:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0], [1], [2, 3]] : tensor<2x8x7x7xf32> into tensor<2x8x49xf32>
// CHECK:         %[[WF:.+]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1], [2, 3]] : tensor<16x8x1x1xf32> into tensor<16x8x1xf32>
// CHECK:         %[[CONV:.+]] = linalg.generic
// CHECK-SAME:      ins(%{{.+}}, %{{.+}} : tensor<2x1x8x49xf32>, tensor<1x16x8x1xf32>)
// CHECK:         } -> tensor<2x1x16x49xf32>
// CHECK:         %[[R:.+]] = tensor.collapse_shape %[[CONV]] {{\[\[}}0], [1, 2], [3]] : tensor<2x1x16x49xf32> into tensor<2x16x49xf32>
// CHECK:         %[[E:.+]] = tensor.expand_shape %[[R]] {{\[\[}}0], [1], [2, 3]] output_shape [2, 16, 7, 7] : tensor<2x16x49xf32> into tensor<2x16x7x7xf32>
// CHECK:         return %[[E]]
func.func @conv_pointwise(%x: tensor<2x8x7x7xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<2x16x7x7xf32> {
  %0 = onnx.Conv %x, %w : (tensor<2x8x7x7xf32>, tensor<16x8x1x1xf32>) -> tensor<2x16x7x7xf32>
  return %0 : tensor<2x16x7x7xf32>
}

// -----

// A strided 1x1 Conv without padding subsamples its input (a copy of the pixels it reads,
// x[n, c, 2i, 2j], 7x7 -> 4x4) and is then pointwise over the flattened 4x4 map.
// CHECK-DAG:   #[[SUB:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 2, d3 * 2)>
// CHECK-DAG:   #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_1x1_strided
// CHECK-SAME:    (%[[X:.+]]: tensor<1x8x7x7xf32>,
// CHECK:         %[[S:.+]] = linalg.generic {indexing_maps = [#[[SUB]], #[[ID]]]
// CHECK-SAME:      ins(%[[X]] : tensor<1x8x7x7xf32>) outs(%{{.+}} : tensor<1x8x4x4xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]] : f32
// CHECK:         tensor.collapse_shape %[[S]] {{\[\[}}0], [1], [2, 3]] : tensor<1x8x4x4xf32> into tensor<1x8x16xf32>
// CHECK:         } -> tensor<1x1x16x16xf32>
// CHECK:         tensor.expand_shape %{{.+}} output_shape [1, 16, 4, 4]
func.func @conv_1x1_strided(%x: tensor<1x8x7x7xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32> {
  %0 = onnx.Conv %x, %w {strides = array<i64: 2, 2>} : (tensor<1x8x7x7xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// Rows that fill the lanes (14) and few output channels (16 < 512): the copy would cost more
// than the strided loads, so the input is read in place.
// CHECK-LABEL: func.func @conv_1x1_strided_long_rows
// CHECK-NOT:     tensor.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]]
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%{{.+}}, %{{.+}} : tensor<1x1x8x28x28xf32>,
// CHECK:         } -> tensor<1x1x16x14x14xf32>
func.func @conv_1x1_strided_long_rows(%x: tensor<1x8x28x28xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<1x16x14x14xf32> {
  %0 = onnx.Conv %x, %w {strides = array<i64: 2, 2>} : (tensor<1x8x28x28xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x14x14xf32>
  return %0 : tensor<1x16x14x14xf32>
}

// -----

// A padded strided 1x1 Conv keeps its spatial dims and reads the padded input strided.
// CHECK-LABEL: func.func @conv_1x1_strided_padded
// CHECK-NOT:     tensor.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]]
// CHECK:         linalg.generic
// CHECK:         } -> tensor<1x1x16x5x5xf32>
func.func @conv_1x1_strided_padded(%x: tensor<1x8x7x7xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<1x16x5x5xf32> {
  %0 = onnx.Conv %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x7x7xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x5x5xf32>
  return %0 : tensor<1x16x5x5xf32>
}

// -----

// A pointwise Conv whose result feeds only padded windows (through an activation) keeps its
// map when its rows are long enough (>= 14): its kernel can then write into the padded
// buffer's interior (onnx-write-into-pads), which a flattened row cannot.
// CHECK-LABEL: func.func @conv_pointwise_into_pad
// CHECK-NOT:     tensor.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]]
// CHECK:         linalg.generic
// CHECK:         } -> tensor<1x1x16x14x14xf32>
func.func @conv_pointwise_into_pad(%x: tensor<1x8x14x14xf32>, %w: tensor<16x8x1x1xf32>, %dw: tensor<16x1x3x3xf32>) -> tensor<1x16x14x14xf32> {
  %0 = onnx.Conv %x, %w : (tensor<1x8x14x14xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x14x14xf32>
  %1 = onnx.Relu %0 : (tensor<1x16x14x14xf32>) -> tensor<1x16x14x14xf32>
  %2 = onnx.Conv %1, %dw {group = 16 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x14x14xf32>
  return %2 : tensor<1x16x14x14xf32>
}

// -----

// Flattened still: 7-wide rows (lanes wasted), or a reader that is not a padded window.
// CHECK-LABEL: func.func @conv_pointwise_short_rows
// CHECK:         tensor.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : tensor<1x8x7x7xf32> into tensor<1x8x49xf32>
// CHECK-LABEL: func.func @conv_pointwise_other_reader
// CHECK:         tensor.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : tensor<1x8x14x14xf32> into tensor<1x8x196xf32>
func.func @conv_pointwise_short_rows(%x: tensor<1x8x7x7xf32>, %w: tensor<16x8x1x1xf32>, %dw: tensor<16x1x3x3xf32>) -> tensor<1x16x7x7xf32> {
  %0 = onnx.Conv %x, %w : (tensor<1x8x7x7xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x7x7xf32>
  %2 = onnx.Conv %0, %dw {group = 16 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x7x7xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x7x7xf32>
  return %2 : tensor<1x16x7x7xf32>
}
func.func @conv_pointwise_other_reader(%x: tensor<1x8x14x14xf32>, %w: tensor<16x8x1x1xf32>, %dw: tensor<16x1x3x3xf32>) -> (tensor<1x16x14x14xf32>, tensor<1x16x14x14xf32>) {
  %0 = onnx.Conv %x, %w : (tensor<1x8x14x14xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x14x14xf32>
  %2 = onnx.Conv %0, %dw {group = 16 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x14x14xf32>
  return %0, %2 : tensor<1x16x14x14xf32>, tensor<1x16x14x14xf32>
}
