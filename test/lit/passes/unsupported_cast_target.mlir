// RUN: %onnx-opt %s -convert-onnx-to-linalg -verify-diagnostics

// Regression test for a fixed bug: a Cast to an unsigned type is refused (right), but the error blames the *source*
// type: "element type 'f32' is not supported for this op". ElementwiseLowering reports the
// element type of operand 0 whenever the scalar builder returns null; for Cast the
// unsupported type is the `to` type. The message should name 'ui8'.

func.func @cast_to_unsigned(%a: tensor<4xf32>) -> tensor<4xui8> {
  // expected-error @+1 {{'ui8'}}
  %0 = onnx.Cast %a {to = ui8} : (tensor<4xf32>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}
