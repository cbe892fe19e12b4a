// RUN: %onnx-opt %s -onnx-plan-memory -split-input-file | FileCheck %s
// RUN: %onnx-opt %s -onnx-plan-memory=max-runtime-alloc=4096 -split-input-file | FileCheck %s --check-prefix=LIMIT

// Sizes read from tensor data with no bound (docs/dynamic-shapes.md): the buffer is not in
// the workspace but allocated per run, after a check of its size; the rest of the run is
// guarded by the check and by the allocation's success, the buffer is freed on the way out,
// and main_graph returns a status (0, 11 = ONNXC_ERROR_DATA_SIZE, 9 = OUT_OF_MEMORY). The
// static buffer keeps its place in the workspace.

// CHECK-LABEL: func.func @range_like
// CHECK-SAME:    (%[[X:.+]]: memref<1xi64>, %[[OUT:.+]]: memref<1xf32>, %[[WS:.+]]: memref<64xi8>) -> i32
// CHECK-SAME:    onnxc.frees_per_run
// CHECK-SAME:    onnxc.workspace_size = 64
// CHECK:         %[[K:.+]] = arith.index_cast
// CHECK:         %[[BYTES:.+]] = arith.muli %{{.+}}, %{{.+}} : index
// CHECK:         arith.cmpi sle, %[[BYTES]], %{{.+}} : index
// CHECK:         %[[S:.+]] = scf.if %{{.+}} -> (i32) {
// CHECK:           %[[A:.+]] = memref.alloc(%[[K]]) {alignment = 64 : i64} : memref<?xf32>
// CHECK:           %[[P:.+]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK:           %[[NN:.+]] = arith.cmpi ne, %[[P]], %{{.+}} : index
// CHECK:           %[[S2:.+]] = scf.if %[[NN]] -> (i32) {
// CHECK:             linalg.fill {{.+}} outs(%[[A]] : memref<?xf32>)
// CHECK:             memref.view %[[WS]]
// CHECK:             %[[Z:.+]] = arith.constant 0 : i32
// CHECK:             memref.dealloc %[[A]] : memref<?xf32>
// CHECK-NEXT:        scf.yield %[[Z]] : i32
// CHECK:           } else {
// CHECK:             %[[OOM:.+]] = arith.constant 9 : i32
// CHECK:             scf.yield %[[OOM]] : i32
// CHECK:           scf.yield %[[S2]] : i32
// CHECK:         } else {
// CHECK:           %[[BAD:.+]] = arith.constant 11 : i32
// CHECK:           scf.yield %[[BAD]] : i32
// CHECK:         return %[[S]] : i32
// LIMIT-LABEL: func.func @range_like
// LIMIT:         arith.constant 4096 : index
func.func @range_like(%x: memref<1xi64>, %out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %l = memref.load %x[%c0] : memref<1xi64>
  %k = arith.index_cast %l : i64 to index
  %a = memref.alloc(%k) : memref<?xf32>
  %cst = arith.constant 1.0 : f32
  linalg.fill ins(%cst : f32) outs(%a : memref<?xf32>)
  %b = memref.alloc() : memref<1xf32>
  linalg.fill ins(%cst : f32) outs(%b : memref<1xf32>)
  memref.copy %b, %out : memref<1xf32> to memref<1xf32>
  return
}

// -----

