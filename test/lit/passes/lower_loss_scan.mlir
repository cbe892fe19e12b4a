// RUN: %onnx-opt %s -convert-onnx-to-linalg -canonicalize -split-input-file | FileCheck %s

// NegativeLogLikelihoodLoss, CumSum and TopK.

// Reduction none: one parallel generic over the target that extracts -input[n, target, d].
// CHECK-LABEL: func.func @nll_none
// CHECK-SAME:    (%[[X:.+]]: tensor<3x5x2xf32>, %[[T:.+]]: tensor<3x2xi64>)
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[T]] : tensor<3x2xi64>)
// CHECK:           %[[C:.+]] = arith.minsi
// CHECK:           %[[N:.+]] = linalg.index 0
// CHECK:           %[[D:.+]] = linalg.index 1
// CHECK:           %[[E:.+]] = tensor.extract %[[X]][%[[N]], %[[C]], %[[D]]]
// CHECK:           arith.negf %[[E]]
func.func @nll_none(%x: tensor<3x5x2xf32>, %t: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %0 = onnx.NegativeLogLikelihoodLoss %x, %t {reduction = "none"} : (tensor<3x5x2xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Reduction mean with weights and ignore_index: the loss and the weight used accumulate into
// two scalars (an ignored target weighs 0), divided at the end.
// CHECK-LABEL: func.func @nll_mean
// CHECK-SAME:    (%[[X:.+]]: tensor<3x5xf32>, %[[T:.+]]: tensor<3xi64>, %[[W:.+]]: tensor<5xf32>)
// CHECK:         %[[R:.+]]:2 = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[T]] : tensor<3xi64>) outs({{.*}} : tensor<f32>, tensor<f32>)
// CHECK:         ^bb0(%[[IN:.+]]: i64, %[[L:.+]]: f32, %[[S:.+]]: f32):
// CHECK:           %[[IGN:.+]] = arith.cmpi eq, %[[IN]], %c-1_i64
// CHECK:           %[[WE:.+]] = tensor.extract %[[W]]
// CHECK:           %[[WS:.+]] = arith.select %[[IGN]], %{{.+}}, %[[WE]]
// CHECK:           arith.mulf %{{.+}}, %[[WS]]
// CHECK:           linalg.yield
// CHECK:         linalg.generic {{.*}} ins(%[[R]]#0, %[[R]]#1 : tensor<f32>, tensor<f32>)
// CHECK:           arith.divf
func.func @nll_mean(%x: tensor<3x5xf32>, %t: tensor<3xi64>, %w: tensor<5xf32>) -> tensor<f32> {
  %0 = onnx.NegativeLogLikelihoodLoss %x, %t, %w {ignore_index = -1 : i64} : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CumSum with a constant axis: the extra (last) loop walks the axis' source positions;
// exclusive + reverse takes the ones strictly after.
// CHECK-DAG:   #[[SRC:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[DST:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @cumsum
// CHECK:         linalg.generic {indexing_maps = [#[[SRC]], #[[DST]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK:           %[[K:.+]] = linalg.index 2
// CHECK:           %[[I:.+]] = linalg.index 1
// CHECK:           arith.cmpi ugt, %[[K]], %[[I]]
func.func @cumsum(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = onnx.Constant dense<-1> : tensor<i32>
  %0 = onnx.CumSum %x, %a {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// An axis known only at run time picks the per-axis lowering with scf.index_switch; every
// case accumulates into the one zero fill made before it (no allocation inside the regions).
// CHECK-LABEL: func.func @cumsum_runtime_axis
// CHECK:         %[[ZEROS:.+]] = linalg.fill
// CHECK:         %[[A:.+]] = tensor.extract %{{.+}}[] : tensor<i32>
// CHECK:         %[[R:.+]] = scf.index_switch
// CHECK:         case 0 {
// CHECK:           linalg.generic {{.*}} outs(%[[ZEROS]] : tensor<2x3xi64>)
// CHECK:           arith.cmpi ule
// CHECK:         case 1 {
// CHECK:           linalg.generic {{.*}} outs(%[[ZEROS]] : tensor<2x3xi64>)
// CHECK:         default {
// CHECK-NEXT:      scf.yield %[[ZEROS]]
// CHECK:         return %[[R]]
func.func @cumsum_runtime_axis(%x: tensor<2x3xi64>, %a: tensor<i32>) -> tensor<2x3xi64> {
  %0 = onnx.CumSum %x, %a : (tensor<2x3xi64>, tensor<i32>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// TopK: each element's rank counts the elements that sort before it (smaller here, or equal
// at a lower index); output position r then takes the element of rank r. k comes from the
// result type.
// CHECK-LABEL: func.func @topk
// CHECK:         %[[RANK:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg0 : tensor<3x4xf32>, tensor<3x4xf32>) outs(%{{.+}} : tensor<3x4xi64>)
// CHECK:           arith.cmpf olt
// CHECK:           arith.extui
// CHECK:         %[[OUT:.+]]:2 = linalg.generic {{.*}} ins(%arg0, %[[RANK]] : tensor<3x4xf32>, tensor<3x4xi64>) outs(%{{.+}}, %{{.+}} : tensor<3x2xf32>, tensor<3x2xi64>)
// CHECK:           %[[EQ:.+]] = arith.cmpi eq
// CHECK:           arith.select %[[EQ]]
// CHECK:         return %[[OUT]]#0, %[[OUT]]#1
func.func @topk(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %0:2 = onnx.TopK %x, %k {axis = 1 : i64, largest = 0 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %0#0, %0#1 : tensor<3x2xf32>, tensor<3x2xi64>
}
