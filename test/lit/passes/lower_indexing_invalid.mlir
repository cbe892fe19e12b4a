// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// What the loss, scan and indexing ops refuse, each with one error on the op that says why.

func.func @nll_reduction(%x: tensor<3x5xf32>, %t: tensor<3xi64>) -> tensor<f32> {
  // expected-error @+1 {{reduction must be 'none', 'sum' or 'mean', not 'max'}}
  %0 = onnx.NegativeLogLikelihoodLoss %x, %t {reduction = "max"} : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nll_integer_input(%x: tensor<3x5xi32>, %t: tensor<3xi64>) -> tensor<i32> {
  // expected-error @+1 {{element type 'i32' is not supported for this op (floating point only)}}
  %0 = onnx.NegativeLogLikelihoodLoss %x, %t : (tensor<3x5xi32>, tensor<3xi64>) -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

func.func @topk_unknown_k(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>) {
  // expected-error @+1 {{dynamic dimensions ('tensor<3x?xf32>') are not supported yet}}
  %0:2 = onnx.TopK %x, %k : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  return %0#0, %0#1 : tensor<3x?xf32>, tensor<3x?xi64>
}

// -----

func.func @cumsum_unsigned(%x: tensor<4xui8>, %a: tensor<i64>) -> tensor<4xui8> {
  // expected-error @+1 {{element type 'ui8' is not supported for this op (float and signed integer only)}}
  %0 = onnx.CumSum %x, %a : (tensor<4xui8>, tensor<i64>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

func.func @scatter_add_bool(%d: tensor<4xi1>, %i: tensor<2xi64>, %u: tensor<2xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{reduction 'add' is not supported for element type 'i1' (float and signed integer only)}}
  %0 = onnx.ScatterElements %d, %i, %u {reduction = "add"} : (tensor<4xi1>, tensor<2xi64>, tensor<2xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @scatter_nd_updates_shape(%d: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{updates must have shape indices.shape[:-1] + data.shape[1:], got 'tensor<2x3xf32>'}}
  %0 = onnx.ScatterND %d, %i, %u : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @trilu_unsigned(%x: tensor<3x3xui8>) -> tensor<3x3xui8> {
  // expected-error @+1 {{element type 'ui8' is not supported for this op (signless types only)}}
  %0 = onnx.Trilu %x : (tensor<3x3xui8>) -> tensor<3x3xui8>
  return %0 : tensor<3x3xui8>
}

// -----

func.func @einsum_rank(%a: tensor<2x3x4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{einsum term 'ij' does not match an input of rank 3}}
  %0 = onnx.Einsum %a {equation = "ij->i"} : (tensor<2x3x4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @einsum_bool(%a: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+1 {{element type 'i1' is not supported for this op (float and signed integer only)}}
  %0 = onnx.Einsum %a {equation = "i->i"} : (tensor<3xi1>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}
