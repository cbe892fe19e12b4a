// RUN: %onnx-opt %s -convert-onnx-to-linalg -canonicalize -onnx-fuse-elementwise -canonicalize -cse | FileCheck %s
// RUN: %onnx-opt %s -convert-onnx-to-linalg -canonicalize -onnx-fuse-elementwise -canonicalize -cse --onnx-bufferize-pipeline | FileCheck %s --check-prefix=BUF

// An If with two results of the same type, each branch computing both from the same input
// (then [Relu(v), Neg(v)], else [Abs(v), v + v]). Each result gets its own destination that
// CSE cannot merge (alloc_tensor, not tensor.empty): with one shared tensor.empty, the two
// materialize_in_destination of a branch both had to write the same buffer in place and
// one-shot bufferization failed with "cannot avoid RaW conflict".
// CHECK-LABEL: func.func @if_two_results
// CHECK:         %[[D0:.+]] = bufferization.alloc_tensor() : tensor<4xf32>
// CHECK:         %[[D1:.+]] = bufferization.alloc_tensor() : tensor<4xf32>
// CHECK:         scf.if
// CHECK:           bufferization.materialize_in_destination %{{.+}} in %[[D0]]
// CHECK:           bufferization.materialize_in_destination %{{.+}} in %[[D1]]
// CHECK:         } else {
// CHECK:           bufferization.materialize_in_destination %{{.+}} in %[[D0]]
// CHECK:           bufferization.materialize_in_destination %{{.+}} in %[[D1]]

// Bufferized: two buffers at different places of the workspace, each branch computes the
// first result into one and the second into the other, and each is copied to its output.
// BUF-LABEL: func.func @if_two_results
// BUF-SAME:    %[[Y0:[a-z0-9]+]]: memref<4xf32>, %[[Y1:[a-z0-9]+]]: memref<4xf32>, %[[WS:[a-z0-9]+]]: memref<128xi8>
// BUF-DAG:     %[[V0:.+]] = memref.view %[[WS]][%c0][]
// BUF-DAG:     %[[V1:.+]] = memref.view %[[WS]][%c64][]
// BUF:         scf.if
// BUF:           outs(%[[V0]] : memref<4xf32>)
// BUF-NEXT:      ^bb0
// BUF-NEXT:      arith.maximumf
// BUF:           outs(%[[V1]] : memref<4xf32>)
// BUF-NEXT:      ^bb0
// BUF-NEXT:      arith.negf
// BUF:         } else {
// BUF:           outs(%[[V0]] : memref<4xf32>)
// BUF-NEXT:      ^bb0
// BUF-NEXT:      math.absf
// BUF:           outs(%[[V1]] : memref<4xf32>)
// BUF-NEXT:      ^bb0
// BUF-NEXT:      arith.addf
// BUF:         memref.copy %[[V0]], %[[Y0]]
// BUF:         memref.copy %[[V1]], %[[Y1]]
func.func @if_two_results(%c: tensor<i1>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = "onnx.If"(%c) ({
    %1 = onnx.Relu %v : (tensor<4xf32>) -> tensor<4xf32>
    %2 = onnx.Neg %v : (tensor<4xf32>) -> tensor<4xf32>
    onnx.Yield %1, %2 : tensor<4xf32>, tensor<4xf32>
  }, {
    %1 = onnx.Abs %v : (tensor<4xf32>) -> tensor<4xf32>
    %2 = onnx.Add %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    onnx.Yield %1, %2 : tensor<4xf32>, tensor<4xf32>
  }) : (tensor<i1>) -> (tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}
