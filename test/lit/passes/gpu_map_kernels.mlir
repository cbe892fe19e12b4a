// RUN: %onnx-opt %s -onnx-gpu-map-kernels -split-input-file | FileCheck %s

// A static f32 matmul becomes the shared-memory tiled kernel: 16x16 threads, tiles of A and
// B in workgroup memory, a barrier after staging them and one after using them. The fill
// stays a parallel loop: one thread per element on a 1-D grid of 256-thread blocks.
// CHECK-LABEL: func.func @main_graph
// CHECK:         gpu.launch blocks({{.*}}) threads({{.*}}) in ({{%[a-z0-9]+}} = %c256
// CHECK:           arith.cmpi ult
// CHECK:           memref.store %{{.*}}, %arg2
// CHECK:         gpu.launch blocks({{.*}}) in ({{%[a-z0-9]+}} = %c2, {{%[a-z0-9]+}} = %c3, {{.*}}) threads({{.*}}) in ({{%[a-z0-9]+}} = %c16, {{%[a-z0-9]+}} = %c16,
// CHECK-SAME:      workgroup(%[[AS:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for
// CHECK:             memref.store %{{.*}}, %[[AS]]
// CHECK:             memref.store %{{.*}}, %[[BS]]
// CHECK:             gpu.barrier
// CHECK:             scf.for
// CHECK:               memref.load %[[AS]]
// CHECK:               memref.load %[[BS]]
// CHECK:               math.fma
// CHECK:             gpu.barrier
// CHECK-NOT:     linalg.
// CHECK:         return
func.func @main_graph(%a: memref<33x20xf32>, %b: memref<20x17xf32>, %c: memref<33x17xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<33x17xf32>)
  linalg.matmul ins(%a, %b : memref<33x20xf32>, memref<20x17xf32>) outs(%c : memref<33x17xf32>)
  return
}

// -----

// Sequential code (a loop carrying a value) runs in a one-thread kernel; a value it defines
// and a later op uses pulls that op into the same kernel. The view stays on the host.
// CHECK-LABEL: func.func @main_graph
// CHECK:         memref.view
// CHECK:         %[[ONE:[a-z0-9_]+]] = arith.constant 1 : index
// CHECK:         gpu.launch blocks({{.*}}) in ({{%[a-z0-9]+}} = %[[ONE]], {{%[a-z0-9]+}} = %[[ONE]], {{%[a-z0-9]+}} = %[[ONE]]) threads({{.*}}) in ({{%[a-z0-9]+}} = %[[ONE]], {{%[a-z0-9]+}} = %[[ONE]], {{%[a-z0-9]+}} = %[[ONE]])
// CHECK:           scf.for
// CHECK:           memref.store
// CHECK:           gpu.terminator
// CHECK-NOT:     gpu.launch
// CHECK:         return
func.func @main_graph(%x: memref<8xf32>, %y: memref<f32>, %ws: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %v = memref.view %ws[%c0][] : memref<64xi8> to memref<f32>
  %s = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %e = memref.load %x[%i] : memref<8xf32>
    %n = arith.addf %acc, %e : f32
    scf.yield %n : f32
  }
  memref.store %s, %y[] : memref<f32>
  return
}

// -----

