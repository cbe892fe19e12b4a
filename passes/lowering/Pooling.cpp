// Pooling: windowed max/sum as one linalg.generic over (n, c, o..., k...) with a window-shaped
// operand that only carries the kernel's iteration domain; global pools as reductions.
// AveragePool divides by a compile-time table of per-position element counts, so padding and
// ceil_mode need no special code in the loop; with spatial dims known only at run time the
// count is computed in the loop from the output position instead. MaxPool's Indices come from the same kind of
// generic with a second output that carries the winner's flat input position.
#include "dialects/onnx/Window.h"
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// The loop structure of a windowed reduction over (n, c, o..., k...): the padded input's
/// map, the window-shaped operand that carries the kernel's domain, the output map.
struct WindowLoops {
  SmallVector<AffineMap> inputMaps; // padded input, window
  AffineMap outputMap;
  SmallVector<utils::IteratorType> iters;
  Value windowShape;
};

/// With `innermostOutput`, the last output dim is the innermost loop, after the kernel's:
/// (n, c, o..., k..., o_last). Each kernel offset then sweeps a contiguous output row, which
/// LLVM vectorizes (strided input loads); with the kernel innermost (3 or so iterations) it
/// ran scalar.
WindowLoops windowLoops(OpBuilder &b, Location loc, const onnx::Window &w, Type et,
                        bool innermostOutput = false) {
  MLIRContext *ctx = b.getContext();
  int64_t spatial = w.kernel.size(), loops = 2 + 2 * spatial;
  // Loop numbers of output dim i and kernel dim i.
  auto outLoop = [&](int64_t i) {
    return innermostOutput && i == spatial - 1 ? loops - 1 : 2 + i;
  };
  auto kernelLoop = [&](int64_t i) {
    return innermostOutput ? 2 + (spatial - 1) + i : 2 + spatial + i;
  };
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xe{d(0), d(1)}, ke, oe{d(0), d(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    xe.push_back(d(outLoop(i)) * w.strides[i] + d(kernelLoop(i)) * w.dilations[i]);
    ke.push_back(d(kernelLoop(i)));
    oe.push_back(d(outLoop(i)));
  }
  WindowLoops l;
  l.inputMaps = {AffineMap::get(loops, 0, xe, ctx), AffineMap::get(loops, 0, ke, ctx)};
  l.outputMap = AffineMap::get(loops, 0, oe, ctx);
  l.iters.assign(loops, utils::IteratorType::parallel);
  for (int64_t i = 0; i < spatial; ++i)
    l.iters[kernelLoop(i)] = utils::IteratorType::reduction;
  l.windowShape = tensor::EmptyOp::create(b, loc, w.kernel, et);
  return l;
}

Value windowReduce(OpBuilder &b, Location loc, Value padded, const onnx::Window &w,
                   RankedTensorType resultType, Value init, const ScalarBody &combine) {
  // Output rows innermost only where they are long: LLVM fully unrolls a row of fewer than
  // ~32 elements before its loop vectorizer runs, and the unrolled code stayed scalar (SLP
  // cannot tell the input from the output rows apart); with the kernel innermost, the row
  // loop is vectorized instead. squeezenet1_1's 27- and 13-wide pools: 7.67 -> 7.22 ms of
  // CPU per run (docs/perf.md).
  int64_t width = resultType.getShape().back();
  WindowLoops l = windowLoops(b, loc, w, resultType.getElementType(),
                              /*innermostOutput=*/ShapedType::isDynamic(width) || width >= 32);
  SmallVector<AffineMap> maps(l.inputMaps);
  maps.push_back(l.outputMap);
  SmallVector<Value> dynSizes =
      windowResultSizes(b, loc, padded, resultType, w.kernel, w.strides, w.dilations);
  Value filled =
      linalg::FillOp::create(b, loc, init, emptyTensorSized(b, loc, resultType, dynSizes))
          .getResult(0);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{padded, l.windowShape},
             ValueRange{filled}, maps, l.iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, combine(nb, nl, {args[2], args[0]}));
             })
      .getResult(0);
}

