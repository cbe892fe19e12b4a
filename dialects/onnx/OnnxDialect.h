// The `onnx` dialect: op classes of every family plus the shape helpers their
// inferShapes() implementations share.
#ifndef ONNXC_DIALECTS_ONNX_ONNXDIALECT_H
#define ONNXC_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
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

// Reductions (OnnxReductionOps.cpp).
/// The axes a Reduce* op reduces, non-negative and ascending: all of them when `axes` is
/// empty, none when it is empty and `noopWithEmptyAxes` is set.
llvm::SmallVector<int64_t> reducedAxes(llvm::ArrayRef<int64_t> axes, bool noopWithEmptyAxes,
                                       int64_t rank);
/// `input`'s shape with `axes` (non-negative) set to 1 (`keepDims`) or dropped.
mlir::RankedTensorType reducedType(mlir::RankedTensorType input, llvm::ArrayRef<int64_t> axes,
                                   bool keepDims, mlir::Type elementType);
/// Axes within the rank of operand 0 (when known) and listed once.
llvm::LogicalResult verifyReductionAxes(mlir::Operation *op, llvm::ArrayRef<int64_t> axes);
llvm::LogicalResult verifyArgReduceAxis(mlir::Operation *op, int64_t axis);
/// Result 0: operand 0's shape reduced along `axis`, int64 elements.
llvm::LogicalResult inferArgReduceShape(mlir::Operation *op, int64_t axis, bool keepDims);

// Einsum (EinsumEquation.cpp).
/// An Einsum equation resolved against input shapes: one loop per letter and per broadcast
/// (ellipsis) dim. Input dims name their loop, or kBroadcast for an ellipsis dim of size 1
/// that other inputs broadcast to a larger size.
struct EinsumPlan {
  static constexpr int64_t kBroadcast = -1;
  llvm::SmallVector<int64_t> loopSizes;
  llvm::SmallVector<llvm::SmallVector<int64_t>> inputLoops;
  llvm::SmallVector<int64_t> outputLoops;
};
/// Parses `equation` for inputs of `shapes`; emits the reason on `op` and fails when the
/// equation is malformed or does not fit the shapes.
llvm::FailureOr<EinsumPlan> planEinsum(mlir::Operation *op, llvm::StringRef equation,
                                       llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes);
} // namespace onnxc::onnx

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxElementwiseOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/onnx/OnnxLinearOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/onnx/OnnxTensorOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/onnx/OnnxReductionOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/onnx/OnnxIndexingOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/onnx/OnnxSamplingOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/onnx/OnnxSignalOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/onnx/OnnxControlOps.h.inc"

#endif
