// RUN: %onnx-opt %s -onnx-plan-memory -split-input-file -verify-diagnostics

// What the plan refuses (run-time sized allocations are planned: dynamic_interface.mlir), each with an error on the allocation.

func.func @strided_layout() {
  // expected-error @+1 {{only identity-layout allocations can be planned}}
  %a = memref.alloc() : memref<4xf32, strided<[2]>>
  return
}

// -----

func.func @nested(%c: i1) {
  scf.if %c {
    // expected-error @+1 {{allocation inside a nested region is not supported}}
    %a = memref.alloc() : memref<4xf32>
  }
  return
}
