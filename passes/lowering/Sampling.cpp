// Resampling: Resize as linalg.generic ops that compute each output element's source
// coordinate in f64 (ONNX's reference computes in float64, and nearest rounding is sensitive
// to it) and read the input at the taps with tensor.extract. Scales and roi may be run-time
// values: they are read once, before the loops. Nearest reads one element per output element
// in a single pass over every dim; linear and cubic are separable, so they run one pass per
// resized dim, each weighting 2 or 4 taps along that dim (4 per dim rather than 4^rank per
// element). GridSample and RoiAlign sample bilinearly (or nearest / bicubic) at coordinates
// read from their grid and rois inputs, in the same style.
#include "dialects/onnx/ShapeOperands.h"
#include "passes/lowering/LoweringUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// Converts a float scalar to `type` (a float type) by extension or truncation.
Value castFloat(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  if (v.getType().getIntOrFloatBitWidth() < type.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, type, v);
  return arith::TruncFOp::create(b, loc, type, v);
}

/// Element `at` of a float tensor as `type`, read at run time.
Value extractFloat(OpBuilder &b, Location loc, Value tensor, ArrayRef<int64_t> at, Type type) {
  SmallVector<Value> idx;
  for (int64_t i : at)
    idx.push_back(arith::ConstantIndexOp::create(b, loc, i));
  return castFloat(b, loc, tensor::ExtractOp::create(b, loc, tensor, idx), type);
}

/// Scalar arithmetic in one float type, for the coordinate computations.
struct FMath {
  OpBuilder &b;
  Location loc;
  Type type;
  Value c(double v) const { return scalarConstant(b, loc, type, v); }
  Value add(Value x, Value y) const { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) const { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) const { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) const { return arith::DivFOp::create(b, loc, x, y); }
  Value floor(Value x) const { return math::FloorOp::create(b, loc, x); }
  Value max(Value x, Value y) const { return arith::MaxNumFOp::create(b, loc, x, y); }
  Value min(Value x, Value y) const { return arith::MinNumFOp::create(b, loc, x, y); }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) const {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value cond, Value x, Value y) const {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value both(Value x, Value y) const {
    return x && y ? arith::AndIOp::create(b, loc, x, y).getResult() : x ? x : y;
  }
  /// 0 <= x <= size - 1.
  Value inRange(Value x, int64_t size) const {
    return both(cmp(arith::CmpFPredicate::OGE, x, c(0)),
                cmp(arith::CmpFPredicate::OLE, x, c(size - 1)));
  }
  /// x as an index clamped into [0, size - 1] (truncated): reads outside a dim hit its edge
  /// (or are masked by the caller), never outside the buffer. maxnum/minnum also turn a NaN
  /// from bad run-time data into 0.
  Value index(Value x, int64_t size) const {
    Value i = arith::FPToSIOp::create(b, loc, b.getI64Type(), min(max(x, c(0)), c(size - 1)));
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
  }
  /// Keys' cubic convolution weights of the taps floor - 1 .. floor + 2 of a position whose
  /// fraction is t (distances 1 + t, t, 1 - t, 2 - t), with coefficient `a`.
  SmallVector<Value> cubicWeights(Value t, double a) const {
    auto outer = [&](Value s) { // 1 <= s <= 2
      return sub(mul(add(mul(sub(mul(c(a), s), c(5 * a)), s), c(8 * a)), s), c(4 * a));
    };
    auto inner = [&](Value s) { // 0 <= s <= 1
      return add(mul(mul(sub(mul(c(a + 2), s), c(a + 3)), s), s), c(1));
    };
    Value oneMinus = sub(c(1), t);
    return {outer(add(t, c(1))), inner(t), inner(oneMinus), outer(add(oneMinus, c(1)))};
  }
};

/// The input positions one output position reads along one dim.
struct Taps {
  SmallVector<Value> index;  // index type, clamped into the dim
  SmallVector<Value> weight; // one per index; empty for nearest
  SmallVector<Value> valid;  // i1 per index, or empty: the position is inside the input
  Value inside;              // i1 for Resize's tf_crop_and_resize (else null): not extrapolated
};

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// The attributes every tap computation reads.
struct ResizeParams {
  StringRef mode, coord, nearest;
  double cubicA;
  bool excludeOutside;
};

