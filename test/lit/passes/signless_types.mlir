// RUN: %onnx-opt %s -onnx-signless-types | FileCheck %s

// Unsigned types become signless of the same width everywhere (signature, values, constants);
// tensor.bitcast between an unsigned type and its signless twin disappears.

// CHECK-LABEL: func.func @f
// CHECK-SAME:    (%[[A:.+]]: tensor<2xi8>) -> tensor<2xi8>
// CHECK:         %[[C:.+]] = arith.constant dense<[1, -56]> : tensor<2xi8>
// CHECK-NOT:     tensor.bitcast
// CHECK:         arith.addi %[[A]], %[[C]] : tensor<2xi8>
func.func @f(%a: tensor<2xui8>) -> tensor<2xui8> {
  %c = arith.constant dense<[1, 200]> : tensor<2xui8>
  %0 = tensor.bitcast %a : tensor<2xui8> to tensor<2xi8>
  %1 = tensor.bitcast %c : tensor<2xui8> to tensor<2xi8>
  %2 = arith.addi %0, %1 : tensor<2xi8>
  %3 = tensor.bitcast %2 : tensor<2xi8> to tensor<2xui8>
  return %3 : tensor<2xui8>
}
