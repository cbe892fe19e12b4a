// RUN: %onnx-opt %s -pass-pipeline='builtin.module(func.func(onnx-dynamic-interface,canonicalize,onnx-plan-memory),onnx-size-function)' -split-input-file | FileCheck %s

// Dims known only at run time (docs/dynamic-shapes.md). main_graph gets the dims array first
// and out-dims before the workspace; the input [?, 4] is a raw pointer viewed with dim 0 from
// the array; the output [?, 4], copied from an allocation, is computed in place; the two
// run-time buffers are placed at run-time offsets (b above a: they are live together) and
// onnxc_sizes recomputes the total and the output's dims from the dims alone.

// CHECK-LABEL: func.func @main_graph
// CHECK-SAME:    (%[[DIMS:.+]]: memref<1xi64>, %[[IN:.+]]: memref<1xi8>, %[[OUT:.+]]: memref<1xi8>, %[[ODIMS:.+]]: memref<2xi64>, %[[WS:.+]]: memref<1xi8>)
// CHECK-SAME:    onnxc.dynamic
// CHECK:         %[[D0:.+]] = memref.load %[[DIMS]][%{{.+}}] : memref<1xi64>
// CHECK:         %[[N:.+]] = arith.index_cast %[[D0]] : i64 to index
// CHECK:         %[[X:.+]] = memref.view %[[IN]][%{{.+}}][%[[N]]] : memref<1xi8> to memref<?x4xf32>
// CHECK:         %[[A:.+]] = memref.view %[[WS]][%{{.+}}][%[[N]]] : memref<1xi8> to memref<?x4xf32>
// CHECK:         %[[B_OFF:.+]] = arith.maxui
// CHECK:         %[[B:.+]] = memref.view %[[WS]][%[[B_OFF]]][%[[N]]] : memref<1xi8> to memref<?x4xf32>
// CHECK:         %[[Y:.+]] = memref.view %[[OUT]][%{{.+}}][%[[N]]] : memref<1xi8> to memref<?x4xf32>
// CHECK:         memref.store %{{.+}}, %[[ODIMS]]
// CHECK-NOT:     memref.copy
// CHECK:         return
// CHECK-LABEL: func.func @onnxc_sizes
// CHECK-SAME:    (%{{.+}}: memref<1xi64>, %{{.+}}: memref<2xi64>) -> i64
// CHECK:         memref.load
// CHECK:         arith.cmpi sge
// CHECK:         memref.store
// CHECK:         arith.select
func.func @main_graph(%x: memref<?x4xf32> {onnxc.dim_symbols = array<i64: 0, -1>},
                      %y: memref<?x4xf32>) attributes {onnxc.num_dims = 1 : i64} {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x4xf32>
  %a = memref.alloc(%n) : memref<?x4xf32>
  linalg.copy ins(%x : memref<?x4xf32>) outs(%a : memref<?x4xf32>)
  %b = memref.alloc(%n) : memref<?x4xf32>
  linalg.copy ins(%a : memref<?x4xf32>) outs(%b : memref<?x4xf32>)
  %c = memref.alloc(%n) : memref<?x4xf32>
  linalg.add ins(%a, %b : memref<?x4xf32>, memref<?x4xf32>) outs(%c : memref<?x4xf32>)
  memref.copy %c, %y : memref<?x4xf32> to memref<?x4xf32>
  return
}

// -----

// A static model is left as it was: no dims, no out-dims, no onnxc_sizes.
// CHECK-LABEL: func.func @main_graph
// CHECK-SAME:    (%{{.+}}: memref<4xf32>, %{{.+}}: memref<4xf32>, %{{.+}}: memref<64xi8>)
// CHECK-NOT:     onnxc_sizes
func.func @main_graph(%x: memref<4xf32> {onnxc.dim_symbols = array<i64: -1>},
                      %y: memref<4xf32>) attributes {onnxc.num_dims = 0 : i64} {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  linalg.copy ins(%a : memref<4xf32>) outs(%y : memref<4xf32>)
  return
}
