// RUN: onnx-opt %s --onnx-bufferize-pipeline | FileCheck %s

// Border-only padding fills each border slab in place (extract_slice, fill, insert_slice).
// One-shot bufferization leaves a copy of each slab onto an identical subview; the pipeline's
// cse + canonicalize fold it, so only the fills and the interior copy remain (no copy of a
// slab onto itself, which onnx-lower-strided-copies would make a strided loop). The interior
// copy goes row by row (rows of 20 contiguous floats on both sides: one memcpy each).

// CHECK-LABEL: func.func @pad_borders
// CHECK-COUNT-4: linalg.fill
// CHECK-NOT: linalg.fill
// CHECK: %[[INTERIOR:.+]] = memref.subview %arg1[0, 0, 1, 1] [1, 8, 20, 20] [1, 1, 1, 1]
// CHECK: scf.parallel (%[[N:.+]], %[[C:.+]], %[[H:.+]]) =
// CHECK:   %[[FROM:.+]] = memref.subview %arg0[%[[N]], %[[C]], %[[H]], 0] [1, 1, 1, 20] [1, 1, 1, 1]
// CHECK:   %[[TO:.+]] = memref.subview %[[INTERIOR]][%[[N]], %[[C]], %[[H]], 0] [1, 1, 1, 20] [1, 1, 1, 1]
// CHECK:   memref.copy %[[FROM]], %[[TO]]
// CHECK-NOT: linalg.copy
// CHECK-NOT: memref.copy
// CHECK: return
func.func @pad_borders(%arg0: tensor<1x8x20x20xf32>) -> tensor<1x8x22x22xf32> {
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<1x8x22x22xf32>
  %s0 = tensor.extract_slice %0[0, 0, 0, 0] [1, 8, 1, 22] [1, 1, 1, 1] : tensor<1x8x22x22xf32> to tensor<1x8x1x22xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%s0 : tensor<1x8x1x22xf32>) -> tensor<1x8x1x22xf32>
  %i0 = tensor.insert_slice %f0 into %0[0, 0, 0, 0] [1, 8, 1, 22] [1, 1, 1, 1] : tensor<1x8x1x22xf32> into tensor<1x8x22x22xf32>
  %s1 = tensor.extract_slice %i0[0, 0, 21, 0] [1, 8, 1, 22] [1, 1, 1, 1] : tensor<1x8x22x22xf32> to tensor<1x8x1x22xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%s1 : tensor<1x8x1x22xf32>) -> tensor<1x8x1x22xf32>
  %i1 = tensor.insert_slice %f1 into %i0[0, 0, 21, 0] [1, 8, 1, 22] [1, 1, 1, 1] : tensor<1x8x1x22xf32> into tensor<1x8x22x22xf32>
  %s2 = tensor.extract_slice %i1[0, 0, 1, 0] [1, 8, 20, 1] [1, 1, 1, 1] : tensor<1x8x22x22xf32> to tensor<1x8x20x1xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%s2 : tensor<1x8x20x1xf32>) -> tensor<1x8x20x1xf32>
  %i2 = tensor.insert_slice %f2 into %i1[0, 0, 1, 0] [1, 8, 20, 1] [1, 1, 1, 1] : tensor<1x8x20x1xf32> into tensor<1x8x22x22xf32>
  %s3 = tensor.extract_slice %i2[0, 0, 1, 21] [1, 8, 20, 1] [1, 1, 1, 1] : tensor<1x8x22x22xf32> to tensor<1x8x20x1xf32>
  %f3 = linalg.fill ins(%cst : f32) outs(%s3 : tensor<1x8x20x1xf32>) -> tensor<1x8x20x1xf32>
  %i3 = tensor.insert_slice %f3 into %i2[0, 0, 1, 21] [1, 8, 20, 1] [1, 1, 1, 1] : tensor<1x8x20x1xf32> into tensor<1x8x22x22xf32>
  %i4 = tensor.insert_slice %arg0 into %i3[0, 0, 1, 1] [1, 8, 20, 20] [1, 1, 1, 1] : tensor<1x8x20x20xf32> into tensor<1x8x22x22xf32>
  return %i4 : tensor<1x8x22x22xf32>
}
