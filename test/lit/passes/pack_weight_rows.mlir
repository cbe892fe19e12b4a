// RUN: %onnx-opt %s -onnx-vectorize-contractions="vector-bits=256 vector-registers=16 l1-bytes=64" -canonicalize -cse -split-input-file | FileCheck %s
// RUN: %onnx-opt %s -onnx-vectorize-contractions="vector-bits=256 vector-registers=16" -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=FITS

// A 1x1 convolution out[m, w] += x[c, w] * W[m, c] with constant weights (the broadcast
// operand), whose tile rows (5 x 4 floats) exceed L1 (here 64 bytes; with the default 32 KB,
// FITS, they are left as they are). The tile is 5 rows x 2 vectors of 8 lanes, so W (14 x 4)
// is packed at compile time into panels of 5 rows, [2][4][5]: the 5 scalars that one
// reduction step broadcasts lie side by side (lane i = row i of the tile). The 4 rows left
// (10..13) go into a tail of their own, [1][4][4], not into a third panel padded with a zero
// row. Each tile reads its panel (m0 floordiv 5) at lanes 0..4; the remainder tile reads
// the tail at lanes 0..3.
// CHECK-DAG: #[[$PANEL:.+]] = affine_map<(d0) -> (d0 floordiv 5)>
// CHECK-LABEL: func.func @pack_rows
// CHECK-DAG:     %[[W:.+]] = arith.constant dense_resource<packed> : tensor<2x4x5xf32>
// CHECK-DAG:     %[[T:.+]] = arith.constant dense_resource<packed_1> : tensor<1x4x4xf32>
// CHECK:         scf.for %[[M0:.+]] = %c0 to %c10 step %c5
// CHECK:           scf.for %[[C:.+]] = %c0 to %c4 step %c1
// CHECK:             %[[P:.+]] = affine.apply #[[$PANEL]](%[[M0]])
// CHECK:             tensor.extract %[[W]][%[[P]], %[[C]], %c0] : tensor<2x4x5xf32>
// CHECK:             tensor.extract %[[W]][%[[P]], %[[C]], %c1] : tensor<2x4x5xf32>
// CHECK:             tensor.extract %[[W]][%[[P]], %[[C]], %c4] : tensor<2x4x5xf32>
// CHECK-COUNT-2:       vector.fma
// CHECK:         } {onnxc.parallel}
// CHECK:         scf.for %[[C:.+]] = %c0 to %c4 step %c1
// CHECK:           tensor.extract %[[T]][%c0, %[[C]], %c0] : tensor<1x4x4xf32>
// CHECK:           tensor.extract %[[T]][%c0, %[[C]], %c3] : tensor<1x4x4xf32>
// CHECK-NOT:       tensor.extract %[[W]]
// CHECK:           vector.fma
// The blobs (64-byte aligned): panel 0, c = 0 holds rows 0..4 (0, 4, 8, 12, 16), then c = 1
// starts with row 0's 1.0; panel 1 ends with c = 3 of rows 5..9 (23, 27, 31, 35, 39). The
// tail starts with c = 0 of rows 10..13 (40, 44, 48, 52) and ends with c = 3 of them (43,
// 47, 51, 55).
// FITS-LABEL: func.func @pack_rows
// FITS-NOT:     packed
// FITS:         tensor.extract %{{.+}}[%{{.+}}, %{{.+}}] : tensor<14x4xf32>
// CHECK:         packed: "0x4000000000000000000080400000004100004041000080410000803F{{[0-9A-F]*}}0000B8410000D8410000F84100000C4200001C42"
// CHECK-NEXT:    packed_1: "0x4000000000002042000030420000404200005042{{[0-9A-F]*}}00002C4200003C4200004C4200005C42"
#mX = affine_map<(d0, d1, d2) -> (d2, d1)>
#mW = affine_map<(d0, d1, d2) -> (d0, d2)>
#mY = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @pack_rows(%x: tensor<4x16xf32>, %y: tensor<14x16xf32>) -> tensor<14x16xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0], [12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0], [24.0, 25.0, 26.0, 27.0], [28.0, 29.0, 30.0, 31.0], [32.0, 33.0, 34.0, 35.0], [36.0, 37.0, 38.0, 39.0], [40.0, 41.0, 42.0, 43.0], [44.0, 45.0, 46.0, 47.0], [48.0, 49.0, 50.0, 51.0], [52.0, 53.0, 54.0, 55.0]]> : tensor<14x4xf32>
  %r = linalg.generic {indexing_maps = [#mX, #mW, #mY], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x16xf32>, tensor<14x4xf32>) outs(%y : tensor<14x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<14x16xf32>
  return %r : tensor<14x16xf32>
}

// -----

// The broadcast operand's rows already lie side by side (M is its innermost dim, W[c, m]):
// left as it is, read through its own map.
// CHECK-LABEL: func.func @rows_already_contiguous
// CHECK-NOT:     packed
// CHECK:         %[[W:.+]] = arith.constant dense<{{.+}}> : tensor<4x14xf32>
// CHECK:         tensor.extract %[[W]][%{{.+}}, %{{.+}}] : tensor<4x14xf32>
#mX = affine_map<(d0, d1, d2) -> (d2, d1)>
#mWt = affine_map<(d0, d1, d2) -> (d2, d0)>
#mY = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @rows_already_contiguous(%x: tensor<4x16xf32>, %y: tensor<14x16xf32>) -> tensor<14x16xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0]]> : tensor<4x14xf32>
  %r = linalg.generic {indexing_maps = [#mX, #mWt, #mY], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x16xf32>, tensor<4x14xf32>) outs(%y : tensor<14x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<14x16xf32>
  return %r : tensor<14x16xf32>
}
