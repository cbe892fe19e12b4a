// Shape and data movement: Reshape/Flatten/Squeeze/Unsqueeze as metadata-only reshapes,
// Concat as slice insertion into one buffer, Split as slice extraction, Transpose as
// linalg.transpose, Expand and Tile as broadcasting copies, DepthToSpace/SpaceToDepth as
// reshape + transpose + reshape; Shape and Size become constants, ConstantOfShape a fill,
// Range a generic over its index. Gather/GatherElements/GatherND/ReverseSequence live in
// Gather.cpp, Slice and Pad in SliceAndPad.cpp, ScatterElements/ScatterND in Scatter.cpp,
// Trilu/EyeLike/OneHot in Masks.cpp.
#include "passes/lowering/LoweringUtils.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace onnxc::lowering {

// The rest of the family (Gather.cpp, SliceAndPad.cpp).
void populateGatherPatterns(RewritePatternSet &patterns);
void populateSliceAndPadPatterns(RewritePatternSet &patterns);
void populateScatterPatterns(RewritePatternSet &patterns);
void populateMaskPatterns(RewritePatternSet &patterns);

namespace {

/// A run-time size as (tensor, dim) where it is a tensor.dim, followed through what the
/// lowerings build: the dim of a destination-style op's result is its init's, and the dim of
/// a tensor.empty its size operand. Null where it is anything else.
static std::pair<Value, int64_t> dimSource(Value size) {
  for (int depth = 0; depth < 16; ++depth) {
    auto dim = size.getDefiningOp<tensor::DimOp>();
    std::optional<int64_t> index = dim ? dim.getConstantIndex() : std::nullopt;
    if (!index)
      return {Value(), 0};
    Value src = dim.getSource();
    auto t = cast<RankedTensorType>(src.getType());
    if (auto empty = src.getDefiningOp<tensor::EmptyOp>()) {
      size = empty.getDynamicSize(*index);
      continue;
    }
    if (auto dps = src.getDefiningOp<DestinationStyleOpInterface>()) {
      if (OpOperand *init = dps.getTiedOpOperand(cast<OpResult>(src))) {
        if (auto empty = init->get().getDefiningOp<tensor::EmptyOp>();
            empty && t.isDynamicDim(*index)) {
          size = empty.getDynamicSize(*index);
          continue;
        }
      }
    }
    return {src, *index};
  }
  return {Value(), 0};
}

/// Whether the run-time sizes `a` and `b` are the same (the same value, or the same dim of
/// the same tensor through dimSource).
static bool sameDim(Value a, Value b) {
  if (a == b)
    return true;
  auto [sa, ia] = dimSource(a);
  auto [sb, ib] = dimSource(b);
  return sa && sa == sb && ia == ib;
}

/// Reshape and Flatten: the result type, inferred at compile time, says everything.
template <typename OpT> struct ReshapeLikeLowering : OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;
  LogicalResult matchAndRewrite(OpT op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(rankedType(op, op.getResult())) || failed(rankedType(op, op->getOperand(0))))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getOperands()[0];
    auto it = cast<RankedTensorType>(input.getType());
    if (rt.hasStaticShape() && it.hasStaticShape()) {
      rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), input, rt));
      return success();
    }
    auto dims = runtimeDims(op, input, rt, rewriter,
                            [&](Value v) { return rewriter.getRemappedValue(v); });
    if (failed(dims))
      return failure();
    // Run-time dims: keep the leading dims the result copies from the input (Reshape's 0
    // entries, e.g. [batch, seq, 8] -> [batch, seq, 2, 4]) as their own groups; collapse the
    // rest of the input into one dim and expand it into the rest of the result, its run-time
    // dim (at most one: memref lowering cannot stride an expansion with two) from `dims`.
    Location loc = op.getLoc();
    int64_t r = it.getRank(), R = rt.getRank(), k = 0;
    auto copies = [&](int64_t i) {
      if (!rt.isDynamicDim(i))
        return !it.isDynamicDim(i) && it.getDimSize(i) == rt.getDimSize(i);
      if (i >= r || !it.isDynamicDim(i))
        return false;
      // The input's own dim i (a 0 entry), or the same size reached another way (an entry
      // of `Shape(x)` where the input is x transposed: tensor.dim of the same source).
      return sameDim((*dims)[i], tensor::DimOp::create(rewriter, loc, input, i));
    };
    while (k + 1 < r && k + 1 < R && copies(k))
      ++k;
    int64_t tailDynamic = 0;
    for (int64_t i = k; i < R; ++i)
      tailDynamic += rt.isDynamicDim(i);
    if (tailDynamic > 1 || r == 0 || R == 0)
      return op.emitError() << "this reshape of dims known only at run time is not supported "
                               "yet; " << runtimeDimsHint(op);
    SmallVector<ReassociationIndices> inGroups, outGroups;
    for (int64_t i = 0; i < k; ++i) {
      inGroups.push_back({i});
      outGroups.push_back({i});
    }
    inGroups.emplace_back();
    for (int64_t i = k; i < r; ++i)
      inGroups.back().push_back(i);
    outGroups.emplace_back();
    for (int64_t i = k; i < R; ++i)
      outGroups.back().push_back(i);
    Value collapsed = input;
    if (r - k > 1)
      collapsed = tensor::CollapseShapeOp::create(rewriter, loc, input, inGroups);
    if (R - k == 1 && cast<RankedTensorType>(collapsed.getType()) == rt) {
      rewriter.replaceOp(op, collapsed);
      return success();
    }
    SmallVector<OpFoldResult> shape;
    for (int64_t i = 0; i < R; ++i) {
      if (rt.isDynamicDim(i))
        shape.push_back((*dims)[i]);
      else
        shape.push_back(rewriter.getIndexAttr(rt.getDimSize(i)));
    }
    if (R - k == 1) { // Same rank after the collapse: only a static dim differs.
      rewriter.replaceOp(op, tensor::CastOp::create(rewriter, loc, rt, collapsed));
      return success();
    }
    rewriter.replaceOp(op,
                       tensor::ExpandShapeOp::create(rewriter, loc, rt, collapsed, outGroups, shape));
    return success();
  }

  /// The result dims of a Reshape / Flatten of `input` with run-time dims, from the
  /// (constant) target shape: 0 copies an input dim, -1 takes what the others leave.
  FailureOr<SmallVector<Value>> runtimeDims(OpT op, Value input, RankedTensorType rt,
                                            OpBuilder &b, const ValueMap &remap) const {
    Location loc = op.getLoc();
    auto it = cast<RankedTensorType>(input.getType());
    SmallVector<Value> dims;
    if constexpr (std::is_same_v<OpT, onnx::FlattenOp>) {
      int64_t axis = static_cast<int64_t>(op.getAxis());
      if (axis < 0)
        axis += it.getRank();
      // Both products, not total / outer: a run-time dim may be 0 ([2, 0, 3] flattens to
      // [0, 3] at axis 2, where total / outer would be 0 / 0).
      Value outer = arith::ConstantIndexOp::create(b, loc, 1);
      Value inner = arith::ConstantIndexOp::create(b, loc, 1);
      for (int64_t i = 0; i < it.getRank(); ++i)
        (i < axis ? outer : inner) =
            arith::MulIOp::create(b, loc, i < axis ? outer : inner, dimSize(b, loc, input, i));
      dims = {outer, inner};
      return dims;
    } else if constexpr (!std::is_same_v<OpT, onnx::ReshapeOp>) {
      // Squeeze / Unsqueeze drop or add static 1s: the run-time dims keep their order.
      SmallVector<Value> runtime;
      for (int64_t i = 0; i < it.getRank(); ++i)
        if (it.isDynamicDim(i))
          runtime.push_back(tensor::DimOp::create(b, loc, input, i));
      unsigned next = 0;
      for (int64_t i = 0; i < rt.getRank(); ++i) {
        if (!rt.isDynamicDim(i)) {
          dims.push_back(arith::ConstantIndexOp::create(b, loc, rt.getDimSize(i)));
        } else {
          if (next >= runtime.size())
            return op.emitError() << "cannot size a run-time dim; " << runtimeDimsHint(op);
          dims.push_back(runtime[next++]);
        }
      }
      return dims;
    } else {
      // The target: constant, or Shape arithmetic of the run-time dims (a shape rebuilt
      // from `Shape(x)` entries, PyTorch's and Paddle's exports of view/reshape), whose
      // entries are recomputed from the dims (shapeVector). An entry known only at run time
      // is a size (>= 0, checked unless it is a dim); 0 copies the input's dim unless
      // allowzero. -1 must be a constant.
      DenseIntElementsAttr shape;
      SmallVector<int64_t> target;
      SmallVector<Value> runtimeEntry;
      if (matchPattern(op.getShape(), m_Constant(&shape))) {
        for (const APInt &v : shape.getValues<APInt>())
          target.push_back(v.getSExtValue());
        runtimeEntry.assign(target.size(), Value());
      } else if (auto entries = shapeVector(b, loc, op.getShape(), 0, remap)) {
        for (Value e : *entries) {
          std::optional<int64_t> c = getConstantIntValue(e);
          target.push_back(c ? *c : ShapedType::kDynamic);
          runtimeEntry.push_back(c ? Value() : e);
        }
      } else {
        return op.emitError() << "a target shape read from tensor data (not computed from "
                                 "the dims by Shape arithmetic) is not supported; "
                              << runtimeDimsHint(op);
      }
      if ((int64_t)target.size() != rt.getRank())
        return op.emitError() << "target shape rank differs from the result's";
      Value total = arith::ConstantIndexOp::create(b, loc, 1);
      for (int64_t i = 0; i < it.getRank(); ++i)
        total = arith::MulIOp::create(b, loc, total, dimSize(b, loc, input, i));
      Value known = arith::ConstantIndexOp::create(b, loc, 1);
      int64_t inferred = -1;
      for (int64_t i = 0; i < rt.getRank(); ++i) {
        Value d;
        if (Value e = runtimeEntry[i]) {
          if (!e.getDefiningOp<tensor::DimOp>())
            requireSizes(b, loc,
                         arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, e,
                                               arith::ConstantIndexOp::create(b, loc, 0)),
                         "Reshape's shape has a negative entry computed at run time");
          d = e;
          if (!op.getAllowzero() && i < it.getRank() &&
              !sameDim(e, tensor::DimOp::create(b, loc, input, i))) {
            Value zero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, e,
                                               arith::ConstantIndexOp::create(b, loc, 0));
            d = arith::SelectOp::create(b, loc, zero, dimSize(b, loc, input, i), e);
          } else if (!op.getAllowzero() && i < it.getRank()) {
            d = dimSize(b, loc, input, i);
          }
        } else if (target[i] == 0 && !op.getAllowzero()) {
          if (i >= it.getRank())
            return op.emitError() << "shape entry 0 past the input's rank";
          d = dimSize(b, loc, input, i);
        } else if (target[i] == -1) {
          inferred = i;
        } else {
          d = arith::ConstantIndexOp::create(b, loc, target[i]);
        }
        dims.push_back(d);
        if (d)
          known = arith::MulIOp::create(b, loc, known, d);
      }
      if (inferred < 0 && llvm::any_of(runtimeEntry, [](Value e) { return bool(e); }))
        // Entries computed at run time must keep the element count.
        requireSizes(b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, known, total),
                     "Reshape's shape computed at run time does not keep the element count");
      if (inferred >= 0) {
        // -1 is what the others leave: total / known. With a run-time dim of 0 among the
        // others (a copied 0) the product is 0 and -1 means nothing (numpy refuses
        // reshaping a size-0 array to (0, -1)); a total that is no multiple of the others
        // is no reshape either. Both are a condition on the dims (requireDims: the size
        // function reports ONNXC_ERROR_DIMS_OUT_OF_RANGE, even where the result is the
        // input's own shape and this dim is never used) and give -1, a negative size; the
        // division is by 1 then, never by 0.
        Value zero = arith::ConstantIndexOp::create(b, loc, 0);
        Value one = arith::ConstantIndexOp::create(b, loc, 1);
        Value none = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, known, zero);
        Value divisor = arith::SelectOp::create(b, loc, none, one, known);
        Value rest = arith::RemUIOp::create(b, loc, total, divisor);
        Value bad = arith::OrIOp::create(
            b, loc, none, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rest, zero));
        dims[inferred] =
            arith::SelectOp::create(b, loc, bad, arith::ConstantIndexOp::create(b, loc, -1),
                                    arith::DivUIOp::create(b, loc, total, divisor));
        requireDims(b, loc,
                    arith::XOrIOp::create(b, loc, bad,
                                          arith::ConstantIntOp::create(b, loc, 1, 1)),
                    "Reshape's -1 has no meaning for these dims");
      }
      return dims;
    }
  }
};

