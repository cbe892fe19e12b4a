// Ops whose result size depends on tensor data: NonZero, Compress (run-time condition),
// Unique, NonMaxSuppression (docs/dynamic-shapes.md, "Sizes that depend on data").
//
// Each kernel is a sequential loop nest on tensors that writes into a buffer of a
// compile-time (or input-dims) upper bound and counts what it selected. The count becomes the
// result's run-time dim through `dataDependentDim`: an `arith.minui %count, %bound` marked
// `onnxc.data_bound`, which onnx-size-function reads as its bound (the workspace and the
// outputs' dims a caller allocates before the run), while the kernel itself uses the count.
// The result is an extract_slice of the bound-sized buffer: consumers that take run-time dims
// see an ordinary `?` dim.
#include "passes/lowering/LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;
using namespace onnxc;

namespace {

using Body = function_ref<void(ImplicitLocOpBuilder &, Value, ValueRange,
                               SmallVectorImpl<Value> &)>;

/// scf.for iv in [lb, ub) carrying `inits`; `body` appends the values to yield.
scf::ForOp forLoop(ImplicitLocOpBuilder &b, Value lb, Value ub, ValueRange inits, Body body) {
  Value one = arith::ConstantIndexOp::create(b, 1);
  return scf::ForOp::create(b, lb, ub, one, inits,
                            [&](OpBuilder &nb, Location loc, Value iv, ValueRange args) {
                              ImplicitLocOpBuilder ib(loc, nb);
                              SmallVector<Value> yields;
                              body(ib, iv, args, yields);
                              scf::YieldOp::create(ib, yields);
                            });
}

/// scf.if yielding `then()` or `other()` (both build and return the values to yield).
scf::IfOp ifElse(ImplicitLocOpBuilder &b, Value cond,
                 function_ref<SmallVector<Value>(ImplicitLocOpBuilder &)> then,
                 function_ref<SmallVector<Value>(ImplicitLocOpBuilder &)> other) {
  return scf::IfOp::create(
      b, cond,
      [&](OpBuilder &nb, Location loc) {
        ImplicitLocOpBuilder ib(loc, nb);
        scf::YieldOp::create(ib, then(ib));
      },
      [&](OpBuilder &nb, Location loc) {
        ImplicitLocOpBuilder ib(loc, nb);
        scf::YieldOp::create(ib, other(ib));
      });
}

Value cIndex(ImplicitLocOpBuilder &b, int64_t v) { return arith::ConstantIndexOp::create(b, v); }

} // namespace

namespace onnxc::lowering {

Value dataDependentDim(OpBuilder &b, Location loc, Value count, Value bound) {
  auto op = arith::MinUIOp::create(b, loc, count, bound);
  op->setAttr("onnxc.data_bound", UnitAttr::get(b.getContext()));
  return op;
}

} // namespace onnxc::lowering

namespace {

using onnxc::lowering::dataDependentDim;

/// Product of `v`'s dims [from, to) as an index: a constant for static dims, times the
/// run-time ones (tensor.dim).
Value dimProduct(ImplicitLocOpBuilder &b, Value v, int64_t from, int64_t to) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t fixed = 1;
  for (int64_t d = from; d < to; ++d)
    if (!t.isDynamicDim(d))
      fixed *= t.getDimSize(d);
  Value p = cIndex(b, fixed);
  for (int64_t d = from; d < to; ++d)
    if (t.isDynamicDim(d))
      p = arith::MulIOp::create(b, p, lowering::dimSize(b, b.getLoc(), v, d));
  return p;
}

/// A size as an OpFoldResult: an attribute when it is a constant, so that slices get static
/// result types.
OpFoldResult ofr(Value v) { return getAsOpFoldResult(v); }

/// `v` viewed as [outer, axisLen, inner] around `axis` (tensor.collapse_shape).
Value collapseAround(ImplicitLocOpBuilder &b, Value v, int64_t axis) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t rank = t.getRank();
  SmallVector<ReassociationIndices> groups(3);
  for (int64_t d = 0; d < rank; ++d)
    groups[d < axis ? 0 : d == axis ? 1 : 2].push_back(d);
  // Empty groups: a unit dim added in front / at the end first.
  if (groups[0].empty() || groups[2].empty()) {
    SmallVector<int64_t> shape;
    if (groups[0].empty())
      shape.push_back(1);
    llvm::append_range(shape, t.getShape());
    if (groups[2].empty())
      shape.push_back(1);
    SmallVector<ReassociationIndices> expand;
    int64_t at = 0;
    for (int64_t d = 0; d < rank; ++d) {
      ReassociationIndices g;
      if (d == 0 && groups[0].empty())
        g.push_back(at++);
      g.push_back(at++);
      if (d == rank - 1 && groups[2].empty())
        g.push_back(at++);
      expand.push_back(g);
    }
    SmallVector<OpFoldResult> outShape;
    for (int64_t s : shape)
      outShape.push_back(b.getIndexAttr(s));
    int64_t off = groups[0].empty() ? 1 : 0;
    for (int64_t d = 0; d < rank; ++d)
      if (t.isDynamicDim(d))
        outShape[d + off] = lowering::dimSize(b, b.getLoc(), v, d);
    v = tensor::ExpandShapeOp::create(b, RankedTensorType::get(shape, t.getElementType()), v,
                                      expand, outShape);
    return collapseAround(b, v, axis + off);
  }
  return tensor::CollapseShapeOp::create(b, v, groups);
}

