// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// Dims known only at run time: the lowerings size their results from the operands'
// run-time dims (tensor.dim), docs/dynamic-shapes.md.

// CHECK-LABEL: func.func @add_broadcast
// CHECK:         %[[D:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x8xf32>
// CHECK:         tensor.empty(%[[D]]) : tensor<?x8xf32>
// CHECK:         linalg.generic
func.func @add_broadcast(%a: tensor<?x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %0 = "onnx.Add"(%a, %b) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// MatMul: batch from A, M from A, N static.
// CHECK-LABEL: func.func @matmul_batch
// CHECK-DAG:     %[[B:.+]] = tensor.dim %arg0, %c0
// CHECK-DAG:     %[[M:.+]] = tensor.dim %arg0, %c1
// CHECK:         tensor.empty(%[[B]], %[[M]]) : tensor<?x?x4xf32>
func.func @matmul_batch(%a: tensor<?x?x8xf32>, %b: tensor<8x4xf32>) -> tensor<?x?x4xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<?x?x8xf32>, tensor<8x4xf32>) -> tensor<?x?x4xf32>
  return %0 : tensor<?x?x4xf32>
}

// -----

// Transpose: result dim i is the input's dim perm[i].
// CHECK-LABEL: func.func @transpose
// CHECK:         %[[S:.+]] = tensor.dim %arg0, %c1
// CHECK:         %[[B:.+]] = tensor.dim %arg0, %c0
// CHECK:         tensor.empty(%[[S]], %[[B]]) : tensor<?x?x8xf32>
// CHECK:         linalg.transpose
func.func @transpose(%a: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %0 = "onnx.Transpose"(%a) {perm = array<i64: 1, 0, 2>} : (tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// Conv with run-time N, H, W: O = (H + pads - extent) floordiv stride + 1.
// CHECK-LABEL: func.func @conv
// CHECK:         tensor.pad
// CHECK:         arith.floordivsi
// CHECK:         linalg.generic
func.func @conv(%x: tensor<?x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32> {
  %0 = "onnx.Conv"(%x, %w) {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// An op without a run-time-dims lowering is refused, naming the input to fix.
func.func @refused(%x: tensor<?x4xf32> {onnx.name = "x"}) -> tensor<?x4xf32> {
  // expected-error @+1 {{dynamic dimensions ('tensor<?x4xf32>') are not supported yet for this op (dims known only at run time); fix the dims of input 'x' at compile time with --shape x=DIMS}}
  %0 = "onnx.Trilu"(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// GatherND with a run-time number of coordinate tuples (NonZero -> Transpose -> GatherND):
// the result's dim comes from the indices.
// CHECK-LABEL: func.func @gathernd_tuples
// CHECK:         %[[N:.+]] = tensor.dim %arg1, %c0 : tensor<?x2xi64>
// CHECK:         tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK:         linalg.generic
func.func @gathernd_tuples(%d: tensor<3x4xf32>, %i: tensor<?x2xi64>) -> tensor<?xf32> {
  %0 = "onnx.GatherND"(%d, %i) : (tensor<3x4xf32>, tensor<?x2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// The tuple length must be static: it decides the result's rank.
func.func @gathernd_dynamic_tuple(%d: tensor<3x4xf32>, %i: tensor<5x?xi64>) -> tensor<5xf32> {
  // expected-error @+1 {{the coordinate tuple length (last dim of 'indices') must be known at compile time}}
  %0 = "onnx.GatherND"(%d, %i) : (tensor<3x4xf32>, tensor<5x?xi64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
