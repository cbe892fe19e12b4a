// RUN: %onnx-opt %s -onnx-gpu-map-kernels -split-input-file | FileCheck %s

// A static f32 matmul becomes the shared-memory tiled kernel: 16x16 threads, tiles of A and
// B in workgroup memory, a barrier after staging them and one after using them. The fill
// stays a parallel loop: one thread per element on a 1-D grid of 256-thread blocks.
// CHECK-LABEL: func.func @main_graph
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}) threads({{.*}}) in ({{.*}} = %c256
// CHECK:           memref.store %{{.*}}, %arg1
// CHECK:         gpu.launch blocks({{.*}}) threads({{.*}}) in ({{.*}} = %c16{{.*}}, {{.*}} = %c16
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
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %[[ONE:.*]], {{.*}} = %[[ONE]], {{.*}} = %[[ONE]]) threads({{.*}}) in ({{.*}} = %[[ONE]], {{.*}} = %[[ONE]], {{.*}} = %[[ONE]])
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
