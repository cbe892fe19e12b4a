// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// The window functions depend on the result's length only: they become constants, computed
// in double precision. The size operand (here a run-time value) is not read.

// Periodic Hann of 4: 0.5 - 0.5 cos(2 pi n / 4).
// CHECK-LABEL: func.func @hann
// CHECK:         %[[W:.+]] = arith.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 5.000000e-01]> : tensor<4xf32>
// CHECK:         return %[[W]]
func.func @hann(%n: tensor<i32>) -> tensor<4xf32> {
  %0 = onnx.HannWindow %n {output_datatype = f32} : (tensor<i32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Symmetric Hamming of 3 (N = 2), with ONNX's 25/46 and 21/46: 4/46, 1, 4/46.
// CHECK-LABEL: func.func @hamming_symmetric
// CHECK:         arith.constant dense<[0.086956521739130{{[0-9]+}}, 1.000000e+00, 0.086956521739130{{[0-9]+}}]> : tensor<3xf64>
func.func @hamming_symmetric(%n: tensor<i64>) -> tensor<3xf64> {
  %0 = onnx.HammingWindow %n {output_datatype = f64, periodic = 0 : i64} : (tensor<i64>) -> tensor<3xf64>
  return %0 : tensor<3xf64>
}
