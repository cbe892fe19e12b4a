// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Shape-changing data movement whose result type (inferred, or declared by the model) says
// everything: the shape-valued operands (axes, shape, repeats, split) are not read at run
// time.

// Squeeze and Unsqueeze are metadata-only reshapes, like Reshape.
// CHECK-LABEL: func.func @squeeze_unsqueeze
// CHECK-SAME:    (%[[X:.+]]: tensor<1x3x1x4xf32>
// CHECK:         %[[C:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2, 3]] : tensor<1x3x1x4xf32> into tensor<12xf32>
// CHECK:         %[[S:.+]] = tensor.expand_shape %[[C]] {{\[\[}}0, 1]] output_shape [3, 4] : tensor<12xf32> into tensor<3x4xf32>
// CHECK:         %[[C2:.+]] = tensor.collapse_shape %[[S]] {{\[\[}}0, 1]] : tensor<3x4xf32> into tensor<12xf32>
// CHECK:         tensor.expand_shape %[[C2]] {{\[\[}}0, 1, 2]] output_shape [3, 1, 4] : tensor<12xf32> into tensor<3x1x4xf32>
func.func @squeeze_unsqueeze(%x: tensor<1x3x1x4xf32>, %a: tensor<2xi64>, %b: tensor<1xi64>) -> tensor<3x1x4xf32> {
  %0 = onnx.Squeeze %x, %a : (tensor<1x3x1x4xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  %1 = onnx.Unsqueeze %0, %b : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<3x1x4xf32>
  return %1 : tensor<3x1x4xf32>
}

// -----

// Shape and Size of a static tensor are constants (canonicalization normally folds them
// before lowering).
// CHECK-LABEL: func.func @shape_size
// CHECK-DAG:     %[[S:.+]] = arith.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-DAG:     %[[N:.+]] = arith.constant dense<24> : tensor<i64>
// CHECK:         return %[[S]], %[[N]]
func.func @shape_size(%x: tensor<2x3x4xf32>) -> (tensor<2xi64>, tensor<i64>) {
  %0 = onnx.Shape %x {start = -2 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  %1 = onnx.Size %x : (tensor<2x3x4xf32>) -> tensor<i64>
  return %0, %1 : tensor<2xi64>, tensor<i64>
}

// -----

// Expand is a broadcasting copy: size-1 dims are read at index 0, new leading dims are
// dropped from the input map.
// CHECK-DAG:   #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG:   #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @expand
// CHECK:         linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]]
// CHECK-SAME:      ins(%{{.+}} : tensor<3x1xf32>) outs(%{{.+}} : tensor<2x3x6xf32>)
// CHECK:         linalg.yield %{{.+}} : f32
func.func @expand(%x: tensor<3x1xf32>, %s: tensor<3xi64>) -> tensor<2x3x6xf32> {
  %0 = onnx.Expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x6xf32>
  return %0 : tensor<2x3x6xf32>
}

// -----

// Tile broadcasts into [r0, d0, r1, d1] and collapses each pair: element (i, j) of the
// result reads (i mod d0, j mod d1).
// CHECK-DAG:   #[[IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-LABEL: func.func @tile
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<2x2x3x3xi64>
// CHECK:         %[[G:.+]] = linalg.generic {indexing_maps = [#[[IN]], {{.+}}]
// CHECK-SAME:      ins(%{{.+}} : tensor<2x3xi64>) outs(%[[E]] : tensor<2x2x3x3xi64>)
// CHECK:         tensor.collapse_shape %[[G]] {{\[\[}}0, 1], [2, 3]] : tensor<2x2x3x3xi64> into tensor<4x9xi64>
func.func @tile(%x: tensor<2x3xi64>, %r: tensor<2xi64>) -> tensor<4x9xi64> {
  %0 = onnx.Tile %x, %r : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<4x9xi64>
  return %0 : tensor<4x9xi64>
}

// -----

// Split: one slice per result at the running offset along the axis; an empty part is an
// empty tensor (extract_slice cannot address a dim of size 0).
// CHECK-LABEL: func.func @split
// CHECK-SAME:    (%[[X:.+]]: tensor<2x6xf32>)
// CHECK:         %[[A:.+]] = tensor.extract_slice %[[X]][0, 0] [2, 2] [1, 1] : tensor<2x6xf32> to tensor<2x2xf32>
// CHECK:         %[[B:.+]] = tensor.empty() : tensor<2x0xf32>
// CHECK:         %[[C:.+]] = tensor.extract_slice %[[X]][0, 2] [2, 4] [1, 1] : tensor<2x6xf32> to tensor<2x4xf32>
// CHECK:         return %[[A]], %[[B]], %[[C]]
func.func @split(%x: tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x4xf32>) {
  %0:3 = onnx.Split %x {axis = -1 : i64} : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x4xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x4xf32>
}

// -----

// DepthToSpace: split the channels into (b1, b2, c) for DCR or (c, b1, b2) for CRD, move the
// block dims next to H and W, merge.
// CHECK-LABEL: func.func @depth_to_space_dcr
// CHECK:         tensor.expand_shape {{.*}} into tensor<1x2x2x2x2x3xf32>
// CHECK:         linalg.transpose {{.*}} permutation = [0, 3, 4, 1, 5, 2]
// CHECK:         tensor.collapse_shape {{.*}} : tensor<1x2x2x2x3x2xf32> into tensor<48xf32>
// CHECK:         tensor.expand_shape {{.*}} into tensor<1x2x4x6xf32>
// CHECK-LABEL: func.func @depth_to_space_crd
// CHECK:         linalg.transpose {{.*}} permutation = [0, 1, 4, 2, 5, 3]
// CHECK-LABEL: func.func @space_to_depth
// CHECK:         tensor.expand_shape {{.*}} into tensor<1x2x2x2x3x2xf32>
// CHECK:         linalg.transpose {{.*}} permutation = [0, 3, 5, 1, 2, 4]
// CHECK:         tensor.expand_shape {{.*}} into tensor<1x8x2x3xf32>
func.func @depth_to_space_dcr(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %0 = onnx.DepthToSpace %x {blocksize = 2 : i64} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}
func.func @depth_to_space_crd(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %0 = onnx.DepthToSpace %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}
func.func @space_to_depth(%x: tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32> {
  %0 = onnx.SpaceToDepth %x {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  return %0 : tensor<1x8x2x3xf32>
}

// -----

// ConstantOfShape fills with its value (default float 0). Small results fold to constants
// instead (the conversion tries folders first).
// CHECK-LABEL: func.func @constant_of_shape
// CHECK-DAG:     %[[V:.+]] = arith.constant 7 : i32
// CHECK-DAG:     %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[SMALL:.+]] = arith.constant dense<-1> : tensor<2x3xi64>
// CHECK-DAG:     linalg.fill ins(%[[V]] : i32) outs(%{{.+}} : tensor<64x64xi32>)
// CHECK-DAG:     linalg.fill ins(%[[Z]] : f32) outs(%{{.+}} : tensor<2048xf32>)
func.func @constant_of_shape(%s: tensor<2xi64>, %t: tensor<1xi64>) -> (tensor<64x64xi32>, tensor<2048xf32>, tensor<2x3xi64>) {
  %0 = onnx.ConstantOfShape %s {value = dense<7> : tensor<1xi32>} : (tensor<2xi64>) -> tensor<64x64xi32>
  %1 = onnx.ConstantOfShape %t : (tensor<1xi64>) -> tensor<2048xf32>
  %2 = onnx.ConstantOfShape %s {value = dense<-1> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<2x3xi64>
  return %0, %1, %2 : tensor<64x64xi32>, tensor<2048xf32>, tensor<2x3xi64>
}

// -----

// Range: start + i * delta with start and delta read at run time; limit only decides the
// length, which the result type gives.
// CHECK-LABEL: func.func @range
// CHECK-SAME:    (%[[S:.+]]: tensor<f32>, %{{.+}}: tensor<f32>, %[[D:.+]]: tensor<f32>)
// CHECK-DAG:     %[[START:.+]] = tensor.extract %[[S]][] : tensor<f32>
// CHECK-DAG:     %[[DELTA:.+]] = tensor.extract %[[D]][] : tensor<f32>
// CHECK:         linalg.generic {{.*}} outs(%{{.+}} : tensor<5xf32>)
// CHECK:           %[[I:.+]] = linalg.index 0 : index
// CHECK:           %[[I64:.+]] = arith.index_cast %[[I]] : index to i64
// CHECK:           %[[F:.+]] = arith.sitofp %[[I64]] : i64 to f32
// CHECK:           %[[M:.+]] = arith.mulf %[[F]], %[[DELTA]] : f32
// CHECK:           arith.addf %[[START]], %[[M]] : f32
// CHECK-LABEL: func.func @range_int
// CHECK:           arith.index_cast %{{.+}} : index to i32
// CHECK:           arith.muli
// CHECK:           arith.addi
func.func @range(%a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>) -> tensor<5xf32> {
  %0 = onnx.Range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
func.func @range_int(%a: tensor<i32>, %b: tensor<i32>, %c: tensor<i32>) -> tensor<3xi32> {
  %0 = onnx.Range %a, %b, %c : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// Shape of a tensor with run-time dims reads them (SequenceMap bodies run per element with
// the element's dims); start selects the dims from 1 on.
// CHECK-LABEL: func.func @shape_dynamic
// CHECK-SAME:    (%[[X:.+]]: tensor<2x?x4xf32>)
// CHECK:         %[[D:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<2x?x4xf32>
// CHECK-NEXT:    %[[I:.+]] = arith.index_cast %[[D]] : index to i64
// CHECK:         %[[C4:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK-NEXT:    %[[R:.+]] = tensor.from_elements %[[I]], %[[C4]] : tensor<2xi64>
// CHECK-NEXT:    return %[[R]]
func.func @shape_dynamic(%x: tensor<2x?x4xf32>) -> tensor<2xi64> {
  %0 = onnx.Shape %x {start = 1 : i64} : (tensor<2x?x4xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
