// NegativeLogLikelihoodLoss (and SoftmaxCrossEntropyLoss, imported as LogSoftmax + this op):
// one linalg.generic over the target's shape that reads the target, extracts the input
// element and the class weight it names, and either writes the per-element loss (reduction
// none) or accumulates the loss and the weight into two scalars (sum, mean), divided at the
// end for mean.
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

struct NegativeLogLikelihoodLossLowering
    : OpConversionPattern<onnx::NegativeLogLikelihoodLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::NegativeLogLikelihoodLossOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto targetType = cast<RankedTensorType>(op.getTarget().getType());
    Type et = inType.getElementType();
    if (failed(requireFloat(op, et)))
      return failure();
    if (op.getWeight() &&
        cast<RankedTensorType>(op.getWeight().getType()).getElementType() != et)
      return op.emitError() << "weight must have the input's element type " << et;
    Location loc = op.getLoc();
    int64_t rank = targetType.getRank(), classes = inType.getDimSize(1);
    if (classes == 0 && targetType.getNumElements() != 0)
      return op.emitError() << "cannot take a loss over zero classes";
    bool reduce = op.getReduction() != "none";
    std::optional<int64_t> ignoreIndex;
    if (auto ii = op.getIgnoreIndex())
      ignoreIndex = static_cast<int64_t>(*ii); // I64Attr getters are unsigned.
    Value input = adaptor.getInput(), weight = adaptor.getWeight();

    // Per target element: the loss term -x * w and the weight w it counts with (both 0 for
    // an ignored target). Targets out of [0, C) are invalid in ONNX: they are clamped so
    // that a bad input cannot read outside the buffers.
    auto terms = [&](OpBuilder &b, Location l, Value target) -> std::pair<Value, Value> {
      Value zero = scalarConstant(b, l, et, 0);
      Value ignored = arith::ConstantIntOp::create(b, l, 0, 1);
      if (ignoreIndex)
        ignored = arith::CmpIOp::create(
            b, l, arith::CmpIPredicate::eq, target,
            arith::ConstantOp::create(b, l, b.getIntegerAttr(target.getType(), *ignoreIndex)));
      Value cls = arith::IndexCastOp::create(b, l, b.getIndexType(), target);
      cls = arith::MaxSIOp::create(b, l, cls, arith::ConstantIndexOp::create(b, l, 0));
      cls = arith::MinSIOp::create(b, l, cls,
                                   arith::ConstantIndexOp::create(b, l, classes - 1));
      SmallVector<Value> at{linalg::IndexOp::create(b, l, 0), cls};
      for (int64_t i = 1; i < rank; ++i)
        at.push_back(linalg::IndexOp::create(b, l, i));
      Value x = tensor::ExtractOp::create(b, l, input, at);
      Value w = weight ? Value(tensor::ExtractOp::create(b, l, weight, ValueRange{cls}))
                       : scalarConstant(b, l, et, 1);
      w = arith::SelectOp::create(b, l, ignored, zero, w);
      Value loss = arith::NegFOp::create(b, l, arith::MulFOp::create(b, l, x, w));
      return {loss, w};
    };

    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    if (!reduce) {
      auto rt = RankedTensorType::get(targetType.getShape(), et);
      auto gen = linalg::GenericOp::create(
          rewriter, loc, TypeRange{rt}, ValueRange{adaptor.getTarget()},
          ValueRange{emptyTensor(rewriter, loc, rt)}, ArrayRef<AffineMap>{id, id},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(b, l, terms(b, l, args[0]).first);
          });
      rewriter.replaceOp(op, gen.getResult(0));
      return success();
    }

    auto scalarType = RankedTensorType::get({}, et);
    Value zeros = filledTensor(rewriter, loc, scalarType, scalarConstant(rewriter, loc, et, 0));
    AffineMap toScalar = AffineMap::get(rank, 0, {}, rewriter.getContext());
    auto gen = linalg::GenericOp::create(
        rewriter, loc, TypeRange{scalarType, scalarType}, ValueRange{adaptor.getTarget()},
        ValueRange{zeros, zeros}, ArrayRef<AffineMap>{id, toScalar, toScalar},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::reduction),
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto [loss, w] = terms(b, l, args[0]);
          linalg::YieldOp::create(b, l,
                                  ValueRange{arith::AddFOp::create(b, l, args[1], loss),
                                             arith::AddFOp::create(b, l, args[2], w)});
        });
    Value result = gen.getResult(0);
    if (op.getReduction() == "mean")
      result = buildElementwise(rewriter, loc, scalarType, {result, gen.getResult(1)},
                                [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                  return arith::DivFOp::create(b, l, a[0], a[1]);
                                });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateLossPatterns(RewritePatternSet &patterns) {
  patterns.add<NegativeLogLikelihoodLossLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
