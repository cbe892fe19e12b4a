// RUN: %onnx-opt %s -convert-onnx-to-linalg -canonicalize -cse -split-input-file -verify-diagnostics | FileCheck %s

// Expand to a shape computed from run-time dims (docs/dynamic-shapes.md, "Expand"): the
// entries are recomputed from the dims (shapeVector), not read from the shape tensor.

// Expand(x [1, 4], Shape(y [?, 4])): the input's static 1 takes y's run-time dim (read at
// index 0), the static 4 is checked against the entry at compile time (both 4). A dim is
// never negative: no check.
// CHECK-LABEL: func.func @expand_shape_of
// CHECK-SAME:    (%[[X:.+]]: tensor<1x4xf32>, %[[Y:.+]]: tensor<?x4xf32>)
// CHECK:         %[[N:.+]] = tensor.dim %[[Y]], %c0
// CHECK-NOT:     cf.assert
// CHECK:         %[[E:.+]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK:         linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<1x4xf32>) outs(%[[E]] : tensor<?x4xf32>)
// CHECK-NOT:     scf.if
// CHECK:         return
func.func @expand_shape_of(%x: tensor<1x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %s = onnx.Shape %y : (tensor<?x4xf32>) -> tensor<2xi64>
  %0 = onnx.Expand %x, %s : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A run-time input dim against a run-time entry: equal, or either 1 (a dims check), the size
// select(dim == 1, entry, dim). The copy with the affine map runs when the input's dims are
// the result's; otherwise one that reads index 0 along the dims that are 1.
// CHECK-LABEL: func.func @expand_mask
// CHECK-SAME:    (%[[M:.+]]: tensor<?x1x?xf32>, %[[S:.+]]: tensor<?x?x?xf32>)
// CHECK-DAG:     %[[B:.+]] = tensor.dim %[[S]], %c0
// CHECK-DAG:     %[[MB:.+]] = tensor.dim %[[M]], %c0
// CHECK:         %[[ONE:.+]] = arith.cmpi eq, %[[MB]], %c1
// CHECK:         %[[EQ:.+]] = arith.cmpi eq, %[[MB]], %[[B]]
// CHECK:         %[[OK:.+]] = arith.ori %[[EQ]], %[[ONE]]
// CHECK:         %[[B1:.+]] = arith.cmpi eq, %[[B]], %c1
// CHECK:         %[[OK2:.+]] = arith.ori %[[OK]], %[[B1]]
// CHECK:         %[[SIZE:.+]] = arith.select %[[ONE]], %[[B]], %[[MB]]
// CHECK:         cf.assert %[[OK2]], "Expand's shape does not broadcast {{.+}}" {onnxc.dims_check}
// CHECK:         %[[E:.+]] = tensor.empty(%[[SIZE]], %{{.+}}, %{{.+}}) : tensor<?x?x?xf32>
// CHECK:         scf.if
// CHECK:           linalg.generic {{.+}} ins(%[[M]] : tensor<?x1x?xf32>) outs(%[[E]] : tensor<?x?x?xf32>)
// CHECK:         } else {
// CHECK:           linalg.generic {{.+}} outs(%[[E]] : tensor<?x?x?xf32>)
// CHECK:             linalg.index 0
// CHECK:             arith.select %[[ONE]], %c0
// CHECK:             tensor.extract %[[M]]
func.func @expand_mask(%m: tensor<?x1x?xf32>, %s: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %shape = onnx.Shape %s : (tensor<?x?x?xf32>) -> tensor<3xi64>
  %0 = onnx.Expand %m, %shape : (tensor<?x1x?xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Concat(Unsqueeze(Gather(Shape(y), 0) * 2), [1], Shape(x)): each entry from the dims; the
// last is x's own dim (no check, no copy for a run-time 1), the first is checked >= 0.
// CHECK-LABEL: func.func @expand_concat
// CHECK-SAME:    (%[[X:.+]]: tensor<?xf32>, %[[Y:.+]]: tensor<?x2xf32>)
// CHECK:         %[[N:.+]] = tensor.dim %[[Y]], %c0
// CHECK:         %[[N2:.+]] = arith.muli %[[N]], %c2
// CHECK:         %[[GE:.+]] = arith.cmpi sge, %[[N2]], %c0
// CHECK:         cf.assert %[[GE]], "Expand's shape has a negative entry" {onnxc.dims_check}
// CHECK:         %[[T:.+]] = tensor.dim %[[X]], %c0
// CHECK:         %[[E:.+]] = tensor.empty(%[[N2]], %[[T]]) : tensor<?x1x?xf32>
// CHECK:         linalg.generic {{.+}} ins(%[[X]] : tensor<?xf32>) outs(%[[E]] : tensor<?x1x?xf32>)
// CHECK-NOT:     scf.if
func.func @expand_concat(%x: tensor<?xf32>, %y: tensor<?x2xf32>) -> tensor<?x1x?xf32> {
  %zero = onnx.Constant dense<0> : tensor<i64>
  %two = onnx.Constant dense<2> : tensor<i64>
  %axes = onnx.Constant dense<0> : tensor<1xi64>
  %one = onnx.Constant dense<1> : tensor<1xi64>
  %sy = onnx.Shape %y : (tensor<?x2xf32>) -> tensor<2xi64>
  %sx = onnx.Shape %x : (tensor<?xf32>) -> tensor<1xi64>
  %n = onnx.Gather %sy, %zero : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %n2 = onnx.Mul %n, %two : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %n2v = onnx.Unsqueeze %n2, %axes : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %t = onnx.Concat %n2v, %one, %sx {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  %0 = onnx.Expand %x, %t : (tensor<?xf32>, tensor<3xi64>) -> tensor<?x1x?xf32>
  return %0 : tensor<?x1x?xf32>
}

// -----

// A shape read from data: its entries are extracted (sizes from data, allocated per run by
// the memory plan) and the conditions are data checks (ONNXC_ERROR_DATA_SIZE).
// CHECK-LABEL: func.func @expand_data_shape
// CHECK:         tensor.extract %arg1[%c0] : tensor<2xi64>
// CHECK:         cf.assert %{{.+}}, "Expand's shape has a negative entry" {onnxc.data_check}
// CHECK:         cf.assert %{{.+}}, "Expand's shape does not broadcast {{.+}}" {onnxc.data_check}
func.func @expand_data_shape(%x: tensor<1x3xf32>, %s: tensor<2xi64>) -> tensor<?x3xf32> {
  %0 = onnx.Expand %x, %s : (tensor<1x3xf32>, tensor<2xi64>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A constant entry that does not broadcast with a static input dim: a compile-time error.
func.func @expand_bad_entry(%x: tensor<?x3xf32>, %y: tensor<?xf32>) -> tensor<?x?xf32> {
  %s = onnx.Shape %y : (tensor<?xf32>) -> tensor<1xi64>
  %four = onnx.Constant dense<4> : tensor<1xi64>
  %t = onnx.Concat %s, %four {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  // expected-error @+1 {{cannot broadcast input dim 1 (3) to shape entry 1 (4)}}
  %0 = onnx.Expand %x, %t : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A hostile shape: a chain of 40 Adds that each take the previous value twice. The walk
// that recomputes the entries has a budget (it would visit 2^40 values): past it the shape
// counts as read from data (extracted, checked at run time), and the compile ends.
// CHECK-LABEL: func.func @expand_shape_chain
// CHECK:         tensor.extract
func.func @expand_shape_chain(%x: tensor<1xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %s0 = onnx.Shape %y : (tensor<?xf32>) -> tensor<1xi64>
  %s1 = onnx.Add %s0, %s0 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s2 = onnx.Add %s1, %s1 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s3 = onnx.Add %s2, %s2 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s4 = onnx.Add %s3, %s3 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s5 = onnx.Add %s4, %s4 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s6 = onnx.Add %s5, %s5 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s7 = onnx.Add %s6, %s6 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s8 = onnx.Add %s7, %s7 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s9 = onnx.Add %s8, %s8 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s10 = onnx.Add %s9, %s9 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s11 = onnx.Add %s10, %s10 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s12 = onnx.Add %s11, %s11 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s13 = onnx.Add %s12, %s12 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s14 = onnx.Add %s13, %s13 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s15 = onnx.Add %s14, %s14 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s16 = onnx.Add %s15, %s15 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s17 = onnx.Add %s16, %s16 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s18 = onnx.Add %s17, %s17 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s19 = onnx.Add %s18, %s18 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s20 = onnx.Add %s19, %s19 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s21 = onnx.Add %s20, %s20 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s22 = onnx.Add %s21, %s21 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s23 = onnx.Add %s22, %s22 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s24 = onnx.Add %s23, %s23 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s25 = onnx.Add %s24, %s24 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s26 = onnx.Add %s25, %s25 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s27 = onnx.Add %s26, %s26 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s28 = onnx.Add %s27, %s27 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s29 = onnx.Add %s28, %s28 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s30 = onnx.Add %s29, %s29 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s31 = onnx.Add %s30, %s30 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s32 = onnx.Add %s31, %s31 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s33 = onnx.Add %s32, %s32 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s34 = onnx.Add %s33, %s33 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s35 = onnx.Add %s34, %s34 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s36 = onnx.Add %s35, %s35 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s37 = onnx.Add %s36, %s36 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s38 = onnx.Add %s37, %s37 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s39 = onnx.Add %s38, %s38 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %s40 = onnx.Add %s39, %s39 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %0 = onnx.Expand %x, %s40 : (tensor<1xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
