// Reduce*: one linalg.generic that folds the input into a keepdims-shaped accumulator, an
// elementwise finish where the op needs one (mean, sqrt, log), and a collapse_shape that drops
// the reduced dims for keepdims=0. ReduceLogSumExp subtracts the maximum first, as Softmax
// does. ArgMax / ArgMin: one linalg.generic with a value and an index accumulator. CumSum and
// TopK walk the axis in an extra reduction dim (a scan and a rank sort without loop-carried
// state). NegativeLogLikelihoodLoss lives in Loss.cpp.
#include "passes/lowering/LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace onnxc::lowering {

// The rest of the family (Loss.cpp).
void populateLossPatterns(RewritePatternSet &patterns);

namespace {

enum class Kind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

bool isSignedInt(Type t) { return t.isSignlessInteger() && !t.isInteger(1); }

/// Float and signed integer element types; unsigned and bool are refused.
LogicalResult requireNumeric(Operation *op, Type et) {
  if (isa<FloatType>(et) || isSignedInt(et))
    return success();
  return op->emitError() << "element type " << et
                         << " is not supported for this op (float and signed integer only)";
}

/// The map from the input's iteration space to the keepdims-shaped accumulator (reduced
/// dims pinned at 0).
AffineMap reducedMap(OpBuilder &b, int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    exprs.push_back(llvm::is_contained(axes, i) ? b.getAffineConstantExpr(0)
                                                : b.getAffineDimExpr(i));
  return AffineMap::get(rank, 0, exprs, b.getContext());
}

SmallVector<utils::IteratorType> reductionIterators(int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < rank; ++i)
    iters.push_back(llvm::is_contained(axes, i) ? utils::IteratorType::reduction
                                                : utils::IteratorType::parallel);
  return iters;
}

using FoldBody = std::function<Value(OpBuilder &, Location, Value acc, Value x, Value aux)>;

/// Folds `x` over `axes` into a keepdims-shaped tensor of `init`'s type starting from `init`;
/// `aux` (keepdims-shaped, or null) is read at the accumulator's position.
Value fold(OpBuilder &b, Location loc, Value x, Value aux, ArrayRef<int64_t> axes, Value init,
           const FoldBody &body) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  auto accType = onnx::reducedType(xt, axes, /*keepDims=*/true, init.getType());
  AffineMap id = b.getMultiDimIdentityMap(rank), red = reducedMap(b, rank, axes);
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{id};
  if (aux) {
    inputs.push_back(aux);
    maps.push_back(red);
  }
  maps.push_back(red);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{accType}, inputs, ValueRange{filledTensor(b, loc, accType, init, x)},
      maps,
      reductionIterators(rank, axes), [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.back(), args[0], aux ? args[1] : Value());
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

/// Drops the reduced (size-1) dims of a keepdims-shaped value: each group of the
/// reassociation is one kept dim with the reduced dims around it.
Value dropReducedDims(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> axes) {
  auto t = cast<RankedTensorType>(v.getType());
  if (axes.empty())
    return v;
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending; // Reduced dims before the first kept dim.
  for (int64_t i = 0; i < t.getRank(); ++i) {
    if (llvm::is_contained(axes, i)) {
      (groups.empty() ? pending : groups.back()).push_back(i);
      continue;
    }
    groups.emplace_back(pending);
    groups.back().push_back(i);
    pending.clear();
  }
  auto type = onnx::reducedType(t, axes, /*keepDims=*/false, t.getElementType());
  return tensor::CollapseShapeOp::create(b, loc, type, v, groups);
}

/// Scalar conversions between the element type and the type the op computes in.
Value convert(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  bool fromF = isa<FloatType>(from), toF = isa<FloatType>(to);
  if (fromF && toF)
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? arith::ExtFOp::create(b, loc, to, x).getResult()
               : arith::TruncFOp::create(b, loc, to, x).getResult();
  if (!fromF && toF)
    return arith::SIToFPOp::create(b, loc, to, x);
  return arith::FPToSIOp::create(b, loc, to, x); // Truncates, as numpy's astype does.
}

/// The value each element contributes, in the compute type.
Value elementTerm(Kind kind, OpBuilder &b, Location loc, Value x, Type ct) {
  x = convert(b, loc, x, ct);
  bool f = isa<FloatType>(ct);
  if (kind == Kind::L1)
    return f ? math::AbsFOp::create(b, loc, x).getResult()
             : math::AbsIOp::create(b, loc, x).getResult();
  if (kind == Kind::L2 || kind == Kind::SumSquare)
    return f ? arith::MulFOp::create(b, loc, x, x).getResult()
             : arith::MulIOp::create(b, loc, x, x).getResult();
  return x;
}

