// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// onnx.Recurrent -> scf.for over the time steps, bounded by the gates' sequence dim (known
// only at run time here). Per step: the step's slice of the hoisted input projection, the
// recurrent matmul into a zero fill, one elementwise generic for the cell (its gates are
// slices of those, views once bufferized); the new states are
// written back into the loop's own state tensors and the output row into row iv of Y.
// CHECK-LABEL: func.func @lstm_runtime_seq
// CHECK:         %[[SEQ:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x2x16xf32>
// CHECK:         %[[H:.+]] = bufferization.alloc_tensor() copy(%arg2) : tensor<2x4xf32>
// CHECK:         %[[C:.+]] = bufferization.alloc_tensor() copy(%arg3) : tensor<2x4xf32>
// CHECK:         %[[Y0:.+]] = tensor.empty(%[[SEQ]]) : tensor<?x2x4xf32>
// CHECK:         %[[L:.+]]:3 = scf.for %[[IV:.+]] = %{{.+}} to %[[SEQ]] step %{{.+}} iter_args(%[[HA:.+]] = %[[H]], %[[CA:.+]] = %[[C]], %[[YA:.+]] = %[[Y0]])
// CHECK:           %[[XG:.+]] = tensor.extract_slice %arg0[%[[IV]], 0, 0] [1, 2, 16] [1, 1, 1] : tensor<?x2x16xf32> to tensor<2x16xf32>
// CHECK:           %[[Z:.+]] = linalg.fill {{.+}} -> tensor<2x16xf32>
// CHECK:           %[[HR:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[HA]], %arg1 : tensor<2x4xf32>, tensor<4x16xf32>) outs(%[[Z]] : tensor<2x16xf32>)
// CHECK:           %[[XI:.+]] = tensor.extract_slice %[[XG]][0, 0] [2, 4] [1, 1]
// CHECK:           %[[HI:.+]] = tensor.extract_slice %[[HR]][0, 0] [2, 4] [1, 1]
// CHECK:           %[[XO:.+]] = tensor.extract_slice %[[XG]][0, 4] [2, 4] [1, 1]
// CHECK:           %[[HO:.+]] = tensor.extract_slice %[[HR]][0, 4] [2, 4] [1, 1]
// CHECK:           %[[CELL:.+]]:3 = linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[HA]], %[[XI]], %[[HI]], %[[XO]], %[[HO]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[CA]] :
// CHECK:             math.exp
// CHECK:             math.tanh
// CHECK:           %[[HN:.+]] = bufferization.materialize_in_destination %[[CELL]]#0 in %[[HA]]
// CHECK:           %[[CN:.+]] = bufferization.materialize_in_destination %[[CELL]]#1 in %[[CA]]
// CHECK:           %[[YN:.+]] = tensor.insert_slice %[[CELL]]#2 into %[[YA]][%[[IV]], 0, 0] [1, 2, 4] [1, 1, 1]
// CHECK:           scf.yield %[[HN]], %[[CN]], %[[YN]]
// CHECK:         return %[[L]]#2, %[[L]]#0, %[[L]]#1
func.func @lstm_runtime_seq(%g: tensor<?x2x16xf32>, %r: tensor<4x16xf32>, %h0: tensor<2x4xf32>,
                            %c0: tensor<2x4xf32>)
    -> (tensor<?x2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %y, %h, %c = "onnx.Recurrent"(%g, %r, %h0, %c0) <{activations = ["Sigmoid", "Tanh", "Tanh"],
      cell = "LSTM", operandSegmentSizes = array<i32: 1, 1, 0, 1, 1, 0, 0>}>
      : (tensor<?x2x16xf32>, tensor<4x16xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
      -> (tensor<?x2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
  return %y, %h, %c : tensor<?x2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Reverse with sequence_lens, run-time batch: step iv works on time seq - 1 - iv; the mask
// compares it with the entry's length (the state is kept, the output is zero past it). The
// states start from zeros when no initial state is given. GRU without linear_before_reset:
// r * h goes through its own matmul with the h columns of R^T.
// CHECK-LABEL: func.func @gru_reverse_lens
// CHECK:         %[[SEQ:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x?x12xf32>
// CHECK:         %[[B:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x?x12xf32>
// CHECK:         %[[E:.+]] = tensor.empty(%[[B]]) : tensor<?x4xf32>
// CHECK:         %[[H:.+]] = linalg.fill {{.+}} outs(%[[E]] : tensor<?x4xf32>)
// CHECK:         %[[RH:.+]] = tensor.extract_slice %arg1[0, 8] [4, 4] [1, 1] : tensor<4x12xf32> to tensor<4x4xf32>
// CHECK:         %[[RZR:.+]] = tensor.extract_slice %arg1[0, 0] [4, 8] [1, 1] : tensor<4x12xf32> to tensor<4x8xf32>
// CHECK:         scf.for %[[IV:.+]] = %{{.+}} to %[[SEQ]] step %{{.+}} iter_args(%{{.+}} = %[[H]],
// CHECK:           %[[LAST:.+]] = arith.subi %[[SEQ]], %{{.+}}
// CHECK:           %[[T:.+]] = arith.subi %[[LAST]], %[[IV]]
// CHECK:           tensor.extract_slice %arg0[%[[T]], 0, 0] [1, %[[B]], 12]
// CHECK:           linalg.generic {{.+}} ins(%{{.+}}, %[[RZR]] : tensor<?x4xf32>, tensor<4x8xf32>)
// CHECK:           %[[T64:.+]] = arith.index_cast %[[T]] : index to i64
// CHECK:           %[[ZR:.+]]:2 = linalg.generic
// CHECK:           linalg.generic {{.+}} ins(%[[ZR]]#1, %[[RH]] : tensor<?x4xf32>, tensor<4x4xf32>)
// CHECK:           linalg.generic
// CHECK-SAME:        ins({{.+}}, %arg2 : {{.+}}, tensor<?xi64>)
// CHECK:             %[[LIVE:.+]] = arith.cmpi slt, %[[T64]], %{{.+}} : i64
// CHECK:             arith.select %[[LIVE]]
// CHECK:             arith.select %[[LIVE]]
// CHECK:           tensor.insert_slice {{.+}}[%[[T]], 0, 0] [1, %[[B]], 4] [1, 1, 1]
func.func @gru_reverse_lens(%g: tensor<?x?x12xf32>, %r: tensor<4x12xf32>, %lens: tensor<?xi64>)
    -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %y, %h = "onnx.Recurrent"(%g, %r, %lens) <{activations = ["Sigmoid", "Tanh"], cell = "GRU",
      reverse = true, operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 1>}>
      : (tensor<?x?x12xf32>, tensor<4x12xf32>, tensor<?xi64>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %y, %h : tensor<?x?x4xf32>, tensor<?x4xf32>
}

// -----

// clip bounds each gate's input before its activation.
// CHECK-LABEL: func.func @rnn_clip
// CHECK:         scf.for
// CHECK:           linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]
// CHECK:             %[[S:.+]] = arith.addf
// CHECK:             %[[LO:.+]] = arith.maximumf %[[S]], %{{.+}}
// CHECK:             %[[HI:.+]] = arith.minimumf %[[LO]], %{{.+}}
// CHECK:             arith.cmpf olt, %[[HI]]
func.func @rnn_clip(%g: tensor<3x1x4xf32>, %r: tensor<4x4xf32>) -> (tensor<3x1x4xf32>, tensor<1x4xf32>) {
  %y, %h = "onnx.Recurrent"(%g, %r) <{activations = ["LeakyRelu"], activation_alpha = [0.2 : f32],
      cell = "RNN", clip = 0.5 : f32, operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0>}>
      : (tensor<3x1x4xf32>, tensor<4x4xf32>) -> (tensor<3x1x4xf32>, tensor<1x4xf32>)
  return %y, %h : tensor<3x1x4xf32>, tensor<1x4xf32>
}
