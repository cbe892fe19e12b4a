// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// Range over values known only at run time: the length max(ceil((limit - start) / delta), 0)
// is computed from them, -1 (refused by the run, docs/dynamic-shapes.md) for delta 0, a NaN
// or infinite quotient, or a length above 2^31 - 1.

// CHECK-LABEL: func.func @range_float
// CHECK-DAG:     %[[START:.+]] = tensor.extract %arg0[] : tensor<f32>
// CHECK-DAG:     %[[LIMIT:.+]] = tensor.extract %arg1[] : tensor<f32>
// CHECK-DAG:     %[[DELTA:.+]] = tensor.extract %arg2[] : tensor<f32>
// CHECK:         %[[DIFF:.+]] = arith.subf %[[LIMIT]], %[[START]] : f32
// CHECK:         %[[Q:.+]] = arith.divf %[[DIFF]], %[[DELTA]] : f32
// CHECK:         %[[CEIL:.+]] = math.ceil %[[Q]] : f32
// CHECK:         %[[WIDE:.+]] = arith.extf %[[CEIL]] : f32 to f64
// CHECK:         arith.cmpf oge, %[[WIDE]]
// CHECK:         arith.cmpf ole, %[[WIDE]]
// CHECK:         %[[CLAMPED:.+]] = arith.maximumf %[[WIDE]]
// CHECK:         arith.fptosi %{{.+}} : f64 to i64
// CHECK:         %[[N:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK:         %[[E:.+]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK:         linalg.generic {{.*}} outs(%[[E]] : tensor<?xf32>)
// CHECK:           arith.sitofp
func.func @range_float(%a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>) -> tensor<?xf32> {
  %0 = onnx.Range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Integers: in i64, the distance as unsigned, divided by |delta|; delta 0 gives -1.
// CHECK-LABEL: func.func @range_int
// CHECK:         arith.extsi %{{.+}} : i32 to i64
// CHECK:         %[[UP:.+]] = arith.cmpi sgt, %{{.+}}, %{{.+}} : i64
// CHECK:         %[[ZERO:.+]] = arith.cmpi eq, %{{.+}}, %{{.+}} : i64
// CHECK:         arith.divui
// CHECK:         %[[LONG:.+]] = arith.cmpi ugt, %{{.+}}, %{{.+}} : i64
// CHECK:         %[[BAD:.+]] = arith.ori %[[ZERO]], %[[LONG]] : i1
// CHECK:         arith.select %[[BAD]], %{{.+}}, %{{.+}} : i64
// CHECK:         tensor.empty(%{{.+}}) : tensor<?xi32>
func.func @range_int(%a: tensor<i32>, %b: tensor<i32>, %c: tensor<i32>) -> tensor<?xi32> {
  %0 = onnx.Range %a, %b, %c : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// A constant delta of 0 has no length: refused at compile time (folding would give a
// negative static size).
func.func @range_delta_zero(%a: tensor<f32>, %b: tensor<f32>) -> tensor<?xf32> {
  %c = onnx.Constant dense<0.0> : tensor<f32>
  // expected-error @+1 {{delta is 0: the range has no end}}
  %0 = onnx.Range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// An elementwise op whose result the model declares static reads a run-time input dim as
// that size: the assumption is recorded (cf.assert {onnxc.data_check}); the memory plan
// checks it at run time when the dim comes from data.
// CHECK-LABEL: func.func @declared_static
// CHECK:         %[[E:.+]] = tensor.empty(%[[N:.+]]) : tensor<?xf32>
// CHECK:         %[[R:.+]] = linalg.generic {{.*}} outs(%[[E]] : tensor<?xf32>)
// CHECK:         %[[D:.+]] = tensor.dim %[[R]], %{{.+}} : tensor<?xf32>
// CHECK:         %[[OK:.+]] = arith.cmpi eq, %[[D]], %{{.+}} : index
// CHECK:         cf.assert %[[OK]], "a size from tensor data differs from the static size the model declares" {onnxc.data_check}
// CHECK:         linalg.generic {{.*}} outs(%{{.+}} : tensor<5xf32>)
func.func @declared_static(%a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>) -> tensor<5xf32> {
  %0 = onnx.Range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %1 = onnx.Add %0, %0 : (tensor<?xf32>, tensor<?xf32>) -> tensor<5xf32>
  return %1 : tensor<5xf32>
}