/// The accumulator's start value and how a term joins it.
Value identity(Kind kind, OpBuilder &b, Location loc, Type ct) {
  switch (kind) {
  case Kind::Max: return extremeConstant(b, loc, ct, /*lowest=*/true);
  case Kind::Min: return extremeConstant(b, loc, ct, /*lowest=*/false);
  case Kind::Prod: return scalarConstant(b, loc, ct, 1);
  default: return scalarConstant(b, loc, ct, 0);
  }
}
Value combine(Kind kind, OpBuilder &b, Location loc, Value acc, Value term) {
  bool f = isa<FloatType>(acc.getType());
  switch (kind) {
  case Kind::Max:
    return f ? arith::MaximumFOp::create(b, loc, acc, term).getResult()
             : arith::MaxSIOp::create(b, loc, acc, term).getResult();
  case Kind::Min:
    return f ? arith::MinimumFOp::create(b, loc, acc, term).getResult()
             : arith::MinSIOp::create(b, loc, acc, term).getResult();
  case Kind::Prod:
    return f ? arith::MulFOp::create(b, loc, acc, term).getResult()
             : arith::MulIOp::create(b, loc, acc, term).getResult();
  default:
    return f ? arith::AddFOp::create(b, loc, acc, term).getResult()
             : arith::AddIOp::create(b, loc, acc, term).getResult();
  }
}

/// The result element from the accumulated value (`count` elements were folded into it).
Value finishValue(Kind kind, OpBuilder &b, Location loc, Value acc, int64_t count, Type et) {
  Type ct = acc.getType();
  bool f = isa<FloatType>(ct);
  // numpy's integer mean truncates the quotient toward zero, like divsi; an empty integer
  // mean is left at 0 rather than divided by zero.
  if (kind == Kind::Mean && (f || count != 0)) {
    Value n = scalarConstant(b, loc, ct, static_cast<double>(count));
    acc = f ? arith::DivFOp::create(b, loc, acc, n).getResult()
            : arith::DivSIOp::create(b, loc, acc, n).getResult();
  }
  if (kind == Kind::L2 || kind == Kind::LogSum) {
    // Integer sums take the root / log in f64 and convert back, as numpy does.
    acc = convert(b, loc, acc, f ? ct : b.getF64Type());
    acc = kind == Kind::L2 ? math::SqrtOp::create(b, loc, acc).getResult()
                           : math::LogOp::create(b, loc, acc).getResult();
  }
  return convert(b, loc, acc, et);
}

