// Einsum: one linalg.generic with a loop per letter (and per ellipsis dim) of the equation,
// each input read through the map its term spells (a repeated letter reads a diagonal, a
// broadcast ellipsis dim is pinned at 0), the loops missing from the output reduced, and the
// body adding the product of the inputs to the accumulator.
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

struct EinsumLowering : OpConversionPattern<onnx::EinsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::EinsumOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (!isa<FloatType>(et) && (!et.isSignlessInteger() || et.isInteger(1)))
      return op.emitError() << "element type " << et
                            << " is not supported for this op (float and signed integer only)";
    SmallVector<ArrayRef<int64_t>> shapes;
    for (Value v : op.getInputs())
      shapes.push_back(cast<RankedTensorType>(v.getType()).getShape());
    auto plan = onnx::planEinsum(op, op.getEquation(), shapes);
    if (failed(plan))
      return failure();
    MLIRContext *ctx = rewriter.getContext();
    int64_t loops = plan->loopSizes.size();
    auto mapOf = [&](ArrayRef<int64_t> dims) {
      SmallVector<AffineExpr> exprs;
      for (int64_t loop : dims)
        exprs.push_back(loop == onnx::EinsumPlan::kBroadcast ? getAffineConstantExpr(0, ctx)
                                                             : getAffineDimExpr(loop, ctx));
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps;
    for (ArrayRef<int64_t> dims : plan->inputLoops)
      maps.push_back(mapOf(dims));
    maps.push_back(mapOf(plan->outputLoops));
    SmallVector<utils::IteratorType> iters;
    for (int64_t loop = 0; loop < loops; ++loop)
      iters.push_back(llvm::is_contained(plan->outputLoops, loop)
                          ? utils::IteratorType::parallel
                          : utils::IteratorType::reduction);
    Location loc = op.getLoc();
    bool f = isa<FloatType>(et);
    auto gen = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rt}, adaptor.getInputs(),
        ValueRange{filledTensor(rewriter, loc, rt, scalarConstant(rewriter, loc, et, 0))}, maps,
        iters, [&](OpBuilder &b, Location l, ValueRange args) {
          Value product = args[0];
          for (Value v : args.drop_front().drop_back())
            product = f ? Value(arith::MulFOp::create(b, l, product, v))
                        : Value(arith::MulIOp::create(b, l, product, v));
          Value sum = f ? Value(arith::AddFOp::create(b, l, args.back(), product))
                        : Value(arith::AddIOp::create(b, l, args.back(), product));
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(op, gen.getResult(0));
    return success();
  }
};

} // namespace

void populateEinsumPatterns(RewritePatternSet &patterns) {
  patterns.add<EinsumLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