// A size from data given a static dim (a graph output declared static): the run checks that
// they agree before the copy, with ONNXC_ERROR_DATA_SIZE otherwise.
// CHECK-LABEL: func.func @declared_static
// CHECK-SAME:    -> i32
// CHECK:         %[[A:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?xf32>
// CHECK:         scf.if
// CHECK:           %[[D:.+]] = memref.dim %[[A]], %{{.+}} : memref<?xf32>
// CHECK:           %[[C10:.+]] = arith.constant 10 : index
// CHECK:           %[[EQ:.+]] = arith.cmpi eq, %[[D]], %[[C10]] : index
// CHECK:           %[[OK:.+]] = arith.andi %{{.+}}, %[[EQ]] : i1
// CHECK:           %[[S:.+]] = scf.if %[[OK]] -> (i32) {
// CHECK:             memref.cast %[[A]] : memref<?xf32> to memref<10xf32>
// CHECK:             memref.copy
// CHECK-NOT:         memref.dealloc
// CHECK:           } else {
// CHECK:             arith.constant 11 : i32
// CHECK:           }
// CHECK-NEXT:      memref.dealloc %[[A]]
// CHECK-NEXT:      scf.yield %[[S]] : i32
func.func @declared_static(%x: memref<1xi64>, %out: memref<10xf32>) {
  %c0 = arith.constant 0 : index
  %l = memref.load %x[%c0] : memref<1xi64>
  %k = arith.index_cast %l : i64 to index
  %a = memref.alloc(%k) : memref<?xf32>
  %cst = arith.constant 1.0 : f32
  linalg.fill ins(%cst : f32) outs(%a : memref<?xf32>)
  %s = memref.cast %a : memref<?xf32> to memref<10xf32>
  memref.copy %s, %out : memref<10xf32> to memref<10xf32>
  return
}

// -----

// A Loop's scan output whose length, the trip count, is read from data: the accumulator is
// allocated before the loop.
// CHECK-LABEL: func.func @scan_accumulator
// CHECK:         scf.if
// CHECK:           memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK:           scf.if
// CHECK:             scf.for
// CHECK-NOT:           memref.alloc
// CHECK:             memref.dealloc
func.func @scan_accumulator(%x: memref<1xi64>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %l = memref.load %x[%c0] : memref<1xi64>
  %k = arith.index_cast %l : i64 to index
  %cst = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c1 step %c1 {
    %acc = memref.alloc(%k) : memref<?x4xf32>
    linalg.fill ins(%cst : f32) outs(%acc : memref<?x4xf32>)
  }
  return
}

// -----

// Without sizes from data nothing changes: sizes from the dims alone (here a run-time input
// dim, read from the dims argument) are placed in the workspace; no allocation, no status.
// CHECK-LABEL: func.func @dims_only
// CHECK-SAME:    memref<1xi8>) attributes
// CHECK-NOT:     -> i32
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     scf.if
// CHECK:         memref.view
// CHECK-NOT:     memref.alloc
// CHECK:         return
func.func @dims_only(%dims: memref<1xi64>, %out: memref<4xf32>) attributes {onnxc.dynamic} {
  %c0 = arith.constant 0 : index
  %l = memref.load %dims[%c0] : memref<1xi64>
  %n = arith.index_cast %l : i64 to index
  %a = memref.alloc(%n) : memref<?xf32>
  %cst = arith.constant 1.0 : f32
  linalg.fill ins(%cst : f32) outs(%a : memref<?xf32>)
  return
}

// -----

// The static size an elementwise op assumed for a size from data (cf.assert
// {onnxc.data_check}, from the lowering): checked, the rest of the run under it.
// CHECK-LABEL: func.func @assumed_static
// CHECK-SAME:    -> i32
// CHECK:         %[[OK:.+]] = arith.cmpi eq
// CHECK-NOT:     cf.assert
// CHECK:         %[[S:.+]] = scf.if %[[OK]] -> (i32) {
// CHECK:           linalg.fill
// CHECK:         } else {
// CHECK:           arith.constant 11 : i32
// CHECK:         return %[[S]] : i32
func.func @assumed_static(%x: memref<1xi64>, %out: memref<10xf32>) {
  %c0 = arith.constant 0 : index
  %l = memref.load %x[%c0] : memref<1xi64>
  %k = arith.index_cast %l : i64 to index
  %c10 = arith.constant 10 : index
  %ok = arith.cmpi eq, %k, %c10 : index
  cf.assert %ok, "differs" {onnxc.data_check}
  %cst = arith.constant 1.0 : f32
  linalg.fill ins(%cst : f32) outs(%out : memref<10xf32>)
  return
}

// -----

