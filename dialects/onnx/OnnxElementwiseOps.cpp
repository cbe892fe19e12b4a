#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/APSInt.h"

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

/// One element converted as Cast converts it, or null where the conversion is not exact
/// enough to decide at compile time (NaN or out-of-range float to integer).
static Attribute castElement(Attribute x, Type from, Type to) {
  bool fromUnsigned = from.isUnsignedInteger() || from.isInteger(1);
  if (auto i = dyn_cast<IntegerAttr>(x)) {
    const APInt &v = i.getValue();
    if (to.isInteger(1))
      return IntegerAttr::get(to, !v.isZero());
    if (auto it = dyn_cast<IntegerType>(to))
      return IntegerAttr::get(to, fromUnsigned ? v.zextOrTrunc(it.getWidth())
                                               : v.sextOrTrunc(it.getWidth()));
    if (auto ft = dyn_cast<FloatType>(to)) {
      APFloat f(ft.getFloatSemantics());
      f.convertFromAPInt(v, !fromUnsigned, APFloat::rmNearestTiesToEven);
      return FloatAttr::get(to, f);
    }
    return {};
  }
  auto f = dyn_cast<FloatAttr>(x);
  if (!f)
    return {};
  APFloat v = f.getValue();
  if (to.isInteger(1))
    return v.isNaN() ? Attribute() : IntegerAttr::get(to, !v.isZero());
  if (auto it = dyn_cast<IntegerType>(to)) {
    APSInt r(it.getWidth(), it.isUnsigned());
    bool exact;
    if (v.convertToInteger(r, APFloat::rmTowardZero, &exact) & APFloat::opInvalidOp)
      return {};
    return IntegerAttr::get(to, r);
  }
  if (auto ft = dyn_cast<FloatType>(to)) {
    bool losesInfo;
    v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
    return FloatAttr::get(to, v);
  }
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput(); // A cast to the same type (exporters emit them) is the identity.
  auto in = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto rt = dyn_cast<RankedTensorType>(getType());
  if (!in || !rt || !rt.hasStaticShape() || rt.getShape() != in.getType().getShape() ||
      rt.getElementType() != getTo() || in.getNumElements() > 1024)
    return {};
  Type from = in.getElementType();
  if (in.isSplat()) {
    Attribute c = castElement(in.getSplatValue<Attribute>(), from, getTo());
    return c ? DenseElementsAttr::get(rt, c) : Attribute();
  }
  SmallVector<Attribute> out;
  for (Attribute x : in.getValues<Attribute>()) {
    Attribute c = castElement(x, from, getTo());
    if (!c)
      return {};
    out.push_back(c);
  }
  return DenseElementsAttr::get(rt, out);
}

/// Integer Add/Sub/Mul/Div/Max/Min of small constants, with numpy broadcasting and the
/// lowering's semantics (wrapping arithmetic, division truncating toward zero); nothing for
/// floats, a division by zero or a result that is not static yet.
static OpFoldResult foldIntegerBinary(Operation *op, Attribute lhs, Attribute rhs,
                                      function_ref<std::optional<APInt>(const APInt &,
                                                                        const APInt &)> fn) {
  auto a = dyn_cast_or_null<DenseIntElementsAttr>(lhs);
  auto b = dyn_cast_or_null<DenseIntElementsAttr>(rhs);
  auto rt = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!a || !b || !rt || !rt.hasStaticShape() || rt.getNumElements() > 1024 ||
      !rt.getElementType().isSignlessInteger() || rt.getElementType().isInteger(1) ||
      a.getElementType() != rt.getElementType() || b.getElementType() != rt.getElementType())
    return {};
  SmallVector<APInt> av(a.getValues<APInt>()), bv(b.getValues<APInt>());
  ArrayRef<int64_t> shape = rt.getShape();
  // Row-major strides of an operand inside the result, 0 along broadcast dims.
  auto stridesOf = [&](DenseIntElementsAttr x) {
    ArrayRef<int64_t> s = x.getType().getShape();
    SmallVector<int64_t> strides(shape.size(), 0);
    int64_t stride = 1;
    for (int64_t i = s.size() - 1, r = shape.size() - 1; i >= 0; --i, --r) {
      strides[r] = s[i] == 1 ? 0 : stride;
      stride *= s[i];
    }
    return strides;
  };
  SmallVector<int64_t> as = stridesOf(a), bs = stridesOf(b), index(shape.size(), 0);
  SmallVector<APInt> out;
  for (int64_t n = 0; n < rt.getNumElements(); ++n) {
    int64_t ai = 0, bi = 0;
    for (size_t d = 0; d < shape.size(); ++d) {
      ai += index[d] * as[d];
      bi += index[d] * bs[d];
    }
    std::optional<APInt> v = fn(av[ai], bv[bi]);
    if (!v)
      return {};
    out.push_back(*v);
    for (int64_t d = shape.size() - 1; d >= 0 && ++index[d] == shape[d]; --d)
      index[d] = 0;
  }
  return DenseElementsAttr::get(rt, out);
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(*this, adaptor.getA(), adaptor.getB(),
                           [](const APInt &x, const APInt &y) { return x + y; });
}
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(*this, adaptor.getA(), adaptor.getB(),
                           [](const APInt &x, const APInt &y) { return x - y; });
}
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(*this, adaptor.getA(), adaptor.getB(),
                           [](const APInt &x, const APInt &y) { return x * y; });
}
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(*this, adaptor.getA(), adaptor.getB(),
                           [](const APInt &x, const APInt &y) -> std::optional<APInt> {
                             if (y.isZero() || (x.isMinSignedValue() && y.isAllOnes()))
                               return std::nullopt;
                             return x.sdiv(y);
                           });
}
OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(*this, adaptor.getA(), adaptor.getB(),
                           [](const APInt &x, const APInt &y) {
                             return llvm::APIntOps::smax(x, y);
                           });
}
OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  return foldIntegerBinary(*this, adaptor.getA(), adaptor.getB(),
                           [](const APInt &x, const APInt &y) {
                             return llvm::APIntOps::smin(x, y);
                           });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  auto in = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getX());
  auto rt = dyn_cast<RankedTensorType>(getType());
  if (!in || !rt || in.getType() != rt || rt.getNumElements() > 1024 ||
      rt.getElementType().isInteger(1) || !rt.getElementType().isSignlessInteger())
    return {};
  return in.mapValues(rt.getElementType(), [](const APInt &v) { return -v; });
}
