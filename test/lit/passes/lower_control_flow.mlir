// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// If -> scf.if on the extracted condition; each branch writes its result into a buffer made
// before the scf.if, so no buffer made inside a branch outlives it.
// CHECK-LABEL: func.func @if
// CHECK:         %[[DEST:.+]] = bufferization.alloc_tensor() : tensor<3xf32>
// CHECK:         %[[C:.+]] = tensor.extract %arg0[] : tensor<i1>
// CHECK:         %[[R:.+]] = scf.if %[[C]] -> (tensor<3xf32>) {
// CHECK:           %[[A:.+]] = linalg.generic
// CHECK:           %[[M:.+]] = bufferization.materialize_in_destination %[[A]] in %[[DEST]]
// CHECK:           scf.yield %[[M]]
// CHECK:         } else {
// CHECK:           bufferization.materialize_in_destination %arg1 in %[[DEST]]
// CHECK:         return %[[R]]
func.func @if(%c: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "onnx.If"(%c) ({
    %1 = onnx.Add %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %1 : tensor<3xf32>
  }, {
    onnx.Yield %x : tensor<3xf32>
  }) : (tensor<i1>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A Loop that only stops on its trip count -> scf.for over a copy of the initial value (the
// body writes into it in place); the carried value is written back into its iteration
// argument (after the scan output is read into row iv of its accumulator).
// CHECK-LABEL: func.func @loop_for
// CHECK:         %[[INIT:.+]] = bufferization.alloc_tensor() copy(%arg0)
// CHECK:         %[[ACC:.+]] = tensor.empty() : tensor<4x3xf32>
// CHECK:         %[[R:.+]]:2 = scf.for %[[IV:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[V:.+]] = %[[INIT]], %[[A:.+]] = %[[ACC]])
// CHECK:           %[[Y:.+]] = linalg.generic
// CHECK:           %[[S:.+]] = tensor.insert_slice %[[Y]] into %[[A]][%[[IV]], 0] [1, 3] [1, 1]
// CHECK:           %[[W:.+]] = bufferization.materialize_in_destination %[[Y]] in %[[V]]
// CHECK:           scf.yield %[[W]], %[[S]]
// CHECK:         return %[[R]]#0, %[[R]]#1
func.func @loop_for(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<4x3xf32>) {
  %m = onnx.Constant dense<4> : tensor<i64>
  %0:2 = "onnx.Loop"(%m, %x) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<3xf32>):
    %1 = onnx.Add %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %c, %1, %1 : tensor<i1>, tensor<3xf32>, tensor<3xf32>
  }) {operandSegmentSizes = array<i32: 1, 0, 1>} : (tensor<i64>, tensor<3xf32>) -> (tensor<3xf32>, tensor<4x3xf32>)
  return %0#0, %0#1 : tensor<3xf32>, tensor<4x3xf32>
}

// -----