/// `v` as a 1-D tensor (itself when it is one).
Value flatten(ImplicitLocOpBuilder &b, Value v) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  if (rank == 1)
    return v;
  SmallVector<ReassociationIndices> all(1);
  for (int64_t d = 0; d < rank; ++d)
    all[0].push_back(d);
  return tensor::CollapseShapeOp::create(b, v, all);
}

/// The input of an op that selects slices along an optional ONNX `axis` (Compress, Unique):
/// without an axis it is flattened and the axis is 0; then viewed as [outer, len, inner].
struct AxisView {
  Value x;      // The input, flattened when there is no axis.
  int64_t axis; // Normalized (non-negative).
  Value x3;     // x as [outer, len, inner] (collapseAround).
  Value outer, len, inner;
};
AxisView viewAroundAxis(ImplicitLocOpBuilder &b, Value x, std::optional<uint64_t> axisAttr) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank(), axis = 0;
  if (axisAttr) {
    axis = static_cast<int64_t>(*axisAttr); // I64Attr getters are unsigned.
    axis = axis < 0 ? axis + rank : axis;
  } else {
    x = flatten(b, x);
  }
  Value x3 = collapseAround(b, x, axis);
  return {x, axis, x3, lowering::dimSize(b, b.getLoc(), x3, 0),
          lowering::dimSize(b, b.getLoc(), x3, 1), lowering::dimSize(b, b.getLoc(), x3, 2)};
}

/// Whether a scalar is non-zero (NaN counts, as in numpy).
Value isNonZero(ImplicitLocOpBuilder &b, Value v) {
  Type t = v.getType();
  if (t.isInteger(1))
    return v;
  Value zero = lowering::scalarConstant(b, b.getLoc(), t, 0);
  if (isa<FloatType>(t))
    return arith::CmpFOp::create(b, arith::CmpFPredicate::UNE, v, zero);
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ne, v, zero);
}

/// NonZero: one pass in row-major order. Every element writes its coordinates at the current
/// count (always < numel), and only a non-zero one advances it: no branch in the loop.
struct NonZeroLowering : OpConversionPattern<onnx::NonZeroOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::NonZeroOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto xt = lowering::rankedType(op, adaptor.getX());
    if (failed(xt))
      return failure();
    int64_t rank = xt->getRank();
    if (rank == 0)
      return op.emitError() << "a scalar input is not supported";
    if (failed(lowering::requireSignless(op, xt->getElementType())))
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value x = adaptor.getX();
    Value numel = dimProduct(b, x, 0, rank);
    Type i64 = b.getI64Type();
    auto bufType = RankedTensorType::get(
        {rank, xt->hasStaticShape() ? xt->getNumElements() : ShapedType::kDynamic}, i64);
    Value buf = lowering::emptyTensorSized(b, b.getLoc(), bufType,
                                           xt->hasStaticShape() ? ValueRange{} : ValueRange{numel});
    SmallVector<Value> dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(lowering::dimSize(b, b.getLoc(), x, d));
    Value flat = flatten(b, x);
    Value zero = cIndex(b, 0), one = cIndex(b, 1);
    auto loop = forLoop(b, zero, numel, {buf, zero},
                        [&](ImplicitLocOpBuilder &ib, Value i, ValueRange args,
                            SmallVectorImpl<Value> &yields) {
                          Value out = args[0], count = args[1];
                          Value rest = i;
                          for (int64_t d = rank - 1; d >= 0; --d) {
                            Value c = d ? arith::RemUIOp::create(ib, rest, dims[d]).getResult()
                                        : rest;
                            if (d)
                              rest = arith::DivUIOp::create(ib, rest, dims[d]);
                            out = tensor::InsertOp::create(
                                ib, arith::IndexCastOp::create(ib, i64, c), out,
                                ValueRange{cIndex(ib, d), count});
                          }
                          Value v = tensor::ExtractOp::create(ib, flat, ValueRange{i});
                          Value step = arith::SelectOp::create(ib, isNonZero(ib, v), one,
                                                               cIndex(ib, 0));
                          yields.push_back(out);
                          yields.push_back(arith::AddIOp::create(ib, count, step));
                        });
    Value n = dataDependentDim(b, b.getLoc(), loop.getResult(1), numel);
    Value result = tensor::ExtractSliceOp::create(
        b, RankedTensorType::get({rank, ShapedType::kDynamic}, i64), loop.getResult(0),
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{b.getIndexAttr(rank), n},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// `sliced` ([outer, n, inner], from collapseAround(x, axis)) back to x's dims with `n` at
/// `axis`: the result type of `resultType`'s shape.
Value restoreAxis(ImplicitLocOpBuilder &b, Value sliced, Value x, int64_t axis, Value n,
                  RankedTensorType resultType) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> outShape;
  SmallVector<ReassociationIndices> groups(3);
  int64_t r = t.getRank();
  for (int64_t d = 0; d < r; ++d) {
    outShape.push_back(d == axis ? OpFoldResult(n)
                                 : ofr(lowering::dimSize(b, b.getLoc(), x, d)));
    groups[d < axis ? 0 : d == axis ? 1 : 2].push_back(d);
  }
  Value result;
  if (groups[0].empty() && groups[2].empty()) {
    // 1-D: [1, n, 1] -> [n].
    result = tensor::CollapseShapeOp::create(
        b, RankedTensorType::get({ShapedType::kDynamic}, t.getElementType()), sliced,
        SmallVector<ReassociationIndices>{{0, 1, 2}});
  } else {
    // Dims of the outer/inner groups, unit dims for an empty one.
    SmallVector<ReassociationIndices> expand(3);
    SmallVector<int64_t> shape;
    SmallVector<OpFoldResult> fullShape;
    int64_t at = 0;
    for (int g = 0; g < 3; ++g) {
      if (groups[g].empty()) {
        expand[g].push_back(at++);
        shape.push_back(1);
        fullShape.push_back(b.getIndexAttr(1));
        continue;
      }
      for (int64_t d : groups[g]) {
        expand[g].push_back(at++);
        shape.push_back(d == axis ? ShapedType::kDynamic : t.getDimSize(d));
        fullShape.push_back(outShape[d]);
      }
    }
    Value e = tensor::ExpandShapeOp::create(
        b, RankedTensorType::get(shape, t.getElementType()), sliced, expand, fullShape);
    // Drop the unit dims added for empty groups.
    if (groups[0].empty() || groups[2].empty()) {
      SmallVector<ReassociationIndices> drop;
      int64_t off = groups[0].empty() ? 1 : 0;
      for (int64_t d = 0; d < r; ++d) {
        ReassociationIndices g;
        if (d == 0 && off)
          g.push_back(0);
        g.push_back(d + off);
        if (d == r - 1 && groups[2].empty())
          g.push_back(d + off + 1);
        drop.push_back(g);
      }
      e = tensor::CollapseShapeOp::create(
          b, RankedTensorType::get(resultType.getShape(), t.getElementType()), e, drop);
    }
    result = e;
  }
  if (result.getType() != resultType)
    result = tensor::CastOp::create(b, resultType, result);
  return result;
}