template <typename OpT> struct ReduceLowering : OpConversionPattern<OpT> {
  ReduceLowering(MLIRContext *ctx, Kind kind) : OpConversionPattern<OpT>(ctx), kind(kind) {}
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;

  LogicalResult matchAndRewrite(OpT op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    Value x = adaptor.getData();
    auto xt = cast<RankedTensorType>(x.getType());
    Type et = xt.getElementType();
    if (failed(requireNumeric(op, et)))
      return failure();
    SmallVector<int64_t> axes = op.getReducedAxes(xt.getRank());
    // Run-time dims may be kept or reduced; a mean over them divides by a count read at
    // run time.
    bool runtimeCount = llvm::any_of(axes, [&](int64_t a) { return xt.isDynamicDim(a); });
    bool hasElementwisePart = kind == Kind::L1 || kind == Kind::L2 || kind == Kind::LogSum ||
                              kind == Kind::SumSquare;
    if (axes.empty() && !hasElementwisePart) {
      // Reducing one element with these ops gives it back (noop_with_empty_axes).
      rewriter.replaceOp(op, x);
      return success();
    }
    Location loc = op.getLoc();
    // Half types accumulate in f32. Integers stay integers, except where a float function
    // is involved: exp for LogSumExp from the start, sqrt / log on the integer sum.
    Type ct = et;
    if (et.isF16() || et.isBF16())
      ct = rewriter.getF32Type();
    else if (!isa<FloatType>(et) && kind == Kind::LogSumExp)
      ct = rewriter.getF64Type();

    Value result;
    if (kind == Kind::LogSumExp) {
      result = lowerLogSumExp(rewriter, loc, x, axes, et, ct);
    } else {
      Kind k = kind;
      result = fold(rewriter, loc, x, Value(), axes, identity(k, rewriter, loc, ct),
                    [&](OpBuilder &b, Location l, Value acc, Value v, Value) {
                      return combine(k, b, l, acc, elementTerm(k, b, l, v, ct));
                    });
      if (k == Kind::Mean || k == Kind::L2 || k == Kind::LogSum || ct != et) {
        int64_t count = 1;
        for (int64_t a : axes)
          count *= xt.getDimSize(a);
        auto type = cast<RankedTensorType>(result.getType()).clone(et);
        Value runtimeN; // The mean's count when a reduced dim is known only at run time.
        if (runtimeCount && k == Kind::Mean) {
          Value n = arith::ConstantIndexOp::create(rewriter, loc, 1);
          for (int64_t a : axes)
            n = arith::MulIOp::create(rewriter, loc, n, dimSize(rewriter, loc, x, a));
          if (isa<FloatType>(ct))
            // An empty axis (a run-time 0) gives 0 / 0 = NaN, numpy's mean of nothing.
            runtimeN = arith::SIToFPOp::create(
                rewriter, loc, ct,
                arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), n));
          else
            // An empty integer mean is left at 0 (as with a static 0), never divided by 0.
            runtimeN = arith::IndexCastOp::create(
                rewriter, loc, ct,
                arith::MaxUIOp::create(rewriter, loc, n,
                                       arith::ConstantIndexOp::create(rewriter, loc, 1)));
        }
        result = buildElementwise(rewriter, loc, type, {result},
                                  [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                    if (!runtimeN)
                                      return finishValue(k, b, l, a[0], count, et);
                                    Value mean =
                                        isa<FloatType>(ct)
                                            ? arith::DivFOp::create(b, l, a[0], runtimeN)
                                                  .getResult()
                                            : arith::DivSIOp::create(b, l, a[0], runtimeN)
                                                  .getResult();
                                    return finishValue(Kind::Sum, b, l, mean, count, et);
                                  });
      }
    }
    if (!op.keepsDims())
      result = dropReducedDims(rewriter, loc, result, axes);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// log(sum(exp(x - m))) + m with m the maximum, or 0 where the maximum is infinite (all
  /// -inf, or a +inf) so that the shift never makes a NaN of its own.
  Value lowerLogSumExp(OpBuilder &rewriter, Location loc, Value x, ArrayRef<int64_t> axes,
                       Type et, Type ct) const {
    Value max = fold(rewriter, loc, x, Value(), axes, extremeConstant(rewriter, loc, ct, true),
                     [&](OpBuilder &b, Location l, Value a, Value v, Value) -> Value {
                       return arith::MaximumFOp::create(b, l, a, convert(b, l, v, ct));
                     });
    auto accType = cast<RankedTensorType>(max.getType());
    Value shift = buildElementwise(
        rewriter, loc, accType, {max}, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value inf = extremeConstant(b, l, ct, /*lowest=*/false);
          Value finite = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                               math::AbsFOp::create(b, l, a[0]), inf);
          return arith::SelectOp::create(b, l, finite, a[0], scalarConstant(b, l, ct, 0));
        });
    Value sum = fold(rewriter, loc, x, shift, axes, scalarConstant(rewriter, loc, ct, 0),
                     [&](OpBuilder &b, Location l, Value a, Value v, Value s) -> Value {
                       Value d = arith::SubFOp::create(b, l, convert(b, l, v, ct), s);
                       return arith::AddFOp::create(b, l, a, math::ExpOp::create(b, l, d));
                     });
    return buildElementwise(rewriter, loc, accType.clone(et), {sum, shift},
                            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                              Value r = arith::AddFOp::create(
                                  b, l, math::LogOp::create(b, l, a[0]), a[1]);
                              return convert(b, l, r, et);
                            });
  }

  Kind kind;
};