// The same assumption on a run-time input dim is dropped: assumed, as before.
// CHECK-LABEL: func.func @assumed_dims
// CHECK-NOT:     cf.assert
// CHECK-NOT:     scf.if
// CHECK:         return
// CHECK-NOT:     -> i32
func.func @assumed_dims(%dims: memref<1xi64>, %out: memref<10xf32>) attributes {onnxc.dynamic} {
  %c0 = arith.constant 0 : index
  %l = memref.load %dims[%c0] : memref<1xi64>
  %k = arith.index_cast %l : i64 to index
  %c10 = arith.constant 10 : index
  %ok = arith.cmpi eq, %k, %c10 : index
  cf.assert %ok, "differs" {onnxc.data_check}
  %cst = arith.constant 1.0 : f32
  linalg.fill ins(%cst : f32) outs(%out : memref<10xf32>)
  return
}

// -----

// A graph output whose size depends on data with no bound (onnx-dynamic-interface marks its
// allocation with the argument that receives the pointer): checked and guarded like any
// per-run buffer, the mark kept for onnx-size-function (AllocateOutputs.cpp), never freed here (the caller
// owns it; the runtime stub gives it back if the run fails).
// CHECK-LABEL: func.func @allocated_output
// CHECK-SAME:    -> i32
// CHECK:         arith.cmpi sle
// CHECK:         %[[S:.+]] = scf.if %{{.+}} -> (i32) {
// CHECK:           %[[A:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64, onnxc.allocated_output = 2 : i64} : memref<?xf32>
// CHECK:           memref.extract_aligned_pointer_as_index %[[A]]
// CHECK:           scf.if %{{.+}} -> (i32) {
// CHECK:             linalg.fill {{.+}} outs(%[[A]] : memref<?xf32>)
// CHECK-NOT:         memref.dealloc
// CHECK:           } else {
// CHECK:             arith.constant 9 : i32
// CHECK:         } else {
// CHECK:           arith.constant 11 : i32
// CHECK:         return %[[S]] : i32
func.func @allocated_output(%dims: memref<1xi64>, %x: memref<1xi64>, %y: memref<1xi8>,
                            %ydims: memref<1xi64>) attributes {onnxc.dynamic} {
  %c0 = arith.constant 0 : index
  %l = memref.load %x[%c0] : memref<1xi64>
  %k = arith.index_cast %l : i64 to index
  %a = memref.alloc(%k) {onnxc.allocated_output = 2 : i64} : memref<?xf32>
  %cst = arith.constant 1.0 : f32
  linalg.fill ins(%cst : f32) outs(%a : memref<?xf32>)
  return
}

// -----

// A run-time check (onnx.Check: an assert whose message carries the status) at the top level
// of a model that allocates per run: one more guard of the same nesting, with its own status
// (12 = ONNXC_ERROR_RUNTIME_CHECK), so a failed check still frees what was allocated.
// CHECK-LABEL: func.func @check_with_alloc
// CHECK-SAME:    -> i32
// CHECK-NOT:     cf.assert
// CHECK:         %[[A:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?xf32>
// CHECK:         scf.if %{{.+}} -> (i32) {
// CHECK:           %[[S:.+]] = scf.if %{{.+}} -> (i32) {
// CHECK:             linalg.fill
// CHECK:           } else {
// CHECK:             arith.constant 12 : i32
// CHECK:           }
// CHECK-NEXT:      memref.dealloc %[[A]]
// CHECK-NEXT:      scf.yield %[[S]] : i32
func.func @check_with_alloc(%x: memref<1xi64>, %c: memref<1xi1>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %l = memref.load %x[%c0] : memref<1xi64>
  %k = arith.index_cast %l : i64 to index
  %a = memref.alloc(%k) : memref<?xf32>
  %ok = memref.load %c[%c0] : memref<1xi1>
  cf.assert %ok, "onnxc.status 12: the element of an absent optional"
  %cst = arith.constant 1.0 : f32
  linalg.fill ins(%cst : f32) outs(%a : memref<?xf32>)
  return
}

// -----

