// RUN: %onnx-opt %s -convert-onnx-to-linalg -verify-diagnostics

// Regression test for a fixed bug: only the first refused op is reported. The pass marks the whole onnx dialect illegal,
// and applyPartialConversion stops at the first explicitly illegal op that fails to
// legalize, so later ops never get their error: a model with several problems is fixed one
// compile at a time (the importer, by contrast, lists every unsupported node at once).
// Leaving the onnx ops "unknown" to the ConversionTarget instead of illegal would let the
// conversion go on and leave them in place; the pass's own walk over leftover onnx ops
// already turns that into failure (and this also removes the duplicate "failed to legalize"
// errors, see unsupported_single_error.mlir).

func.func @two_refusals(%a: tensor<?x3xf32>, %b: tensor<4xi32>) -> (tensor<?x3xf32>, tensor<4xi32>) {
  // expected-error @+1 {{dynamic dimensions}}
  %0 = onnx.Trilu %a : (tensor<?x3xf32>) -> tensor<?x3xf32>
  // expected-error @+1 {{element type 'i32' is not supported for this op}}
  %1 = onnx.Tanh %b : (tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<?x3xf32>, tensor<4xi32>
}
