// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Reshape and Flatten only change metadata: collapse to 1-D, expand to the result type (which
// shape inference already fixed). The shape operand is not read at run time.

// CHECK-LABEL: func.func @reshape
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3x4xf32>, %{{.+}}: tensor<2xi64>)
// CHECK:         %[[FLAT:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK:         %[[R:.+]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
// CHECK:         return %[[R]]
func.func @reshape(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>) -> tensor<6x4xf32> {
  %0 = onnx.Reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @flatten
// CHECK:         tensor.collapse_shape %{{.+}} {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK:         tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [2, 12] : tensor<24xf32> into tensor<2x12xf32>
func.func @flatten(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  %0 = onnx.Flatten %x : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// To and from rank 0 there is no reassociation: tensor.reshape with a constant shape.
// CHECK-LABEL: func.func @reshape_to_scalar
// CHECK:         %[[SHAPE:.+]] = arith.constant dense<> : tensor<0xindex>
// CHECK:         tensor.reshape %{{.+}}(%[[SHAPE]]) : (tensor<1x1xf32>, tensor<0xindex>) -> tensor<f32>
func.func @reshape_to_scalar(%x: tensor<1x1xf32>, %s: tensor<0xi64>) -> tensor<f32> {
  %0 = onnx.Reshape %x, %s : (tensor<1x1xf32>, tensor<0xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Concat: each input is inserted at its offset along the axis into one empty tensor.
// CHECK-LABEL: func.func @concat
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3xf32>, %[[Y:.+]]: tensor<2x5xf32>)
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<2x8xf32>
// CHECK:         %[[I0:.+]] = tensor.insert_slice %[[X]] into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK:         %[[I1:.+]] = tensor.insert_slice %[[Y]] into %[[I0]][0, 3] [2, 5] [1, 1]
// CHECK:         return %[[I1]]
func.func @concat(%x: tensor<2x3xf32>, %y: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = onnx.Concat %x, %y {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @concat_three_axis0
// CHECK:         tensor.insert_slice %{{.+}} into %{{.+}}[0, 0] [1, 4] [1, 1]
// CHECK:         tensor.insert_slice %{{.+}} into %{{.+}}[1, 0] [2, 4] [1, 1]
// CHECK:         tensor.insert_slice %{{.+}} into %{{.+}}[3, 0] [1, 4] [1, 1]
// CHECK-SAME:      tensor<1x4xf32> into tensor<4x4xf32>
func.func @concat_three_axis0(%x: tensor<1x4xf32>, %y: tensor<2x4xf32>, %z: tensor<1x4xf32>) -> tensor<4x4xf32> {
  %0 = onnx.Concat %x, %y, %z {axis = 0 : i64} : (tensor<1x4xf32>, tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK:         linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[E]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK-LABEL: func.func @transpose_default_perm
// CHECK:         linalg.transpose {{.*}} permutation = [2, 1, 0]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = onnx.Transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}
func.func @transpose_default_perm(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %0 = onnx.Transpose %x : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  return %0 : tensor<4x3x2xf32>
}
