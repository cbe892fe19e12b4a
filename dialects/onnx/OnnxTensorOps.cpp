#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeOperands.h"

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
      else if (ShapedType::isStatic(known) && __builtin_mul_overflow(known, d, &known))
        return emitError() << "shape " << shapeAttr << " has more elements than fit in 64 bits";
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

//===----------------------------------------------------------------------===//
// Shape operands (ShapeOperands.h)
//===----------------------------------------------------------------------===//

/// Folders create new constants: keep them to the small tensors that shape computations use.
static constexpr int64_t kFoldElementLimit = 1024;

/// Emits `msg` on `op` when there is one (folders resolve silently) and fails.
static LogicalResult report(Operation *op, const Twine &msg) {
  if (op)
    op->emitError(msg);
  return failure();
}

static std::optional<SmallVector<int64_t>> intsOf(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (const APInt &v : dense.getValues<APInt>())
    out.push_back(v.getBitWidth() == 1 ? v.getZExtValue() : v.getSExtValue());
  return out;
}

static std::optional<ArrayRef<int64_t>> optionalRef(const std::optional<SmallVector<int64_t>> &v) {
  if (!v)
    return std::nullopt;
  return ArrayRef<int64_t>(*v);
}

static int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

std::optional<SmallVector<int64_t>> onnxc::onnx::constantInts(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return intsOf(attr);
}

FailureOr<SmallVector<int64_t>> onnxc::onnx::normalizeAxes(Operation *op, ArrayRef<int64_t> axes,
                                                          int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      return report(op, "axis " + Twine(a) + " is out of range for rank " + Twine(rank));
    int64_t n = a < 0 ? a + rank : a;
    if (llvm::is_contained(out, n))
      return report(op, "axis " + Twine(a) + " is listed twice");
    out.push_back(n);
  }
  return out;
}

FailureOr<SmallVector<SliceDim>>
onnxc::onnx::resolveSlice(Operation *op, ArrayRef<int64_t> shape, ArrayRef<int64_t> starts,
                          ArrayRef<int64_t> ends, std::optional<ArrayRef<int64_t>> axes,
                          std::optional<ArrayRef<int64_t>> steps) {
  int64_t rank = shape.size();
  size_t k = starts.size();
  if (ends.size() != k || (axes && axes->size() != k) || (steps && steps->size() != k))
    return report(op, "starts, ends, axes and steps must have the same length");
  SmallVector<int64_t> defaultAxes = llvm::to_vector(llvm::seq<int64_t>(0, k));
  auto normalized = normalizeAxes(op, axes ? *axes : ArrayRef<int64_t>(defaultAxes), rank);
  if (failed(normalized))
    return failure();
  SmallVector<SliceDim> dims;
  for (int64_t d : shape)
    dims.push_back({0, 1, d});
  for (size_t i = 0; i < k; ++i) {
    int64_t step = steps ? (*steps)[i] : 1;
    if (step == 0)
      return report(op, "slice steps must not be 0");
    int64_t n = shape[(*normalized)[i]];
    SliceDim &sd = dims[(*normalized)[i]];
    sd.step = step;
    if (ShapedType::isDynamic(n) || n == 0) {
      sd.size = n;
      continue;
    }
    int64_t s = starts[i], e = ends[i];
    if (s < 0)
      s += n;
    if (e < 0)
      e += n;
    // Sizes without overflow: starts/ends are often INT64_MIN/MAX, steps may be too.
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, n);
      e = std::clamp<int64_t>(e, 0, n);
      sd.size = e > s ? 1 + (e - s - 1) / step : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, n - 1);
      e = std::clamp<int64_t>(e, -1, n - 1);
      uint64_t magnitude = step == INT64_MIN ? uint64_t(1) << 63 : uint64_t(-step);
      sd.size = s > e ? 1 + static_cast<int64_t>(uint64_t(s - e - 1) / magnitude) : 0;
    }
    sd.start = s;
  }
  return dims;
}

