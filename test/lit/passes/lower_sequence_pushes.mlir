// RUN: %onnx-opt %s -pass-pipeline='builtin.module(onnx-lower-sequence-pushes)' -split-input-file -verify-diagnostics | FileCheck %s

// A tensor appended to a Loop-carried sequence (onnx.SequencePush on its buffer, any strided
// view) becomes the runtime stub's call with addresses as i64: the record is the address of
// the out-param argument `record` names, the data the view's first element (aligned base +
// offset x 4 bytes), then the element size, the rank, and an alloca made once at the entry
// with the dims then the strides.

// CHECK-LABEL: func.func private @onnxc_rt_sequence_push(i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @main_graph
// CHECK-SAME:    (%[[X:.+]]: memref<4x6xf32>, %[[REC:.+]]: memref<0xi8>, %[[N:.+]]: index)
// CHECK-NEXT:    %[[META:.+]] = memref.alloca() : memref<4xi64>
// CHECK:         scf.for
// CHECK:           %[[V:.+]] = memref.subview %[[X]]
// CHECK:           %{{.+}}, %[[OFF:.+]], %[[SIZES:.+]]:2, %[[STRIDES:.+]]:2 = memref.extract_strided_metadata %[[V]]
// CHECK:           %[[S0:.+]] = arith.index_cast %[[SIZES]]#0 : index to i64
// CHECK:           memref.store %[[S0]], %[[META]][%{{.+}}] : memref<4xi64>
// CHECK:           %[[T1:.+]] = arith.index_cast %[[STRIDES]]#1 : index to i64
// CHECK:           memref.store %[[T1]], %[[META]][%{{.+}}] : memref<4xi64>
// CHECK:           %[[BASE:.+]] = memref.extract_aligned_pointer_as_index %[[V]]
// CHECK:           %[[BASE64:.+]] = arith.index_cast %[[BASE]] : index to i64
// CHECK:           %[[OFF64:.+]] = arith.index_cast %[[OFF]] : index to i64
// CHECK:           %[[C4:.+]] = arith.constant 4 : i64
// CHECK:           %[[BYTES:.+]] = arith.muli %[[OFF64]], %[[C4]] : i64
// CHECK:           %[[DATA:.+]] = arith.addi %[[BASE64]], %[[BYTES]] : i64
// CHECK:           %[[R:.+]] = memref.extract_aligned_pointer_as_index %[[REC]]
// CHECK:           %[[R64:.+]] = arith.index_cast %[[R]] : index to i64
// CHECK:           %[[M:.+]] = memref.extract_aligned_pointer_as_index %[[META]]
// CHECK:           %[[M64:.+]] = arith.index_cast %[[M]] : index to i64
// CHECK:           call @onnxc_rt_sequence_push(%[[R64]], %[[DATA]], %{{.+}}, %{{.+}}, %[[M64]]) : (i64, i64, i64, i64, i64) -> ()
// CHECK-NOT:       onnx.SequencePush
func.func @main_graph(%x: memref<4x6xf32>, %rec: memref<0xi8>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.subview %x[1, 1] [%i, 3] [1, 2] : memref<4x6xf32> to memref<?x3xf32, strided<[6, 2], offset: 7>>
    onnx.SequencePush %v {record = 1 : i64} : memref<?x3xf32, strided<[6, 2], offset: 7>>
  }
  return
}

// -----

func.func @main_graph(%x: memref<4xf32>) {
  // expected-error @+1 {{sequence push: needs a buffer and an out-param record argument (argument 3)}}
  onnx.SequencePush %x {record = 3 : i64} : memref<4xf32>
  return
}

// -----

// A reset (an If branch replaced the carried sequence) passes only the record.
// CHECK-LABEL: func.func private @onnxc_rt_sequence_reset(i64)
// CHECK-LABEL: func.func @reset
// CHECK-SAME:    (%[[REC:.+]]: memref<0xi8>)
// CHECK:         %[[R:.+]] = memref.extract_aligned_pointer_as_index %[[REC]]
// CHECK:         %[[R64:.+]] = arith.index_cast %[[R]] : index to i64
// CHECK:         call @onnxc_rt_sequence_reset(%[[R64]]) : (i64) -> ()
func.func @reset(%rec: memref<0xi8>) {
  %empty = memref.alloca() : memref<0xi8>
  onnx.SequencePush %empty {onnxc.reset, record = 0 : i64} : memref<0xi8>
  return
}
