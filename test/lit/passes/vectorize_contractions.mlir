// RUN: %onnx-opt %s -onnx-vectorize-contractions="vector-bits=256 vector-registers=16" -canonicalize -cse -split-input-file | FileCheck %s
// RUN: %onnx-opt %s -onnx-vectorize-contractions -split-input-file | FileCheck %s --check-prefix=OFF

// Register tiles of vector FMAs for out += a * b. 3x20 by 8 lanes: one tile of 3 rows by 3
// vectors, the last vector masked (lanes 16..19 of 24); accumulators start from the init and
// the result goes to a fresh tensor.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME:    (%[[A:.+]]: tensor<3x5xf32>, %[[B:.+]]: tensor<5x20xf32>, %[[C:.+]]: tensor<3x20xf32>)
// CHECK:         %[[DEST:.+]] = bufferization.alloc_tensor() : tensor<3x20xf32>
// CHECK:         %[[ACC0:.+]] = vector.transfer_read %[[C]][%c0, %c0], %{{.+}} {in_bounds = [true]} : tensor<3x20xf32>, vector<8xf32>
// CHECK:         vector.transfer_read %[[C]][%c0, %c16], %{{[a-z0-9_]+}} : tensor<3x20xf32>, vector<8xf32>
// CHECK:         %[[R:.+]]:9 = scf.for %[[K:.+]] = %c0 to %c5 step %c1 iter_args(%{{.+}} = %[[ACC0]],
// CHECK:           %[[B0:.+]] = vector.transfer_read %[[B]][%[[K]], %c0], %{{.+}} {in_bounds = [true]}
// CHECK:           %[[B1:.+]] = vector.transfer_read %[[B]][%[[K]], %c8], %{{.+}} {in_bounds = [true]}
// CHECK:           %[[B2:.+]] = vector.transfer_read %[[B]][%[[K]], %c16], %{{[a-z0-9_]+}} : tensor<5x20xf32>
// CHECK:           %[[A0:.+]] = tensor.extract %[[A]][%c0, %[[K]]]
// CHECK:           %[[S0:.+]] = vector.broadcast %[[A0]] : f32 to vector<8xf32>
// CHECK:           vector.fma %[[S0]], %[[B0]], %{{.+}} : vector<8xf32>
// CHECK:           vector.fma %[[S0]], %[[B1]]
// CHECK:           vector.fma %[[S0]], %[[B2]]
// CHECK-COUNT-6:   vector.fma
// CHECK:           scf.yield
// CHECK:         vector.transfer_write %[[R]]#0, %[[DEST]][%c0, %c0] {in_bounds = [true]}
// CHECK-NOT:     linalg.generic
// OFF-LABEL:   func.func @matmul
// OFF:           linalg.generic
// OFF-NOT:       vector.
#mA = affine_map<(d0, d1, d2) -> (d0, d2)>
#mB = affine_map<(d0, d1, d2) -> (d2, d1)>
#mC = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @matmul(%a: tensor<3x5xf32>, %b: tensor<5x20xf32>, %c: tensor<3x20xf32>) -> tensor<3x20xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<3x5xf32>, tensor<5x20xf32>) outs(%c : tensor<3x20xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<3x20xf32>
  return %r : tensor<3x20xf32>
}

// -----

// Gemm with transB: the constant weights are transposed at compile time so that the vector
// loads are contiguous (the blob holds 1, 3, 2, 4); a zero fill starts the accumulator as a
// constant vector.
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<8xf32>
// CHECK-DAG:     %[[W:.+]] = arith.constant dense_resource<packed> : tensor<2x2xf32>
// CHECK:         scf.for %{{.+}} iter_args(%{{.+}} = %[[ZERO]])
// CHECK:           vector.transfer_read %[[W]][%{{.+}}, %c0], %{{[a-z0-9_]+}} : tensor<2x2xf32>, vector<8xf32>
// CHECK:         packed: "0x040000000000803F000040400000004000008040"
#mA2 = affine_map<(d0, d1, d2) -> (d0, d2)>
#mBt = affine_map<(d0, d1, d2) -> (d1, d2)>
#mC2 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @gemm_trans_b(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %r = linalg.generic {indexing_maps = [#mA2, #mBt, #mC2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%f : tensor<1x2xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}

// -----

