// Gather, GatherElements, GatherND and ReverseSequence: one linalg.generic over the result
// that reads the index tensor (as an input, or by tensor.extract for GatherND's coordinate
// tuples) and extracts the data element it names (tensor.extract at computed indices).
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// clampedIndex into a dim whose size `n` is known only at run time (>= 1 where it is
/// read: requireDims below).
Value clampedRuntimeIndex(OpBuilder &b, Location loc, Value index, Value n) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, loc, negative, arith::AddIOp::create(b, loc, i, n), i);
  i = arith::MaxSIOp::create(b, loc, i, zero);
  Value last = arith::SubIOp::create(b, loc, n, arith::ConstantIndexOp::create(b, loc, 1));
  return arith::MinSIOp::create(b, loc, i, last);
}

/// out[o..., i..., p...] = data[o..., indices[i...], p...] with the indices at `axis`.
struct GatherLowering : OpConversionPattern<onnx::GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GatherOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)) || failed(requireIndices(op, op.getIndices())))
      return failure();
    auto data = cast<RankedTensorType>(op.getData().getType());
    auto indices = cast<RankedTensorType>(op.getIndices().getType());
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += data.getRank();
    // Run-time dims anywhere; a run-time gathered axis (the last step of a run-time sequence)
    // clamps the indices to its run-time size (checked to be >= 1 below when read).
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
    SmallVector<Value> dyn; // out[o..., i..., p...]: data's dims around the indices' dims.
    for (int64_t d = 0; d < rank; ++d) {
      if (!rt.isDynamicDim(d))
        continue;
      if (d < axis)
        dyn.push_back(tensor::DimOp::create(rewriter, loc, source, d));
      else if (d < axis + ri)
        dyn.push_back(tensor::DimOp::create(rewriter, loc, adaptor.getIndices(), d - axis));
      else
        dyn.push_back(tensor::DimOp::create(rewriter, loc, source, d - ri + 1));
    }
    Value runtimeN = data.isDynamicDim(axis)
                         ? tensor::DimOp::create(rewriter, loc, source, axis).getResult()
                         : Value();
    // A run-time axis may be 0: any index is out of range then (ONNX), and the clamp below
    // would read index -1. Unless the result is empty too (no element is read), such dims
    // are refused before the run.
    if (runtimeN && !llvm::is_contained(rt.getShape(), 0)) {
      Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value ok = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ne, runtimeN, zero);
      Value numel = arith::ConstantIndexOp::create(rewriter, loc, 1);
      for (Value d : dyn)
        numel = arith::MulIOp::create(rewriter, loc, numel, d);
      if (!dyn.empty())
        ok = arith::OrIOp::create(
            rewriter, loc, ok,
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, numel, zero));
      requireDims(rewriter, loc, ok, "Gather reads from an empty axis");
    }
    auto gen = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rt}, ValueRange{adaptor.getIndices()},
        ValueRange{emptyTensorSized(rewriter, loc, rt, dyn)}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < axis; ++i)
            at.push_back(linalg::IndexOp::create(b, l, i));
          at.push_back(runtimeN ? clampedRuntimeIndex(b, l, args[0], runtimeN)
                                : clampedIndex(b, l, args[0], n));
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
    if (failed(requireStaticShapes(op)) || failed(requireIndices(op, op.getIndices())))
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
            at.push_back(i == axis ? clampedIndex(b, l, args[0], n)
                                   : Value(linalg::IndexOp::create(b, l, i)));
          linalg::YieldOp::create(b, l, Value(tensor::ExtractOp::create(b, l, source, at)));
        });
    rewriter.replaceOp(op, gen.getResult(0));
    return success();
  }
};