/// Max over each window together with the flat position of its first maximum in the
/// (unpadded) input of shape `inShape`: batch and channel included, the spatial dims
/// row-major or, with `columnMajor` (storage_order 1), column-major. `greater` compares two
/// elements; padding (the lowest value) never beats a real element.
std::pair<Value, Value> windowArgMax(OpBuilder &b, Location loc, Value padded,
                                     const onnx::Window &w, RankedTensorType resultType,
                                     RankedTensorType indexType, ArrayRef<int64_t> inShape,
                                     bool columnMajor, Value lowest,
                                     function_ref<Value(OpBuilder &, Location, Value, Value)> greater) {
  WindowLoops l = windowLoops(b, loc, w, resultType.getElementType());
  SmallVector<AffineMap> maps(l.inputMaps);
  maps.append({l.outputMap, l.outputMap});
  int64_t spatial = w.kernel.size();
  Value zero = arith::ConstantIntOp::create(b, loc, indexType.getElementType(), 0);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType, indexType}, ValueRange{padded, l.windowShape},
      ValueRange{filledTensor(b, loc, resultType, lowest), filledTensor(b, loc, indexType, zero)},
      maps, l.iters, [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto idx = [&](int64_t i) { return Value(linalg::IndexOp::create(nb, nl, i)); };
        auto cst = [&](int64_t v) { return Value(arith::ConstantIndexOp::create(nb, nl, v)); };
        auto mulAdd = [&](Value acc, int64_t size, Value v) {
          return arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, acc, cst(size)), v)
              .getResult();
        };
        // Input position along spatial dim i: o_i * s_i + k_i * d_i - padBegin_i.
        SmallVector<Value> pos;
        for (int64_t i = 0; i < spatial; ++i) {
          Value p = arith::AddIOp::create(
              nb, nl, arith::MulIOp::create(nb, nl, idx(2 + i), cst(w.strides[i])),
              arith::MulIOp::create(nb, nl, idx(2 + spatial + i), cst(w.dilations[i])));
          pos.push_back(arith::SubIOp::create(nb, nl, p, cst(w.padBegin[i])));
        }
        Value flat = mulAdd(idx(0), inShape[1], idx(1));
        for (int64_t j = 0; j < spatial; ++j) {
          int64_t i = columnMajor ? spatial - 1 - j : j;
          flat = mulAdd(flat, inShape[2 + i], pos[i]);
        }
        flat = arith::IndexCastOp::create(nb, nl, indexType.getElementType(), flat);
        Value take = greater(nb, nl, args[0], args[2]);
        linalg::YieldOp::create(
            nb, nl,
            ValueRange{arith::SelectOp::create(nb, nl, take, args[0], args[2]),
                       arith::SelectOp::create(nb, nl, take, flat, args[3])});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

FailureOr<onnx::Window> windowOf(Operation *op, RankedTensorType xt, bool ceilMode) {
  if (llvm::any_of(xt.getShape().drop_front(2), ShapedType::isDynamic)) {
    // Run-time spatial dims: the window's pads and the output size must not depend on them.
    auto autoPad = op->getAttrOfType<StringAttr>("auto_pad");
    if (ceilMode || (autoPad && autoPad.getValue().starts_with("SAME")))
      return op->emitError() << "ceil_mode or auto_pad SAME with spatial dims known only at "
                                "run time is not supported yet; " << runtimeDimsHint(op);
  }
  if (xt.isDynamicDim(1))
    return op->emitError() << "a channel dim known only at run time is not supported; "
                           << runtimeDimsHint(op);
  return onnx::resolveWindow(op, xt.getShape().drop_front(2), {}, ceilMode);
}

