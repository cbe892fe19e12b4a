// Signal processing: the window functions become constants. Their values depend only on the
// result's length, known at compile time, so they are computed here in double precision (the
// size input, possibly a run-time value, must agree with that length).
#include "passes/lowering/LoweringUtils.h"

#include <cmath>

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N) for the generalized cosine windows.
template <typename OpT> struct WindowLowering : OpConversionPattern<OpT> {
  WindowLowering(MLIRContext *ctx, double a0, double a1, double a2)
      : OpConversionPattern<OpT>(ctx), a0(a0), a1(a1), a2(a2) {}
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;
  LogicalResult matchAndRewrite(OpT op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto rt = staticType(op, op.getOutput());
    if (failed(rt))
      return failure();
    int64_t size = rt->getDimSize(0);
    double n = op.getPeriodic() ? size : size - 1;
    auto ft = cast<FloatType>(rt->getElementType());
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < size; ++i) {
      double x = n > 0 ? 2 * M_PI * double(i) / n : 0;
      APFloat v(a0 - a1 * std::cos(x) + a2 * std::cos(2 * x));
      bool lost;
      v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v);
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, DenseElementsAttr::get(*rt, values));
    return success();
  }
  double a0, a1, a2;
};

} // namespace

void populateSignalPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<WindowLowering<onnx::HannWindowOp>>(ctx, 0.5, 0.5, 0.0);
  // ONNX's Hamming coefficients are 25/46 and 21/46, not the rounded 0.54 / 0.46.
  patterns.add<WindowLowering<onnx::HammingWindowOp>>(ctx, 25.0 / 46, 21.0 / 46, 0.0);
  patterns.add<WindowLowering<onnx::BlackmanWindowOp>>(ctx, 0.42, 0.5, 0.08);
}

} // namespace onnxc::lowering
