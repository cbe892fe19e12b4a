// RUN: %onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Unsigned tensors are computed on through tensor.bitcast to the signless type of the same
// width; the op is chosen from the original (unsigned) element type.

// CHECK-LABEL: func.func @unsigned_ops
// CHECK-SAME:    (%[[A:.+]]: tensor<4xui8>, %[[B:.+]]: tensor<4xui8>)
// CHECK:         %[[SA:.+]] = tensor.bitcast %[[A]] : tensor<4xui8> to tensor<4xi8>
// CHECK:         linalg.generic
// CHECK:           arith.divui
// CHECK:         tensor.bitcast %{{.*}} : tensor<4xi8> to tensor<4xui8>
// CHECK:           arith.maxui
// CHECK:           arith.minui
// CHECK:           arith.cmpi ugt
// CHECK:           arith.cmpi ule
// CHECK:           arith.remui
func.func @unsigned_ops(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xi1>, tensor<4xi1>, tensor<4xui8>) {
  %0 = onnx.Div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = onnx.Max %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %2 = onnx.Min %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %3 = onnx.Greater %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %4 = onnx.LessOrEqual %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %5 = onnx.Mod %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0, %1, %2, %3, %4, %5 : tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xi1>, tensor<4xi1>, tensor<4xui8>
}

// -----

// Cast extends and converts by the source's signedness, and converts to unsigned with fptoui.
// CHECK-LABEL: func.func @unsigned_casts
// CHECK:           arith.uitofp %{{.*}} : i16 to f32
// CHECK:           arith.extui %{{.*}} : i16 to i64
// CHECK:           arith.fptoui %{{.*}} : f32 to i32
// CHECK:           arith.extsi %{{.*}} : i8 to i32
// CHECK:           arith.trunci %{{.*}} : i64 to i16
func.func @unsigned_casts(%u: tensor<4xui16>, %f: tensor<4xf32>, %s: tensor<4xi8>, %l: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>, tensor<4xui32>, tensor<4xui32>, tensor<4xui16>) {
  %0 = onnx.Cast %u {to = f32} : (tensor<4xui16>) -> tensor<4xf32>
  %1 = onnx.Cast %u {to = i64} : (tensor<4xui16>) -> tensor<4xi64>
  %2 = onnx.Cast %f {to = ui32} : (tensor<4xf32>) -> tensor<4xui32>
  %3 = onnx.Cast %s {to = ui32} : (tensor<4xi8>) -> tensor<4xui32>
  %4 = onnx.Cast %l {to = ui16} : (tensor<4xi64>) -> tensor<4xui16>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xi64>, tensor<4xui32>, tensor<4xui32>, tensor<4xui16>
}

// -----

// Integer Mod with fmod = 0 moves a nonzero remainder to the divisor's sign; fmod = 1 is remsi.
// CHECK-LABEL: func.func @integer_mod
// CHECK:           %[[R:.+]] = arith.remsi
// CHECK:           arith.cmpi slt, %[[R]]
// CHECK:           arith.addi %[[R]]
// CHECK:           arith.select
// CHECK:         linalg.generic
// CHECK:           arith.remsi
// CHECK-NEXT:      linalg.yield
// CHECK:         linalg.generic
// CHECK:           arith.remf
// CHECK-NEXT:      linalg.yield
func.func @integer_mod(%a: tensor<4xi32>, %b: tensor<4xi32>, %x: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xf32>) {
  %0 = onnx.Mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = onnx.Mod %a, %b {fmod = 1} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = onnx.Mod %x, %x {fmod = 1} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @bit_ops
// CHECK:           arith.shli
// CHECK:           arith.cmpi uge
// CHECK:           arith.shrui
// CHECK:           arith.andi
// CHECK:           arith.ori
// CHECK:           arith.xori
func.func @bit_ops(%a: tensor<4xui32>, %n: tensor<4xui32>, %p: tensor<4xi1>, %q: tensor<4xi1>) -> (tensor<4xui32>, tensor<4xui32>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = onnx.BitShift %a, %n {direction = "LEFT"} : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %1 = onnx.BitShift %a, %n {direction = "RIGHT"} : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %2 = onnx.And %p, %q : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %3 = onnx.Or %p, %q : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %4 = onnx.Xor %p, %q : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xui32>, tensor<4xui32>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @float_unary
// CHECK:           math.tan
// CHECK:           math.asin
// CHECK:           math.acos
// CHECK:           math.atan
// CHECK:           math.sinh
// CHECK:           math.cosh
// CHECK:           math.asinh
// CHECK:           math.acosh
// CHECK:           math.atanh
// CHECK:           arith.cmpf uno
// CHECK:           arith.cmpf oeq
// CHECK-NOT:       arith.cmpf oeq
// CHECK:           linalg.yield
func.func @float_unary(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>) {
  %0 = onnx.Tan %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = onnx.Asin %x : (tensor<4xf32>) -> tensor<4xf32>
  %2 = onnx.Acos %x : (tensor<4xf32>) -> tensor<4xf32>
  %3 = onnx.Atan %x : (tensor<4xf32>) -> tensor<4xf32>
  %4 = onnx.Sinh %x : (tensor<4xf32>) -> tensor<4xf32>
  %5 = onnx.Cosh %x : (tensor<4xf32>) -> tensor<4xf32>
  %6 = onnx.Asinh %x : (tensor<4xf32>) -> tensor<4xf32>
  %7 = onnx.Acosh %x : (tensor<4xf32>) -> tensor<4xf32>
  %8 = onnx.Atanh %x : (tensor<4xf32>) -> tensor<4xf32>
  %9 = onnx.IsNaN %x : (tensor<4xf32>) -> tensor<4xi1>
  %10 = onnx.IsInf %x {detect_negative = 0} : (tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @activations
// CHECK:           math.expm1
// CHECK:           math.tanh
// CHECK:           math.erf
// CHECK:           math.tanh
// CHECK:           arith.cmpf olt
// CHECK:           arith.mulf
// CHECK:           arith.select
func.func @activations(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = onnx.Selu %x : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %1 = onnx.Mish %x : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = onnx.Gelu %x : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = onnx.Gelu %x {approximate = "tanh"} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %4 = onnx.PRelu %x, %s : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0, %1, %2, %3, %4 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Integer Sign selects among 1, -1 and 0; integer Pow is computed in f64.
// CHECK-LABEL: func.func @integer_sign_pow
// CHECK:           arith.cmpi sgt
// CHECK:           arith.cmpi slt
// CHECK:           arith.select
// CHECK:           arith.sitofp %{{.*}} : i64 to f64
// CHECK:           math.powf
// CHECK:           arith.fptosi %{{.*}} : f64 to i64
func.func @integer_sign_pow(%a: tensor<4xi64>, %e: tensor<4xi64>) -> (tensor<4xi64>, tensor<4xi64>) {
  %0 = onnx.Sign %a : (tensor<4xi64>) -> tensor<4xi64>
  %1 = onnx.Pow %a, %e : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xi64>, tensor<4xi64>
}

// -----

// MaxPool on ui8 pads with 0 and takes the unsigned max of the signless tensor.
// CHECK-LABEL: func.func @unsigned_max_pool
// CHECK:         tensor.bitcast %{{.*}} : tensor<1x1x4x4xui8> to tensor<1x1x4x4xi8>
// CHECK:           arith.maxui
// CHECK:         tensor.bitcast %{{.*}} : tensor<1x1x2x2xi8> to tensor<1x1x2x2xui8>
func.func @unsigned_max_pool(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8> {
  %0 = onnx.MaxPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8>
  return %0 : tensor<1x1x2x2xui8>
}
