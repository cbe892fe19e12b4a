// RUN: %onnx-opt %s -onnx-shape-inference -split-input-file -verify-diagnostics

// Inconsistent operands: shape inference fails with an error on the op.

func.func @no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{operand shapes tensor<2x3xf32> and tensor<4xf32> do not broadcast}}
  %0 = onnx.Add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{inner dimensions differ (3 vs 4)}}
  %0 = onnx.MatMul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @declared_mismatch(%a: tensor<2x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result 0 is declared tensor<2x4xf32> but the inputs give tensor<2x3xf32>}}
  %0 = onnx.Relu %a : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) -> tensor<*xf32> {
  %s = onnx.Constant dense<[4, -1]> : tensor<2xi64>
  // expected-error @+1 {{cannot reshape 6 elements into the requested shape}}
  %0 = onnx.Reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input has 3 channels but weights expect 2 x group 1}}
  %0 = onnx.Conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @window_too_large(%x: tensor<1x3x2x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{window of extent 3 does not fit spatial dim 0 of size 2 plus padding}}
  %0 = onnx.MaxPool %x {kernel_shape = array<i64: 3, 3>} : (tensor<1x3x2x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_without_kernel(%x: tensor<1x3x2x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{kernel_shape is required}}
  %0 = onnx.MaxPool %x : (tensor<1x3x2x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @bad_perm(%x: tensor<1x3x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{perm is not a permutation of 0..2}}
  %0 = onnx.Transpose %x {perm = array<i64: 0, 0, 1>} : (tensor<1x3x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @concat_dims(%x: tensor<1x3xf32>, %y: tensor<2x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input dims differ on non-concat axis 1}}
  %0 = onnx.Concat %x, %y {axis = 0 : i64} : (tensor<1x3xf32>, tensor<2x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
