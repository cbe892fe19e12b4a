// Conv of any spatial rank, groups and dilations: pad, view input and weights per group, and
// one linalg.generic contraction whose accumulator starts from the bias.
//   out[n, g, m, o...] += x[n, g, c, o_i * s_i + k_i * d_i] * w[g, m, c, k...]
#include "dialects/onnx/Window.h"
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// Whether `v` reaches, through at most a few ops of its own type (activations, a swish's
/// Sigmoid and Mul), only convolutions and pools that pad it. Such a Conv's result is better
/// computed on its [H, W] map than on the flattened one: onnx-write-into-pads then has the
/// kernel write into the padded buffer's interior (a flattened row cannot: the padded rows
/// are apart), which saves a copy of the whole result.
bool feedsOnlyPaddedWindows(Value v, int depth = 0) {
  if (depth > 3 || v.use_empty())
    return false;
  for (Operation *user : v.getUsers()) {
    if (isa<onnx::ConvOp, onnx::MaxPoolOp, onnx::AveragePoolOp>(user)) {
      auto pads = user->getAttrOfType<DenseI64ArrayAttr>("pads");
      auto autoPad = user->getAttrOfType<StringAttr>("auto_pad");
      bool padded = (pads && llvm::any_of(pads.asArrayRef(), [](int64_t p) { return p != 0; })) ||
                    (autoPad && autoPad.getValue().starts_with("SAME"));
      if (user->getOperand(0) != v || !padded)
        return false;
      continue;
    }
    if (user->getNumResults() != 1 || user->getResult(0).getType() != v.getType() ||
        !isa<onnx::OnnxDialect>(user->getDialect()) ||
        !feedsOnlyPaddedWindows(user->getResult(0), depth + 1))
      return false;
  }
  return true;
}

