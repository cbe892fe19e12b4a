// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// MatMul and Gemm: one linalg.generic contraction over (batch..., m, n, k), k the only
// reduction, accumulating into a zero fill or (Gemm) into beta * C.

// CHECK-DAG: #[[$A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$B:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME:    (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3x4xf32>)
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[EMPTY:.+]] = tensor.empty() : tensor<2x4xf32>
// CHECK:         %[[FILL:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<2x4xf32>)
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$A]], #[[$B]], #[[$C]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[FILL]] : tensor<2x4xf32>)
// CHECK:         ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:           %[[P:.+]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK:           %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK:           linalg.yield %[[S]]
// CHECK:         return %[[R]]
func.func @matmul_2d(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = onnx.MatMul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Batch dims broadcast numpy-style: A's size-1 batch dim is pinned at 0, B's missing batch
// dim is not indexed.
// CHECK-DAG: #[[$BA:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[$BB:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[$BC:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_batch_broadcast
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$BA]], #[[$BB]], #[[$BC]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK:         } -> tensor<5x4x2x6xf32>
func.func @matmul_batch_broadcast(%a: tensor<5x1x2x3xf32>, %b: tensor<4x3x6xf32>) -> tensor<5x4x2x6xf32> {
  %0 = onnx.MatMul %a, %b : (tensor<5x1x2x3xf32>, tensor<4x3x6xf32>) -> tensor<5x4x2x6xf32>
  return %0 : tensor<5x4x2x6xf32>
}

// -----

// 1-D operands are promoted to [1, K] and [K, 1]; the [1, 1] result is reshaped to rank 0.
// CHECK-LABEL: func.func @matmul_vectors
// CHECK-DAG:     tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK-DAG:     tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK:         } -> tensor<1x1xf32>
// CHECK:         %[[S:.+]] = tensor.reshape %[[R]]
// CHECK-SAME:      -> tensor<f32>
// CHECK:         return %[[S]]
func.func @matmul_vectors(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<f32> {
  %0 = onnx.MatMul %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Gemm: the accumulator starts as beta * C broadcast to [M, N]; transA/transB swap the
// operand maps; alpha scales each product.
// CHECK-DAG: #[[$BIAS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$OUT2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$AT:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$BT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$OUT3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gemm_bias_trans
// CHECK-SAME:    (%[[A:.+]]: tensor<3x2xf32>, %[[B:.+]]: tensor<4x3xf32>, %[[C:.+]]: tensor<4xf32>)
// CHECK:         %[[INIT:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$BIAS]], #[[$OUT2]]]
// CHECK-SAME:      ins(%[[C]] : tensor<4xf32>)
// CHECK:           %[[BETA:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:           arith.mulf %{{.+}}, %[[BETA]]
// CHECK:         } -> tensor<2x4xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$AT]], #[[$BT]], #[[$OUT3]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[A]], %[[B]] : tensor<3x2xf32>, tensor<4x3xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK:           %[[P:.+]] = arith.mulf
// CHECK:           %[[ALPHA:.+]] = arith.constant 2.000000e+00 : f32
// CHECK:           %[[PA:.+]] = arith.mulf %[[P]], %[[ALPHA]]
// CHECK:           arith.addf %{{.+}}, %[[PA]]
func.func @gemm_bias_trans(%a: tensor<3x2xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = onnx.Gemm %a, %b, %c {transA = 1 : i64, transB = 1 : i64, alpha = 2.0 : f32, beta = 0.5 : f32} : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// beta = 1 copies C without a multiply; beta = 0 ignores C.
// CHECK-LABEL: func.func @gemm_beta_one
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%{{.+}} : tensor<2x1xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]] : f32
// CHECK-LABEL: func.func @gemm_beta_zero
// CHECK-SAME:    %[[C:[^:]+]]: tensor<2x4xf32>)
// CHECK:         linalg.fill
// CHECK-NOT:     %[[C]]
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-NOT:     %[[C]]
// CHECK:         return
func.func @gemm_beta_one(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2x1xf32>) -> tensor<2x4xf32> {
  %0 = onnx.Gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
func.func @gemm_beta_zero(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = onnx.Gemm %a, %b, %c {beta = 0.0 : f32} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Integer contractions use integer arithmetic.
// CHECK-LABEL: func.func @matmul_i32
// CHECK:         arith.constant 0 : i32
// CHECK:         linalg.generic
// CHECK:           arith.muli
// CHECK:           arith.addi
func.func @matmul_i32(%a: tensor<2x3xi32>, %b: tensor<3x4xi32>) -> tensor<2x4xi32> {
  %0 = onnx.MatMul %a, %b : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}
