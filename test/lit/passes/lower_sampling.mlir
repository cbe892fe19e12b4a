// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Resize, nearest: one linalg.generic over the result whose body computes each resized dim's
// source position in f64 and reads the input once with tensor.extract. Dims with constant
// scale 1 and an unchanged size read their own index; run-time scales are read before the loop.

// CHECK-LABEL: func.func @resize_nearest
// CHECK-SAME:    (%[[X:.+]]: tensor<1x3x2x2xf32>, %[[S:.+]]: tensor<2xf32>)
// CHECK:         %[[C0:.+]] = arith.constant 0 : index
// CHECK:         %[[S0:.+]] = tensor.extract %[[S]][%[[C0]]] : tensor<2xf32>
// CHECK:         arith.extf %[[S0]] : f32 to f64
// CHECK:         %[[C1:.+]] = arith.constant 1 : index
// CHECK:         tensor.extract %[[S]][%[[C1]]] : tensor<2xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<1x3x4x6xf32>)
// CHECK:           %[[N:.+]] = linalg.index 0 : index
// CHECK:           %[[C:.+]] = linalg.index 1 : index
// round_prefer_floor: up only when the fraction is above one half.
// CHECK:           math.floor
// CHECK:           arith.cmpf ogt
// CHECK:           math.floor
// CHECK:           arith.cmpf ogt
// CHECK:           %[[V:.+]] = tensor.extract %[[X]][%[[N]], %[[C]], %{{.+}}, %{{.+}}] : tensor<1x3x2x2xf32>
// CHECK:           linalg.yield %[[V]] : f32
func.func @resize_nearest(%x: tensor<1x3x2x2xf32>, %s: tensor<2xf32>) -> tensor<1x3x4x6xf32> {
  %0 = onnx.Resize %x scales %s {axes = array<i64: 2, 3>} : (tensor<1x3x2x2xf32>, tensor<2xf32>) -> tensor<1x3x4x6xf32>
  return %0 : tensor<1x3x4x6xf32>
}

// -----

// Linear: one pass per resized dim, the shrinking one first, each reading two taps along
// its dim. tf_crop_and_resize reads roi at run time and extrapolates outside it.

// CHECK-LABEL: func.func @resize_linear_crop
// CHECK-SAME:    (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[R:.+]]: tensor<4xf32>)
// CHECK-DAG:     %[[E:.+]] = arith.constant 1.000000e+01 : f32
// CHECK:         %[[W:.+]] = linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<1x2x4x2xf32>)
// CHECK:           tensor.extract %[[X]]
// CHECK:           tensor.extract %[[X]]
// CHECK:           arith.select %{{.+}}, %{{.+}}, %[[E]] : f32
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<1x2x8x2xf32>)
// CHECK:           tensor.extract %[[W]]
// CHECK:           tensor.extract %[[W]]
// CHECK:           arith.select %{{.+}}, %{{.+}}, %[[E]] : f32
func.func @resize_linear_crop(%x: tensor<1x2x4x4xf32>, %roi: tensor<4xf32>) -> tensor<1x2x8x2xf32> {
  %sz = onnx.Constant dense<[8, 2]> : tensor<2xi64>
  %0 = onnx.Resize %x roi %roi sizes %sz {axes = array<i64: 2, 3>, mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 10.0 : f32} : (tensor<1x2x4x4xf32>, tensor<4xf32>, tensor<2xi64>) -> tensor<1x2x8x2xf32>
  return %0 : tensor<1x2x8x2xf32>
}

// -----

// Cubic: four taps per pass; f16 accumulates in f32.

// CHECK-LABEL: func.func @resize_cubic_f16
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<1x1x6x4xf16>)
// CHECK-COUNT-4:   tensor.extract %{{.+}} : tensor<1x1x3x4xf16>
// CHECK:           arith.truncf %{{.+}} : f32 to f16
// CHECK-NOT:     linalg.generic
func.func @resize_cubic_f16(%x: tensor<1x1x3x4xf16>) -> tensor<1x1x6x4xf16> {
  %s = onnx.Constant dense<[1.0, 1.0, 2.0, 1.0]> : tensor<4xf32>
  %0 = onnx.Resize %x scales %s {mode = "cubic"} : (tensor<1x1x3x4xf16>, tensor<4xf32>) -> tensor<1x1x6x4xf16>
  return %0 : tensor<1x1x6x4xf16>
}

// -----

// GridSample: one generic over the result; each spatial dim reads its grid coordinate (x is
// grid[..., 0], the last dim) and bilinear combines 2 x 2 taps, masked outside the input.

// CHECK-LABEL: func.func @grid_sample
// CHECK-SAME:    (%[[X:.+]]: tensor<1x2x3x4xf32>, %[[G:.+]]: tensor<1x5x6x2xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<1x2x5x6xf32>)
// CHECK:           %[[GY:.+]] = arith.constant 1 : index
// CHECK:           tensor.extract %[[G]][%{{.+}}, %{{.+}}, %{{.+}}, %[[GY]]]
// CHECK:           %[[GX:.+]] = arith.constant 0 : index
// CHECK:           tensor.extract %[[G]][%{{.+}}, %{{.+}}, %{{.+}}, %[[GX]]]
// CHECK-COUNT-4:   tensor.extract %[[X]]
func.func @grid_sample(%x: tensor<1x2x3x4xf32>, %g: tensor<1x5x6x2xf32>) -> tensor<1x2x5x6xf32> {
  %0 = onnx.GridSample %x, %g {padding_mode = "border"} : (tensor<1x2x3x4xf32>, tensor<1x5x6x2xf32>) -> tensor<1x2x5x6xf32>
  return %0 : tensor<1x2x5x6xf32>
}

// -----

// RoiAlign: a reduction over the sampling_ratio x sampling_ratio samples of each bin (a
// sample-shaped operand carries their domain), then the average's 1 / samples.

// CHECK-DAG: #[[$SAMPLES:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @roi_align
// CHECK:         %[[GRID:.+]] = tensor.empty() : tensor<2x2xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$SAMPLES]], #[[$OUT]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME:      ins(%[[GRID]] : tensor<2x2xf32>) outs(%{{.+}} : tensor<3x4x5x5xf32>)
// CHECK-COUNT-4:   tensor.extract %{{.+}} : tensor<1x4x10x10xf32>
// CHECK:         arith.constant 2.500000e-01 : f32
func.func @roi_align(%x: tensor<1x4x10x10xf32>, %r: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x4x5x5xf32> {
  %0 = onnx.RoiAlign %x, %r, %b {output_height = 5 : i64, output_width = 5 : i64, sampling_ratio = 2 : i64} : (tensor<1x4x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x4x5x5xf32>
  return %0 : tensor<3x4x5x5xf32>
}