/// Compress: the input as [outer, A, inner]; slice j is copied to the current count when
/// condition[j] holds (entries past min(A, len(condition)) select nothing).
struct CompressLowering : OpConversionPattern<onnx::CompressOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::CompressOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto xt = lowering::rankedType(op, adaptor.getInput());
    auto ct = lowering::rankedType(op, adaptor.getCondition());
    if (failed(xt) || failed(ct))
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    AxisView v = viewAroundAxis(b, adaptor.getInput(), op.getAxis());
    Value x = v.x, x3 = v.x3, outer = v.outer, axisLen = v.len, inner = v.inner;
    int64_t axis = v.axis;
    auto t = cast<RankedTensorType>(x.getType());
    auto t3 = cast<RankedTensorType>(x3.getType());
    Value len = arith::MinUIOp::create(
        b, axisLen, lowering::dimSize(b, b.getLoc(), adaptor.getCondition(), 0));
    Value buf = lowering::emptyTensor(b, b.getLoc(), t3, ValueRange{x3});
    Value zero = cIndex(b, 0), one = cIndex(b, 1);
    auto sliceType = RankedTensorType::get({t3.getDimSize(0), 1, t3.getDimSize(2)},
                                           t.getElementType());
    auto loop = forLoop(
        b, zero, len, {buf, zero},
        [&](ImplicitLocOpBuilder &ib, Value j, ValueRange args, SmallVectorImpl<Value> &yields) {
          SmallVector<OpFoldResult> sizes{ofr(outer), ib.getIndexAttr(1), ofr(inner)};
          SmallVector<OpFoldResult> strides(3, ib.getIndexAttr(1));
          auto toOfr = [&](Value v) -> OpFoldResult { return v; };
          Value slice = tensor::ExtractSliceOp::create(
              ib, sliceType, x3,
              SmallVector<OpFoldResult>{ib.getIndexAttr(0), toOfr(j), ib.getIndexAttr(0)},
              sizes, strides);
          Value out = tensor::InsertSliceOp::create(
              ib, slice, args[0],
              SmallVector<OpFoldResult>{ib.getIndexAttr(0), toOfr(args[1]), ib.getIndexAttr(0)},
              sizes, strides);
          Value c = tensor::ExtractOp::create(ib, adaptor.getCondition(), ValueRange{j});
          yields.push_back(out);
          yields.push_back(arith::AddIOp::create(
              ib, args[1], arith::SelectOp::create(ib, c, one, cIndex(ib, 0))));
        });
    Value n = dataDependentDim(b, b.getLoc(), loop.getResult(1), axisLen);
    auto slicedType = RankedTensorType::get({t3.getDimSize(0), ShapedType::kDynamic,
                                             t3.getDimSize(2)},
                                            t.getElementType());
    SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
    Value sliced = tensor::ExtractSliceOp::create(
        b, slicedType, loop.getResult(0),
        SmallVector<OpFoldResult>(3, b.getIndexAttr(0)),
        SmallVector<OpFoldResult>{ofr(outer), n, ofr(inner)}, strides);
    Value result = restoreAxis(b, sliced, x, axis, n, cast<RankedTensorType>(op.getType()));
    rewriter.replaceOp(op, result);
    return success();
  }
};


