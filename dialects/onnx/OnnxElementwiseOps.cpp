#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace onnxc::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxElementwiseOps.cpp.inc"

LogicalResult ClipOp::inferShapes() {
  for (Value bound : {getMin(), getMax()}) {
    if (!bound)
      continue;
    if (auto t = dyn_cast<RankedTensorType>(bound.getType()); t && t.getNumElements() != 1)
      return emitError() << "min and max must be scalars";
  }
  return inferSameShape(*this);
}

LogicalResult WhereOp::inferShapes() {
  auto x = dyn_cast<RankedTensorType>(getX().getType());
  if (!x)
    return success();
  return inferBroadcastShape(*this, x.getElementType());
}

LogicalResult CastOp::inferShapes() {
  auto in = dyn_cast<RankedTensorType>(getInput().getType());
  if (!in)
    return success();
  return refineResultType(*this, 0, RankedTensorType::get(in.getShape(), getTo()));
}