struct ConcatLowering : OpConversionPattern<onnx::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t axis = static_cast<int64_t>(op.getAxis()); // I64Attr getters are unsigned.
    if (axis < 0)
      axis += rt.getRank();
    Location loc = op.getLoc();
    // Run-time dims: the axis' size is the inputs' sum, the others the first input's that
    // has them at run time.
    auto sizeOf = [&](Value v, int64_t d) -> OpFoldResult {
      auto t = cast<RankedTensorType>(v.getType());
      if (!t.isDynamicDim(d))
        return rewriter.getIndexAttr(t.getDimSize(d));
      return tensor::DimOp::create(rewriter, loc, v, d).getResult();
    };
    // The inputs' other dims must agree (a length read from data is checked at run time,
    // not trusted by its bound).
    for (int64_t d = 0; d < rt.getRank(); ++d)
      if (d != axis)
        for (Value in : adaptor.getInputs().drop_front())
          requireSameDim(rewriter, loc, adaptor.getInputs().front(), d, in, d,
                         "Concat's inputs differ in a dim other than the axis");
    Value result;
    if (rt.hasStaticShape()) {
      result = emptyTensor(rewriter, loc, rt);
    } else {
      SmallVector<Value> dyn;
      for (int64_t d = 0; d < rt.getRank(); ++d) {
        if (!rt.isDynamicDim(d))
          continue;
        if (d == axis) {
          Value sum = arith::ConstantIndexOp::create(rewriter, loc, 0);
          for (Value in : adaptor.getInputs())
            sum = arith::AddIOp::create(rewriter, loc, sum, dimSize(rewriter, loc, in, d));
          dyn.push_back(sum);
          continue;
        }
        Value size;
        for (Value in : adaptor.getInputs())
          if (!size && cast<RankedTensorType>(in.getType()).isDynamicDim(d))
            size = tensor::DimOp::create(rewriter, loc, in, d);
        if (!size)
          return op.emitError() << "cannot size a run-time dim; " << runtimeDimsHint(op);
        dyn.push_back(size);
      }
      result = emptyTensorSized(rewriter, loc, rt, dyn);
    }
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value in : adaptor.getInputs()) {
      auto it = cast<RankedTensorType>(in.getType());
      SmallVector<OpFoldResult> offsets(rt.getRank(), rewriter.getIndexAttr(0)), sizes,
          strides(rt.getRank(), rewriter.getIndexAttr(1));
      offsets[axis] = offset;
      for (int64_t d = 0; d < it.getRank(); ++d)
        sizes.push_back(sizeOf(in, d));
      result = tensor::InsertSliceOp::create(rewriter, loc, in, result, offsets, sizes, strides);
      auto o = getConstantIntValue(offset);
      if (o && !it.isDynamicDim(axis))
        offset = rewriter.getIndexAttr(*o + it.getDimSize(axis));
      else
        offset = arith::AddIOp::create(rewriter, loc,
                                       getValueOrCreateConstantIndexOp(rewriter, loc, offset),
                                       dimSize(rewriter, loc, in, axis))
                     .getResult();
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<onnx::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> perm;
    if (op.getPerm())
      perm.assign(op.getPerm()->begin(), op.getPerm()->end());
    else
      for (int64_t i = rt.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    SmallVector<Value> dyn; // Result dim i is the input's dim perm[i].
    for (int64_t i = 0; i < rt.getRank(); ++i)
      if (rt.isDynamicDim(i))
        dyn.push_back(tensor::DimOp::create(rewriter, op.getLoc(), adaptor.getData(), perm[i]));
    Value init = emptyTensorSized(rewriter, op.getLoc(), rt, dyn);
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(), adaptor.getData(),
                                                       init, perm)
                               .getResult()[0]);
    return success();
  }
};