// Stride 2 along the vector dim (a strided convolution): read twice the lanes, keep the even
// ones. The span may run past the operand's end, so the read is masked.
// CHECK-LABEL: func.func @strided
// CHECK:         scf.for
// CHECK:           %[[SPAN:.+]] = vector.transfer_read %{{.+}}, %{{[a-z0-9_]+}} : tensor<4x21xf32>, vector<16xf32>
// CHECK:           vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, 6, 8, 10, 12, 14] : vector<16xf32>, vector<16xf32>
// CHECK:           vector.fma
#mX = affine_map<(d0, d1, d2, d3) -> (d2, d1 * 2 + d3)>
#mW = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
#mY = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
func.func @strided(%x: tensor<4x21xf32>, %w: tensor<6x4x3xf32>, %y: tensor<6x10xf32>) -> tensor<6x10xf32> {
  %r = linalg.generic {indexing_maps = [#mX, #mW, #mY], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : tensor<4x21xf32>, tensor<6x4x3xf32>) outs(%y : tensor<6x10xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<6x10xf32>
  return %r : tensor<6x10xf32>
}

// -----

// Not contractions of this shape: left to the loop lowering. Elementwise (no reduction), a
// body that is not a multiply-accumulate, and integers.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT:     vector.
#id = affine_map<(d0, d1) -> (d0, d1)>
#mA3 = affine_map<(d0, d1, d2) -> (d0, d2)>
#mB3 = affine_map<(d0, d1, d2) -> (d2, d1)>
#mC3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @left_alone(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>, %c: tensor<4x8xf32>,
                      %i: tensor<4x8xi32>, %j: tensor<8x8xi32>, %k: tensor<4x8xi32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xi32>) {
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%c : tensor<4x8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#mA3, #mB3, #mC3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8x8xf32>) outs(%c : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.maximumf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %2 = linalg.generic {indexing_maps = [#mA3, #mB3, #mC3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%i, %j : tensor<4x8xi32>, tensor<8x8xi32>) outs(%k : tensor<4x8xi32>) {
  ^bb0(%x: i32, %y: i32, %acc: i32):
    %m = arith.muli %x, %y : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  } -> tensor<4x8xi32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xi32>
}

// -----