/// x[n, c, o_i * s_i] for o_i < out_i: the pixels a strided 1x1 window reads, contiguous.
Value subsample(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> out) {
  auto xt = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape{xt.getDimSize(0), xt.getDimSize(1)};
  shape.append(out.begin(), out.end());
  auto type = RankedTensorType::get(shape, xt.getElementType());
  MLIRContext *ctx = b.getContext();
  unsigned rank = shape.size();
  SmallVector<AffineExpr> in{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  for (unsigned i = 2; i < rank; ++i)
    in.push_back(getAffineDimExpr(i, ctx) * strides[i - 2]);
  SmallVector<AffineMap> maps{AffineMap::get(rank, 0, in, ctx),
                              AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, type, {x});
  return linalg::GenericOp::create(
             b, loc, type, x, init, maps, iters,
             [](OpBuilder &b, Location loc, ValueRange args) {
               linalg::YieldOp::create(b, loc, args[0]);
             })
      .getResult(0);
}

/// Rows at least this long keep their map when the result feeds padded windows only
/// (feedsOnlyPaddedWindows): shorter rows waste too many vector lanes (7 of 16 on a 7x7 map).
constexpr int64_t kMinRowUnflattened = 14;
/// Strided 1x1 convolutions with rows at least kMinRowUnflattened long are subsampled only
/// with this many output channels or more (see ConvLowering).
constexpr int64_t kMinChannelsSubsampled = 512;

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

    // A pointwise convolution (1x1 kernel, unit strides, no padding) over static spatial
    // dims is a matrix product over the flattened map: the contraction runs on [N, C, H*W]
    // and its result is reshaped back, so the kernel's vectors run along H*W (a 7x7 map
    // fills 49 of 64 lanes in 4 vectors instead of 7 of 16 per row; 14x14: 196 of 208).
    // onnx-fuse-elementwise collapses the elementwise consumers (activation, residual add)
    // the same way, so they still fuse as the kernel's epilogue. Not when the result only
    // feeds padded windows and its rows fill the lanes well enough (feedsOnlyPaddedWindows).
    Value xIn = adaptor.getX(), wIn = adaptor.getW();
    RankedTensorType convType = resultType;
    auto isOne = [](int64_t v) { return v == 1; };
    auto isZero = [](int64_t v) { return v == 0; };
    // A strided 1x1 convolution without padding (ResNet's downsampling projections) reads
    // one pixel in s*s: subsample the input first, one pass over the pixels it reads, and
    // the convolution is pointwise. Read in place, its vectors are strided loads (a span
    // and a shuffle each) along rows of OW pixels: 1024x14x14 -> 2048 (7 of 16 lanes) ran
    // at 53% of the FMA peak, 1.77 -> 1.28 ms subsampled; 256x56x56 -> 512 1.26 -> 1.04 ms.
    // The copy is 1 / M of the convolution's work: with 128 or 256 output channels and rows
    // that fill the lanes it cost 3-10% more than it saved (resnet18's 64x56x56 -> 128,
    // 128x28x28 -> 256; docs/perf.md, session 12), hence the thresholds.
    int64_t outChannels = wt.getDimSize(0);
    if (spatial >= 2 && llvm::all_of(window->kernel, isOne) &&
        !llvm::all_of(window->strides, isOne) && llvm::all_of(window->padBegin, isZero) &&
        llvm::all_of(window->padEnd, isZero) &&
        !ShapedType::isDynamicShape(xt.getShape().drop_front(1)) &&
        (window->outSizes.back() < kMinRowUnflattened ||
         outChannels >= kMinChannelsSubsampled)) {
      xIn = subsample(rewriter, loc, xIn, window->strides, window->outSizes);
      xt = cast<RankedTensorType>(xIn.getType());
      window->strides.assign(spatial, 1);
    }
    bool pointwise = spatial >= 2 && llvm::all_of(window->kernel, isOne) &&
                     llvm::all_of(window->strides, isOne) &&
                     llvm::all_of(window->padBegin, isZero) &&
                     llvm::all_of(window->padEnd, isZero) &&
                     !ShapedType::isDynamicShape(xt.getShape().drop_front(1)) &&
                     !(xt.getShape().back() >= kMinRowUnflattened &&
                       feedsOnlyPaddedWindows(op.getResult()));
    SmallVector<ReassociationIndices> flatten{{0}, {1}, {}};
    if (pointwise) {
      for (int64_t i = 0; i < spatial; ++i)
        flatten.back().push_back(2 + i);
      int64_t pixels = 1;
      for (int64_t size : xt.getShape().drop_front(2))
        pixels *= size;
      xIn = tensor::CollapseShapeOp::create(rewriter, loc, xIn, flatten);
      wIn = tensor::CollapseShapeOp::create(rewriter, loc, wIn, flatten);
      convType = RankedTensorType::get({resultType.getDimSize(0), resultType.getDimSize(1), pixels}, et);
      spatial = 1;
      window->kernel = {1};
      window->strides = {1};
      window->dilations = {1};
      window->padBegin = {0};
      window->padEnd = {0};
    }

    SmallVector<int64_t> lo(2, 0), hi(2, 0);
    lo.append(window->padBegin);
    hi.append(window->padEnd);
    Value x = padTensor(rewriter, loc, xIn, lo, hi, scalarConstant(rewriter, loc, et, 0),
                        /*bordersOnly=*/true);

    // [N, C, H...] -> [N, G, C/G, H...]; [M, C/G, K...] -> [G, M/G, C/G, K...].
    int64_t n = xt.getDimSize(0), m = wt.getDimSize(0);
    Value xv = splitDim(rewriter, loc, x, 1, g), wv = splitDim(rewriter, loc, wIn, 0, g);

    // Accumulator: the bias broadcast over [N, G, M/G, O...], or zeros.
    SmallVector<int64_t> og{n, g, m / g};
    og.append(convType.getShape().begin() + 2, convType.getShape().end());
    auto ogType = RankedTensorType::get(og, et);
    SmallVector<Value> dynSizes = windowResultSizes(rewriter, loc, x, convType, window->kernel,
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
    Value result = groupedConvolution(rewriter, loc, {xv, wv}, init, maps, convType);
    if (pointwise)
      result = tensor::ExpandShapeOp::create(rewriter, loc, resultType, result, flatten);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateConvolutionPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
