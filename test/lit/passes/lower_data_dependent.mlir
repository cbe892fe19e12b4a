// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// Results whose size depends on data (docs/dynamic-shapes.md): a loop counts into a buffer
// of the compile-time bound; the count, marked with its bound (arith.minui
// {onnxc.data_bound}), is the result's run-time dim through an extract_slice.

// NonZero: the bound is numel (15); coordinates [2, 15] buffer.
// CHECK-LABEL: func.func @nonzero
// CHECK:         %[[BUF:.+]] = tensor.empty() : tensor<2x15xi64>
// CHECK:         %[[LOOP:.+]]:2 = scf.for {{.*}} iter_args(%{{.+}} = %[[BUF]], %{{.+}} = %c0) -> (tensor<2x15xi64>, index)
// CHECK:           arith.cmpf une
// CHECK:         %[[N:.+]] = arith.minui %[[LOOP]]#1, %c15 {onnxc.data_bound} : index
// CHECK:         tensor.extract_slice %[[LOOP]]#0[0, 0] [2, %[[N]]] [1, 1] : tensor<2x15xi64> to tensor<2x?xi64>
func.func @nonzero(%x: tensor<3x5xf32>) -> tensor<2x?xi64> {
  %0 = "onnx.NonZero"(%x) : (tensor<3x5xf32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// NonZero of an input with a run-time dim: the bound is computed from its dims.
// CHECK-LABEL: func.func @nonzero_dynamic
// CHECK:         %[[D:.+]] = tensor.dim %arg0, %c0
// CHECK:         %[[NUMEL:.+]] = arith.muli %c4{{.*}}, %[[D]]
// CHECK:         tensor.empty(%[[NUMEL]]) : tensor<2x?xi64>
// CHECK:         arith.minui %{{.+}}, %[[NUMEL]] {onnxc.data_bound}
func.func @nonzero_dynamic(%x: tensor<?x4xi32>) -> tensor<2x?xi64> {
  %0 = "onnx.NonZero"(%x) : (tensor<?x4xi32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// Compress along axis 1 of [2, 5, 3]: bound 5 (the axis), slices copied at the count.
// CHECK-LABEL: func.func @compress_axis
// CHECK:         tensor.collapse_shape %arg0 {{\[}}[0], [1], [2]]
// CHECK:         scf.for
// CHECK:           tensor.insert_slice
// CHECK:         %[[N:.+]] = arith.minui %{{.+}}, %c5 {onnxc.data_bound}
// CHECK:         tensor.extract_slice {{.*}} [2, %[[N]], 3] [1, 1, 1] : tensor<2x5x3xf32> to tensor<2x?x3xf32>
func.func @compress_axis(%x: tensor<2x5x3xf32>, %c: tensor<4xi1>) -> tensor<2x?x3xf32> {
  %0 = "onnx.Compress"(%x, %c) {axis = 1 : i64} : (tensor<2x5x3xf32>, tensor<4xi1>) -> tensor<2x?x3xf32>
  return %0 : tensor<2x?x3xf32>
}

// -----

// Unique without axis: [1, 6, 1] slices; four results sliced to one count.
// CHECK-LABEL: func.func @unique
// CHECK:         %[[N:.+]] = arith.minui %{{.+}}, %c6 {onnxc.data_bound}
// CHECK:         tensor.extract_slice {{.*}} : tensor<1x6x1xi64> to tensor<1x?x1xi64>
// CHECK:         tensor.collapse_shape {{.*}} : tensor<1x?x1xi64> into tensor<?xi64>
// CHECK:         tensor.extract_slice {{.*}}[0] [%[[N]]] [1] : tensor<6xi64> to tensor<?xi64>
// CHECK:         tensor.extract_slice {{.*}}[0] [%[[N]]] [1] : tensor<6xi64> to tensor<?xi64>
// CHECK:         return {{.*}} : tensor<?xi64>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>
func.func @unique(%x: tensor<6xi64>) -> (tensor<?xi64>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>) {
  %0:4 = "onnx.Unique"(%x) {sorted = 1 : i64} : (tensor<6xi64>) -> (tensor<?xi64>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<?xi64>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>
}

// -----

// NonMaxSuppression with a constant max_output_boxes_per_class of 2: bound 1 x 3 x 2 rows.
// CHECK-LABEL: func.func @nms
// CHECK:         tensor.empty() : tensor<6x3xi64>
// CHECK:         arith.minui %{{.+}}, %{{.+}} {onnxc.data_bound}
// CHECK:         tensor.extract_slice {{.*}} : tensor<6x3xi64> to tensor<?x3xi64>
func.func @nms(%b: tensor<1x8x4xf32>, %s: tensor<1x3x8xf32>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  %m = "onnx.Constant"() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.NonMaxSuppression"(%b, %s, %m, %t, %t) : (tensor<1x8x4xf32>, tensor<1x3x8xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----

// A data-dependent size reaching an op that needs static shapes: refused, naming the source.
func.func @consumer_refused(%x: tensor<3x5xf32>) -> tensor<2x?xi64> {
  %0 = "onnx.NonZero"(%x) : (tensor<3x5xf32>) -> tensor<2x?xi64>
  // expected-error @+1 {{the size of its input depends on tensor data (NonZero), and this op needs sizes known at compile time}}
  %1 = "onnx.Trilu"(%0) : (tensor<2x?xi64>) -> tensor<2x?xi64>
  return %1 : tensor<2x?xi64>
}

// -----

func.func @nonzero_scalar(%x: tensor<f32>) -> tensor<0x?xi64> {
  // expected-error @+1 {{a scalar input is not supported}}
  %0 = "onnx.NonZero"(%x) : (tensor<f32>) -> tensor<0x?xi64>
  return %0 : tensor<0x?xi64>
}

// -----

func.func @unique_bool(%x: tensor<4xi1>) -> (tensor<?xi1>, tensor<?xi64>, tensor<4xi64>, tensor<?xi64>) {
  // expected-error @+1 {{element type 'i1' is not supported (numbers only)}}
  %0:4 = "onnx.Unique"(%x) : (tensor<4xi1>) -> (tensor<?xi1>, tensor<?xi64>, tensor<4xi64>, tensor<?xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<?xi1>, tensor<?xi64>, tensor<4xi64>, tensor<?xi64>
}

// -----

// max_output_boxes_per_class 0 (the default): nothing can be selected.
func.func @nms_none(%b: tensor<1x8x4xf32>, %s: tensor<1x3x8xf32>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  %m = "onnx.Constant"() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  // expected-error @+1 {{selects no box whatever the data}}
  %0 = "onnx.NonMaxSuppression"(%b, %s, %m, %t, %t) : (tensor<1x8x4xf32>, tensor<1x3x8xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}
