// RUN: %onnx-opt %s -onnx-distinct-results | FileCheck %s
// RUN: %onnx-opt %s --pass-pipeline='builtin.module(func.func(onnx-distinct-results),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},buffer-results-to-out-params{hoist-static-allocs modify-public-functions})' | FileCheck %s --check-prefix=OUT

// A value returned more than once gets a copy for each repeat; without it buffer-results-to-out-params
// (hoist-static-allocs) crashes on the shared allocation.

// CHECK-LABEL: func.func @twice
// CHECK:         %[[V:.+]] = linalg.generic
// CHECK:         %[[C1:.+]] = bufferization.alloc_tensor() copy(%[[V]]) : tensor<2x3xf32>
// CHECK:         %[[C2:.+]] = bufferization.alloc_tensor() copy(%[[V]]) : tensor<2x3xf32>
// CHECK:         return %[[V]], %[[C1]], %[[C2]]
// CHECK-SAME:      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>

// Each out-param is written: the generic into the first, copies into the others.
// OUT-LABEL: func.func @twice
// OUT-SAME:    (%[[X:.+]]: memref<2x3xf32>, %[[A:.+]]: memref<2x3xf32>, %[[B:.+]]: memref<2x3xf32>, %[[C:.+]]: memref<2x3xf32>)
// OUT:         linalg.generic {{.*}} outs(%[[A]] : memref<2x3xf32>)
// OUT:         memref.copy %[[A]], %[[B]]
// OUT:         memref.copy %[[A]], %[[C]]
func.func @twice(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %e = tensor.empty() : tensor<2x3xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<2x3xf32>
  return %0, %0, %0 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