SmallVector<int64_t> padsWithBatch(ArrayRef<int64_t> spatialPads, ArrayRef<int64_t> extra = {}) {
  SmallVector<int64_t> p{0, 0};
  for (size_t i = 0; i < spatialPads.size(); ++i)
    p.push_back(spatialPads[i] + (extra.empty() ? 0 : extra[i]));
  return p;
}

struct MaxPoolLowering : OpConversionPattern<onnx::MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::MaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(op.getIndices() ? requireStaticShapes(op) : requireRankedShapes(op)))
      return failure();
    auto xt = cast<RankedTensorType>(adaptor.getX().getType());
    auto rt = cast<RankedTensorType>(op.getY().getType());
    Type et = rt.getElementType();
    if (!isa<FloatType>(et) && !isa<IntegerType>(et))
      return op.emitError() << "element type " << et << " is not supported for MaxPool";
    auto w = windowOf(op, xt, op.getCeilMode());
    if (failed(w))
      return failure();
    Location loc = op.getLoc();
    // Unsigned integers: the max of the signless tensor of the same width with maxui, padded
    // with 0, bitcast back.
    bool isUnsigned = et.isUnsignedInteger();
    Value x = adaptor.getX();
    RankedTensorType computeType = rt;
    if (isUnsigned) {
      et = IntegerType::get(op.getContext(), et.getIntOrFloatBitWidth());
      x = tensor::BitcastOp::create(rewriter, loc, xt.clone(et), x);
      computeType = rt.clone(et);
    }
    Value lowest = isUnsigned ? scalarConstant(rewriter, loc, et, 0)
                              : extremeConstant(rewriter, loc, et, /*lowest=*/true);
    Value padded = padTensor(rewriter, loc, x, padsWithBatch(w->padBegin),
                             padsWithBatch(w->padEnd, w->ceilExtra), lowest,
                             /*bordersOnly=*/true);
    SmallVector<Value> results;
    if (Value indices = op.getIndices()) {
      auto greater = [&](OpBuilder &b, Location l, Value x, Value y) -> Value {
        if (isa<FloatType>(et))
          return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, y);
        return arith::CmpIOp::create(
            b, l, isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, x, y);
      };
      auto [values, positions] =
          windowArgMax(rewriter, loc, padded, *w, computeType,
                       cast<RankedTensorType>(indices.getType()), xt.getShape(),
                       op.getStorageOrder() == 1, lowest, greater);
      results = {values, positions};
    } else {
      results = {windowReduce(rewriter, loc, padded, *w, computeType, lowest,
                              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                if (isa<FloatType>(et))
                                  return arith::MaximumFOp::create(b, l, a[0], a[1]);
                                if (isUnsigned)
                                  return arith::MaxUIOp::create(b, l, a[0], a[1]);
                                return arith::MaxSIOp::create(b, l, a[0], a[1]);
                              })};
    }
    if (isUnsigned)
      results[0] = tensor::BitcastOp::create(rewriter, loc, rt, results[0]);
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct AveragePoolLowering : OpConversionPattern<onnx::AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::AveragePoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    auto xt = cast<RankedTensorType>(adaptor.getX().getType());
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (failed(requireFloat(op, et)))
      return failure();
    if (xt.getRank() < 3)
      return op.emitError() << "AveragePool needs an input of rank 3 or more, not " << xt;
    auto w = windowOf(op, xt, op.getCeilMode());
    if (failed(w))
      return failure();
    Location loc = op.getLoc();
    Value zero = scalarConstant(rewriter, loc, et, 0);
    Value padded = padTensor(rewriter, loc, adaptor.getX(), padsWithBatch(w->padBegin),
                             padsWithBatch(w->padEnd, w->ceilExtra), zero,
                             /*bordersOnly=*/true);
    Value sum = windowReduce(rewriter, loc, padded, *w, rt, zero,
                             [](OpBuilder &b, Location l, ValueRange a) -> Value {
                               return arith::AddFOp::create(b, l, a[0], a[1]);
                             });
    bool runtimeSpatial = llvm::any_of(xt.getShape().drop_front(2), ShapedType::isDynamic);
    Value result = runtimeSpatial ? divideByRuntimeCounts(rewriter, loc, op, *w, adaptor.getX(), sum)
                                  : divideByCountTable(rewriter, loc, op, *w, xt, sum);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Static spatial dims: the reciprocal of every output position's divisor, a constant
  /// table, so the loop is one multiply.
  static Value divideByCountTable(OpBuilder &b, Location loc, onnx::AveragePoolOp op,
                                  const onnx::Window &w, RankedTensorType xt, Value sum) {
    auto rt = cast<RankedTensorType>(sum.getType());
    Type et = rt.getElementType();
    int64_t spatial = w.kernel.size();
    SmallVector<int64_t> countShape(rt.getShape().drop_front(2));
    SmallVector<SmallVector<double>> perDim(spatial);
    for (int64_t i = 0; i < spatial; ++i) {
      auto [lo, hi] = countedRange(op, w, i, xt.getDimSize(2 + i));
      for (int64_t o = 0; o < countShape[i]; ++o) {
        int64_t count = 0;
        for (int64_t k = 0; k < w.kernel[i]; ++k) {
          int64_t pos = o * w.strides[i] + k * w.dilations[i] - w.padBegin[i];
          count += pos >= lo && pos < hi;
        }
        perDim[i].push_back(count);
      }
    }
    int64_t total = 1;
    for (int64_t s : countShape)
      total *= s;
    SmallVector<APFloat> recip;
    auto ft = cast<FloatType>(et);
    for (int64_t flat = 0; flat < total; ++flat) {
      double count = 1;
      for (int64_t i = spatial - 1, rem = flat; i >= 0; --i) {
        count *= perDim[i][rem % countShape[i]];
        rem /= countShape[i];
      }
      APFloat v(count > 0 ? 1.0 / count : 0.0);
      bool lost;
      v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      recip.push_back(v);
    }
    auto countType = RankedTensorType::get(countShape, et);
    Value scale = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(countType, recip));
    return buildElementwise(b, loc, rt, {sum, scale},
                            [](OpBuilder &b, Location l, ValueRange a) -> Value {
                              return arith::MulFOp::create(b, l, a[0], a[1]);
                            });
  }

  /// Spatial dims known only at run time (no ceil_mode, no SAME padding: windowOf refuses
  /// them): each output position's divisor is counted in the loop from its index, the
  /// closed form of the table above. Along dim i the window starts at base = o*s - padBegin
  /// and covers base + k*d for k in [0, K); those inside [lo, hi) are
  /// k in [ceil((lo - base) / d), ceil((hi - base) / d)) clamped to [0, K).
  static Value divideByRuntimeCounts(OpBuilder &b, Location loc, onnx::AveragePoolOp op,
                                     const onnx::Window &w, Value x, Value sum) {
    auto rt = cast<RankedTensorType>(sum.getType());
    Type et = rt.getElementType();
    int64_t spatial = w.kernel.size();
    SmallVector<Value> hiBounds, loBounds;
    for (int64_t i = 0; i < spatial; ++i) {
      Value in = tensor::DimOp::create(b, loc, x, 2 + i);
      if (op.getCountIncludePad()) {
        loBounds.push_back(arith::ConstantIndexOp::create(b, loc, -w.padBegin[i]));
        hiBounds.push_back(arith::AddIOp::create(
            b, loc, in, arith::ConstantIndexOp::create(b, loc, w.padEnd[i])));
      } else {
        loBounds.push_back(arith::ConstantIndexOp::create(b, loc, 0));
        hiBounds.push_back(in);
      }
    }
    return buildElementwise(
        b, loc, rt, {sum}, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, l, v); };
          Value count = c(1);
          for (int64_t i = 0; i < spatial; ++i) {
            Value o = linalg::IndexOp::create(nb, l, 2 + i);
            Value base = arith::SubIOp::create(
                nb, l, arith::MulIOp::create(nb, l, o, c(w.strides[i])), c(w.padBegin[i]));
            auto firstInside = [&](Value bound) -> Value {
              Value k = arith::CeilDivSIOp::create(
                  nb, l, arith::SubIOp::create(nb, l, bound, base), c(w.dilations[i]));
              return arith::MinSIOp::create(nb, l, arith::MaxSIOp::create(nb, l, k, c(0)),
                                            c(w.kernel[i]));
            };
            Value n = arith::SubIOp::create(nb, l, firstInside(hiBounds[i]),
                                            firstInside(loBounds[i]));
            count = arith::MulIOp::create(nb, l, count,
                                          arith::MaxSIOp::create(nb, l, n, c(0)));
          }
          // A window entirely in the padding (count 0) averages to 0, as the table does.
          Value isEmpty =
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, count, c(0));
          Value f = arith::SIToFPOp::create(
              nb, l, et, arith::IndexCastOp::create(nb, l, nb.getI64Type(), count));
          Value avg = arith::DivFOp::create(nb, l, a[0], f);
          return arith::SelectOp::create(nb, l, isEmpty, scalarConstant(nb, l, et, 0), avg);
        });
  }

  /// The input positions that count towards the divisor along spatial dim i: the input, or
  /// the input plus its explicit padding with count_include_pad; the ceil_mode overhang
  /// never counts.
  static std::pair<int64_t, int64_t> countedRange(onnx::AveragePoolOp op, const onnx::Window &w,
                                                  int64_t i, int64_t in) {
    if (op.getCountIncludePad())
      return {-w.padBegin[i], in + w.padEnd[i]};
    return {0, in};
  }
};