/// Scalar comparisons for Unique and NonMaxSuppression.
Value lessThan(ImplicitLocOpBuilder &b, Value a, Value c) {
  if (isa<FloatType>(a.getType()))
    return arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, a, c);
  return arith::CmpIOp::create(b, arith::CmpIPredicate::slt, a, c);
}
Value equalTo(ImplicitLocOpBuilder &b, Value a, Value c) {
  if (isa<FloatType>(a.getType()))
    return arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, a, c);
  return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, a, c);
}

Value toI64(ImplicitLocOpBuilder &b, Value index) {
  return arith::IndexCastOp::create(b, b.getI64Type(), index);
}
Value toIndex(ImplicitLocOpBuilder &b, Value i64) {
  return arith::IndexCastOp::create(b, b.getIndexType(), i64);
}

/// Unique over slices along an axis of x viewed as [outer, A, inner] (no axis: [1, numel, 1]).
/// 1. In order, each slice finds the first equal slice before it: a new one gets the next
///    id (first occurrence, count 1), a repeat its first's id (count + 1).
/// 2. Sorted: each distinct slice's rank is the number of distinct slices lexicographically
///    smaller (numpy's order for slices: their elements in row-major order); else its id.
/// 3. Outputs are scattered by rank. O(A^2 x slice): meant for the small tensors Unique sees
///    in models (vocabularies, label sets), like the other sequential kernels.
struct UniqueLowering : OpConversionPattern<onnx::UniqueOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::UniqueOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto xt = lowering::rankedType(op, adaptor.getX());
    if (failed(xt))
      return failure();
    if (failed(lowering::requireSignless(op, xt->getElementType())) ||
        xt->getElementType().isInteger(1))
      return op.emitError() << "element type " << xt->getElementType()
                            << " is not supported (numbers only)";
    if (xt->getRank() == 0)
      return op.emitError() << "a scalar input is not supported";
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    AxisView v = viewAroundAxis(b, adaptor.getX(), op.getAxis());
    Value x = v.x, x3 = v.x3, outer = v.outer, len = v.len, inner = v.inner;
    int64_t axis = v.axis;
    auto t3 = cast<RankedTensorType>(x3.getType());
    Value sliceElems = arith::MulIOp::create(b, outer, inner);
    Value zero = cIndex(b, 0), one = cIndex(b, 1);
    Type i64 = b.getI64Type();
    auto vecType = RankedTensorType::get({t3.getDimSize(1)}, i64);
    auto vec = [&]() {
      return lowering::emptyTensorSized(b, b.getLoc(), vecType,
                                        vecType.hasStaticShape() ? ValueRange{} : ValueRange{len});
    };
    auto elem = [&](ImplicitLocOpBuilder &ib, Value slice, Value e) -> Value {
      Value o = arith::DivUIOp::create(ib, e, inner), in = arith::RemUIOp::create(ib, e, inner);
      return tensor::ExtractOp::create(ib, x3, ValueRange{o, slice, in});
    };
    // -1, 0, 1: slice p against slice q, lexicographically.
    auto compare = [&](ImplicitLocOpBuilder &ib, Value p, Value q) -> Value {
      Value c0 = arith::ConstantIntOp::create(ib, i64, 0);
      auto loop = forLoop(ib, zero, sliceElems, {c0},
                          [&](ImplicitLocOpBuilder &lb, Value e, ValueRange args,
                              SmallVectorImpl<Value> &yields) {
                            Value a = elem(lb, p, e), c = elem(lb, q, e);
                            Value here = arith::SelectOp::create(
                                lb, lessThan(lb, a, c), arith::ConstantIntOp::create(lb, i64, -1),
                                arith::SelectOp::create(lb, lessThan(lb, c, a),
                                                        arith::ConstantIntOp::create(lb, i64, 1),
                                                        c0));
                            Value decided = arith::CmpIOp::create(lb, arith::CmpIPredicate::ne,
                                                                  args[0], c0);
                            yields.push_back(arith::SelectOp::create(lb, decided, args[0], here));
                          });
      return loop.getResult(0);
    };
    auto equalSlices = [&](ImplicitLocOpBuilder &ib, Value p, Value q) -> Value {
      Value t = arith::ConstantIntOp::create(ib, 1, 1);
      auto loop = forLoop(ib, zero, sliceElems, {t},
                          [&](ImplicitLocOpBuilder &lb, Value e, ValueRange args,
                              SmallVectorImpl<Value> &yields) {
                            yields.push_back(arith::AndIOp::create(
                                lb, args[0], equalTo(lb, elem(lb, p, e), elem(lb, q, e))));
                          });
      return loop.getResult(0);
    };

    // 1. ids (uid[i]), first occurrences and counts by id.
    auto pass1 = forLoop(
        b, zero, len, {vec(), vec(), vec(), zero},
        [&](ImplicitLocOpBuilder &ib, Value i, ValueRange args, SmallVectorImpl<Value> &yields) {
          Value uid = args[0], first = args[1], counts = args[2], count = args[3];
          auto find = forLoop(ib, zero, i, {i},
                              [&](ImplicitLocOpBuilder &lb, Value j, ValueRange a,
                                  SmallVectorImpl<Value> &y) {
                                Value unset = arith::CmpIOp::create(lb, arith::CmpIPredicate::eq,
                                                                    a[0], i);
                                Value hit = arith::AndIOp::create(lb, unset,
                                                                  equalSlices(lb, j, i));
                                y.push_back(arith::SelectOp::create(lb, hit, j, a[0]));
                              });
          Value m = find.getResult(0);
          Value isNew = arith::CmpIOp::create(ib, arith::CmpIPredicate::eq, m, i);
          Value k = arith::SelectOp::create(
              ib, isNew, count, toIndex(ib, tensor::ExtractOp::create(ib, uid, ValueRange{m})));
          uid = tensor::InsertOp::create(ib, toI64(ib, k), uid, ValueRange{i});
          Value firstK = arith::SelectOp::create(
              ib, isNew, toI64(ib, i), tensor::ExtractOp::create(ib, first, ValueRange{k}));
          first = tensor::InsertOp::create(ib, firstK, first, ValueRange{k});
          Value before = arith::SelectOp::create(
              ib, isNew, arith::ConstantIntOp::create(ib, i64, 0),
              tensor::ExtractOp::create(ib, counts, ValueRange{k}));
          counts = tensor::InsertOp::create(
              ib, arith::AddIOp::create(ib, before, arith::ConstantIntOp::create(ib, i64, 1)),
              counts, ValueRange{k});
          yields.append({uid, first, counts,
                         arith::AddIOp::create(ib, count,
                                               arith::SelectOp::create(ib, isNew, one, zero))});
        });
    Value uid = pass1.getResult(0), first = pass1.getResult(1), counts = pass1.getResult(2);
    Value count = pass1.getResult(3);
    // 2. rank of each id.
    bool sorted = op.getSorted() != 0;
    auto pass2 = forLoop(
        b, zero, count, {vec()},
        [&](ImplicitLocOpBuilder &ib, Value k, ValueRange args, SmallVectorImpl<Value> &yields) {
          Value r = toI64(ib, k);
          if (sorted) {
            Value fk = toIndex(ib, tensor::ExtractOp::create(ib, first, ValueRange{k}));
            auto below = forLoop(
                ib, zero, count, {arith::ConstantIntOp::create(ib, i64, 0)},
                [&](ImplicitLocOpBuilder &lb, Value t, ValueRange a, SmallVectorImpl<Value> &y) {
                  Value ft = toIndex(lb, tensor::ExtractOp::create(lb, first, ValueRange{t}));
                  Value less = arith::CmpIOp::create(
                      lb, arith::CmpIPredicate::slt, compare(lb, ft, fk),
                      arith::ConstantIntOp::create(lb, i64, 0));
                  y.push_back(arith::AddIOp::create(
                      lb, a[0], arith::ExtUIOp::create(lb, i64, less)));
                });
            r = below.getResult(0);
          }
          yields.push_back(tensor::InsertOp::create(ib, r, args[0], ValueRange{k}));
        });
    Value ranks = pass2.getResult(0);
    // 3. outputs by rank.
    Value ybuf = lowering::emptyTensor(b, b.getLoc(), t3, ValueRange{x3});
    auto sliceType = RankedTensorType::get({t3.getDimSize(0), 1, t3.getDimSize(2)},
                                           t3.getElementType());
    SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
    auto pass3 = forLoop(
        b, zero, count, {ybuf, vec(), vec()},
        [&](ImplicitLocOpBuilder &ib, Value k, ValueRange args, SmallVectorImpl<Value> &yields) {
          Value r = toIndex(ib, tensor::ExtractOp::create(ib, ranks, ValueRange{k}));
          Value fk64 = tensor::ExtractOp::create(ib, first, ValueRange{k});
          Value fk = toIndex(ib, fk64);
          SmallVector<OpFoldResult> sizes{ofr(outer), ib.getIndexAttr(1), ofr(inner)};
          Value slice = tensor::ExtractSliceOp::create(
              ib, sliceType, x3,
              SmallVector<OpFoldResult>{ib.getIndexAttr(0), fk, ib.getIndexAttr(0)}, sizes,
              strides);
          yields.push_back(tensor::InsertSliceOp::create(
              ib, slice, args[0],
              SmallVector<OpFoldResult>{ib.getIndexAttr(0), r, ib.getIndexAttr(0)}, sizes,
              strides));
          yields.push_back(tensor::InsertOp::create(ib, fk64, args[1], ValueRange{r}));
          yields.push_back(tensor::InsertOp::create(
              ib, tensor::ExtractOp::create(ib, counts, ValueRange{k}), args[2], ValueRange{r}));
        });
    auto inverse = forLoop(
        b, zero, len, {vec()},
        [&](ImplicitLocOpBuilder &ib, Value i, ValueRange args, SmallVectorImpl<Value> &yields) {
          Value k = toIndex(ib, tensor::ExtractOp::create(ib, uid, ValueRange{i}));
          yields.push_back(tensor::InsertOp::create(
              ib, tensor::ExtractOp::create(ib, ranks, ValueRange{k}), args[0], ValueRange{i}));
        });
    Value n = dataDependentDim(b, b.getLoc(), count, len);
    auto slicedType = RankedTensorType::get(
        {t3.getDimSize(0), ShapedType::kDynamic, t3.getDimSize(2)}, t3.getElementType());
    Value ySliced = tensor::ExtractSliceOp::create(
        b, slicedType, pass3.getResult(0), SmallVector<OpFoldResult>(3, b.getIndexAttr(0)),
        SmallVector<OpFoldResult>{ofr(outer), n, ofr(inner)}, strides);
    Value y = restoreAxis(b, ySliced, x, axis, n, cast<RankedTensorType>(op.getY().getType()));
    auto firstN = [&](Value v) -> Value {
      return tensor::ExtractSliceOp::create(
          b, RankedTensorType::get({ShapedType::kDynamic}, i64), v,
          SmallVector<OpFoldResult>{b.getIndexAttr(0)}, SmallVector<OpFoldResult>{n},
          SmallVector<OpFoldResult>{b.getIndexAttr(1)});
    };
    Value inv = inverse.getResult(0);
    if (inv.getType() != op.getInverseIndices().getType())
      inv = tensor::CastOp::create(b, op.getInverseIndices().getType(), inv);
    rewriter.replaceOp(op, {y, firstN(pass3.getResult(1)), inv, firstN(pass3.getResult(2))});
    return success();
  }
};

