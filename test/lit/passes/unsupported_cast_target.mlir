// RUN: %onnx-opt %s -convert-onnx-to-linalg | FileCheck %s

// Was a regression test for a refused Cast to an unsigned type whose error blamed the source
// type. Casts to unsigned types now lower: the generic computes on the signless type of the
// same width (fptoui: truncation toward zero) and the result is bitcast back to ui8.

// CHECK-LABEL: func.func @cast_to_unsigned
// CHECK:         linalg.generic
// CHECK:           arith.fptoui %{{.*}} : f32 to i8
// CHECK:         tensor.bitcast %{{.*}} : tensor<4xi8> to tensor<4xui8>
func.func @cast_to_unsigned(%a: tensor<4xf32>) -> tensor<4xui8> {
  %0 = onnx.Cast %a {to = ui8} : (tensor<4xf32>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}