// Two carried values that swap places: each is copied before either is overwritten.
// CHECK-LABEL: func.func @loop_swap
// CHECK:         scf.for {{.+}} iter_args(%[[A:.+]] = %{{.+}}, %[[B:.+]] = %{{.+}})
// CHECK:           %[[CB:.+]] = bufferization.alloc_tensor() copy(%[[B]])
// CHECK:           %[[WA:.+]] = bufferization.materialize_in_destination %[[CB]] in %[[A]]
// CHECK:           %[[CA:.+]] = bufferization.alloc_tensor() copy(%[[A]])
// CHECK:           %[[WB:.+]] = bufferization.materialize_in_destination %[[CA]] in %[[B]]
// CHECK:           scf.yield %[[WA]], %[[WB]]
func.func @loop_swap(%a: tensor<3xf32>, %b: tensor<3xf32>, %n: tensor<i64>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0:2 = "onnx.Loop"(%n, %a, %b) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<3xf32>, %y: tensor<3xf32>):
    onnx.Yield %c, %y, %x : tensor<i1>, tensor<3xf32>, tensor<3xf32>
  }) {operandSegmentSizes = array<i32: 1, 0, 2>} : (tensor<i64>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// A Loop whose body computes its condition -> scf.while carrying the values, the iteration
// number and the condition (in that order: one-shot bufferization pairs scf.condition's
// tensors with the before block's arguments by position, and the scalars canonicalization
// may drop come last); it stops at the trip count or when the condition turns false. The
// condition is not forwarded to the after block (it is true there).
// CHECK-LABEL: func.func @loop_while
// CHECK:         scf.while (%[[V:.+]] = %{{.+}}, %[[I:.+]] = %{{.+}}, %[[C:.+]] = %{{.+}}) : (tensor<3xf32>, i64, i1) -> (tensor<3xf32>, i64)
// CHECK:           %[[LT:.+]] = arith.cmpi slt, %[[I]], %{{.+}} : i64
// CHECK:           %[[GO:.+]] = arith.andi %[[C]], %[[LT]] : i1
// CHECK:           scf.condition(%[[GO]]) %[[V]], %[[I]] : tensor<3xf32>, i64
// CHECK:         } do {
// CHECK:           arith.addi %{{.+}}, %{{.+}} : i64
// CHECK:           scf.yield
func.func @loop_while(%x: tensor<3xf32>, %n: tensor<i64>, %limit: tensor<f32>) -> tensor<3xf32> {
  %0 = "onnx.Loop"(%n, %x) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<3xf32>):
    %1 = onnx.Add %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %2 = onnx.ReduceSum %1 {keepdims = 0 : i64} : (tensor<3xf32>) -> tensor<f32>
    %3 = onnx.Less %2, %limit : (tensor<f32>, tensor<f32>) -> tensor<i1>
    onnx.Yield %3, %1 : tensor<i1>, tensor<3xf32>
  }) {operandSegmentSizes = array<i32: 1, 0, 1>} : (tensor<i64>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// No trip count, a constant-true condition input: the loop ends on the condition the body
// computes alone. The before block passes on the carried value and the iteration number.
// CHECK-LABEL: func.func @loop_while_no_trip_count
// CHECK:         scf.while (%[[V:.+]] = %{{.+}}, %[[I:.+]] = %{{.+}}, %[[C:.+]] = %{{.+}}) : (tensor<3xf32>, i64, i1) -> (tensor<3xf32>, i64)
// CHECK-NEXT:      scf.condition(%[[C]]) %[[V]], %[[I]] : tensor<3xf32>, i64
// CHECK:         } do {
// CHECK:         ^bb0(%{{.+}}: tensor<3xf32>, %{{.+}}: i64):
func.func @loop_while_no_trip_count(%x: tensor<3xf32>, %limit: tensor<f32>) -> tensor<3xf32> {
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

// -----

// A run-time trip count in a function with run-time dims (where a trip count from the dims
// makes sense; one from tensor data is the size function's to refuse): the scan output's
// accumulator has it as its run-time leading dim (max(M, 0) rows), made before the loop; row
// iv is written each iteration.
// CHECK-LABEL: func.func @loop_runtime_scan
// CHECK:         %[[M:.+]] = tensor.extract %arg1[] : tensor<i64>
// CHECK:         %[[MP:.+]] = arith.maxsi %[[M]], %{{.+}} : i64
// CHECK:         %[[UB:.+]] = arith.index_cast %[[MP]] : i64 to index
// CHECK:         %[[ACC:.+]] = tensor.empty(%[[UB]]) : tensor<?x3xf32>
// CHECK:         %[[R:.+]]:2 = scf.for %[[IV:.+]] = %{{.+}} to %[[UB]] step %{{.+}} iter_args(%{{.+}} = %{{.+}}, %[[A:.+]] = %[[ACC]]) -> (tensor<3xf32>, tensor<?x3xf32>)
// CHECK:           tensor.insert_slice %{{.+}} into %[[A]][%[[IV]], 0] [1, 3] [1, 1] : tensor<3xf32> into tensor<?x3xf32>
// CHECK:         return %[[R]]#1
func.func @loop_runtime_scan(%x: tensor<3xf32>, %m: tensor<i64>, %seq: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0:2 = "onnx.Loop"(%m, %x) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<3xf32>):
    %1 = onnx.Add %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %c, %1, %1 : tensor<i1>, tensor<3xf32>, tensor<3xf32>
  }) {operandSegmentSizes = array<i32: 1, 0, 1>} : (tensor<i64>, tensor<3xf32>) -> (tensor<3xf32>, tensor<?x3xf32>)
  return %0#1 : tensor<?x3xf32>
}

// -----

