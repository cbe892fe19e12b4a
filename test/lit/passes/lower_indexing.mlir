// RUN: %onnx-opt %s -convert-onnx-to-linalg -canonicalize -split-input-file | FileCheck %s

// The indexing family (GatherND, ScatterElements, ScatterND, ReverseSequence, OneHot, Trilu,
// EyeLike) and Einsum.

// GatherND with batch_dims = 1: the batch coordinate is shared, the m = 1 coordinate is
// extracted from the index tensor and clamped into the data dim.
// CHECK-LABEL: func.func @gathernd
// CHECK-SAME:    (%[[D:.+]]: tensor<2x2x2xi32>, %[[I:.+]]: tensor<2x1xi64>)
// CHECK:         linalg.generic {{.*}} outs(%{{.+}} : tensor<2x2xi32>)
// CHECK:           %[[B:.+]] = linalg.index 0
// CHECK:           %[[S:.+]] = linalg.index 1
// CHECK:           %[[C:.+]] = tensor.extract %[[I]][%[[B]], %c0]
// CHECK:           %[[AT:.+]] = arith.minsi
// CHECK:           tensor.extract %[[D]][%[[B]], %[[AT]], %[[S]]]
func.func @gathernd(%d: tensor<2x2x2xi32>, %i: tensor<2x1xi64>) -> tensor<2x2xi32> {
  %0 = onnx.GatherND %d, %i {batch_dims = 1 : i64} : (tensor<2x2x2xi32>, tensor<2x1xi64>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// ScatterElements: a copy of the data, then a loop over the updates in row-major order that
// combines each one into its position.
// CHECK-LABEL: func.func @scatter_elements
// CHECK-SAME:    (%[[D:.+]]: tensor<1x5xf32>, %[[I:.+]]: tensor<1x2xi64>, %[[U:.+]]: tensor<1x2xf32>)
// CHECK:         %[[COPY:.+]] = bufferization.alloc_tensor() copy(%[[D]])
// CHECK:         %[[R:.+]] = scf.for %[[J:.+]] = %c0 to %c2 step %c1 iter_args(%[[ACC:.+]] = %[[COPY]])
// CHECK:           %[[UP:.+]] = tensor.extract %[[U]][%c0, %[[J]]]
// CHECK:           tensor.extract %[[I]][%c0, %[[J]]]
// CHECK:           %[[AT:.+]] = arith.minsi
// CHECK:           %[[OLD:.+]] = tensor.extract %[[ACC]][%c0, %[[AT]]]
// CHECK:           %[[NEW:.+]] = arith.addf %[[OLD]], %[[UP]]
// CHECK:           %[[INS:.+]] = tensor.insert %[[NEW]] into %[[ACC]][%c0, %[[AT]]]
// CHECK:           scf.yield %[[INS]]
// CHECK:         return %[[R]]
func.func @scatter_elements(%d: tensor<1x5xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>) -> tensor<1x5xf32> {
  %0 = onnx.ScatterElements %d, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

// ScatterND: the loops walk the updates' shape; the coordinate tuple names the leading data
// dims, the remaining update dims the rest.
// CHECK-LABEL: func.func @scatter_nd
// CHECK:         scf.for %[[P:.+]] = %c0 to %c2
// CHECK:           scf.for %[[S:.+]] = %c0 to %c4
// CHECK:             %[[UP:.+]] = tensor.extract %arg2[%[[P]], %[[S]]]
// CHECK:             tensor.extract %arg1[%[[P]], %c0]
// CHECK:             %[[AT:.+]] = arith.minsi
// CHECK:             tensor.insert %[[UP]] into %{{.+}}[%[[AT]], %[[S]]]
func.func @scatter_nd(%d: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> tensor<4x4xf32> {
  %0 = onnx.ScatterND %d, %i, %u : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// ReverseSequence (time axis 0, batch axis 1): the length is read through the batch axis.
// CHECK-DAG:   #[[LEN:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @reverse_sequence
// CHECK:         linalg.generic {indexing_maps = [#[[LEN]], {{.+}}]
// CHECK:           %[[T:.+]] = linalg.index 0
// CHECK:           %[[B:.+]] = linalg.index 1
// CHECK:           %[[LEN:.+]] = arith.minsi
// CHECK:           %[[LAST:.+]] = arith.subi %[[LEN]], %c1
// CHECK:           %[[REV:.+]] = arith.subi %[[LAST]], %[[T]]
// CHECK:           %[[IN:.+]] = arith.cmpi slt, %[[T]], %[[LEN]]
// CHECK:           %[[SRC:.+]] = arith.select %[[IN]], %[[REV]], %[[T]]
// CHECK:           tensor.extract %arg0[%[[SRC]], %[[B]]]
func.func @reverse_sequence(%x: tensor<4x3xf32>, %l: tensor<3xi64>) -> tensor<4x3xf32> {
  %0 = onnx.ReverseSequence %x, %l : (tensor<4x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// OneHot with a run-time depth: the result type's dim (declared) is the depth; float indices
// truncate, negative ones count from the end.
// CHECK-DAG:   #[[IDX:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @onehot
// CHECK:         %[[OFF:.+]] = tensor.extract %arg2[%c0]
// CHECK:         %[[ON:.+]] = tensor.extract %arg2[%c1]
// CHECK:         linalg.generic {indexing_maps = [#[[IDX]], {{.+}}]
// CHECK:           %[[D:.+]] = linalg.index 0
// CHECK:           %[[I:.+]] = arith.fptosi
// CHECK:           arith.addi %[[I]], %c5_i64
// CHECK:           %[[HOT:.+]] = arith.cmpi eq
// CHECK:           arith.select %[[HOT]], %[[ON]], %[[OFF]]
func.func @onehot(%i: tensor<2xf32>, %d: tensor<f32>, %v: tensor<2xi64>) -> tensor<5x2xi64> {
  %0 = onnx.OneHot %i, %d, %v {axis = 0 : i64} : (tensor<2xf32>, tensor<f32>, tensor<2xi64>) -> tensor<5x2xi64>
  return %0 : tensor<5x2xi64>
}

// -----

// Trilu (lower) with a run-time k: keep j - i <= k.
// CHECK-LABEL: func.func @trilu
// CHECK:         %[[KE:.+]] = tensor.extract %arg1[] : tensor<i64>
// CHECK:         %[[K:.+]] = arith.index_cast %[[KE]]
// CHECK:         linalg.generic
// CHECK:           %[[I:.+]] = linalg.index 0
// CHECK:           %[[J:.+]] = linalg.index 1
// CHECK:           %[[DIAG:.+]] = arith.subi %[[J]], %[[I]]
// CHECK:           %[[KEEP:.+]] = arith.cmpi sle, %[[DIAG]], %[[K]]
// CHECK:           arith.select %[[KEEP]]
func.func @trilu(%x: tensor<4x5xf32>, %k: tensor<i64>) -> tensor<4x5xf32> {
  %0 = onnx.Trilu %x, %k {upper = 0 : i64} : (tensor<4x5xf32>, tensor<i64>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// EyeLike: ones where j - i == k, in the dtype's element type.
// CHECK-LABEL: func.func @eyelike
// CHECK:         linalg.generic {{.*}} outs(%{{.+}} : tensor<3x4xf64>)
// CHECK:           %[[DIAG:.+]] = arith.subi
// CHECK:           %[[ON:.+]] = arith.cmpi eq, %[[DIAG]], %c1
// CHECK:           arith.select %[[ON]], %cst{{.*}}, %cst{{.*}} : f64
func.func @eyelike(%x: tensor<3x4xi32>) -> tensor<3x4xf64> {
  %0 = onnx.EyeLike %x {dtype = f64, k = 1 : i64} : (tensor<3x4xi32>) -> tensor<3x4xf64>
  return %0 : tensor<3x4xf64>
}

// -----

// Einsum: one loop per letter, the summed letter a reduction.
// CHECK-DAG:   #[[A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG:   #[[B:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG:   #[[C:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func.func @einsum_batch_matmul
// CHECK:         linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @einsum_batch_matmul(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = onnx.Einsum %a, %b {equation = "bij, bjk -> bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// A letter repeated in one term reads the diagonal; the ellipsis is a loop of its own.
// CHECK-DAG:   #[[DIAG:.+]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-LABEL: func.func @einsum_diagonal
// CHECK:         linalg.generic {indexing_maps = [#[[DIAG]], {{.+}}], iterator_types = ["parallel", "parallel"]}
func.func @einsum_diagonal(%a: tensor<3x5x5xf64>) -> tensor<3x5xf64> {
  %0 = onnx.Einsum %a {equation = "...ii ->...i"} : (tensor<3x5x5xf64>) -> tensor<3x5xf64>
  return %0 : tensor<3x5xf64>
}

// -----

// Without '->', the output has the letters used once: none here, a scalar.
// CHECK-LABEL: func.func @einsum_implicit
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction"]} {{.*}} outs(%{{.+}} : tensor<i64>)
// CHECK:           arith.muli
// CHECK:           arith.addi
func.func @einsum_implicit(%a: tensor<5xi64>, %b: tensor<5xi64>) -> tensor<i64> {
  %0 = onnx.Einsum %a, %b {equation = "i,i"} : (tensor<5xi64>, tensor<5xi64>) -> tensor<i64>
  return %0 : tensor<i64>
}
