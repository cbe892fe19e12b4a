// RUN: %onnx-opt %s -onnx-plan-memory -split-input-file | FileCheck %s
// RUN: %onnx-opt %s -onnx-plan-memory=alignment=16 -split-input-file | FileCheck %s --check-prefix=ALIGN16

// Every static memref.alloc becomes a memref.view into one i8 workspace, appended as the last
// argument; the function gets onnxc.workspace_size. Buffers whose live ranges do not overlap
// share space.

// a (1 KiB) dies when c is allocated: c takes a's offset; b overlaps both.
// CHECK-LABEL: func.func @chain_reuse
// CHECK-SAME:    (%[[IN:.+]]: memref<256xf32>, %[[OUT:.+]]: memref<256xf32>, %[[WS:.+]]: memref<2048xi8>)
// CHECK-SAME:    attributes {onnxc.workspace_size = 2048 : i64}
// CHECK-NOT:     memref.alloc
// CHECK:         %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK:         %[[A:.+]] = memref.view %[[WS]][%[[OFF_A]]][] : memref<2048xi8> to memref<256xf32>
// CHECK:         linalg.copy ins(%[[IN]] : memref<256xf32>) outs(%[[A]] : memref<256xf32>)
// CHECK:         %[[OFF_B:.+]] = arith.constant 1024 : index
// CHECK:         %[[B:.+]] = memref.view %[[WS]][%[[OFF_B]]][] : memref<2048xi8> to memref<256xf32>
// CHECK:         linalg.copy ins(%[[A]] : memref<256xf32>) outs(%[[B]] : memref<256xf32>)
// CHECK:         %[[OFF_C:.+]] = arith.constant 0 : index
// CHECK:         %[[C:.+]] = memref.view %[[WS]][%[[OFF_C]]][] : memref<2048xi8> to memref<256xf32>
// CHECK:         linalg.copy ins(%[[B]] : memref<256xf32>) outs(%[[C]] : memref<256xf32>)
// CHECK:         linalg.copy ins(%[[C]] : memref<256xf32>) outs(%[[OUT]] : memref<256xf32>)
// CHECK-NOT:     memref.alloc
func.func @chain_reuse(%in: memref<256xf32>, %out: memref<256xf32>) {
  %a = memref.alloc() : memref<256xf32>
  linalg.copy ins(%in : memref<256xf32>) outs(%a : memref<256xf32>)
  %b = memref.alloc() : memref<256xf32>
  linalg.copy ins(%a : memref<256xf32>) outs(%b : memref<256xf32>)
  %c = memref.alloc() : memref<256xf32>
  linalg.copy ins(%b : memref<256xf32>) outs(%c : memref<256xf32>)
  linalg.copy ins(%c : memref<256xf32>) outs(%out : memref<256xf32>)
  return
}

// -----

// Placement is largest first: the 256-byte buffer gets offset 0 although the 16-byte one is
// allocated before it; the small one goes at the next aligned offset. Deallocs are dropped.
// CHECK-LABEL: func.func @largest_first
// CHECK-SAME:    %{{.+}}: memref<320xi8>) attributes {onnxc.workspace_size = 320 : i64}
// CHECK:         %[[OFF_S:.+]] = arith.constant 256 : index
// CHECK:         memref.view %{{.+}}[%[[OFF_S]]][] : memref<320xi8> to memref<4xf32>
// CHECK:         %[[OFF_B:.+]] = arith.constant 0 : index
// CHECK:         memref.view %{{.+}}[%[[OFF_B]]][] : memref<320xi8> to memref<64xf32>
// CHECK-NOT:     memref.dealloc
// CHECK:         return
// ALIGN16-LABEL: func.func @largest_first
// ALIGN16-SAME:    memref<272xi8>) attributes {onnxc.workspace_size = 272 : i64}
func.func @largest_first(%in: memref<4xf32>, %out: memref<64xf32>) {
  %small = memref.alloc() : memref<4xf32>
  linalg.copy ins(%in : memref<4xf32>) outs(%small : memref<4xf32>)
  %cst = arith.constant 0.0 : f32
  %big = memref.alloc() : memref<64xf32>
  linalg.fill ins(%cst : f32) outs(%big : memref<64xf32>)
  %sv = memref.subview %big[0] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1]>>
  linalg.copy ins(%small : memref<4xf32>) outs(%sv : memref<4xf32, strided<[1]>>)
  linalg.copy ins(%big : memref<64xf32>) outs(%out : memref<64xf32>)
  memref.dealloc %small : memref<4xf32>
  memref.dealloc %big : memref<64xf32>
  return
}

// -----

