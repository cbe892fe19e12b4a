// RUN: onnx-opt %s --split-input-file --onnx-write-into-concats | FileCheck %s
// RUN: onnx-opt %s --split-input-file --onnx-bufferize-pipeline | FileCheck %s --check-prefix=BUF
// RUN: onnx-opt %s --split-input-file --onnx-write-into-concats --onnx-write-into-pads | FileCheck %s --check-prefix=PADS

// Two relus concatenated along channels, computed in the other order than the concatenation
// (as squeezenet's fire modules: the 3x3 expand before the 1x1): the inserts are reordered by
// when each operand is complete, and each relu writes into its slice of the concatenation so
// far.

// CHECK-LABEL: func.func @relus_into_concat
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x8x5x5xf32>
// CHECK-NOT: tensor.empty
// CHECK: %[[S1:.+]] = tensor.extract_slice %[[E]][0, 4, 0, 0] [1, 4, 5, 5] [1, 1, 1, 1]
// CHECK: %[[B:.+]] = linalg.generic {{.+}} outs(%[[S1]] : tensor<1x4x5x5xf32>)
// CHECK: %[[I1:.+]] = tensor.insert_slice %[[B]] into %[[E]][0, 4, 0, 0] [1, 4, 5, 5]
// CHECK: %[[S0:.+]] = tensor.extract_slice %[[I1]][0, 0, 0, 0] [1, 4, 5, 5] [1, 1, 1, 1]
// CHECK: %[[A:.+]] = linalg.generic {{.+}} outs(%[[S0]] : tensor<1x4x5x5xf32>)
// CHECK: %[[I0:.+]] = tensor.insert_slice %[[A]] into %[[I1]][0, 0, 0, 0] [1, 4, 5, 5]
// CHECK: linalg.generic {{.+}} ins(%[[I0]] :

// BUF-LABEL: func.func @relus_into_concat
// BUF: %[[CAT:.+]] = memref.view {{.+}} to memref<1x8x5x5xf32>
// BUF: %[[S1:.+]] = memref.subview %[[CAT]][0, 4, 0, 0] [1, 4, 5, 5] [1, 1, 1, 1]
// BUF: linalg.generic {{.+}} outs(%[[S1]] :
// BUF: %[[S0:.+]] = memref.subview %[[CAT]][0, 0, 0, 0] [1, 4, 5, 5] [1, 1, 1, 1]
// BUF: linalg.generic {{.+}} outs(%[[S0]] :
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
// BUF: linalg.generic {{.+}} ins(%[[CAT]] :
// BUF: return
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @relus_into_concat(%a: tensor<1x4x5x5xf32>, %b: tensor<1x4x5x5xf32>) -> tensor<1x8x5x5xf32> {
  %zero = arith.constant 0.0 : f32
  %eb = tensor.empty() : tensor<1x4x5x5xf32>
  %rb = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<1x4x5x5xf32>) outs(%eb : tensor<1x4x5x5xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x5x5xf32>
  %ea = tensor.empty() : tensor<1x4x5x5xf32>
  %ra = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a : tensor<1x4x5x5xf32>) outs(%ea : tensor<1x4x5x5xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x5x5xf32>
  %e = tensor.empty() : tensor<1x8x5x5xf32>
  %i0 = tensor.insert_slice %ra into %e[0, 0, 0, 0] [1, 4, 5, 5] [1, 1, 1, 1] : tensor<1x4x5x5xf32> into tensor<1x8x5x5xf32>
  %i1 = tensor.insert_slice %rb into %i0[0, 4, 0, 0] [1, 4, 5, 5] [1, 1, 1, 1] : tensor<1x4x5x5xf32> into tensor<1x8x5x5xf32>
  %e2 = tensor.empty() : tensor<1x8x5x5xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%i1 : tensor<1x8x5x5xf32>) outs(%e2 : tensor<1x8x5x5xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.addf %x, %x : f32
    linalg.yield %m : f32
  } -> tensor<1x8x5x5xf32>
  return %r : tensor<1x8x5x5xf32>
}

// -----

// Along a middle axis, one operand a graph input (its copy stays, its insert moves up), the
// other a flattened relu (as a 1x1 Conv on [oh * ow]): it writes through the inverse reshape
// into its slice.

