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
    if (failed(requireStaticShapes(op)))
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

    SmallVector<int64_t> lo(2, 0), hi(2, 0);
    lo.append(window->padBegin);
    hi.append(window->padEnd);
    Value x = padTensor(rewriter, loc, adaptor.getX(), lo, hi,
                        scalarConstant(rewriter, loc, et, 0));
    auto pt = cast<RankedTensorType>(x.getType());

    // [N, C, H...] -> [N, G, C/G, H...]; [M, C/G, K...] -> [G, M/G, C/G, K...].
    int64_t n = xt.getDimSize(0), c = xt.getDimSize(1), m = wt.getDimSize(0);
    SmallVector<int64_t> xg{n, g, c / g};
    xg.append(pt.getShape().begin() + 2, pt.getShape().end());
    SmallVector<int64_t> wg{g, m / g, wt.getDimSize(1)};
    wg.append(wt.getShape().begin() + 2, wt.getShape().end());
    SmallVector<int64_t> og{n, g, m / g};
    og.append(resultType.getShape().begin() + 2, resultType.getShape().end());
    auto expand = [&](Value v, ArrayRef<int64_t> shape, int64_t splitDim) -> Value {
      SmallVector<ReassociationIndices> re;
      int64_t rank = shape.size();
      for (int64_t i = 0, j = 0; i < rank; ++j) {
        ReassociationIndices group{i++};
        if (j == splitDim)
          group.push_back(i++);
        re.push_back(group);
      }
      return tensor::ExpandShapeOp::create(rewriter, loc, RankedTensorType::get(shape, et), v, re);
    };
    Value xv = expand(x, xg, 1), wv = expand(adaptor.getW(), wg, 0);

    // Accumulator: the bias broadcast over [N, G, M/G, O...], or zeros.
    auto ogType = RankedTensorType::get(og, et);
    Value init;
    if (adaptor.getB()) {
      Value bias = expand(adaptor.getB(), {g, m / g}, 0);
      SmallVector<AffineExpr> biasExprs{getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)};
      auto biasMap = AffineMap::get(og.size(), 0, biasExprs, ctx);
      SmallVector<utils::IteratorType> iters(og.size(), utils::IteratorType::parallel);
      init = linalg::GenericOp::create(
                 rewriter, loc, TypeRange{ogType}, ValueRange{bias},
                 ValueRange{emptyTensor(rewriter, loc, ogType)},
                 ArrayRef<AffineMap>{biasMap, rewriter.getMultiDimIdentityMap(og.size())}, iters,
                 [](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(b, l, args[0]);
                 })
                 .getResult(0);
    } else {
      init = filledTensor(rewriter, loc, ogType, scalarConstant(rewriter, loc, et, 0));
    }

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
    SmallVector<utils::IteratorType> iters(3 + spatial, utils::IteratorType::parallel);
    iters.append(1 + spatial, utils::IteratorType::reduction);
    SmallVector<AffineMap> maps{AffineMap::get(loops, 0, xe, ctx),
                                AffineMap::get(loops, 0, we, ctx),
                                AffineMap::get(loops, 0, oe, ctx)};
    Value conv = linalg::GenericOp::create(
                     rewriter, loc, TypeRange{ogType}, ValueRange{xv, wv}, ValueRange{init}, maps,
                     iters,
                     [](OpBuilder &b, Location l, ValueRange args) {
                       Value p = arith::MulFOp::create(b, l, args[0], args[1]);
                       linalg::YieldOp::create(b, l, ValueRange{arith::AddFOp::create(b, l, args[2], p)});
                     })
                     .getResult(0);
    SmallVector<ReassociationIndices> collapse{{0}, {1, 2}};
    for (int64_t i = 0; i < spatial; ++i)
      collapse.push_back({3 + i});
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, resultType, conv, collapse);
    return success();
  }
};

} // namespace

void populateConvolutionPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
