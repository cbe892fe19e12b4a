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

// A size made by an op the bound does not see through (NonZero: a count from data).
func.func @if_unbounded(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<1x?xi64> {
  // expected-error @+1 {{output 0 has dim 1 computed at run time in then_branch (by 'onnx.NonZero'), and its size is not computable from the dims before the If (only through elementwise ops, Concat, Transpose, MatMul, Reshape with a constant shape and Slice), which is not supported yet}}
  %0 = "onnx.If"(%c) ({
    %1 = "onnx.NonZero"(%x) : (tensor<4xf32>) -> tensor<1x?xi64>
    onnx.Yield %1 : tensor<1x?xi64>
  }, {
    %2 = onnx.Constant dense<0> : tensor<1x2xi64>
    onnx.Yield %2 : tensor<1x2xi64>
  }) : (tensor<i1>) -> tensor<1x?xi64>
  return %0 : tensor<1x?xi64>
}

// -----

// A Reshape whose shape is read at run time: no bound (and the Reshape itself is refused).
func.func @if_reshape_runtime(%c: tensor<i1>, %x: tensor<?x4xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{output 0 has dim 0 computed at run time in then_branch (by 'onnx.Reshape'), and its size is not computable from the dims before the If}}
  %0 = "onnx.If"(%c) ({
    // expected-error @+1 {{a target shape read from tensor data (not computed from the dims by Shape arithmetic) is not supported}}
    %1 = onnx.Reshape %x, %s : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
    onnx.Yield %1 : tensor<?x?xf32>
  }, {
    onnx.Yield %x : tensor<?x4xf32>
  }) : (tensor<i1>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A growing value in a loop that ends on a condition computed in its body: no bound.
func.func @loop_grows_while(%x: tensor<1x3xf32>, %p: tensor<2x3xf32>, %n: tensor<i64>) -> tensor<?x3xf32> {
  // expected-error @+1 {{loop-carried value 0 grows, and the loop ends on a condition computed in its body: its size has no bound before the loop, which is not supported yet}}
  %0 = "onnx.Loop"(%n, %x) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<?x3xf32>):
    %1 = onnx.Concat %v, %p {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
    %2 = onnx.Less %i, %n : (tensor<i64>, tensor<i64>) -> tensor<i1>
    onnx.Yield %2, %1 : tensor<i1>, tensor<?x3xf32>
  }) {operandSegmentSizes = array<i32: 1, 0, 1>, onnxc.grows = array<i64: 0>} : (tensor<i64>, tensor<1x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