// A bias broadcast as the init is read from the bias itself (one vector per tile column), and
// the elementwise consumer (bias already in, then ReLU and a residual add) is applied to the
// accumulators before the store: neither the broadcast copy nor the contraction's own result
// is materialized.
// CHECK-LABEL: func.func @bias_relu_residual
// CHECK-SAME:    (%[[A:.+]]: tensor<2x4xf32>, %[[B:.+]]: tensor<4x8xf32>, %[[BIAS:.+]]: tensor<8xf32>, %[[RES:.+]]: tensor<2x8xf32>)
// CHECK:         %[[DEST:.+]] = bufferization.alloc_tensor() : tensor<2x8xf32>
// CHECK:         %[[ACC:.+]] = vector.transfer_read %[[BIAS]][%c0], %{{.+}} {in_bounds = [true]} : tensor<8xf32>, vector<8xf32>
// CHECK:         scf.for {{.+}} iter_args(%{{.+}} = %[[ACC]], %{{.+}} = %[[ACC]])
// CHECK:         %[[R0:.+]] = vector.transfer_read %[[RES]][%c0, %c0]
// CHECK:         %[[SUM:.+]] = arith.addf %{{.+}}, %[[R0]] : vector<8xf32>
// CHECK:         %[[RELU:.+]] = arith.maximumf %[[SUM]], %{{.+}} : vector<8xf32>
// CHECK:         vector.transfer_write %[[RELU]], %[[DEST]][%c0, %c0]
// CHECK-NOT:     linalg.generic
#map_a = affine_map<(d0, d1, d2) -> (d0, d2)>
#map_b = affine_map<(d0, d1, d2) -> (d2, d1)>
#map_c = affine_map<(d0, d1, d2) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @bias_relu_residual(%a: tensor<2x4xf32>, %b: tensor<4x8xf32>, %bias: tensor<8xf32>,
                              %res: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %init = linalg.generic {indexing_maps = [#row, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<2x8xf32>
  %mm = linalg.generic {indexing_maps = [#map_a, #map_b, #map_c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<2x4xf32>, tensor<4x8xf32>) outs(%init : tensor<2x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  %out = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %res : tensor<2x8xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%x: f32, %r: f32, %o: f32):
    %s = arith.addf %x, %r : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  return %out : tensor<2x8xf32>
}

// -----

// The epilogue may read the result through a collapse of leading dims (Conv's group dim).
// CHECK-LABEL: func.func @through_collapse
// CHECK:         arith.maximumf %{{.+}}, %{{.+}} : vector<8xf32>
// CHECK:         %[[C:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : tensor<1x2x8xf32> into tensor<2x8xf32>
// CHECK:         return %[[C]]
#m3a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#m3b = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
#m3c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#id2b = affine_map<(d0, d1) -> (d0, d1)>
func.func @through_collapse(%a: tensor<1x2x4xf32>, %b: tensor<4x8xf32>, %c: tensor<1x2x8xf32>) -> tensor<2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %mm = linalg.generic {indexing_maps = [#m3a, #m3b, #m3c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<1x2x4xf32>, tensor<4x8xf32>) outs(%c : tensor<1x2x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x8xf32>
  %col = tensor.collapse_shape %mm [[0, 1], [2]] : tensor<1x2x8xf32> into tensor<2x8xf32>
  %e = tensor.empty() : tensor<2x8xf32>
  %out = linalg.generic {indexing_maps = [#id2b, #id2b], iterator_types = ["parallel", "parallel"]}
      ins(%col : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  return %out : tensor<2x8xf32>
}

// -----

// An input whose elements the body does not use only shapes the iteration space
// (ConvTranspose's kernel-window operand): the two multiplied inputs still form the kernel.
// CHECK-LABEL: func.func @shape_only_input
// CHECK:         scf.for
// CHECK:           vector.fma
// CHECK-NOT:     linalg.generic
#s_a = affine_map<(d0, d1, d2) -> (d0, d2)>
#s_b = affine_map<(d0, d1, d2) -> (d2, d1)>
#s_k = affine_map<(d0, d1, d2) -> (d2)>
#s_c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @shape_only_input(%a: tensor<2x4xf32>, %b: tensor<4x8xf32>, %k: tensor<4xf32>,
                            %c: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %r = linalg.generic {indexing_maps = [#s_a, #s_b, #s_k, #s_c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b, %k : tensor<2x4xf32>, tensor<4x8xf32>, tensor<4xf32>) outs(%c : tensor<2x8xf32>) {
  ^bb0(%x: f32, %y: f32, %unused: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

// The epilogue's residual is reshaped after the contraction (onnx-fuse-elementwise puts the
// collapse next to the epilogue): the reshape is hoisted to its operand, so the residual
// counts as computed before the contraction and the epilogue still fuses.
// CHECK-LABEL: func.func @residual_reshaped_after
// CHECK-SAME:    (%{{.+}}: tensor<2x4xf32>, %{{.+}}: tensor<4x16xf32>, %[[R:.+]]: tensor<2x4x4xf32>)
// CHECK:         %[[RC:.+]] = tensor.collapse_shape %[[R]]
// CHECK:         scf.for
// CHECK:           vector.fma
// CHECK:           arith.addf %{{.+}}, %{{.+}} : vector<8xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return
#ra = affine_map<(d0, d1, d2) -> (d0, d2)>
#rb = affine_map<(d0, d1, d2) -> (d2, d1)>
#ro = affine_map<(d0, d1, d2) -> (d0, d1)>
#rid = affine_map<(d0, d1) -> (d0, d1)>
func.func @residual_reshaped_after(%a: tensor<2x4xf32>, %b: tensor<4x16xf32>, %r: tensor<2x4x4xf32>) -> tensor<2x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16xf32>) -> tensor<2x16xf32>
  %mm = linalg.generic {indexing_maps = [#ra, #rb, #ro], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<2x4xf32>, tensor<4x16xf32>) outs(%f : tensor<2x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x16xf32>
  %rc = tensor.collapse_shape %r [[0], [1, 2]] : tensor<2x4x4xf32> into tensor<2x16xf32>
  %e2 = tensor.empty() : tensor<2x16xf32>
  %out = linalg.generic {indexing_maps = [#rid, #rid, #rid], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %rc : tensor<2x16xf32>, tensor<2x16xf32>) outs(%e2 : tensor<2x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<2x16xf32>
  return %out : tensor<2x16xf32>
}
