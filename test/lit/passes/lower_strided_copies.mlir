// RUN: %onnx-opt %s -onnx-lower-strided-copies -split-input-file | FileCheck %s

// memref.copy between two identity-layout buffers stays (a memcpy); any other copy, the
// ones bufferization makes into and out of subviews for padding and concatenation, becomes
// linalg.copy with the same operands.

// CHECK-LABEL: func.func @contiguous
// CHECK-SAME:    (%[[A:.+]]: memref<4x8xf32>, %[[B:.+]]: memref<4x8xf32>)
// CHECK:         memref.copy %[[A]], %[[B]] : memref<4x8xf32> to memref<4x8xf32>
// CHECK-NOT:     linalg.copy
func.func @contiguous(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  return
}

// -----

// Into the interior of a padded buffer (what tensor.pad bufferizes to).
// CHECK-LABEL: func.func @into_padded_interior
// CHECK-SAME:    (%[[A:.+]]: memref<1x3x8x8xf32>, %[[B:.+]]: memref<1x3x10x10xf32>)
// CHECK:         %[[S:.+]] = memref.subview %[[B]][0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%[[A]] : memref<1x3x8x8xf32>) outs(%[[S]] : memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>)
// CHECK-NOT:     memref.copy
func.func @into_padded_interior(%a: memref<1x3x8x8xf32>, %b: memref<1x3x10x10xf32>) {
  %s = memref.subview %b[0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1] : memref<1x3x10x10xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  memref.copy %a, %s : memref<1x3x8x8xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  return
}

// -----

// Concatenation: each input goes into a slice of the output.
// CHECK-LABEL: func.func @concat_slices
// CHECK-COUNT-2: linalg.copy ins(%{{.+}} : memref<2x3xf32>) outs(%{{.+}} : memref<2x3xf32, strided<[6, 1]{{.*}}>>)
// CHECK-NOT:     memref.copy
func.func @concat_slices(%a: memref<2x3xf32>, %b: memref<2x3xf32>, %out: memref<2x6xf32>) {
  %s0 = memref.subview %out[0, 0] [2, 3] [1, 1] : memref<2x6xf32> to memref<2x3xf32, strided<[6, 1]>>
  memref.copy %a, %s0 : memref<2x3xf32> to memref<2x3xf32, strided<[6, 1]>>
  %s1 = memref.subview %out[0, 3] [2, 3] [1, 1] : memref<2x6xf32> to memref<2x3xf32, strided<[6, 1], offset: 3>>
  memref.copy %b, %s1 : memref<2x3xf32> to memref<2x3xf32, strided<[6, 1], offset: 3>>
  return
}

// -----

// Out of a strided view into a contiguous buffer.
// CHECK-LABEL: func.func @from_subview
// CHECK-SAME:    (%[[A:.+]]: memref<4x4xf32>, %[[B:.+]]: memref<2x2xf32>)
// CHECK:         %[[S:.+]] = memref.subview %[[A]][1, 1] [2, 2] [1, 1]
// CHECK:         linalg.copy ins(%[[S]] : memref<2x2xf32, strided<[4, 1], offset: 5>>) outs(%[[B]] : memref<2x2xf32>)
// CHECK-NOT:     memref.copy
func.func @from_subview(%a: memref<4x4xf32>, %b: memref<2x2xf32>) {
  %s = memref.subview %a[1, 1] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1], offset: 5>>
  memref.copy %s, %b : memref<2x2xf32, strided<[4, 1], offset: 5>> to memref<2x2xf32>
  return
}
