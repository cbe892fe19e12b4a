// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// What the If lowering refuses, with one error on the op that says why.

// Branches of different ranks: ONNX types such an output unranked.
func.func @if_ranks(%c: tensor<i1>, %x: tensor<3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{output 0 has rank 1 ('tensor<3xf32>') in then_branch and rank 0 ('tensor<f32>') in else_branch: ONNX allows branches of different ranks only for an output of unranked type, whose rank is known only at run time, which is not supported}}
  %0 = "onnx.If"(%c) ({
    onnx.Yield %x : tensor<3xf32>
  }, {
    %1 = onnx.ReduceSum %x {keepdims = 0 : i64} : (tensor<3xf32>) -> tensor<f32>
    onnx.Yield %1 : tensor<f32>
  }) : (tensor<i1>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// A size made by an op the bound does not see through (MatMul: its bound would need the
// contraction's shape rules).
func.func @if_unbounded(%c: tensor<i1>, %x: tensor<?x4xf32>, %w: tensor<4x?xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{output 0 has dim 0 computed at run time in then_branch (by 'onnx.MatMul'), and its size is not computable from the dims before the If (only through elementwise ops and Concat), which is not supported yet}}
  %0 = "onnx.If"(%c) ({
    %1 = onnx.MatMul %x, %w : (tensor<?x4xf32>, tensor<4x?xf32>) -> tensor<?x?xf32>
    onnx.Yield %1 : tensor<?x?xf32>
  }, {
    onnx.Yield %x : tensor<?x4xf32>
  }) : (tensor<i1>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
