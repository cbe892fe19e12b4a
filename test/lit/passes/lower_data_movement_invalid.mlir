// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// What the data-movement lowering refuses, each with one error on the op that says why.

// Slice with starts/ends read at run time: the axes must be constants (which dims are sliced
// decides the result type), the dims not sliced are copied whole.
func.func @slice_runtime_axes(%x: tensor<?x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{axes read at run time are not supported when the data has dims known only at run time or the sliced sizes are read from data (which dims are sliced would be known only at run time); make axes a constant}}
  %0 = "onnx.Slice"(%x, %s, %e, %a) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>} : (tensor<?x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @slice_dynamic(%x: tensor<?x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<?x3xf32> {
  // expected-error @+1 {{result type 'tensor<?x3xf32>' does not match the slice (dim 1 is not sliced)}}
  %0 = onnx.Slice %x, %s, %e : (tensor<?x10xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @slice_lengths(%x: tensor<4x10xf32>, %s: tensor<1xi64>, %e: tensor<2xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{starts, ends, axes and steps must have the same length}}
  %0 = onnx.Slice %x, %s, %e : (tensor<4x10xf32>, tensor<1xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @slice_step_zero(%x: tensor<?x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<?x10xf32> {
  %a = onnx.Constant dense<[0]> : tensor<1xi64>
  %st = onnx.Constant dense<[0]> : tensor<1xi64>
  // expected-error @+1 {{a step of 0 is invalid}}
  %0 = "onnx.Slice"(%x, %s, %e, %a, %st) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<?x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// Starts read at run time must have a known count.
func.func @slice_unknown_count(%x: tensor<20x10xf32>, %s: tensor<?xi64>, %e: tensor<?xi64>) -> tensor<3x10xf32> {
  // expected-error @+1 {{starts must be a 1-D integer tensor of known length}}
  %0 = onnx.Slice %x, %s, %e : (tensor<20x10xf32>, tensor<?xi64>, tensor<?xi64>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

// A declared result that contradicts constant operands.
func.func @slice_wrong_result(%x: tensor<20x10xf32>) -> tensor<4x10xf32> {
  %s = onnx.Constant dense<[0]> : tensor<1xi64>
  %e = onnx.Constant dense<[3]> : tensor<1xi64>
  // expected-error @+1 {{result type 'tensor<4x10xf32>' does not match the slice}}
  %0 = onnx.Slice %x, %s, %e : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @gather_float_indices(%d: tensor<4x3xf32>, %i: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{indices must be int32 or int64, not 'f32'}}
  %0 = onnx.Gather %d, %i : (tensor<4x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gather_empty_axis(%d: tensor<0x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  // expected-error @+1 {{cannot gather from an empty axis}}
  %0 = onnx.Gather %d, %i : (tensor<0x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_reflect_empty(%x: tensor<0x3xf32>) -> tensor<2x3xf32> {
  %p = onnx.Constant dense<[1, 0, 1, 0]> : tensor<4xi64>
  // expected-error @+1 {{cannot pad an empty tensor in mode 'reflect'}}
  %0 = onnx.Pad %x, %p {mode = "reflect"} : (tensor<0x3xf32>, tensor<4xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_runtime_count(%x: tensor<2x3xf32>, %p: tensor<6xi64>) -> tensor<4x5xf32> {
  // expected-error @+1 {{pads has 6 entries, expected 4}}
  %0 = onnx.Pad %x, %p : (tensor<2x3xf32>, tensor<6xi64>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @pad_value_type(%x: tensor<2x3xf32>, %p: tensor<4xi64>, %v: tensor<i32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{constant_value must be one element of the data's type}}
  %0 = onnx.Pad %x, %p value %v : (tensor<2x3xf32>, tensor<4xi64>, tensor<i32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @tile_not_multiple(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<5x3xf32> {
  // expected-error @+1 {{result dim 5 is not a multiple of input dim 2}}
  %0 = onnx.Tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

func.func @expand_not_broadcast(%x: tensor<3x2xf32>, %s: tensor<2xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{cannot broadcast 'tensor<3x2xf32>' to 'tensor<3x4xf32>'}}
  %0 = onnx.Expand %x, %s : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @split_sizes(%x: tensor<6xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  // expected-error @+1 {{result sizes along axis 0 sum to 4, not 6}}
  %0:2 = onnx.Split %x : (tensor<6xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2xf32>
}

// -----

func.func @range_bool(%a: tensor<i1>, %b: tensor<i1>, %c: tensor<i1>) -> tensor<1xi1> {
  // expected-error @+1 {{element type 'i1' is not supported for Range}}
  %0 = onnx.Range %a, %b, %c : (tensor<i1>, tensor<i1>, tensor<i1>) -> tensor<1xi1>
  return %0 : tensor<1xi1>
}

// -----

func.func @shape_unranked(%x: tensor<*xf32>) -> tensor<?xi64> {
  // expected-error @+1 {{the shape of a value could not be inferred}}
  %0 = onnx.Shape %x : (tensor<*xf32>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}