FailureOr<PadAmounts> onnxc::onnx::resolvePads(Operation *op, int64_t rank, ArrayRef<int64_t> pads,
                                               std::optional<ArrayRef<int64_t>> axes) {
  SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  auto normalized = normalizeAxes(op, axes ? *axes : ArrayRef<int64_t>(all), rank);
  if (failed(normalized))
    return failure();
  size_t k = normalized->size();
  if (pads.size() != 2 * k)
    return report(op, "pads has " + Twine(pads.size()) + " entries, expected " + Twine(2 * k));
  PadAmounts p;
  p.begin.assign(rank, 0);
  p.end.assign(rank, 0);
  for (size_t i = 0; i < k; ++i) {
    p.begin[(*normalized)[i]] = pads[i];
    p.end[(*normalized)[i]] = pads[i + k];
  }
  return p;
}

//===----------------------------------------------------------------------===//
// Folding helpers
//===----------------------------------------------------------------------===//

/// Result `i`'s type when it is static: folders only produce constants of a final type (the
/// dialect's constant materializer refuses any other).
static RankedTensorType staticResultType(Operation *op, unsigned i = 0) {
  auto t = dyn_cast<RankedTensorType>(op->getResult(i).getType());
  return t && t.hasStaticShape() ? t : RankedTensorType();
}

/// The elements of a small constant in row-major order, or nothing.
static std::optional<SmallVector<Attribute>> elementsOf(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kFoldElementLimit)
    return std::nullopt;
  return SmallVector<Attribute>(dense.getValues<Attribute>());
}

/// Reshape, Squeeze and Unsqueeze: a no-op between equal static types, and a constant keeps
/// its elements under the result type.
static OpFoldResult foldReshapeLike(Operation *op, Attribute data) {
  RankedTensorType rt = staticResultType(op);
  if (!rt)
    return {};
  if (op->getOperand(0).getType() == rt)
    return op->getOperand(0);
  auto dense = dyn_cast_or_null<DenseElementsAttr>(data);
  if (!dense || dense.getElementType() != rt.getElementType() ||
      dense.getNumElements() != rt.getNumElements())
    return {};
  return dense.reshape(rt);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, adaptor.getData());
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  RankedTensorType rt = staticResultType(*this);
  if (!rt || rt.getRank() == 0)
    return {};
  if (getInputs().size() == 1 && getInputs()[0].getType() == rt)
    return getInputs()[0];
  if (rt.getNumElements() > kFoldElementLimit)
    return {};
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rt.getRank();
  if (axis < 0 || axis >= rt.getRank())
    return {};
  int64_t inner = product(rt.getShape().drop_front(axis + 1));
  int64_t outer = product(rt.getShape().take_front(axis));
  SmallVector<SmallVector<Attribute>> inputs;
  SmallVector<int64_t> chunks;
  for (auto [attr, v] : llvm::zip(adaptor.getInputs(), getInputs())) {
    auto elements = elementsOf(attr);
    if (!elements)
      return {};
    inputs.push_back(std::move(*elements));
    chunks.push_back(cast<RankedTensorType>(v.getType()).getDimSize(axis) * inner);
  }
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [elements, chunk] : llvm::zip(inputs, chunks))
      out.append(elements.begin() + o * chunk, elements.begin() + (o + 1) * chunk);
  if (static_cast<int64_t>(out.size()) != rt.getNumElements())
    return {};
  return DenseElementsAttr::get(rt, out);
}

//===----------------------------------------------------------------------===//
// Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

LogicalResult SqueezeOp::inferShapes() {
  auto t = rankedOrNull(getData());
  if (!t)
    return success();
  int64_t rank = t.getRank();
  SmallVector<int64_t> out;
  if (!getAxes()) {
    for (int64_t d : t.getShape()) {
      if (ShapedType::isDynamic(d))
        return success(); // Whether it is dropped is not known.
      if (d != 1)
        out.push_back(d);
    }
  } else if (auto axes = constantInts(getAxes())) {
    auto normalized = normalizeAxes(*this, *axes, rank);
    if (failed(normalized))
      return failure();
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = t.getDimSize(i);
      if (!llvm::is_contained(*normalized, i))
        out.push_back(d);
      else if (ShapedType::isStatic(d) && d != 1)
        return emitError() << "cannot squeeze dim " << i << " of size " << d;
    }
  } else if (auto at = rankedOrNull(getAxes()); at && at.hasStaticShape()) {
    out.assign(rank - at.getNumElements(), ShapedType::kDynamic);
  } else {
    return success();
  }
  return refineResultType(*this, 0, RankedTensorType::get(out, t.getElementType()));
}

OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, adaptor.getData());
}

LogicalResult UnsqueezeOp::inferShapes() {
  auto t = rankedOrNull(getData());
  if (!t)
    return success();
  auto axes = constantInts(getAxes());
  if (!axes) {
    if (auto at = rankedOrNull(getAxes()); at && at.hasStaticShape())
      return refineResultType(
          *this, 0,
          RankedTensorType::get(SmallVector<int64_t>(t.getRank() + at.getNumElements(),
                                                     ShapedType::kDynamic),
                                t.getElementType()));
    return success();
  }
  int64_t outRank = t.getRank() + axes->size();
  auto normalized = normalizeAxes(*this, *axes, outRank);
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> out;
  auto next = t.getShape().begin();
  for (int64_t i = 0; i < outRank; ++i)
    out.push_back(llvm::is_contained(*normalized, i) ? 1 : *next++);
  return refineResultType(*this, 0, RankedTensorType::get(out, t.getElementType()));
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, adaptor.getData());
}

//===----------------------------------------------------------------------===//
// Shape, Size
//===----------------------------------------------------------------------===//

/// The dims [start, end) that Shape returns, clamped like Python slice bounds.
static std::pair<int64_t, int64_t> shapeRange(ShapeOp op, int64_t rank) {
  auto clampIndex = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  int64_t start = clampIndex(static_cast<int64_t>(op.getStart()));
  int64_t end = op.getEnd() ? clampIndex(static_cast<int64_t>(*op.getEnd())) : rank;
  return {start, std::max(start, end)};
}

LogicalResult ShapeOp::inferShapes() {
  Type i64 = IntegerType::get(getContext(), 64);
  auto t = rankedOrNull(getData());
  if (!t)
    return refineResultType(*this, 0, RankedTensorType::get({ShapedType::kDynamic}, i64));
  auto [start, end] = shapeRange(*this, t.getRank());
  return refineResultType(*this, 0, RankedTensorType::get({end - start}, i64));
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto t = rankedOrNull(getData());
  RankedTensorType rt = staticResultType(*this);
  if (!t || !rt)
    return {};
  auto [start, end] = shapeRange(*this, t.getRank());
  ArrayRef<int64_t> dims = t.getShape().slice(start, end - start);
  if (llvm::any_of(dims, ShapedType::isDynamic) || rt.getNumElements() != end - start ||
      !rt.getElementType().isInteger(64))
    return {};
  return DenseElementsAttr::get(rt, dims);
}

LogicalResult SizeOp::inferShapes() {
  return refineResultType(*this, 0, RankedTensorType::get({}, IntegerType::get(getContext(), 64)));
}

