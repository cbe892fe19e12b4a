// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// What onnx.Recurrent's verifier and lowering refuse, each with one error that says why.

func.func @integer(%g: tensor<3x1x4xi32>, %r: tensor<4x4xi32>) -> (tensor<3x1x4xi32>, tensor<1x4xi32>) {
  // expected-error @+1 {{element type 'i32' is not supported (float types)}}
  %y, %h = "onnx.Recurrent"(%g, %r) <{activations = ["Tanh"], cell = "RNN",
      operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0>}>
      : (tensor<3x1x4xi32>, tensor<4x4xi32>) -> (tensor<3x1x4xi32>, tensor<1x4xi32>)
  return %y, %h : tensor<3x1x4xi32>, tensor<1x4xi32>
}

// -----

func.func @dynamic_weights(%g: tensor<3x1x4xf32>, %r: tensor<?x4xf32>) -> (tensor<3x1x?xf32>, tensor<1x?xf32>) {
  // expected-error @+1 {{the recurrence weights R must have a static shape}}
  %y, %h = "onnx.Recurrent"(%g, %r) <{activations = ["Tanh"], cell = "RNN",
      operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0>}>
      : (tensor<3x1x4xf32>, tensor<?x4xf32>) -> (tensor<3x1x?xf32>, tensor<1x?xf32>)
  return %y, %h : tensor<3x1x?xf32>, tensor<1x?xf32>
}

// -----

func.func @activations(%g: tensor<3x1x4xf32>, %r: tensor<4x4xf32>) -> (tensor<3x1x4xf32>, tensor<1x4xf32>) {
  // expected-error @+1 {{'onnx.Recurrent' op RNN takes 1 activations, got 2}}
  %y, %h = "onnx.Recurrent"(%g, %r) <{activations = ["Tanh", "Tanh"], cell = "RNN",
      operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0>}>
      : (tensor<3x1x4xf32>, tensor<4x4xf32>) -> (tensor<3x1x4xf32>, tensor<1x4xf32>)
  return %y, %h : tensor<3x1x4xf32>, tensor<1x4xf32>
}

// -----

func.func @unknown_activation(%g: tensor<3x1x4xf32>, %r: tensor<4x4xf32>) -> (tensor<3x1x4xf32>, tensor<1x4xf32>) {
  // expected-error @+1 {{activation 'Gelu' is not supported}}
  %y, %h = "onnx.Recurrent"(%g, %r) <{activations = ["Gelu"], cell = "RNN",
      operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0>}>
      : (tensor<3x1x4xf32>, tensor<4x4xf32>) -> (tensor<3x1x4xf32>, tensor<1x4xf32>)
  return %y, %h : tensor<3x1x4xf32>, tensor<1x4xf32>
}