// The Range function's expansion: the trip count and the initial condition are read from
// tensor data, and the condition passes through the body unchanged, so the loop runs either
// max(M, 0) times or not at all: an scf.for up to select(cond, max(M, 0), 0). The scan
// output's length depends on data; its accumulator is allocated per run (PlanMemory).
// CHECK-LABEL: func.func @loop_data_trip_count
// CHECK:         %[[M:.+]] = tensor.extract %arg1[] : tensor<i64>
// CHECK:         %[[UB:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK:         %[[C:.+]] = tensor.extract %arg2[] : tensor<i1>
// CHECK:         %[[N:.+]] = arith.select %[[C]], %[[UB]], %{{.+}} : index
// CHECK:         %[[ACC:.+]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK:         scf.for %{{.+}} = %{{.+}} to %[[N]] step
func.func @loop_data_trip_count(%x: tensor<f32>, %m: tensor<i64>, %go: tensor<i1>) -> tensor<?xf32> {
  %0:2 = "onnx.Loop"(%m, %go, %x) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<f32>):
    %1 = onnx.Add %v, %v : (tensor<f32>, tensor<f32>) -> tensor<f32>
    onnx.Yield %c, %1, %v : tensor<i1>, tensor<f32>, tensor<f32>
  }) {operandSegmentSizes = array<i32: 1, 1, 1>} : (tensor<i64>, tensor<i1>, tensor<f32>) -> (tensor<f32>, tensor<?xf32>)
  return %0#1 : tensor<?xf32>
}

// -----

