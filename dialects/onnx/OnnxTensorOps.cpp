#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace onnxc::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxTensorOps.cpp.inc"

static RankedTensorType rankedOrNull(Value v) { return dyn_cast<RankedTensorType>(v.getType()); }

/// Normalizes a possibly negative axis against `rank`; failure if out of range.
static FailureOr<int64_t> normalizeAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return op->emitError() << "axis " << axis << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

LogicalResult BatchNormalizationOp::verify() {
  for (Value v : {getScale(), getB(), getInputMean(), getInputVar()})
    if (auto t = rankedOrNull(v); t && t.getRank() != 1)
      return emitOpError() << "scale, B, mean and var must be 1-D";
  return success();
}

template <typename OpT> static LogicalResult verifySoftmaxAxis(OpT op) {
  if (auto t = rankedOrNull(op.getInput()))
    if (failed(normalizeAxis(op, static_cast<int64_t>(op.getAxis()), t.getRank())))
      return failure();
  return success();
}
LogicalResult SoftmaxOp::verify() { return verifySoftmaxAxis(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmaxAxis(*this); }

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

void ConstantOp::print(OpAsmPrinter &p) {
  p.printOptionalAttrDict((*this)->getAttrs(), /*elidedAttrs=*/{"value"});
  p << " ";
  p.printAttribute(getValue());
}

ParseResult ConstantOp::parse(OpAsmParser &parser, OperationState &result) {
  ElementsAttr value;
  if (parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseAttribute(value, "value", result.attributes))
    return failure();
  result.addTypes(value.getType());
  return success();
}

OpFoldResult IdentityOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult ReshapeOp::inferShapes() {
  auto data = rankedOrNull(getData());
  auto shapeType = rankedOrNull(getShape());
  if (shapeType && (shapeType.getRank() != 1 || !shapeType.getElementType().isInteger(64)))
    return emitError() << "shape must be a 1-D int64 tensor";
  DenseIntElementsAttr shapeAttr;
  if (!data || !matchPattern(getShape(), m_Constant(&shapeAttr))) {
    if (data && shapeType && shapeType.hasStaticShape()) {
      SmallVector<int64_t> dyn(shapeType.getDimSize(0), ShapedType::kDynamic);
      return refineResultType(*this, 0, RankedTensorType::get(dyn, data.getElementType()));
    }
    return success();
  }
  SmallVector<int64_t> out;
  int64_t inferIndex = -1, known = 1;
  for (auto [i, v] : llvm::enumerate(shapeAttr.getValues<int64_t>())) {
    int64_t d = v;
    if (d == 0 && !getAllowzero()) {
      if (static_cast<int64_t>(i) >= data.getRank())
        return emitError() << "shape entry " << i << " is 0 but the input has rank "
                           << data.getRank();
      d = data.getDimSize(i);
    } else if (d == -1) {
      if (inferIndex >= 0)
        return emitError() << "shape has more than one -1";
      inferIndex = i;
    } else if (d < -1) {
      return emitError() << "shape entry " << d << " is invalid";
    }
    out.push_back(d);
    if (d != -1) {
      if (ShapedType::isDynamic(d))
        known = ShapedType::kDynamic;
      else if (ShapedType::isStatic(known))
        known *= d;
    }
  }
  if (data.hasStaticShape() && ShapedType::isStatic(known)) {
    int64_t total = data.getNumElements();
    if (inferIndex >= 0) {
      if (known == 0 || total % known != 0)
        return emitError() << "cannot reshape " << total << " elements into the requested shape";
      out[inferIndex] = total / known;
    } else if (known != total) {
      return emitError() << "cannot reshape " << total << " elements into " << known;
    }
  } else if (inferIndex >= 0) {
    out[inferIndex] = ShapedType::kDynamic;
  }
  return refineResultType(*this, 0, RankedTensorType::get(out, data.getElementType()));
}

LogicalResult FlattenOp::inferShapes() {
  auto t = rankedOrNull(getInput());
  if (!t)
    return success();
  int64_t rank = t.getRank();
  int64_t axis = static_cast<int64_t>(getAxis()); // I64Attr getters are unsigned.
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return emitError() << "axis " << static_cast<int64_t>(getAxis()) << " is out of range for rank " << rank;
  auto product = [&](ArrayRef<int64_t> dims) {
    int64_t p = 1;
    for (int64_t d : dims) {
      if (ShapedType::isDynamic(d))
        return ShapedType::kDynamic;
      p *= d;
    }
    return p;
  };
  return refineResultType(
      *this, 0,
      RankedTensorType::get({product(t.getShape().take_front(axis)),
                             product(t.getShape().drop_front(axis))},
                            t.getElementType()));
}

LogicalResult ConcatOp::inferShapes() {
  SmallVector<RankedTensorType> types;
  for (Value v : getInputs()) {
    auto t = rankedOrNull(v);
    if (!t)
      return success();
    types.push_back(t);
  }
  if (types.empty())
    return emitError() << "Concat needs at least one input";
  int64_t rank = types[0].getRank();
  auto axis = normalizeAxis(*this, static_cast<int64_t>(getAxis()), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> out(types[0].getShape());
  out[*axis] = 0;
  for (auto t : types) {
    if (t.getRank() != rank || t.getElementType() != types[0].getElementType())
      return emitError() << "inputs must share rank and element type";
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = t.getDimSize(i);
      if (i == *axis) {
        out[i] = ShapedType::isDynamic(d) || ShapedType::isDynamic(out[i]) ? ShapedType::kDynamic
                                                                             : out[i] + d;
      } else if (ShapedType::isDynamic(out[i])) {
        out[i] = d;
      } else if (ShapedType::isStatic(d) && d != out[i]) {
        return emitError() << "input dims differ on non-concat axis " << i;
      }
    }
  }
  return refineResultType(*this, 0, RankedTensorType::get(out, types[0].getElementType()));
}

LogicalResult TransposeOp::inferShapes() {
  auto t = rankedOrNull(getData());
  if (!t)
    return success();
  int64_t rank = t.getRank();
  SmallVector<int64_t> perm;
  if (getPerm())
    perm.assign(getPerm()->begin(), getPerm()->end());
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != rank)
    return emitError() << "perm has " << perm.size() << " entries for rank " << rank;
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return emitError() << "perm is not a permutation of 0.." << rank - 1;
    seen[p] = true;
    out.push_back(t.getDimSize(p));
  }
  return refineResultType(*this, 0, RankedTensorType::get(out, t.getElementType()));
}
