// ConvTranspose as a stride-1 convolution: the input with stride - 1 zeros inserted between
// its elements, padded by (effective kernel - 1) minus the pads on each side (cropped where
// that is negative), then one linalg.generic contraction with the spatially flipped kernel,
// whose input and output channel roles swap:
//   out[n, g, m, o...] += u[n, g, c, o_i + k_i * d_i] * w[g, c, m, K_i - 1 - k_i]
// The flip is an affine index, so the weights are never copied; as that index is not a plain
// loop dim, a kernel-shaped tensor.empty operand carries the kernel loops' domain (linalg
// needs every loop dim alone in some operand's map). The inserted zeros cost
// stride^spatial times the multiplications of a direct scatter; a per-phase decomposition
// would avoid that.
#include "dialects/onnx/Window.h"
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

struct ConvTransposeLowering : OpConversionPattern<onnx::ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ConvTransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto xt = cast<RankedTensorType>(adaptor.getX().getType());
    auto wt = cast<RankedTensorType>(adaptor.getW().getType());
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (failed(requireFloat(op, et)))
      return failure();
    int64_t spatial = xt.getRank() - 2, g = op.getGroup();
    ArrayRef<int64_t> kernel = wt.getShape().drop_front(2);
    auto w = onnx::resolveTransposedWindow(op, xt.getShape().drop_front(2), kernel);
    if (failed(w))
      return failure();
    if (llvm::is_contained(xt.getShape().drop_front(2), 0))
      return op.emitError() << "an input with an empty spatial dim is not supported";
    Value zero = scalarConstant(rewriter, loc, et, 0);

    // Zero insertion: u[n, c, i * s] = x[n, c, i].
    Value u = adaptor.getX();
    if (llvm::any_of(w->strides, [](int64_t s) { return s > 1; })) {
      SmallVector<int64_t> shape(xt.getShape().take_front(2));
      SmallVector<OpFoldResult> offsets(xt.getRank(), rewriter.getIndexAttr(0)), sizes,
          strides(2, rewriter.getIndexAttr(1));
      for (int64_t i = 0; i < spatial; ++i) {
        shape.push_back((xt.getDimSize(2 + i) - 1) * w->strides[i] + 1);
        strides.push_back(rewriter.getIndexAttr(w->strides[i]));
      }
      for (int64_t d : xt.getShape())
        sizes.push_back(rewriter.getIndexAttr(d));
      u = tensor::InsertSliceOp::create(rewriter, loc, u,
                                        filledTensor(rewriter, loc, xt.clone(shape), zero),
                                        offsets, sizes, strides);
    }

    // Each side gets effK - 1 - pad: padded where positive, cropped where negative.
    SmallVector<int64_t> low(2, 0), high(2, 0), cropLow(2, 0), size(xt.getShape().take_front(2));
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t effK = (kernel[i] - 1) * w->dilations[i] + 1;
      int64_t lo = effK - 1 - w->padBegin[i], hi = effK - 1 - w->padEnd[i];
      low.push_back(std::max<int64_t>(lo, 0));
      high.push_back(std::max<int64_t>(hi, 0));
      cropLow.push_back(std::max<int64_t>(-lo, 0));
      size.push_back(w->outSizes[i] + effK - 1);
    }
    u = padTensor(rewriter, loc, u, low, high, zero);
    if (cast<RankedTensorType>(u.getType()).getShape() != ArrayRef<int64_t>(size)) {
      SmallVector<OpFoldResult> offsets, sizes, strides(size.size(), rewriter.getIndexAttr(1));
      for (auto [o, s] : llvm::zip(cropLow, size)) {
        offsets.push_back(rewriter.getIndexAttr(o));
        sizes.push_back(rewriter.getIndexAttr(s));
      }
      u = tensor::ExtractSliceOp::create(rewriter, loc, xt.clone(size), u, offsets, sizes,
                                         strides);
    }

    // [N, C, U...] -> [N, G, C/G, U...]; [C, M/G, K...] -> [G, C/G, M/G, K...].
    int64_t n = xt.getDimSize(0), m = rt.getDimSize(1);
    Value uv = splitDim(rewriter, loc, u, 1, g);
    Value wv = splitDim(rewriter, loc, adaptor.getW(), 0, g);
    SmallVector<int64_t> og{n, g, m / g};
    og.append(rt.getShape().begin() + 2, rt.getShape().end());
    auto ogType = RankedTensorType::get(og, et);
    Value init = adaptor.getB()
                     ? broadcastDims(rewriter, loc, splitDim(rewriter, loc, adaptor.getB(), 0, g),
                                     ogType, {1, 2})
                     : filledTensor(rewriter, loc, ogType, zero);

    // Loops: n, g, m, o_1..o_S (parallel), c, k_1..k_S (reduction).
    int64_t cLoop = 3 + spatial, kLoop = cLoop + 1, loops = kLoop + spatial;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> ue{d(0), d(1), d(cLoop)}, we{d(1), d(cLoop), d(2)}, ke,
        oe{d(0), d(1), d(2)};
    for (int64_t i = 0; i < spatial; ++i) {
      ue.push_back(d(3 + i) + d(kLoop + i) * w->dilations[i]);
      we.push_back(getAffineConstantExpr(kernel[i] - 1, ctx) - d(kLoop + i));
      ke.push_back(d(kLoop + i));
      oe.push_back(d(3 + i));
    }
    Value kernelShape = tensor::EmptyOp::create(rewriter, loc, kernel, et);
    SmallVector<AffineMap> maps{AffineMap::get(loops, 0, ue, ctx), AffineMap::get(loops, 0, we, ctx),
                                AffineMap::get(loops, 0, ke, ctx), AffineMap::get(loops, 0, oe, ctx)};
    rewriter.replaceOp(op, groupedConvolution(rewriter, loc, {uv, wv, kernelShape}, init, maps, rt));
    return success();
  }
};

} // namespace

void populateConvTransposePatterns(RewritePatternSet &patterns) {
  patterns.add<ConvTransposeLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
