// RUN: %onnx-opt %s -convert-onnx-to-linalg -canonicalize -onnx-fuse-elementwise -split-input-file | FileCheck %s

// onnx-fuse-elementwise fuses an elementwise producer into its consumer only when nothing is
// computed twice: the producer has one user, and the consumer reads it through a permutation
// map (each producer element read once).

// Relu -> Exp fuse into one generic; that generic does not fuse into the contraction, which
// reads each element of its operand once per output column.
// CHECK-LABEL: func.func @chain_into_contraction
// CHECK:         %[[EW:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK:           %[[R:.+]] = arith.maximumf
// CHECK:           math.exp %[[R]]
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[EW]], %{{.+}} : tensor<4x8xf32>, tensor<8x16xf32>)
// CHECK-NOT:       arith.maximumf
// CHECK-NOT:       math.exp
// CHECK:         return
func.func @chain_into_contraction(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %r = onnx.Relu %a : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %e = onnx.Exp %r : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = onnx.MatMul %e, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %m : tensor<4x16xf32>
}

// -----

// Two users: the producer stays, both consumers read its result.
// CHECK-LABEL: func.func @two_users
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK:           arith.maximumf
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[R]] : tensor<4xf32>)
// CHECK-NOT:       arith.maximumf
// CHECK:           math.exp
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[R]] : tensor<4xf32>)
// CHECK-NOT:       arith.maximumf
// CHECK:           arith.negf
func.func @two_users(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %r = onnx.Relu %a : (tensor<4xf32>) -> tensor<4xf32>
  %e = onnx.Exp %r : (tensor<4xf32>) -> tensor<4xf32>
  %n = onnx.Neg %r : (tensor<4xf32>) -> tensor<4xf32>
  return %e, %n : tensor<4xf32>, tensor<4xf32>
}

// -----

// A broadcast read (the [4] Relu read 3 times by the [3, 4] Add) does not fuse.
// CHECK-DAG: #[[$BC:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @broadcast_consumer
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK:           arith.maximumf
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$BC]],
// CHECK-SAME:      ins(%[[R]], %{{.+}} : tensor<4xf32>, tensor<3x4xf32>)
// CHECK-NOT:       arith.maximumf
// CHECK:           arith.addf
func.func @broadcast_consumer(%a: tensor<4xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %r = onnx.Relu %a : (tensor<4xf32>) -> tensor<4xf32>
  %s = onnx.Add %r, %b : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %s : tensor<3x4xf32>
}

// -----

// A transposed read (permutation map) fuses: each producer element is still read once.
#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @permuted_read
// CHECK:         linalg.generic
// CHECK:           %[[R:.+]] = arith.maximumf
// CHECK:           arith.addf %[[R]]
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @permuted_read(%a: tensor<4x3xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<4x3xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x3xf32>) outs(%e0 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x3xf32>
  %e1 = tensor.empty() : tensor<3x4xf32>
  %s = linalg.generic {indexing_maps = [#tr, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r, %b : tensor<4x3xf32>, tensor<3x4xf32>) outs(%e1 : tensor<3x4xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %sum = arith.addf %x, %y : f32
    linalg.yield %sum : f32
  } -> tensor<3x4xf32>
  return %s : tensor<3x4xf32>
}

// -----

// An elementwise op reading an expand_shape's result (a pointwise Conv's, computed on the
// flattened map) is collapsed onto the collapsed dims: it reads the source directly, its other
// operand through a collapse, and its result is expanded back.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @collapse_through_expand
// CHECK-SAME:    (%[[A:.+]]: tensor<1x4x49xf32>, %[[R:.+]]: tensor<1x4x7x7xf32>)
// CHECK:         %[[RC:.+]] = tensor.collapse_shape %[[R]] {{\[\[}}0], [1], [2, 3]] : tensor<1x4x7x7xf32> into tensor<1x4x49xf32>
// CHECK:         %[[G:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[A]], %[[RC]] : tensor<1x4x49xf32>, tensor<1x4x49xf32>)
// CHECK:         %[[E:.+]] = tensor.expand_shape %[[G]] {{\[\[}}0], [1], [2, 3]] output_shape [1, 4, 7, 7]
// CHECK:         return %[[E]]
func.func @collapse_through_expand(%a: tensor<1x4x49xf32>, %r: tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32> {
  %x = tensor.expand_shape %a [[0], [1], [2, 3]] output_shape [1, 4, 7, 7] : tensor<1x4x49xf32> into tensor<1x4x7x7xf32>
  %e = tensor.empty() : tensor<1x4x7x7xf32>
  %s = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %r : tensor<1x4x7x7xf32>, tensor<1x4x7x7xf32>) outs(%e : tensor<1x4x7x7xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %sum = arith.addf %p, %q : f32
    linalg.yield %sum : f32
  } -> tensor<1x4x7x7xf32>
  return %s : tensor<1x4x7x7xf32>
}

// -----

// A reduction reading an expand_shape's result keeps its loops.
#id4r = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#row4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @reduction_keeps_dims
// CHECK:         %[[E:.+]] = tensor.expand_shape
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[E]] : tensor<1x4x7x7xf32>)
func.func @reduction_keeps_dims(%a: tensor<1x4x49xf32>) -> tensor<1x4x7xf32> {
  %x = tensor.expand_shape %a [[0], [1], [2, 3]] output_shape [1, 4, 7, 7] : tensor<1x4x49xf32> into tensor<1x4x7x7xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<1x4x7xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x4x7xf32>) -> tensor<1x4x7xf32>
  %red = linalg.generic {indexing_maps = [#id4r, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x : tensor<1x4x7x7xf32>) outs(%f : tensor<1x4x7xf32>) {
  ^bb0(%p: f32, %o: f32):
    %sum = arith.addf %p, %o : f32
    linalg.yield %sum : f32
  } -> tensor<1x4x7xf32>
  return %red : tensor<1x4x7xf32>
}