/// Normalizes an I64Attr axis (the getters are unsigned) against `rank`.
int64_t normalizedAxis(uint64_t attr, int64_t rank) {
  int64_t axis = static_cast<int64_t>(attr);
  return axis < 0 ? axis + rank : axis;
}

/// Shape and Size of a static tensor are compile-time constants (canonicalization has usually
/// folded them already); Shape of a tensor with run-time dims reads them.
struct ShapeLowering : OpConversionPattern<onnx::ShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ShapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    // The folder computes the constant from the input type alone.
    SmallVector<OpFoldResult> folded;
    TypedAttr attr;
    if (succeeded(op->fold(SmallVector<Attribute>(op->getNumOperands()), folded)) &&
        folded.size() == 1)
      attr = dyn_cast_if_present<TypedAttr>(dyn_cast_if_present<Attribute>(folded[0]));
    if (!attr) {
      // Run-time dims (a model that maps sequences runs per element with their dims): the
      // dims read from the tensor.
      auto t = dyn_cast<RankedTensorType>(adaptor.getData().getType());
      auto rt = dyn_cast<RankedTensorType>(op.getType());
      if (t && rt && rt.getRank() == 1 && rt.hasStaticShape() &&
          rt.getElementType().isInteger(64)) {
        int64_t rank = t.getRank();
        auto clampDim = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
        int64_t start = clampDim(static_cast<int64_t>(op.getStart()));
        int64_t end = op.getEnd() ? clampDim(static_cast<int64_t>(*op.getEnd())) : rank;
        end = std::max(start, end);
        if (rt.getNumElements() == end - start) {
          SmallVector<Value> dims;
          for (int64_t d = start; d < end; ++d)
            dims.push_back(arith::IndexCastOp::create(
                rewriter, op.getLoc(), rewriter.getI64Type(),
                dimSize(rewriter, op.getLoc(), adaptor.getData(), d)));
          rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, rt, dims);
          return success();
        }
      }
      if (failed(requireStaticShapes(op)))
        return failure();
      return op.emitError() << "result type " << op.getType() << " does not match the input";
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, attr);
    return success();
  }
};

