// RUN: %onnx-opt %s -convert-onnx-to-linalg -canonicalize -cse -split-input-file -verify-diagnostics | FileCheck %s

// Reshape to a shape computed from run-time dims (docs/dynamic-shapes.md): the entries are
// recomputed from the dims (shapeVector), not read from the shape tensor.

// view(b, -1) as exported: Concat(Shape(x)[0], [-1]). The first entry is x's own dim 0, so
// it is kept as its own group; the rest collapses into the -1.
// CHECK-LABEL: func.func @reshape_shape_of
// CHECK-SAME:    (%[[X:.+]]: tensor<?x4x?xf32>)
// CHECK:         %[[C:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0], [1, 2]] : tensor<?x4x?xf32> into tensor<?x?xf32>
// CHECK:         return %[[C]]
func.func @reshape_shape_of(%x: tensor<?x4x?xf32>) -> tensor<?x?xf32> {
  %i0 = onnx.Constant dense<0> : tensor<1xi64>
  %m1 = onnx.Constant dense<-1> : tensor<1xi64>
  %s = onnx.Shape %x : (tensor<?x4x?xf32>) -> tensor<3xi64>
  %b = onnx.Gather %s, %i0 : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %t = onnx.Concat %b, %m1 {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %0 = onnx.Reshape %x, %t : (tensor<?x4x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// An entry from another tensor's dims (no -1): the element count is a dims check, and a 0
// entry copies the input's dim (allowzero = 0).
// CHECK-LABEL: func.func @reshape_like
// CHECK-SAME:    (%[[X:.+]]: tensor<?x6xf32>, %[[Y:.+]]: tensor<?x2xf32>)
// CHECK-DAG:     %[[M:.+]] = tensor.dim %[[Y]], %c0
// CHECK-DAG:     %[[N:.+]] = tensor.dim %[[X]], %c0
// CHECK:         %[[Z:.+]] = arith.cmpi eq, %[[M]], %c0
// CHECK:         %[[D:.+]] = arith.select %[[Z]], %[[N]], %[[M]]
// CHECK:         cf.assert %{{.+}}, "Reshape's shape computed at run time does not keep the element count" {onnxc.dims_check}
// CHECK:         tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2]] output_shape [%[[D]], 2, 3]
func.func @reshape_like(%x: tensor<?x6xf32>, %y: tensor<?x2xf32>) -> tensor<?x2x3xf32> {
  %i0 = onnx.Constant dense<0> : tensor<1xi64>
  %one = onnx.Constant dense<1> : tensor<1xi64>
  %tail = onnx.Constant dense<[2, 3]> : tensor<2xi64>
  %s = onnx.Shape %y : (tensor<?x2xf32>) -> tensor<2xi64>
  %m = onnx.Slice %s, %i0, %one : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %t = onnx.Concat %m, %tail {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  %0 = onnx.Reshape %x, %t : (tensor<?x6xf32>, tensor<3xi64>) -> tensor<?x2x3xf32>
  return %0 : tensor<?x2x3xf32>
}

// -----

// A shape read from tensor data: refused, naming the cause.
func.func @reshape_data(%x: tensor<?x6xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{a target shape read from tensor data (not computed from the dims by Shape arithmetic) is not supported}}
  %0 = onnx.Reshape %x, %s : (tensor<?x6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