// CHECK-LABEL: func.func @input_and_flattened
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x7x3xf32>
// CHECK: %[[I0:.+]] = tensor.insert_slice %arg0 into %[[E]][0, 0, 0] [2, 4, 3] [1, 1, 1]
// CHECK: %[[S:.+]] = tensor.extract_slice %[[I0]][0, 4, 0] [2, 3, 3] [1, 1, 1]
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[S]] {{\[}}[0], [1, 2]]
// CHECK: %[[R:.+]] = linalg.generic {{.+}} outs(%[[C]] : tensor<2x9xf32>)
// CHECK: %[[X:.+]] = tensor.expand_shape %[[R]]
// CHECK: tensor.insert_slice %[[X]] into %[[I0]][0, 4, 0] [2, 3, 3]

// BUF-LABEL: func.func @input_and_flattened
// BUF-COUNT-1: memref.copy
// BUF-NOT: memref.copy
// BUF: return
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @input_and_flattened(%a: tensor<2x4x3xf32>, %b: tensor<2x9xf32>) -> tensor<2x7x3xf32> {
  %zero = arith.constant 0.0 : f32
  %eb = tensor.empty() : tensor<2x9xf32>
  %rb = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<2x9xf32>) outs(%eb : tensor<2x9xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x9xf32>
  %xb = tensor.expand_shape %rb [[0], [1, 2]] output_shape [2, 3, 3] : tensor<2x9xf32> into tensor<2x3x3xf32>
  %e = tensor.empty() : tensor<2x7x3xf32>
  %i0 = tensor.insert_slice %a into %e[0, 0, 0] [2, 4, 3] [1, 1, 1] : tensor<2x4x3xf32> into tensor<2x7x3xf32>
  %i1 = tensor.insert_slice %xb into %i0[0, 4, 0] [2, 3, 3] [1, 1, 1] : tensor<2x3x3xf32> into tensor<2x7x3xf32>
  return %i1 : tensor<2x7x3xf32>
}

// -----

// An operand read by another op too: a flattened one is left alone (bufferized, it would be
// copied out of the slice and back); the relu writes into its slice, but its other reader
// comes after the flattened operand's copy into the concatenation, which one-shot
// bufferization takes for a write over the relu's value: it computes the relu out of place
// and copies it, as without the rewrite (two copies, no more). Correct either way.

// CHECK-LABEL: func.func @other_reader
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x7x3xf32>
// CHECK: %[[S:.+]] = tensor.extract_slice %[[E]][0, 0, 0] [2, 4, 3] [1, 1, 1]
// CHECK: %[[A:.+]] = linalg.generic {{.+}} outs(%[[S]] : tensor<2x4x3xf32>)
// CHECK: %[[EB:.+]] = tensor.empty() : tensor<2x9xf32>
// CHECK: %[[RB:.+]] = linalg.generic {{.+}} outs(%[[EB]] : tensor<2x9xf32>)

// BUF-LABEL: func.func @other_reader
// BUF-COUNT-2: memref.copy
// BUF-NOT: memref.copy
// BUF: return
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @other_reader(%a: tensor<2x4x3xf32>, %b: tensor<2x9xf32>) -> (tensor<2x7x3xf32>, tensor<2x9xf32>, tensor<2x4x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %ea = tensor.empty() : tensor<2x4x3xf32>
  %ra = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a : tensor<2x4x3xf32>) outs(%ea : tensor<2x4x3xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x4x3xf32>
  %eb = tensor.empty() : tensor<2x9xf32>
  %rb = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<2x9xf32>) outs(%eb : tensor<2x9xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x9xf32>
  %xb = tensor.expand_shape %rb [[0], [1, 2]] output_shape [2, 3, 3] : tensor<2x9xf32> into tensor<2x3x3xf32>
  %e = tensor.empty() : tensor<2x7x3xf32>
  %i0 = tensor.insert_slice %ra into %e[0, 0, 0] [2, 4, 3] [1, 1, 1] : tensor<2x4x3xf32> into tensor<2x7x3xf32>
  %i1 = tensor.insert_slice %xb into %i0[0, 4, 0] [2, 3, 3] [1, 1, 1] : tensor<2x3x3xf32> into tensor<2x7x3xf32>
  %e2 = tensor.empty() : tensor<2x9xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%rb : tensor<2x9xf32>) outs(%e2 : tensor<2x9xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.addf %x, %x : f32
    linalg.yield %m : f32
  } -> tensor<2x9xf32>
  %e3 = tensor.empty() : tensor<2x4x3xf32>
  %r2 = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ra : tensor<2x4x3xf32>) outs(%e3 : tensor<2x4x3xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.addf %x, %x : f32
    linalg.yield %m : f32
  } -> tensor<2x4x3xf32>
  return %i1, %r, %r2 : tensor<2x7x3xf32>, tensor<2x9xf32>, tensor<2x4x3xf32>
}

