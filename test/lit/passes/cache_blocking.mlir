// RUN: %onnx-opt %s -onnx-vectorize-contractions="vector-bits=256 vector-registers=16 l1-bytes=512 l2-bytes=2048" -canonicalize -cse -split-input-file | FileCheck %s
// RUN: %onnx-opt %s -onnx-vectorize-contractions="vector-bits=256 vector-registers=16" -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=SMALL

// Cache blocking of a contraction whose constant vector operand (32x40 weights, 5 KB) is
// larger than half of L2 (here 2 KB). The tile is 5 rows x 2 vectors of 8 lanes (16 columns),
// so the weights are packed at compile time into 2 panels of 32 x 16 and a tail of 32 x 8
// (columns 32..39: as wide as the columns left, not padded to a panel). With L1 at 512 bytes,
// a panel block of 8 steps x 16 columns fills it: the reduction runs in 4 blocks of 8. The
// columns go in blocks of one panel (16), all three in the loop the thread pool may split:
// the last, 8 columns of the tail, under an scf.if (after the loop, it ran on one thread
// while the others waited). In each column block: the first reduction block starts from the
// init (zeros), the middle ones, in an unmarked loop (they add to each other's sums),
// continue from the partial sums in the result, and only the last applies the fused Relu.
// CHECK-LABEL: func.func @blocked
// CHECK-DAG:     %[[W:.+]] = arith.constant dense_resource<packed> : tensor<2x32x16xf32>
// CHECK-DAG:     %[[T:.+]] = arith.constant dense_resource<packed_1> : tensor<1x32x8xf32>
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<8xf32>
// CHECK:         %[[DEST:.+]] = bufferization.alloc_tensor() : tensor<5x40xf32>
// CHECK:         scf.for %[[V0:.+]] = %c0 to %c48 step %c16 iter_args(%{{.+}} = %[[DEST]])
// CHECK:           %[[LAST:.+]] = arith.cmpi eq, %[[V0]], %c32
// CHECK:           scf.if %[[LAST]]
// The last 8 columns: one vector of the tail, the same three reduction stages.
// CHECK:             scf.for %[[K:.+]] = %c0 to %c8 step %c1
// CHECK:               vector.transfer_read %[[T]][%c0, %[[K]], %c0]
// CHECK-NOT:           %[[W]]
// CHECK:             scf.for %{{.+}} = %c8 to %c24 step %c8
// CHECK:             scf.for %{{.+}} = %c24 to %c32 step %c1
// CHECK:             arith.maximumf
// CHECK:           } else {
// CHECK:             scf.for %[[K:.+]] = %c0 to %c8 step %c1 iter_args(%{{.+}} = %[[ZERO]],
// CHECK:               %[[P:.+]] = affine.apply #{{.+}}(%[[V0]])
// CHECK:               vector.transfer_read %[[W]][%[[P]], %[[K]], %c0]
// CHECK:               vector.transfer_read %[[W]][%[[P]], %[[K]], %c8]
// CHECK-COUNT-10:      vector.fma
// CHECK-NOT:         arith.maximumf
// CHECK:             scf.for %[[KB:.+]] = %c8 to %c24 step %c8 iter_args(%[[C1:.+]] = %{{.+}})
// CHECK:               vector.transfer_read %[[C1]][%c0, %[[V0]]]
// CHECK:               scf.for %{{.+}} = %[[KB]] to %{{.+}} step %c1
// CHECK-NOT:         arith.maximumf
// CHECK:             scf.for %{{.+}} = %c24 to %c32 step %c1
// CHECK:             arith.maximumf
// CHECK:         } {onnxc.parallel}
// The blobs (64-byte aligned; printed in the order the IR first uses them): the tail
// starts with row 0's columns 32..39 (2, 1, 2, 3, -3, ...) and ends with row 31's (the last
// is 2.0); panel 0 starts with row 0's columns 0..15 (-3, -2, -1, ...).
// CHECK:         packed_1: "0x400000000000803F0000004000004040000040C0{{[0-9A-F]*}}0000803F00000040"
// CHECK-NEXT:    packed: "0x40000000000040C0000000C0000080BF{{[0-9A-F]*}}"
// SMALL-LABEL: func.func @blocked
// SMALL-NOT:     packed
// SMALL:         scf.for %{{.+}} = %c0 to %c32 step %c1
#mA = affine_map<(d0, d1, d2) -> (d0, d2)>
#mB = affine_map<(d0, d1, d2) -> (d2, d1)>
#mC = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @blocked(%a: tensor<5x32xf32>) -> tensor<5x40xf32> {
  %w = arith.constant dense<[[-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0],[2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0],[0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0],[-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0],[3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0],[1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0],[-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0],[-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0],[2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0],[0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0],[-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0],[3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0],[1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0],[-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0],[-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0],[2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0],[0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0],[-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0],[3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0],[1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0],[-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0],[-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0],[2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0],[0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0],[-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0],[3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0],[1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0],[-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0],[-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0],[2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0],[0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0],[-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0,3.0,-3.0,-2.0,-1.0,0.0,1.0,2.0]]> : tensor<32x40xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x40xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<5x40xf32>) -> tensor<5x40xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : tensor<5x32xf32>, tensor<32x40xf32>) outs(%f : tensor<5x40xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<5x40xf32>
  %o = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<5x40xf32>) outs(%e : tensor<5x40xf32>) {
  ^bb0(%x: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %y = arith.maximumf %x, %c0 : f32
    linalg.yield %y : f32
  } -> tensor<5x40xf32>
  return %o : tensor<5x40xf32>
}

