// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// What the reduction family refuses, each with one error on the op that says why: element
// types the lowering does not handle, dynamic dims, and axes the verifier rejects.

func.func @unsigned(%x: tensor<4x5xui8>) -> tensor<1x5xui8> {
  // expected-error @+1 {{element type 'ui8' is not supported for this op (float and signed integer only)}}
  %0 = onnx.ReduceSum %x {axes = array<i64: 0>} : (tensor<4x5xui8>) -> tensor<1x5xui8>
  return %0 : tensor<1x5xui8>
}

// -----

func.func @argmax_bool(%x: tensor<4x5xi1>) -> tensor<1x5xi64> {
  // expected-error @+1 {{element type 'i1' is not supported for this op (float and signed integer only)}}
  %0 = onnx.ArgMax %x : (tensor<4x5xi1>) -> tensor<1x5xi64>
  return %0 : tensor<1x5xi64>
}

// -----

func.func @axis_out_of_range(%x: tensor<2x3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.ReduceMax' op axis 3 is out of range for rank 3}}
  %0 = onnx.ReduceMax %x {axes = array<i64: 0, 3>} : (tensor<2x3x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @axis_twice(%x: tensor<2x3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.ReduceL1' op axis -1 is listed twice}}
  %0 = onnx.ReduceL1 %x {axes = array<i64: 2, -1>} : (tensor<2x3x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// A scalar has no axis to take the index along.
func.func @argmin_scalar(%x: tensor<f32>) -> tensor<*xi64> {
  // expected-error @+1 {{'onnx.ArgMin' op axis 0 is out of range for rank 0}}
  %0 = onnx.ArgMin %x : (tensor<f32>) -> tensor<*xi64>
  return %0 : tensor<*xi64>
}
