// RUN: %onnx-opt %s -onnx-shape-inference -split-input-file -verify-diagnostics

// Shape and data-movement ops with inconsistent operands: one error on the op, naming the
// problem.

func.func @squeeze_not_one(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %a = onnx.Constant dense<[0]> : tensor<1xi64>
  // expected-error @+1 {{cannot squeeze dim 0 of size 2}}
  %0 = onnx.Squeeze %x, %a : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unsqueeze_twice(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %a = onnx.Constant dense<[1, -3]> : tensor<2xi64>
  // expected-error @+1 {{axis -3 is listed twice}}
  %0 = onnx.Unsqueeze %x, %a : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_zero_step(%x: tensor<4xf32>) -> tensor<*xf32> {
  %s = onnx.Constant dense<[0]> : tensor<1xi64>
  %st = onnx.Constant dense<[0]> : tensor<1xi64>
  // expected-error @+1 {{slice steps must not be 0}}
  %0 = onnx.Slice %x, %s, %s steps %st : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @slice_lengths(%x: tensor<4x4xf32>) -> tensor<*xf32> {
  %s = onnx.Constant dense<[0, 0]> : tensor<2xi64>
  %e = onnx.Constant dense<[2]> : tensor<1xi64>
  // expected-error @+1 {{starts, ends, axes and steps must have the same length}}
  %0 = onnx.Slice %x, %s, %e : (tensor<4x4xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gather_axis(%d: tensor<4x3xf32>, %i: tensor<2xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = onnx.Gather %d, %i {axis = 2 : i64} : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @expand_incompatible(%x: tensor<3x2xf32>) -> tensor<*xf32> {
  %s = onnx.Constant dense<[3, 4]> : tensor<2xi64>
  // expected-error @+1 {{cannot expand 'tensor<3x2xf32>' to shape [3, 4]}}
  %0 = onnx.Expand %x, %s : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @tile_count(%x: tensor<3x2xf32>) -> tensor<*xf32> {
  %r = onnx.Constant dense<[3]> : tensor<1xi64>
  // expected-error @+1 {{repeats has 1 entries for rank 2}}
  %0 = onnx.Tile %x, %r : (tensor<3x2xf32>, tensor<1xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_count(%x: tensor<3x2xf32>) -> tensor<*xf32> {
  %p = onnx.Constant dense<[1, 1]> : tensor<2xi64>
  // expected-error @+1 {{pads has 2 entries, expected 4}}
  %0 = onnx.Pad %x, %p : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_crop_below_zero(%x: tensor<3x2xf32>) -> tensor<*xf32> {
  %p = onnx.Constant dense<[0, -2, 0, -1]> : tensor<4xi64>
  // expected-error @+1 {{pads crop dim 1 below zero}}
  %0 = onnx.Pad %x, %p : (tensor<3x2xf32>, tensor<4xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_mode(%x: tensor<3x2xf32>, %p: tensor<4xi64>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.Pad' op unknown mode 'mirror'}}
  %0 = onnx.Pad %x, %p {mode = "mirror"} : (tensor<3x2xf32>, tensor<4xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @split_sum(%x: tensor<6xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %s = onnx.Constant dense<[2, 3]> : tensor<2xi64>
  // expected-error @+1 {{split sizes sum to 5 but the dim is 6}}
  %0:2 = onnx.Split %x, %s : (tensor<6xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}

// -----

func.func @depth_to_space_channels(%x: tensor<1x6x2x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{channels (6) are not a multiple of blocksize^2}}
  %0 = onnx.DepthToSpace %x {blocksize = 2 : i64} : (tensor<1x6x2x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @space_to_depth_spatial(%x: tensor<1x1x3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{spatial dim 3 is not a multiple of blocksize 2}}
  %0 = onnx.SpaceToDepth %x {blocksize = 2 : i64} : (tensor<1x1x3x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @constant_of_shape_negative() -> tensor<*xf32> {
  %s = onnx.Constant dense<[2, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape entry -1 is negative}}
  %0 = onnx.ConstantOfShape %s : (tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Found by the fuzzer (test/hostile/fuzz-crashes/tile-repeats-overflow.onnx): a product of a dim
// and a repeat count past int64 was signed overflow.
func.func @tile_overflow(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %r = onnx.Constant dense<[8459448950062055426, 1]> : tensor<2xi64>
  // expected-error @+1 {{repeats 8459448950062055426 make dim 0 (2) larger than 4611686018427387904}}
  %0 = onnx.Tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pad_overflow(%x: tensor<3x4xf32>) -> tensor<*xf32> {
  %p = onnx.Constant dense<[0, 9223372036854775000, 0, 9223372036854775000]> : tensor<4xi64>
  // expected-error @+1 {{pads make dim 1 larger than 4611686018427387904}}
  %0 = onnx.Pad %x, %p : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @compress_axis_out_of_range(%x: tensor<2x5xf32>, %c: tensor<4xi1>) -> tensor<*xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = "onnx.Compress"(%x, %c) {axis = 2 : i64} : (tensor<2x5xf32>, tensor<4xi1>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unique_axis_out_of_range(%x: tensor<6xi64>) -> (tensor<*xi64>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>) {
  // expected-error @+1 {{axis -2 is out of range for rank 1}}
  %0:4 = "onnx.Unique"(%x) {axis = -2 : i64} : (tensor<6xi64>) -> (tensor<*xi64>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<*xi64>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>
}