OpFoldResult SizeOp::fold(FoldAdaptor) {
  auto t = rankedOrNull(getData());
  RankedTensorType rt = staticResultType(*this);
  if (!t || !t.hasStaticShape() || !rt || rt.getRank() != 0 || !rt.getElementType().isInteger(64))
    return {};
  return DenseElementsAttr::get(rt, ArrayRef<int64_t>{t.getNumElements()});
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferShapes() {
  auto t = rankedOrNull(getData());
  if (!t)
    return success();
  int64_t rank = t.getRank();
  auto starts = constantInts(getStarts()), ends = constantInts(getEnds());
  std::optional<SmallVector<int64_t>> axes, steps;
  bool axesKnown = true, stepsKnown = true;
  if (getAxes())
    axesKnown = (axes = constantInts(getAxes())).has_value();
  if (getSteps())
    stepsKnown = (steps = constantInts(getSteps())).has_value();
  SmallVector<int64_t> out(t.getShape());
  if (starts && ends && axesKnown && stepsKnown) {
    auto dims = resolveSlice(*this, t.getShape(), *starts, *ends, optionalRef(axes),
                             optionalRef(steps));
    if (failed(dims))
      return failure();
    for (auto [i, d] : llvm::enumerate(*dims))
      out[i] = d.size;
  } else {
    // The sliced dims are known when the axes are; how much of them is not.
    std::optional<SmallVector<int64_t>> listed = axes;
    if (!getAxes())
      if (auto st = rankedOrNull(getStarts()); st && st.hasStaticShape())
        listed = llvm::to_vector(llvm::seq<int64_t>(0, st.getNumElements()));
    if (axesKnown && listed) {
      auto normalized = normalizeAxes(*this, *listed, rank);
      if (failed(normalized))
        return failure();
      for (int64_t a : *normalized)
        out[a] = ShapedType::kDynamic;
    } else {
      out.assign(rank, ShapedType::kDynamic);
    }
  }
  return refineResultType(*this, 0, RankedTensorType::get(out, t.getElementType()));
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  RankedTensorType rt = staticResultType(*this);
  auto data = dyn_cast_or_null<DenseElementsAttr>(adaptor.getData());
  if (!rt || !data || rt.getNumElements() > kFoldElementLimit)
    return {};
  auto starts = intsOf(adaptor.getStarts()), ends = intsOf(adaptor.getEnds());
  std::optional<SmallVector<int64_t>> axes, steps;
  if ((getAxes() && !(axes = intsOf(adaptor.getAxes()))) ||
      (getSteps() && !(steps = intsOf(adaptor.getSteps()))) || !starts || !ends)
    return {};
  ArrayRef<int64_t> inShape = data.getType().getShape();
  auto dims = resolveSlice(nullptr, inShape, *starts, *ends, optionalRef(axes), optionalRef(steps));
  if (failed(dims))
    return {};
  for (auto [d, size] : llvm::zip(*dims, rt.getShape()))
    if (d.size != size)
      return {};
  if (data.isSplat())
    return DenseElementsAttr::get(rt, data.getSplatValue<Attribute>());
  auto elements = elementsOf(data);
  if (!elements)
    return {};
  int64_t rank = rt.getRank();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * inShape[i + 1];
  SmallVector<Attribute> out;
  SmallVector<int64_t> index(rank, 0);
  for (int64_t n = 0; n < rt.getNumElements(); ++n) {
    int64_t flat = 0;
    for (int64_t i = 0; i < rank; ++i)
      flat += ((*dims)[i].start + index[i] * (*dims)[i].step) * strides[i];
    out.push_back((*elements)[flat]);
    for (int64_t i = rank - 1; i >= 0 && ++index[i] == rt.getDimSize(i); --i)
      index[i] = 0;
  }
  return DenseElementsAttr::get(rt, out);
}

//===----------------------------------------------------------------------===//
// Gather, GatherElements
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferShapes() {
  auto data = rankedOrNull(getData()), indices = rankedOrNull(getIndices());
  if (!data || !indices)
    return success();
  if (data.getRank() == 0)
    return emitError() << "data must have rank >= 1";
  auto axis = normalizeAxis(*this, static_cast<int64_t>(getAxis()), data.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> out(data.getShape().take_front(*axis));
  llvm::append_range(out, indices.getShape());
  llvm::append_range(out, data.getShape().drop_front(*axis + 1));
  return refineResultType(*this, 0, RankedTensorType::get(out, data.getElementType()));
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  RankedTensorType rt = staticResultType(*this);
  auto data = dyn_cast_or_null<DenseElementsAttr>(adaptor.getData());
  auto indices = intsOf(adaptor.getIndices());
  // Static dims picked out of the shape of a tensor with run-time dims (the batch of a
  // [seq, batch, ...] input whose sequence is known only at run time): a constant too.
  if (auto shape = getData().getDefiningOp<ShapeOp>();
      shape && !data && rt && indices && rt.getElementType().isInteger(64) &&
      static_cast<int64_t>(indices->size()) == rt.getNumElements()) {
    auto t = rankedOrNull(shape.getData());
    if (!t)
      return {};
    auto [start, end] = shapeRange(shape, t.getRank());
    ArrayRef<int64_t> dims = t.getShape().slice(start, end - start);
    int64_t n = dims.size();
    SmallVector<int64_t> picked;
    for (int64_t index : *indices) {
      if (index < -n || index >= n)
        return {};
      int64_t d = dims[index < 0 ? index + n : index];
      if (ShapedType::isDynamic(d))
        return {};
      picked.push_back(d);
    }
    return DenseElementsAttr::get(rt, ArrayRef<int64_t>(picked));
  }
  if (!rt || !data || !indices || rt.getNumElements() > kFoldElementLimit ||
      data.getType().getRank() == 0)
    return {};
  ArrayRef<int64_t> shape = data.getType().getShape();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += shape.size();
  if (axis < 0 || axis >= static_cast<int64_t>(shape.size()))
    return {};
  int64_t n = shape[axis], outer = product(shape.take_front(axis)),
          inner = product(shape.drop_front(axis + 1));
  if (outer * static_cast<int64_t>(indices->size()) * inner != rt.getNumElements())
    return {};
  auto elements = elementsOf(data);
  if (!elements)
    return {};
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : *indices) {
      if (index < -n || index >= n)
        return {};
      int64_t at = index < 0 ? index + n : index;
      auto first = elements->begin() + (o * n + at) * inner;
      out.append(first, first + inner);
    }
  return DenseElementsAttr::get(rt, out);
}

LogicalResult GatherElementsOp::inferShapes() {
  auto data = rankedOrNull(getData()), indices = rankedOrNull(getIndices());
  if (!indices)
    return success();
  if (data) {
    if (data.getRank() != indices.getRank())
      return emitError() << "data and indices must have the same rank";
    if (failed(normalizeAxis(*this, static_cast<int64_t>(getAxis()), data.getRank())))
      return failure();
  }
  Type et = cast<ShapedType>(getData().getType()).getElementType();
  return refineResultType(*this, 0, RankedTensorType::get(indices.getShape(), et));
}

//===----------------------------------------------------------------------===//
// Expand, Tile, Pad
//===----------------------------------------------------------------------===//

/// A shape-valued operand's entries when constant; otherwise as many dynamic entries as its
/// static length, or nothing.
static std::optional<SmallVector<int64_t>> shapeOperand(Value v) {
  if (auto values = constantInts(v))
    return values;
  if (auto t = rankedOrNull(v); t && t.getRank() == 1 && t.hasStaticShape())
    return SmallVector<int64_t>(t.getDimSize(0), ShapedType::kDynamic);
  return std::nullopt;
}

/// Expand's shape operand: shapeOperand, and where it is `Shape(y)` (or a Concat of such
/// pieces and constants, a shape rebuilt from y's) the static dims of y at their entries, so
/// that `Expand(x, Shape(y))` keeps y's static dims.
static std::optional<SmallVector<int64_t>> expandTarget(Value v, int depth = 0) {
  if (auto c = constantInts(v))
    return c;
  if (depth < 8) {
    if (auto shape = v.getDefiningOp<ShapeOp>()) {
      auto t = rankedOrNull(shape.getData());
      if (t) {
        int64_t rank = t.getRank();
        auto clampDim = [&](int64_t x) {
          return std::clamp<int64_t>(x < 0 ? x + rank : x, 0, rank);
        };
        int64_t start = clampDim(static_cast<int64_t>(shape.getStart()));
        int64_t end = shape.getEnd() ? clampDim(static_cast<int64_t>(*shape.getEnd())) : rank;
        if (end >= start)
          return SmallVector<int64_t>(t.getShape().slice(start, end - start));
      }
    }
    if (auto concat = v.getDefiningOp<ConcatOp>()) {
      SmallVector<int64_t> all;
      for (Value in : concat.getInputs()) {
        auto part = expandTarget(in, depth + 1);
        if (!part)
          return shapeOperand(v);
        llvm::append_range(all, *part);
      }
      auto rt = rankedOrNull(v);
      if (rt && rt.getRank() == 1 && rt.getDimSize(0) == static_cast<int64_t>(all.size()))
        return all;
    }
  }
  return shapeOperand(v);
}

LogicalResult ExpandOp::inferShapes() {
  auto t = rankedOrNull(getInput());
  auto target = expandTarget(getShape());
  if (!t || !target)
    return success();
  for (int64_t d : *target)
    if (ShapedType::isStatic(d) && d < 0)
      return emitError() << "shape entry " << d << " is negative";
  auto out = broadcastShapes(t.getShape(), *target);
  if (failed(out))
    return emitError() << "cannot expand " << t << " to shape [" << *target << "]";
  return refineResultType(*this, 0, RankedTensorType::get(*out, t.getElementType()));
}

/// The largest dim shape inference makes from constants in the file (as ShapeHelpers'
/// element-count limit): products and sums of larger ones are refused, never overflowed.
static constexpr int64_t kMaxDim = int64_t(1) << 62;

LogicalResult TileOp::inferShapes() {
  auto t = rankedOrNull(getInput());
  if (!t)
    return success();
  SmallVector<int64_t> out(t.getRank(), ShapedType::kDynamic);
  if (auto repeats = constantInts(getRepeats())) {
    if (static_cast<int64_t>(repeats->size()) != t.getRank())
      return emitError() << "repeats has " << repeats->size() << " entries for rank "
                         << t.getRank();
    for (auto [i, r] : llvm::enumerate(*repeats)) {
      if (r < 0)
        return emitError() << "repeats must not be negative";
      int64_t d = t.getDimSize(i);
      if (ShapedType::isDynamic(d))
        continue;
      // A file may ask for any repeat count: a product past int64 (or past what a dim can
      // be) is an error, not undefined behaviour.
      if (__builtin_mul_overflow(d, r, &out[i]) || out[i] > kMaxDim)
        return emitError() << "repeats " << r << " make dim " << i << " (" << d
                           << ") larger than " << kMaxDim;
    }
  }
  return refineResultType(*this, 0, RankedTensorType::get(out, t.getElementType()));
}

LogicalResult PadOp::verify() {
  StringRef mode = getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return emitOpError() << "unknown mode '" << mode << "'";
  return success();
}

LogicalResult PadOp::inferShapes() {
  auto t = rankedOrNull(getData());
  if (!t)
    return success();
  int64_t rank = t.getRank();
  SmallVector<int64_t> out(rank, ShapedType::kDynamic);
  auto pads = constantInts(getPads());
  std::optional<SmallVector<int64_t>> axes;
  bool axesKnown = !getAxes() || (axes = constantInts(getAxes()));
  if (!pads && axes) {
    // Run-time pads over constant axes: the other dims keep their size.
    auto normalized = normalizeAxes(*this, *axes, rank);
    if (failed(normalized))
      return failure();
    for (int64_t i = 0; i < rank; ++i)
      if (!llvm::is_contained(*normalized, i))
        out[i] = t.getDimSize(i);
  } else if (pads && axesKnown) {
    auto amounts = resolvePads(*this, rank, *pads, optionalRef(axes));
    if (failed(amounts))
      return failure();
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = t.getDimSize(i);
      if (ShapedType::isDynamic(d))
        continue;
      if (__builtin_add_overflow(d, amounts->begin[i], &out[i]) ||
          __builtin_add_overflow(out[i], amounts->end[i], &out[i]) || out[i] > kMaxDim)
        return emitError() << "pads make dim " << i << " larger than " << kMaxDim;
      if (out[i] < 0)
        return emitError() << "pads crop dim " << i << " below zero";
    }
  }
  return refineResultType(*this, 0, RankedTensorType::get(out, t.getElementType()));
}

