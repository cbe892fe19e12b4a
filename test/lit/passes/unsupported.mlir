// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// What convert-onnx-to-linalg must refuse, each with exactly one error on the op that says
// why (plain -verify-diagnostics: any other diagnostic fails the test).

// Dims known only at run time: an op without such a lowering is refused before conversion,
// naming the graph input to fix.
func.func @dynamic_dims(%a: tensor<?x3xf32> {onnx.name = "input:0"}) -> tensor<?x3xf32> {
  // expected-error @+1 {{dynamic dimensions ('tensor<?x3xf32>') are not supported yet for this op (dims known only at run time); fix the dims of input 'input:0' at compile time with --shape input:0=DIMS}}
  %0 = onnx.Trilu %a : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A dynamic result is refused even where the operands are static (Reshape by a run-time
// shape).
func.func @dynamic_result(%a: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{a target shape read from tensor data (not computed from the dims by Shape arithmetic) is not supported; fix the input shapes with --shape NAME=DIMS}}
  %0 = onnx.Reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Conv takes run-time N, H and W, but not auto_pad SAME over a run-time H or W (its pads
// would depend on them).
func.func @dynamic_conv(%x: tensor<?x1x?x?xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<?x1x?x?xf32> {
  // expected-error @+1 {{auto_pad SAME_UPPER with spatial dims known only at run time is not supported yet}}
  %0 = onnx.Conv %x, %w {auto_pad = "SAME_UPPER"} : (tensor<?x1x?x?xf32>, tensor<1x1x2x2xf32>) -> tensor<?x1x?x?xf32>
  return %0 : tensor<?x1x?x?xf32>
}

// -----

func.func @unranked(%a: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{the shape of a value could not be inferred; fix the input shapes with --shape NAME=DIMS}}
  %0 = onnx.Relu %a : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @integer_conv(%x: tensor<1x1x4x4xi32>, %w: tensor<1x1x2x2xi32>) -> tensor<1x1x3x3xi32> {
  // expected-error @+1 {{element type 'i32' is not supported for this op (floating point only)}}
  %0 = onnx.Conv %x, %w : (tensor<1x1x4x4xi32>, tensor<1x1x2x2xi32>) -> tensor<1x1x3x3xi32>
  return %0 : tensor<1x1x3x3xi32>
}

// -----

func.func @integer_average_pool(%x: tensor<1x1x4x4xi32>) -> tensor<1x1x2x2xi32> {
  // expected-error @+1 {{element type 'i32' is not supported for this op (floating point only)}}
  %0 = onnx.AveragePool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xi32>) -> tensor<1x1x2x2xi32>
  return %0 : tensor<1x1x2x2xi32>
}

// -----

func.func @integer_global_average_pool(%x: tensor<1x2x3x3xi32>) -> tensor<1x2x1x1xi32> {
  // expected-error @+1 {{element type 'i32' is not supported for this op (floating point only)}}
  %0 = onnx.GlobalAveragePool %x : (tensor<1x2x3x3xi32>) -> tensor<1x2x1x1xi32>
  return %0 : tensor<1x2x1x1xi32>
}

// -----

func.func @integer_softmax(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  // expected-error @+1 {{element type 'i32' is not supported for this op (floating point only)}}
  %0 = onnx.Softmax %x : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @integer_sigmoid(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{element type 'i32' is not supported for this op}}
  %0 = onnx.Sigmoid %a : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @integer_gemm_alpha(%a: tensor<2x2xi32>, %b: tensor<2x2xi32>) -> tensor<2x2xi32> {
  // expected-error @+1 {{alpha and beta other than 1 need a float element type}}
  %0 = onnx.Gemm %a, %b {alpha = 2.0 : f32} : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @unsigned_matmul(%a: tensor<2x2xui8>, %b: tensor<2x2xui8>) -> tensor<2x2xui8> {
  // expected-error @+1 {{element type 'ui8' is not supported for this op}}
  %0 = onnx.MatMul %a, %b : (tensor<2x2xui8>, tensor<2x2xui8>) -> tensor<2x2xui8>
  return %0 : tensor<2x2xui8>
}

// -----

func.func @bool_add(%a: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{element type 'i1' is not supported for this op}}
  %0 = onnx.Add %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @not_on_float(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{element type 'f32' is not supported for this op}}
  %0 = onnx.Not %a : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @batchnorm_mixed_types(%x: tensor<2x3xf32>, %s: tensor<3xf16>) -> tensor<2x3xf32> {
  // expected-error @+1 {{mixed element types are not supported}}
  %0 = onnx.BatchNormalization %x, %s, %s, %s, %s : (tensor<2x3xf32>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>, tensor<3xf16>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
