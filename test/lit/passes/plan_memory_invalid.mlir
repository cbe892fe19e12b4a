// RUN: %onnx-opt %s -onnx-plan-memory -split-input-file -verify-diagnostics

// What the plan refuses (run-time sized allocations are planned: dynamic_interface.mlir), each with an error on the allocation.

func.func @strided_layout() {
  // expected-error @+1 {{only identity-layout allocations can be planned}}
  %a = memref.alloc() : memref<4xf32, strided<[2]>>
  return
}

// -----

// A buffer made inside a branch and yielded out of it would outlive its region: the
// control-flow lowering never does that (it yields into destinations made outside).
func.func @escapes(%c: i1) -> memref<4xf32> {
  %r = scf.if %c -> memref<4xf32> {
    // expected-error @+1 {{a buffer allocated inside a loop or branch is yielded out of it; it cannot be planned}}
    %a = memref.alloc() : memref<4xf32>
    scf.yield %a : memref<4xf32>
  } else {
    %b = memref.alloc() : memref<4xf32>
    scf.yield %b : memref<4xf32>
  }
  return %r : memref<4xf32>
}
