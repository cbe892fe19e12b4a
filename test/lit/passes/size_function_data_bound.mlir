// RUN: %onnx-opt %s -pass-pipeline='builtin.module(func.func(onnx-dynamic-interface,canonicalize,onnx-plan-memory),onnx-size-function)' -split-input-file -verify-diagnostics | FileCheck %s

// Sizes that depend on data (docs/dynamic-shapes.md): a static model whose output [?] is
// counted at run time still gets the dynamic interface (dims array of one unused entry,
// out-dims); main_graph stores the count, onnxc_sizes the bound (8) in its place, and the
// run-time buffer sized by the count is placed with the bound in the size function.

// CHECK-LABEL: func.func @main_graph
// CHECK-SAME:    (%{{.+}}: memref<1xi64>, %{{.+}}: memref<8xi64>, %[[OUT:.+]]: memref<1xi8>, %[[ODIMS:.+]]: memref<1xi64>, %[[WS:.+]]: memref<1xi8>)
// CHECK-SAME:    onnxc.dynamic
// CHECK:         %[[N:.+]] = arith.minui %{{.+}}, %c8 {onnxc.data_bound}
// CHECK:         memref.view %[[WS]][%{{.+}}][%[[N]]] : memref<1xi8> to memref<?xi64>
// CHECK:         memref.view %[[OUT]][%{{.+}}][%[[N]]] : memref<1xi8> to memref<?xi64>
// CHECK:         %[[D:.+]] = arith.index_cast %[[N]] : index to i64
// CHECK:         memref.store %[[D]], %[[ODIMS]]
// CHECK-LABEL: func.func @onnxc_sizes
// CHECK-NOT:     arith.minui
// CHECK-NOT:     memref.load
// CHECK:         memref.store
// CHECK:         return
func.func @main_graph(%x: memref<8xi64> {onnxc.dim_symbols = array<i64: -1>},
                      %y: memref<?xi64>) attributes {onnxc.num_dims = 0 : i64} {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %l = memref.load %x[%c0] : memref<8xi64>
  %k = arith.index_cast %l : i64 to index
  %n = arith.minui %k, %c8 {onnxc.data_bound} : index
  %a = memref.alloc(%n) : memref<?xi64>
  %s = memref.subview %x[0] [%n] [1] : memref<8xi64> to memref<?xi64, strided<[1]>>
  linalg.copy ins(%s : memref<?xi64, strided<[1]>>) outs(%a : memref<?xi64>)
  %b = memref.alloc(%n) : memref<?xi64>
  linalg.copy ins(%a : memref<?xi64>) outs(%b : memref<?xi64>)
  memref.copy %b, %y : memref<?xi64> to memref<?xi64>
  return
}