// -----

// A computed vector operand (an argument: a conv's activations) larger than half of L2, with a
// second reduction dim of one step (a pointwise conv's kernel window), read once per M tile
// by the unblocked plan (40 rows: 4 tiles of 12): blocked the same way but read where it is,
// not packed (resnet50's 512x28x28 -> 128 convs read their input 32 times otherwise). Blocks
// are one tile wide, and tiles narrow enough for at least 6 blocks, so that threads share
// them evenly: 100 columns in 5 x 2 tiles of 8 lanes (16 columns), 7 blocks in one parallel
// loop, the last (4 columns, a masked read) under the scf.if. The reduction goes in blocks of
// 8 steps (an 8 x 16 block of the operand fills L1's 512 bytes).
// CHECK-LABEL: func.func @blocked_computed
// CHECK-SAME:      %[[A:.+]]: tensor<40x64x1xf32>, %[[X:.+]]: tensor<64x100xf32>
// CHECK-NOT:     packed
// CHECK:         scf.for %[[V0:.+]] = %c0 to %c112 step %c16
// CHECK:           %[[LAST:.+]] = arith.cmpi eq, %[[V0]], %c96
// CHECK:           scf.if %[[LAST]]
// CHECK:             scf.for %{{.+}} = %c0 to %c40 step %c5
// CHECK:               scf.for %[[K:.+]] = %c0 to %c8 step %c1
// CHECK:                 vector.transfer_read %[[X]][%[[K]], %[[V0]]], %{{.+}} : tensor<64x100xf32>, vector<8xf32>
// CHECK:             scf.for %{{.+}} = %c8 to %c56 step %c8
// CHECK:           } else {
// CHECK:             scf.for %{{.+}} = %c0 to %c40 step %c5
// CHECK:               scf.for %[[K:.+]] = %c0 to %c8 step %c1
// CHECK:                 vector.transfer_read %[[X]][%[[K]], %[[V0]]], %{{.+}} {in_bounds = [true]} : tensor<64x100xf32>, vector<8xf32>
// CHECK-COUNT-10:        vector.fma
// CHECK:         } {onnxc.parallel}
// With the default L2 (1 MB) the 25 KB operand fits: no blocks.
// SMALL-LABEL: func.func @blocked_computed
// SMALL-NOT:     scf.if
// SMALL:         scf.for %{{.+}} = %c0 to %c64 step %c1

#mA = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
#mX = affine_map<(d0, d1, d2, d3) -> (d2, d1 + d3)>
#mY = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
func.func @blocked_computed(%a: tensor<40x64x1xf32>, %x: tensor<64x100xf32>) -> tensor<40x100xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<40x100xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<40x100xf32>) -> tensor<40x100xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mX, #mY], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %x : tensor<40x64x1xf32>, tensor<64x100xf32>) outs(%f : tensor<40x100xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<40x100xf32>
  return %r : tensor<40x100xf32>
}

// -----

// The same operand read by one M tile (6 rows): streamed once anyway, not blocked.
// CHECK-LABEL: func.func @computed_one_tile
// CHECK-NOT:     scf.if
// CHECK:         scf.for %{{.+}} = %c0 to %c64 step %c1
#mA = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
#mX = affine_map<(d0, d1, d2, d3) -> (d2, d1 + d3)>
#mY = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
func.func @computed_one_tile(%a: tensor<6x64x1xf32>, %x: tensor<64x100xf32>) -> tensor<6x100xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6x100xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<6x100xf32>) -> tensor<6x100xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mX, #mY], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %x : tensor<6x64x1xf32>, tensor<64x100xf32>) outs(%f : tensor<6x100xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<6x100xf32>
  return %r : tensor<6x100xf32>
}
