#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace onnxc::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxIndexingOps.cpp.inc"

static RankedTensorType rankedOrNull(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

/// `axis` (negative counts from the end) must name a dim of a tensor of rank `rank`.
static LogicalResult verifyAxisInRange(Operation *op, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range for rank " << rank;
  return success();
}

static Type elementTypeOf(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }

/// Dims `a` and `b` agree where both are static.
static bool compatibleDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static LogicalResult verifyIndexElements(Operation *op, Value v, StringRef name) {
  Type et = elementTypeOf(v);
  if (!et.isInteger(32) && !et.isInteger(64))
    return op->emitOpError() << name << " must be int32 or int64, not " << et;
  return success();
}

/// A one-element operand (rank 0 or [1]).
static LogicalResult verifyOneElement(Operation *op, Value v, StringRef name) {
  if (auto t = rankedOrNull(v); t && t.hasStaticShape() && t.getNumElements() != 1)
    return op->emitOpError() << name << " must have one element, got " << t;
  return success();
}

static LogicalResult verifyScatterReduction(Operation *op, StringRef reduction) {
  if (reduction != "none" && reduction != "add" && reduction != "mul" && reduction != "max" &&
      reduction != "min")
    return op->emitOpError() << "reduction must be none, add, mul, max or min, not '"
                             << reduction << "'";
  return success();
}

//===----------------------------------------------------------------------===//
// GatherND
//===----------------------------------------------------------------------===//

LogicalResult GatherNDOp::verify() {
  if (failed(verifyIndexElements(*this, getIndices(), "indices")))
    return failure();
  auto data = rankedOrNull(getData()), indices = rankedOrNull(getIndices());
  int64_t b = static_cast<int64_t>(getBatchDims());
  if (!data || !indices)
    return success();
  int64_t r = data.getRank(), q = indices.getRank();
  if (r < 1 || q < 1)
    return emitOpError() << "data and indices must have rank >= 1";
  if (b < 0 || b >= std::min(r, q))
    return emitOpError() << "batch_dims " << b << " must be below both ranks";
  for (int64_t i = 0; i < b; ++i)
    if (!compatibleDim(data.getDimSize(i), indices.getDimSize(i)))
      return emitOpError() << "batch dim " << i << " differs between data and indices";
  int64_t m = indices.getDimSize(q - 1);
  if (ShapedType::isStatic(m) && (m < 1 || m > r - b))
    return emitOpError() << "indices' last dim (" << m << ") must be in [1, "
                         << r - b << "]";
  return success();
}

LogicalResult GatherNDOp::inferShapes() {
  auto data = rankedOrNull(getData()), indices = rankedOrNull(getIndices());
  if (!data || !indices)
    return success();
  int64_t q = indices.getRank(), m = indices.getDimSize(q - 1);
  if (ShapedType::isDynamic(m))
    return success(); // The result's rank depends on it.
  int64_t b = static_cast<int64_t>(getBatchDims());
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, data.getShape().drop_front(b + m));
  return refineResultType(*this, 0, RankedTensorType::get(shape, data.getElementType()));
}

//===----------------------------------------------------------------------===//
// ScatterElements, ScatterND
//===----------------------------------------------------------------------===//

LogicalResult ScatterElementsOp::verify() {
  if (failed(verifyScatterReduction(*this, getReduction())) ||
      failed(verifyIndexElements(*this, getIndices(), "indices")))
    return failure();
  if (elementTypeOf(getData()) != elementTypeOf(getUpdates()))
    return emitOpError() << "data and updates must have the same element type";
  auto data = rankedOrNull(getData()), indices = rankedOrNull(getIndices()),
       updates = rankedOrNull(getUpdates());
  if (data) {
    int64_t rank = data.getRank();
    if (failed(verifyAxisInRange(*this, static_cast<int64_t>(getAxis()), rank)))
      return failure();
    for (auto t : {indices, updates})
      if (t && t.getRank() != rank)
        return emitOpError() << "data, indices and updates must have the same rank";
  }
  if (indices && updates)
    for (auto [a, b] : llvm::zip(indices.getShape(), updates.getShape()))
      if (!compatibleDim(a, b))
        return emitOpError() << "indices and updates must have the same shape";
  return success();
}