/// NonMaxSuppression, per batch and class: candidates are visited by decreasing score (ties:
/// lower box index first) without sorting: each step takes the best box ordered after the
/// previous one, so only scalars are carried. A candidate above the score threshold is kept
/// if it overlaps no box kept for this batch and class by more than the IOU threshold, until
/// max_output_boxes_per_class are kept. Rows go to a buffer of the bound
/// batches x classes x min(boxes, max_output_boxes_per_class when constant).
struct NonMaxSuppressionLowering : OpConversionPattern<onnx::NonMaxSuppressionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::NonMaxSuppressionOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto bt = lowering::rankedType(op, adaptor.getBoxes());
    auto st = lowering::rankedType(op, adaptor.getScores());
    if (failed(bt) || failed(st))
      return failure();
    Type ft = bt->getElementType();
    if (!isa<FloatType>(ft) || st->getElementType() != ft)
      return op.emitError() << "boxes and scores must be float tensors of one type";
    for (Value v : {adaptor.getIouThreshold(), adaptor.getScoreThreshold()})
      if (cast<ShapedType>(v.getType()).getElementType() != ft)
        return op.emitError() << "the thresholds must have the boxes' element type";
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();
    Value batches = lowering::dimSize(b, b.getLoc(), scores, 0),
          classes = lowering::dimSize(b, b.getLoc(), scores, 1),
          spatial = lowering::dimSize(b, b.getLoc(), scores, 2);
    Type i64 = b.getI64Type();
    auto scalarOf = [&](Value t) -> Value {
      auto tt = cast<RankedTensorType>(t.getType());
      SmallVector<Value> idx(tt.getRank(), cIndex(b, 0));
      return tensor::ExtractOp::create(b, t, idx);
    };
    Value maxOut = scalarOf(adaptor.getMaxOutputBoxesPerClass());
    Value iouThr = scalarOf(adaptor.getIouThreshold());
    Value scoreThr = scalarOf(adaptor.getScoreThreshold());
    // max_output_boxes_per_class as an index in [0, boxes].
    Value maxOutIdx = arith::SelectOp::create(
        b, arith::CmpIOp::create(b, arith::CmpIPredicate::slt, maxOut,
                                 arith::ConstantIntOp::create(b, i64, 0)),
        cIndex(b, 0), arith::MinUIOp::create(b, toIndex(b, maxOut), spatial));
    Value perClass = spatial;
    DenseElementsAttr constMax;
    int64_t staticPerClass = st->getDimSize(2);
    if (matchPattern(op.getMaxOutputBoxesPerClass(), m_Constant(&constMax))) {
      int64_t v = std::max<int64_t>(0, (*constMax.getValues<APInt>().begin()).getSExtValue());
      perClass = arith::MinUIOp::create(b, spatial, cIndex(b, v));
      if (ShapedType::isStatic(staticPerClass))
        staticPerClass = std::min(staticPerClass, v);
    }
    Value bound = arith::MulIOp::create(b, arith::MulIOp::create(b, batches, classes), perClass);
    int64_t staticBound = ShapedType::kDynamic;
    if (ShapedType::isStatic(st->getDimSize(0)) && ShapedType::isStatic(st->getDimSize(1)) &&
        ShapedType::isStatic(staticPerClass))
      staticBound = st->getDimSize(0) * st->getDimSize(1) * staticPerClass;
    if (staticBound == 0)
      return op.emitError() << "selects no box whatever the data (no boxes, classes or "
                               "max_output_boxes_per_class 0): not supported";
    auto bufType = RankedTensorType::get(
        {ShapedType::isStatic(staticBound) ? staticBound : ShapedType::kDynamic, 3}, i64);
    Value buf = lowering::emptyTensorSized(
        b, b.getLoc(), bufType,
        ShapedType::isStatic(staticBound) ? ValueRange{} : ValueRange{bound});
    bool center = op.getCenterPointBox() != 0;
    Value zero = cIndex(b, 0), one = cIndex(b, 1);
    Value fzero = lowering::scalarConstant(b, b.getLoc(), ft, 0);
    Value half = lowering::scalarConstant(b, b.getLoc(), ft, 0.5);
    // (ymin, xmin, ymax, xmax) of box j in batch bi.
    auto corners = [&](ImplicitLocOpBuilder &ib, Value bi, Value j) {
      SmallVector<Value> c;
      for (int64_t k = 0; k < 4; ++k)
        c.push_back(tensor::ExtractOp::create(ib, boxes, ValueRange{bi, j, cIndex(ib, k)}));
      if (center) { // [x_center, y_center, width, height]
        Value hw = arith::MulFOp::create(ib, c[2], half), hh = arith::MulFOp::create(ib, c[3], half);
        return SmallVector<Value>{arith::SubFOp::create(ib, c[1], hh),
                                  arith::SubFOp::create(ib, c[0], hw),
                                  arith::AddFOp::create(ib, c[1], hh),
                                  arith::AddFOp::create(ib, c[0], hw)};
      }
      // [y1, x1, y2, x2], any diagonal.
      return SmallVector<Value>{arith::MinimumFOp::create(ib, c[0], c[2]),
                                arith::MinimumFOp::create(ib, c[1], c[3]),
                                arith::MaximumFOp::create(ib, c[0], c[2]),
                                arith::MaximumFOp::create(ib, c[1], c[3])};
    };
    auto overlapsTooMuch = [&](ImplicitLocOpBuilder &ib, ArrayRef<Value> p,
                               ArrayRef<Value> q) -> Value {
      Value ih = arith::MaximumFOp::create(
          ib, fzero,
          arith::SubFOp::create(ib, arith::MinimumFOp::create(ib, p[2], q[2]),
                                arith::MaximumFOp::create(ib, p[0], q[0])));
      Value iw = arith::MaximumFOp::create(
          ib, fzero,
          arith::SubFOp::create(ib, arith::MinimumFOp::create(ib, p[3], q[3]),
                                arith::MaximumFOp::create(ib, p[1], q[1])));
      Value inter = arith::MulFOp::create(ib, ih, iw);
      auto area = [&](ArrayRef<Value> r) -> Value {
        return arith::MulFOp::create(ib, arith::SubFOp::create(ib, r[2], r[0]),
                                     arith::SubFOp::create(ib, r[3], r[1]));
      };
      Value uni = arith::SubFOp::create(
          ib, arith::AddFOp::create(ib, area(p), area(q)), inter);
      Value positive = arith::CmpFOp::create(ib, arith::CmpFPredicate::OGT, uni, fzero);
      Value iou = arith::SelectOp::create(ib, positive, arith::DivFOp::create(ib, inter, uni),
                                          fzero);
      return arith::CmpFOp::create(ib, arith::CmpFPredicate::OGT, iou, iouThr);
    };
    Value inf = lowering::scalarConstant(b, b.getLoc(), ft, std::numeric_limits<double>::infinity());
    Value minusOne = cIndex(b, -1);
    auto byBatch = forLoop(b, zero, batches, {buf, zero}, [&](ImplicitLocOpBuilder &b1, Value bi,
                                                               ValueRange a1,
                                                               SmallVectorImpl<Value> &y1) {
      auto byClass = forLoop(b1, zero, classes, {a1[0], a1[1]}, [&](ImplicitLocOpBuilder &b2,
                                                                    Value ci, ValueRange a2,
                                                                    SmallVectorImpl<Value> &y2) {
        Value start = a2[1];
        // steps: (out, count, kept for this class, previous score, previous index)
        auto steps = forLoop(
            b2, zero, spatial, {a2[0], a2[1], zero, inf, minusOne},
            [&](ImplicitLocOpBuilder &b3, Value, ValueRange a3, SmallVectorImpl<Value> &y3) {
              Value ps = a3[3], pi = a3[4];
              // The best candidate after (ps, pi) in the visiting order.
              Value nothing = arith::ConstantIntOp::create(b3, 0, 1);
              auto best = forLoop(
                  b3, zero, spatial, {fzero, minusOne},
                  [&](ImplicitLocOpBuilder &b4, Value j, ValueRange a4,
                      SmallVectorImpl<Value> &y4) {
                    Value s = tensor::ExtractOp::create(b4, scores, ValueRange{bi, ci, j});
                    Value after = arith::OrIOp::create(
                        b4, arith::CmpFOp::create(b4, arith::CmpFPredicate::OLT, s, ps),
                        arith::AndIOp::create(
                            b4, arith::CmpFOp::create(b4, arith::CmpFPredicate::OEQ, s, ps),
                            arith::CmpIOp::create(b4, arith::CmpIPredicate::sgt, j, pi)));
                    Value eligible = arith::AndIOp::create(
                        b4, after, arith::CmpFOp::create(b4, arith::CmpFPredicate::OGT, s, scoreThr));
                    Value none = arith::CmpIOp::create(b4, arith::CmpIPredicate::eq, a4[1], minusOne);
                    Value better = arith::OrIOp::create(
                        b4, none, arith::CmpFOp::create(b4, arith::CmpFPredicate::OGT, s, a4[0]));
                    Value take = arith::AndIOp::create(b4, eligible, better);
                    y4.push_back(arith::SelectOp::create(b4, take, s, a4[0]));
                    y4.push_back(arith::SelectOp::create(b4, take, j, a4[1]));
                  });
              Value bs = best.getResult(0), bj = best.getResult(1);
              Value found = arith::CmpIOp::create(b3, arith::CmpIPredicate::ne, bj, minusOne);
              Value room = arith::CmpIOp::create(b3, arith::CmpIPredicate::ult, a3[2], maxOutIdx);
              Value consider = arith::AndIOp::create(b3, found, room);
              auto kept = ifElse(
                  b3, consider,
                  [&](ImplicitLocOpBuilder &b4) -> SmallVector<Value> {
                    SmallVector<Value> cb = corners(b4, bi, bj);
                    auto clash = forLoop(
                        b4, start, a3[1], {nothing},
                        [&](ImplicitLocOpBuilder &b5, Value r, ValueRange a5,
                            SmallVectorImpl<Value> &y5) {
                          Value other = toIndex(
                              b5, tensor::ExtractOp::create(b5, a3[0], ValueRange{r, cIndex(b5, 2)}));
                          Value o = overlapsTooMuch(b5, cb, corners(b5, bi, other));
                          y5.push_back(arith::OrIOp::create(b5, a5[0], o));
                        });
                    Value keep = arith::XOrIOp::create(b4, clash.getResult(0),
                                                       arith::ConstantIntOp::create(b4, 1, 1));
                    auto wrote = ifElse(
                        b4, keep,
                        [&](ImplicitLocOpBuilder &b5) -> SmallVector<Value> {
                          Value out = a3[0];
                          Value vals[3] = {toI64(b5, bi), toI64(b5, ci), toI64(b5, bj)};
                          for (int64_t k = 0; k < 3; ++k)
                            out = tensor::InsertOp::create(b5, vals[k], out,
                                                           ValueRange{a3[1], cIndex(b5, k)});
                          return {out, arith::AddIOp::create(b5, a3[1], one),
                                  arith::AddIOp::create(b5, a3[2], one)};
                        },
                        [&](ImplicitLocOpBuilder &) -> SmallVector<Value> {
                          return {a3[0], a3[1], a3[2]};
                        });
                    return SmallVector<Value>(wrote.getResults());
                  },
                  [&](ImplicitLocOpBuilder &) -> SmallVector<Value> {
                    return {a3[0], a3[1], a3[2]};
                  });
              y3.append({kept.getResult(0), kept.getResult(1), kept.getResult(2),
                         arith::SelectOp::create(b3, found, bs, ps),
                         arith::SelectOp::create(b3, found, bj, pi)});
            });
        y2.append({steps.getResult(0), steps.getResult(1)});
      });
      y1.append({byClass.getResult(0), byClass.getResult(1)});
    });
    Value n = dataDependentDim(b, b.getLoc(), byBatch.getResult(1), bound);
    Value result = tensor::ExtractSliceOp::create(
        b, RankedTensorType::get({ShapedType::kDynamic, 3}, i64), byBatch.getResult(0),
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{n, b.getIndexAttr(3)},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

namespace onnxc::lowering {
void populateDataDependentPatterns(RewritePatternSet &patterns) {
  patterns.add<NonZeroLowering, CompressLowering, UniqueLowering, NonMaxSuppressionLowering>(patterns.getContext());
}
} // namespace onnxc::lowering
