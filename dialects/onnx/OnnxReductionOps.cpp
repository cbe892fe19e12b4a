#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace onnxc::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxReductionOps.cpp.inc"

namespace onnxc::onnx {

SmallVector<int64_t> reducedAxes(ArrayRef<int64_t> axes, bool noopWithEmptyAxes, int64_t rank) {
  SmallVector<int64_t> out;
  if (axes.empty()) {
    if (!noopWithEmptyAxes)
      for (int64_t i = 0; i < rank; ++i)
        out.push_back(i);
    return out;
  }
  for (int64_t a : axes)
    out.push_back(a < 0 ? a + rank : a);
  llvm::sort(out);
  return out;
}

RankedTensorType reducedType(RankedTensorType input, ArrayRef<int64_t> axes, bool keepDims,
                             Type elementType) {
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < input.getRank(); ++i) {
    if (!llvm::is_contained(axes, i))
      shape.push_back(input.getDimSize(i));
    else if (keepDims)
      shape.push_back(1);
  }
  return RankedTensorType::get(shape, elementType);
}

LogicalResult verifyReductionAxes(Operation *op, ArrayRef<int64_t> axes) {
  auto t = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!t)
    return success(); // Checked again once the rank is known.
  int64_t rank = t.getRank();
  SmallVector<bool> seen(rank, false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      return op->emitOpError() << "axis " << a << " is out of range for rank " << rank;
    int64_t n = a < 0 ? a + rank : a;
    if (seen[n])
      return op->emitOpError() << "axis " << a << " is listed twice";
    seen[n] = true;
  }
  return success();
}

LogicalResult verifyArgReduceAxis(Operation *op, int64_t axis) {
  auto t = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!t)
    return success();
  int64_t rank = t.getRank();
  // ArgMax / ArgMin need an axis to walk along: a scalar input has none.
  if (axis < -rank || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult inferArgReduceShape(Operation *op, int64_t axis, bool keepDims) {
  Type i64 = IntegerType::get(op->getContext(), 64);
  Value result = op->getResult(0);
  auto t = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!t) {
    // Import gives an undeclared result the input's element type; the indices are int64.
    if (auto u = dyn_cast<UnrankedTensorType>(result.getType()); u && u.getElementType() != i64)
      result.setType(UnrankedTensorType::get(i64));
    return success();
  }
  int64_t rank = t.getRank();
  int64_t a = axis < 0 ? axis + rank : axis;
  return refineResultType(op, 0, reducedType(t, {a}, keepDims, i64));
}

} // namespace onnxc::onnx
