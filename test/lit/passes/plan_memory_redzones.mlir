// RUN: %onnx-opt %s -onnx-plan-memory -split-input-file | FileCheck %s

// --sanitize=address sets onnxc.redzone (bytes) on the function: buffers are no longer reused
// and each sits between poisoned gaps of at least that size; onnxc.redzones lists the gaps as
// (offset, size) pairs for the kernel wrapper to poison.

// a (1 KiB) and c do not overlap in time, yet get separate places: 64 | a 1024 | 64 | b 1024
// | 64 | c 1024 | 64.
// CHECK-LABEL: func.func @no_reuse
// CHECK-SAME:    %{{.+}}: memref<3328xi8>) attributes {onnxc.redzone = 64 : i64,
// CHECK-SAME:    onnxc.redzones = array<i64: 0, 64, 1088, 64, 2176, 64, 3264, 64>, onnxc.workspace_size = 3328 : i64}
// CHECK:         arith.constant 64 : index
// CHECK:         arith.constant 1152 : index
// CHECK:         arith.constant 2240 : index
func.func @no_reuse(%in: memref<256xf32>, %out: memref<256xf32>) attributes {onnxc.redzone = 64 : i64} {
  %a = memref.alloc() : memref<256xf32>
  linalg.copy ins(%in : memref<256xf32>) outs(%a : memref<256xf32>)
  %b = memref.alloc() : memref<256xf32>
  linalg.copy ins(%a : memref<256xf32>) outs(%b : memref<256xf32>)
  %c = memref.alloc() : memref<256xf32>
  linalg.copy ins(%b : memref<256xf32>) outs(%c : memref<256xf32>)
  linalg.copy ins(%c : memref<256xf32>) outs(%out : memref<256xf32>)
  return
}

// -----

// A buffer whose size is not a multiple of the alignment: its gap runs from its end to the
// next aligned place (12 bytes at 64, poisoned from 76 to 192).
// CHECK-LABEL: func.func @unaligned_end
// CHECK-SAME:    onnxc.redzones = array<i64: 0, 64, 76, 116, 208, 112>, onnxc.workspace_size = 320 : i64}
func.func @unaligned_end(%in: memref<3xf32>, %out: memref<4xf32>) attributes {onnxc.redzone = 64 : i64} {
  %a = memref.alloc() : memref<3xf32>
  linalg.copy ins(%in : memref<3xf32>) outs(%a : memref<3xf32>)
  %b = memref.alloc() : memref<4xf32>
  %cst = arith.constant 0.0 : f32
  linalg.fill ins(%cst : f32) outs(%b : memref<4xf32>)
  %sv = memref.subview %b[0] [3] [1] : memref<4xf32> to memref<3xf32, strided<[1]>>
  linalg.copy ins(%a : memref<3xf32>) outs(%sv : memref<3xf32, strided<[1]>>)
  linalg.copy ins(%b : memref<4xf32>) outs(%out : memref<4xf32>)
  return
}

// -----

// onnxc.debug_undersize_buffers (onnx-compile --debug-undersize-buffers, tests only) plans
// every buffer one element short, so the kernels run into the redzone: 1020 bytes at 64, the
// gap starts at 1084.
// CHECK-LABEL: func.func @undersized
// CHECK-SAME:    onnxc.redzones = array<i64: 0, 64, 1084, 68>, onnxc.workspace_size = 1152 : i64}
func.func @undersized(%in: memref<256xf32>, %out: memref<256xf32>) attributes {onnxc.redzone = 64 : i64, onnxc.debug_undersize_buffers} {
  %a = memref.alloc() : memref<256xf32>
  linalg.copy ins(%in : memref<256xf32>) outs(%a : memref<256xf32>)
  linalg.copy ins(%a : memref<256xf32>) outs(%out : memref<256xf32>)
  return
}
