#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace onnxc::onnx {

static std::string shapeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

/// Element counts are int64 everywhere (MLIR, buffer sizes): a shape whose static dims
/// multiply past 2^62 cannot be compiled, whatever computed it.
static bool countFits(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (ShapedType::isStatic(d) &&
        (d < 0 || __builtin_mul_overflow(n, d, &n) || n > (int64_t(1) << 62)))
      return false;
  return true;
}

LogicalResult refineResultType(Operation *op, unsigned index, RankedTensorType inferred) {
  if (!countFits(inferred.getShape()))
    return op->emitError() << "result " << index
                           << " would have more elements than fit in 64 bits";
  Value result = op->getResult(index);
  auto existing = dyn_cast<RankedTensorType>(result.getType());
  if (!existing) {
    result.setType(inferred);
    return success();
  }
  if (existing.getRank() != inferred.getRank() ||
      existing.getElementType() != inferred.getElementType())
    return op->emitError() << "result " << index << " is declared " << shapeString(existing)
                           << " but the inputs give " << shapeString(inferred);
  SmallVector<int64_t> dims;
  for (auto [declared, computed] : llvm::zip(existing.getShape(), inferred.getShape())) {
    if (ShapedType::isStatic(declared) && ShapedType::isStatic(computed) && declared != computed)
      return op->emitError() << "result " << index << " is declared "
                             << shapeString(existing) << " but the inputs give "
                             << shapeString(inferred);
    dims.push_back(ShapedType::isStatic(computed) ? computed : declared);
  }
  result.setType(RankedTensorType::get(dims, inferred.getElementType()));
  return success();
}

LogicalResult verifySameElementTypes(Operation *op) {
  Type first;
  for (Value operand : op->getOperands()) {
    Type et = cast<ShapedType>(operand.getType()).getElementType();
    if (!first)
      first = et;
    else if (et != first)
      return op->emitOpError() << "operands have different element types (" << first << " and "
                               << et << ")";
  }
  return success();
}

LogicalResult inferSameShape(Operation *op) {
  auto type = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!type)
    return success(); // Nothing known yet; stays unranked.
  return refineResultType(op, 0, type);
}

FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1)
      out[i] = db;
    else if (db == 1)
      out[i] = da;
    else if (ShapedType::isDynamic(da))
      out[i] = db;
    else if (ShapedType::isDynamic(db) || da == db)
      out[i] = da;
    else
      return failure();
  }
  return out;
}

LogicalResult inferBroadcastShape(Operation *op, Type resultElementType) {
  SmallVector<int64_t> shape;
  Type elementType;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type)
      return success();
    if (!elementType)
      elementType = type.getElementType();
    auto merged = broadcastShapes(shape, type.getShape());
    if (failed(merged))
      return op->emitError() << "operand shapes " << shapeString(op->getOperand(0).getType())
                             << " and " << shapeString(type) << " do not broadcast";
    shape = *merged;
  }
  if (resultElementType)
    elementType = resultElementType;
  return refineResultType(op, 0, RankedTensorType::get(shape, elementType));
}

} // namespace onnxc::onnx
