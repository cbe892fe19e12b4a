// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

func.func @gelu_bad_approximate(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{element type 'f32' is not supported for this op}}
  %0 = onnx.Gelu %x {approximate = "erf"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @bitshift_signed(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{element type 'f32' is not supported for this op}}
  %0 = onnx.BitShift %x, %x {direction = "LEFT"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @and_integers(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{element type 'i32' is not supported for this op}}
  %0 = onnx.And %x, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @tan_integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{element type 'i32' is not supported for this op}}
  %0 = onnx.Tan %x : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