LogicalResult ScatterNDOp::verify() {
  if (failed(verifyScatterReduction(*this, getReduction())) ||
      failed(verifyIndexElements(*this, getIndices(), "indices")))
    return failure();
  if (elementTypeOf(getData()) != elementTypeOf(getUpdates()))
    return emitOpError() << "data and updates must have the same element type";
  auto data = rankedOrNull(getData()), indices = rankedOrNull(getIndices()),
       updates = rankedOrNull(getUpdates());
  if (!data || !indices || !updates)
    return success();
  int64_t q = indices.getRank();
  if (q < 1)
    return emitOpError() << "indices must have rank >= 1";
  int64_t m = indices.getDimSize(q - 1);
  if (ShapedType::isDynamic(m))
    return success();
  if (m > data.getRank())
    return emitOpError() << "indices' last dim (" << m << ") exceeds the data's rank "
                         << data.getRank();
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(m));
  if (updates.getRank() != static_cast<int64_t>(expected.size()) ||
      !llvm::all_of(llvm::zip(updates.getShape(), expected),
                    [](auto p) { return compatibleDim(std::get<0>(p), std::get<1>(p)); }))
    return emitOpError() << "updates must have shape indices.shape[:-1] + data.shape["
                         << m << ":], got " << updates;
  return success();
}

//===----------------------------------------------------------------------===//
// ReverseSequence
//===----------------------------------------------------------------------===//

LogicalResult ReverseSequenceOp::verify() {
  if (failed(verifyIndexElements(*this, getSequenceLens(), "sequence_lens")))
    return failure();
  int64_t batch = static_cast<int64_t>(getBatchAxis()), time = static_cast<int64_t>(getTimeAxis());
  if (!((batch == 0 && time == 1) || (batch == 1 && time == 0)))
    return emitOpError() << "batch_axis and time_axis must be 0 and 1 (either way round)";
  auto input = rankedOrNull(getInput()), lens = rankedOrNull(getSequenceLens());
  if (input && input.getRank() < 2)
    return emitOpError() << "input must have rank >= 2";
  if (lens && lens.getRank() != 1)
    return emitOpError() << "sequence_lens must be 1-D";
  if (input && lens && !compatibleDim(lens.getDimSize(0), input.getDimSize(batch)))
    return emitOpError() << "sequence_lens must have one entry per batch element";
  return success();
}

//===----------------------------------------------------------------------===//
// OneHot
//===----------------------------------------------------------------------===//

LogicalResult OneHotOp::verify() {
  if (failed(verifyOneElement(*this, getDepth(), "depth")))
    return failure();
  auto values = rankedOrNull(getValues());
  if (values && (values.getRank() != 1 ||
                 !compatibleDim(values.getDimSize(0), 2)))
    return emitOpError() << "values must be [off_value, on_value]";
  Type it = elementTypeOf(getIndices());
  if (!isa<FloatType>(it) && !(it.isSignlessInteger() && !it.isInteger(1)))
    return emitOpError() << "indices must be a float or signed integer tensor, not " << it;
  if (auto indices = rankedOrNull(getIndices())) {
    int64_t rank = indices.getRank(), axis = static_cast<int64_t>(getAxis());
    if (axis < -rank - 1 || axis > rank)
      return emitOpError() << "axis " << axis << " is out of range for rank " << rank + 1;
  }
  return success();
}

LogicalResult OneHotOp::inferShapes() {
  auto indices = rankedOrNull(getIndices());
  Type et = elementTypeOf(getValues());
  if (!indices) {
    if (isa<UnrankedTensorType>(getType()))
      getResult().setType(UnrankedTensorType::get(et));
    return success();
  }
  int64_t depth = ShapedType::kDynamic;
  DenseElementsAttr attr;
  if (matchPattern(getDepth(), m_Constant(&attr)) && attr.getNumElements() == 1) {
    // Any numeric type; a float depth is truncated, as the reference implementation does.
    if (auto ints = dyn_cast<DenseIntElementsAttr>(attr))
      depth = (*ints.begin()).getSExtValue();
    else if (auto floats = dyn_cast<DenseFPElementsAttr>(attr))
      depth = static_cast<int64_t>((*floats.begin()).convertToDouble());
    if (depth < 1)
      return emitError() << "depth must be positive, got " << depth;
  }
  SmallVector<int64_t> shape(indices.getShape());
  shape.insert(shape.begin() + getNormalizedAxis(indices.getRank()), depth);
  return refineResultType(*this, 0, RankedTensorType::get(shape, et));
}

//===----------------------------------------------------------------------===//
// Trilu, EyeLike
//===----------------------------------------------------------------------===//

LogicalResult TriluOp::verify() {
  if (auto t = rankedOrNull(getInput()); t && t.getRank() < 2)
    return emitOpError() << "input must have rank >= 2";
  if (getK()) {
    if (!elementTypeOf(getK()).isInteger(64))
      return emitOpError() << "k must be int64";
    return verifyOneElement(*this, getK(), "k");
  }
  return success();
}

