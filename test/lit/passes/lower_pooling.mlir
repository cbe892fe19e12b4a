// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Windowed pools: pad (only the border is filled), then one linalg.generic with a kernel-shaped tensor.empty operand that
// only carries the window's iteration domain. Over output rows of 32 or more, the loops are
// (n, c, o..., k..., o_last): the last output dim is the innermost loop so that LLVM
// vectorizes each kernel offset's sweep along an output row.

// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3, d5 * 2 + d4)>
// CHECK-DAG: #[[$WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-LABEL: func.func @maxpool_padded
// CHECK-SAME:    (%[[X:.+]]: tensor<1x2x5x65xf32>)
// MaxPool pads with -inf and starts from -inf.
// CHECK:         %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// Only the border is filled (rows above and below, then columns left and right), then the
// input goes into the interior.
// CHECK:         tensor.empty() : tensor<1x2x7x67xf32>
// CHECK-COUNT-2: linalg.fill ins(%[[NINF]] : f32) outs(%{{.+}} : tensor<1x2x1x67xf32>)
// CHECK-COUNT-2: linalg.fill ins(%[[NINF]] : f32) outs(%{{.+}} : tensor<1x2x5x1xf32>)
// CHECK:         %[[PAD:.+]] = tensor.insert_slice %[[X]] into %{{.+}}[0, 0, 1, 1] [1, 2, 5, 65] [1, 1, 1, 1]
// CHECK:         %[[WINDOW:.+]] = tensor.empty() : tensor<3x3xf32>
// CHECK:         %[[FILL:.+]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.+}} : tensor<1x2x3x33xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$IN]], #[[$WIN]], #[[$OUT]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]
// CHECK-SAME:      ins(%[[PAD]], %[[WINDOW]] : tensor<1x2x7x67xf32>, tensor<3x3xf32>) outs(%[[FILL]] : tensor<1x2x3x33xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32, %[[ACC:.+]]: f32):
// CHECK:           arith.maximumf %[[ACC]], %[[IN]] : f32
func.func @maxpool_padded(%x: tensor<1x2x5x65xf32>) -> tensor<1x2x3x33xf32> {
  %0 = onnx.MaxPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x65xf32>) -> tensor<1x2x3x33xf32>
  return %0 : tensor<1x2x3x33xf32>
}

// -----

// Output rows shorter than 32: the kernel loops are innermost, (n, c, o..., k...). LLVM
// unrolls a short row completely and then left it scalar; it vectorizes the row loop
// around the unrolled window instead.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[$WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @maxpool_narrow
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$IN]], #[[$WIN]], #[[$OUT]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
func.func @maxpool_narrow(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = onnx.MaxPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// ceil_mode: the last window overhangs the input by one; the overhang is padded at the end.
// Integer MaxPool pads with the type's minimum.
// CHECK-LABEL: func.func @maxpool_ceil_int
// CHECK:         %[[MIN:.+]] = arith.constant -128 : i8
// CHECK:         linalg.fill ins(%[[MIN]] : i8) outs(%{{.+}} : tensor<1x1x1x5xi8>)
// CHECK:         linalg.fill ins(%[[MIN]] : i8) outs(%{{.+}} : tensor<1x1x4x1xi8>)
// CHECK:         tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1] : tensor<1x1x4x4xi8> into tensor<1x1x5x5xi8>
// CHECK:         linalg.generic
// CHECK:           arith.maxsi
func.func @maxpool_ceil_int(%x: tensor<1x1x4x4xi8>) -> tensor<1x1x2x2xi8> {
  %0 = onnx.MaxPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = 1 : i64} : (tensor<1x1x4x4xi8>) -> tensor<1x1x2x2xi8>
  return %0 : tensor<1x1x2x2xi8>
}

// -----