struct SizeLowering : OpConversionPattern<onnx::SizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::SizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    if (rt.getRank() != 0 || !rt.getElementType().isInteger(64))
      return op.emitError() << "result type must be tensor<i64>";
    int64_t n = cast<RankedTensorType>(op.getData().getType()).getNumElements();
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseElementsAttr::get(rt, ArrayRef<int64_t>{n}));
    return success();
  }
};

/// Expand: a broadcasting copy to the (inferred or declared) result shape. With static
/// shapes the shape operand is not read at run time.
///
/// With run-time dims (the input's, or a shape computed from them: `Expand(x, Shape(y))`,
/// Concat/Gather/Slice of Shape entries, shapeVector), each result dim is computed from the
/// input's dim and the shape's entry with ONNX's bidirectional broadcast, and what it needs
/// is checked at run time (requireSizes: a dims check, ONNXC_ERROR_DIMS_OUT_OF_RANGE before
/// the run, or a data check where a size is read from data):
///   - no input dim, or a static 1: the entry (>= 0);
///   - no entry, or an entry 1: the input's dim;
///   - a static input dim k: k, the entry k or 1;
///   - a run-time input dim against an entry other than a constant 1: equal, or either of
///     them 1 (ONNX's broadcast, a run-time 1 of the input included: the copy then reads
///     the input at index 0 along that dim, see below).
/// A shape read from tensor data (not Shape arithmetic) gives sizes from data with no bound:
/// the result is allocated per run (PlanMemory), the checks are data checks.
struct ExpandLowering : OpConversionPattern<onnx::ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ExpandOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto in = rankedType(op, op.getInput());
    if (failed(in))
      return failure();
    auto rt = rankedType(op, op.getResult());
    if (failed(rt))
      return failure();
    if (!in->hasStaticShape() || !rt->hasStaticShape())
      return lowerRuntimeDims(op, adaptor, *in, *rt, rewriter);
    auto shape = onnx::broadcastShapes(in->getShape(), rt->getShape());
    if (failed(shape) || ArrayRef<int64_t>(*shape) != rt->getShape())
      return op.emitError() << "cannot broadcast " << *in << " to " << *rt;
    rewriter.replaceOp(op, buildElementwise(rewriter, op.getLoc(), *rt, {adaptor.getInput()},
                                            [](OpBuilder &, Location, ValueRange args) {
                                              return args[0];
                                            }));
    return success();
  }

  LogicalResult lowerRuntimeDims(onnx::ExpandOp op, OpAdaptor adaptor, RankedTensorType it,
                                 RankedTensorType rt, ConversionPatternRewriter &b) const {
    Location loc = op.getLoc();
    auto st = dyn_cast<RankedTensorType>(op.getShape().getType());
    if (!st || st.getRank() != 1 || !st.hasStaticShape())
      return op.emitError() << "the shape operand's length is known only at run time (so is "
                               "the result's rank), which is not supported; "
                            << runtimeDimsHint(op);
    int64_t n = st.getDimSize(0), r = it.getRank(), R = rt.getRank();
    if (R != std::max(r, n))
      return op.emitError() << "result rank " << R << " is not max(input rank " << r
                            << ", shape length " << n << ")";
    std::optional<SmallVector<Value>> entries =
        shapeVector(b, loc, op.getShape(), 0, [&](Value v) { return b.getRemappedValue(v); });
    if (!entries) {
      // Read from data: sizes with no bound (per-run allocation, data checks).
      entries.emplace();
      for (int64_t k = 0; k < n; ++k) {
        Value e = tensor::ExtractOp::create(
            b, loc, adaptor.getShape(), ValueRange{arith::ConstantIndexOp::create(b, loc, k)});
        entries->push_back(arith::IndexCastOp::create(b, loc, b.getIndexType(), e));
      }
    }
    auto cst = [&](int64_t x) { return arith::ConstantIndexOp::create(b, loc, x).getResult(); };
    auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) {
      return arith::CmpIOp::create(b, loc, p, x, y).getResult();
    };
    const char *what = "Expand's shape does not broadcast with its input's dims (a run-time "
                       "input dim must equal the shape's entry, or the entry be 1)";
    Value input = adaptor.getInput();
    SmallVector<Value> dyn;
    SmallVector<AffineExpr> inExprs;
    struct MaybeOne {
      int64_t inDim, outDim;
      Value isOne, size;
    };
    SmallVector<MaybeOne> maybeOne;
    for (int64_t i = 0; i < R; ++i) {
      int64_t j = i - (R - r), k = i - (R - n);
      Value t = k >= 0 ? (*entries)[k] : Value();
      std::optional<int64_t> tc = t ? getConstantIntValue(t) : std::nullopt;
      Value size;
      AffineExpr e = b.getAffineDimExpr(i);
      int64_t a = j >= 0 ? it.getDimSize(j) : 1;
      if (tc && *tc < 0)
        return op.emitError() << "shape entry " << k << " is " << *tc << " (negative)";
      // A dim read from a tensor is never negative; any other entry is checked (>= 0).
      auto nonNegative = [&](Value x) {
        if (!x.getDefiningOp<tensor::DimOp>() && !getConstantIntValue(x))
          requireSizes(b, loc, cmp(arith::CmpIPredicate::sge, x, cst(0)),
                       "Expand's shape has a negative entry");
      };
      // The entry is the input's own dim (`Expand(x, Shape(x))`, a shape rebuilt from x's).
      auto dimOfInput = [&](Value x) {
        auto d = x ? x.getDefiningOp<tensor::DimOp>() : tensor::DimOp();
        return d && (d.getSource() == op.getInput() || d.getSource() == adaptor.getInput()) &&
               d.getConstantIndex() == j;
      };
      if (!t) {
        size = dimSize(b, loc, input, j);
      } else if (a == 1) {
        size = t;
        if (j >= 0)
          e = b.getAffineConstantExpr(0);
        nonNegative(t);
      } else if (!ShapedType::isDynamic(a)) {
        size = cst(a);
        if (tc && *tc != a && *tc != 1)
          return op.emitError() << "cannot broadcast input dim " << j << " (" << a
                                << ") to shape entry " << k << " (" << *tc << ")";
        if (!tc)
          requireSizes(b, loc,
                       arith::OrIOp::create(b, loc, cmp(arith::CmpIPredicate::eq, t, cst(a)),
                                            cmp(arith::CmpIPredicate::eq, t, cst(1))),
                       what);
      } else {
        // A run-time input dim: equal to the entry, or either of them 1 (a run-time 1 of the
        // input broadcasts: `maybeOne`).
        Value ad = tensor::DimOp::create(b, loc, input, j);
        Value one = cst(1);
        if ((tc && *tc == 1) || dimOfInput(t)) {
          size = ad;
        } else {
          Value isOne = cmp(arith::CmpIPredicate::eq, ad, one);
          Value ok = arith::OrIOp::create(b, loc, cmp(arith::CmpIPredicate::eq, ad, t), isOne);
          if (tc) {
            size = t;
          } else {
            ok = arith::OrIOp::create(b, loc, ok, cmp(arith::CmpIPredicate::eq, t, one));
            size = arith::SelectOp::create(b, loc, isOne, t, ad);
            nonNegative(t);
          }
          requireSizes(b, loc, ok, what);
          maybeOne.push_back({j, i, isOne, size});
        }
      }
      if (!rt.isDynamicDim(i)) {
        std::optional<int64_t> sc = getConstantIntValue(size);
        if (sc && *sc != rt.getDimSize(i))
          return op.emitError() << "result dim " << i << " is " << *sc << ", not the "
                                << rt.getDimSize(i) << " of " << rt;
        if (!sc)
          requireSizes(b, loc, cmp(arith::CmpIPredicate::eq, size, cst(rt.getDimSize(i))),
                       "a size differs from the static size the model declares for Expand's "
                       "result");
      } else {
        dyn.push_back(size);
      }
      if (j >= 0)
        inExprs.push_back(e);
    }
    MLIRContext *ctx = b.getContext();
    Value init = emptyTensorSized(b, loc, rt, dyn);
    SmallVector<AffineMap> maps{AffineMap::get(R, 0, inExprs, ctx),
                                b.getMultiDimIdentityMap(R)};
    SmallVector<utils::IteratorType> iters(R, utils::IteratorType::parallel);
    auto direct = [&](OpBuilder &nb) {
      return linalg::GenericOp::create(
                 nb, loc, TypeRange{rt}, ValueRange{input}, ValueRange{init}, maps, iters,
                 [](OpBuilder &bb, Location l, ValueRange args) {
                   linalg::YieldOp::create(bb, l, args[0]);
                 })
          .getResult(0);
    };
    if (maybeOne.empty()) {
      b.replaceOp(op, direct(b));
      return success();
    }
    // Where a run-time input dim may be a 1 that broadcasts, the index map is not known at
    // compile time: the copy with the affine map when every such dim equals its result's
    // (the common case: a mask [b, 1, t] to [b, s, t]), else a copy that reads the input at
    // index 0 along the dims that are 1 (tensor.extract at computed indices). Both write the
    // same destination.
    Value same = arith::ConstantIntOp::create(b, loc, 1, 1);
    for (const MaybeOne &m : maybeOne)
      same = arith::AndIOp::create(
          b, loc, same,
          cmp(arith::CmpIPredicate::eq, tensor::DimOp::create(b, loc, input, m.inDim), m.size));
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{rt}, same, /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      scf::YieldOp::create(b, loc, direct(b));
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      SmallVector<AffineMap> outOnly{b.getMultiDimIdentityMap(R)};
      auto gather = linalg::GenericOp::create(
          b, loc, TypeRange{rt}, ValueRange{}, ValueRange{init}, outOnly, iters,
          [&](OpBuilder &bb, Location l, ValueRange) {
            SmallVector<Value> idx;
            for (int64_t j = 0; j < r; ++j) {
              int64_t i = j + (R - r);
              AffineExpr e = inExprs[j];
              if (auto c = dyn_cast<AffineConstantExpr>(e)) {
                idx.push_back(arith::ConstantIndexOp::create(bb, l, c.getValue()));
                continue;
              }
              Value k = linalg::IndexOp::create(bb, l, i);
              auto m = llvm::find_if(maybeOne, [&](const MaybeOne &x) { return x.inDim == j; });
              if (m != maybeOne.end())
                k = arith::SelectOp::create(bb, l, m->isOne,
                                            arith::ConstantIndexOp::create(bb, l, 0), k);
              idx.push_back(k);
            }
            linalg::YieldOp::create(bb, l, tensor::ExtractOp::create(bb, l, input, idx).getResult());
          });
      scf::YieldOp::create(b, loc, gather.getResult(0));
    }
    b.replaceOp(op, ifOp.getResult(0));
    return success();
  }
};