// A view of a buffer keeps it alive: %a is read through its collapse_shape after %b is
// allocated, so %b must not reuse %a's bytes.
// CHECK-LABEL: func.func @alias_keeps_alive
// CHECK-SAME:    %[[WS:[^:]+]]: memref<128xi8>) attributes {onnxc.workspace_size = 128 : i64}
// CHECK:         %[[A:.+]] = memref.view %[[WS]][%{{.+}}][] : memref<128xi8> to memref<2x8xf32>
// CHECK:         memref.collapse_shape %[[A]]
// CHECK:         %[[OFF_B:.+]] = arith.constant 64 : index
// CHECK:         memref.view %[[WS]][%[[OFF_B]]][] : memref<128xi8> to memref<16xf32>
// ALIGN16-LABEL: func.func @alias_keeps_alive
// ALIGN16-SAME:    memref<128xi8>) attributes {onnxc.workspace_size = 128 : i64}
func.func @alias_keeps_alive(%in: memref<2x8xf32>, %out: memref<16xf32>, %out2: memref<16xf32>) {
  %a = memref.alloc() : memref<2x8xf32>
  linalg.copy ins(%in : memref<2x8xf32>) outs(%a : memref<2x8xf32>)
  %v = memref.collapse_shape %a [[0, 1]] : memref<2x8xf32> into memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  linalg.copy ins(%out : memref<16xf32>) outs(%b : memref<16xf32>)
  linalg.copy ins(%b : memref<16xf32>) outs(%out2 : memref<16xf32>)
  linalg.copy ins(%v : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}

// -----

// Without the late use of the view, %b reuses %a's offset.
// CHECK-LABEL: func.func @view_dead
// CHECK-SAME:    memref<64xi8>) attributes {onnxc.workspace_size = 64 : i64}
// CHECK:         arith.constant 0 : index
// CHECK:         arith.constant 0 : index
func.func @view_dead(%in: memref<2x8xf32>, %out: memref<16xf32>, %out2: memref<16xf32>) {
  %a = memref.alloc() : memref<2x8xf32>
  linalg.copy ins(%in : memref<2x8xf32>) outs(%a : memref<2x8xf32>)
  %v = memref.collapse_shape %a [[0, 1]] : memref<2x8xf32> into memref<16xf32>
  linalg.copy ins(%v : memref<16xf32>) outs(%out : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.copy ins(%out : memref<16xf32>) outs(%b : memref<16xf32>)
  linalg.copy ins(%b : memref<16xf32>) outs(%out2 : memref<16xf32>)
  return
}

// -----

// A use inside a loop counts at the loop's position.
// CHECK-LABEL: func.func @use_in_loop
// CHECK-SAME:    memref<128xi8>) attributes {onnxc.workspace_size = 128 : i64}
// CHECK:         %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK:         %[[A:.+]] = memref.view %{{.+}}[%[[OFF_A]]][] : memref<128xi8> to memref<16xf32>
// CHECK:         %[[OFF_B:.+]] = arith.constant 64 : index
// CHECK:         %[[B:.+]] = memref.view %{{.+}}[%[[OFF_B]]][] : memref<128xi8> to memref<16xf32>
// CHECK:         scf.for
// CHECK:           memref.load %[[A]]
// CHECK:           memref.store %{{.+}}, %[[B]]
func.func @use_in_loop(%in: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%in : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c16 step %c1 {
    %x = memref.load %a[%i] : memref<16xf32>
    memref.store %x, %b[%i] : memref<16xf32>
  }
  linalg.copy ins(%b : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}

// -----

// No buffers: the workspace argument is still added (one byte), with size 0, so every
// entry point has the same signature.
// CHECK-LABEL: func.func @no_buffers
// CHECK-SAME:    (%{{.+}}: memref<4xf32>, %{{.+}}: memref<4xf32>, %{{.+}}: memref<1xi8>)
// CHECK-SAME:    attributes {onnxc.workspace_size = 0 : i64}
func.func @no_buffers(%in: memref<4xf32>, %out: memref<4xf32>) {
  linalg.copy ins(%in : memref<4xf32>) outs(%out : memref<4xf32>)
  return
}

// -----

// Sizes round up to whole bytes (i1: one byte per element) and the total to the alignment;
// the 5-byte buffer is placed first.
// CHECK-LABEL: func.func @odd_sizes
// CHECK-SAME:    memref<128xi8>) attributes {onnxc.workspace_size = 128 : i64}
// CHECK:         arith.constant 64 : index
// CHECK:         memref.view {{.*}} to memref<3xi1>
// CHECK:         arith.constant 0 : index
// CHECK:         memref.view {{.*}} to memref<5xi8>
// ALIGN16-LABEL: func.func @odd_sizes
// ALIGN16-SAME:    memref<32xi8>) attributes {onnxc.workspace_size = 32 : i64}
func.func @odd_sizes(%m: memref<3xi1>, %n: memref<5xi8>) {
  %a = memref.alloc() : memref<3xi1>
  %b = memref.alloc() : memref<5xi8>
  memref.copy %m, %a : memref<3xi1> to memref<3xi1>
  memref.copy %n, %b : memref<5xi8> to memref<5xi8>
  memref.copy %a, %m : memref<3xi1> to memref<3xi1>
  return
}

// -----

// A buffer used only inside a loop nest (the vector kernels) lives until the loop ends, and a
// buffer carried through a loop is the loop's result: neither may share space with a buffer
// allocated while they are in use.
// CHECK-LABEL: func.func @loops
// CHECK-SAME:    attributes {onnxc.workspace_size = 2048 : i64}
// CHECK:         memref.view %{{.+}}[%{{.+}}][] : memref<2048xi8> to memref<256xf32>
// CHECK:         %[[OFF_B:.+]] = arith.constant 1024 : index
// CHECK:         memref.view %{{.+}}[%[[OFF_B]]][] : memref<2048xi8> to memref<256xf32>
func.func @loops(%in: memref<256xf32>, %out: memref<256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<256xf32>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%buf = %a) -> (memref<256xf32>) {
    linalg.copy ins(%in : memref<256xf32>) outs(%buf : memref<256xf32>)
    scf.yield %buf : memref<256xf32>
  }
  %b = memref.alloc() : memref<256xf32>
  linalg.copy ins(%in : memref<256xf32>) outs(%b : memref<256xf32>)
  scf.for %i = %c0 to %c4 step %c1 {
    linalg.add ins(%r, %b : memref<256xf32>, memref<256xf32>) outs(%out : memref<256xf32>)
  }
  return
}

// -----

// A buffer inside a loop body takes one place for the whole loop (each iteration reuses it):
// it must not share space with the carried buffer %acc, which is live across the loop, but
// %before (dead before the loop) and %after (born after it) may share with it.
// CHECK-LABEL: func.func @loop_body_buffer
// CHECK-SAME:    %[[WS:[^:]+]]: memref<128xi8>
// CHECK-SAME:    attributes {onnxc.workspace_size = 128 : i64}
// CHECK:         arith.constant 0 : index
// CHECK:         memref.view %[[WS]]
// CHECK:         %[[ACC_OFF:.+]] = arith.constant 64 : index
// CHECK:         memref.view %[[WS]][%[[ACC_OFF]]][] : memref<128xi8> to memref<16xf32>
// CHECK:         scf.for
// CHECK:           %[[T_OFF:.+]] = arith.constant 0 : index
// CHECK:           memref.view %[[WS]][%[[T_OFF]]][] : memref<128xi8> to memref<16xf32>
// CHECK:         %[[AFTER_OFF:.+]] = arith.constant 0 : index
// CHECK:         memref.view %[[WS]][%[[AFTER_OFF]]]
// CHECK-NOT:     memref.alloc
func.func @loop_body_buffer(%in: memref<16xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %before = memref.alloc() : memref<16xf32>
  linalg.copy ins(%in : memref<16xf32>) outs(%before : memref<16xf32>)
  %acc = memref.alloc() : memref<16xf32>
  linalg.copy ins(%before : memref<16xf32>) outs(%acc : memref<16xf32>)
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloc() : memref<16xf32>
    linalg.copy ins(%acc : memref<16xf32>) outs(%t : memref<16xf32>)
    linalg.copy ins(%t : memref<16xf32>) outs(%acc : memref<16xf32>)
  }
  %after = memref.alloc() : memref<16xf32>
  linalg.copy ins(%acc : memref<16xf32>) outs(%after : memref<16xf32>)
  linalg.copy ins(%after : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}

// -----

// A buffer in a loop body sized by a dim counted from data in that body (a Slice whose
// starts are read from the iteration, marked with its bound `onnxc.data_bound`): its place,
// reserved before the loop, is sized from the bound (10 floats), and each iteration views it
// with its own size.
// CHECK-LABEL: func.func @bounded_in_loop
// CHECK-SAME:    %[[WS:[^:]+]]: memref<1xi8>
// CHECK:         %[[C10:.+]] = arith.constant 10 : index
// CHECK:         %[[OFF:.+]] = arith.constant 0 : index
// CHECK:         %[[C4:.+]] = arith.constant 4 : index
// CHECK:         %[[BYTES:.+]] = arith.muli %[[C4]], %[[C10]] : index
// CHECK:         arith.addi %[[OFF]], %[[BYTES]] : index
// CHECK:         scf.for
// CHECK:           %[[N:.+]] = arith.minui %{{.+}}, %[[C10]] {onnxc.data_bound} : index
// CHECK:           memref.view %[[WS]][%[[OFF]]][%[[N]]] : memref<1xi8> to memref<?xf32>
// CHECK:         arith.addi %{{.+}}, %{{.+}} {onnxc.workspace_total} : index
func.func @bounded_in_loop(%x: memref<4xi64>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %cst = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %l = memref.load %x[%i] : memref<4xi64>
    %k = arith.index_cast %l : i64 to index
    %n = arith.minui %k, %c10 {onnxc.data_bound} : index
    %t = memref.alloc(%n) : memref<?xf32>
    linalg.fill ins(%cst : f32) outs(%t : memref<?xf32>)
    %v = memref.load %t[%c0] : memref<?xf32>
    memref.store %v, %out[%i] : memref<4xf32>
  }
  return
}
