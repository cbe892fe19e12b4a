// Tensors computed from element coordinates: Trilu (a triangle mask over the input), EyeLike
// (ones on a diagonal) and OneHot (the value pair selected by comparing an index with the
// coordinate of the new axis). Each is one parallel linalg.generic over the result.
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

using PositionBody = llvm::function_ref<Value(OpBuilder &, Location, ValueRange coordinates,
                                              ValueRange inputs)>;

/// One parallel generic over `rt`; `body` gets the result coordinates and the input elements
/// (read through `inputMaps`).
Value buildFromPositions(OpBuilder &b, Location loc, RankedTensorType rt, ValueRange inputs,
                         ArrayRef<AffineMap> inputMaps, PositionBody body) {
  int64_t rank = rt.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{rt}, inputs, ValueRange{emptyTensor(b, loc, rt)}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> coordinates;
        for (int64_t i = 0; i < rank; ++i)
          coordinates.push_back(linalg::IndexOp::create(nb, l, i));
        linalg::YieldOp::create(nb, l, body(nb, l, coordinates, args.drop_back()));
      });
  return gen.getResult(0);
}

/// The one element of a rank-0 or one-element tensor.
Value extractScalar(OpBuilder &b, Location loc, Value t, int64_t at = 0) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> index(type.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
  if (!index.empty())
    index.back() = arith::ConstantIndexOp::create(b, loc, at);
  return tensor::ExtractOp::create(b, loc, t, index);
}

/// The diagonal offset j - i of the last two coordinates.
Value diagonal(OpBuilder &b, Location loc, ValueRange coordinates) {
  size_t r = coordinates.size();
  return arith::SubIOp::create(b, loc, coordinates[r - 1], coordinates[r - 2]);
}

struct TriluLowering : OpConversionPattern<onnx::TriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::TriluOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (failed(requireSignless(op, et)))
      return failure();
    Location loc = op.getLoc();
    Value k = adaptor.getK()
                  ? Value(arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                                     extractScalar(rewriter, loc, adaptor.getK())))
                  : Value(arith::ConstantIndexOp::create(rewriter, loc, 0));
    bool upper = op.getUpper() != 0;
    Value result = buildFromPositions(
        rewriter, loc, rt, adaptor.getInput(), rewriter.getMultiDimIdentityMap(rt.getRank()),
        [&](OpBuilder &b, Location l, ValueRange at, ValueRange in) -> Value {
          Value keep = arith::CmpIOp::create(
              b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
              diagonal(b, l, at), k);
          return arith::SelectOp::create(b, l, keep, in[0], scalarConstant(b, l, et, 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct EyeLikeLowering : OpConversionPattern<onnx::EyeLikeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::EyeLikeOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (failed(requireSignless(op, et)))
      return failure();
    int64_t k = static_cast<int64_t>(op.getK());
    Value result = buildFromPositions(
        rewriter, op.getLoc(), rt, ValueRange{}, {},
        [&](OpBuilder &b, Location l, ValueRange at, ValueRange) -> Value {
          Value on = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, diagonal(b, l, at),
                                           arith::ConstantIndexOp::create(b, l, k));
          return arith::SelectOp::create(b, l, on, scalarConstant(b, l, et, 1),
                                         scalarConstant(b, l, et, 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// out[.., d, ..] (d at `axis`) = values[1] if indices[..] (plus depth when negative) == d,
/// else values[0]. The depth is the result's dim: shape inference or the declared type set it.
struct OneHotLowering : OpConversionPattern<onnx::OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::OneHotOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    if (cast<RankedTensorType>(op.getValues().getType()).getElementType() != rt.getElementType())
      return op.emitError() << "values must have the result's element type";
    int64_t rank = rt.getRank(), axis = op.getNormalizedAxis(indicesType.getRank());
    int64_t depth = rt.getDimSize(axis);
    Location loc = op.getLoc();
    Value off = extractScalar(rewriter, loc, adaptor.getValues(), 0);
    Value on = extractScalar(rewriter, loc, adaptor.getValues(), 1);
    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis)
        indexExprs.push_back(rewriter.getAffineDimExpr(i));
    Type i64 = rewriter.getI64Type();
    Value result = buildFromPositions(
        rewriter, loc, rt, adaptor.getIndices(),
        AffineMap::get(rank, 0, indexExprs, rewriter.getContext()),
        [&](OpBuilder &b, Location l, ValueRange at, ValueRange in) -> Value {
          Value index = in[0];
          // Float indices are truncated toward zero, as the reference implementation's cast.
          if (isa<FloatType>(index.getType()))
            index = arith::FPToSIOp::create(b, l, i64, index);
          else if (index.getType() != i64)
            index = arith::ExtSIOp::create(b, l, i64, index);
          Value zero = arith::ConstantIntOp::create(b, l, 0, 64);
          Value negative = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, index, zero);
          index = arith::SelectOp::create(
              b, l, negative,
              arith::AddIOp::create(b, l, index, arith::ConstantIntOp::create(b, l, depth, 64)),
              index);
          Value position = arith::IndexCastOp::create(b, l, i64, at[axis]);
          Value hot = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, index, position);
          return arith::SelectOp::create(b, l, hot, on, off);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateMaskPatterns(RewritePatternSet &patterns) {
  patterns.add<TriluLowering, EyeLikeLowering, OneHotLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