/// One dim of the input as Resize sees it.
struct ResizeDim {
  int64_t in = 1, out = 1;
  Value scale;            // f64
  Value roiStart, roiEnd; // f64, tf_crop_and_resize only
  bool identity = false;  // Provably reads position i for output position i: no taps.
};

/// ONNX's coordinate transformations, as its reference implementation computes them: the
/// "output length" of align_corners, pytorch_half_pixel and tf_crop_and_resize is
/// scale * input length (not the integer output size), which matters when scales are given.
Value sourceCoordinate(const FMath &m, const ResizeParams &p, const ResizeDim &d,
                       Value outIndex) {
  Value x = arith::SIToFPOp::create(
      m.b, m.loc, m.type, arith::IndexCastOp::create(m.b, m.loc, m.b.getI64Type(), outIndex));
  Value outLength = m.mul(d.scale, m.c(d.in));
  auto isOne = [&] { return m.cmp(arith::CmpFPredicate::OEQ, outLength, m.c(1)); };
  auto halfPixel = [&] { return m.sub(m.div(m.add(x, m.c(0.5)), d.scale), m.c(0.5)); };
  StringRef mode = p.coord;
  if (mode == "half_pixel")
    return halfPixel();
  if (mode == "half_pixel_symmetric") {
    // Centers the sampled span when the integer output size rounds the scaled length.
    Value adjustment = m.div(m.c(d.out), outLength);
    return m.add(m.mul(m.c(d.in / 2.0), m.sub(m.c(1), adjustment)), halfPixel());
  }
  if (mode == "pytorch_half_pixel")
    return m.select(isOne(), m.c(-0.5), halfPixel());
  if (mode == "align_corners")
    return m.select(isOne(), m.c(0), m.div(m.mul(x, m.c(d.in - 1)), m.sub(outLength, m.c(1))));
  if (mode == "asymmetric")
    return m.div(x, d.scale);
  if (mode == "tf_half_pixel_for_nn")
    return m.div(m.add(x, m.c(0.5)), d.scale);
  // tf_crop_and_resize: the output spans [roiStart, roiEnd] of the input (normalized).
  Value span = m.sub(d.roiEnd, d.roiStart);
  Value single = m.mul(m.mul(span, m.c(d.in - 1)), m.c(0.5));
  Value many = m.div(m.mul(m.mul(x, span), m.c(d.in - 1)), m.sub(outLength, m.c(1)));
  return m.add(m.select(isOne(), single, many), m.mul(d.roiStart, m.c(d.in - 1)));
}

Taps resizeTaps(OpBuilder &b, Location loc, const ResizeParams &p, const ResizeDim &d,
                Value outIndex) {
  FMath m{b, loc, b.getF64Type()};
  Value x = sourceCoordinate(m, p, d, outIndex);
  Taps t;
  if (p.coord == "tf_crop_and_resize")
    t.inside = m.inRange(x, d.in);
  // Positions outside read the edge, as the reference's edge padding does.
  Value floor = m.floor(x);
  Value ratio = m.sub(x, floor);
  if (p.mode == "nearest") {
    // An integral coordinate reads itself (ratio 0) in every nearest_mode.
    Value up;
    if (p.nearest == "round_prefer_floor")
      up = m.cmp(arith::CmpFPredicate::OGT, ratio, m.c(0.5));
    else if (p.nearest == "round_prefer_ceil")
      up = m.cmp(arith::CmpFPredicate::OGE, ratio, m.c(0.5));
    else if (p.nearest == "ceil")
      up = m.cmp(arith::CmpFPredicate::OGT, ratio, m.c(0));
    t.index.push_back(m.index(up ? m.select(up, m.add(floor, m.c(1)), floor) : floor, d.in));
    return t;
  }
  SmallVector<Value> positions;
  if (p.mode == "linear") {
    positions = {floor, m.add(floor, m.c(1))};
    t.weight = {m.sub(m.c(1), ratio), ratio};
  } else {
    positions = {m.sub(floor, m.c(1)), floor, m.add(floor, m.c(1)), m.add(floor, m.c(2))};
    t.weight = m.cubicWeights(ratio, p.cubicA);
    if (p.excludeOutside) {
      // Taps outside the input get weight 0; the rest are renormalized to sum to 1. (For
      // linear this changes nothing: the edge value is read either way.)
      Value sum;
      for (auto [pos, w] : llvm::zip(positions, t.weight)) {
        w = m.select(m.inRange(pos, d.in), w, m.c(0));
        sum = sum ? m.add(sum, w) : w;
      }
      for (Value &w : t.weight)
        w = m.div(w, sum);
    }
  }
  for (Value pos : positions)
    t.index.push_back(m.index(pos, d.in));
  return t;
}