// AveragePool: a zero-padded window sum, then a multiply by a constant table of 1/count per
// output position. With count_include_pad=0 only input elements count: 2x2, 2x3, 3x2, 3x3.
// CHECK-DAG: #[[$ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$SP:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func.func @avgpool_exclude_pad
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<1x1x1x5xf32>)
// CHECK:         linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<1x1x4x1xf32>)
// CHECK:         tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 1, 1] [1, 1, 4, 4] [1, 1, 1, 1]
// CHECK:         %[[SUM:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK:           arith.addf
// CHECK:         %[[SCALE:.+]] = arith.constant dense<{{\[\[}}2.500000e-01, 0.166666672], [0.166666672, 0.111111112]]> : tensor<2x2xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID4]], #[[$SP]], #[[$ID4]]]
// CHECK-SAME:      ins(%[[SUM]], %[[SCALE]] : tensor<1x1x2x2xf32>, tensor<2x2xf32>)
// CHECK:           arith.mulf
func.func @avgpool_exclude_pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = onnx.AveragePool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// count_include_pad=1: every window counts 9 elements.
// CHECK-LABEL: func.func @avgpool_include_pad
// CHECK:         arith.constant dense<0.111111112> : tensor<2x2xf32>
func.func @avgpool_include_pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = onnx.AveragePool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, count_include_pad = 1 : i64} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// ceil_mode overhang never counts, even with count_include_pad: the last window of a 5-wide
// input (kernel 2, stride 2, outputs 0..2) holds 1 element.
// CHECK-LABEL: func.func @avgpool_ceil
// CHECK:         linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x1x1xf32>)
// CHECK:         tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0] [1, 1, 5] [1, 1, 1]
// CHECK:         arith.constant dense<[5.000000e-01, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
func.func @avgpool_ceil(%x: tensor<1x1x5xf32>) -> tensor<1x1x3xf32> {
  %0 = onnx.AveragePool %x {kernel_shape = array<i64: 2>, strides = array<i64: 2>, ceil_mode = 1 : i64, count_include_pad = 1 : i64} : (tensor<1x1x5xf32>) -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// -----

// Dilated windows (opset 19) count the taps that land inside the input: kernel 2, dilation 2,
// pads 1 on a 5-wide input reads positions (o - 1, o + 1), so the first and last windows
// hold 1 element and the others 2.
// CHECK-LABEL: func.func @avgpool_dilated
// CHECK:         arith.constant dense<[1.000000e+00, 5.000000e-01, 5.000000e-01, 5.000000e-01, 1.000000e+00]> : tensor<5xf32>
func.func @avgpool_dilated(%x: tensor<1x1x5xf32>) -> tensor<1x1x5xf32> {
  %0 = onnx.AveragePool %x {kernel_shape = array<i64: 2>, dilations = array<i64: 2>, pads = array<i64: 1, 1>} : (tensor<1x1x5xf32>) -> tensor<1x1x5xf32>
  return %0 : tensor<1x1x5xf32>
}

// -----

// Global pools reduce the spatial dims into size-1 dims.
// CHECK-DAG: #[[$GID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$GRED:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
// CHECK-LABEL: func.func @global_average
// CHECK:         %[[SUM:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$GID]], #[[$GRED]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK:           arith.addf
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[SUM]] : tensor<2x3x1x1xf32>)
// CHECK:           %[[INV:.+]] = arith.constant 5.000000e-02 : f32
// CHECK:           arith.mulf %{{.+}}, %[[INV]]
func.func @global_average(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x1x1xf32> {
  %0 = onnx.GlobalAveragePool %x : (tensor<2x3x4x5xf32>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

// CHECK-DAG: #[[$MRED:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// CHECK-LABEL: func.func @global_max
// CHECK:         %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         linalg.fill ins(%[[NINF]] : f32)
// CHECK:         linalg.generic
// CHECK-SAME:      #[[$MRED]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:           arith.maximumf
func.func @global_max(%x: tensor<2x3x4xf32>) -> tensor<2x3x1xf32> {
  %0 = onnx.GlobalMaxPool %x : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

// MaxPool with Indices: the same window loops with a second output; a strictly greater
// element replaces the running max and its flat input position (the first maximum wins).
// storage_order = 1 numbers the spatial dims column-major: ((n * C + c) * W + w) * H + h.
// CHECK-LABEL: func.func @maxpool_indices
// CHECK:         %[[R:.+]]:2 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME:      outs(%{{.+}}, %{{.+}} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32, %[[MAX:.+]]: f32, %[[IDX:.+]]: i64):
// CHECK:           %[[W:.+]] = arith.constant 5 : index
// CHECK:           arith.muli %{{.+}}, %[[W]] : index
// CHECK:           %[[H:.+]] = arith.constant 4 : index
// CHECK:           arith.muli %{{.+}}, %[[H]] : index
// CHECK:           %[[POS:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK:           %[[GT:.+]] = arith.cmpf ogt, %[[IN]], %[[MAX]] : f32
// CHECK:           %[[V:.+]] = arith.select %[[GT]], %[[IN]], %[[MAX]] : f32
// CHECK:           %[[I:.+]] = arith.select %[[GT]], %[[POS]], %[[IDX]] : i64
// CHECK:           linalg.yield %[[V]], %[[I]] : f32, i64
// CHECK:         return %[[R]]#0, %[[R]]#1
func.func @maxpool_indices(%x: tensor<1x2x4x5xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) {
  %y, %i = onnx.MaxPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, storage_order = 1 : i64} : (tensor<1x2x4x5xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
  return %y, %i : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>
}