// -----

// Left alone: a flattened operand whose flattened dims include the concatenation's axis
// behind a non-unit dim (its rows are not contiguous in the slice).

// CHECK-LABEL: func.func @flattened_across_axis
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<6x2xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<3x4x2xf32>
// CHECK: tensor.insert_slice %{{.+}} into %[[E]][0, 0, 0] [3, 2, 2]
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @flattened_across_axis(%a: tensor<6x2xf32>, %b: tensor<3x2x2xf32>) -> tensor<3x4x2xf32> {
  %zero = arith.constant 0.0 : f32
  %ea = tensor.empty() : tensor<6x2xf32>
  %ra = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<6x2xf32>) outs(%ea : tensor<6x2xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<6x2xf32>
  %xa = tensor.expand_shape %ra [[0, 1], [2]] output_shape [3, 2, 2] : tensor<6x2xf32> into tensor<3x2x2xf32>
  %e = tensor.empty() : tensor<3x4x2xf32>
  %i0 = tensor.insert_slice %xa into %e[0, 0, 0] [3, 2, 2] [1, 1, 1] : tensor<3x2x2xf32> into tensor<3x4x2xf32>
  %i1 = tensor.insert_slice %b into %i0[0, 2, 0] [3, 2, 2] [1, 1, 1] : tensor<3x2x2xf32> into tensor<3x4x2xf32>
  return %i1 : tensor<3x4x2xf32>
}

// -----

// Interleaved producers: %a's first write comes before %b is complete, %a completes after
// it: %b writes in place, %a is left alone (the slice it would write into does not exist
// yet where it starts). Upstream's eliminate-empty-tensors then lets it write in place too:
// its insert's destination is defined before %a's tensor.empty is first used.

// CHECK-LABEL: func.func @interleaved
// CHECK: %[[EA:.+]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[E:.+]] = tensor.empty() : tensor<8xf32>
// CHECK: %[[A1:.+]] = linalg.generic {{.+}} outs(%[[EA]] : tensor<4xf32>)
// CHECK: %[[S:.+]] = tensor.extract_slice %[[E]][4] [4] [1]
// CHECK: %[[B:.+]] = linalg.generic {{.+}} outs(%[[S]] : tensor<4xf32>)
// CHECK: %[[I1:.+]] = tensor.insert_slice %[[B]] into %[[E]][4] [4] [1]
// CHECK: %[[A2:.+]] = linalg.generic {{.+}} outs(%[[A1]] : tensor<4xf32>)
// CHECK: tensor.insert_slice %[[A2]] into %[[I1]][0] [4] [1]

// BUF-LABEL: func.func @interleaved
// BUF-NOT: memref.copy
// BUF: return
#id1 = affine_map<(d0) -> (d0)>
func.func @interleaved(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %ea = tensor.empty() : tensor<4xf32>
  %a1 = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%a : tensor<4xf32>) outs(%ea : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %eb = tensor.empty() : tensor<4xf32>
  %rb = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%b : tensor<4xf32>) outs(%eb : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %a2 = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%a : tensor<4xf32>) outs(%a1 : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.addf %x, %o : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %e = tensor.empty() : tensor<8xf32>
  %i0 = tensor.insert_slice %a2 into %e[0] [4] [1] : tensor<4xf32> into tensor<8xf32>
  %i1 = tensor.insert_slice %rb into %i0[4] [4] [1] : tensor<4xf32> into tensor<8xf32>
  return %i1 : tensor<8xf32>
}

// -----