/// ArgMax / ArgMin: a running best value and its index, walked in ascending order along the
/// axis (convert-linalg-to-loops keeps that order). NaN counts as the extreme, as in numpy:
/// the first NaN wins, or the last one with select_last_index.
template <typename OpT, bool IsMax> struct ArgReduceLowering : OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;

  LogicalResult matchAndRewrite(OpT op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    Value x = adaptor.getData();
    auto xt = cast<RankedTensorType>(x.getType());
    Type et = xt.getElementType();
    if (failed(requireNumeric(op, et)))
      return failure();
    Location loc = op.getLoc();
    int64_t rank = xt.getRank();
    int64_t axis = op.getNormalizedAxis(rank);
    bool last = op.getSelectLastIndex() != 0;
    auto valType = onnx::reducedType(xt, {axis}, /*keepDims=*/true, et);
    auto idxType = valType.clone(rewriter.getI64Type());
    Value valInit =
        filledTensor(rewriter, loc, valType, extremeConstant(rewriter, loc, et, IsMax));
    Value idxInit = filledTensor(rewriter, loc, idxType,
                                 scalarConstant(rewriter, loc, rewriter.getI64Type(), 0));
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap red = reducedMap(rewriter, rank, {axis});
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valType, idxType}, ValueRange{x}, ValueRange{valInit, idxInit},
        ArrayRef<AffineMap>{id, red, red}, reductionIterators(rank, {axis}),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = args[0], best = args[1], bestIdx = args[2];
          Value take;
          if (isa<FloatType>(et)) {
            using P = arith::CmpFPredicate;
            auto cmp = [&](P p, Value a, Value c) {
              return arith::CmpFOp::create(b, l, p, a, c).getResult();
            };
            P strict = IsMax ? P::OGT : P::OLT, loose = IsMax ? P::OGE : P::OLE;
            Value vNaN = cmp(P::UNO, v, v);
            if (last) // Better or equal, or a NaN (which then stays unless another NaN comes).
              take = arith::OrIOp::create(b, l, cmp(loose, v, best), vNaN);
            else // Strictly better, or the first NaN.
              take = arith::OrIOp::create(
                  b, l, cmp(strict, v, best),
                  arith::AndIOp::create(b, l, vNaN, cmp(P::ORD, best, best)));
          } else {
            using P = arith::CmpIPredicate;
            P p = IsMax ? (last ? P::sge : P::sgt) : (last ? P::sle : P::slt);
            take = arith::CmpIOp::create(b, l, p, v, best);
          }
          Value idx = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                 linalg::IndexOp::create(b, l, axis));
          linalg::YieldOp::create(b, l,
                                  ValueRange{arith::SelectOp::create(b, l, take, v, best),
                                             arith::SelectOp::create(b, l, take, idx, bestIdx)});
        });
    Value result = generic.getResult(1);
    if (!op.keepsDims())
      result = dropReducedDims(rewriter, loc, result, {axis});
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The map from an iteration space of `rank` + 1 dims to an operand of rank `rank` that reads
/// the extra (last) dim at `axis` and the others in place.
AffineMap axisFromExtraDim(OpBuilder &b, int64_t rank, int64_t axis) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    exprs.push_back(b.getAffineDimExpr(i == axis ? rank : i));
  return AffineMap::get(rank + 1, 0, exprs, b.getContext());
}

/// The first `rank` dims of an iteration space of `rank` + 1.
AffineMap dropExtraDim(OpBuilder &b, int64_t rank) {
  return AffineMap::getMultiDimIdentityMap(rank + 1, b.getContext()).getMajorSubMap(rank);
}

SmallVector<utils::IteratorType> parallelThenReduction(int64_t rank) {
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  return iters;
}

/// CumSum along a known axis: out[i] sums x[i with k at the axis] over the positions k up to
/// i's (before it with exclusive; from the end with reverse). One generic whose last dim walks
/// the axis' source positions: O(n * dim) work, but no loop-carried dependence. `zeros` is
/// the zero-filled accumulator.
Value buildCumSum(OpBuilder &b, Location loc, Value x, Value zeros, int64_t axis,
                  bool exclusive, bool reverse) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  Type et = xt.getElementType();
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{xt}, ValueRange{x}, ValueRange{zeros},
      ArrayRef<AffineMap>{axisFromExtraDim(b, rank, axis), dropExtraDim(b, rank)},
      parallelThenReduction(rank), [&](OpBuilder &nb, Location l, ValueRange args) {
        using P = arith::CmpIPredicate;
        P p = reverse ? (exclusive ? P::ugt : P::uge) : (exclusive ? P::ult : P::ule);
        Value take = arith::CmpIOp::create(nb, l, p, linalg::IndexOp::create(nb, l, rank),
                                           linalg::IndexOp::create(nb, l, axis));
        Value term =
            arith::SelectOp::create(nb, l, take, args[0], scalarConstant(nb, l, et, 0));
        linalg::YieldOp::create(nb, l, combine(Kind::Sum, nb, l, args[1], term));
      });
  return gen.getResult(0);
}

