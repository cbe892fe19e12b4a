// RUN: onnx-opt %s --split-input-file --onnx-write-into-pads | FileCheck %s
// RUN: onnx-opt %s --split-input-file --onnx-bufferize-pipeline | FileCheck %s --check-prefix=BUF

// The producer of a padded input (here a relu writing into a tensor.empty) writes into the
// interior of the padded tensor: the padded tensor and its border fills move before it.

// CHECK-LABEL: func.func @relu_into_pad
// CHECK: tensor.empty() : tensor<1x8x22x22xf32>
// CHECK-COUNT-4: linalg.fill
// CHECK: %[[PADDED:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 1, 21] [1, 8, 20, 1]
// CHECK-NOT: tensor.empty
// CHECK: %[[IN:.+]] = tensor.extract_slice %[[PADDED]][0, 0, 1, 1] [1, 8, 20, 20] [1, 1, 1, 1]
// CHECK: %[[RELU:.+]] = linalg.generic {{.+}} outs(%[[IN]] : tensor<1x8x20x20xf32>)
// CHECK: tensor.insert_slice %[[RELU]] into %[[PADDED]][0, 0, 1, 1] [1, 8, 20, 20] [1, 1, 1, 1]

// After bufferization the relu writes into the subview of the padded buffer: no copy at all
// (the only buffer is the function's result).
// BUF-LABEL: func.func @relu_into_pad
// BUF-NOT: memref.alloc
// BUF-COUNT-4: linalg.fill
// BUF: %[[IN:.+]] = memref.subview %arg1[0, 0, 1, 1] [1, 8, 20, 20] [1, 1, 1, 1]
// BUF: linalg.generic {{.+}} outs(%[[IN]] :
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
// BUF: return
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @relu_into_pad(%arg0: tensor<1x8x20x20xf32>) -> tensor<1x8x22x22xf32> {
  %zero = arith.constant 0.0 : f32
  %r0 = tensor.empty() : tensor<1x8x20x20xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%arg0 : tensor<1x8x20x20xf32>) outs(%r0 : tensor<1x8x20x20xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x20x20xf32>
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
  %i4 = tensor.insert_slice %relu into %i3[0, 0, 1, 1] [1, 8, 20, 20] [1, 1, 1, 1] : tensor<1x8x20x20xf32> into tensor<1x8x22x22xf32>
  return %i4 : tensor<1x8x22x22xf32>
}

// -----

// A vector kernel's loop writing into a bufferization.alloc_tensor, whose result is also read
// after the pad (a residual add): the loop writes into the interior, the other reader reads
// the interior view of the padded buffer.

// CHECK-LABEL: func.func @kernel_into_pad_shared
// CHECK: tensor.empty() : tensor<1x2x6x6xf32>
// CHECK-NOT: bufferization.alloc_tensor
// CHECK: %[[IN:.+]] = tensor.extract_slice %{{.+}}[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// CHECK: %[[K:.+]] = scf.for {{.+}} iter_args(%{{.+}} = %[[IN]])
// CHECK: tensor.insert_slice %[[K]] into

