// RUN: %onnx-opt %s -onnx-empty-buffer-args | FileCheck %s
// RUN: %onnx-opt %s -onnx-empty-buffer-args -finalize-memref-to-llvm -convert-func-to-llvm='use-bare-ptr-memref-call-conv=1' -reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM

// A buffer without elements whose zero dim is not the outermost has dynamic canonical
// strides: convert-func-to-llvm could not pass it as a bare pointer and would leave the
// function unconverted. It becomes memref<0xT>; its uses read a zero-size alloca. Buffers
// that are bare-pointer compatible ([0, 3]) are left alone.

// CHECK-LABEL: func.func @empty_io
// CHECK-SAME:    (%{{.+}}: memref<0xf32>, %{{.+}}: memref<0x3xf32>, %{{.+}}: memref<2x2xf32>)
// CHECK:         %[[STAND_IN:.+]] = memref.alloca() : memref<3x4x0xf32>
// CHECK:         memref.copy %[[STAND_IN]], %[[STAND_IN]]

// LLVM-LABEL: llvm.func @empty_io
// LLVM-SAME:    (%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)
func.func @empty_io(%a: memref<3x4x0xf32>, %b: memref<0x3xf32>, %c: memref<2x2xf32>) {
  memref.copy %a, %a : memref<3x4x0xf32> to memref<3x4x0xf32>
  return
}