//===----------------------------------------------------------------------===//
// ConstantOfShape, Range
//===----------------------------------------------------------------------===//

LogicalResult ConstantOfShapeOp::verify() {
  if (auto value = getValueAttr(); value && value.getNumElements() != 1)
    return emitOpError() << "value must have exactly one element";
  return success();
}

static Type constantOfShapeElementType(ConstantOfShapeOp op) {
  if (auto value = op.getValueAttr())
    return value.getElementType();
  return Float32Type::get(op.getContext());
}

LogicalResult ConstantOfShapeOp::inferShapes() {
  Type et = constantOfShapeElementType(*this);
  auto shape = shapeOperand(getInput());
  if (!shape) {
    if (isa<UnrankedTensorType>(getType()))
      getResult().setType(UnrankedTensorType::get(et));
    return success();
  }
  for (int64_t d : *shape)
    if (ShapedType::isStatic(d) && d < 0)
      return emitError() << "shape entry " << d << " is negative";
  return refineResultType(*this, 0, RankedTensorType::get(*shape, et));
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  RankedTensorType rt = staticResultType(*this);
  if (!rt || rt.getNumElements() > kFoldElementLimit)
    return {};
  Attribute element;
  if (auto value = dyn_cast_or_null<DenseElementsAttr>(getValueAttr()))
    element = *value.getValues<Attribute>().begin();
  else if (!getValueAttr())
    element = FloatAttr::get(rt.getElementType(), 0.0);
  if (!element || cast<TypedAttr>(element).getType() != rt.getElementType())
    return {};
  return DenseElementsAttr::get(rt, element);
}

