// RUN: %onnx-opt %s -convert-onnx-to-linalg -canonicalize -split-input-file | FileCheck %s

// Data movement that reads at computed indices: Gather, GatherElements, and Slice/Pad when
// their offsets are not compile-time constants (or steps are negative, or the pad mode
// reflects).

// Gather: the index tensor is an input of the generic (at the axis' position in the result);
// negative indices count from the end and are clamped into the dim.
// CHECK-DAG:   #[[IDX:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME:    (%[[D:.+]]: tensor<5x4x3xf32>, %[[I:.+]]: tensor<2x2xi64>)
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK:         linalg.generic {indexing_maps = [#[[IDX]], {{.+}}]
// CHECK-SAME:      ins(%[[I]] : tensor<2x2xi64>) outs(%{{.+}} : tensor<5x2x2x3xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: i64, %{{.+}}: f32):
// CHECK:           %[[OUTER:.+]] = linalg.index 0 : index
// CHECK:           %[[IX:.+]] = arith.index_cast %[[IN]] : i64 to index
// CHECK:           %[[NEG:.+]] = arith.cmpi slt, %[[IX]], %[[C0]] : index
// CHECK:           %[[WRAP:.+]] = arith.addi %[[IX]], %[[C4]] : index
// CHECK:           %[[SEL:.+]] = arith.select %[[NEG]], %[[WRAP]], %[[IX]] : index
// CHECK:           %[[LO:.+]] = arith.maxsi %[[SEL]], %[[C0]] : index
// CHECK:           %[[AT:.+]] = arith.minsi %[[LO]], %[[C3]] : index
// CHECK:           %[[INNER:.+]] = linalg.index 3 : index
// CHECK:           tensor.extract %[[D]][%[[OUTER]], %[[AT]], %[[INNER]]] : tensor<5x4x3xf32>
func.func @gather(%d: tensor<5x4x3xf32>, %i: tensor<2x2xi64>) -> tensor<5x2x2x3xf32> {
  %0 = onnx.Gather %d, %i {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x2xi64>) -> tensor<5x2x2x3xf32>
  return %0 : tensor<5x2x2x3xf32>
}

// -----

// A scalar index drops the axis; the index input is read through a map with no results.
// CHECK-DAG:   #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @gather_scalar_index
// CHECK:         linalg.generic {indexing_maps = [#[[SCALAR]], {{.+}}]
// CHECK-SAME:      ins(%{{.+}} : tensor<i32>) outs(%{{.+}} : tensor<3xi64>)
// CHECK:           arith.index_cast %{{.+}} : i32 to index
// CHECK:           %[[J:.+]] = linalg.index 0 : index
// CHECK:           tensor.extract %{{.+}}[%{{.+}}, %[[J]]] : tensor<4x3xi64>
func.func @gather_scalar_index(%d: tensor<4x3xi64>, %i: tensor<i32>) -> tensor<3xi64> {
  %0 = onnx.Gather %d, %i : (tensor<4x3xi64>, tensor<i32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// GatherElements: the result has the indices' shape; the index replaces the axis coordinate.
// CHECK-LABEL: func.func @gather_elements
// CHECK-SAME:    (%[[D:.+]]: tensor<3x3xf32>, %[[I:.+]]: tensor<2x3xi64>)
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[I]] : tensor<2x3xi64>) outs(%{{.+}} : tensor<2x3xf32>)
// CHECK:           %[[AT:.+]] = arith.minsi
// CHECK:           %[[J:.+]] = linalg.index 1 : index
// CHECK:           tensor.extract %[[D]][%[[AT]], %[[J]]] : tensor<3x3xf32>
func.func @gather_elements(%d: tensor<3x3xf32>, %i: tensor<2x3xi64>) -> tensor<2x3xf32> {
  %0 = onnx.GatherElements %d, %i {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Constant starts/ends/axes/steps with positive steps: one extract_slice. Out-of-range ends
// clamp to the dim, negative starts count from the end, dims not in `axes` stay whole.
// CHECK-LABEL: func.func @slice_constant
// CHECK-SAME:    (%[[X:.+]]: tensor<20x10x5xf32>)
// CHECK:         tensor.extract_slice %[[X]][0, 7, 1] [20, 3, 2] [1, 1, 2] : tensor<20x10x5xf32> to tensor<20x3x2xf32>
func.func @slice_constant(%x: tensor<20x10x5xf32>) -> tensor<20x3x2xf32> {
  %starts = onnx.Constant dense<[-3, 1]> : tensor<2xi64>
  %ends = onnx.Constant dense<[1000, 5]> : tensor<2xi64>
  %axes = onnx.Constant dense<[1, -1]> : tensor<2xi64>
  %steps = onnx.Constant dense<[1, 2]> : tensor<2xi64>
  %0 = onnx.Slice %x, %starts, %ends axes %axes steps %steps : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<20x3x2xf32>
  return %0 : tensor<20x3x2xf32>
}

// -----

// A negative step reads backwards: extract_slice cannot, so a generic reads at
// start + i * step (start clamped to dim - 1: 9, then 5, 1).
// CHECK-LABEL: func.func @slice_negative_step
// CHECK-DAG:     %[[C9:.+]] = arith.constant 9 : index
// CHECK-DAG:     %[[CM4:.+]] = arith.constant -4 : index
// CHECK:         linalg.generic
// CHECK:           %[[I:.+]] = linalg.index 0 : index
// CHECK:           %[[J:.+]] = linalg.index 1 : index
// CHECK:           %[[M:.+]] = arith.muli %[[J]], %[[CM4]] : index
// CHECK:           %[[AT:.+]] = arith.addi %[[M]], %[[C9]] : index
// CHECK:           tensor.extract %{{.+}}[%[[I]], %[[AT]]] : tensor<20x10xf32>
func.func @slice_negative_step(%x: tensor<20x10xf32>) -> tensor<20x3xf32> {
  %s = onnx.Constant dense<[100]> : tensor<1xi64>
  %e = onnx.Constant dense<[-9223372036854775807]> : tensor<1xi64>
  %a = onnx.Constant dense<[1]> : tensor<1xi64>
  %st = onnx.Constant dense<[-4]> : tensor<1xi64>
  %0 = onnx.Slice %x, %s, %e axes %a steps %st : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<20x3xf32>
  return %0 : tensor<20x3xf32>
}

// -----

// Run-time starts and steps (the result type was declared): each dim's start is computed
// from the operands with ONNX's clamping, and the read index is clamped into the input.
// CHECK-LABEL: func.func @slice_runtime
// CHECK-SAME:    (%[[X:.+]]: tensor<20x10xf32>, %[[S:.+]]: tensor<1xi32>, %{{.+}}: tensor<1xi32>, %[[ST:.+]]: tensor<1xi32>)
// CHECK:         %[[S0:.+]] = tensor.extract %[[S]][%{{.+}}] : tensor<1xi32>
// CHECK:         arith.extsi %[[S0]] : i32 to i64
// CHECK:         tensor.extract %[[ST]]
// CHECK:         arith.maxsi
// CHECK:         arith.minsi
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<3x10xf32>)
// CHECK:           arith.muli
// CHECK:           arith.addi
// CHECK:           arith.maxsi
// CHECK:           arith.minsi
// CHECK:           tensor.extract %[[X]]
func.func @slice_runtime(%x: tensor<20x10xf32>, %s: tensor<1xi32>, %e: tensor<1xi32>, %st: tensor<1xi32>) -> tensor<3x10xf32> {
  %0 = onnx.Slice %x, %s, %e steps %st : (tensor<20x10xf32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

// Run-time axes: every dim selects its start and step among the entries whose axis names it.
// CHECK-LABEL: func.func @slice_runtime_axes
// CHECK-SAME:    %[[A:[^:]+]]: tensor<1xi64>, %{{.+}}: tensor<1xi64>)
// CHECK:         tensor.extract %[[A]]
// CHECK:         arith.cmpi eq
// CHECK:         arith.select
// CHECK:         linalg.generic
func.func @slice_runtime_axes(%x: tensor<20x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>, %a: tensor<1xi64>, %st: tensor<1xi64>) -> tensor<20x3xf32> {
  %0 = onnx.Slice %x, %s, %e axes %a steps %st : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<20x3xf32>
  return %0 : tensor<20x3xf32>
}

// -----

// Constant pads, constant mode: negative pads crop with extract_slice, the rest is tensor.pad
// with the constant_value read at run time.
// CHECK-LABEL: func.func @pad_constant
// CHECK-SAME:    (%[[X:.+]]: tensor<3x4xf32>, %[[V:.+]]: tensor<f32>)
// CHECK:         %[[VAL:.+]] = tensor.extract %[[V]][] : tensor<f32>
// CHECK:         %[[CROP:.+]] = tensor.extract_slice %[[X]][0, 1] [3, 3] [1, 1] : tensor<3x4xf32> to tensor<3x3xf32>
// CHECK:         tensor.pad %[[CROP]] low[1, 0] high[0, 2]
// CHECK:           tensor.yield %[[VAL]] : f32
// CHECK:         } : tensor<3x3xf32> to tensor<4x5xf32>
func.func @pad_constant(%x: tensor<3x4xf32>, %v: tensor<f32>) -> tensor<4x5xf32> {
  %p = onnx.Constant dense<[1, -1, 0, 2]> : tensor<4xi64>
  %0 = onnx.Pad %x, %p value %v : (tensor<3x4xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Opset-18 axes: the pads name only the listed dims; the default value is 0.
// CHECK-LABEL: func.func @pad_axes
// CHECK:         %[[Z:.+]] = arith.constant 0 : i64
// CHECK:         tensor.pad %{{.+}} low[0, 2] high[0, 1]
// CHECK:           tensor.yield %[[Z]] : i64
// CHECK:         } : tensor<3x4xi64> to tensor<3x7xi64>
func.func @pad_axes(%x: tensor<3x4xi64>) -> tensor<3x7xi64> {
  %p = onnx.Constant dense<[2, 1]> : tensor<2xi64>
  %a = onnx.Constant dense<[-1]> : tensor<1xi64>
  %0 = onnx.Pad %x, %p axes %a : (tensor<3x4xi64>, tensor<2xi64>, tensor<1xi64>) -> tensor<3x7xi64>
  return %0 : tensor<3x7xi64>
}

// -----

// Reflect: a period of 2(n - 1) mirrored at n; an unpadded dim is read in place.
// CHECK-LABEL: func.func @pad_reflect
// CHECK-DAG:     %[[C6:.+]] = arith.constant 6 : index
// CHECK-DAG:     %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK:         linalg.generic
// CHECK:           %[[I:.+]] = linalg.index 0 : index
// CHECK:           %[[J:.+]] = linalg.index 1 : index
// CHECK:           %[[SRC:.+]] = arith.subi %[[J]], %[[C2]] : index
// CHECK:           %[[R:.+]] = arith.remsi %[[SRC]], %[[C6]] : index
// CHECK:           %[[T:.+]] = arith.select
// CHECK:           %[[IN:.+]] = arith.cmpi slt, %[[T]], %[[C4]] : index
// CHECK:           %[[MIRROR:.+]] = arith.subi %[[C6]], %[[T]] : index
// CHECK:           %[[AT:.+]] = arith.select %[[IN]], %[[T]], %[[MIRROR]] : index
// CHECK:           tensor.extract %{{.+}}[%[[I]], %[[AT]]] : tensor<3x4xf32>
func.func @pad_reflect(%x: tensor<3x4xf32>) -> tensor<3x8xf32> {
  %p = onnx.Constant dense<[0, 2, 0, 2]> : tensor<4xi64>
  %0 = onnx.Pad %x, %p {mode = "reflect"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

// Edge clamps the source index into the input.
// CHECK-LABEL: func.func @pad_edge
// CHECK:         linalg.generic
// CHECK:           arith.subi
// CHECK:           arith.maxsi
// CHECK:           arith.minsi
// CHECK:           tensor.extract
func.func @pad_edge(%x: tensor<3x4xf32>) -> tensor<5x4xf32> {
  %p = onnx.Constant dense<[1, 0, 1, 0]> : tensor<4xi64>
  %0 = onnx.Pad %x, %p {mode = "edge"} : (tensor<3x4xf32>, tensor<4xi64>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// Run-time pads in constant mode: the begin pads are read, the value is selected outside the
// input.
// CHECK-LABEL: func.func @pad_runtime
// CHECK-SAME:    (%[[X:.+]]: tensor<1x3x4x5xf32>, %[[P:.+]]: tensor<8xi64>, %[[V:.+]]: tensor<f32>)
// CHECK-DAG:     %[[VAL:.+]] = tensor.extract %[[V]][] : tensor<f32>
// CHECK-DAG:     tensor.extract %[[P]][%{{.+}}] : tensor<8xi64>
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<1x3x7x12xf32>)
// CHECK:           arith.cmpi sge
// CHECK:           arith.cmpi slt
// CHECK:           arith.andi
// CHECK:           %[[E:.+]] = tensor.extract %[[X]]
// CHECK:           arith.select %{{.+}}, %[[E]], %[[VAL]] : f32
func.func @pad_runtime(%x: tensor<1x3x4x5xf32>, %p: tensor<8xi64>, %v: tensor<f32>) -> tensor<1x3x7x12xf32> {
  %0 = onnx.Pad %x, %p value %v : (tensor<1x3x4x5xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x3x7x12xf32>
  return %0 : tensor<1x3x7x12xf32>
}