// BUF-LABEL: func.func @kernel_into_pad_shared
// BUF: %[[PAD:.+]] = memref.view {{.+}} to memref<1x2x6x6xf32>
// BUF-COUNT-4: linalg.fill
// BUF: %[[IN:.+]] = memref.subview %[[PAD]][0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// BUF: scf.for
// BUF:   vector.transfer_write %{{.+}}, %[[IN]]
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
// BUF: linalg.generic {{.+}} ins(%[[PAD]], %[[IN]] :
// BUF: return
func.func @kernel_into_pad_shared(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %pv = arith.constant 0.0 : f32
  %a = bufferization.alloc_tensor() : tensor<1x2x4x4xf32>
  %k = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %a) -> (tensor<1x2x4x4xf32>) {
    %v = vector.transfer_read %arg0[%c0, %c0, %i, %c0], %pv {in_bounds = [true]} : tensor<1x2x4x4xf32>, vector<4xf32>
    %w = vector.transfer_write %v, %acc[%c0, %c0, %i, %c0] {in_bounds = [true]} : vector<4xf32>, tensor<1x2x4x4xf32>
    %w2 = vector.transfer_write %v, %w[%c0, %c1, %i, %c0] {in_bounds = [true]} : vector<4xf32>, tensor<1x2x4x4xf32>
    scf.yield %w2 : tensor<1x2x4x4xf32>
  }
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<1x2x6x6xf32>
  %s0 = tensor.extract_slice %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x1x6xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%s0 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %i0 = tensor.insert_slice %f0 into %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x1x6xf32> into tensor<1x2x6x6xf32>
  %s1 = tensor.extract_slice %i0[0, 0, 5, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x1x6xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%s1 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %i1 = tensor.insert_slice %f1 into %i0[0, 0, 5, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x1x6xf32> into tensor<1x2x6x6xf32>
  %s2 = tensor.extract_slice %i1[0, 0, 1, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x4x1xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%s2 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %i2 = tensor.insert_slice %f2 into %i1[0, 0, 1, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x6x6xf32>
  %s3 = tensor.extract_slice %i2[0, 0, 1, 5] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x4x1xf32>
  %f3 = linalg.fill ins(%cst : f32) outs(%s3 : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %i3 = tensor.insert_slice %f3 into %i2[0, 0, 1, 5] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x6x6xf32>
  %i4 = tensor.insert_slice %k into %i3[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x2x6x6xf32>
  // A 3x3 sum over the padded tensor (stand-in for the conv) plus the residual %k.
  %r0 = tensor.empty() : tensor<1x2x4x4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h + 2, w + 2)>, affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%i4, %k : tensor<1x2x6x6xf32>, tensor<1x2x4x4xf32>) outs(%r0 : tensor<1x2x4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x4xf32>
  return %sum : tensor<1x2x4x4xf32>
}

// -----

// Not rewritten: the input reaches the pad through a reshape (a pointwise conv's flattened
// result), or is a function argument.

// CHECK-LABEL: func.func @through_reshape
// CHECK: linalg.generic
// CHECK: tensor.expand_shape
// CHECK: tensor.empty() : tensor<1x2x6x6xf32>
func.func @through_reshape(%arg0: tensor<1x2x16xf32>) -> tensor<1x2x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %r0 = tensor.empty() : tensor<1x2x16xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(n, c, p) -> (n, c, p)>, affine_map<(n, c, p) -> (n, c, p)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%arg0 : tensor<1x2x16xf32>) outs(%r0 : tensor<1x2x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x16xf32>
  %e = tensor.expand_shape %relu [[0], [1], [2, 3]] output_shape [1, 2, 4, 4] : tensor<1x2x16xf32> into tensor<1x2x4x4xf32>
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<1x2x6x6xf32>
  %s0 = tensor.extract_slice %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x1x6xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%s0 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %i0 = tensor.insert_slice %f0 into %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x1x6xf32> into tensor<1x2x6x6xf32>
  %i4 = tensor.insert_slice %e into %i0[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x2x6x6xf32>
  return %i4 : tensor<1x2x6x6xf32>
}

// -----

// Two convolutions' padded inputs of one shape share their border fills (CSE merged them).
// Each gets its own padded tensor, its producer writing into it through the inverse of the
// unit-dim collapse of the group dim ([1, 1, C, H, W] -> [1, C, H, W]); the graph input
// keeps its copy, into a padded tensor of its own. Bufferized: no copy of the filled buffer
// (before, every pad but one copied the whole filled buffer, then its interior).

// CHECK-LABEL: func.func @shared_borders
// CHECK:       %[[E1:.+]] = tensor.empty() : tensor<1x2x6x6xf32>
// CHECK:       %[[P1:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 5, 0] [1, 2, 1, 6]
// CHECK:       %[[I1:.+]] = tensor.extract_slice %[[P1]][0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// CHECK:       %[[V1:.+]] = tensor.expand_shape %[[I1]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 1, 2, 4, 4]
// CHECK:       %[[R1:.+]] = linalg.generic {{.+}} outs(%[[V1]] : tensor<1x1x2x4x4xf32>)
// CHECK:       %[[C1:.+]] = tensor.collapse_shape %[[R1]]
// CHECK:       tensor.insert_slice %[[C1]] into %[[P1]][0, 0, 1, 1]
// CHECK:       tensor.empty() : tensor<1x2x6x6xf32>
// CHECK:       %[[P2:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 5, 0] [1, 2, 1, 6]
// CHECK:       tensor.insert_slice %arg0 into %[[P2]][0, 0, 1, 1]

// BUF-LABEL: func.func @shared_borders
// BUF-COUNT-2: linalg.fill
// BUF: %[[IN:.+]] = memref.subview %{{.+}}[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// BUF: %[[V:.+]] = memref.expand_shape %[[IN]]
// BUF: linalg.generic {{.+}} outs(%[[V]] :
// BUF-COUNT-2: linalg.fill
// BUF-NOT: linalg.fill
// BUF: linalg.copy ins(%arg0
// BUF-NOT: memref.copy
// BUF: return
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#in5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3, d4)>
func.func @shared_borders(%arg0: tensor<1x2x4x4xf32>, %arg1: tensor<1x2x4x4xf32>) -> (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) {
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<1x2x6x6xf32>
  %s0 = tensor.extract_slice %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x1x6xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%s0 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %i0 = tensor.insert_slice %f0 into %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x1x6xf32> into tensor<1x2x6x6xf32>
  %s1 = tensor.extract_slice %i0[0, 0, 5, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x1x6xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%s1 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %i1 = tensor.insert_slice %f1 into %i0[0, 0, 5, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x1x6xf32> into tensor<1x2x6x6xf32>
  %r0 = bufferization.alloc_tensor() : tensor<1x1x2x4x4xf32>
  %relu = linalg.generic {indexing_maps = [#in5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%arg1 : tensor<1x2x4x4xf32>) outs(%r0 : tensor<1x1x2x4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %cst : f32
    linalg.yield %m : f32
  } -> tensor<1x1x2x4x4xf32>
  %c = tensor.collapse_shape %relu [[0], [1, 2], [3], [4]] : tensor<1x1x2x4x4xf32> into tensor<1x2x4x4xf32>
  %p1 = tensor.insert_slice %c into %i1[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x2x6x6xf32>
  %p2 = tensor.insert_slice %arg0 into %i1[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x2x6x6xf32>
  return %p1, %p2 : tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>
}

// -----

// Not rewritten: the input is also read through a collapse of its rows (a pointwise Conv on
// the flattened map): that reader could not view the padded interior.

// CHECK-LABEL: func.func @collapsed_reader
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: tensor.collapse_shape %[[R]] {{\[\[}}0], [1], [2, 3]]
// CHECK: tensor.empty() : tensor<1x2x6x6xf32>
// CHECK: tensor.insert_slice %[[R]] into
func.func @collapsed_reader(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x2x6x6xf32>, tensor<1x2x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %r0 = tensor.empty() : tensor<1x2x4x4xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%arg0 : tensor<1x2x4x4xf32>) outs(%r0 : tensor<1x2x4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %flat = tensor.collapse_shape %relu [[0], [1], [2, 3]] : tensor<1x2x4x4xf32> into tensor<1x2x16xf32>
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<1x2x6x6xf32>
  %s0 = tensor.extract_slice %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x1x6xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%s0 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %i0 = tensor.insert_slice %f0 into %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x1x6xf32> into tensor<1x2x6x6xf32>
  %i4 = tensor.insert_slice %relu into %i0[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x2x6x6xf32>
  return %i4, %flat : tensor<1x2x6x6xf32>, tensor<1x2x16xf32>
}

// -----

// Not rewritten either: a graph output (its buffer is the caller's, with rows of its own).

// CHECK-LABEL: func.func @graph_output
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: tensor.empty() : tensor<1x2x6x6xf32>
// CHECK: tensor.insert_slice %[[R]] into
func.func @graph_output(%arg0: tensor<1x2x4x4xf32>) -> (tensor<1x2x6x6xf32>, tensor<1x2x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %r0 = tensor.empty() : tensor<1x2x4x4xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%arg0 : tensor<1x2x4x4xf32>) outs(%r0 : tensor<1x2x4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<1x2x6x6xf32>
  %s0 = tensor.extract_slice %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x1x6xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%s0 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %i0 = tensor.insert_slice %f0 into %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x1x6xf32> into tensor<1x2x6x6xf32>
  %i4 = tensor.insert_slice %relu into %i0[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x2x6x6xf32>
  return %i4, %relu : tensor<1x2x6x6xf32>, tensor<1x2x4x4xf32>
}

// -----

// A pad value computed after the producer: the border fills cannot move before it; the
// padded tensor stays where it is (its own), and the input is copied.

// CHECK-LABEL: func.func @late_pad_value
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: arith.negf
// CHECK: tensor.empty() : tensor<1x2x6x6xf32>
// CHECK: tensor.insert_slice %[[R]] into
func.func @late_pad_value(%arg0: tensor<1x2x4x4xf32>, %t: tensor<f32>) -> tensor<1x2x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %r0 = tensor.empty() : tensor<1x2x4x4xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%arg0 : tensor<1x2x4x4xf32>) outs(%r0 : tensor<1x2x4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %s = tensor.extract %t[] : tensor<f32>
  %cst = arith.negf %s : f32
  %0 = tensor.empty() : tensor<1x2x6x6xf32>
  %s0 = tensor.extract_slice %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x6x6xf32> to tensor<1x2x1x6xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%s0 : tensor<1x2x1x6xf32>) -> tensor<1x2x1x6xf32>
  %i0 = tensor.insert_slice %f0 into %0[0, 0, 0, 0] [1, 2, 1, 6] [1, 1, 1, 1] : tensor<1x2x1x6xf32> into tensor<1x2x6x6xf32>
  %i4 = tensor.insert_slice %relu into %i0[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x2x6x6xf32>
  return %i4 : tensor<1x2x6x6xf32>
}