/// Tile: broadcast the input into [r0, d0, r1, d1, ...] (each dim repeated r times), then
/// collapse each (r, d) pair. The repeats come from the static result type.
struct TileLowering : OpConversionPattern<onnx::TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::TileOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto types = staticSameRank(op, op.getInput(), op.getResult());
    if (failed(types))
      return failure();
    auto [in, rt] = *types;
    int64_t rank = in.getRank();
    if (rank == 0) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<int64_t> pairs;
    SmallVector<AffineExpr> inExprs;
    SmallVector<ReassociationIndices> collapse;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = in.getDimSize(i), r = rt.getDimSize(i);
      if (d == 0 ? r != 0 : r % d != 0)
        return op.emitError() << "result dim " << r << " is not a multiple of input dim " << d;
      pairs.append({d == 0 ? 0 : r / d, d});
      inExprs.push_back(getAffineDimExpr(2 * i + 1, ctx));
      collapse.push_back({2 * i, 2 * i + 1});
    }
    Location loc = op.getLoc();
    auto pairType = RankedTensorType::get(pairs, rt.getElementType());
    SmallVector<AffineMap> maps{AffineMap::get(2 * rank, 0, inExprs, ctx),
                                rewriter.getMultiDimIdentityMap(2 * rank)};
    SmallVector<utils::IteratorType> iters(2 * rank, utils::IteratorType::parallel);
    auto copy = linalg::GenericOp::create(
        rewriter, loc, TypeRange{pairType}, ValueRange{adaptor.getInput()},
        ValueRange{emptyTensor(rewriter, loc, pairType)}, maps, iters,
        [](OpBuilder &b, Location l, ValueRange args) { linalg::YieldOp::create(b, l, args[0]); });
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, rt, copy.getResult(0), collapse);
    return success();
  }
};

