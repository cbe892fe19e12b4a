// onnx-lower-runtime-checks: a cf.assert whose message carries "onnxc.status <N>:" becomes a
// branch to a block that returns N; main_graph returns an i32 status, 0 at its normal ends.
// Other asserts are left alone; a check outside main_graph is an error.

// RUN: onnx-opt %s --split-input-file --onnx-lower-runtime-checks --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @main_graph(%arg0: i1, %arg1: i1) -> i32
// CHECK:         cf.cond_br %arg0, ^[[REST:.+]], ^[[FAIL:.+]]
// CHECK:       ^[[FAIL]]:
// CHECK-NEXT:    %[[S:.+]] = arith.constant 12 : i32
// CHECK-NEXT:    return %[[S]] : i32
// CHECK:       ^[[REST]]:
// CHECK-NEXT:    cf.assert %arg1, "an ordinary assert"
// CHECK:         %[[OK:.+]] = arith.constant 0 : i32
// CHECK-NEXT:    return %[[OK]] : i32
func.func @main_graph(%arg0: i1, %arg1: i1) {
  cf.assert %arg0, "onnxc.status 12: node 'd' (Dropout): a random mask"
  cf.assert %arg1, "an ordinary assert"
  return
}

// -----

// A model without checks keeps a main_graph that returns nothing.
// CHECK-LABEL: func.func @main_graph(%arg0: memref<4xf32>) {
// CHECK-NEXT:    return
func.func @main_graph(%arg0: memref<4xf32>) {
  return
}

// -----

func.func @__onnxc_par_0(%arg0: i1) {
  // expected-error @below {{a run-time check outside main_graph (in an outlined loop body) cannot end the run}}
  cf.assert %arg0, "onnxc.status 12: inside a parallel loop"
  return
}

// -----

// A main_graph that already returns a status (PlanMemory's guards on sizes from data) keeps
// its type and returns; a check inside a loop (a loop-carried shape checked per iteration,
// now a CFG) branches to its own status return.
// CHECK-LABEL: func.func @main_graph(%arg0: i1) -> i32
// CHECK:         cf.cond_br %arg0, ^[[REST:.+]], ^[[FAIL:.+]]
// CHECK:       ^[[FAIL]]:
// CHECK-NEXT:    %[[S:.+]] = arith.constant 11 : i32
// CHECK-NEXT:    return %[[S]] : i32
// CHECK:       ^[[REST]]:
// CHECK:         %[[OK:.+]] = arith.constant 0 : i32
// CHECK-NEXT:    return %[[OK]] : i32
func.func @main_graph(%arg0: i1) -> i32 {
  cf.br ^loop
^loop:
  cf.assert %arg0, "onnxc.status 11: loop-carried value 0 that the loop body yields has a dim other than 1"
  %ok = arith.constant 0 : i32
  return %ok : i32
}

// -----

// With buffers allocated per run and freed at the end of the run, the status return of a
// check inside a loop or branch frees first the buffers allocated before it (those whose
// allocation dominates the check), not those allocated after.
// CHECK-LABEL: func.func @main_graph(%arg0: i1, %arg1: index) -> i32
// CHECK:         %[[A:.+]] = memref.alloc(%arg1) : memref<?xf32>
// CHECK:         %[[B:.+]] = memref.alloc(%arg1) : memref<?xf32>
// CHECK:         cf.cond_br %arg0, ^[[REST:.+]], ^[[FAIL:.+]]
// CHECK:       ^[[FAIL]]:
// CHECK-NEXT:    memref.dealloc %[[A]] : memref<?xf32>
// CHECK-NEXT:    memref.dealloc %[[B]] : memref<?xf32>
// CHECK-NEXT:    %[[S:.+]] = arith.constant 11 : i32
// CHECK-NEXT:    return %[[S]] : i32
// CHECK:       ^[[REST]]:
// CHECK:         %[[C:.+]] = memref.alloc(%arg1) : memref<?xf32>
// CHECK:         memref.dealloc %[[C]]
// CHECK:         memref.dealloc %[[B]]
// CHECK:         memref.dealloc %[[A]]
func.func @main_graph(%arg0: i1, %arg1: index) -> i32 attributes {onnxc.frees_per_run} {
  %a = memref.alloc(%arg1) : memref<?xf32>
  %b = memref.alloc(%arg1) : memref<?xf32>
  cf.br ^loop
^loop:
  cf.assert %arg0, "onnxc.status 11: inside a loop"
  %c = memref.alloc(%arg1) : memref<?xf32>
  memref.dealloc %c : memref<?xf32>
  memref.dealloc %b : memref<?xf32>
  memref.dealloc %a : memref<?xf32>
  %ok = arith.constant 0 : i32
  return %ok : i32
}
