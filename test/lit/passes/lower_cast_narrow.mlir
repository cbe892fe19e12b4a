// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Casts whose truncf would become a compiler-rt call that a model cannot link (__truncsfbf2
// for bf16 on CPUs without AVX512-BF16, __truncdfhf2 for f64 -> f16) are computed on the bits.

// f32 -> bf16: round to nearest even on the high half, NaN kept quiet.
// CHECK-LABEL: func.func @f32_to_bf16
// CHECK:         %[[BITS:.+]] = arith.bitcast %{{.+}} : f32 to i32
// CHECK:         %[[HIGH:.+]] = arith.shrui %[[BITS]], %c16_i32
// CHECK:         %[[LSB:.+]] = arith.andi %[[HIGH]], %c1_i32
// CHECK:         %[[BIAS:.+]] = arith.addi %[[LSB]], %c32767_i32
// CHECK:         %[[SUM:.+]] = arith.addi %[[BITS]], %[[BIAS]]
// CHECK:         %[[ROUNDED:.+]] = arith.shrui %[[SUM]]
// CHECK:         %[[QNAN:.+]] = arith.ori %[[HIGH]], %c64_i32
// CHECK:         %[[NAN:.+]] = arith.cmpf uno
// CHECK:         %[[SEL:.+]] = arith.select %[[NAN]], %[[QNAN]], %[[ROUNDED]]
// CHECK:         %[[HALF:.+]] = arith.trunci %[[SEL]] : i32 to i16
// CHECK:         arith.bitcast %[[HALF]] : i16 to bf16
// CHECK-NOT:     arith.truncf
func.func @f32_to_bf16(%x: tensor<4xf32>) -> tensor<4xbf16> {
  %0 = onnx.Cast %x {to = bf16} : (tensor<4xf32>) -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// f64 -> f16: round to odd into f32 (truncated toward zero, sticky last bit when inexact),
// then the hardware f32 -> f16: correctly rounded, no double-rounding error.
// CHECK-LABEL: func.func @f64_to_f16
// CHECK:         %[[T:.+]] = arith.truncf %{{.+}} : f64 to f32
// CHECK:         %[[BACK:.+]] = arith.extf %[[T]] : f32 to f64
// CHECK:         %[[INEXACT:.+]] = arith.cmpf one, %[[BACK]]
// CHECK:         %[[AWAY:.+]] = arith.cmpf ogt
// CHECK:         %[[BITS:.+]] = arith.bitcast %[[T]] : f32 to i32
// CHECK:         %[[DOWN:.+]] = arith.subi %[[BITS]], %c1_i32
// CHECK:         %[[TOWARD0:.+]] = arith.select %[[AWAY]], %[[DOWN]], %[[BITS]]
// CHECK:         %[[ODD:.+]] = arith.ori %[[TOWARD0]], %c1_i32
// CHECK:         %[[R:.+]] = arith.select %[[INEXACT]], %[[ODD]], %[[TOWARD0]]
// CHECK:         %[[F:.+]] = arith.bitcast %[[R]] : i32 to f32
// CHECK:         arith.truncf %[[F]] : f32 to f16
func.func @f64_to_f16(%x: tensor<4xf64>) -> tensor<4xf16> {
  %0 = onnx.Cast %x {to = f16} : (tensor<4xf64>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// Integers go to bf16 through f64 and the same narrowing.
// CHECK-LABEL: func.func @i32_to_bf16
// CHECK:         arith.sitofp %{{.+}} : i32 to f64
// CHECK:         arith.truncf %{{.+}} : f64 to f32
// CHECK:         arith.bitcast %{{.+}} : i16 to bf16
func.func @i32_to_bf16(%x: tensor<4xi32>) -> tensor<4xbf16> {
  %0 = onnx.Cast %x {to = bf16} : (tensor<4xi32>) -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}
