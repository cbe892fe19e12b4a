// RUN: %onnx-opt %s -onnx-lower-strided-copies -split-input-file | FileCheck %s

// memref.copy between two contiguous blocks stays (one memcpy); a copy between static views
// whose trailing dims are contiguous on both sides, in rows of >= 32 bytes, becomes a loop of
// row copies (a memcpy each); any other copy becomes linalg.copy with the same operands; a
// copy of nothing is dropped.

// CHECK-LABEL: func.func @contiguous
// CHECK-SAME:    (%[[A:.+]]: memref<4x8xf32>, %[[B:.+]]: memref<4x8xf32>)
// CHECK:         memref.copy %[[A]], %[[B]] : memref<4x8xf32> to memref<4x8xf32>
// CHECK-NOT:     linalg.copy
func.func @contiguous(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  return
}

// -----

// A channel slice of a batch of one (a concatenation along channels): contiguous at an
// offset, so still one memcpy.
// CHECK-LABEL: func.func @contiguous_slice
// CHECK:         %[[S:.+]] = memref.subview
// CHECK:         memref.copy %{{.+}}, %[[S]] : memref<1x3x8x8xf32> to memref<1x3x8x8xf32, strided<[384, 64, 8, 1], offset: 192>>
// CHECK-NOT:     linalg.copy
// CHECK-NOT:     scf.parallel
func.func @contiguous_slice(%a: memref<1x3x8x8xf32>, %b: memref<1x6x8x8xf32>) {
  %s = memref.subview %b[0, 3, 0, 0] [1, 3, 8, 8] [1, 1, 1, 1] : memref<1x6x8x8xf32> to memref<1x3x8x8xf32, strided<[384, 64, 8, 1], offset: 192>>
  memref.copy %a, %s : memref<1x3x8x8xf32> to memref<1x3x8x8xf32, strided<[384, 64, 8, 1], offset: 192>>
  return
}

// -----

// Into the interior of a padded buffer (what tensor.pad bufferizes to): rows of 8 floats.
// CHECK-LABEL: func.func @into_padded_interior
// CHECK-SAME:    (%[[A:.+]]: memref<1x3x8x8xf32>, %[[B:.+]]: memref<1x3x10x10xf32>)
// CHECK:         %[[S:.+]] = memref.subview %[[B]][0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG:     %[[C8:.+]] = arith.constant 8 : index
// CHECK:         scf.parallel (%[[N:.+]], %[[C:.+]], %[[H:.+]]) = (%[[C0]], %[[C0]], %[[C0]]) to (%{{.+}}, %[[C3]], %[[C8]])
// CHECK:           %[[FROM:.+]] = memref.subview %[[A]][%[[N]], %[[C]], %[[H]], 0] [1, 1, 1, 8] [1, 1, 1, 1] : memref<1x3x8x8xf32> to memref<1x1x1x8xf32, strided<[192, 64, 8, 1], offset: ?>>
// CHECK:           %[[TO:.+]] = memref.subview %[[S]][%[[N]], %[[C]], %[[H]], 0] [1, 1, 1, 8] [1, 1, 1, 1] : memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>> to memref<1x1x1x8xf32, strided<[300, 100, 10, 1], offset: ?>>
// CHECK:           memref.copy %[[FROM]], %[[TO]]
// CHECK-NOT:     linalg.copy
func.func @into_padded_interior(%a: memref<1x3x8x8xf32>, %b: memref<1x3x10x10xf32>) {
  %s = memref.subview %b[0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1] : memref<1x3x10x10xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  memref.copy %a, %s : memref<1x3x8x8xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  return
}

// -----

// Concatenation along the last dim: each input goes into a slice of the output, in rows of 3
// floats (12 bytes), too short for a memcpy each.
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

// Out of a strided view into a contiguous buffer, rows of 2 floats.
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

// -----

// A column (innermost stride 2 on the source): no contiguous row, element loops.
// CHECK-LABEL: func.func @strided_inner
// CHECK:         linalg.copy
// CHECK-NOT:     memref.copy
func.func @strided_inner(%a: memref<4x64xf32>, %b: memref<4x32xf32>) {
  %s = memref.subview %a[0, 0] [4, 32] [1, 2] : memref<4x64xf32> to memref<4x32xf32, strided<[64, 2]>>
  memref.copy %s, %b : memref<4x32xf32, strided<[64, 2]>> to memref<4x32xf32>
  return
}

// -----

// Nothing to copy.
// CHECK-LABEL: func.func @empty
// CHECK-NOT:     memref.copy
// CHECK-NOT:     linalg.copy
// CHECK:         return
func.func @empty(%a: memref<4x0xf32>, %b: memref<8x8xf32>) {
  %s = memref.subview %b[0, 0] [4, 0] [1, 1] : memref<8x8xf32> to memref<4x0xf32, strided<[8, 1]>>
  memref.copy %a, %s : memref<4x0xf32> to memref<4x0xf32, strided<[8, 1]>>
  return
}

// -----

// A large contiguous copy (64 x 56 x 56 floats, 784 KB) goes in row blocks over the leading
// dims until there are >= 16 blocks (here 64 channels of 56 x 56), for the thread pool.
// CHECK-LABEL: func.func @large_block
// CHECK:         scf.parallel (%[[N:.+]], %[[C:.+]]) =
// CHECK:           memref.subview %{{.+}}[%[[N]], %[[C]], 0, 0] [1, 1, 56, 56] [1, 1, 1, 1]
// CHECK:           memref.subview %{{.+}}[%[[N]], %[[C]], 0, 0] [1, 1, 56, 56] [1, 1, 1, 1]
// CHECK:           memref.copy
// CHECK-NOT:     linalg.copy
func.func @large_block(%a: memref<1x64x56x56xf32>, %b: memref<1x128x56x56xf32>) {
  %s = memref.subview %b[0, 64, 0, 0] [1, 64, 56, 56] [1, 1, 1, 1] : memref<1x128x56x56xf32> to memref<1x64x56x56xf32, strided<[401408, 3136, 56, 1], offset: 200704>>
  memref.copy %a, %s : memref<1x64x56x56xf32> to memref<1x64x56x56xf32, strided<[401408, 3136, 56, 1], offset: 200704>>
  return
}
