// Shape and data movement: Reshape/Flatten as metadata-only reshapes, Concat as slice
// insertion into one buffer, Transpose as linalg.transpose.
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// Reshape and Flatten: the result type, inferred at compile time, says everything.
template <typename OpT> struct ReshapeLikeLowering : OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;
  LogicalResult matchAndRewrite(OpT op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(staticType(op, op.getResult())) || failed(staticType(op, op->getOperand(0))))
      return failure();
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), adaptor.getOperands()[0],
                                         cast<RankedTensorType>(op.getType())));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<onnx::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t axis = static_cast<int64_t>(op.getAxis()); // I64Attr getters are unsigned.
    if (axis < 0)
      axis += rt.getRank();
    Location loc = op.getLoc();
    Value result = emptyTensor(rewriter, loc, rt);
    int64_t offset = 0;
    for (Value in : adaptor.getInputs()) {
      auto it = cast<RankedTensorType>(in.getType());
      SmallVector<OpFoldResult> offsets(rt.getRank(), rewriter.getIndexAttr(0)), sizes,
          strides(rt.getRank(), rewriter.getIndexAttr(1));
      offsets[axis] = rewriter.getIndexAttr(offset);
      for (int64_t d : it.getShape())
        sizes.push_back(rewriter.getIndexAttr(d));
      result = tensor::InsertSliceOp::create(rewriter, loc, in, result, offsets, sizes, strides);
      offset += it.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<onnx::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> perm;
    if (op.getPerm())
      perm.assign(op.getPerm()->begin(), op.getPerm()->end());
    else
      for (int64_t i = rt.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    Value init = emptyTensor(rewriter, op.getLoc(), rt);
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(), adaptor.getData(),
                                                       init, perm)
                               .getResult()[0]);
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLikeLowering<onnx::ReshapeOp>, ReshapeLikeLowering<onnx::FlattenOp>,
               ConcatLowering, TransposeLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
