// The `onnx` dialect: op classes of every family plus the shape helpers their
// inferShapes() implementations share.
#ifndef ONNXC_DIALECTS_ONNX_ONNXDIALECT_H
#define ONNXC_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/onnx/OnnxDialect.h.inc"
#include "dialects/onnx/OnnxInterfaces.h.inc"

namespace onnxc::onnx {
/// Result 0 takes operand 0's type (shape and element type).
llvm::LogicalResult inferSameShape(mlir::Operation *op);
/// Result 0 takes the numpy broadcast of all operand shapes; the element type is operand 0's
/// unless `resultElementType` is given.
llvm::LogicalResult inferBroadcastShape(mlir::Operation *op, mlir::Type resultElementType);
/// All ranked operands share one element type.
llvm::LogicalResult verifySameElementTypes(mlir::Operation *op);
/// Sets result `index` to `inferred`, merged with what the result already says (value_info at
/// import). Emits an error on the op if the two disagree.
llvm::LogicalResult refineResultType(mlir::Operation *op, unsigned index,
                                     mlir::RankedTensorType inferred);
/// The numpy broadcast of two shapes; failure if incompatible. Dynamic dims stay dynamic
/// unless the other side is a static dim other than 1.
llvm::FailureOr<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                            llvm::ArrayRef<int64_t> b);
} // namespace onnxc::onnx

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxElementwiseOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/onnx/OnnxLinearOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/onnx/OnnxTensorOps.h.inc"

#endif
