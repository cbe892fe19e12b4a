// RUN: %onnx-opt %s -onnx-approximate-math | FileCheck %s

// exp, log, tanh, erf become arithmetic (no libm call to keep a loop from vectorizing); f16
// computes in f32; sin and cos stay (their range reduction loses accuracy on large inputs).
// CHECK-LABEL: func.func @approximated
// CHECK-NOT:     math.exp
// CHECK-NOT:     math.log
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.erf
// CHECK:         math.sin
// CHECK-NOT:     math.exp
// CHECK:         return
func.func @approximated(%x: f32, %h: f16) -> (f32, f32, f32, f32, f16, f32) {
  %0 = math.exp %x : f32
  %1 = math.log %x : f32
  %2 = math.tanh %x : f32
  %3 = math.erf %x : f32
  %4 = math.exp %h : f16
  %5 = math.sin %x : f32
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, f16, f32
}
