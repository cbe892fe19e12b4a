// RUN: %onnx-opt %s -onnx-lower-reductions=vector-bits=256 -split-input-file | FileCheck %s
// RUN: %onnx-opt %s -onnx-lower-reductions -split-input-file | FileCheck %s --check-prefix=SCALAR

// A global average pool's sum: the 7x7 reduced elements are contiguous, so they are read as
// one flat range of 49 (collapse_shape): a main loop of four 8-lane accumulators (32), one
// vector at a time up to 48, a masked last vector, then the lanes into the initial value.
// Without vector-bits, scalar loops carry the accumulator (no store inside them).
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#keep = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
func.func @global_pool(%x: memref<1x8x7x7xf32>, %out: memref<1x8x1x1xf32>) {
  linalg.generic {indexing_maps = [#id4, #keep], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x : memref<1x8x7x7xf32>) outs(%out : memref<1x8x1x1xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}
// CHECK-LABEL: func.func @global_pool
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : memref<1x8x7x7xf32> into memref<1x8x49xf32>
// CHECK: scf.parallel (%[[N:.*]], %[[C:.*]]) =
// CHECK: %[[INIT:.*]] = memref.load %{{.*}}[%[[N]], %[[C]], %{{.*}}, %{{.*}}] : memref<1x8x1x1xf32>
// CHECK: %[[MAIN:.*]]:4 = scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-4: vector.load %[[FLAT]]
// CHECK: scf.for
// CHECK: vector.load %[[FLAT]]
// CHECK: vector.create_mask
// CHECK: vector.maskedload %[[FLAT]]
// CHECK: arith.select
// CHECK: %[[R:.*]] = vector.reduction <add>, %{{.*}}, %[[INIT]] fastmath<reassoc>
// CHECK: memref.store %[[R]]
// CHECK-NOT: linalg.generic

// SCALAR-LABEL: func.func @global_pool
// SCALAR-NOT: vector.
// SCALAR: scf.parallel
// SCALAR: %[[INIT:.*]] = memref.load
// SCALAR: %[[R:.*]] = scf.for {{.*}} iter_args(%[[A:.*]] = %[[INIT]])
// SCALAR: scf.for {{.*}} iter_args
// SCALAR: memref.load
// SCALAR-NOT: memref.store
// SCALAR: arith.addf
// SCALAR: scf.yield
// SCALAR: scf.yield
// SCALAR: memref.store %[[R]]

// -----

// Softmax's maximum over rows of run-time length, with a per-row operand the reduction does
// not move (broadcast once per row) and a constant from above (splat before the fold).
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @max_dynamic(%x: memref<?x?xf32>, %m: memref<?xf32>, %out: memref<?xf32>) {
  %c = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [#id2, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x, %m : memref<?x?xf32>, memref<?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %mi: f32, %acc: f32):
    %e = arith.subf %in, %mi : f32
    %f = arith.mulf %e, %c : f32
    %r = arith.maximumf %acc, %f : f32
    linalg.yield %r : f32
  }
  return
}
// CHECK-LABEL: func.func @max_dynamic
// CHECK-SAME: %{{.*}}: memref<?x?xf32>, %[[M:.*]]: memref<?xf32>, %{{.*}}: memref<?xf32>
// CHECK: %[[C:.*]] = arith.constant 2.0
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK: %[[MI:.*]] = memref.load %[[M]][%[[I]]] : memref<?xf32>
// CHECK: %[[MV:.*]] = vector.broadcast %[[MI]] : f32 to vector<8xf32>
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[C]] : f32 to vector<8xf32>
// CHECK: arith.constant dense<0xFF800000> : vector<8xf32>
// CHECK: scf.for
// CHECK: %[[L:.*]] = vector.load
// CHECK: %[[E:.*]] = arith.subf %[[L]], %[[MV]] : vector<8xf32>
// CHECK: arith.mulf %[[E]], %[[SPLAT]] : vector<8xf32>
// CHECK: arith.maximumf
// CHECK: vector.maskedload
// CHECK: vector.reduction <maximumf>

// -----

// Not vectorized, accumulator still in a register: the reduced elements of the input are
// strided (a column), and a pooling window's rows are not its trailing dims' layout.
#col = affine_map<(d0, d1) -> (d1, d0)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @strided(%x: memref<16x16xf32>, %out: memref<16xf32>) {
  linalg.generic {indexing_maps = [#col, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<16x16xf32>) outs(%out : memref<16xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}
// CHECK-LABEL: func.func @strided
// CHECK-NOT: vector.
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK: scf.for %[[J:.*]] = {{.*}} iter_args
// CHECK: memref.load %{{.*}}[%[[J]], %[[I]]]
// CHECK-NOT: memref.store
// CHECK: scf.yield

// -----

#win = affine_map<(d0, d1, d2) -> (d0 + d2)>
#o = affine_map<(d0, d1, d2) -> (d0, d1)>
#w = affine_map<(d0, d1, d2) -> (d2)>
func.func @window(%x: memref<18xf32>, %w: memref<3xf32>, %out: memref<16x1xf32>) {
  linalg.generic {indexing_maps = [#win, #w, #o], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<18xf32>, memref<3xf32>) outs(%out : memref<16x1xf32>) {
  ^bb0(%in: f32, %wi: f32, %acc: f32):
    %m = arith.maximumf %in, %wi : f32
    %s = arith.maximumf %m, %acc : f32
    linalg.yield %s : f32
  }
  return
}
// CHECK-LABEL: func.func @window
// CHECK-NOT: vector.
// CHECK: scf.parallel (%[[I:.*]], %{{.*}}) =
// CHECK: scf.for %[[K:.*]] = {{.*}} iter_args
// CHECK: %[[P:.*]] = affine.apply #{{.*}}(%[[I]], %{{.*}}, %[[K]])
// CHECK: memref.load %{{.*}}[%[[P]]]

// -----

// Left to convert-linalg-to-parallel-loops: a reduction loop before a parallel one, and an
// output that is also an input.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#mid = affine_map<(d0, d1, d2) -> (d0, d2)>
func.func @not_trailing(%x: memref<2x3x4xf32>, %out: memref<2x4xf32>) {
  linalg.generic {indexing_maps = [#id3, #mid], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : memref<2x3x4xf32>) outs(%out : memref<2x4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}
// CHECK-LABEL: func.func @not_trailing
// CHECK: linalg.generic

#id2b = affine_map<(d0, d1) -> (d0, d1)>
#rowb = affine_map<(d0, d1) -> (d0)>
func.func @aliased(%x: memref<4x4xf32>, %out: memref<4xf32>) {
  linalg.generic {indexing_maps = [#id2b, #rowb, #rowb], iterator_types = ["parallel", "reduction"]}
      ins(%x, %out : memref<4x4xf32>, memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%in: f32, %o: f32, %acc: f32):
    %t = arith.addf %in, %o : f32
    %s = arith.addf %t, %acc : f32
    linalg.yield %s : f32
  }
  return
}
// CHECK-LABEL: func.func @aliased
// CHECK: linalg.generic