// A concatenation that is a padded Conv input: onnx-write-into-pads (after this pass) follows
// it back to its tensor.empty and replaces both of its uses (the first insert's destination
// and the first part's extract_slice) with the padded interior: the relus write into the
// padded buffer, no copy at all.

// CHECK-LABEL: func.func @concat_into_pad
// PADS-LABEL: func.func @concat_into_pad
// PADS-NOT: tensor.empty() : tensor<1x4x4x4xf32>
// PADS: %[[IN:.+]] = tensor.extract_slice %{{.+}}[0, 0, 1, 1] [1, 4, 4, 4] [1, 1, 1, 1]
// PADS: tensor.extract_slice %[[IN]][0, 0, 0, 0] [1, 2, 4, 4]
// PADS: tensor.insert_slice %{{.+}} into %[[IN]][0, 0, 0, 0] [1, 2, 4, 4]
// PADS-NOT: tensor.empty() : tensor<1x4x4x4xf32>
// PADS: return
// BUF-LABEL: func.func @concat_into_pad
// BUF-NOT: memref.alloc
// BUF-COUNT-4: linalg.fill
// BUF: %[[IN:.+]] = memref.subview %arg2[0, 0, 1, 1] [1, 4, 4, 4] [1, 1, 1, 1]
// BUF-NOT: memref.copy
// BUF-NOT: linalg.copy
// BUF: return
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @concat_into_pad(%a: tensor<1x2x4x4xf32>, %b: tensor<1x2x4x4xf32>) -> tensor<1x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %ea = tensor.empty() : tensor<1x2x4x4xf32>
  %ra = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a : tensor<1x2x4x4xf32>) outs(%ea : tensor<1x2x4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %eb = tensor.empty() : tensor<1x2x4x4xf32>
  %rb = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<1x2x4x4xf32>) outs(%eb : tensor<1x2x4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %c0 = tensor.insert_slice %ra into %e[0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x4x4x4xf32>
  %c1 = tensor.insert_slice %rb into %c0[0, 2, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x4x4x4xf32>
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<1x4x6x6xf32>
  %s0 = tensor.extract_slice %0[0, 0, 0, 0] [1, 4, 1, 6] [1, 1, 1, 1] : tensor<1x4x6x6xf32> to tensor<1x4x1x6xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%s0 : tensor<1x4x1x6xf32>) -> tensor<1x4x1x6xf32>
  %i0 = tensor.insert_slice %f0 into %0[0, 0, 0, 0] [1, 4, 1, 6] [1, 1, 1, 1] : tensor<1x4x1x6xf32> into tensor<1x4x6x6xf32>
  %s1 = tensor.extract_slice %i0[0, 0, 5, 0] [1, 4, 1, 6] [1, 1, 1, 1] : tensor<1x4x6x6xf32> to tensor<1x4x1x6xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%s1 : tensor<1x4x1x6xf32>) -> tensor<1x4x1x6xf32>
  %i1 = tensor.insert_slice %f1 into %i0[0, 0, 5, 0] [1, 4, 1, 6] [1, 1, 1, 1] : tensor<1x4x1x6xf32> into tensor<1x4x6x6xf32>
  %s2 = tensor.extract_slice %i1[0, 0, 1, 0] [1, 4, 4, 1] [1, 1, 1, 1] : tensor<1x4x6x6xf32> to tensor<1x4x4x1xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%s2 : tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32>
  %i2 = tensor.insert_slice %f2 into %i1[0, 0, 1, 0] [1, 4, 4, 1] [1, 1, 1, 1] : tensor<1x4x4x1xf32> into tensor<1x4x6x6xf32>
  %s3 = tensor.extract_slice %i2[0, 0, 1, 5] [1, 4, 4, 1] [1, 1, 1, 1] : tensor<1x4x6x6xf32> to tensor<1x4x4x1xf32>
  %f3 = linalg.fill ins(%cst : f32) outs(%s3 : tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32>
  %i3 = tensor.insert_slice %f3 into %i2[0, 0, 1, 5] [1, 4, 4, 1] [1, 1, 1, 1] : tensor<1x4x4x1xf32> into tensor<1x4x6x6xf32>
  %i4 = tensor.insert_slice %c1 into %i3[0, 0, 1, 1] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x4x4x4xf32> into tensor<1x4x6x6xf32>
  return %i4 : tensor<1x4x6x6xf32>
}
