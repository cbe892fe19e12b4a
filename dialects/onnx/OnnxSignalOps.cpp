#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeOperands.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace onnxc::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxSignalOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Window functions
//===----------------------------------------------------------------------===//

static LogicalResult verifyWindow(Operation *op, Value size, Type outputType) {
  if (!isa<FloatType>(outputType))
    return op->emitOpError() << "output_datatype must be a float type, got " << outputType;
  auto t = dyn_cast<RankedTensorType>(size.getType());
  if (t && (t.getRank() != 0 || !t.getElementType().isSignlessInteger()))
    return op->emitOpError() << "size must be an integer scalar, got " << t;
  return success();
}

static LogicalResult inferWindow(Operation *op, Value size, Type outputType) {
  int64_t n = ShapedType::kDynamic;
  if (auto v = constantInts(size)) {
    if (v->size() != 1 || (*v)[0] < 0)
      return op->emitError() << "size must be a non-negative scalar";
    n = (*v)[0];
  }
  return refineResultType(op, 0, RankedTensorType::get({n}, outputType));
}

#define WINDOW_OP(Name)                                                                       \
  LogicalResult Name::verify() { return verifyWindow(*this, getSize(), getOutputDatatype()); } \
  LogicalResult Name::inferShapes() { return inferWindow(*this, getSize(), getOutputDatatype()); }
WINDOW_OP(HannWindowOp)
WINDOW_OP(HammingWindowOp)
WINDOW_OP(BlackmanWindowOp)
#undef WINDOW_OP
