// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Reduce*: one linalg.generic folds the input into a keepdims-shaped accumulator (reduced
// dims pinned at 0 in its map); keepdims=0 then collapses the size-1 dims away. Negative
// axes count from the end.

// CHECK-DAG: #[[$ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$RED:.+]] = affine_map<(d0, d1, d2) -> (d0, 0, 0)>
// CHECK-LABEL: func.func @sum_drop_dims
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3x4xf32>) -> tensor<2xf32>
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x1x1xf32>)
// CHECK:         %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$ID3]], #[[$RED]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK-SAME:      ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x1x1xf32>)
// CHECK:           arith.addf
// CHECK:         %[[Y:.+]] = tensor.collapse_shape %[[SUM]] {{\[\[}}0, 1, 2]] : tensor<2x1x1xf32> into tensor<2xf32>
// CHECK:         return %[[Y]]
func.func @sum_drop_dims(%x: tensor<2x3x4xf32>) -> tensor<2xf32> {
  %0 = onnx.ReduceSum %x {axes = array<i64: -1, 1>, keepdims = 0} : (tensor<2x3x4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Empty axes reduce every axis; the mean divides the sum by the element count; keepdims=0
// over every axis collapses to a rank-0 tensor.
// CHECK-LABEL: func.func @mean_all_axes
// CHECK:         %[[SUM:.+]] = linalg.generic {{.+}} iterator_types = ["reduction", "reduction"]
// CHECK:           arith.addf
// CHECK:         %[[MEAN:.+]] = linalg.generic {{.+}} ins(%[[SUM]] : tensor<1x1xf32>)
// CHECK:           %[[N:.+]] = arith.constant 6.000000e+00 : f32
// CHECK:           arith.divf %{{.+}}, %[[N]]
// CHECK:         tensor.collapse_shape %[[MEAN]] [] : tensor<1x1xf32> into tensor<f32>
func.func @mean_all_axes(%x: tensor<2x3xf32>) -> tensor<f32> {
  %0 = onnx.ReduceMean %x {keepdims = 0} : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Signed integers: the identity of max is the type's lowest value; no finishing step.
// CHECK-LABEL: func.func @max_int
// CHECK:         %[[MIN:.+]] = arith.constant -2147483648 : i32
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[MIN]] : i32) outs(%{{.+}} : tensor<1x5xi32>)
// CHECK:         %[[MAX:.+]] = linalg.generic {{.+}} iterator_types = ["reduction", "parallel"]
// CHECK-SAME:      outs(%[[INIT]] : tensor<1x5xi32>)
// CHECK:           arith.maxsi
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[MAX]]
func.func @max_int(%x: tensor<4x5xi32>) -> tensor<1x5xi32> {
  %0 = onnx.ReduceMax %x {axes = array<i64: 0>} : (tensor<4x5xi32>) -> tensor<1x5xi32>
  return %0 : tensor<1x5xi32>
}

// -----

