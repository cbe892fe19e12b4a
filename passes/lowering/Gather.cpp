// Gather and GatherElements: one linalg.generic over the result that reads the index tensor
// as an input and extracts the data element it names (tensor.extract at computed indices).
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// An index element (any integer width) as an index into a dim of size `n`: negative values
/// count from the end. Out-of-range indices are invalid in ONNX; they are clamped so that a
/// bad input cannot read outside the buffer.
Value dataIndex(OpBuilder &b, Location loc, Value index, int64_t n) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value size = arith::ConstantIndexOp::create(b, loc, n);
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, loc, negative, arith::AddIOp::create(b, loc, i, size), i);
  i = arith::MaxSIOp::create(b, loc, i, zero);
  return arith::MinSIOp::create(b, loc, i, arith::ConstantIndexOp::create(b, loc, n - 1));
}

LogicalResult checkIndices(Operation *op, Value indices) {
  Type et = cast<ShapedType>(indices.getType()).getElementType();
  if (!et.isSignlessInteger() || et.isInteger(1))
    return op->emitError() << "indices must be int32 or int64, not " << et;
  return success();
}

/// out[o..., i..., p...] = data[o..., indices[i...], p...] with the indices at `axis`.
struct GatherLowering : OpConversionPattern<onnx::GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GatherOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)) || failed(checkIndices(op, op.getIndices())))
      return failure();
    auto data = cast<RankedTensorType>(op.getData().getType());
    auto indices = cast<RankedTensorType>(op.getIndices().getType());
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += data.getRank();
    int64_t n = data.getDimSize(axis), ri = indices.getRank(), rank = rt.getRank();
    if (n == 0 && rt.getNumElements() != 0)
      return op.emitError() << "cannot gather from an empty axis";
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < ri; ++i)
      indexExprs.push_back(getAffineDimExpr(axis + i, ctx));
    SmallVector<AffineMap> maps{AffineMap::get(rank, 0, indexExprs, ctx),
                                rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    Location loc = op.getLoc();
    Value source = adaptor.getData();
    auto gen = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rt}, ValueRange{adaptor.getIndices()},
        ValueRange{emptyTensor(rewriter, loc, rt)}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < axis; ++i)
            at.push_back(linalg::IndexOp::create(b, l, i));
          at.push_back(dataIndex(b, l, args[0], n));
          for (int64_t i = axis + 1; i < data.getRank(); ++i)
            at.push_back(linalg::IndexOp::create(b, l, i - 1 + ri));
          linalg::YieldOp::create(b, l, Value(tensor::ExtractOp::create(b, l, source, at)));
        });
    rewriter.replaceOp(op, gen.getResult(0));
    return success();
  }
};

/// out[i...] = data[i... with indices[i...] at `axis`].
struct GatherElementsLowering : OpConversionPattern<onnx::GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GatherElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)) || failed(checkIndices(op, op.getIndices())))
      return failure();
    auto data = cast<RankedTensorType>(op.getData().getType());
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t rank = rt.getRank(), axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    int64_t n = data.getDimSize(axis);
    if (n == 0 && rt.getNumElements() != 0)
      return op.emitError() << "cannot gather from an empty axis";
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis && rt.getDimSize(i) > data.getDimSize(i))
        return op.emitError() << "indices dim " << i << " exceeds the data's";
    SmallVector<AffineMap> maps(2, rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    Location loc = op.getLoc();
    Value source = adaptor.getData();
    auto gen = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rt}, ValueRange{adaptor.getIndices()},
        ValueRange{emptyTensor(rewriter, loc, rt)}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < rank; ++i)
            at.push_back(i == axis ? dataIndex(b, l, args[0], n)
                                   : Value(linalg::IndexOp::create(b, l, i)));
          linalg::YieldOp::create(b, l, Value(tensor::ExtractOp::create(b, l, source, at)));
        });
    rewriter.replaceOp(op, gen.getResult(0));
    return success();
  }
};

} // namespace

void populateGatherPatterns(RewritePatternSet &patterns) {
  patterns.add<GatherLowering, GatherElementsLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
