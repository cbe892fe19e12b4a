// RUN: %onnx-opt %s -onnx-plan-memory | FileCheck %s

// Regression test for a fixed bug: onnx-plan-memory crashes (SIGSEGV in Type::getIntOrFloatBitWidth) on a buffer of
// `index` elements: PlanMemory.cpp sizes buffers with MemRefType::getElementTypeBitWidth(),
// which is only defined for integer and float element types. The size should come from the
// data layout (mlir::DataLayout::getTypeSize; index is 64-bit by default), or the pass should
// refuse the buffer with a diagnostic.

// CHECK-LABEL: func.func @index_buffer
// CHECK-SAME:    memref<64xi8>) attributes {onnxc.workspace_size = 64 : i64}
// CHECK:         memref.view %{{.+}}[%{{.+}}][] : memref<64xi8> to memref<4xindex>
func.func @index_buffer(%out: memref<4xindex>) {
  %a = memref.alloc() : memref<4xindex>
  memref.copy %a, %out : memref<4xindex> to memref<4xindex>
  return
}