// An integer L2 sums the squares as integers and takes the root in f64, truncating back as
// numpy's astype does.
// CHECK-LABEL: func.func @l2_int
// CHECK:         linalg.generic
// CHECK:           %[[SQ:.+]] = arith.muli %[[IN:.+]], %[[IN]] : i32
// CHECK:           arith.addi %{{.+}}, %[[SQ]] : i32
// CHECK:         linalg.generic
// CHECK:           %[[F:.+]] = arith.sitofp %{{.+}} : i32 to f64
// CHECK:           %[[R:.+]] = math.sqrt %[[F]] : f64
// CHECK:           arith.fptosi %[[R]] : f64 to i32
// CHECK:         tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<4x1xi32> into tensor<4xi32>
func.func @l2_int(%x: tensor<4x5xi32>) -> tensor<4xi32> {
  %0 = onnx.ReduceL2 %x {axes = array<i64: 1>, keepdims = 0} : (tensor<4x5xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Half types accumulate in f32 and round once at the end.
// CHECK-LABEL: func.func @sum_f16
// CHECK:         %[[ACC:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<8xf16>) outs(%{{.+}} : tensor<1xf32>)
// CHECK:           %[[E:.+]] = arith.extf %{{.+}} : f16 to f32
// CHECK:           arith.addf %{{.+}}, %[[E]] : f32
// CHECK:         linalg.generic {{.+}} ins(%[[ACC]] : tensor<1xf32>) outs(%{{.+}} : tensor<1xf16>)
// CHECK:           arith.truncf %{{.+}} : f32 to f16
func.func @sum_f16(%x: tensor<8xf16>) -> tensor<1xf16> {
  %0 = onnx.ReduceSum %x : (tensor<8xf16>) -> tensor<1xf16>
  return %0 : tensor<1xf16>
}

// -----

// LogSumExp is shifted by the maximum (0 where the maximum is infinite), as Softmax is.
// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @log_sum_exp
// CHECK-SAME:    (%[[X:.+]]: tensor<2x5xf32>)
// CHECK:         %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK:           arith.maximumf
// CHECK:         %[[SHIFT:.+]] = linalg.generic {{.+}} ins(%[[MAX]] : tensor<2x1xf32>)
// CHECK:           %[[INF:.+]] = arith.constant 0x7F800000 : f32
// CHECK:           %[[ABS:.+]] = math.absf
// CHECK:           %[[FINITE:.+]] = arith.cmpf olt, %[[ABS]], %[[INF]]
// CHECK:           arith.select %[[FINITE]]
// CHECK:         %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME:      ins(%[[X]], %[[SHIFT]] : tensor<2x5xf32>, tensor<2x1xf32>)
// CHECK:           %[[D:.+]] = arith.subf
// CHECK:           %[[EXP:.+]] = math.exp %[[D]]
// CHECK:           arith.addf %{{.+}}, %[[EXP]]
// CHECK:         %[[Y:.+]] = linalg.generic {{.+}} ins(%[[SUM]], %[[SHIFT]] : tensor<2x1xf32>, tensor<2x1xf32>)
// CHECK:           %[[LOG:.+]] = math.log
// CHECK:           arith.addf %[[LOG]]
// CHECK:         return %[[Y]]
func.func @log_sum_exp(%x: tensor<2x5xf32>) -> tensor<2x1xf32> {
  %0 = onnx.ReduceLogSumExp %x {axes = array<i64: 1>} : (tensor<2x5xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// noop_with_empty_axes reduces no axis: the input itself for ReduceSum...
// CHECK-LABEL: func.func @sum_noop
// CHECK-SAME:    (%[[X:.+]]: tensor<2x5xf32>)
// CHECK-NOT:     linalg
// CHECK:         return %[[X]]
func.func @sum_noop(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = onnx.ReduceSum %x {noop_with_empty_axes = 1} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// ...but the elementwise part still applies for ReduceSumSquare (ONNX's reference squares).
// CHECK-LABEL: func.func @sum_square_noop
// CHECK:         linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]
// CHECK:           arith.mulf
func.func @sum_square_noop(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = onnx.ReduceSumSquare %x {noop_with_empty_axes = 1} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// ArgMax: a value and an index accumulator in one generic; a strictly greater value or the
// first NaN takes over, so ties keep the first index.
// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @argmax
// CHECK:         %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[VINIT:.+]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.+}} : tensor<3x1xf32>)
// CHECK:         %[[IINIT:.+]] = linalg.fill ins(%{{.+}} : i64) outs(%{{.+}} : tensor<3x1xi64>)
// CHECK:         %[[R:.+]]:2 = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME:      outs(%[[VINIT]], %[[IINIT]] : tensor<3x1xf32>, tensor<3x1xi64>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[BEST:.+]]: f32, %[[BESTI:.+]]: i64):
// CHECK:           %[[NAN:.+]] = arith.cmpf uno, %[[IN]], %[[IN]]
// CHECK:           %[[GT:.+]] = arith.cmpf ogt, %[[IN]], %[[BEST]]
// CHECK:           %[[ORD:.+]] = arith.cmpf ord, %[[BEST]], %[[BEST]]
// CHECK:           %[[FIRSTNAN:.+]] = arith.andi %[[NAN]], %[[ORD]]
// CHECK:           %[[TAKE:.+]] = arith.ori %[[GT]], %[[FIRSTNAN]]
// CHECK:           %[[I:.+]] = linalg.index 1 : index
// CHECK:           %[[I64:.+]] = arith.index_cast %[[I]] : index to i64
// CHECK:           %[[V:.+]] = arith.select %[[TAKE]], %[[IN]], %[[BEST]]
// CHECK:           %[[IDX:.+]] = arith.select %[[TAKE]], %[[I64]], %[[BESTI]]
// CHECK:           linalg.yield %[[V]], %[[IDX]]
// CHECK:         tensor.collapse_shape %[[R]]#1 {{\[\[}}0, 1]] : tensor<3x1xi64> into tensor<3xi64>
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<3xi64> {
  %0 = onnx.ArgMax %x {axis = 1, keepdims = 0} : (tensor<3x4xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// ArgMin over signed integers with select_last_index: less or equal takes over.
// CHECK-LABEL: func.func @argmin_last_int
// CHECK:         %[[MAXI:.+]] = arith.constant 2147483647 : i32
// CHECK:         linalg.fill ins(%[[MAXI]] : i32)
// CHECK:         %[[R:.+]]:2 = linalg.generic {{.+}} iterator_types = ["reduction", "parallel"]
// CHECK:           %[[TAKE:.+]] = arith.cmpi sle
// CHECK:           linalg.index 0 : index
// CHECK:         return %[[R]]#1 : tensor<1x4xi64>
func.func @argmin_last_int(%x: tensor<3x4xi32>) -> tensor<1x4xi64> {
  %0 = onnx.ArgMin %x {select_last_index = 1} : (tensor<3x4xi32>) -> tensor<1x4xi64>
  return %0 : tensor<1x4xi64>
}