LogicalResult EyeLikeOp::verify() {
  if (auto t = rankedOrNull(getInput()); t && t.getRank() != 2)
    return emitOpError() << "input must be 2-D";
  return success();
}

LogicalResult EyeLikeOp::inferShapes() {
  Type et = getDtype() ? *getDtype() : elementTypeOf(getInput());
  auto t = rankedOrNull(getInput());
  if (!t) {
    if (isa<UnrankedTensorType>(getType()))
      getResult().setType(UnrankedTensorType::get(et));
    return success();
  }
  return refineResultType(*this, 0, RankedTensorType::get(t.getShape(), et));
}

//===----------------------------------------------------------------------===//
// Data-dependent result sizes: NonZero, Compress, Unique, NonMaxSuppression. The dim that
// counts selected elements is `?` whatever the model declares (a declared value is only what
// one run gave), so these set their result types instead of refining the declared ones.
//===----------------------------------------------------------------------===//

static void setResult(Operation *op, unsigned i, ArrayRef<int64_t> shape, Type et) {
  op->getResult(i).setType(RankedTensorType::get(shape, et));
}

LogicalResult NonZeroOp::inferShapes() {
  auto x = rankedOrNull(getX());
  if (!x)
    return success();
  setResult(*this, 0, {x.getRank(), ShapedType::kDynamic}, IntegerType::get(getContext(), 64));
  return success();
}

LogicalResult CompressOp::verify() {
  if (auto c = rankedOrNull(getCondition()); c && c.getRank() != 1)
    return emitOpError() << "condition must be 1-D";
  if (!elementTypeOf(getCondition()).isInteger(1))
    return emitOpError() << "condition must be bool";
  if (auto x = rankedOrNull(getInput()); x && getAxis())
    return verifyAxisInRange(*this, static_cast<int64_t>(*getAxis()), x.getRank());
  return success();
}

LogicalResult CompressOp::inferShapes() {
  auto x = rankedOrNull(getInput());
  if (!x)
    return success();
  SmallVector<int64_t> shape{ShapedType::kDynamic};
  if (getAxis()) {
    int64_t axis = static_cast<int64_t>(*getAxis());
    axis = axis < 0 ? axis + x.getRank() : axis;
    shape.assign(x.getShape().begin(), x.getShape().end());
    shape[axis] = ShapedType::kDynamic;
  }
  setResult(*this, 0, shape, x.getElementType());
  return success();
}

LogicalResult UniqueOp::verify() {
  if (auto x = rankedOrNull(getX()); x && getAxis())
    return verifyAxisInRange(*this, static_cast<int64_t>(*getAxis()), x.getRank());
  return success();
}

LogicalResult UniqueOp::inferShapes() {
  auto x = rankedOrNull(getX());
  if (!x)
    return success();
  Type i64 = IntegerType::get(getContext(), 64);
  int64_t dyn = ShapedType::kDynamic;
  if (!getAxis()) {
    setResult(*this, 0, {dyn}, x.getElementType());
    setResult(*this, 2, {x.hasStaticShape() ? x.getNumElements() : dyn}, i64);
  } else {
    int64_t axis = static_cast<int64_t>(*getAxis());
    axis = axis < 0 ? axis + x.getRank() : axis;
    SmallVector<int64_t> shape(x.getShape());
    shape[axis] = dyn;
    setResult(*this, 0, shape, x.getElementType());
    setResult(*this, 2, {x.getDimSize(axis)}, i64);
  }
  setResult(*this, 1, {dyn}, i64);
  setResult(*this, 3, {dyn}, i64);
  return success();
}

LogicalResult NonMaxSuppressionOp::verify() {
  if (auto b = rankedOrNull(getBoxes()); b && (b.getRank() != 3 || !compatibleDim(b.getDimSize(2), 4)))
    return emitOpError() << "boxes must be [batches, boxes, 4]";
  if (auto s = rankedOrNull(getScores()); s && s.getRank() != 3)
    return emitOpError() << "scores must be [batches, classes, boxes]";
  if (!elementTypeOf(getMaxOutputBoxesPerClass()).isInteger(64))
    return emitOpError() << "max_output_boxes_per_class must be int64";
  if (failed(verifyOneElement(*this, getMaxOutputBoxesPerClass(), "max_output_boxes_per_class")) ||
      failed(verifyOneElement(*this, getIouThreshold(), "iou_threshold")) ||
      failed(verifyOneElement(*this, getScoreThreshold(), "score_threshold")))
    return failure();
  return success();
}

LogicalResult NonMaxSuppressionOp::inferShapes() {
  setResult(*this, 0, {ShapedType::kDynamic, 3}, IntegerType::get(getContext(), 64));
  return success();
}
