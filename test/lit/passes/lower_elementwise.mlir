// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Every elementwise op is one linalg.generic with all-parallel iterators; operands are read
// through numpy-broadcasting maps (right-aligned, size-1 dims pinned at 0).

// CHECK-DAG: #[[$ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$BC3:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME:    (%[[A:.+]]: tensor<2x3x4xf32>, %[[B:.+]]: tensor<3x1xf32>)
// CHECK:         %[[INIT:.+]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID3]], #[[$BC3]], #[[$ID3]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[A]], %[[B]] : tensor<2x3x4xf32>, tensor<3x1xf32>) outs(%[[INIT]] : tensor<2x3x4xf32>)
// CHECK:           arith.addf
// CHECK:         return %[[R]]
// CHECK-NOT:     onnx.
func.func @add_broadcast(%a: tensor<2x3x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = onnx.Add %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Integer arithmetic uses the signed integer ops.
// CHECK-LABEL: func.func @integer_ops
// CHECK:         arith.divsi
// CHECK:         arith.maxsi
// CHECK:         arith.cmpi slt
func.func @integer_ops(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi1>) {
  %0 = onnx.Div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = onnx.Relu %a : (tensor<4xi32>) -> tensor<4xi32>
  %2 = onnx.Less %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi32>, tensor<4xi1>
}

// -----

// A rank-0 operand is read through a map with no results.
// CHECK-DAG: #[[$ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @compare_scalar
// CHECK:         linalg.generic {indexing_maps = [#[[$ID1]], #[[$SCALAR]], #[[$ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME:      outs(%{{.+}} : tensor<4xi1>)
// CHECK:           %[[C:.+]] = arith.cmpf ogt
// CHECK:           linalg.yield %[[C]] : i1
func.func @compare_scalar(%a: tensor<4xf32>, %b: tensor<f32>) -> tensor<4xi1> {
  %0 = onnx.Greater %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @where
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%{{.+}}, %{{.+}}, %{{.+}} : tensor<4xi1>, tensor<4xf32>, tensor<f32>)
// CHECK:         ^bb0(%[[COND:.+]]: i1, %[[X:.+]]: f32, %[[Y:.+]]: f32, %{{.+}}: f32):
// CHECK:           arith.select %[[COND]], %[[X]], %[[Y]] : f32
func.func @where(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<f32>) -> tensor<4xf32> {
  %0 = onnx.Where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Clip's bounds are broadcast inputs; a missing bound emits no clamp.
// CHECK-LABEL: func.func @clip_max_only
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%{{.+}}, %{{.+}} : tensor<4xf32>, tensor<f32>)
// CHECK-NOT:       arith.maximumf
// CHECK:           arith.minimumf
// CHECK-LABEL: func.func @clip_both
// CHECK:           arith.maximumf
// CHECK:           arith.minimumf
func.func @clip_max_only(%a: tensor<4xf32>, %hi: tensor<f32>) -> tensor<4xf32> {
  %0 = onnx.Clip %a max %hi : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @clip_both(%a: tensor<4xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<4xf32> {
  %0 = onnx.Clip %a min %lo max %hi : (tensor<4xf32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @casts
// CHECK:         arith.fptosi %{{.+}} : f32 to i64
// CHECK:         arith.extf %{{.+}} : f16 to f32
// CHECK:         arith.uitofp %{{.+}} : i1 to f32
// CHECK:         arith.cmpf une
func.func @casts(%a: tensor<4xf32>, %h: tensor<4xf16>, %b: tensor<4xi1>) -> (tensor<4xi64>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>) {
  %0 = onnx.Cast %a {to = i64} : (tensor<4xf32>) -> tensor<4xi64>
  %1 = onnx.Cast %h {to = f32} : (tensor<4xf16>) -> tensor<4xf32>
  %2 = onnx.Cast %b {to = f32} : (tensor<4xi1>) -> tensor<4xf32>
  %3 = onnx.Cast %a {to = i1} : (tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi64>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>
}

// -----

// Attributes become scalar constants in the body.
// CHECK-LABEL: func.func @leaky_relu
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[NEG:.+]] = arith.cmpf olt, %[[IN:.+]], %[[ZERO]] : f32
// CHECK:         %[[ALPHA:.+]] = arith.constant 2.500000e-01 : f32
// CHECK:         %[[SCALED:.+]] = arith.mulf %[[IN]], %[[ALPHA]] : f32
// CHECK:         arith.select %[[NEG]], %[[SCALED]], %[[IN]] : f32
func.func @leaky_relu(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = onnx.LeakyRelu %a {alpha = 0.25 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @sigmoid
// CHECK:         %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:         %[[N:.+]] = arith.negf
// CHECK:         %[[E:.+]] = math.exp %[[N]]
// CHECK:         %[[D:.+]] = arith.addf %[[ONE]], %[[E]]
// CHECK:         arith.divf %[[ONE]], %[[D]]
func.func @sigmoid(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = onnx.Sigmoid %a : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Pow takes an exponent of another type and converts it first.
// CHECK-LABEL: func.func @pow_int_exponent
// CHECK:         %[[E:.+]] = arith.sitofp %{{.+}} : i64 to f32
// CHECK:         math.powf %{{.+}}, %[[E]] : f32
func.func @pow_int_exponent(%a: tensor<4xf32>, %b: tensor<i64>) -> tensor<4xf32> {
  %0 = onnx.Pow %a, %b : (tensor<4xf32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A rank-0 elementwise op has no loops.
// CHECK-DAG: #[[$R0:.+]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @rank0
// CHECK:         linalg.generic {indexing_maps = [#[[$R0]], #[[$R0]]], iterator_types = []}
// CHECK:           math.exp
func.func @rank0(%a: tensor<f32>) -> tensor<f32> {
  %0 = onnx.Exp %a : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Identity forwards its operand; Constant becomes arith.constant.
// CHECK-LABEL: func.func @identity_and_constant
// CHECK-SAME:    (%[[A:.+]]: tensor<2xf32>)
// CHECK:         %[[C:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[A]], %[[C]]
func.func @identity_and_constant(%a: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %0 = onnx.Identity %a : (tensor<2xf32>) -> tensor<2xf32>
  %1 = onnx.Constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}
