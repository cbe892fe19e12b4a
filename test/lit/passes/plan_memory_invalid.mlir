// RUN: %onnx-opt %s -onnx-plan-memory -split-input-file -verify-diagnostics

// What the static plan refuses, each with an error on the allocation.

func.func @dynamic(%n: index) {
  // expected-error @+1 {{only static, identity-layout allocations can be planned}}
  %a = memref.alloc(%n) : memref<?xf32>
  return
}

// -----

func.func @strided_layout() {
  // expected-error @+1 {{only static, identity-layout allocations can be planned}}
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
