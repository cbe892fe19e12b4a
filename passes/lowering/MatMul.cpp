// Contractions: MatMul (numpy batch broadcasting, 1-D promotion) and Gemm. Each is one
// linalg.generic contraction whose accumulator starts from the bias (Gemm's beta * C), so the
// bias add costs no extra pass over the output.
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

Value multiplyAdd(OpBuilder &b, Location loc, Value a, Value bv, Value acc, double alpha) {
  if (isa<FloatType>(a.getType())) {
    Value p = arith::MulFOp::create(b, loc, a, bv);
    if (alpha != 1.0)
      p = arith::MulFOp::create(b, loc, p, scalarConstant(b, loc, a.getType(), alpha));
    return arith::AddFOp::create(b, loc, acc, p);
  }
  return arith::AddIOp::create(b, loc, acc, arith::MulIOp::create(b, loc, a, bv));
}

/// out[batch..., m, n] += a[...] * b[...] with the given operand maps over the iteration space
/// (batch..., m, n, k).
Value contract(OpBuilder &b, Location loc, Value a, Value bv, Value init, AffineMap aMap,
               AffineMap bMap, double alpha) {
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t numLoops = outType.getRank() + 1;
  SmallVector<utils::IteratorType> iters(numLoops - 1, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  AffineMap outMap = AffineMap::getMultiDimIdentityMap(numLoops - 1, b.getContext());
  outMap = AffineMap::get(numLoops, 0, outMap.getResults(), b.getContext());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{a, bv}, ValueRange{init},
      ArrayRef<AffineMap>{aMap, bMap, outMap}, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, multiplyAdd(nb, nl, args[0], args[1], args[2], alpha));
      });
  return generic.getResult(0);
}

LogicalResult checkElementType(Operation *op, Type et) {
  if (isa<FloatType>(et) || et.isSignlessInteger())
    return success();
  return op->emitError() << "element type " << et << " is not supported for this op";
}

struct MatMulLowering : OpConversionPattern<onnx::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::MatMulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type et = resultType.getElementType();
    if (failed(checkElementType(op, et)))
      return failure();
    Value a = adaptor.getA(), bv = adaptor.getB();
    auto at0 = cast<RankedTensorType>(a.getType()), bt0 = cast<RankedTensorType>(bv.getType());
    if ((at0.getRank() == 1 || bt0.getRank() == 1) && !resultType.hasStaticShape())
      return op.emitError() << "a 1-D operand with dims known only at run time is not "
                               "supported; " << runtimeDimsHint(op);
    auto at = cast<RankedTensorType>(a.getType()), bt = cast<RankedTensorType>(bv.getType());
    // Promote 1-D operands to matrices; the result is reshaped back at the end.
    if (at.getRank() == 1) {
      at = RankedTensorType::get({1, at.getDimSize(0)}, et);
      a = reshapeTensor(rewriter, loc, a, at);
    }
    if (bt.getRank() == 1) {
      bt = RankedTensorType::get({bt.getDimSize(0), 1}, et);
      bv = reshapeTensor(rewriter, loc, bv, bt);
    }
    auto batch = onnx::broadcastShapes(at.getShape().drop_back(2), bt.getShape().drop_back(2));
    if (failed(batch))
      return op.emitError() << "batch dimensions do not broadcast";
    SmallVector<int64_t> full(*batch);
    full.push_back(at.getDimSize(at.getRank() - 2));
    full.push_back(bt.getDimSize(bt.getRank() - 1));
    auto fullType = RankedTensorType::get(full, et);
    int64_t nb = batch->size(), loops = nb + 3;
    MLIRContext *ctx = rewriter.getContext();
    auto operandMap = [&](RankedTensorType t, bool isA) {
      SmallVector<AffineExpr> exprs;
      int64_t tb = t.getRank() - 2;
      for (int64_t i = 0; i < tb; ++i) {
        int64_t loop = nb - tb + i;
        bool bcast = t.getDimSize(i) == 1 && full[loop] != 1;
        exprs.push_back(bcast ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(loop, ctx));
      }
      AffineExpr m = getAffineDimExpr(nb, ctx), n = getAffineDimExpr(nb + 1, ctx),
                 k = getAffineDimExpr(nb + 2, ctx);
      exprs.push_back(isA ? m : k);
      exprs.push_back(isA ? k : n);
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    // Run-time dims of the result: batch dims from whichever operand has them, M from A, N
    // from B.
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < nb; ++i) {
      if (ShapedType::isStatic(full[i]))
        continue;
      Value size;
      for (auto [v, t] : {std::pair{a, at}, std::pair{bv, bt}}) {
        int64_t j = i - (nb - (t.getRank() - 2));
        if (!size && j >= 0 && t.isDynamicDim(j))
          size = tensor::DimOp::create(rewriter, loc, v, j);
      }
      if (!size)
        return op.emitError() << "cannot size a run-time batch dim; " << runtimeDimsHint(op);
      sizes.push_back(size);
    }
    if (ShapedType::isDynamic(full[nb]))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, a, at.getRank() - 2));
    if (ShapedType::isDynamic(full[nb + 1]))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, bv, bt.getRank() - 1));
    // Both operands' K, and batch dims that both have at run time, are one loop: they must
    // be equal (a length read from data is checked at run time, not trusted by its bound).
    requireSameDim(rewriter, loc, a, at.getRank() - 1, bv, bt.getRank() - 2,
                   "MatMul's operands differ in their inner dim (K)");
    for (int64_t i = 0; i < nb; ++i) {
      int64_t ja = i - (nb - (at.getRank() - 2)), jb = i - (nb - (bt.getRank() - 2));
      if (ja >= 0 && jb >= 0 && at.isDynamicDim(ja) && bt.isDynamicDim(jb))
        requireSameDim(rewriter, loc, a, ja, bv, jb, "MatMul's operands differ in a batch dim");
    }
    Value zero = scalarConstant(rewriter, loc, et, 0);
    Value empty = tensor::EmptyOp::create(rewriter, loc, fullType, sizes);
    Value init = linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    Value result = contract(rewriter, loc, a, bv, init, operandMap(at, true),
                            operandMap(bt, false), 1.0);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, result, resultType));
    return success();
  }
};