template <typename OpT, bool IsMax> struct GlobalPoolLowering : OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;
  LogicalResult matchAndRewrite(OpT op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    auto xt = cast<RankedTensorType>(adaptor.getX().getType());
    Type et = xt.getElementType();
    if (failed(requireFloat(op, et)))
      return failure();
    Location loc = op.getLoc();
    SmallVector<int64_t> axes;
    int64_t count = 1;
    Value runtimeCount; // The element count of run-time spatial dims, as an index.
    for (int64_t i = 2; i < xt.getRank(); ++i) {
      axes.push_back(i);
      if (xt.isDynamicDim(i)) {
        Value d = tensor::DimOp::create(rewriter, loc, adaptor.getX(), i);
        runtimeCount = runtimeCount ? Value(arith::MulIOp::create(rewriter, loc, runtimeCount, d))
                                    : d;
      } else {
        count *= xt.getDimSize(i);
      }
    }
    Value init = IsMax ? extremeConstant(rewriter, loc, et, true) : scalarConstant(rewriter, loc, et, 0);
    Value r = buildReduction(rewriter, loc, adaptor.getX(), axes, init,
                             [](OpBuilder &b, Location l, ValueRange a) -> Value {
                               if (IsMax)
                                 return arith::MaximumFOp::create(b, l, a[0], a[1]);
                               return arith::AddFOp::create(b, l, a[0], a[1]);
                             });
    if (!IsMax) {
      auto rt = cast<RankedTensorType>(r.getType());
      Value scale; // 1 / count: a constant, or computed once for run-time spatial dims.
      if (runtimeCount) {
        Value n = arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), runtimeCount);
        Value f = arith::SIToFPOp::create(rewriter, loc, et, n);
        scale = arith::DivFOp::create(rewriter, loc,
                                      scalarConstant(rewriter, loc, et, 1.0 / count), f);
      }
      r = buildElementwise(rewriter, loc, rt, {r}, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        return arith::MulFOp::create(b, l, a[0],
                                     scale ? scale : scalarConstant(b, l, et, 1.0 / count));
      });
    }
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AveragePoolLowering,
               GlobalPoolLowering<onnx::GlobalAveragePoolOp, false>,
               GlobalPoolLowering<onnx::GlobalMaxPoolOp, true>>(patterns.getContext());
}

} // namespace onnxc::lowering