/// out[p..., s...] = data[p[:b]..., indices[p..., 0..m-1]..., s...] (b = batch_dims): a
/// generic over the result that extracts the m coordinates from the index tensor.
struct GatherNDLowering : OpConversionPattern<onnx::GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GatherNDOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)) || failed(requireIndices(op, op.getIndices())))
      return failure();
    auto data = cast<RankedTensorType>(op.getData().getType());
    auto indices = cast<RankedTensorType>(op.getIndices().getType());
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t batch = static_cast<int64_t>(op.getBatchDims()), q = indices.getRank(),
            m = indices.getDimSize(q - 1), rank = rt.getRank();
    // Run-time dims: the tuples' count (NonZero -> Transpose -> GatherND) and the data dims
    // not indexed; the tuple length and the indexed data dims must be static.
    if (ShapedType::isDynamic(m))
      return op.emitError() << "the coordinate tuple length (last dim of 'indices') must be "
                               "known at compile time; " << runtimeDimsHint(op);
    for (int64_t k = 0; k < m; ++k)
      if (data.isDynamicDim(batch + k))
        return op.emitError() << "gathering along a dim known only at run time is not "
                                 "supported yet; " << runtimeDimsHint(op);
    if (rt.hasStaticShape() && rt.getNumElements() != 0)
      for (int64_t k = 0; k < m; ++k)
        if (data.getDimSize(batch + k) == 0)
          return op.emitError() << "cannot gather from an empty dim";
    Location loc = op.getLoc();
    Value source = adaptor.getData(), index = adaptor.getIndices();
    SmallVector<Value> dyn; // indices.shape[:-1] + data.shape[batch + m:]
    for (int64_t d = 0; d < rank; ++d)
      if (rt.isDynamicDim(d))
        dyn.push_back(d < q - 1 ? tensor::DimOp::create(rewriter, loc, index, d).getResult()
                                : tensor::DimOp::create(rewriter, loc, source,
                                                        batch + m + d - (q - 1))
                                      .getResult());
    auto gen = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensorSized(rewriter, loc, rt, dyn)},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> pos;
          for (int64_t i = 0; i < rank; ++i)
            pos.push_back(linalg::IndexOp::create(b, l, i));
          SmallVector<Value> at(ArrayRef<Value>(pos).take_front(batch));
          SmallVector<Value> tuple(ArrayRef<Value>(pos).take_front(q - 1));
          tuple.push_back(Value());
          for (int64_t k = 0; k < m; ++k) {
            tuple.back() = arith::ConstantIndexOp::create(b, l, k);
            Value coordinate = tensor::ExtractOp::create(b, l, index, tuple);
            at.push_back(clampedIndex(b, l, coordinate, data.getDimSize(batch + k)));
          }
          llvm::append_range(at, ArrayRef<Value>(pos).drop_front(q - 1));
          linalg::YieldOp::create(b, l, Value(tensor::ExtractOp::create(b, l, source, at)));
        });
    rewriter.replaceOp(op, gen.getResult(0));
    return success();
  }
};

/// out[.., t, ..] = input[.., len - 1 - t, ..] for t < len = sequence_lens[batch entry], else
/// input[.., t, ..]: a generic over the result reading the length through the batch axis.
struct ReverseSequenceLowering : OpConversionPattern<onnx::ReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ReverseSequenceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)) || failed(requireIndices(op, op.getSequenceLens())))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t rank = rt.getRank(), batch = static_cast<int64_t>(op.getBatchAxis()),
            time = static_cast<int64_t>(op.getTimeAxis()), steps = rt.getDimSize(time);
    Location loc = op.getLoc();
    Value source = adaptor.getInput();
    MLIRContext *ctx = rewriter.getContext();
    auto gen = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rt}, ValueRange{adaptor.getSequenceLens()},
        ValueRange{emptyTensor(rewriter, loc, rt)},
        ArrayRef<AffineMap>{AffineMap::get(rank, 0, {getAffineDimExpr(batch, ctx)}, ctx),
                            rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < rank; ++i)
            at.push_back(linalg::IndexOp::create(b, l, i));
          // Lengths outside [0, steps] are invalid; clamped, they cannot read out of bounds.
          Value len = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          len = arith::MaxSIOp::create(b, l, len, arith::ConstantIndexOp::create(b, l, 0));
          len = arith::MinSIOp::create(b, l, len, arith::ConstantIndexOp::create(b, l, steps));
          Value t = at[time];
          Value reversed = arith::SubIOp::create(
              b, l, arith::SubIOp::create(b, l, len, arith::ConstantIndexOp::create(b, l, 1)), t);
          Value inPrefix = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, t, len);
          at[time] = arith::SelectOp::create(b, l, inPrefix, reversed, t);
          linalg::YieldOp::create(b, l, Value(tensor::ExtractOp::create(b, l, source, at)));
        });
    rewriter.replaceOp(op, gen.getResult(0));
    return success();
  }
};

} // namespace

void populateGatherPatterns(RewritePatternSet &patterns) {
  patterns.add<GatherLowering, GatherElementsLowering, GatherNDLowering,
               ReverseSequenceLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