/// Split: one extract_slice per result at the running offset; sizes from the result types.
struct SplitLowering : OpConversionPattern<onnx::SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::SplitOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(staticType(op, op.getInput())))
      return failure();
    for (Value r : op.getResults())
      if (failed(staticType(op, r)))
        return failure();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = in.getRank(), axis = normalizedAxis(op.getAxis(), rank);
    int64_t total = 0;
    for (Value r : op.getResults())
      total += cast<RankedTensorType>(r.getType()).getDimSize(axis);
    if (total != in.getDimSize(axis))
      return op.emitError() << "result sizes along axis " << axis << " sum to " << total
                            << ", not " << in.getDimSize(axis);
    SmallVector<Value> parts;
    int64_t offset = 0;
    for (Value r : op.getResults()) {
      auto type = cast<RankedTensorType>(r.getType());
      if (type.getNumElements() == 0) {
        // extract_slice refuses an offset into a dim of size 0; nothing is read anyway.
        parts.push_back(emptyTensor(rewriter, op.getLoc(), type));
        continue;
      }
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[axis] = offset;
      parts.push_back(tensor::ExtractSliceOp::create(rewriter, op.getLoc(), type,
                                                     adaptor.getInput(), ValueRange{},
                                                     ValueRange{}, ValueRange{}, offsets,
                                                     type.getShape(), strides));
      offset += type.getDimSize(axis);
    }
    rewriter.replaceOp(op, parts);
    return success();
  }
};