/// A linalg.generic over `type` with no inputs whose body computes each element from its
/// indices.
Value generateTensor(OpBuilder &b, Location loc, RankedTensorType type,
                     function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> element) {
  int64_t rank = type.getRank();
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{}, ValueRange{emptyTensor(b, loc, type)},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)}, iters,
             [&](OpBuilder &nb, Location nl, ValueRange) {
               SmallVector<Value> idx;
               for (int64_t i = 0; i < rank; ++i)
                 idx.push_back(linalg::IndexOp::create(nb, nl, i));
               linalg::YieldOp::create(nb, nl, element(nb, nl, idx));
             })
      .getResult(0);
}

struct ResizeLowering : OpConversionPattern<onnx::ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ResizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto types = staticSameRank(op, op.getX(), op.getY());
    if (failed(types) || failed(requireStaticShapes(op)))
      return failure();
    RankedTensorType xt = types->first, rt = types->second;
    int64_t rank = xt.getRank();
    auto axes = op.resizedAxes(rank);
    if (failed(axes))
      return failure();
    if (xt.getNumElements() == 0 && rt.getNumElements() != 0)
      return op.emitError() << "cannot resize an empty input to a non-empty result";
    ResizeParams p{op.getMode(), op.getCoordinateTransformationMode(), op.getNearestMode(),
                   op.getCubicCoeffA().convertToDouble(), op.getExcludeOutside() != 0};
    Location loc = op.getLoc();
    auto f64 = [&](double v) { return scalarConstant(rewriter, loc, rewriter.getF64Type(), v); };

    // The scale of each resized dim: constant scales, the ratio of the static sizes (or one
    // ratio for every dim under keep_aspect_ratio_policy, from constant sizes), or read from
    // the scales input at run time.
    std::optional<SmallVector<double>> scales;
    if (op.getScales()) {
      scales = onnx::constantFloats(op.getScales());
    } else if (op.getKeepAspectRatioPolicy() != "stretch") {
      auto sizes = onnx::constantInts(op.getSizes());
      if (!sizes)
        return op.emitError() << "keep_aspect_ratio_policy '" << op.getKeepAspectRatioPolicy()
                              << "' needs constant 'sizes'";
      SmallVector<int64_t> in;
      for (int64_t a : *axes)
        in.push_back(xt.getDimSize(a));
      auto resolved = op.scalesFromSizes(in, *sizes);
      if (failed(resolved))
        return failure();
      scales = resolved->first;
    }
    bool crop = p.coord == "tf_crop_and_resize";
    SmallVector<ResizeDim> dims(rank);
    for (int64_t i = 0; i < rank; ++i) {
      ResizeDim &d = dims[i];
      d.in = xt.getDimSize(i);
      d.out = rt.getDimSize(i);
      const int64_t *pos = llvm::find(*axes, i);
      if (pos == axes->end()) {
        if (d.in != d.out)
          return op.emitError() << "dim " << i << " is not resized but the result has size "
                                << d.out << " for input size " << d.in;
        d.identity = true;
        continue;
      }
      int64_t k = pos - axes->begin();
      std::optional<double> scale;
      if (scales)
        scale = (*scales)[k];
      else if (op.getSizes())
        scale = d.in == 0 ? 1.0 : double(d.out) / double(d.in);
      // With scale 1 every mode but these two maps position i to i.
      d.identity = scale && *scale == 1.0 && d.in == d.out && !crop &&
                   p.coord != "tf_half_pixel_for_nn";
      if (d.identity)
        continue;
      Type f64Type = rewriter.getF64Type();
      d.scale = scale ? f64(*scale) : extractFloat(rewriter, loc, adaptor.getScales(), k, f64Type);
      if (crop) {
        d.roiStart = extractFloat(rewriter, loc, adaptor.getRoi(), k, f64Type);
        d.roiEnd = extractFloat(rewriter, loc, adaptor.getRoi(), k + axes->size(), f64Type);
      }
    }

    // Unsigned integers (nearest only) move through their signless twin: arith refuses them.
    Type et = rt.getElementType();
    Value x = adaptor.getX();
    if (et.isUnsignedInteger()) {
      et = IntegerType::get(op.getContext(), et.getIntOrFloatBitWidth());
      x = tensor::BitcastOp::create(rewriter, loc, xt.clone(et), x);
    }
    Value extrapolation =
        crop ? scalarConstant(rewriter, loc, et, op.getExtrapolationValue().convertToDouble())
             : Value();
    auto extrapolate = [&](OpBuilder &b, Location l, Value inside, Value v) -> Value {
      return inside ? arith::SelectOp::create(b, l, inside, v, extrapolation).getResult() : v;
    };

    Value result;
    if (p.mode == "nearest") {
      result = generateTensor(rewriter, loc, rt.clone(et), [&](OpBuilder &b, Location l,
                                                              ArrayRef<Value> idx) {
        SmallVector<Value> at;
        Value inside;
        for (int64_t i = 0; i < rank; ++i) {
          if (dims[i].identity) {
            at.push_back(idx[i]);
            continue;
          }
          Taps t = resizeTaps(b, l, p, dims[i], idx[i]);
          at.push_back(t.index[0]);
          if (t.inside)
            inside = inside ? arith::AndIOp::create(b, l, inside, t.inside).getResult() : t.inside;
        }
        return extrapolate(b, l, inside, tensor::ExtractOp::create(b, l, x, at));
      });
    } else {
      // Linear and cubic: one pass per resized dim, shrinking dims first so that later
      // passes touch fewer elements. Narrow floats accumulate in f32.
      Type acc = et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;
      SmallVector<int64_t> order;
      for (bool growing : {false, true})
        for (int64_t i = 0; i < rank; ++i)
          if (!dims[i].identity && (dims[i].out > dims[i].in) == growing)
            order.push_back(i);
      SmallVector<int64_t> shape(xt.getShape());
      result = x;
      for (int64_t i : order) {
        shape[i] = dims[i].out;
        Value source = result;
        result = generateTensor(rewriter, loc, RankedTensorType::get(shape, et),
                                [&](OpBuilder &b, Location l, ArrayRef<Value> idx) {
          Taps t = resizeTaps(b, l, p, dims[i], idx[i]);
          Value sum;
          for (auto [index, weight] : llvm::zip(t.index, t.weight)) {
            SmallVector<Value> at(idx);
            at[i] = index;
            Value v = castFloat(b, l, tensor::ExtractOp::create(b, l, source, at), acc);
            Value term = arith::MulFOp::create(b, l, v, castFloat(b, l, weight, acc));
            sum = sum ? arith::AddFOp::create(b, l, sum, term).getResult() : term;
          }
          return extrapolate(b, l, t.inside, castFloat(b, l, sum, et));
        });
      }
    }
    if (et != rt.getElementType())
      result = tensor::BitcastOp::create(rewriter, loc, rt, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

/// GridSample as PyTorch's grid_sample computes it (the source of ONNX's test data), in
/// float32 (float64 for double grids): grid values in [-1, 1] are unnormalized to pixel
/// positions, nearest and bilinear positions are then padded (border: clamped; reflection:
/// reflected, then clamped), bicubic pads each of its 4 x 4 taps instead. Taps outside the
/// input read zero. Every spatial dim is handled alike, so 3-D grids (opset 20) work too.
struct GridSampleLowering : OpConversionPattern<onnx::GridSampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GridSampleOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto xt = cast<RankedTensorType>(op.getX().getType());
    auto gt = cast<RankedTensorType>(op.getGrid().getType());
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (failed(requireFloat(op, et)))
      return failure();
    if (xt.getNumElements() == 0 && rt.getNumElements() != 0)
      return op.emitError() << "cannot sample an empty input";
    int64_t spatial = xt.getRank() - 2;
    Type ct = gt.getElementType().getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type()
                                                                : gt.getElementType();
    Type acc = et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    bool align = op.getAlignCorners() != 0;
    Value x = adaptor.getX(), grid = adaptor.getGrid();
    Value result = generateTensor(rewriter, op.getLoc(), rt, [&](OpBuilder &b, Location l,
                                                                 ArrayRef<Value> idx) {
      FMath m{b, l, ct};
      // Border clamps into the input; reflection mirrors at the edges (at the outer pixel
      // borders without align_corners), then clamps.
      auto pad = [&](Value pos, int64_t size) -> Value {
        if (padding == "zeros")
          return pos;
        if (padding == "reflection") {
          double lo = align ? 0 : -0.5, span = align ? size - 1 : size;
          if (span <= 0) {
            pos = m.c(0);
          } else {
            Value d = math::AbsFOp::create(b, l, m.sub(pos, m.c(lo)));
            Value flips = m.floor(m.div(d, m.c(span)));
            Value extra = m.sub(d, m.mul(flips, m.c(span)));
            Value odd = m.cmp(arith::CmpFPredicate::ONE,
                              m.sub(flips, m.mul(m.floor(m.mul(flips, m.c(0.5))), m.c(2))),
                              m.c(0));
            pos = m.add(m.select(odd, m.sub(m.c(span), extra), extra), m.c(lo));
          }
        }
        return m.min(m.max(pos, m.c(0)), m.c(size - 1));
      };
      SmallVector<Taps> taps;
      for (int64_t i = 0; i < spatial; ++i) {
        int64_t size = xt.getDimSize(2 + i);
        // grid[n, o..., k] holds the coordinate of spatial dim spatial - 1 - k (x first).
        SmallVector<Value> at{idx[0]};
        at.append(idx.begin() + 2, idx.end());
        at.push_back(arith::ConstantIndexOp::create(b, l, spatial - 1 - i));
        Value g = castFloat(b, l, tensor::ExtractOp::create(b, l, grid, at), ct);
        Value pos = align ? m.mul(m.mul(m.add(g, m.c(1)), m.c(0.5)), m.c(size - 1))
                          : m.mul(m.sub(m.mul(m.add(g, m.c(1)), m.c(size)), m.c(1)), m.c(0.5));
        Taps t;
        SmallVector<Value> positions;
        if (mode == "nearest") {
          positions = {math::RoundEvenOp::create(b, l, pad(pos, size))};
        } else if (mode == "bilinear") {
          pos = pad(pos, size);
          Value floor = m.floor(pos), frac = m.sub(pos, m.floor(pos));
          positions = {floor, m.add(floor, m.c(1))};
          t.weight = {m.sub(m.c(1), frac), frac};
        } else {
          Value floor = m.floor(pos);
          t.weight = m.cubicWeights(m.sub(pos, floor), -0.75);
          for (int64_t k = -1; k <= 2; ++k)
            positions.push_back(pad(m.add(floor, m.c(k)), size));
        }
        for (Value p : positions) {
          t.index.push_back(m.index(p, size));
          t.valid.push_back(m.inRange(p, size));
        }
        taps.push_back(std::move(t));
      }
      // Every combination of one tap per dim.
      Value sum;
      SmallVector<size_t> choice(spatial, 0);
      while (true) {
        SmallVector<Value> at{idx[0], idx[1]};
        Value valid, weight;
        for (int64_t i = 0; i < spatial; ++i) {
          const Taps &t = taps[i];
          at.push_back(t.index[choice[i]]);
          valid = m.both(valid, t.valid[choice[i]]);
          if (!t.weight.empty())
            weight = weight ? m.mul(weight, t.weight[choice[i]]) : t.weight[choice[i]];
        }
        Value v = castFloat(b, l, tensor::ExtractOp::create(b, l, x, at), acc);
        v = arith::SelectOp::create(b, l, valid, v, scalarConstant(b, l, acc, 0));
        if (weight)
          v = arith::MulFOp::create(b, l, v, castFloat(b, l, weight, acc));
        sum = sum ? arith::AddFOp::create(b, l, sum, v).getResult() : v;
        int64_t i = spatial - 1;
        while (i >= 0 && ++choice[i] == taps[i].index.size())
          choice[i--] = 0;
        if (i < 0)
          break;
      }
      return castFloat(b, l, sum, et);
    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

/// RoiAlign as ONNX Runtime computes it: one linalg.generic over (roi, c, ph, pw, iy, ix)
/// reducing over the sampling_ratio x sampling_ratio samples of each bin (a window-shaped
/// operand carries their domain, as in pooling); avg then scales by 1 / samples. The
/// adaptive sample count of sampling_ratio = 0 depends on the run-time rois and is refused.
struct RoiAlignLowering : OpConversionPattern<onnx::RoiAlignOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::RoiAlignOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    auto xt = cast<RankedTensorType>(op.getX().getType());
    auto rt = cast<RankedTensorType>(op.getType());
    Type et = rt.getElementType();
    if (failed(requireFloat(op, et)))
      return failure();
    int64_t grid = op.getSamplingRatio();
    if (grid == 0)
      return op.emitError() << "sampling_ratio=0 (adaptive, a sample count that depends on the "
                               "run-time rois) is not supported; give a positive sampling_ratio";
    Type indexEt = cast<ShapedType>(op.getBatchIndices().getType()).getElementType();
    if (!indexEt.isSignlessInteger() || indexEt.isInteger(1))
      return op.emitError() << "batch_indices must be int32 or int64, not " << indexEt;
    if (xt.getNumElements() == 0 && rt.getNumElements() != 0)
      return op.emitError() << "cannot sample an empty input";
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type acc = et.getIntOrFloatBitWidth() < 32 ? rewriter.getF32Type() : et;
    bool halfPixel = op.getCoordinateTransformationMode() == "half_pixel";
    bool isMax = op.getMode() == "max";
    int64_t outH = op.getOutputHeight(), outW = op.getOutputWidth();
    int64_t height = xt.getDimSize(2), width = xt.getDimSize(3), batch = xt.getDimSize(0);
    double scale = op.getSpatialScale().convertToDouble();
    Value x = adaptor.getX(), rois = adaptor.getRois(), batchIndices = adaptor.getBatchIndices();

    auto accType = rt.clone(acc);
    Value init = filledTensor(rewriter, loc, accType,
                              isMax ? extremeConstant(rewriter, loc, acc, /*lowest=*/true)
                                    : scalarConstant(rewriter, loc, acc, 0));
    Value samples = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{grid, grid}, acc);
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> maps{AffineMap::get(6, 0, {d(4), d(5)}, ctx),
                                AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx)};
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    iters.append(2, utils::IteratorType::reduction);
    Value pooled = linalg::GenericOp::create(
        rewriter, loc, TypeRange{accType}, ValueRange{samples}, ValueRange{init}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          FMath m{b, l, acc};
          auto idx = [&](int64_t i) { return Value(linalg::IndexOp::create(b, l, i)); };
          auto asFloat = [&](Value index) -> Value {
            return arith::SIToFPOp::create(
                b, l, acc, arith::IndexCastOp::create(b, l, b.getI64Type(), index));
          };
          Value r = idx(0);
          auto roi = [&](int64_t k) {
            Value v = tensor::ExtractOp::create(
                b, l, rois, ValueRange{r, arith::ConstantIndexOp::create(b, l, k)});
            Value offset = m.c(halfPixel ? 0.5 : 0.0);
            return m.sub(m.mul(castFloat(b, l, v, acc), m.c(scale)), offset);
          };
          Value startW = roi(0), startH = roi(1), endW = roi(2), endH = roi(3);
          Value roiW = m.sub(endW, startW), roiH = m.sub(endH, startH);
          if (!halfPixel) { // The legacy mode makes every roi at least 1 x 1.
            roiW = m.max(roiW, m.c(1));
            roiH = m.max(roiH, m.c(1));
          }
          Value binH = m.div(roiH, m.c(outH)), binW = m.div(roiW, m.c(outW));
          auto sample = [&](Value start, Value bin, Value p, Value i) {
            return m.add(m.add(start, m.mul(asFloat(p), bin)),
                         m.div(m.mul(m.add(asFloat(i), m.c(0.5)), bin), m.c(grid)));
          };
          Value y = sample(startH, binH, idx(2), idx(4));
          Value xw = sample(startW, binW, idx(3), idx(5));
          // Bilinear at (y, x), zero outside [-1, size] and clamped to the edge pixel inside.
          Value inside = m.both(
              m.both(m.cmp(arith::CmpFPredicate::OGE, y, m.c(-1)),
                     m.cmp(arith::CmpFPredicate::OLE, y, m.c(height))),
              m.both(m.cmp(arith::CmpFPredicate::OGE, xw, m.c(-1)),
                     m.cmp(arith::CmpFPredicate::OLE, xw, m.c(width))));
          auto axis = [&](Value pos, int64_t size) {
            pos = m.min(m.max(pos, m.c(0)), m.c(size - 1));
            Value low = m.floor(pos);
            Value frac = m.sub(pos, low);
            return std::make_tuple(m.index(low, size), m.index(m.add(low, m.c(1)), size),
                                   m.sub(m.c(1), frac), frac);
          };
          auto [y0, y1, hy, ly] = axis(y, height);
          auto [x0, x1, hx, lx] = axis(xw, width);
          Value bIndex = arith::IndexCastOp::create(
              b, l, b.getIndexType(),
              tensor::ExtractOp::create(b, l, batchIndices, ValueRange{r}));
          bIndex = arith::MaxSIOp::create(
              b, l,
              arith::MinSIOp::create(b, l, bIndex, arith::ConstantIndexOp::create(b, l, batch - 1)),
              arith::ConstantIndexOp::create(b, l, 0));
          Value c = idx(1);
          auto tap = [&](Value yi, Value xi, Value wy, Value wx) {
            Value v = castFloat(b, l, tensor::ExtractOp::create(b, l, x, ValueRange{bIndex, c, yi, xi}), acc);
            return m.mul(m.select(inside, m.mul(wy, wx), m.c(0)), v);
          };
          Value t[4] = {tap(y0, x0, hy, hx), tap(y0, x1, hy, lx), tap(y1, x0, ly, hx),
                        tap(y1, x1, ly, lx)};
          Value result;
          if (isMax) { // ONNX Runtime's max: the largest weighted tap over all samples.
            result = args[1];
            for (Value v : t)
              result = arith::MaximumFOp::create(b, l, result, v);
          } else {
            result = m.add(args[1], m.add(m.add(t[0], t[1]), m.add(t[2], t[3])));
          }
          linalg::YieldOp::create(b, l, result);
        })
        .getResult(0);
    double norm = isMax ? 1.0 : 1.0 / double(grid * grid);
    rewriter.replaceOp(op, buildElementwise(rewriter, loc, rt, {pooled},
                                            [&](OpBuilder &b, Location l, ValueRange a) {
                                              Value v = a[0];
                                              if (!isMax)
                                                v = arith::MulFOp::create(
                                                    b, l, v, scalarConstant(b, l, acc, norm));
                                              return castFloat(b, l, v, et);
                                            }));
    return success();
  }
};

} // namespace

void populateSamplingPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering, GridSampleLowering, RoiAlignLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