struct GemmLowering : OpConversionPattern<onnx::GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GemmOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type et = resultType.getElementType();
    if (failed(checkElementType(op, et)))
      return failure();
    // Run-time M (from A) and N (from B).
    SmallVector<Value> sizes;
    if (resultType.isDynamicDim(0))
      sizes.push_back(dimSize(rewriter, loc, adaptor.getA(), op.getTransA() ? 1 : 0));
    if (resultType.isDynamicDim(1))
      sizes.push_back(dimSize(rewriter, loc, adaptor.getB(), op.getTransB() ? 0 : 1));
    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
    if (!isa<FloatType>(et) && (alpha != 1.0 || beta != 1.0))
      return op.emitError() << "alpha and beta other than 1 need a float element type";
    Value init;
    if (adaptor.getC() && beta != 0.0) {
      auto cType = cast<RankedTensorType>(adaptor.getC().getType());
      Value empty = tensor::EmptyOp::create(rewriter, loc, resultType, sizes);
      SmallVector<AffineMap> maps{broadcastMap(cType.getShape(), resultType.getShape(),
                                               rewriter.getContext()),
                                  rewriter.getMultiDimIdentityMap(2)};
      SmallVector<utils::IteratorType> iters(2, utils::IteratorType::parallel);
      init = linalg::GenericOp::create(
                 rewriter, loc, TypeRange{resultType}, ValueRange{adaptor.getC()},
                 ValueRange{empty}, maps, iters,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   Value v = args[0];
                   if (beta != 1.0)
                     v = arith::MulFOp::create(b, l, v, scalarConstant(b, l, et, beta));
                   linalg::YieldOp::create(b, l, v);
                 })
                 .getResult(0);
    } else {
      Value zero = scalarConstant(rewriter, loc, et, 0);
      Value empty = tensor::EmptyOp::create(rewriter, loc, resultType, sizes);
      init = linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    }
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    AffineMap aMap = AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                                         : ArrayRef<AffineExpr>{m, k}, ctx);
    AffineMap bMap = AffineMap::get(3, 0, op.getTransB() ? ArrayRef<AffineExpr>{n, k}
                                                         : ArrayRef<AffineExpr>{k, n}, ctx);
    rewriter.replaceOp(op, contract(rewriter, loc, adaptor.getA(), adaptor.getB(), init, aMap,
                                    bMap, alpha));
    return success();
  }
};

} // namespace

void populateMatMulPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
