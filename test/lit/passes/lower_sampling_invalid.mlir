// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// What the resampling lowerings refuse, each with one error on the op that says why.

func.func @resize_aspect_runtime_sizes(%x: tensor<1x1x4x8xf32>, %z: tensor<2xi64>) -> tensor<1x1x2x4xf32> {
  // expected-error @+1 {{keep_aspect_ratio_policy 'not_smaller' needs constant 'sizes'}}
  %0 = onnx.Resize %x sizes %z {axes = array<i64: 2, 3>, keep_aspect_ratio_policy = "not_smaller"} : (tensor<1x1x4x8xf32>, tensor<2xi64>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

func.func @resize_dynamic(%x: tensor<?x1x4x4xf32>, %s: tensor<4xf32>) -> tensor<?x1x8x8xf32> {
  // expected-error @+1 {{dynamic dimensions ('tensor<?x1x4x4xf32>') are not supported yet}}
  %0 = onnx.Resize %x scales %s : (tensor<?x1x4x4xf32>, tensor<4xf32>) -> tensor<?x1x8x8xf32>
  return %0 : tensor<?x1x8x8xf32>
}

// -----

func.func @roi_align_adaptive(%x: tensor<1x1x10x10xf32>, %r: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x1x5x5xf32> {
  // expected-error @+1 {{sampling_ratio=0 (adaptive, a sample count that depends on the run-time rois) is not supported}}
  %0 = onnx.RoiAlign %x, %r, %b {output_height = 5 : i64, output_width = 5 : i64} : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x5x5xf32>
  return %0 : tensor<3x1x5x5xf32>
}

// -----

// A window whose length is only known at run time.
func.func @window_dynamic(%n: tensor<i64>) -> tensor<?xf32> {
  // expected-error @+1 {{dynamic dimensions ('tensor<?xf32>') are not supported yet}}
  %0 = onnx.HannWindow %n {output_datatype = f32} : (tensor<i64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