/// The single element of a constant scalar (or one-element) operand.
static Attribute scalarOf(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() != 1)
    return {};
  return *dense.getValues<Attribute>().begin();
}

/// Range's element count max(ceil((limit - start) / delta), 0), computed in the element type.
static std::optional<int64_t> rangeCount(Attribute start, Attribute limit, Attribute delta) {
  if (auto s = dyn_cast_or_null<IntegerAttr>(start)) {
    auto l = dyn_cast_or_null<IntegerAttr>(limit), d = dyn_cast_or_null<IntegerAttr>(delta);
    if (!l || !d || d.getInt() == 0)
      return std::nullopt;
    int64_t a = s.getInt(), b = l.getInt(), step = d.getInt();
    if (step > 0)
      return b > a ? 1 + (b - a - 1) / step : 0;
    return a > b ? 1 + (a - b - 1) / -step : 0;
  }
  auto s = dyn_cast_or_null<FloatAttr>(start), l = dyn_cast_or_null<FloatAttr>(limit),
       d = dyn_cast_or_null<FloatAttr>(delta);
  if (!s || !l || !d)
    return std::nullopt;
  APFloat n = l.getValue();
  n.subtract(s.getValue(), APFloat::rmNearestTiesToEven);
  n.divide(d.getValue(), APFloat::rmNearestTiesToEven);
  n.roundToIntegral(APFloat::rmTowardPositive);
  if (!n.isFinite())
    return std::nullopt;
  double count = n.convertToDouble();
  if (count > double(INT32_MAX))
    return std::nullopt;
  return count > 0 ? static_cast<int64_t>(count) : 0;
}