// A reduction whose reduction loop comes first still runs one thread per output element:
// the parallel dim moves outward before the loops are made (never an outer sequential loop
// around a parallel one, which would run as one thread).
// CHECK-LABEL: func.func @main_graph
// CHECK:         gpu.launch blocks({{.*}}) threads({{.*}}) in ({{%[a-z0-9]+}} = %c256
// CHECK:           scf.if
// CHECK:             scf.for {{.*}} to %c6
// CHECK:               arith.addf
// CHECK-NOT:     gpu.launch
// CHECK:         return
#red_in = affine_map<(r, p) -> (r, p)>
#red_out = affine_map<(r, p) -> (p)>
func.func @main_graph(%x: memref<6x5xf32>, %y: memref<5xf32>) {
  linalg.generic {indexing_maps = [#red_in, #red_out], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<6x5xf32>) outs(%y : memref<5xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A sequential loop over static bounds whose body is linalg ops and copies (an RNN's time
// loop) stays on the host: each iteration launches the body's kernels, which read the
// induction variable's subviews as arguments.
// CHECK-LABEL: func.func @main_graph
// CHECK:         scf.for %[[I:.*]] = %c0 to %c5 step %c1 {
// CHECK:           memref.subview %{{.*}}[%[[I]], 0]
// CHECK:           gpu.launch
// CHECK:             arith.addf
// CHECK:             gpu.terminator
// CHECK:           gpu.launch
// CHECK:             memref.store
// CHECK:             gpu.terminator
// CHECK:         }
// CHECK-NOT:     linalg.
// CHECK:         return
func.func @main_graph(%x: memref<5x3xf32>, %y: memref<5x3xf32>, %ws: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %h = memref.view %ws[%c0][] : memref<64xi8> to memref<3xf32>
  scf.for %i = %c0 to %c5 step %c1 {
    %xi = memref.subview %x[%i, 0] [1, 3] [1, 1] : memref<5x3xf32> to memref<3xf32, strided<[1], offset: ?>>
    %yi = memref.subview %y[%i, 0] [1, 3] [1, 1] : memref<5x3xf32> to memref<3xf32, strided<[1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"]}
        ins(%xi : memref<3xf32, strided<[1], offset: ?>>) outs(%h : memref<3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %s = arith.addf %in, %out : f32
      linalg.yield %s : f32
    }
    memref.copy %h, %yi : memref<3xf32> to memref<3xf32, strided<[1], offset: ?>>
  }
  return
}

// -----

// A loop whose trip count is read from memory cannot run on the host: it becomes one
// one-thread kernel, its nested linalg op and copy lowered to plain loops (no linalg op, no
// memref.copy, which has no device lowering, reaches the kernel).
// CHECK-LABEL: func.func @main_graph
// CHECK:         gpu.launch
// CHECK:           memref.load
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               arith.addf
// CHECK:             scf.for
// CHECK:               memref.store
// CHECK:           gpu.terminator
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     linalg.
// CHECK-NOT:     memref.copy
// CHECK:         return
func.func @main_graph(%n: memref<index>, %x: memref<3xf32>, %y: memref<3xf32>, %ws: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h = memref.view %ws[%c0][] : memref<64xi8> to memref<3xf32>
  %trips = memref.load %n[] : memref<index>
  scf.for %i = %c0 to %trips step %c1 {
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"]}
        ins(%x : memref<3xf32>) outs(%h : memref<3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %s = arith.addf %in, %out : f32
      linalg.yield %s : f32
    }
    memref.copy %h, %y : memref<3xf32> to memref<3xf32>
  }
  return
}

// -----

// A convolution (the linalg.generic Conv lowers to: n, g, f, oh, ow parallel; c, kh, kw
// reductions; the input read at (oh * 2 + kh, ow * 2 + kw)) is an implicit GEMM: the same
// shared-memory tiles, the input's elements read through the op's indexing map (no im2col
// buffer). n, oh, ow (only the input reads them) hold the output's innermost dim, so they run
// along x: 2 * 3 * 3 = 18 positions, 2 blocks; f (only the filter reads it) along y: 4, one
// block; the group g on z.
// CHECK-LABEL: func.func @main_graph
// CHECK:         gpu.launch blocks({{.*}}) in ({{%[a-z0-9]+}} = %c2, {{%[a-z0-9]+}} = %c1{{(_[0-9]+)?}}, {{%[a-z0-9]+}} = %c1{{(_[0-9]+)?}}) threads({{.*}}) in ({{%[a-z0-9]+}} = %c16, {{%[a-z0-9]+}} = %c16,
// CHECK-SAME:      workgroup(%[[YS:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[XS:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for
// CHECK:             memref.load %arg1
// CHECK:             memref.store %{{.*}}, %[[YS]]
// CHECK:             affine.apply
// CHECK:             memref.load %arg0
// CHECK:             memref.store %{{.*}}, %[[XS]]
// CHECK:             gpu.barrier
// CHECK:             scf.for
// CHECK:               math.fma
// CHECK:             gpu.barrier
// CHECK:           memref.store %{{.*}}, %arg2
// CHECK-NOT:     linalg.
// CHECK:         return
func.func @main_graph(%x: memref<2x1x3x7x7xf32>, %w: memref<1x4x3x3x3xf32>, %y: memref<2x1x4x3x3xf32>) {
  linalg.generic {indexing_maps = [
      affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, c, oh * 2 + kh, ow * 2 + kw)>,
      affine_map<(n, g, f, oh, ow, c, kh, kw) -> (g, f, c, kh, kw)>,
      affine_map<(n, g, f, oh, ow, c, kh, kw) -> (n, g, f, oh, ow)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel",
                        "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<2x1x3x7x7xf32>, memref<1x4x3x3x3xf32>) outs(%y : memref<2x1x4x3x3xf32>) {
  ^bb0(%in: f32, %k: f32, %out: f32):
    %p = arith.mulf %in, %k : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A depthwise convolution (the channel read by both inputs, nothing read by the filter
// alone) would idle 15 of 16 threads in a 16x16 tile: it keeps one thread per output element.
// CHECK-LABEL: func.func @main_graph
// CHECK-NOT:     workgroup
// CHECK:         gpu.launch
// CHECK-NOT:     gpu.barrier
// CHECK:         return
func.func @main_graph(%x: memref<1x8x6x6xf32>, %w: memref<8x3x3xf32>, %y: memref<1x8x4x4xf32>) {
  linalg.generic {indexing_maps = [
      affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh + kh, ow + kw)>,
      affine_map<(n, c, oh, ow, kh, kw) -> (c, kh, kw)>,
      affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x6x6xf32>, memref<8x3x3xf32>) outs(%y : memref<1x8x4x4xf32>) {
  ^bb0(%in: f32, %k: f32, %out: f32):
    %p = arith.mulf %in, %k : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Few output tiles and a long K (5x18 outputs, K = 700): 4 slices of the block each take
// every 4th step of K over 16 / 4 = 4 rows (grid 2 x 2), with one 16x16 tile of the x
// operand per slice (64x16 in shared memory); after the loop the slices' partial sums meet
// in shared memory and the first slice adds them in slice order and stores.
// CHECK-LABEL: func.func @main_graph
// CHECK:         gpu.launch blocks({{.*}}) in ({{%[a-z0-9]+}} = %c2, {{%[a-z0-9]+}} = %c2{{(_[0-9]+)?}}, {{.*}}) threads({{.*}}) in ({{%[a-z0-9]+}} = %c16, {{%[a-z0-9]+}} = %c16,
// CHECK-SAME:      workgroup(%[[YS:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[XS:.*]] : memref<64x16xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c700 step %c64
// CHECK-COUNT-4:     memref.store %{{.*}}, %[[XS]]
// CHECK:             gpu.barrier
// CHECK:             math.fma
// CHECK:             gpu.barrier
// CHECK:           memref.store %{{.*}}, %[[XS]]
// CHECK:           gpu.barrier
// CHECK:           scf.if
// CHECK-COUNT-3:     arith.addf
// CHECK:           memref.store %{{.*}}, %arg2
// CHECK:         return
func.func @main_graph(%a: memref<5x700xf32>, %b: memref<700x18xf32>, %c: memref<5x18xf32>) {
  linalg.matmul ins(%a, %b : memref<5x700xf32>, memref<700x18xf32>) outs(%c : memref<5x18xf32>)
  return
}

// -----

// Softmax over rows (max, exp(x - max), sum, divide) works row by row over the leading dim:
// one kernel with a block of 128 threads per row (64 rows), the four ops in order between
// barriers. The reductions over the row loop inside one thread; the elementwise ops spread
// the row's 96 elements over the threads.
// CHECK-LABEL: func.func @main_graph
// CHECK-COUNT-1: gpu.launch blocks({{.*}}) in ({{%[a-z0-9]+}} = %c64{{(_[0-9]+)?}}, {{.*}}) threads({{.*}}) in ({{%[a-z0-9]+}} = %c128
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c1{{(_[0-9]+)?}} step %c128
// CHECK:             scf.for
// CHECK:               arith.maximumf
// CHECK:           gpu.barrier
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c96{{(_[0-9]+)?}} step %c128
// CHECK:             math.exp
// CHECK:           gpu.barrier
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               arith.addf
// CHECK:           gpu.barrier
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c96{{(_[0-9]+)?}} step %c128
// CHECK:             arith.divf
// CHECK-NOT:     gpu.launch
// CHECK:         return
#row = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
func.func @main_graph(%x: memref<64x96xf32>, %y: memref<64x96xf32>, %ws: memref<1024xi8>) {
  %c0 = arith.constant 0 : index
  %c256 = arith.constant 256 : index
  %m = memref.view %ws[%c0][] : memref<1024xi8> to memref<64xf32>
  %s = memref.view %ws[%c256][] : memref<1024xi8> to memref<64xf32>
  linalg.generic {indexing_maps = [#row, #red], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x96xf32>) outs(%m : memref<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %out : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#row, #red, #row], iterator_types = ["parallel", "parallel"]}
      ins(%x, %m : memref<64x96xf32>, memref<64xf32>) outs(%y : memref<64x96xf32>) {
  ^bb0(%in: f32, %mx: f32, %out: f32):
    %d = arith.subf %in, %mx : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [#row, #red], iterator_types = ["parallel", "reduction"]}
      ins(%y : memref<64x96xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#row, #red, #row], iterator_types = ["parallel", "parallel"]}
      ins(%y, %s : memref<64x96xf32>, memref<64xf32>) outs(%y : memref<64x96xf32>) {
  ^bb0(%in: f32, %sum: f32, %out: f32):
    %q = arith.divf %in, %sum : f32
    linalg.yield %q : f32
  }
  return
}

// -----

// The same ops where the sums' buffer overlaps the input's rows at another offset (a memory
// plan reusing bytes): block R would write bytes that block R' still reads, so the ops keep
// their own kernels.
// CHECK-LABEL: func.func @main_graph
// CHECK-COUNT-2: gpu.launch
// CHECK-NOT:     gpu.barrier
// CHECK:         return
#row2 = affine_map<(d0, d1) -> (d0, d1)>
#red2 = affine_map<(d0, d1) -> (d0)>
func.func @main_graph(%y: memref<64x96xf32>, %ws: memref<32768xi8>) {
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  %x = memref.view %ws[%c0][] : memref<32768xi8> to memref<64x96xf32>
  %s = memref.view %ws[%c128][] : memref<32768xi8> to memref<64xf32>
  linalg.generic {indexing_maps = [#row2, #red2], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x96xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#row2, #red2, #row2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : memref<64x96xf32>, memref<64xf32>) outs(%y : memref<64x96xf32>) {
  ^bb0(%in: f32, %sum: f32, %out: f32):
    %q = arith.divf %in, %sum : f32
    linalg.yield %q : f32
  }
  return
}