/// CumSum: a constant axis lowers directly; an axis known only at run time (the backend
/// tests pass it as an input) selects among the per-axis lowerings with scf.index_switch.
/// Every case accumulates into the one zero-filled tensor made before the switch, so that
/// bufferization needs no allocation inside the regions (PlanMemory refuses those).
struct CumSumLowering : OpConversionPattern<onnx::CumSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::CumSumOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    Value x = adaptor.getX();
    auto xt = cast<RankedTensorType>(x.getType());
    if (failed(requireNumeric(op, xt.getElementType())))
      return failure();
    Location loc = op.getLoc();
    bool exclusive = op.getExclusive() != 0, reverse = op.getReverse() != 0;
    int64_t rank = xt.getRank();
    std::optional<int64_t> axis = op.getConstantAxis();
    Value zeros = filledTensor(rewriter, loc, xt,
                               scalarConstant(rewriter, loc, xt.getElementType(), 0));
    if (axis || rank == 1) {
      rewriter.replaceOp(op, buildCumSum(rewriter, loc, x, zeros, axis.value_or(0), exclusive,
                                         reverse));
      return success();
    }
    Value a = adaptor.getAxis();
    auto at = cast<RankedTensorType>(a.getType());
    SmallVector<Value> origin(at.getRank(), arith::ConstantIndexOp::create(rewriter, loc, 0));
    Value axisValue = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getIndexType(), tensor::ExtractOp::create(rewriter, loc, a, origin));
    // A negative axis counts from the end; an out-of-range one (invalid) gives zeros.
    Value r = arith::ConstantIndexOp::create(rewriter, loc, rank);
    Value negative = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt, axisValue,
                                           arith::ConstantIndexOp::create(rewriter, loc, 0));
    axisValue = arith::SelectOp::create(rewriter, loc, negative,
                                        arith::AddIOp::create(rewriter, loc, axisValue, r),
                                        axisValue);
    auto cases = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    auto sw = scf::IndexSwitchOp::create(rewriter, loc, TypeRange{xt}, axisValue, cases, rank);
    for (int64_t i = 0; i <= rank; ++i) {
      Region &region = i < rank ? sw.getCaseRegions()[i] : sw.getDefaultRegion();
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.createBlock(&region);
      Value y = i < rank ? buildCumSum(rewriter, loc, x, zeros, i, exclusive, reverse) : zeros;
      scf::YieldOp::create(rewriter, loc, y);
    }
    rewriter.replaceOp(op, sw.getResult(0));
    return success();
  }
};

