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
