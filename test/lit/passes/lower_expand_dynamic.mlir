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