/// TopK as a rank sort, without data-dependent control flow: each element's rank is the
/// number of elements along the axis that come before it (better value, or equal value and
/// lower index: the order ONNX asks for), one generic whose last dim walks the axis; then
/// output position r of the axis takes the element of rank r. O(n^2) compares per row. NaN
/// orders above every number (as numpy sorts it), so that ranks stay a permutation.
struct TopKLowering : OpConversionPattern<onnx::TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::TopKOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    Value x = adaptor.getX();
    auto xt = cast<RankedTensorType>(x.getType());
    Type et = xt.getElementType();
    if (failed(requireNumeric(op, et)))
      return failure();
    int64_t rank = xt.getRank(), axis = op.getNormalizedAxis(rank);
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    if (valuesType.getDimSize(axis) > xt.getDimSize(axis))
      return op.emitError() << "k (" << valuesType.getDimSize(axis) << ") exceeds the axis' "
                            << xt.getDimSize(axis) << " elements";
    bool largest = op.getLargest() != 0;
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    Value zero64 = scalarConstant(rewriter, loc, i64, 0);

    auto negate = [](OpBuilder &b, Location l, Value v) -> Value {
      return arith::XOrIOp::create(b, l, v, arith::ConstantIntOp::create(b, l, 1, 1));
    };
    // before(a, c): a sorts before c by value alone. NaN is the largest value.
    auto before = [&](OpBuilder &b, Location l, Value a, Value c) -> Value {
      if (!isa<FloatType>(et))
        return arith::CmpIOp::create(b, l, largest ? arith::CmpIPredicate::sgt
                                                   : arith::CmpIPredicate::slt, a, c);
      using P = arith::CmpFPredicate;
      Value big = a, small = c; // The NaN that decides: the larger one's.
      if (!largest)
        std::swap(big, small);
      Value nanOrder = arith::AndIOp::create(b, l, arith::CmpFOp::create(b, l, P::UNO, big, big),
                                             arith::CmpFOp::create(b, l, P::ORD, small, small));
      Value cmp = arith::CmpFOp::create(b, l, largest ? P::OGT : P::OLT, a, c);
      return arith::OrIOp::create(b, l, cmp, nanOrder);
    };
    auto rankType = xt.clone(i64);
    auto ranks = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rankType}, ValueRange{x, x},
        ValueRange{filledTensor(rewriter, loc, rankType, zero64)},
        ArrayRef<AffineMap>{dropExtraDim(rewriter, rank), axisFromExtraDim(rewriter, rank, axis),
                            dropExtraDim(rewriter, rank)},
        parallelThenReduction(rank), [&](OpBuilder &b, Location l, ValueRange args) {
          Value self = args[0], other = args[1];
          // `other` comes first: it sorts before, or it is not after and has a lower index.
          Value lower = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult,
                                              linalg::IndexOp::create(b, l, rank),
                                              linalg::IndexOp::create(b, l, axis));
          Value ahead = arith::OrIOp::create(
              b, l, before(b, l, other, self),
              arith::AndIOp::create(b, l, lower, negate(b, l, before(b, l, self, other))));
          linalg::YieldOp::create(
              b, l, Value(arith::AddIOp::create(b, l, args[2],
                                                arith::ExtUIOp::create(b, l, i64, ahead))));
        });
    // values[.., r, ..] / indices[.., r, ..]: the element of rank r, found by walking the axis.
    auto selected = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, indicesType}, ValueRange{x, ranks.getResult(0)},
        ValueRange{filledTensor(rewriter, loc, valuesType, scalarConstant(rewriter, loc, et, 0)),
                   filledTensor(rewriter, loc, indicesType, zero64)},
        ArrayRef<AffineMap>{axisFromExtraDim(rewriter, rank, axis),
                            axisFromExtraDim(rewriter, rank, axis), dropExtraDim(rewriter, rank),
                            dropExtraDim(rewriter, rank)},
        parallelThenReduction(rank), [&](OpBuilder &b, Location l, ValueRange args) {
          Value position = arith::IndexCastOp::create(b, l, i64,
                                                      linalg::IndexOp::create(b, l, axis));
          Value source = arith::IndexCastOp::create(b, l, i64,
                                                    linalg::IndexOp::create(b, l, rank));
          Value match =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, args[1], position);
          linalg::YieldOp::create(b, l,
                                  ValueRange{arith::SelectOp::create(b, l, match, args[0], args[2]),
                                             arith::SelectOp::create(b, l, match, source, args[3])});
        });
    rewriter.replaceOp(op, selected.getResults());
    return success();
  }
};

} // namespace

void populateReductionPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReduceLowering<onnx::ReduceSumOp>>(ctx, Kind::Sum);
  patterns.add<ReduceLowering<onnx::ReduceMeanOp>>(ctx, Kind::Mean);
  patterns.add<ReduceLowering<onnx::ReduceMaxOp>>(ctx, Kind::Max);
  patterns.add<ReduceLowering<onnx::ReduceMinOp>>(ctx, Kind::Min);
  patterns.add<ReduceLowering<onnx::ReduceProdOp>>(ctx, Kind::Prod);
  patterns.add<ReduceLowering<onnx::ReduceL1Op>>(ctx, Kind::L1);
  patterns.add<ReduceLowering<onnx::ReduceL2Op>>(ctx, Kind::L2);
  patterns.add<ReduceLowering<onnx::ReduceLogSumOp>>(ctx, Kind::LogSum);
  patterns.add<ReduceLowering<onnx::ReduceLogSumExpOp>>(ctx, Kind::LogSumExp);
  patterns.add<ReduceLowering<onnx::ReduceSumSquareOp>>(ctx, Kind::SumSquare);
  patterns.add<ArgReduceLowering<onnx::ArgMaxOp, true>, ArgReduceLowering<onnx::ArgMinOp, false>>(
      ctx);
  patterns.add<CumSumLowering, TopKLowering>(ctx);
  populateLossPatterns(patterns);
}

} // namespace onnxc::lowering
