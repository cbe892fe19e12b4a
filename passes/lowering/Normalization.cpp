// BatchNormalization (inference) as a per-channel multiply-add, and (Log)Softmax as
// max / exp-sum reductions along one axis.
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

struct BatchNormLowering : OpConversionPattern<onnx::BatchNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::BatchNormalizationOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (failed(requireFloat(op, et)))
      return failure();
    for (Value v : adaptor.getOperands())
      if (cast<ShapedType>(v.getType()).getElementType() != et)
        return op.emitError() << "mixed element types are not supported";
    if (rt.getRank() < 2)
      return op.emitError() << "input must have rank >= 2";
    Location loc = op.getLoc();
    double eps = op.getEpsilon().convertToDouble();
    // a = scale / sqrt(var + eps), b = B - mean * a: computed once per channel.
    auto ct = cast<RankedTensorType>(adaptor.getScale().getType());
    Value a = buildElementwise(rewriter, loc, ct, {adaptor.getScale(), adaptor.getInputVar()},
                               [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                                 Value s = arith::AddFOp::create(b, l, v[1], scalarConstant(b, l, et, eps));
                                 return arith::DivFOp::create(b, l, v[0], math::SqrtOp::create(b, l, s));
                               });
    Value shift = buildElementwise(rewriter, loc, ct, {adaptor.getB(), adaptor.getInputMean(), a},
                                   [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                     return arith::SubFOp::create(b, l, v[0], arith::MulFOp::create(b, l, v[1], v[2]));
                                   });
    // Channel vectors viewed as [C, 1, ...] broadcast against [N, C, ...].
    SmallVector<int64_t> cshape{ct.getDimSize(0)};
    cshape.append(rt.getRank() - 2, 1);
    auto cview = RankedTensorType::get(cshape, et);
    Value a2 = reshapeTensor(rewriter, loc, a, cview), s2 = reshapeTensor(rewriter, loc, shift, cview);
    rewriter.replaceOp(op, buildElementwise(rewriter, loc, rt, {adaptor.getX(), a2, s2},
                                            [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                              return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, v[0], v[1]), v[2]);
                                            }));
    return success();
  }
};

template <typename OpT, bool IsLog> struct SoftmaxLowering : OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;
  LogicalResult matchAndRewrite(OpT op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (failed(requireFloat(op, et)))
      return failure();
    Location loc = op.getLoc();
    int64_t axis = static_cast<int64_t>(op.getAxis()); // I64Attr getters are unsigned.
    if (axis < 0)
      axis += rt.getRank();
    Value x = adaptor.getInput();
    Value max = buildReduction(rewriter, loc, x, {axis}, extremeConstant(rewriter, loc, et, true),
                               [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                 return arith::MaximumFOp::create(b, l, a[0], a[1]);
                               });
    Value shifted = buildElementwise(rewriter, loc, rt, {x, max},
                                     [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                       return arith::SubFOp::create(b, l, a[0], a[1]);
                                     });
    Value sum = buildReduction(rewriter, loc, shifted, {axis}, scalarConstant(rewriter, loc, et, 0),
                               [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                 return arith::AddFOp::create(b, l, a[0], math::ExpOp::create(b, l, a[1]));
                               });
    Value result = buildElementwise(rewriter, loc, rt, {shifted, sum},
                                    [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                      if (IsLog)
                                        return arith::SubFOp::create(b, l, a[0], math::LogOp::create(b, l, a[1]));
                                      return arith::DivFOp::create(b, l, math::ExpOp::create(b, l, a[0]), a[1]);
                                    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateNormalizationPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, SoftmaxLowering<onnx::SoftmaxOp, false>,
               SoftmaxLowering<onnx::LogSoftmaxOp, true>>(patterns.getContext());
}

} // namespace onnxc::lowering
