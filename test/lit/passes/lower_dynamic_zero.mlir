// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Run-time dims may be 0 (docs/dynamic-shapes.md, "Run-time dims of size 0"): the sizes the
// lowerings compute never divide by a run-time 0, and what has no meaning at 0 is a
// cf.assert {onnxc.dims_check} that onnx-size-function turns into a refusal of the dims.

// Reshape's -1 is total / known, divided by 1 where known is 0; known == 0 or a remainder
// gives -1 and breaks the dims check.
// CHECK-LABEL: func.func @reshape_infer
// CHECK:         %[[N:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x4xf32>
// CHECK:         %[[NONE:.+]] = arith.cmpi eq, %[[KNOWN:.+]], %[[C0:.+]] : index
// CHECK:         %[[DIV:.+]] = arith.select %[[NONE]], %{{.+}}, %[[KNOWN]] : index
// CHECK:         %[[REM:.+]] = arith.remui %[[TOTAL:.+]], %[[DIV]] : index
// CHECK:         %[[REST:.+]] = arith.cmpi ne, %[[REM]], %[[C0]] : index
// CHECK:         %[[BAD:.+]] = arith.ori %[[NONE]], %[[REST]] : i1
// CHECK:         %[[Q:.+]] = arith.divui %[[TOTAL]], %[[DIV]] : index
// CHECK:         %[[D:.+]] = arith.select %[[BAD]], %c-1, %[[Q]] : index
// CHECK:         %[[OK:.+]] = arith.xori %[[BAD]], %true : i1
// CHECK:         cf.assert %[[OK]], "Reshape's -1 has no meaning for these dims" {onnxc.dims_check}
// CHECK:         tensor.expand_shape %{{.+}} output_shape [%[[D]], 2]
func.func @reshape_infer(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %s = onnx.Constant dense<[-1, 2]> : tensor<2xi64>
  %0 = onnx.Reshape %x, %s : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// [0, -1] of [n, k] is the input itself, but at n = 0 the -1 has no meaning (numpy refuses
// it): the check is made even though the inferred dim is not used.
// CHECK-LABEL: func.func @reshape_copy_zero
// CHECK:         cf.assert %{{.+}}, "Reshape's -1 has no meaning for these dims" {onnxc.dims_check}
// CHECK:         return %arg0
func.func @reshape_copy_zero(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %s = onnx.Constant dense<[0, -1]> : tensor<2xi64>
  %0 = onnx.Reshape %x, %s : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Flatten multiplies both sides of the axis: [2, n, 3] at axis 2 is [2n, 3], no division by
// the leading product (0 for n = 0).
// CHECK-LABEL: func.func @flatten_runtime
// CHECK-NOT:     arith.divui
// CHECK:         %[[N:.+]] = tensor.dim %arg0, %{{.+}} : tensor<2x?x3xf32>
// CHECK:         %[[OUTER:.+]] = arith.muli %{{.+}}, %[[N]] : index
// CHECK-NOT:     arith.divui
// CHECK:         tensor.expand_shape %{{.+}} output_shape [%[[OUTER]], 3]
func.func @flatten_runtime(%x: tensor<2x?x3xf32>) -> tensor<?x3xf32> {
  %0 = onnx.Flatten %x {axis = 2 : i64} : (tensor<2x?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Gather along a run-time axis with a static (non-empty) result: the axis must not be
// empty, checked before the clamp to [0, n - 1] can read index -1.
// CHECK-LABEL: func.func @gather_runtime_axis
// CHECK:         %[[N:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x2x8xf32>
// CHECK:         %[[OK:.+]] = arith.cmpi ne, %[[N]], %{{.+}} : index
// CHECK:         cf.assert %[[OK]], "Gather reads from an empty axis" {onnxc.dims_check}
// CHECK:         linalg.generic
// CHECK:           arith.subi %[[N]], %{{.+}} : index
func.func @gather_runtime_axis(%x: tensor<?x2x8xf32>) -> tensor<2x8xf32> {
  %i = onnx.Constant dense<-1> : tensor<i64>
  %0 = "onnx.Gather"(%x, %i) {axis = 0 : i64} : (tensor<?x2x8xf32>, tensor<i64>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// With run-time indices the result may be empty too: then nothing is read and an empty axis
// is fine (n != 0 or m == 0).
// CHECK-LABEL: func.func @gather_runtime_both
// CHECK:         %[[M:.+]] = tensor.dim %arg1, %{{.+}} : tensor<?xi64>
// CHECK:         %[[N:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x4xf32>
// CHECK:         %[[NZ:.+]] = arith.cmpi ne, %[[N]], %[[C0:.+]] : index
// CHECK:         %[[NUMEL:.+]] = arith.muli %{{.+}}, %[[M]] : index
// CHECK:         %[[EMPTY:.+]] = arith.cmpi eq, %[[NUMEL]], %[[C0]] : index
// CHECK:         %[[OK:.+]] = arith.ori %[[NZ]], %[[EMPTY]] : i1
// CHECK:         cf.assert %[[OK]], "Gather reads from an empty axis" {onnxc.dims_check}
func.func @gather_runtime_both(%x: tensor<?x4xf32>, %i: tensor<?xi64>) -> tensor<?x4xf32> {
  %0 = "onnx.Gather"(%x, %i) {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A gathered axis of static size needs no check.
// CHECK-LABEL: func.func @gather_static_axis
// CHECK-NOT:     cf.assert
// CHECK:         return
func.func @gather_static_axis(%x: tensor<?x4xf32>, %i: tensor<?xi64>) -> tensor<?x?xf32> {
  %0 = "onnx.Gather"(%x, %i) {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// An integer mean over a run-time dim divides by max(count, 1): an empty axis gives 0, as
// with a static 0, never a division by zero.
// CHECK-LABEL: func.func @reduce_mean_int
// CHECK:         %[[N:.+]] = arith.muli %{{.+}}, %{{.+}} : index
// CHECK:         %[[SAFE:.+]] = arith.maxui %[[N]], %{{.+}} : index
// CHECK:         %[[I:.+]] = arith.index_cast %[[SAFE]] : index to i32
// CHECK:         linalg.generic
// CHECK:           arith.divsi %{{.+}}, %[[I]] : i32
func.func @reduce_mean_int(%x: tensor<?x5xi32>) -> tensor<1x5xi32> {
  %0 = onnx.ReduceMean %x {axes = array<i64: 0>} : (tensor<?x5xi32>) -> tensor<1x5xi32>
  return %0 : tensor<1x5xi32>
}
