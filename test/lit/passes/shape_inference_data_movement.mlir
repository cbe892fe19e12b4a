// RUN: %onnx-opt %s -onnx-shape-inference -split-input-file | FileCheck %s

// Result types of the shape and data-movement ops. Shape-valued operands (axes, starts, pads,
// repeats, split...) give static dims when they are constants; otherwise only what the
// operand types say is known (the rank, the dims not named), and declared types fill in the
// rest at import.

// CHECK-LABEL: func.func @squeeze_unsqueeze
func.func @squeeze_unsqueeze(%x: tensor<1x3x1x4xf32>, %a: tensor<2xi64>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %axes = onnx.Constant dense<[0, -2]> : tensor<2xi64>
  // CHECK: onnx.Squeeze {{.*}} -> tensor<3x4xf32>
  %0 = onnx.Squeeze %x, %axes : (tensor<1x3x1x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  // Without axes every 1 goes.
  // CHECK: onnx.Squeeze {{.*}} -> tensor<3x4xf32>
  %1 = onnx.Squeeze %x : (tensor<1x3x1x4xf32>) -> tensor<*xf32>
  // Axes count the output's dims: [1, 3, 1, 4] with 1s inserted at 0 and 4 of 6.
  // CHECK: onnx.Unsqueeze {{.*}} -> tensor<1x1x3x1x1x4xf32>
  %2 = onnx.Unsqueeze %x, %axes : (tensor<1x3x1x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  // Run-time axes: the rank is known, the dims are not.
  // CHECK: onnx.Unsqueeze {{.*}} -> tensor<?x?x?x?x?x?xf32>
  %3 = onnx.Unsqueeze %x, %a : (tensor<1x3x1x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Shape takes [start, end) clamped like Python slices; Size is a scalar. (The pass folds
// them to constants right away; their types show in the constants.)
// CHECK-LABEL: func.func @shape_size
// CHECK-SAME:    -> (tensor<2xi64>, tensor<0xi64>, tensor<i64>, tensor<3xi64>)
// CHECK-DAG:     onnx.Constant dense<[2, 3]> : tensor<2xi64>
// CHECK-DAG:     onnx.Constant dense<> : tensor<0xi64>
// CHECK-DAG:     onnx.Constant dense<24> : tensor<i64>
// CHECK:         onnx.Shape %{{.+}} : (tensor<?x3x4xf32>) -> tensor<3xi64>
func.func @shape_size(%x: tensor<2x3x4xf32>, %d: tensor<?x3x4xf32>) -> (tensor<*xi64>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>) {
  %0 = onnx.Shape %x {start = -10 : i64, end = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<*xi64>
  %1 = onnx.Shape %x {start = 2 : i64, end = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<*xi64>
  %2 = onnx.Size %x : (tensor<2x3x4xf32>) -> tensor<*xi64>
  %3 = onnx.Shape %d : (tensor<?x3x4xf32>) -> tensor<*xi64>
  return %0, %1, %2, %3 : tensor<*xi64>, tensor<*xi64>, tensor<*xi64>, tensor<*xi64>
}

// -----

// CHECK-LABEL: func.func @slice
func.func @slice(%x: tensor<20x10x5xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %starts = onnx.Constant dense<[0, -1]> : tensor<2xi64>
  %ends = onnx.Constant dense<[3, -9223372036854775807]> : tensor<2xi64>
  %axes = onnx.Constant dense<[0, 1]> : tensor<2xi64>
  %steps = onnx.Constant dense<[1, -3]> : tensor<2xi64>
  // Dim 1 backwards from 9 by 3: 9, 6, 3, 0.
  // CHECK: onnx.Slice {{.*}} -> tensor<3x4x5xf32>
  %0 = onnx.Slice %x, %starts, %ends axes %axes steps %steps : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<*xf32>
  // Run-time starts with constant axes: only the named dims are unknown.
  // CHECK: onnx.Slice {{.*}} -> tensor<?x?x5xf32>
  %1 = onnx.Slice %x, %s, %e axes %axes : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<*xf32>
  // Default axes are the first len(starts) dims.
  // CHECK: onnx.Slice {{.*}} -> tensor<?x?x5xf32>
  %2 = onnx.Slice %x, %s, %e : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @gather
func.func @gather(%d: tensor<5x4x3xf32>, %i: tensor<2x2xi64>, %j: tensor<i32>, %k: tensor<2x3x3xi64>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // CHECK: onnx.Gather {{.*}} -> tensor<5x2x2x3xf32>
  %0 = onnx.Gather %d, %i {axis = -2 : i64} : (tensor<5x4x3xf32>, tensor<2x2xi64>) -> tensor<*xf32>
  // CHECK: onnx.Gather {{.*}} -> tensor<4x3xf32>
  %1 = onnx.Gather %d, %j : (tensor<5x4x3xf32>, tensor<i32>) -> tensor<*xf32>
  // CHECK: onnx.GatherElements {{.*}} -> tensor<2x3x3xf32>
  %2 = onnx.GatherElements %d, %k {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x3x3xi64>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Expand to Shape(y), or to a Concat of Shape pieces and constants: y's static dims are
// the result's (only its run-time dims are `?`).
// CHECK-LABEL: func.func @expand_shape_of
func.func @expand_shape_of(%x: tensor<1x1xf32>, %y: tensor<?x5xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %s = onnx.Shape %y : (tensor<?x5xf32>) -> tensor<2xi64>
  // CHECK: onnx.Expand {{.*}} -> tensor<?x5xf32>
  %0 = onnx.Expand %x, %s : (tensor<1x1xf32>, tensor<2xi64>) -> tensor<*xf32>
  %two = onnx.Constant dense<2> : tensor<1xi64>
  %t = onnx.Concat %two, %s {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  // CHECK: onnx.Expand {{.*}} -> tensor<2x?x5xf32>
  %1 = onnx.Expand %x, %t : (tensor<1x1xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @expand_tile_pad
func.func @expand_tile_pad(%x: tensor<3x1xf32>, %s: tensor<3xi64>, %p: tensor<4xi64>)
    -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %shape = onnx.Constant dense<[2, 1, 6]> : tensor<3xi64>
  // CHECK: onnx.Expand {{.*}} -> tensor<2x3x6xf32>
  %0 = onnx.Expand %x, %shape : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<*xf32>
  // A run-time shape keeps the input's dims other than 1.
  // CHECK: onnx.Expand {{.*}} -> tensor<?x3x?xf32>
  %1 = onnx.Expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<*xf32>
  %reps = onnx.Constant dense<[2, 3]> : tensor<2xi64>
  // CHECK: onnx.Tile {{.*}} -> tensor<6x3xf32>
  %2 = onnx.Tile %x, %reps : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<*xf32>
  %pads = onnx.Constant dense<[1, 2, 0, -1]> : tensor<4xi64>
  // CHECK: onnx.Pad {{.*}} -> tensor<4x2xf32>
  %3 = onnx.Pad %x, %pads {mode = "edge"} : (tensor<3x1xf32>, tensor<4xi64>) -> tensor<*xf32>
  // CHECK: onnx.Pad {{.*}} -> tensor<?x?xf32>
  %4 = onnx.Pad %x, %p : (tensor<3x1xf32>, tensor<4xi64>) -> tensor<*xf32>
  return %0, %1, %2, %3, %4 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @constant_of_shape_range
func.func @constant_of_shape_range(%s: tensor<3xi64>, %a: tensor<i32>, %b: tensor<i32>, %c: tensor<i32>)
    -> (tensor<*xi64>, tensor<*xi64>, tensor<*xi32>) {
  // The element type comes from `value`; the dims from the shape when it is constant.
  // CHECK: onnx.ConstantOfShape {{.*}} -> tensor<?x?x?xi8>
  %0 = onnx.ConstantOfShape %s {value = dense<1> : tensor<1xi8>} : (tensor<3xi64>) -> tensor<*xi64>
  // CHECK: onnx.ConstantOfShape {{.*}} -> tensor<?x?x?xf32>
  %1 = onnx.ConstantOfShape %s : (tensor<3xi64>) -> tensor<*xi64>
  // CHECK: onnx.Range {{.*}} -> tensor<?xi32>
  %2 = onnx.Range %a, %b, %c : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<*xi32>
  return %0, %1, %2 : tensor<*xi64>, tensor<*xi64>, tensor<*xi32>
}

// -----

// CHECK-LABEL: func.func @split
func.func @split(%x: tensor<7x4xf32>, %s: tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  // Equal parts; the last one smaller (opset 18).
  // CHECK: onnx.Split {{.*}} -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<1x4xf32>)
  %0:3 = onnx.Split %x : (tensor<7x4xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  %sizes = onnx.Constant dense<[1, 3]> : tensor<2xi64>
  // CHECK: onnx.Split {{.*}} -> (tensor<7x1xf32>, tensor<7x3xf32>)
  %1:2 = onnx.Split %x, %sizes {axis = -1 : i64} : (tensor<7x4xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  // CHECK: onnx.Split {{.*}} -> tensor<?x4xf32>
  %2 = onnx.Split %x, %s : (tensor<7x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0#0, %0#1, %0#2, %1#0, %1#1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @depth_space
func.func @depth_space(%x: tensor<1x8x2x3xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  // CHECK: onnx.DepthToSpace {{.*}} -> tensor<1x2x4x6xf32>
  %0 = onnx.DepthToSpace %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<*xf32>
  // CHECK: onnx.SpaceToDepth {{.*}} -> tensor<1x8x2x3xf32>
  %1 = onnx.SpaceToDepth %0 {blocksize = 2 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}
