// RUN: %onnx-opt %s -pass-pipeline='builtin.module(func.func(onnx-dynamic-interface,canonicalize,onnx-plan-memory),onnx-size-function)' -split-input-file | FileCheck %s

// Run-time dims may be 0 (docs/dynamic-shapes.md, "Run-time dims of size 0"). A division in
// a size whose divisor is computed from the dims (here [n, k] flattened the old way, total /
// n) is cloned into onnxc_sizes dividing by select(divisor == 0, 1, divisor), and
// divisor != 0 is a condition of the sizes: dims that make it 0 give -1, never a division by
// zero in the caller's process.

// CHECK-LABEL: func.func @main_graph
// CHECK:         arith.divui
// CHECK-LABEL: func.func @onnxc_sizes
// CHECK:         %[[N:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK:         %[[T:.+]] = arith.muli %[[N]], %{{.+}} : index
// CHECK:         %[[C0:.+]] = arith.constant 0 : index
// CHECK:         %[[C1:.+]] = arith.constant 1 : index
// CHECK:         %[[NZ:.+]] = arith.cmpi ne, %[[N]], %[[C0]] : index
// CHECK:         %[[SAFE:.+]] = arith.select %[[NZ]], %[[N]], %[[C1]] : index
// CHECK:         arith.divui %[[T]], %[[SAFE]] : index
// CHECK:         %[[OK:.+]] = arith.andi %{{.+}}, %[[NZ]] : i1
// CHECK:         %[[R:.+]] = arith.select %[[OK]], %{{.+}}, %{{.+}} : i64
// CHECK:         return %[[R]] : i64
func.func @main_graph(%x: memref<?x?xf32> {onnxc.dim_symbols = array<i64: 0, 1>},
                      %y: memref<?xf32>) attributes {onnxc.num_dims = 2 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cst = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?x?xf32>
  %k = memref.dim %x, %c1 : memref<?x?xf32>
  %t = arith.muli %n, %k : index
  %q = arith.divui %t, %n : index
  %a = memref.alloc(%q) : memref<?xf32>
  linalg.fill ins(%cst : f32) outs(%a : memref<?xf32>)
  memref.copy %a, %y : memref<?xf32> to memref<?xf32>
  return
}

// -----

// A division by a non-zero constant needs no guard.
// CHECK-LABEL: func.func @onnxc_sizes
// CHECK-NOT:     arith.cmpi ne
// CHECK:         arith.divui %{{.+}}, %c2 : index
// CHECK:         return
func.func @main_graph(%x: memref<?xf32> {onnxc.dim_symbols = array<i64: 0>},
                      %y: memref<?xf32>) attributes {onnxc.num_dims = 1 : i64} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %cst = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32>
  %q = arith.divui %n, %c2 : index
  %a = memref.alloc(%q) : memref<?xf32>
  linalg.fill ins(%cst : f32) outs(%a : memref<?xf32>)
  memref.copy %a, %y : memref<?xf32> to memref<?xf32>
  return
}

// -----

// A lowering's condition on the dims (cf.assert {onnxc.dims_check}: Gather along a run-time
// axis needs it not empty) becomes a condition of the sizes in onnxc_sizes and leaves
// main_graph, where nothing would check it.
// CHECK-LABEL: func.func @main_graph
// CHECK-NOT:     cf.assert
// CHECK:         return
// CHECK-LABEL: func.func @onnxc_sizes
// CHECK:         %[[N:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK:         %[[NZ:.+]] = arith.cmpi ne, %[[N]], %{{.+}} : index
// CHECK:         %[[OK:.+]] = arith.andi %{{.+}}, %[[NZ]] : i1
// CHECK:         arith.select %[[OK]], %{{.+}}, %{{.+}} : i64
func.func @main_graph(%x: memref<?x4xf32> {onnxc.dim_symbols = array<i64: 0, -1>},
                      %y: memref<4xf32>) attributes {onnxc.num_dims = 1 : i64} {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x4xf32>
  %ok = arith.cmpi ne, %n, %c0 : index
  cf.assert %ok, "Gather reads from an empty axis" {onnxc.dims_check}
  %s = memref.subview %x[0, 0] [1, 4] [1, 1] : memref<?x4xf32> to memref<4xf32, strided<[1]>>
  memref.copy %s, %y : memref<4xf32, strided<[1]>> to memref<4xf32>
  return
}

// -----

// In a model without run-time dims the size function is not made: the check (on a size from
// data, unchecked as before) is dropped, never lowered to an abort.
// CHECK-LABEL: func.func @main_graph
// CHECK-NOT:     cf.assert
// CHECK-NOT:     onnxc_sizes
func.func @main_graph(%x: memref<4xf32> {onnxc.dim_symbols = array<i64: -1>},
                      %y: memref<4xf32>) attributes {onnxc.num_dims = 0 : i64} {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %ok = arith.cmpi ne, %c4, %c0 : index
  %v = arith.index_cast %c4 : index to i64
  %b = arith.cmpi ne, %v, %v : i64
  cf.assert %b, "Gather reads from an empty axis" {onnxc.dims_check}
  memref.copy %x, %y : memref<4xf32> to memref<4xf32>
  return
}