// A size from data checked inside a loop, computed there (each iteration's): checked where it
// is, as a run-time check with status 11 that onnx-lower-runtime-checks makes a return out of
// the loop (no buffer allocated per run to free).
// CHECK-LABEL: func.func @check_in_loop
// CHECK-SAME:    -> i32
// CHECK:         scf.for
// CHECK:           %[[K:.+]] = arith.index_cast
// CHECK:           %[[OK:.+]] = arith.cmpi eq, %[[K]], %{{.+}} : index
// CHECK:           cf.assert %[[OK]], "onnxc.status 11: a size from tensor data differs from the static size the model declares"
func.func @check_in_loop(%x: memref<4xi64>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %l = memref.load %x[%i] : memref<4xi64>
    %k = arith.index_cast %l : i64 to index
    %ok = arith.cmpi eq, %k, %c1 : index
    cf.assert %ok, "a size from tensor data differs from the static size the model declares" {onnxc.data_check}
    memref.store %cst, %out[%i] : memref<4xf32>
  }
  return
}

// -----

// The same where the run frees a buffer allocated per run: the check is made the same way
// (onnx-lower-runtime-checks' status return frees the buffers allocated before it).
// CHECK-LABEL: func.func @check_in_loop_frees
// CHECK-SAME:    onnxc.frees_per_run
// CHECK:         memref.alloc
// CHECK:         scf.for
// CHECK:           cf.assert %{{.+}}, "onnxc.status 11: a size from tensor data differs from the static size the model declares"
// CHECK:         memref.dealloc

func.func @check_in_loop_frees(%x: memref<4xi64>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 1.0 : f32
  %l0 = memref.load %x[%c0] : memref<4xi64>
  %k0 = arith.index_cast %l0 : i64 to index
  %a = memref.alloc(%k0) : memref<?xf32>
  linalg.fill ins(%cst : f32) outs(%a : memref<?xf32>)
  scf.for %i = %c0 to %c4 step %c1 {
    %l = memref.load %x[%i] : memref<4xi64>
    %k = arith.index_cast %l : i64 to index
    %ok = arith.cmpi eq, %k, %c1 : index
    cf.assert %ok, "a size from tensor data differs from the static size the model declares" {onnxc.data_check}
    %v = memref.load %a[%c0] : memref<?xf32>
    memref.store %v, %out[%i] : memref<4xf32>
  }
  return
}

// -----

// A dim counted from data (`onnxc.data_bound`: a Slice's length read at run time) that an op
// reads as a static size: its bound places buffers, but says nothing of its value, so the
// assumption is checked (a slice of another length would be read past its end, and past its
// input's: the slice is a view).
// CHECK-LABEL: func.func @bounded_meets_static
// CHECK-SAME:    -> i32
// CHECK:         %[[N:.+]] = arith.minui %{{.+}}, %{{.+}} {onnxc.data_bound} : index
// CHECK:         %[[V:.+]] = memref.subview %arg0[0] [%[[N]]] [1]
// CHECK:         %[[D:.+]] = memref.dim %[[V]], %{{.+}}
// CHECK:         %[[OK:.+]] = arith.cmpi eq, %[[D]], %{{.+}} : index
// CHECK:         scf.if %[[OK]] -> (i32) {
// CHECK:           memref.load %[[V]]
// CHECK:         } else {
// CHECK:           arith.constant 11 : i32
func.func @bounded_meets_static(%x: memref<10xf32>, %s: memref<1xi64>, %out: memref<3xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c10 = arith.constant 10 : index
  %l = memref.load %s[%c0] : memref<1xi64>
  %k = arith.index_cast %l : i64 to index
  %n = arith.minui %k, %c10 {onnxc.data_bound} : index
  %v = memref.subview %x[0] [%n] [1] : memref<10xf32> to memref<?xf32, strided<[1]>>
  %d = memref.dim %v, %c0 : memref<?xf32, strided<[1]>>
  %ok = arith.cmpi eq, %d, %c3 : index
  cf.assert %ok, "a size from tensor data differs from the static size the model declares" {onnxc.data_check}
  %e = memref.load %v[%c0] : memref<?xf32, strided<[1]>>
  memref.store %e, %out[%c0] : memref<3xf32>
  return
}
