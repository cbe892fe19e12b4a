// RUN: %onnx-opt %s -pass-pipeline='builtin.module(func.func(onnx-dynamic-interface,canonicalize,onnx-plan-memory),onnx-size-function)' -split-input-file | FileCheck %s

// Graph outputs whose size depends on data with no bound (docs/dynamic-shapes.md): the run
// allocates them. The output's allocation is checked like a per-run buffer, then made by a
// call of the runtime stub with the caller's slot (the output's argument) and the bytes;
// the result is viewed with the sizes, null-checked (status 9), never freed; its dims are
// stored as usual, and onnxc_sizes gives -1 for them (unknown before the run).

// CHECK-LABEL: func.func private @onnxc_rt_alloc_output(memref<1xi8>, i64) -> memref<1xi8>
// CHECK-LABEL: func.func @main_graph
// CHECK-SAME:    (%{{.+}}: memref<1xi64>, %{{.+}}: memref<8xi64>, %[[Y:.+]]: memref<1xi8>, %[[ODIMS:.+]]: memref<1xi64>, %{{.+}}: memref<1xi8>) -> i32
// CHECK-SAME:    onnxc.allocated_outputs = array<i64: 0>
// CHECK:         %[[K:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK:         scf.if
// CHECK:           %[[B:.+]] = arith.muli %{{.+}}, %[[K]] : index
// CHECK:           %[[B64:.+]] = arith.index_cast %[[B]] : index to i64
// CHECK:           %[[P:.+]] = func.call @onnxc_rt_alloc_output(%[[Y]], %[[B64]]) : (memref<1xi8>, i64) -> memref<1xi8>
// CHECK:           %[[V:.+]] = memref.view %[[P]][%{{.+}}][%[[K]]] : memref<1xi8> to memref<?xi64>
// CHECK:           memref.extract_aligned_pointer_as_index %[[V]]
// CHECK:           scf.if
// CHECK:             memref.store %{{.+}}, %[[ODIMS]]
// CHECK:             linalg.copy {{.+}} outs(%[[V]] : memref<?xi64>)
// CHECK-NOT:         memref.dealloc
// CHECK:           arith.constant 9 : i32
// CHECK:         arith.constant 11 : i32
// CHECK-LABEL: func.func @onnxc_sizes
// CHECK:         %[[M1:.+]] = arith.constant -1 : i64
// CHECK:         memref.store %[[M1]]
func.func @main_graph(%x: memref<8xi64> {onnxc.dim_symbols = array<i64: -1>},
                      %y: memref<?xi64>) attributes {onnxc.num_dims = 0 : i64} {
  %c0 = arith.constant 0 : index
  %l = memref.load %x[%c0] : memref<8xi64>
  %k = arith.index_cast %l : i64 to index
  %a = memref.alloc(%k) : memref<?xi64>
  %s = memref.subview %x[0] [%k] [1] : memref<8xi64> to memref<?xi64, strided<[1]>>
  linalg.copy ins(%s : memref<?xi64, strided<[1]>>) outs(%a : memref<?xi64>)
  memref.copy %a, %y : memref<?xi64> to memref<?xi64>
  return
}

// -----

// Two outputs: one sized by a run-time input dim keeps the caller's buffer (a view of its
// argument, exact dims in onnxc_sizes); the one sized from data (here a view of a bigger
// buffer, so it is copied into its allocation) is allocated.
// CHECK-LABEL: func.func @main_graph
// CHECK-SAME:    (%[[D:.+]]: memref<1xi64>, %[[X:.+]]: memref<1xi8>, %[[Y:.+]]: memref<1xi8>, %[[Z:.+]]: memref<1xi8>, %{{.+}}: memref<2xi64>, %{{.+}}: memref<1xi8>) -> i32
// CHECK-SAME:    onnxc.allocated_outputs = array<i64: 1>
// CHECK-DAG:     memref.view %[[X]]
// CHECK-DAG:     memref.view %[[Y]]
// CHECK:         func.call @onnxc_rt_alloc_output(%[[Z]], %{{.+}})
// CHECK:         memref.copy %{{.+}}, %{{.+}} : memref<?xf32, strided<[1], offset: 1>> to memref<?xf32>
// CHECK-LABEL: func.func @onnxc_sizes
// CHECK:         memref.load
// CHECK:         arith.constant -1 : i64
func.func @main_graph(%x: memref<?xf32> {onnxc.dim_symbols = array<i64: 0>},
                      %y: memref<?xf32>, %z: memref<?xf32>) attributes {onnxc.num_dims = 1 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %b = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%x : memref<?xf32>) outs(%b : memref<?xf32>)
  memref.copy %b, %y : memref<?xf32> to memref<?xf32>
  %v = memref.load %x[%c0] : memref<?xf32>
  %i = arith.fptosi %v : f32 to i64
  %k = arith.index_cast %i : i64 to index
  %k1 = arith.addi %k, %c1 : index
  %a = memref.alloc(%k1) : memref<?xf32>
  %cst = arith.constant 2.0 : f32
  linalg.fill ins(%cst : f32) outs(%a : memref<?xf32>)
  %s = memref.subview %a[1] [%k] [1] : memref<?xf32> to memref<?xf32, strided<[1], offset: 1>>
  memref.copy %s, %z : memref<?xf32, strided<[1], offset: 1>> to memref<?xf32>
  return
}
