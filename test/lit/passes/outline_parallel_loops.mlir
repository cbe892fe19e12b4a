// RUN: %onnx-opt %s -onnx-outline-parallel-loops -split-input-file | FileCheck %s
// RUN: %onnx-opt %s -onnx-outline-parallel-loops=min-work=100000000 -split-input-file | FileCheck %s --check-prefix=SMALL

// Large loops whose iterations are independent (scf.parallel, or scf.for marked by the vector
// kernels) become calls of outlined functions over [begin, end) of their outermost dim. The
// workspace view is re-created inside; the captures are the function's buffer arguments.
// Unmarked scf.for loops (possibly carrying a dependence) and small loops stay in place.

// CHECK-LABEL: func.func @main_graph
// CHECK-SAME:    (%[[IN:.+]]: memref<64x256xf32>, %[[OUT:.+]]: memref<64x256xf32>, %[[WS:.+]]: memref<65536xi8>)
// CHECK:         %[[N0:c64_.+]] = arith.constant 64 : index
// CHECK:         %[[Z0:c0_.+]] = arith.constant 0 : index
// CHECK:         call @__onnxc_par_0(%[[Z0]], %[[N0]], %[[IN]], %[[WS]])
// CHECK:         %[[N1:c32.*]] = arith.constant 32 : index
// CHECK:         %[[Z1:c0_.+]] = arith.constant 0 : index
// CHECK:         call @__onnxc_par_1(%[[Z1]], %[[N1]], %[[WS]], %[[OUT]])
// CHECK:         scf.for
// CHECK-NOT:       onnxc.parallel
// CHECK:         scf.parallel (%{{.+}}) = (%{{.+}}) to (%{{.+}}) step
// CHECK:         return

// The scf.parallel: its first dim split, the second an inner scf.parallel.
// CHECK-LABEL: func.func private @__onnxc_par_0
// CHECK-SAME:    (%[[B:.+]]: index, %[[E:.+]]: index, %[[PIN:.+]]: memref<64x256xf32>, %[[PWS:.+]]: memref<65536xi8>)
// The iteration number is clamped to the last one (63): LLVM then knows the rows an
// iteration can touch and tells the input from the output views apart.
// CHECK:         %[[V:.+]] = memref.view %[[PWS]]
// CHECK:         %[[LAST:.+]] = arith.constant 63 : index
// CHECK:         scf.for %[[K:.+]] = %[[B]] to %[[E]]
// CHECK:           %[[KK:.+]] = arith.minui %[[K]], %[[LAST]]
// CHECK:           arith.muli %[[KK]]
// CHECK:           %[[IV:.+]] = arith.addi
// CHECK:           scf.parallel (%[[J:.+]]) =
// CHECK:             memref.load %[[PIN]][%[[IV]], %[[J]]]
// CHECK:             memref.store %{{.+}}, %[[V]][%[[IV]], %[[J]]]

// The marked scf.for with step 2: iteration k is row 2k.
// CHECK-LABEL: func.func private @__onnxc_par_1
// CHECK:         %[[C2:.+]] = arith.constant 2 : index
// CHECK:         scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step
// CHECK:           %[[KK:.+]] = arith.minui %[[K]], %{{.+}}
// CHECK:           %[[M:.+]] = arith.muli %[[KK]], %[[C2]]
// CHECK:           arith.addi %{{.+}}, %[[M]]

// SMALL-NOT: call @__onnxc_par
// SMALL-NOT: onnxc.parallel

func.func @main_graph(%in: memref<64x256xf32>, %out: memref<64x256xf32>, %ws: memref<65536xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %cst = arith.constant 1.0 : f32
  %tmp = memref.view %ws[%c0][] : memref<65536xi8> to memref<64x256xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c256) step (%c1, %c1) {
    %x = memref.load %in[%i, %j] : memref<64x256xf32>
    %y = arith.addf %x, %cst : f32
    memref.store %y, %tmp[%i, %j] : memref<64x256xf32>
    scf.reduce
  }
  scf.for %i = %c0 to %c64 step %c2 {
    scf.for %j = %c0 to %c256 step %c1 {
      %x = memref.load %tmp[%i, %j] : memref<64x256xf32>
      memref.store %x, %out[%i, %j] : memref<64x256xf32>
    }
  } {onnxc.parallel}
  scf.for %i = %c0 to %c64 step %c1 {
    %x = memref.load %tmp[%i, %c0] : memref<64x256xf32>
    memref.store %x, %out[%i, %c1] : memref<64x256xf32>
  }
  scf.parallel (%i) = (%c0) to (%c2) step (%c1) {
    %x = memref.load %in[%i, %c0] : memref<64x256xf32>
    memref.store %x, %out[%i, %c0] : memref<64x256xf32>
    scf.reduce
  }
  return
}

// -----

// A leading dim of one iteration (batch 1) is not the one split: the next dim is.
// CHECK-LABEL: func.func @batch_of_one
// CHECK:         %[[N:c64_.*]] = arith.constant 64 : index
// CHECK:         call @__onnxc_par_0(%{{.+}}, %[[N]],
// CHECK-LABEL: func.func private @__onnxc_par_0
// CHECK:         scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step
// CHECK:           %[[C:.+]] = arith.addi
// CHECK:           scf.parallel (%[[J:.+]]) =
// CHECK:             memref.load %{{.+}}[%{{.+}}, %[[C]], %[[J]]]
func.func @batch_of_one(%in: memref<1x64x256xf32>, %out: memref<1x64x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  scf.parallel (%n, %i, %j) = (%c0, %c0, %c0) to (%c1, %c64, %c256) step (%c1, %c1, %c1) {
    %x = memref.load %in[%n, %i, %j] : memref<1x64x256xf32>
    memref.store %x, %out[%n, %i, %j] : memref<1x64x256xf32>
    scf.reduce
  }
  return
}