// -----

// Not collapsed when another operand is a contraction on the unflattened map (through the
// collapse of Conv's group dim): the Add and Relu are that contraction's epilogue to be
// (resnet18's residual Add of a 3x3 conv and a subsampled 1x1 projection). Two elementwise
// ops, so that the refusal also holds while the fused-away Add still reads the contraction.
#in5 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d5, d3, d4)>
#w5 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d5)>
#out5 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>
#id4c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @contraction_keeps_consumer_dims
// CHECK:         %[[C:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK:         %[[CC:.+]] = tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]]
// CHECK:         %[[E:.+]] = tensor.expand_shape
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[CC]], %[[E]] : tensor<1x4x7x7xf32>, tensor<1x4x7x7xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @contraction_keeps_consumer_dims(%x: tensor<1x1x3x7x7xf32>, %w: tensor<1x4x3xf32>,
                                           %a: tensor<1x4x49xf32>) -> tensor<1x4x7x7xf32> {
  %zero = arith.constant 0.0 : f32
  %e5 = tensor.empty() : tensor<1x1x4x7x7xf32>
  %f5 = linalg.fill ins(%zero : f32) outs(%e5 : tensor<1x1x4x7x7xf32>) -> tensor<1x1x4x7x7xf32>
  %c = linalg.generic {indexing_maps = [#in5, #w5, #out5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x1x3x7x7xf32>, tensor<1x4x3xf32>) outs(%f5 : tensor<1x1x4x7x7xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x1x4x7x7xf32>
  %cc = tensor.collapse_shape %c [[0], [1, 2], [3], [4]] : tensor<1x1x4x7x7xf32> into tensor<1x4x7x7xf32>
  %r = tensor.expand_shape %a [[0], [1], [2, 3]] output_shape [1, 4, 7, 7] : tensor<1x4x49xf32> into tensor<1x4x7x7xf32>
  %e = tensor.empty() : tensor<1x4x7x7xf32>
  %sum = linalg.generic {indexing_maps = [#id4c, #id4c, #id4c], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%cc, %r : tensor<1x4x7x7xf32>, tensor<1x4x7x7xf32>) outs(%e : tensor<1x4x7x7xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<1x4x7x7xf32>
  %e2 = tensor.empty() : tensor<1x4x7x7xf32>
  %relu = linalg.generic {indexing_maps = [#id4c, #id4c], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x4x7x7xf32>) outs(%e2 : tensor<1x4x7x7xf32>) {
  ^bb0(%p: f32, %o: f32):
    %m = arith.maximumf %p, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x7x7xf32>
  return %relu : tensor<1x4x7x7xf32>
}
