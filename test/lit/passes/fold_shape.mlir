// RUN: %onnx-opt %s --pass-pipeline='builtin.module(func.func(onnx-shape-inference,canonicalize,onnx-shape-inference))' -split-input-file | FileCheck %s
// RUN: %onnx-opt %s --pass-pipeline='builtin.module(func.func(canonicalize))' -split-input-file | FileCheck %s --check-prefix=FOLD

// Shapes that exporters compute at run time (Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape) are compile-time constants when the input shapes are static: the ops fold, and
// shape inference then gives the Reshape a static type.

// CHECK-LABEL: func.func @exporter_chain
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3x4xf32>) -> tensor<2x12xf32>
// CHECK-NEXT:    %[[S:.+]] = onnx.Constant dense<[2, -1]> : tensor<2xi64>
// CHECK-NEXT:    %[[R:.+]] = onnx.Reshape %[[X]], %[[S]] : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
// CHECK-NEXT:    return %[[R]]
func.func @exporter_chain(%x: tensor<2x3x4xf32>) -> tensor<*xf32> {
  %shape = onnx.Shape %x : (tensor<2x3x4xf32>) -> tensor<*xi64>
  %zero = onnx.Constant dense<0> : tensor<i64>
  %batch = onnx.Gather %shape, %zero : (tensor<*xi64>, tensor<i64>) -> tensor<*xi64>
  %axes = onnx.Constant dense<0> : tensor<1xi64>
  %batch1 = onnx.Unsqueeze %batch, %axes : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %minus1 = onnx.Constant dense<-1> : tensor<1xi64>
  %target = onnx.Concat %batch1, %minus1 {axis = 0 : i64} : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %r = onnx.Reshape %x, %target : (tensor<2x3x4xf32>, tensor<*xi64>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// -----

// Shapes of shapes: the second Shape reads the type the first Reshape only gets once its
// shape operand has folded. Inference folds as it goes, so one walk resolves the whole chain
// (canonicalization alone would need a shape-inference run between every two steps).
// CHECK-LABEL: func.func @chain_through_reshape
// CHECK-SAME:    -> (tensor<6x4xf32>, tensor<4x6xf32>)
// CHECK-NOT:     onnx.Shape
// CHECK-NOT:     onnx.Gather
// CHECK-DAG:     onnx.Constant dense<[6, 4]> : tensor<2xi64>
// CHECK-DAG:     onnx.Constant dense<[4, 6]> : tensor<2xi64>
func.func @chain_through_reshape(%x: tensor<2x3x4xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %shape = onnx.Shape %x {start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<*xi64>
  %mul = onnx.Constant dense<[2, 1]> : tensor<2xi64>
  %s1 = onnx.Mul %shape, %mul : (tensor<*xi64>, tensor<2xi64>) -> tensor<*xi64>
  %r1 = onnx.Reshape %x, %s1 : (tensor<2x3x4xf32>, tensor<*xi64>) -> tensor<*xf32>
  %shape2 = onnx.Shape %r1 : (tensor<*xf32>) -> tensor<*xi64>
  %perm = onnx.Constant dense<[1, 0]> : tensor<2xi64>
  %s2 = onnx.Gather %shape2, %perm : (tensor<*xi64>, tensor<2xi64>) -> tensor<*xi64>
  %r2 = onnx.Reshape %r1, %s2 : (tensor<*xf32>, tensor<*xi64>) -> tensor<*xf32>
  return %r1, %r2 : tensor<*xf32>, tensor<*xf32>
}

// -----

// The layer-normalization expansion: the rank of the normalized dims becomes a vector of
// ones through Sub, ConstantOfShape and Concat.
// CHECK-LABEL: func.func @ones_for_reduced_dims
// CHECK-SAME:    -> tensor<2x1x1x1xf32>
// CHECK:         onnx.Constant dense<[2, 1, 1, 1]> : tensor<4xi64>
func.func @ones_for_reduced_dims(%m: tensor<2x1xf32>) -> tensor<*xf32> {
  %rank = onnx.Constant dense<4> : tensor<i64>
  %one = onnx.Constant dense<1> : tensor<1xi64>
  %n = onnx.Sub %rank, %one : (tensor<i64>, tensor<1xi64>) -> tensor<*xi64>
  %ones = onnx.ConstantOfShape %n {value = dense<1> : tensor<1xi64>} : (tensor<*xi64>) -> tensor<*xi64>
  %batch = onnx.Constant dense<2> : tensor<1xi64>
  %shape = onnx.Concat %batch, %ones {axis = 0 : i64} : (tensor<1xi64>, tensor<*xi64>) -> tensor<*xi64>
  %r = onnx.Reshape %m, %shape : (tensor<2x1xf32>, tensor<*xi64>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// -----

// Each folder on its own (canonicalize, result types already static).

// FOLD-LABEL: func.func @shape_size
// FOLD-DAG:     %[[S:.+]] = onnx.Constant dense<[3, 4]> : tensor<2xi64>
// FOLD-DAG:     %[[M:.+]] = onnx.Constant dense<3> : tensor<1xi64>
// FOLD-DAG:     %[[N:.+]] = onnx.Constant dense<24> : tensor<i64>
// FOLD:         return %[[S]], %[[M]], %[[N]]
func.func @shape_size(%x: tensor<2x3x4xf32>) -> (tensor<2xi64>, tensor<1xi64>, tensor<i64>) {
  %0 = onnx.Shape %x {start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  %1 = onnx.Shape %x {start = -2 : i64, end = -1 : i64} : (tensor<2x3x4xf32>) -> tensor<1xi64>
  %2 = onnx.Size %x : (tensor<2x3x4xf32>) -> tensor<i64>
  return %0, %1, %2 : tensor<2xi64>, tensor<1xi64>, tensor<i64>
}

// -----

// Only the static dims a Shape selects need to be known.
// FOLD-LABEL: func.func @shape_partly_dynamic
// FOLD:         %[[S:.+]] = onnx.Constant dense<[3, 4]> : tensor<2xi64>
// FOLD:         %[[ALL:.+]] = onnx.Shape
// FOLD:         return %[[S]], %[[ALL]]
func.func @shape_partly_dynamic(%x: tensor<?x3x4xf32>) -> (tensor<2xi64>, tensor<3xi64>) {
  %0 = onnx.Shape %x {start = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<2xi64>
  %1 = onnx.Shape %x : (tensor<?x3x4xf32>) -> tensor<3xi64>
  return %0, %1 : tensor<2xi64>, tensor<3xi64>
}

// -----

// FOLD-LABEL: func.func @gather_squeeze_unsqueeze
// FOLD-DAG:     %[[G:.+]] = onnx.Constant dense<[4, 2]> : tensor<2xi64>
// FOLD-DAG:     %[[Q:.+]] = onnx.Constant dense<7> : tensor<i64>
// FOLD-DAG:     %[[U:.+]] = onnx.Constant dense<7> : tensor<1x1xi64>
// FOLD:         return %[[G]], %[[Q]], %[[U]]
func.func @gather_squeeze_unsqueeze() -> (tensor<2xi64>, tensor<i64>, tensor<1x1xi64>) {
  %d = onnx.Constant dense<[2, 3, 4]> : tensor<3xi64>
  %i = onnx.Constant dense<[-1, 0]> : tensor<2xi64>
  %0 = onnx.Gather %d, %i : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  %s = onnx.Constant dense<7> : tensor<1xi64>
  %a = onnx.Constant dense<0> : tensor<1xi64>
  %1 = onnx.Squeeze %s, %a : (tensor<1xi64>, tensor<1xi64>) -> tensor<i64>
  %2 = onnx.Unsqueeze %s, %a : (tensor<1xi64>, tensor<1xi64>) -> tensor<1x1xi64>
  return %0, %1, %2 : tensor<2xi64>, tensor<i64>, tensor<1x1xi64>
}

// -----

// FOLD-LABEL: func.func @concat_cast_slice
// FOLD-DAG:     %[[C:.+]] = onnx.Constant dense<{{\[}}[1, 2, 5], [3, 4, 6]]> : tensor<2x3xi64>
// FOLD-DAG:     %[[F:.+]] = onnx.Constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// FOLD-DAG:     %[[I:.+]] = onnx.Constant dense<[2, -3]> : tensor<2xi64>
// FOLD-DAG:     %[[S:.+]] = onnx.Constant dense<[40, 20]> : tensor<2xi64>
// FOLD:         return %[[C]], %[[F]], %[[I]], %[[S]]
func.func @concat_cast_slice() -> (tensor<2x3xi64>, tensor<2xf32>, tensor<2xi64>, tensor<2xi64>) {
  %a = onnx.Constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %b = onnx.Constant dense<[[5], [6]]> : tensor<2x1xi64>
  %0 = onnx.Concat %a, %b {axis = 1 : i64} : (tensor<2x2xi64>, tensor<2x1xi64>) -> tensor<2x3xi64>
  %i = onnx.Constant dense<[2, 3]> : tensor<2xi32>
  %1 = onnx.Cast %i {to = f32} : (tensor<2xi32>) -> tensor<2xf32>
  // Float to integer truncates toward zero.
  %g = onnx.Constant dense<[2.9, -3.9]> : tensor<2xf32>
  %2 = onnx.Cast %g {to = i64} : (tensor<2xf32>) -> tensor<2xi64>
  // Every other element from the end: 40, 20.
  %d = onnx.Constant dense<[10, 20, 30, 40]> : tensor<4xi64>
  %s = onnx.Constant dense<[-1]> : tensor<1xi64>
  %e = onnx.Constant dense<[0]> : tensor<1xi64>
  %st = onnx.Constant dense<[-2]> : tensor<1xi64>
  %3 = onnx.Slice %d, %s, %e steps %st : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %0, %1, %2, %3 : tensor<2x3xi64>, tensor<2xf32>, tensor<2xi64>, tensor<2xi64>
}

// -----

// FOLD-LABEL: func.func @range_constant_of_shape_arith
// FOLD-DAG:     %[[R:.+]] = onnx.Constant dense<[5, 3, 1]> : tensor<3xi64>
// FOLD-DAG:     %[[RF:.+]] = onnx.Constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
// FOLD-DAG:     %[[C:.+]] = onnx.Constant dense<1.000000e+00> : tensor<2x2xf32>
// FOLD-DAG:     %[[A:.+]] = onnx.Constant dense<[-1, 2]> : tensor<2xi64>
// FOLD:         return %[[R]], %[[RF]], %[[C]], %[[A]]
func.func @range_constant_of_shape_arith() -> (tensor<3xi64>, tensor<3xf32>, tensor<2x2xf32>, tensor<2xi64>) {
  %s = onnx.Constant dense<5> : tensor<i64>
  %l = onnx.Constant dense<0> : tensor<i64>
  %d = onnx.Constant dense<-2> : tensor<i64>
  %0 = onnx.Range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  %fs = onnx.Constant dense<0.0> : tensor<f32>
  %fl = onnx.Constant dense<1.2> : tensor<f32>
  %fd = onnx.Constant dense<0.5> : tensor<f32>
  %1 = onnx.Range %fs, %fl, %fd : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<3xf32>
  %shape = onnx.Constant dense<2> : tensor<2xi64>
  %2 = onnx.ConstantOfShape %shape {value = dense<1.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<2x2xf32>
  // (-(6) / 4 + [0, 3]) with truncating division: [-1, 2].
  %six = onnx.Constant dense<6> : tensor<1xi64>
  %four = onnx.Constant dense<4> : tensor<i64>
  %n = onnx.Neg %six : (tensor<1xi64>) -> tensor<1xi64>
  %q = onnx.Div %n, %four : (tensor<1xi64>, tensor<i64>) -> tensor<1xi64>
  %v = onnx.Constant dense<[0, 3]> : tensor<2xi64>
  %3 = onnx.Add %q, %v : (tensor<1xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0, %1, %2, %3 : tensor<3xi64>, tensor<3xf32>, tensor<2x2xf32>, tensor<2xi64>
}

// -----

// Float arithmetic and division by zero are left alone.
// FOLD-LABEL: func.func @no_fold
// FOLD:         onnx.Add
// FOLD:         onnx.Div
func.func @no_fold() -> (tensor<1xf32>, tensor<1xi64>) {
  %a = onnx.Constant dense<1.0> : tensor<1xf32>
  %0 = onnx.Add %a, %a : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  %b = onnx.Constant dense<1> : tensor<1xi64>
  %z = onnx.Constant dense<0> : tensor<1xi64>
  %1 = onnx.Div %b, %z : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %0, %1 : tensor<1xf32>, tensor<1xi64>
}

// -----

// torch's expand(B, -1, -1) exports Expand's shape as Where(Equal(shape, -1), ones, shape);
// the predicates and Where evaluate on constants, so the Expand gets a static type.
// CHECK-LABEL: func.func @expand_where_equal
// CHECK:         %[[S:.+]] = onnx.Constant dense<[2, 1, 1]> : tensor<3xi64>
// CHECK:         onnx.Expand %{{.+}}, %[[S]] : (tensor<1x1x4xf32>, tensor<3xi64>) -> tensor<2x1x4xf32>
func.func @expand_where_equal(%x: tensor<1x1x4xf32>) -> tensor<*xf32> {
  %shape = onnx.Constant dense<[2, -1, -1]> : tensor<3xi64>
  %ones = onnx.Constant dense<1> : tensor<3xi64>
  %minus1 = onnx.Constant dense<-1> : tensor<3xi64>
  %eq = onnx.Equal %shape, %minus1 : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %t = onnx.Where %eq, %ones, %shape : (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %r = onnx.Expand %x, %t : (tensor<1x1x4xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// -----

// A static dim picked out of the shape of a tensor with run-time dims (the batch of a
// [seq, batch, input] sequence, which PyTorch's RNN exports read to build the initial states)
// folds; the run-time one does not.
// FOLD-LABEL: func.func @static_dim_of_runtime_shape
// FOLD-DAG:     %[[B:.+]] = onnx.Constant dense<3> : tensor<i64>
// FOLD-DAG:     %[[S:.+]] = onnx.Shape %arg0
// FOLD-DAG:     %[[SEQ:.+]] = onnx.Gather %[[S]]
// FOLD:         return %[[B]], %[[SEQ]]
func.func @static_dim_of_runtime_shape(%x: tensor<?x3x8xf32>) -> (tensor<i64>, tensor<i64>) {
  %shape = onnx.Shape %x : (tensor<?x3x8xf32>) -> tensor<3xi64>
  %one = onnx.Constant dense<1> : tensor<i64>
  %zero = onnx.Constant dense<0> : tensor<i64>
  %batch = onnx.Gather %shape, %one : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %seq = onnx.Gather %shape, %zero : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  return %batch, %seq : tensor<i64>, tensor<i64>
}
