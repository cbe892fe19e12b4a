// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// Dims known only at run time: the lowerings size their results from the operands'
// run-time dims (tensor.dim), docs/dynamic-shapes.md.

// CHECK-LABEL: func.func @add_broadcast
// CHECK:         %[[D:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x8xf32>
// CHECK:         tensor.empty(%[[D]]) : tensor<?x8xf32>
// CHECK:         linalg.generic
func.func @add_broadcast(%a: tensor<?x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %0 = "onnx.Add"(%a, %b) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// MatMul: batch from A, M from A, N static.
// CHECK-LABEL: func.func @matmul_batch
// CHECK-DAG:     %[[B:.+]] = tensor.dim %arg0, %c0
// CHECK-DAG:     %[[M:.+]] = tensor.dim %arg0, %c1
// CHECK:         tensor.empty(%[[B]], %[[M]]) : tensor<?x?x4xf32>
func.func @matmul_batch(%a: tensor<?x?x8xf32>, %b: tensor<8x4xf32>) -> tensor<?x?x4xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<?x?x8xf32>, tensor<8x4xf32>) -> tensor<?x?x4xf32>
  return %0 : tensor<?x?x4xf32>
}

// -----

// Transpose: result dim i is the input's dim perm[i].
// CHECK-LABEL: func.func @transpose
// CHECK:         %[[S:.+]] = tensor.dim %arg0, %c1
// CHECK:         %[[B:.+]] = tensor.dim %arg0, %c0
// CHECK:         tensor.empty(%[[S]], %[[B]]) : tensor<?x?x8xf32>
// CHECK:         linalg.transpose
func.func @transpose(%a: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %0 = "onnx.Transpose"(%a) {perm = array<i64: 1, 0, 2>} : (tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// Conv with run-time N, H, W: O = (H + pads - extent) floordiv stride + 1.
// CHECK-LABEL: func.func @conv
// CHECK:         tensor.pad
// CHECK:         arith.floordivsi
// CHECK:         linalg.generic
func.func @conv(%x: tensor<?x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32> {
  %0 = "onnx.Conv"(%x, %w) {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// An op without a run-time-dims lowering is refused, naming the input to fix.
func.func @refused(%x: tensor<?x4xf32> {onnx.name = "x"}) -> tensor<?x4xf32> {
  // expected-error @+1 {{dynamic dimensions ('tensor<?x4xf32>') are not supported yet for this op (dims known only at run time); fix the dims of input 'x' at compile time with --shape x=DIMS}}
  %0 = "onnx.Trilu"(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Two run-time dims meet in a broadcast: they must be equal at run time. The result's size is
// -1 unless they are, which the size function refuses (ONNXC_ERROR_DIMS_OUT_OF_RANGE).
// CHECK-LABEL: func.func @add_two_runtime_dims
// CHECK-DAG:     %[[A:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x8xf32>
// CHECK-DAG:     %[[B:.+]] = tensor.dim %arg1, %{{.+}} : tensor<?x8xf32>
// CHECK:         %[[EQ:.+]] = arith.cmpi eq, %[[B]], %[[A]] : index
// CHECK:         %[[S:.+]] = arith.select %[[EQ]], %[[A]], %{{.+}} : index
// CHECK:         tensor.empty(%[[S]]) : tensor<?x8xf32>
func.func @add_two_runtime_dims(%a: tensor<?x8xf32>, %b: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = "onnx.Add"(%a, %b) : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// A dim read from data (a Slice's length read at run time, bounded by n) meets a run-time
// input dim m: its bound says nothing of its value, so it is not compared by its bound in the
// size (which would refuse every m != n): the result has the input's dim m, and the slice's
// length is checked against it at run time (a data check: ONNXC_ERROR_DATA_SIZE).
// CHECK-LABEL: func.func @add_slice_runtime_dim
// CHECK:         %[[LEN:.+]] = arith.minui %{{.+}}, %{{.+}} {onnxc.data_bound} : index
// CHECK:         %[[S:.+]] = tensor.extract_slice %arg0[%{{.+}}] [%[[LEN]]] [%{{.+}}]
// CHECK-DAG:     %[[L:.+]] = tensor.dim %[[S]], %{{.+}} : tensor<?xf32>
// CHECK-DAG:     %[[M:.+]] = tensor.dim %arg3, %{{.+}} : tensor<?xf32>
// CHECK:         %[[EQ:.+]] = arith.cmpi eq, %[[L]], %[[M]] : index
// CHECK:         cf.assert %[[EQ]], "a size from tensor data differs from the size it is broadcast against" {onnxc.data_check}
// CHECK-NOT:     arith.select
// CHECK:         tensor.empty(%[[M]]) : tensor<?xf32>
func.func @add_slice_runtime_dim(%x: tensor<?xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>, %z: tensor<?xf32>) -> tensor<?xf32> {
  %0 = "onnx.Slice"(%x, %s, %e) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<?xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  %1 = "onnx.Add"(%0, %z) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %1 : tensor<?xf32>
}

// -----

// Two dims read from data: the first sizes the result, the second is checked against it.
// Two run-time input dims beside them are compared in the size as before.
// CHECK-LABEL: func.func @add_two_slices
// CHECK:         %[[S0:.+]] = tensor.extract_slice %arg0
// CHECK:         %[[S1:.+]] = tensor.extract_slice %arg1
// CHECK-DAG:     %[[L0:.+]] = tensor.dim %[[S0]], %{{.+}} : tensor<?x?xf32>
// CHECK-DAG:     %[[L1:.+]] = tensor.dim %[[S1]], %{{.+}} : tensor<?x?xf32>
// CHECK:         %[[EQ:.+]] = arith.cmpi eq, %[[L1]], %[[L0]] : index
// CHECK:         cf.assert %[[EQ]], "a size from tensor data differs from the size it is broadcast against" {onnxc.data_check}
// CHECK:         %[[EQD:.+]] = arith.cmpi eq, %{{.+}}, %{{.+}} : index
// CHECK:         %[[D:.+]] = arith.select %[[EQD]], %{{.+}}, %c-1 : index
// CHECK-NOT:     cf.assert
// CHECK:         tensor.empty(%[[L0]], %[[D]]) : tensor<?x?xf32>
func.func @add_two_slices(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<?x?xf32> {
  %0 = "onnx.Slice"(%x, %s, %e) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<?x?xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  %1 = "onnx.Slice"(%y, %s, %e) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<?x?xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  %2 = "onnx.Add"(%0, %1) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %2 : tensor<?x?xf32>
}

// -----

// Gathering along a run-time dim (the last step of a run-time sequence): the index is
// wrapped and clamped with the run-time size.
// CHECK-LABEL: func.func @gather_runtime_axis
// CHECK:         %[[N:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x2x8xf32>
// CHECK:         linalg.generic
// CHECK:           arith.addi %{{.+}}, %[[N]] : index
// CHECK:           %[[LAST:.+]] = arith.subi %[[N]], %{{.+}} : index
// CHECK:           arith.minsi %{{.+}}, %[[LAST]] : index
func.func @gather_runtime_axis(%x: tensor<?x2x8xf32>) -> tensor<2x8xf32> {
  %i = onnx.Constant dense<-1> : tensor<i64>
  %0 = "onnx.Gather"(%x, %i) {axis = 0 : i64} : (tensor<?x2x8xf32>, tensor<i64>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// GatherND with a run-time number of coordinate tuples (NonZero -> Transpose -> GatherND):
// the result's dim comes from the indices.
// CHECK-LABEL: func.func @gathernd_tuples
// CHECK:         %[[N:.+]] = tensor.dim %arg1, %c0 : tensor<?x2xi64>
// CHECK:         tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK:         linalg.generic
func.func @gathernd_tuples(%d: tensor<3x4xf32>, %i: tensor<?x2xi64>) -> tensor<?xf32> {
  %0 = "onnx.GatherND"(%d, %i) : (tensor<3x4xf32>, tensor<?x2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Slice with constant bounds over run-time dims: the unsliced run-time dim is copied whole;
// along the run-time sliced dim the start (-3: from the end) and the end (INT64_MAX) are
// clamped into [0, n] at run time and the size is ceil((end - start) / step).
// CHECK-LABEL: func.func @slice_runtime
// CHECK-DAG:     %[[B:.+]] = tensor.dim %arg0, %c0
// CHECK-DAG:     %[[S:.+]] = tensor.dim %arg0, %c1
// CHECK:         %[[FROM:.+]] = arith.addi %[[S]], %{{.+}} : index
// CHECK:         %[[START:.+]] = arith.maxsi %[[FROM]], %{{.+}} : index
// CHECK:         %[[END:.+]] = arith.minsi %{{.+}}, %[[S]] : index
// CHECK:         %[[LEN:.+]] = arith.subi %[[END]], %[[START]] : index
// CHECK:         %[[N:.+]] = arith.ceildivsi %[[LEN]], %{{.+}} : index
// CHECK:         %[[SIZE:.+]] = arith.maxsi %[[N]], %{{.+}} : index
// CHECK:         tensor.extract_slice %arg0[0, %[[START]], 1] [%[[B]], %[[SIZE]], 3] [1, 2, 1] : tensor<?x?x8xf32> to tensor<?x?x3xf32>
func.func @slice_runtime(%x: tensor<?x?x8xf32>) -> tensor<?x?x3xf32> {
  %s = onnx.Constant dense<[-3, 1]> : tensor<2xi64>
  %e = onnx.Constant dense<[9223372036854775807, 4]> : tensor<2xi64>
  %a = onnx.Constant dense<[1, 2]> : tensor<2xi64>
  %st = onnx.Constant dense<[2, 1]> : tensor<2xi64>
  %0 = "onnx.Slice"(%x, %s, %e, %a, %st) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<?x?x8xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x3xf32>
  return %0 : tensor<?x?x3xf32>
}

// -----

// AveragePool with a run-time batch: the window sum sized from the padded input's batch, the
// constant divisors broadcast over it.
// CHECK-LABEL: func.func @average_pool_batch
// CHECK:         tensor.pad
// CHECK:         %[[N:.+]] = tensor.dim %{{.+}}, %c0 : tensor<?x2x6x6xf32>
// CHECK:         tensor.empty(%[[N]]) : tensor<?x2x3x3xf32>
// CHECK:         arith.constant dense<{{.+}}> : tensor<3x3xf32>
func.func @average_pool_batch(%x: tensor<?x2x5x5xf32>) -> tensor<?x2x3x3xf32> {
  %0 = onnx.AveragePool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>} : (tensor<?x2x5x5xf32>) -> tensor<?x2x3x3xf32>
  return %0 : tensor<?x2x3x3xf32>
}

// -----

// Over run-time spatial dims the divisor is counted in the loop from the output index: the
// window's first and last positions inside [0, H) (count_include_pad = 0), clamped to the
// kernel, and a window wholly in the padding averages to 0.
// CHECK-LABEL: func.func @average_pool_spatial
// CHECK:         linalg.generic
// CHECK:           arith.addf
// CHECK:         tensor.dim %arg0, %{{.+}} : tensor<1x2x?x5xf32>
// CHECK:         linalg.generic
// CHECK:           %[[O:.+]] = linalg.index 2 : index
// CHECK:           arith.ceildivsi
// CHECK:           arith.maxsi
// CHECK:           arith.minsi
// CHECK:           %[[F:.+]] = arith.sitofp
// CHECK:           %[[AVG:.+]] = arith.divf %{{.+}}, %[[F]] : f32
// CHECK:           arith.select %{{.+}}, %{{.+}}, %[[AVG]] : f32
func.func @average_pool_spatial(%x: tensor<1x2x?x5xf32>) -> tensor<1x2x?x3xf32> {
  %0 = onnx.AveragePool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x?x5xf32>) -> tensor<1x2x?x3xf32>
  return %0 : tensor<1x2x?x3xf32>
}

// -----

// ceil_mode with a run-time spatial dim is still refused (the overhang depends on the dim).
func.func @average_pool_spatial_ceil(%x: tensor<1x2x?x5xf32>) -> tensor<1x2x?x3xf32> {
  // expected-error @+1 {{ceil_mode or auto_pad SAME with spatial dims known only at run time is not supported yet}}
  %0 = onnx.AveragePool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = 1 : i64} : (tensor<1x2x?x5xf32>) -> tensor<1x2x?x3xf32>
  return %0 : tensor<1x2x?x3xf32>
}

// -----

// Pad with constant pads over a run-time dim: tensor.pad takes it as it is.
// CHECK-LABEL: func.func @pad_runtime
// CHECK:         %[[V:.+]] = tensor.extract %arg1[] : tensor<f32>
// CHECK:         tensor.pad %arg0 low[0, 1] high[2, 1]
// CHECK:           tensor.yield %[[V]]
// CHECK:         } : tensor<?x4xf32> to tensor<?x6xf32>
func.func @pad_runtime(%x: tensor<?x4xf32>, %v: tensor<f32>) -> tensor<?x6xf32> {
  %p = onnx.Constant dense<[0, 1, 2, 1]> : tensor<4xi64>
  %0 = onnx.Pad %x, %p value %v : (tensor<?x4xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

func.func @pad_runtime_reflect(%x: tensor<?x4xf32>) -> tensor<?x6xf32> {
  %p = onnx.Constant dense<[0, 1, 0, 1]> : tensor<4xi64>
  // expected-error @+1 {{Pad of data with dims known only at run time needs mode 'constant' and constant pads}}
  %0 = onnx.Pad %x, %p {mode = "reflect"} : (tensor<?x4xf32>, tensor<4xi64>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

// A mean over a run-time dim divides by its size read at run time.
// CHECK-LABEL: func.func @reduce_mean_runtime
// CHECK:         linalg.generic {{.+}} iterator_types = ["reduction", "parallel"]
// CHECK:         %[[N:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x5xf32>
// CHECK:         %[[M:.+]] = arith.muli %{{.+}}, %[[N]] : index
// CHECK:         %[[I:.+]] = arith.index_cast %[[M]] : index to i64
// CHECK:         %[[F:.+]] = arith.sitofp %[[I]] : i64 to f32
// CHECK:         linalg.generic
// CHECK:           arith.divf %{{.+}}, %[[F]] : f32
func.func @reduce_mean_runtime(%x: tensor<?x5xf32>) -> tensor<1x5xf32> {
  %0 = onnx.ReduceMean %x {axes = array<i64: 0>} : (tensor<?x5xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

// The tuple length must be static: it decides the result's rank.
func.func @gathernd_dynamic_tuple(%d: tensor<3x4xf32>, %i: tensor<5x?xi64>) -> tensor<5xf32> {
  // expected-error @+1 {{the coordinate tuple length (last dim of 'indices') must be known at compile time}}
  %0 = "onnx.GatherND"(%d, %i) : (tensor<3x4xf32>, tensor<5x?xi64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Slice with starts and ends read at run time (axes absent: axis 0): negative values count
// from the end, both are clamped into [0, n] (positive step), the size is
// max(ceil((end - start) / step), 0), marked with its bound, the input dim
// (`onnxc.data_bound`): the result is a view of the input with that size.
// CHECK-LABEL: func.func @slice_data_rows
// CHECK:         %[[S:.+]] = tensor.extract %arg1[%{{.+}}] : tensor<1xi64>
// CHECK:         %[[E:.+]] = tensor.extract %arg2[%{{.+}}] : tensor<1xi64>
// CHECK:         %[[HI:.+]] = arith.select %{{.+}}, %{{.+}}, %{{.+}} : i64
// CHECK:         arith.maxsi %[[S]], %c-1099511627776_i64 : i64
// CHECK:         %[[SFROM:.+]] = arith.select %{{.+}}, %{{.+}}, %{{.+}} : i64
// CHECK:         %[[SLO:.+]] = arith.maxsi %[[SFROM]], %c0_i64 : i64
// CHECK:         %[[START:.+]] = arith.minsi %[[SLO]], %[[HI]] : i64
// CHECK:         arith.maxsi %[[E]], %c-1099511627776_i64{{.*}} : i64
// CHECK:         %[[END:.+]] = arith.minsi %{{.+}}, %[[HI]] : i64
// CHECK:         %[[LEN:.+]] = arith.subi %[[END]], %[[START]] : i64
// CHECK:         %[[N:.+]] = arith.ceildivsi %[[LEN]], %{{.+}} : i64
// CHECK:         %[[SIZE:.+]] = arith.maxsi %[[N]], %c0_i64 : i64
// CHECK:         %[[OFF:.+]] = arith.index_cast %[[START]] : i64 to index
// CHECK:         %[[SZ:.+]] = arith.index_cast %[[SIZE]] : i64 to index
// CHECK:         %[[BOUNDED:.+]] = arith.minui %[[SZ]], %c10 {onnxc.data_bound} : index
// CHECK:         tensor.extract_slice %arg0[%[[OFF]], 0] [%[[BOUNDED]], 4] [%{{.+}}, 1] : tensor<10x4xf32> to tensor<?x4xf32>
func.func @slice_data_rows(%x: tensor<10x4xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<?x4xf32> {
  %0 = onnx.Slice %x, %s, %e : (tensor<10x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Steps read at run time: a step of 0 ends the run with ONNXC_ERROR_DATA_SIZE (a status
// check); a negative step clamps the start into [0, n - 1] and the end into [-1, n - 1]. Both
// sizes are data-bound (by the run-time dim and by 4), and one generic reads
// input[start + i * step] per dim.
// CHECK-LABEL: func.func @slice_data_steps
// CHECK:         %[[N0:.+]] = tensor.dim %arg0, %c0
// CHECK:         %[[STX:.+]] = tensor.extract %arg3[%c1{{.*}}] : tensor<2xi32>
// CHECK:         %[[ST:.+]] = arith.extsi %[[STX]] : i32 to i64
// CHECK:         %[[NZ:.+]] = arith.cmpi ne, %[[ST]], %c0_i64 : i64
// CHECK:         cf.assert %[[NZ]], "onnxc.status 11: a Slice step read at run time is 0"
// CHECK:         %[[STEP:.+]] = arith.select %[[NZ]], %[[ST]], %c1_i64 : i64
// CHECK:         %[[NEG:.+]] = arith.cmpi slt, %[[STEP]], %c0_i64 : i64
// CHECK:         %[[LAST:.+]] = arith.subi %{{.+}}, %c1_i64 : i64
// CHECK:         %[[HI:.+]] = arith.select %[[NEG]], %[[LAST]], %{{.+}} : i64
// CHECK:         %[[LO:.+]] = arith.select %[[NEG]], %c-1_i64, %c0_i64 : i64
// CHECK:         arith.minui %{{.+}}, %[[N0]] {onnxc.data_bound} : index
// CHECK:         cf.assert %{{.+}}, "onnxc.status 11: a Slice step read at run time is 0"
// CHECK:         arith.minui %{{.+}}, %c4 {onnxc.data_bound} : index
// CHECK:         linalg.generic
// CHECK:           arith.muli
// CHECK:           arith.addi
// CHECK:           tensor.extract %arg0
func.func @slice_data_steps(%x: tensor<?x4xf32>, %s: tensor<2xi32>, %e: tensor<2xi32>, %st: tensor<2xi32>) -> tensor<?x?xf32> {
  %a = onnx.Constant dense<[1, 0]> : tensor<2xi64>
  %0 = "onnx.Slice"(%x, %s, %e, %a, %st) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<?x4xf32>, tensor<2xi32>, tensor<2xi32>, tensor<2xi64>, tensor<2xi32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A sliced dim the model declares static (3): read as 3 with every index clamped into the
// input, and the computed size is a data check against 3 (a status when it differs).
// CHECK-LABEL: func.func @slice_data_declared
// CHECK:         %[[OK:.+]] = arith.cmpi eq, %{{.+}}, %c3 : index
// CHECK:         cf.assert %[[OK]], "a size from tensor data differs from the static size the model declares" {onnxc.data_check}
// CHECK:         %[[LAST:.+]] = arith.subi %c9{{.*}}, %c1{{.*}} : index
// CHECK:         linalg.generic
// CHECK:           arith.maxsi
// CHECK:           arith.minsi %{{.+}}, %[[LAST]] : index
func.func @slice_data_declared(%x: tensor<?x9xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<?x3xf32> {
  %a = onnx.Constant dense<[1]> : tensor<1xi64>
  %0 = "onnx.Slice"(%x, %s, %e, %a) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>} : (tensor<?x9xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// MatMul's K read from data on one side (a Slice's length) and a run-time input dim on the
// other: checked at run time (a data check), not trusted by its bound. Two run-time input
// dims are a condition on the dims (onnxc.dims_check).
// CHECK-LABEL: func.func @matmul_k_from_slice
// CHECK:         %[[S:.+]] = tensor.extract_slice %arg0
// CHECK-DAG:     %[[K0:.+]] = tensor.dim %arg3, %{{.+}} : tensor<3x?xf32>
// CHECK-DAG:     %[[K1:.+]] = tensor.dim %[[S]], %{{.+}} : tensor<?x4xf32>
// CHECK:         %[[EQ:.+]] = arith.cmpi eq, %[[K0]], %[[K1]] : index
// CHECK:         cf.assert %[[EQ]], "MatMul's operands differ in their inner dim (K)" {onnxc.data_check}
// CHECK:         linalg.generic
// CHECK:         cf.assert %{{.+}}, "MatMul's operands differ in their inner dim (K)" {onnxc.dims_check}
// CHECK:         linalg.generic
func.func @matmul_k_from_slice(%x: tensor<?x4xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>, %z: tensor<3x?xf32>, %w: tensor<?x2xf32>) -> (tensor<3x4xf32>, tensor<3x2xf32>) {
  %0 = "onnx.Slice"(%x, %s, %e) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<?x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  %1 = "onnx.MatMul"(%z, %0) : (tensor<3x?xf32>, tensor<?x4xf32>) -> tensor<3x4xf32>
  %2 = "onnx.MatMul"(%z, %w) : (tensor<3x?xf32>, tensor<?x2xf32>) -> tensor<3x2xf32>
  return %1, %2 : tensor<3x4xf32>, tensor<3x2xf32>
}

// -----

// Concat's dims other than the axis: a length read from data against an input dim is a data
// check.
// CHECK-LABEL: func.func @concat_rows_from_slice
// CHECK:         %[[S:.+]] = tensor.extract_slice %arg0
// CHECK-DAG:     %[[A:.+]] = tensor.dim %[[S]], %{{.+}} : tensor<?x4xf32>
// CHECK-DAG:     %[[B:.+]] = tensor.dim %arg3, %{{.+}} : tensor<?x2xf32>
// CHECK:         %[[EQ:.+]] = arith.cmpi eq, %[[A]], %[[B]] : index
// CHECK:         cf.assert %[[EQ]], "Concat's inputs differ in a dim other than the axis" {onnxc.data_check}
// CHECK:         tensor.insert_slice
func.func @concat_rows_from_slice(%x: tensor<?x4xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>, %z: tensor<?x2xf32>) -> tensor<?x6xf32> {
  %0 = "onnx.Slice"(%x, %s, %e) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<?x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  %1 = onnx.Concat %0, %z {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x2xf32>) -> tensor<?x6xf32>
  return %1 : tensor<?x6xf32>
}
