#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
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

//===----------------------------------------------------------------------===//
// NegativeLogLikelihoodLoss, CumSum, TopK
//===----------------------------------------------------------------------===//

static RankedTensorType rankedOrNull(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

/// Dims `a` and `b` agree where both are static.
static bool compatibleDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static bool isIndexElement(Type t) { return t.isInteger(32) || t.isInteger(64); }

LogicalResult NegativeLogLikelihoodLossOp::verify() {
  StringRef r = getReduction();
  if (r != "none" && r != "sum" && r != "mean")
    return emitOpError() << "reduction must be 'none', 'sum' or 'mean', not '" << r << "'";
  auto input = rankedOrNull(getInput()), target = rankedOrNull(getTarget()),
       weight = rankedOrNull(getWeight());
  if (!isIndexElement(cast<ShapedType>(getTarget().getType()).getElementType()))
    return emitOpError() << "target must be int32 or int64";
  if (input && input.getRank() < 2)
    return emitOpError() << "input must be [N, C, d...], got rank " << input.getRank();
  if (input && target) {
    if (target.getRank() != input.getRank() - 1)
      return emitOpError() << "target must be [N, d...] for an input of rank "
                           << input.getRank() << ", got rank " << target.getRank();
    for (int64_t i = 0; i < target.getRank(); ++i)
      if (!compatibleDim(target.getDimSize(i), input.getDimSize(i == 0 ? 0 : i + 1)))
        return emitOpError() << "target dim " << i << " does not match the input's";
  }
  if (weight) {
    if (weight.getRank() != 1)
      return emitOpError() << "weight must be 1-D [C]";
    if (input && !compatibleDim(weight.getDimSize(0), input.getDimSize(1)))
      return emitOpError() << "weight has " << weight.getDimSize(0) << " entries for "
                           << input.getDimSize(1) << " classes";
  }
  return success();
}

LogicalResult NegativeLogLikelihoodLossOp::inferShapes() {
  Type et = cast<ShapedType>(getInput().getType()).getElementType();
  if (getReduction() != "none")
    return refineResultType(*this, 0, RankedTensorType::get({}, et));
  auto target = rankedOrNull(getTarget());
  if (!target)
    return success();
  return refineResultType(*this, 0, RankedTensorType::get(target.getShape(), et));
}

/// A scalar operand (rank 0, or one element) of an integer type.
static LogicalResult verifyIntScalar(Operation *op, Value v, StringRef name) {
  auto t = cast<ShapedType>(v.getType());
  if (!isIndexElement(t.getElementType()))
    return op->emitOpError() << name << " must be int32 or int64";
  if (auto r = rankedOrNull(v); r && r.hasStaticShape() && r.getNumElements() != 1)
    return op->emitOpError() << name << " must have one element, got " << r;
  return success();
}

/// The value of a constant scalar operand.
static std::optional<int64_t> constantScalar(Value v) {
  DenseIntElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  return (*attr.begin()).getSExtValue();
}

LogicalResult CumSumOp::verify() {
  if (failed(verifyIntScalar(*this, getAxis(), "axis")))
    return failure();
  auto x = rankedOrNull(getX());
  auto axis = constantScalar(getAxis());
  if (x && axis && (*axis < -x.getRank() || *axis >= x.getRank()))
    return emitOpError() << "axis " << *axis << " is out of range for rank " << x.getRank();
  if (x && x.getRank() == 0)
    return emitOpError() << "input must have rank >= 1";
  return success();
}

std::optional<int64_t> CumSumOp::getConstantAxis() {
  auto axis = constantScalar(getAxis());
  auto x = rankedOrNull(getX());
  if (!axis || !x)
    return std::nullopt;
  return *axis < 0 ? *axis + x.getRank() : *axis;
}

LogicalResult TopKOp::verify() {
  if (!cast<ShapedType>(getK().getType()).getElementType().isInteger(64))
    return emitOpError() << "k must be int64";
  if (auto k = rankedOrNull(getK()); k && k.hasStaticShape() && k.getNumElements() != 1)
    return emitOpError() << "k must have one element, got " << k;
  if (auto x = rankedOrNull(getX())) {
    int64_t axis = static_cast<int64_t>(getAxis()), rank = x.getRank();
    if (axis < -rank || axis >= rank)
      return emitOpError() << "axis " << axis << " is out of range for rank " << rank;
  }
  if (auto k = constantScalar(getK()); k && *k < 0)
    return emitOpError() << "k must not be negative, got " << *k;
  return success();
}

LogicalResult TopKOp::inferShapes() {
  auto x = rankedOrNull(getX());
  if (!x)
    return success();
  int64_t axis = getNormalizedAxis(x.getRank());
  SmallVector<int64_t> shape(x.getShape());
  shape[axis] = ShapedType::kDynamic; // Only the declared types say when k is computed.
  if (auto k = constantScalar(getK())) {
    if (ShapedType::isStatic(x.getDimSize(axis)) && *k > x.getDimSize(axis))
      return emitError() << "k (" << *k << ") exceeds the axis' " << x.getDimSize(axis)
                         << " elements";
    shape[axis] = *k;
  }
  if (failed(refineResultType(*this, 0, RankedTensorType::get(shape, x.getElementType()))))
    return failure();
  // An undeclared result starts with the input's element type: the indices are int64.
  Type i64 = IntegerType::get(getContext(), 64);
  if (auto u = dyn_cast<UnrankedTensorType>(getIndices().getType()))
    getIndices().setType(UnrankedTensorType::get(i64));
  return refineResultType(*this, 1, RankedTensorType::get(shape, i64));
}
