// Conv of any spatial rank, groups and dilations: pad, view input and weights per group, and
// one linalg.generic contraction whose accumulator starts from the bias.
//   out[n, g, m, o...] += x[n, g, c, o_i * s_i + k_i * d_i] * w[g, m, c, k...]
#include "dialects/onnx/Window.h"
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

struct ConvLowering : OpConversionPattern<onnx::ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRankedShapes(op)) || failed(staticType(op, adaptor.getW())))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto xt = cast<RankedTensorType>(adaptor.getX().getType());
    auto wt = cast<RankedTensorType>(adaptor.getW().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type et = resultType.getElementType();
    if (failed(requireFloat(op, et)))
      return failure();
    int64_t spatial = xt.getRank() - 2, g = op.getGroup();
    auto window = onnx::resolveWindow(op, xt.getShape().drop_front(2),
                                      wt.getShape().drop_front(2), false);
    if (failed(window))
      return failure();
    // Run-time N and spatial dims (docs/dynamic-shapes.md); auto_pad SAME's pads depend on
    // the input size, known only then.
    auto autoPad = op->getAttrOfType<StringAttr>("auto_pad");
    if (!xt.hasStaticShape() && autoPad && autoPad.getValue().starts_with("SAME") &&
        llvm::any_of(xt.getShape().drop_front(2), ShapedType::isDynamic))
      return op.emitError() << "auto_pad " << autoPad.getValue()
                            << " with spatial dims known only at run time is not supported "
                               "yet; " << runtimeDimsHint(op);
    if (xt.isDynamicDim(1))
      return op.emitError() << "a channel dim known only at run time is not supported; "
                            << runtimeDimsHint(op);

    SmallVector<int64_t> lo(2, 0), hi(2, 0);
    lo.append(window->padBegin);
    hi.append(window->padEnd);
    Value x = padTensor(rewriter, loc, adaptor.getX(), lo, hi,
                        scalarConstant(rewriter, loc, et, 0), /*bordersOnly=*/true);

    // [N, C, H...] -> [N, G, C/G, H...]; [M, C/G, K...] -> [G, M/G, C/G, K...].
    int64_t n = xt.getDimSize(0), m = wt.getDimSize(0);
    Value xv = splitDim(rewriter, loc, x, 1, g), wv = splitDim(rewriter, loc, adaptor.getW(), 0, g);

    // Accumulator: the bias broadcast over [N, G, M/G, O...], or zeros.
    SmallVector<int64_t> og{n, g, m / g};
    og.append(resultType.getShape().begin() + 2, resultType.getShape().end());
    auto ogType = RankedTensorType::get(og, et);
    SmallVector<Value> dynSizes = windowResultSizes(rewriter, loc, x, resultType, window->kernel,
                                                    window->strides, window->dilations);
    Value init =
        adaptor.getB()
            ? broadcastDims(rewriter, loc, splitDim(rewriter, loc, adaptor.getB(), 0, g), ogType,
                            {1, 2}, dynSizes)
            : linalg::FillOp::create(rewriter, loc, scalarConstant(rewriter, loc, et, 0),
                                     emptyTensorSized(rewriter, loc, ogType, dynSizes))
                  .getResult(0);

    // Loops: n, g, m, o_1..o_S (parallel), c, k_1..k_S (reduction).
    int64_t loops = 3 + spatial + 1 + spatial;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    int64_t cLoop = 3 + spatial, kLoop = cLoop + 1;
    SmallVector<AffineExpr> xe{d(0), d(1), d(cLoop)}, we{d(1), d(2), d(cLoop)},
        oe{d(0), d(1), d(2)};
    for (int64_t i = 0; i < spatial; ++i) {
      xe.push_back(d(3 + i) * window->strides[i] + d(kLoop + i) * window->dilations[i]);
      we.push_back(d(kLoop + i));
      oe.push_back(d(3 + i));
    }
    SmallVector<AffineMap> maps{AffineMap::get(loops, 0, xe, ctx),
                                AffineMap::get(loops, 0, we, ctx),
                                AffineMap::get(loops, 0, oe, ctx)};
    rewriter.replaceOp(op, groupedConvolution(rewriter, loc, {xv, wv}, init, maps, resultType));
    return success();
  }
};

} // namespace

void populateConvolutionPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