LogicalResult RangeOp::inferShapes() {
  Type et = cast<ShapedType>(getStart().getType()).getElementType();
  for (Value v : {getStart(), getLimit(), getDelta()})
    if (auto t = rankedOrNull(v); t && t.getNumElements() != 1)
      return emitError() << "start, limit and delta must be scalars";
  Attribute start, limit, delta;
  int64_t n = ShapedType::kDynamic;
  if (matchPattern(getStart(), m_Constant(&start)) &&
      matchPattern(getLimit(), m_Constant(&limit)) &&
      matchPattern(getDelta(), m_Constant(&delta)))
    if (auto count = rangeCount(scalarOf(start), scalarOf(limit), scalarOf(delta)))
      n = *count;
  return refineResultType(*this, 0, RankedTensorType::get({n}, et));
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  RankedTensorType rt = staticResultType(*this);
  Attribute start = scalarOf(adaptor.getStart()), delta = scalarOf(adaptor.getDelta());
  auto count = rangeCount(start, scalarOf(adaptor.getLimit()), delta);
  if (!rt || !count || *count != rt.getNumElements() || *count > kFoldElementLimit)
    return {};
  SmallVector<Attribute> out;
  Type et = rt.getElementType();
  for (int64_t i = 0; i < *count; ++i) {
    if (auto s = dyn_cast<IntegerAttr>(start)) {
      if (s.getType() != et)
        return {};
      out.push_back(IntegerAttr::get(et, s.getValue() + cast<IntegerAttr>(delta).getValue() * i));
      continue;
    }
    auto s = cast<FloatAttr>(start);
    if (s.getType() != et)
      return {};
    // start + i * delta in the element type, as the lowering computes it.
    APFloat v(s.getValue().getSemantics());
    v.convertFromAPInt(APInt(64, i), /*IsSigned=*/true, APFloat::rmNearestTiesToEven);
    v.multiply(cast<FloatAttr>(delta).getValue(), APFloat::rmNearestTiesToEven);
    v.add(s.getValue(), APFloat::rmNearestTiesToEven);
    out.push_back(FloatAttr::get(et, v));
  }
  return DenseElementsAttr::get(rt, out);
}

//===----------------------------------------------------------------------===//
// Split
//===----------------------------------------------------------------------===//