/// Reshape to `shape`, permute, reshape to the result: DepthToSpace and SpaceToDepth.
Value reshapeTransposeReshape(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> shape,
                              ArrayRef<int64_t> perm, RankedTensorType resultType) {
  Type et = resultType.getElementType();
  Value split = reshapeTensor(b, loc, input, RankedTensorType::get(shape, et));
  SmallVector<int64_t> permuted;
  for (int64_t p : perm)
    permuted.push_back(shape[p]);
  Value init = emptyTensor(b, loc, RankedTensorType::get(permuted, et));
  Value t = linalg::TransposeOp::create(b, loc, split, init, perm).getResult()[0];
  return reshapeTensor(b, loc, t, resultType);
}

struct DepthToSpaceLowering : OpConversionPattern<onnx::DepthToSpaceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::DepthToSpaceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    int64_t b = static_cast<int64_t>(op.getBlocksize());
    int64_t n = in.getDimSize(0), c = in.getDimSize(1) / (b * b), h = in.getDimSize(2),
            w = in.getDimSize(3);
    // DCR reads the channel as (b1, b2, c), CRD as (c, b1, b2); both end in
    // [n, c, h, b1, w, b2].
    bool dcr = op.getMode() == "DCR";
    SmallVector<int64_t> shape = dcr ? SmallVector<int64_t>{n, b, b, c, h, w}
                                     : SmallVector<int64_t>{n, c, b, b, h, w};
    SmallVector<int64_t> perm = dcr ? SmallVector<int64_t>{0, 3, 4, 1, 5, 2}
                                    : SmallVector<int64_t>{0, 1, 4, 2, 5, 3};
    rewriter.replaceOp(op, reshapeTransposeReshape(rewriter, op.getLoc(), adaptor.getInput(),
                                                   shape, perm,
                                                   cast<RankedTensorType>(op.getType())));
    return success();
  }
};

struct SpaceToDepthLowering : OpConversionPattern<onnx::SpaceToDepthOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::SpaceToDepthOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    int64_t b = static_cast<int64_t>(op.getBlocksize());
    int64_t n = in.getDimSize(0), c = in.getDimSize(1), h = in.getDimSize(2) / b,
            w = in.getDimSize(3) / b;
    // [n, c, h, b1, w, b2] -> [n, b1, b2, c, h, w]: channel index (b1 * b + b2) * c + c.
    rewriter.replaceOp(op, reshapeTransposeReshape(rewriter, op.getLoc(), adaptor.getInput(),
                                                   {n, c, h, b, w, b}, {0, 3, 5, 1, 2, 4},
                                                   cast<RankedTensorType>(op.getType())));
    return success();
  }
};

struct ConstantOfShapeLowering : OpConversionPattern<onnx::ConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ConstantOfShapeOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto rt = staticType(op, op.getResult());
    if (failed(rt))
      return failure();
    TypedAttr element = rewriter.getZeroAttr(rt->getElementType());
    if (auto value = op.getValueAttr()) {
      auto dense = dyn_cast<DenseElementsAttr>(value);
      if (!dense)
        return op.emitError() << "value must be an inline constant";
      element = cast<TypedAttr>(*dense.getValues<Attribute>().begin());
    }
    if (!element || element.getType() != rt->getElementType())
      return op.emitError() << "value type does not match the result element type";
    Location loc = op.getLoc();
    rewriter.replaceOp(op, filledTensor(rewriter, loc, *rt,
                                        arith::ConstantOp::create(rewriter, loc, element)));
    return success();
  }
};

