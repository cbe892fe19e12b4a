// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// Regression test for a fixed bug: a refused op gets two errors: the pattern's own ("dynamic dimensions ...") and then
// the dialect conversion driver's generic "failed to legalize operation 'onnx.Relu' that was
// explicitly marked illegal". ConvertOnnxToLinalg.cpp counts the patterns' errors so that
// "one with a message does not get two", but applyPartialConversion emits its own error for
// every illegal op left over before the pass's check runs. onnx-compile users see both (plus a
// dump of the op, see diagnostics/no_ir_dump_in_notes.onnxtxt). A fix: run the conversion
// under a diagnostic handler that drops the driver's "failed to legalize" errors when a
// pattern already explained the op (or use the conversion's notifyMatchFailure mechanism and
// report once from the pass).

func.func @dynamic(%a: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{dynamic dimensions ('tensor<?x3xf32>') are not supported yet}}
  %0 = onnx.Trilu %a : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @integer_conv(%x: tensor<1x1x4x4xi32>, %w: tensor<1x1x2x2xi32>) -> tensor<1x1x3x3xi32> {
  // expected-error @+1 {{element type 'i32' is not supported for this op (floating point only)}}
  %0 = onnx.Conv %x, %w : (tensor<1x1x4x4xi32>, tensor<1x1x2x2xi32>) -> tensor<1x1x3x3xi32>
  return %0 : tensor<1x1x3x3xi32>
}
