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

// A Loop with no trip count and a constant-true condition input, whose body computes its
// condition: canonicalization drops the condition from the after block (it is true there).
// With the scalars carried before the tensors this shifted the tensor's position, and
// one-shot bufferization refused the loop ("Condition arg #1 is not equivalent to the
// corresponding iter bbArg"); the tensors come first now. Bufferized, the value is the
// loop's copy of the input, updated in place (the buffer no longer an argument of the loop).
// CHECK-LABEL: func.func @while_no_trip_count
// CHECK:         scf.while ({{.+}}) : (tensor<3xf32>, i64, i1) -> (tensor<3xf32>, i64)
// BUF-LABEL: func.func @while_no_trip_count
// BUF-SAME:    %[[X:[a-z0-9]+]]: memref<3xf32>, %{{[a-z0-9]+}}: memref<f32>, %[[Y:[a-z0-9]+]]: memref<3xf32>
// BUF:         %[[V:.+]] = memref.view
// BUF:         memref.copy %[[X]], %[[V]]
// BUF:         scf.while
// BUF:           scf.condition
// BUF:         } do {
// BUF-NOT:       memref.alloc
// BUF:           ins(%[[V]] : memref<3xf32>) outs(%[[V]] : memref<3xf32>)
// BUF:           scf.yield
// BUF:         memref.copy %[[V]], %[[Y]]
func.func @while_no_trip_count(%x: tensor<3xf32>, %limit: tensor<f32>) -> tensor<3xf32> {
  %t = onnx.Constant dense<true> : tensor<i1>
  %0 = "onnx.Loop"(%t, %x) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<3xf32>):
    %1 = onnx.Add %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %2 = onnx.ReduceSum %1 {keepdims = 0 : i64} : (tensor<3xf32>) -> tensor<f32>
    %3 = onnx.Less %2, %limit : (tensor<f32>, tensor<f32>) -> tensor<i1>
    onnx.Yield %3, %1 : tensor<i1>, tensor<3xf32>
  }) {operandSegmentSizes = array<i32: 0, 1, 1>} : (tensor<i1>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