/// The single element of a scalar (or one-element) tensor.
Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  auto t = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> zeros(t.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

/// Range's length max(ceil((limit - start) / delta), 0) computed at run time, as an index;
/// -1 when there is none (delta 0, a NaN or infinite quotient) or it is above 2^31 - 1 (the
/// limit of ONNX's own shape inference): the memory plan turns a negative size into an error
/// status of the run (ONNXC_ERROR_DATA_SIZE) before anything is allocated.
Value runtimeRangeLength(OpBuilder &b, Location loc, Value start, Value limit, Value delta) {
  Type et = start.getType();
  Type i64 = b.getI64Type();
  Value minus1 = arith::ConstantIntOp::create(b, loc, i64, -1);
  Value zero = arith::ConstantIntOp::create(b, loc, i64, 0);
  Value max = arith::ConstantIntOp::create(b, loc, i64, INT32_MAX);
  Value n;
  if (auto ft = dyn_cast<FloatType>(et)) {
    // In the element type, like ONNX's reference; then in f64 for the checks.
    Value q = math::CeilOp::create(
        b, loc, arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, limit, start), delta));
    Type f64 = b.getF64Type();
    if (ft.getWidth() < 64)
      q = arith::ExtFOp::create(b, loc, f64, q);
    // Ordered comparisons are false for NaN: a NaN quotient is refused with the infinities.
    Value lo = arith::ConstantFloatOp::create(b, loc, cast<FloatType>(f64), APFloat(-1e300));
    Value hi = arith::ConstantFloatOp::create(b, loc, cast<FloatType>(f64), APFloat(double(INT32_MAX)));
    Value finite = arith::AndIOp::create(
        b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, q, lo),
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, q, hi));
    Value fzero = arith::ConstantFloatOp::create(b, loc, cast<FloatType>(f64), APFloat(0.0));
    Value clamped = arith::MaximumFOp::create(b, loc, q, fzero);
    // fptosi of an out-of-range value is poison: convert only the clamped, checked one.
    Value safe = arith::SelectOp::create(b, loc, finite, clamped, fzero);
    n = arith::SelectOp::create(b, loc, finite, arith::FPToSIOp::create(b, loc, i64, safe), minus1);
  } else {
    // In i64, the distance as unsigned (it fits even when limit - start overflows).
    auto wide = [&](Value v) -> Value {
      return et.getIntOrFloatBitWidth() < 64 ? arith::ExtSIOp::create(b, loc, i64, v).getResult()
                                            : v;
    };
    Value s = wide(start), l = wide(limit), d = wide(delta);
    Value up = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, d, zero);
    Value from = arith::SelectOp::create(b, loc, up, s, l);
    Value to = arith::SelectOp::create(b, loc, up, l, s);
    Value step = arith::SelectOp::create(b, loc, up, d, arith::SubIOp::create(b, loc, zero, d));
    Value one = arith::ConstantIntOp::create(b, loc, i64, 1);
    Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, zero);
    // A step of 0 divides by 1 here and is refused below.
    Value divisor = arith::SelectOp::create(b, loc, isZero, one, step);
    Value dist = arith::SubIOp::create(b, loc, to, from);
    Value count = arith::AddIOp::create(
        b, loc, one,
        arith::DivUIOp::create(b, loc, arith::SubIOp::create(b, loc, dist, one), divisor));
    Value nonEmpty = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, to, from);
    count = arith::SelectOp::create(b, loc, nonEmpty, count, zero);
    Value tooLong = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, count, max);
    n = arith::SelectOp::create(b, loc, arith::OrIOp::create(b, loc, isZero, tooLong), minus1,
                                count);
  }
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), n);
}

/// Range: out[i] = start + i * delta, start and delta read at run time. The length comes from
/// the result type when it is static; otherwise it is computed at run time from the values
/// (a size that depends on data: its buffer is allocated per run, docs/dynamic-shapes.md).
struct RangeLowering : OpConversionPattern<onnx::RangeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::RangeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (!isa<FloatType>(et) && !(et.isSignlessInteger() && !et.isInteger(1)))
      return op.emitError() << "element type " << et << " is not supported for Range";
    for (Value v : op->getOperands())
      if (!cast<RankedTensorType>(v.getType()).hasStaticShape() ||
          cast<RankedTensorType>(v.getType()).getNumElements() != 1)
        return op.emitError() << "start, limit and delta must be scalars";
    Location loc = op.getLoc();
    Value start = extractScalar(rewriter, loc, adaptor.getStart());
    Value delta = extractScalar(rewriter, loc, adaptor.getDelta());
    Value init;
    if (rt.hasStaticShape()) {
      init = emptyTensor(rewriter, loc, rt);
    } else {
      // Constant operands with no valid length would fold into a negative static size:
      // refused here (shape inference gives a static length to every valid constant Range).
      auto isConstant = [](Value v) { return matchPattern(v, m_Constant()); };
      DenseElementsAttr d;
      if (matchPattern(op.getDelta(), m_Constant(&d)) &&
          (isa<FloatType>(et) ? (*d.getValues<APFloat>().begin()).isZero()
                              : (*d.getValues<APInt>().begin()).isZero()))
        return op.emitError() << "delta is 0: the range has no end";
      if (isConstant(op.getStart()) && isConstant(op.getLimit()) && isConstant(op.getDelta()))
        return op.emitError() << "the range's length is not finite or is above 2^31 - 1";
      Value limit = extractScalar(rewriter, loc, adaptor.getLimit());
      init = emptyTensorSized(rewriter, loc, rt,
                              ValueRange{runtimeRangeLength(rewriter, loc, start, limit, delta)});
    }
    SmallVector<utils::IteratorType> iters{utils::IteratorType::parallel};
    auto gen = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rt}, ValueRange{}, ValueRange{init},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(1)}, iters,
        [&](OpBuilder &b, Location l, ValueRange) {
          Value i = linalg::IndexOp::create(b, l, 0);
          Value v;
          if (isa<FloatType>(et)) {
            Value i64 = arith::IndexCastOp::create(b, l, b.getI64Type(), i);
            Value f = arith::SIToFPOp::create(b, l, et, i64);
            v = arith::AddFOp::create(b, l, start, arith::MulFOp::create(b, l, f, delta));
          } else {
            Value n = arith::IndexCastOp::create(b, l, et, i);
            v = arith::AddIOp::create(b, l, start, arith::MulIOp::create(b, l, n, delta));
          }
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, gen.getResult(0));
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLikeLowering<onnx::ReshapeOp>, ReshapeLikeLowering<onnx::FlattenOp>,
               ReshapeLikeLowering<onnx::SqueezeOp>, ReshapeLikeLowering<onnx::UnsqueezeOp>,
               ConcatLowering, TransposeLowering, ShapeLowering, SizeLowering, ExpandLowering,
               TileLowering, SplitLowering, DepthToSpaceLowering, SpaceToDepthLowering,
               ConstantOfShapeLowering, RangeLowering>(patterns.getContext());
  populateGatherPatterns(patterns);
  populateSliceAndPadPatterns(patterns);
  populateScatterPatterns(patterns);
  populateMaskPatterns(patterns);
}

} // namespace onnxc::lowering