LogicalResult SplitOp::inferShapes() {
  auto t = rankedOrNull(getInput());
  if (!t)
    return success();
  auto axis = normalizeAxis(*this, static_cast<int64_t>(getAxis()), t.getRank());
  if (failed(axis))
    return failure();
  if (t.getRank() == 0)
    return emitError() << "cannot split a scalar";
  int64_t n = getNumResults(), dim = t.getDimSize(*axis);
  SmallVector<int64_t> sizes(n, ShapedType::kDynamic);
  if (getSplit()) {
    if (auto split = constantInts(getSplit())) {
      if (static_cast<int64_t>(split->size()) != n)
        return emitError() << "split has " << split->size() << " entries for " << n
                           << " outputs";
      if (llvm::any_of(*split, [](int64_t s) { return s < 0; }))
        return emitError() << "split sizes must not be negative";
      if (ShapedType::isStatic(dim) && llvm::sum_of(*split) != dim)
        return emitError() << "split sizes sum to " << llvm::sum_of(*split)
                           << " but the dim is " << dim;
      sizes = *split;
    }
  } else if (ShapedType::isStatic(dim)) {
    // Equal parts; the last one is smaller when the dim does not divide (opset 18).
    int64_t chunk = (dim + n - 1) / n, last = dim - chunk * (n - 1);
    if (last < 0)
      return emitError() << "cannot split a dim of " << dim << " into " << n << " parts";
    sizes.assign(n, chunk);
    sizes.back() = last;
  }
  for (int64_t i = 0; i < n; ++i) {
    SmallVector<int64_t> shape(t.getShape());
    shape[*axis] = sizes[i];
    if (failed(refineResultType(*this, i, RankedTensorType::get(shape, t.getElementType()))))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// DepthToSpace, SpaceToDepth
//===----------------------------------------------------------------------===//

LogicalResult DepthToSpaceOp::verify() {
  if (static_cast<int64_t>(getBlocksize()) <= 0)
    return emitOpError() << "blocksize must be positive";
  if (getMode() != "DCR" && getMode() != "CRD")
    return emitOpError() << "unknown mode '" << getMode() << "'";
  return success();
}

LogicalResult DepthToSpaceOp::inferShapes() {
  auto t = rankedOrNull(getInput());
  if (!t)
    return success();
  if (t.getRank() != 4)
    return emitError() << "input must be 4-D [N, C, H, W]";
  int64_t b = static_cast<int64_t>(getBlocksize());
  if (b > (int64_t(1) << 20))
    return emitError() << "blocksize " << b << " is too large";
  auto scale = [&](int64_t d) { return ShapedType::isDynamic(d) ? d : d * b; };
  for (int i : {2, 3})
    if (ShapedType::isStatic(t.getDimSize(i)) && t.getDimSize(i) > kMaxDim / b)
      return emitError() << "blocksize " << b << " makes dim " << i << " too large";
  int64_t c = t.getDimSize(1);
  if (ShapedType::isStatic(c) && c % (b * b) != 0)
    return emitError() << "channels (" << c << ") are not a multiple of blocksize^2";
  return refineResultType(
      *this, 0,
      RankedTensorType::get({t.getDimSize(0), ShapedType::isDynamic(c) ? c : c / (b * b),
                             scale(t.getDimSize(2)), scale(t.getDimSize(3))},
                            t.getElementType()));
}

LogicalResult SpaceToDepthOp::inferShapes() {
  auto t = rankedOrNull(getInput());
  if (!t)
    return success();
  if (t.getRank() != 4)
    return emitError() << "input must be 4-D [N, C, H, W]";
  int64_t b = static_cast<int64_t>(getBlocksize());
  if (b <= 0)
    return emitError() << "blocksize must be positive";
  auto shrink = [&](int64_t d) -> FailureOr<int64_t> {
    if (ShapedType::isDynamic(d))
      return d;
    if (d % b != 0)
      return emitError() << "spatial dim " << d << " is not a multiple of blocksize " << b;
    return d / b;
  };
  auto h = shrink(t.getDimSize(2)), w = shrink(t.getDimSize(3));
  if (failed(h) || failed(w))
    return failure();
  int64_t c = t.getDimSize(1);
  return refineResultType(
      *this, 0,
      RankedTensorType::get({t.getDimSize(0), ShapedType::isDynamic(c) ? c : c * b * b, *h, *w},
                            t.getElementType()));
}
