// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// BatchNormalization (inference): per-channel a = scale / sqrt(var + eps) and
// b = B - mean * a on the [C] vectors, then y = x * a + b with a and b viewed as [C, 1, 1].

// CHECK-DAG: #[[$VEC:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func.func @batchnorm
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3x4x4xf32>, %[[S:.+]]: tensor<3xf32>, %[[B:.+]]: tensor<3xf32>, %[[M:.+]]: tensor<3xf32>, %[[V:.+]]: tensor<3xf32>)
// CHECK:         %[[A:.+]] = linalg.generic {indexing_maps = [#[[$VEC]], #[[$VEC]], #[[$VEC]]], iterator_types = ["parallel"]}
// CHECK-SAME:      ins(%[[S]], %[[V]] : tensor<3xf32>, tensor<3xf32>)
// CHECK:           %[[EPS:.+]] = arith.constant 1.000000e-03 : f32
// CHECK:           %[[VE:.+]] = arith.addf %{{.+}}, %[[EPS]]
// CHECK:           %[[SQ:.+]] = math.sqrt %[[VE]]
// CHECK:           arith.divf %{{.+}}, %[[SQ]]
// CHECK:         %[[SHIFT:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[B]], %[[M]], %[[A]] : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.subf
// CHECK:         %[[A3:.+]] = tensor.expand_shape %[[A]] {{\[\[}}0, 1, 2]] output_shape [3, 1, 1]
// CHECK:         %[[SHIFT3:.+]] = tensor.expand_shape %[[SHIFT]] {{\[\[}}0, 1, 2]] output_shape [3, 1, 1]
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID4]], #[[$CH]], #[[$CH]], #[[$ID4]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[A3]], %[[SHIFT3]] : tensor<2x3x4x4xf32>, tensor<3x1x1xf32>, tensor<3x1x1xf32>)
// CHECK:           %[[MUL:.+]] = arith.mulf
// CHECK:           arith.addf %[[MUL]]
func.func @batchnorm(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = onnx.BatchNormalization %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// Softmax, numerically stable: max-reduce along the axis (kept as a size-1 dim), subtract,
// exp-sum-reduce, divide.
// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$RED:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @softmax_last_axis
// CHECK-SAME:    (%[[X:.+]]: tensor<2x5xf32>)
// CHECK:         %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[MAXINIT:.+]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.+}} : tensor<2x1xf32>)
// CHECK:         %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$RED]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME:      ins(%[[X]] : tensor<2x5xf32>) outs(%[[MAXINIT]] : tensor<2x1xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[SHIFTED:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$RED]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[X]], %[[MAX]] : tensor<2x5xf32>, tensor<2x1xf32>)
// CHECK:           arith.subf
// CHECK:         %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$RED]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME:      ins(%[[SHIFTED]] : tensor<2x5xf32>)
// CHECK:           math.exp
// CHECK:           arith.addf
// CHECK:         linalg.generic {indexing_maps = [#[[$ID2]], #[[$RED]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[SHIFTED]], %[[SUM]] : tensor<2x5xf32>, tensor<2x1xf32>)
// CHECK:           %[[E:.+]] = math.exp
// CHECK:           arith.divf %[[E]]
func.func @softmax_last_axis(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = onnx.Softmax %x : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// LogSoftmax along a middle axis: the reduction iterator is in the middle; the last step is
// x - max - log(sum).
// CHECK-DAG: #[[$MRED:.+]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-LABEL: func.func @logsoftmax_middle_axis
// CHECK:         linalg.generic
// CHECK-SAME:      #[[$MRED]]
// CHECK-SAME:      iterator_types = ["parallel", "reduction", "parallel"]
// CHECK:           arith.maximumf
// CHECK:         } -> tensor<2x1x3xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:           arith.subf
// CHECK:         } -> tensor<2x5x3xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction", "parallel"]
// CHECK:           math.exp
// CHECK:         } -> tensor<2x1x3xf32>
// CHECK:         linalg.generic
// CHECK:           %[[LOG:.+]] = math.log
// CHECK:           arith.subf %{{.+}}, %[[LOG]]
// CHECK:         } -> tensor<2x5x3xf32>
func.func @logsoftmax_middle_axis(%x: tensor<2x5x3xf32>) -> tensor<2x5x3xf32> {
  %0 = onnx.LogSoftmax %x {axis = 1 : i64} : (tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  return %0 : tensor<2x5x3xf32>
}

// -----

// A negative axis counts from the end.
// CHECK-LABEL: func.func @softmax_negative_axis
// CHECK:         iterator_types = ["parallel", "reduction", "parallel"]
func.func @softmax_negative_axis(%x: tensor<2x5x3xf32>) -> tensor<2x5x3xf32> {
  %0 = onnx.Softmax %x {axis = -2 : i64} : (tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  return %0 : tensor<2x5x3xf32>
}
