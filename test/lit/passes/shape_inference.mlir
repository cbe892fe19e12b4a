// RUN: %onnx-opt %s -onnx-shape-inference -split-input-file | FileCheck %s

// Result types are refined from operand types; the function type follows the new result
// types.

// CHECK-LABEL: func.func @broadcast
// CHECK-SAME:    -> (tensor<2x3x4xf32>, tensor<2x?x4xi1>, tensor<2x3x4xf32>)
func.func @broadcast(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>, %c: tensor<?x4xf32>)
    -> (tensor<*xf32>, tensor<*xi1>, tensor<*xf32>) {
  // CHECK: onnx.Add {{.*}} -> tensor<2x3x4xf32>
  %0 = onnx.Add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<*xf32>
  // A dynamic dim against a 1 stays dynamic; comparisons give i1.
  // CHECK: onnx.Less {{.*}} -> tensor<2x?x4xi1>
  %1 = onnx.Less %a, %c : (tensor<2x1x4xf32>, tensor<?x4xf32>) -> tensor<*xi1>
  // A dynamic dim against a static dim other than 1 takes that dim.
  // CHECK: onnx.Where {{.*}} -> tensor<2x3x4xf32>
  %2 = onnx.Where %1, %a, %b : (tensor<*xi1>, tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xi1>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @unary_and_cast
func.func @unary_and_cast(%a: tensor<2x5xf32>, %u: tensor<*xf32>) -> (tensor<*xf32>, tensor<*xf16>, tensor<*xf32>, tensor<*xf32>) {
  // CHECK: onnx.Relu {{.*}} -> tensor<2x5xf32>
  %0 = onnx.Relu %a : (tensor<2x5xf32>) -> tensor<*xf32>
  // CHECK: onnx.Cast {{.*}} -> tensor<2x5xf16>
  %1 = onnx.Cast %a {to = f16} : (tensor<2x5xf32>) -> tensor<*xf16>
  // Nothing is known about an unranked operand: the result stays unranked.
  // CHECK: onnx.Relu {{.*}} : (tensor<*xf32>) -> tensor<*xf32>
  %2 = onnx.Relu %u : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: onnx.Softmax {{.*}} -> tensor<2x5xf32>
  %3 = onnx.Softmax %a {axis = 0 : i64} : (tensor<2x5xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf16>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Declared (value_info) types are merged: static dims the inputs give fill dynamic ones.
// CHECK-LABEL: func.func @merge_declared
// CHECK-SAME:    -> tensor<4x3xf32>
func.func @merge_declared(%a: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // CHECK: onnx.Neg {{.*}} -> tensor<4x3xf32>
  %0 = onnx.Neg %a : (tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
func.func @matmul(%v: tensor<4xf32>, %m: tensor<5x4x6xf32>, %m2: tensor<1x6x7xf32>, %a: tensor<3x2xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // 1-D A is promoted to [1, K] and the 1 dropped again.
  // CHECK: onnx.MatMul {{.*}} -> tensor<5x6xf32>
  %0 = onnx.MatMul %v, %m : (tensor<4xf32>, tensor<5x4x6xf32>) -> tensor<*xf32>
  // Batch dims broadcast.
  // CHECK: onnx.MatMul {{.*}} -> tensor<5x4x7xf32>
  %1 = onnx.MatMul %m, %m2 : (tensor<5x4x6xf32>, tensor<1x6x7xf32>) -> tensor<*xf32>
  // CHECK: onnx.MatMul {{.*}} -> tensor<f32>
  %2 = onnx.MatMul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  // CHECK: onnx.Gemm {{.*}} -> tensor<2x4xf32>
  %3 = onnx.Gemm %a, %b, %c {transA = 1 : i64, transB = 1 : i64} : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @windows
func.func @windows(%x: tensor<1x8x9x9xf32>, %w: tensor<16x2x3x3xf32>, %d: tensor<?x8x9x9xf32>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // SAME_UPPER: ceil(9 / 2) = 5.
  // CHECK: onnx.Conv {{.*}} -> tensor<1x16x5x5xf32>
  %0 = onnx.Conv %x, %w {group = 4 : i64, auto_pad = "SAME_UPPER", strides = array<i64: 2, 2>} : (tensor<1x8x9x9xf32>, tensor<16x2x3x3xf32>) -> tensor<*xf32>
  // Dilation 2 makes the 3x3 kernel 5 wide; pads are [h_begin, w_begin, h_end, w_end]:
  // H = 9 + 0 + 2 - 5 + 1 = 7, W = 9 + 1 + 3 - 5 + 1 = 9.
  // CHECK: onnx.Conv {{.*}} -> tensor<1x16x7x9xf32>
  %1 = onnx.Conv %x, %w {group = 4 : i64, dilations = array<i64: 2, 2>, pads = array<i64: 0, 1, 2, 3>} : (tensor<1x8x9x9xf32>, tensor<16x2x3x3xf32>) -> tensor<*xf32>
  // ceil_mode: ceil((9 - 2) / 2) + 1 = 5 (floor would give 4).
  // CHECK: onnx.MaxPool {{.*}} -> tensor<1x8x5x5xf32>
  %2 = onnx.MaxPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = 1 : i64} : (tensor<1x8x9x9xf32>) -> tensor<*xf32>
  // CHECK: onnx.MaxPool {{.*}} -> tensor<1x8x4x4xf32>
  %3 = onnx.MaxPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x9x9xf32>) -> tensor<*xf32>
  // CHECK: onnx.AveragePool {{.*}} -> tensor<1x8x5x5xf32>
  %4 = onnx.AveragePool %x {kernel_shape = array<i64: 3, 3>, auto_pad = "SAME_LOWER", strides = array<i64: 2, 2>} : (tensor<1x8x9x9xf32>) -> tensor<*xf32>
  // A dynamic batch stays dynamic; the other dims are still inferred.
  // CHECK: onnx.GlobalAveragePool {{.*}} -> tensor<?x8x1x1xf32>
  %5 = onnx.GlobalAveragePool %d : (tensor<?x8x9x9xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%m: tensor<5x4x6xf32>, %s: tensor<2xi64>, %x: tensor<2x3xf32>, %y: tensor<2x5xf32>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // 0 copies the input dim, -1 takes what is left: [5, 120 / (5 * 3), 3].
  %shape = onnx.Constant dense<[0, -1, 3]> : tensor<3xi64>
  // CHECK: onnx.Reshape {{.*}} -> tensor<5x8x3xf32>
  %0 = onnx.Reshape %m, %shape : (tensor<5x4x6xf32>, tensor<3xi64>) -> tensor<*xf32>
  // A shape that is not a constant gives the rank only.
  // CHECK: onnx.Reshape {{.*}} -> tensor<?x?xf32>
  %1 = onnx.Reshape %m, %s : (tensor<5x4x6xf32>, tensor<2xi64>) -> tensor<*xf32>
  // CHECK: onnx.Flatten {{.*}} -> tensor<20x6xf32>
  %2 = onnx.Flatten %m {axis = -1 : i64} : (tensor<5x4x6xf32>) -> tensor<*xf32>
  // CHECK: onnx.Concat {{.*}} -> tensor<2x8xf32>
  %3 = onnx.Concat %x, %y {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<*xf32>
  // CHECK: onnx.Transpose {{.*}} -> tensor<6x5x4xf32>
  %4 = onnx.Transpose %m {perm = array<i64: 2, 0, 1>} : (tensor<5x4x6xf32>) -> tensor<*xf32>
  // No perm: reverse the dims.
  // CHECK: onnx.Transpose {{.*}} -> tensor<6x4x5xf32>
  %5 = onnx.Transpose %m : (tensor<5x4x6xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @normalization
func.func @normalization(%x: tensor<2x3x4x4xf32>, %c: tensor<3xf32>) -> tensor<*xf32> {
  // CHECK: onnx.BatchNormalization {{.*}} -> tensor<2x3x4x4xf32>
  %0 = onnx.BatchNormalization %x, %c, %c, %c, %c : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// A loop-carried value whose yield is less precise than its entry type ([?] for [1], a Slice
// with run-time starts) keeps the entry type (the lowering checks the yield each iteration);
// one that really changes ([3] to [6]) gets the join of the two, [?].
// CHECK-LABEL: func.func @loop_carried_types
// CHECK:         "onnx.Loop"
// CHECK:         -> (tensor<1xf32>, tensor<?xf32>)
func.func @loop_carried_types(%m: tensor<i64>, %y: tensor<1xf32>, %x: tensor<3xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0:2 = "onnx.Loop"(%m, %y, %x) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<1xf32>, %w: tensor<3xf32>):
    %p = onnx.Slice %w, %s, %e : (tensor<3xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
    %1 = onnx.Add %v, %p : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
    %2 = onnx.Concat %w, %w {axis = 0 : i64} : (tensor<3xf32>, tensor<3xf32>) -> tensor<6xf32>
    onnx.Yield %c, %1, %2 : tensor<i1>, tensor<?xf32>, tensor<6xf32>
  }) {operandSegmentSizes = array<i32: 1, 0, 2>} : (tensor<i64>, tensor<1xf32>, tensor<3xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}