// If branches whose outputs differ in shape ([6] and [3]): the destination is made before the
// scf.if with the larger size, each branch writes into the leading slice of its own size and
// yields that size, and the result is that slice, its size marked with its bound like a
// count of NonZero (onnx-size-function and the memory plan use the bound).
// CHECK-LABEL: func.func @if_shapes
// CHECK-DAG:     %[[C6:.+]] = arith.constant 6 : index
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK:         %[[BOUND:.+]] = arith.maxui %[[C6]], %[[C3]] : index
// CHECK:         %[[DEST:.+]] = bufferization.alloc_tensor(%[[BOUND]]) : tensor<?xf32>
// CHECK:         %[[R:.+]]:2 = scf.if %{{.+}} -> (tensor<?xf32>, index) {
// CHECK:           %[[S:.+]] = tensor.extract_slice %[[DEST]][0] [6] [1] : tensor<?xf32> to tensor<6xf32>
// CHECK:           %[[W:.+]] = bufferization.materialize_in_destination %{{.+}} in %[[S]]
// CHECK:           %[[I:.+]] = tensor.insert_slice %[[W]] into %[[DEST]][0] [6] [1]
// CHECK:           scf.yield %[[I]], %{{.+}} : tensor<?xf32>, index
// CHECK:         } else {
// CHECK:           %[[S2:.+]] = tensor.extract_slice %[[DEST]][0] [3] [1] : tensor<?xf32> to tensor<3xf32>
// CHECK:           %[[W2:.+]] = bufferization.materialize_in_destination %arg1 in %[[S2]]
// CHECK:           %[[I2:.+]] = tensor.insert_slice %[[W2]] into %[[DEST]][0] [3] [1]
// CHECK:           scf.yield %[[I2]], %{{.+}} : tensor<?xf32>, index
// CHECK:         %[[N:.+]] = arith.minui %[[R]]#1, %[[BOUND]] {onnxc.data_bound} : index
// CHECK:         %[[Y:.+]] = tensor.extract_slice %[[R]]#0[0] [%[[N]]] [1] : tensor<?xf32> to tensor<?xf32>
// CHECK:         return %[[Y]]
func.func @if_shapes(%c: tensor<i1>, %x: tensor<3xf32>) -> tensor<?xf32> {
  %0 = "onnx.If"(%c) ({
    %1 = onnx.Concat %x, %x {axis = 0 : i64} : (tensor<3xf32>, tensor<3xf32>) -> tensor<6xf32>
    onnx.Yield %1 : tensor<6xf32>
  }, {
    onnx.Yield %x : tensor<3xf32>
  }) : (tensor<i1>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// The same with a run-time input dim: the bound is computed before the If from the input's
// dim, through the Concat (2n) and the broadcasting Add (n): max(2n, n).
// CHECK-LABEL: func.func @if_dyn
// CHECK:         %[[D:.+]] = tensor.dim %arg1, %{{.+}} : tensor<?x4xf32>
// CHECK:         %[[TWICE:.+]] = arith.addi %[[D]], %[[D]] : index
// CHECK:         %[[BOUND:.+]] = arith.maxui %[[TWICE]], %[[D]] : index
// CHECK:         %[[DEST:.+]] = bufferization.alloc_tensor(%[[BOUND]]) : tensor<?x4xf32>
// CHECK:         %[[R:.+]]:2 = scf.if %{{.+}} -> (tensor<?x4xf32>, index) {
// CHECK:           tensor.extract_slice %[[DEST]][0, 0] [%[[N1:.+]], 4] [1, 1]
// CHECK:           scf.yield %{{.+}}, %[[N1]] : tensor<?x4xf32>, index
// CHECK:         } else {
// CHECK:           linalg.generic
// CHECK:           scf.yield
// CHECK:         %[[N:.+]] = arith.minui %[[R]]#1, %[[BOUND]] {onnxc.data_bound} : index
// CHECK:         tensor.extract_slice %[[R]]#0[0, 0] [%[[N]], 4] [1, 1] : tensor<?x4xf32> to tensor<?x4xf32>
func.func @if_dyn(%c: tensor<i1>, %x: tensor<?x4xf32>, %r: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = "onnx.If"(%c) ({
    %1 = onnx.Concat %x, %x {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    onnx.Yield %1 : tensor<?x4xf32>
  }, {
    %2 = onnx.Add %x, %r : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    onnx.Yield %2 : tensor<?x4xf32>
  }) : (tensor<i1>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Branches that agree on a run-time input dim: the result's dim is that dim, no bound, no
// size yielded.
// CHECK-LABEL: func.func @if_same_dyn
// CHECK:         %[[D:.+]] = tensor.dim %arg1, %{{.+}} : tensor<?xf32>
// CHECK:         %[[DEST:.+]] = bufferization.alloc_tensor(%[[D]]) : tensor<?xf32>
// CHECK:         %[[R:.+]] = scf.if %{{.+}} -> (tensor<?xf32>) {
// CHECK-NOT:     onnxc.data_bound
// CHECK:         tensor.extract_slice %[[R]][0] [%[[D]]] [1] : tensor<?xf32> to tensor<?xf32>
func.func @if_same_dyn(%c: tensor<i1>, %x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = "onnx.If"(%c) ({
    %1 = onnx.Add %x, %x : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
    onnx.Yield %1 : tensor<?xf32>
  }, {
    onnx.Yield %x : tensor<?xf32>
  }) : (tensor<i1>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Bounds through MatMul ([n, 3] x [3, 5]: n and 5) and Transpose ([3, n]): both dims differ.
// CHECK-LABEL: func.func @if_matmul
// CHECK:         %[[D:.+]] = tensor.dim %arg1, %{{.+}} : tensor<?x3xf32>
// CHECK:         %[[B0:.+]] = arith.maxui %[[D]], %{{.+}} : index
// CHECK:         %[[B1:.+]] = arith.maxui %{{.+}}, %[[D]] : index
// CHECK:         %[[DEST:.+]] = bufferization.alloc_tensor(%[[B0]], %[[B1]]) : tensor<?x?xf32>
// CHECK:         %[[R:.+]]:3 = scf.if %{{.+}} -> (tensor<?x?xf32>, index, index) {
// CHECK:         %[[N0:.+]] = arith.minui %[[R]]#1, %[[B0]] {onnxc.data_bound} : index
// CHECK:         %[[N1:.+]] = arith.minui %[[R]]#2, %[[B1]] {onnxc.data_bound} : index
// CHECK:         tensor.extract_slice %[[R]]#0[0, 0] [%[[N0]], %[[N1]]] [1, 1]
func.func @if_matmul(%c: tensor<i1>, %x: tensor<?x3xf32>, %w: tensor<3x5xf32>) -> tensor<?x?xf32> {
  %0 = "onnx.If"(%c) ({
    %1 = onnx.MatMul %x, %w : (tensor<?x3xf32>, tensor<3x5xf32>) -> tensor<?x5xf32>
    onnx.Yield %1 : tensor<?x5xf32>
  }, {
    %2 = onnx.Transpose %x {perm = array<i64: 1, 0>} : (tensor<?x3xf32>) -> tensor<3x?xf32>
    onnx.Yield %2 : tensor<3x?xf32>
  }) : (tensor<i1>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Bounds through Slice and Reshape. then: a Slice of x [n, 4] with starts read at run time,
// whose length is at most n but not known before the If: the bound is n, and although the
// else branch (x itself) has the same bound, the size taken is yielded and marked with it.
// Dim 1: Reshape [0, -1] of x copies n and infers 4 (static already).
// CHECK-LABEL: func.func @if_slice_bound
// CHECK:         %[[D:.+]] = tensor.dim %arg1, %{{.+}} : tensor<?x4xf32>
// CHECK:         %[[DEST:.+]] = bufferization.alloc_tensor(%[[D]]) : tensor<?x4xf32>
// CHECK:         %[[R:.+]]:2 = scf.if %{{.+}} -> (tensor<?x4xf32>, index) {
// CHECK:           arith.minui %{{.+}}, %{{.+}} {onnxc.data_bound} : index
// CHECK:           scf.yield %{{.+}}, %{{.+}} : tensor<?x4xf32>, index
// CHECK:         } else {
// CHECK:           scf.yield %{{.+}}, %{{.+}} : tensor<?x4xf32>, index
// CHECK:         %[[N:.+]] = arith.minui %[[R]]#1, %[[D]] {onnxc.data_bound} : index
// CHECK:         tensor.extract_slice %[[R]]#0[0, 0] [%[[N]], 4] [1, 1] : tensor<?x4xf32> to tensor<?x4xf32>
func.func @if_slice_bound(%c: tensor<i1>, %x: tensor<?x4xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<?x4xf32> {
  %0 = "onnx.If"(%c) ({
    %1 = onnx.Slice %x, %s, %e : (tensor<?x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
    onnx.Yield %1 : tensor<?x4xf32>
  }, {
    %shape = onnx.Constant dense<[0, -1]> : tensor<2xi64>
    %2 = onnx.Reshape %x, %shape : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x4xf32>
    onnx.Yield %2 : tensor<?x4xf32>
  }) : (tensor<i1>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Reshape with -1 over run-time dims: x [n, 6] to [-1, 3] has at most n * 6 / 3 rows; the
// other branch is [2n, 3] (Concat): the bound is max(n * 6 / 3, 2n), both exact.
// CHECK-LABEL: func.func @if_reshape_bound
// CHECK:         %[[D:.+]] = tensor.dim %arg1, %{{.+}} : tensor<?x6xf32>
// CHECK:         %[[P:.+]] = arith.muli %{{.+}}, %[[D]] : index
// CHECK:         %[[P6:.+]] = arith.muli %[[P]], %{{.+}} : index
// CHECK:         %[[ROWS:.+]] = arith.divui %[[P6]], %{{.+}} : index
// CHECK:         %[[BOUND:.+]] = arith.maxui %[[ROWS]], %{{.+}} : index
// CHECK:         bufferization.alloc_tensor(%[[BOUND]]) : tensor<?x3xf32>
// CHECK:         scf.if %{{.+}} -> (tensor<?x3xf32>, index)
func.func @if_reshape_bound(%c: tensor<i1>, %x: tensor<?x6xf32>, %y: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = "onnx.If"(%c) ({
    %shape = onnx.Constant dense<[-1, 3]> : tensor<2xi64>
    %1 = onnx.Reshape %x, %shape : (tensor<?x6xf32>, tensor<2xi64>) -> tensor<?x3xf32>
    onnx.Yield %1 : tensor<?x3xf32>
  }, {
    %2 = onnx.Concat %y, %y {axis = 0 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
    onnx.Yield %2 : tensor<?x3xf32>
  }) : (tensor<i1>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// test_loop11's body: the yield is [?] (a Slice whose starts are read from the iteration
// count) where the carried value entered as [1]. The carried value keeps [1]; each iteration
// checks the yielded dim against 1 with a status (ONNXC_ERROR_DATA_SIZE: the run ends, by a
// branch out of the loop once the regions are a CFG, before anything is written past the
// slot), then writes it into the leading slice of its own size. The scan element is checked
// the same way before it goes into its row.
// CHECK-LABEL: func.func @loop_yield_less_precise
// CHECK:         scf.for %[[IV:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[V:.+]] = %{{.+}}, %[[ACC:.+]] = %{{.+}}) -> (tensor<1xf32>, tensor<5x1xf32>)
// CHECK:           %[[N:.+]] = arith.minui %{{.+}}, %c5{{.*}} {onnxc.data_bound} : index
// CHECK:           %[[P:.+]] = tensor.extract_slice %arg2[%{{.+}}] [%[[N]]] [%{{.+}}] : tensor<5xf32> to tensor<?xf32>
// CHECK:           %[[Y:.+]] = linalg.generic
// CHECK:           %[[D0:.+]] = tensor.dim %[[Y]], %c0{{.*}} : tensor<?xf32>
// CHECK:           %[[OK0:.+]] = arith.cmpi eq, %[[D0]], %c1{{.*}} : index
// CHECK:           cf.assert %[[OK0]], "onnxc.status 11: an element of scan output 0 that the loop body yields has a dim other than 1"
// CHECK:           %[[ROW:.+]] = tensor.insert_slice %[[Y]] into %[[ACC]][%[[IV]], 0] [1, %{{.+}}] [1, 1] : tensor<?xf32> into tensor<5x1xf32>
// CHECK:           %[[D1:.+]] = tensor.dim %[[Y]], %c0{{.*}} : tensor<?xf32>
// CHECK:           %[[OK1:.+]] = arith.cmpi eq, %[[D1]], %c1{{.*}} : index
// CHECK:           cf.assert %[[OK1]], "onnxc.status 11: loop-carried value 0 that the loop body yields has a dim other than 1"
// CHECK:           %[[D:.+]] = tensor.dim %[[Y]], %c0{{.*}} : tensor<?xf32>
// CHECK:           %[[SLOT:.+]] = tensor.extract_slice %[[V]][0] [%[[D]]] [1] : tensor<1xf32> to tensor<?xf32>
// CHECK:           %[[W:.+]] = bufferization.materialize_in_destination %[[Y]] in %[[SLOT]]
// CHECK:           %[[NEW:.+]] = tensor.insert_slice %[[W]] into %[[V]][0] [%[[D]]] [1] : tensor<?xf32> into tensor<1xf32>
// CHECK:           scf.yield %[[NEW]], %[[ROW]] : tensor<1xf32>, tensor<5x1xf32>
func.func @loop_yield_less_precise(%y: tensor<1xf32>, %m: tensor<i64>, %x: tensor<5xf32>) -> (tensor<1xf32>, tensor<5x1xf32>) {
  %0:2 = "onnx.Loop"(%m, %y) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<1xf32>):
    %one = onnx.Constant dense<1> : tensor<i64>
    %ax = onnx.Constant dense<0> : tensor<1xi64>
    %e = onnx.Add %i, %one : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %s1 = onnx.Unsqueeze %i, %ax : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
    %e1 = onnx.Unsqueeze %e, %ax : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
    %p = onnx.Slice %x, %s1, %e1 : (tensor<5xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
    %1 = onnx.Add %v, %p : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
    onnx.Yield %c, %1, %1 : tensor<i1>, tensor<?xf32>, tensor<?xf32>
  }) {operandSegmentSizes = array<i32: 1, 0, 1>} : (tensor<i64>, tensor<1xf32>) -> (tensor<1xf32>, tensor<5x1xf32>)
  return %0#0, %0#1 : tensor<1xf32>, tensor<5x1xf32>
}

// -----

// A carried value with a run-time dim ([?, 4], an RNN state of symbolic batch) keeps its
// entry's size: the loop starts from a copy of it, and each iteration checks the yielded
// dims against the slot's (a status, ONNXC_ERROR_DATA_SIZE: a body that changes the size
// would write past the slot) before writing the value back in place. Here the yield is an
// elementwise op of the slot itself, so canonicalization folds the check away.
// CHECK-LABEL: func.func @loop_runtime_dims
// CHECK:         %[[INIT:.+]] = bufferization.alloc_tensor() copy(%arg0) : tensor<?x4xf32>
// CHECK:         scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[H:.+]] = %[[INIT]]) -> (tensor<?x4xf32>)
// CHECK:           %[[Y:.+]] = linalg.generic
// CHECK:           %[[D:.+]] = tensor.dim %[[Y]], %{{.+}} : tensor<?x4xf32>
// CHECK:           %[[S:.+]] = tensor.dim %[[H]], %{{.+}} : tensor<?x4xf32>
// CHECK:           %[[OK:.+]] = arith.cmpi eq, %[[D]], %[[S]] : index
// CHECK:           cf.assert %[[OK]], "onnxc.status 11: loop-carried value 0 that the loop body yields has a dim other than its entry's"
// CHECK:           %[[W:.+]] = bufferization.materialize_in_destination %[[Y]] in %[[H]]
// CHECK:           scf.yield %[[W]]
func.func @loop_runtime_dims(%h: tensor<?x4xf32>, %n: tensor<i64>) -> tensor<?x4xf32> {
  %0 = "onnx.Loop"(%n, %h) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<?x4xf32>):
    %1 = onnx.Tanh %v : (tensor<?x4xf32>) -> tensor<?x4xf32>
    onnx.Yield %c, %1 : tensor<i1>, tensor<?x4xf32>
  }) {operandSegmentSizes = array<i32: 1, 0, 1>} : (tensor<i64>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A carried value that grows by a Concat of itself ([1, 3] on entry, [?, 3] in the body: the
// importer's onnxc.grows): its buffer is made before the loop at its bound, the entry's size
// plus the trip count times the largest piece a step appends (1 + 4 * 2), with the entry in
// its leading slice; its size is an index iteration argument. The body sees the leading slice
// of that size (marked with its bound), writes the grown value into the leading slice of its
// new size (checked against the bound), and the result is the final slice.
// CHECK-LABEL: func.func @loop_grows
// CHECK:         %[[BOUND:.+]] = arith.addi %c1, %{{.+}} : index
// CHECK:         %[[BUF:.+]] = bufferization.alloc_tensor(%[[BOUND]]) : tensor<?x3xf32>
// CHECK-NOT:     copy(
// CHECK:         %[[INIT:.+]] = tensor.insert_slice %arg0 into %[[BUF]][0, 0] [1, 3] [1, 1]
// CHECK:         %[[R:.+]]:2 = scf.for %{{.+}} = %{{.+}} to %c4 step %{{.+}} iter_args(%[[Y:.+]] = %[[INIT]], %[[N:.+]] = %{{.+}}) -> (tensor<?x3xf32>, index)
// CHECK:           %[[CUR:.+]] = arith.minui %[[N]], %[[BOUND]] {onnxc.data_bound} : index
// CHECK:           %[[IN:.+]] = tensor.extract_slice %[[Y]][0, 0] [%[[CUR]], 3] [1, 1]
// CHECK:           tensor.insert_slice %[[IN]] into
// CHECK:           %[[GROWN:.+]] = tensor.insert_slice %arg1 into
// CHECK:           %[[NEW:.+]] = tensor.dim %[[GROWN]], %{{.+}} : tensor<?x3xf32>
// CHECK:           %[[FITS:.+]] = arith.cmpi ule, %[[NEW]], %[[BOUND]] : index
// CHECK:           cf.assert %[[FITS]], "onnxc.status 11: loop-carried value 0 grew past its bound"
// CHECK:           %[[DEST:.+]] = tensor.extract_slice %[[Y]][0, 0] [%[[NEW]], 3] [1, 1]
// CHECK:           %[[W:.+]] = bufferization.materialize_in_destination %[[GROWN]] in %[[DEST]]
// CHECK:           %[[OUT:.+]] = tensor.insert_slice %[[W]] into %[[Y]][0, 0] [%[[NEW]], 3] [1, 1]
// CHECK:           scf.yield %[[OUT]], %[[NEW]] : tensor<?x3xf32>, index
// CHECK:         %[[LEN:.+]] = arith.minui %[[R]]#1, %[[BOUND]] {onnxc.data_bound} : index
// CHECK:         %[[RES:.+]] = tensor.extract_slice %[[R]]#0[0, 0] [%[[LEN]], 3] [1, 1]
// CHECK:         return %[[RES]]
func.func @loop_grows(%x: tensor<1x3xf32>, %p: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %m = onnx.Constant dense<4> : tensor<i64>
  %0 = "onnx.Loop"(%m, %x) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<?x3xf32>):
    %1 = onnx.Concat %v, %p {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
    onnx.Yield %c, %1 : tensor<i1>, tensor<?x3xf32>
  }) {operandSegmentSizes = array<i32: 1, 0, 1>, onnxc.grows = array<i64: 0>} : (tensor<i64>, tensor<1x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
