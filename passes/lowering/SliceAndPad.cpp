// Slice and Pad: copies placed by shape operands. With constant operands they become
// tensor.extract_slice and tensor.pad. When the operands are only known at run time, the
// per-dim offsets are computed from the operand values and one linalg.generic reads the
// input at computed indices (so do negative slice steps and the reflect/edge/wrap pad
// modes); a Slice's lengths then come from the declared type (static data and result) or are
// computed at run time, bounded by the input dims (lowerDataSlice).
#include "dialects/onnx/ShapeOperands.h"
#include "passes/lowering/LoweringUtils.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value i64Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
}
Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}
Value select(OpBuilder &b, Location loc, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, loc, c, x, y);
}
Value clamp(OpBuilder &b, Location loc, Value x, Value lo, Value hi) {
  return arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, x, lo), hi);
}

/// Entry `k` of a 1-D integer tensor, sign-extended to i64.
Value readEntry(OpBuilder &b, Location loc, Value tensor, int64_t k) {
  Value x = tensor::ExtractOp::create(b, loc, tensor, ValueRange{indexConst(b, loc, k)});
  if (x.getType().getIntOrFloatBitWidth() < 64)
    x = arith::ExtSIOp::create(b, loc, b.getI64Type(), x);
  return x;
}

/// The single element of a scalar (or one-element) tensor.
Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  auto t = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> zeros(t.getRank(), indexConst(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

/// A shape operand that is read at run time: an integer tensor of static length.
FailureOr<int64_t> runtimeLength(Operation *op, Value v, StringRef name) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() != 1 || !t.hasStaticShape() || !t.getElementType().isSignlessInteger())
    return op->emitError() << name << " must be a 1-D integer tensor of known length";
  return t.getDimSize(0);
}

/// Per-dim i64 values from `count` entries that name their dims through an axes list:
/// result[d] = entry(k, d) for the entry k whose axis is d, `dflt` for dims not named. Constant
/// axes pick at compile time; run-time axes (`axesTensor`) build a select chain over the
/// entries.
SmallVector<Value> perDim(OpBuilder &b, Location loc, int64_t rank, int64_t count,
                          const std::optional<SmallVector<int64_t>> &constAxes, Value axesTensor,
                          function_ref<Value(int64_t, int64_t)> entry, int64_t dflt) {
  SmallVector<Value> out;
  for (int64_t d = 0; d < rank; ++d) {
    Value v = i64Const(b, loc, dflt);
    for (int64_t k = 0; k < count; ++k) {
      if (constAxes) {
        int64_t a = (*constAxes)[k];
        if ((a < 0 ? a + rank : a) == d)
          v = entry(k, d);
        continue;
      }
      Value a = readEntry(b, loc, axesTensor, k);
      Value r = i64Const(b, loc, rank);
      a = select(b, loc, cmp(b, loc, arith::CmpIPredicate::slt, a, i64Const(b, loc, 0)),
                 arith::AddIOp::create(b, loc, a, r), a);
      v = select(b, loc, cmp(b, loc, arith::CmpIPredicate::eq, a, i64Const(b, loc, d)),
                 entry(k, d), v);
    }
    out.push_back(arith::IndexCastOp::create(b, loc, b.getIndexType(), v));
  }
  return out;
}

/// result[i...] = input[start + i * step...] per dim (index-typed starts and steps), clamped
/// into the input when the offsets come from run-time values that the declared result shape
/// might contradict.
Value stridedGather(OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
                    ArrayRef<Value> starts, ArrayRef<Value> steps, bool clampIndices) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t rank = resultType.getRank();
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, ValueRange{},
      ValueRange{emptyTensor(b, loc, resultType)},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)}, iters,
      [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> at;
        for (int64_t d = 0; d < rank; ++d) {
          Value i = linalg::IndexOp::create(nb, l, d);
          Value idx = arith::AddIOp::create(nb, l, starts[d],
                                            arith::MulIOp::create(nb, l, i, steps[d]));
          if (clampIndices)
            idx = clamp(nb, l, idx, indexConst(nb, l, 0),
                        indexConst(nb, l, inType.getDimSize(d) - 1));
          at.push_back(idx);
        }
        linalg::YieldOp::create(nb, l, Value(tensor::ExtractOp::create(nb, l, input, at)));
      });
  return gen.getResult(0);
}

/// Slice with dims known only at run time, constant starts/ends/axes and positive steps: one
/// tensor.extract_slice whose offsets and sizes along run-time dims are computed from them
/// (ONNX clamps starts and ends into [0, n]); dims not sliced are copied whole.
LogicalResult lowerRuntimeSlice(onnx::SliceOp op, Value data, RankedTensorType in,
                                RankedTensorType rt, ConversionPatternRewriter &rw) {
  auto starts = onnx::constantInts(op.getStarts()), ends = onnx::constantInts(op.getEnds());
  std::optional<SmallVector<int64_t>> axes, steps;
  bool axesKnown = !op.getAxes() || (axes = onnx::constantInts(op.getAxes()));
  bool stepsKnown = !op.getSteps() || (steps = onnx::constantInts(op.getSteps()));
  if (!starts || !ends || !axesKnown || !stepsKnown || starts->size() != ends->size())
    return op.emitError() << "starts and ends must be constants of the same length";
  int64_t rank = in.getRank();
  if (rt.getRank() != rank)
    return op.emitError() << "result rank " << rt.getRank() << " differs from the data's";
  Location loc = op.getLoc();
  SmallVector<OpFoldResult> offsets(rank, rw.getIndexAttr(0)), sizes, strides(rank,
                                                                          rw.getIndexAttr(1));
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(in.isDynamicDim(d) ? OpFoldResult(tensor::DimOp::create(rw, loc, data, d)
                                                          .getResult())
                                       : OpFoldResult(rw.getIndexAttr(in.getDimSize(d))));
  // Constant bounds are first brought into a range where index arithmetic cannot overflow
  // (INT64_MAX "to the end" is common); dims are below 2^31.
  auto bound = [](int64_t v) { return std::clamp<int64_t>(v, -(int64_t(1) << 40),
                                                           int64_t(1) << 40); };
  SmallVector<bool> seen(rank, false);
  for (size_t k = 0; k < starts->size(); ++k) {
    int64_t a = axes ? (*axes)[k] : static_cast<int64_t>(k);
    if (a < 0)
      a += rank;
    if (a < 0 || a >= rank || seen[a])
      return op.emitError() << "axes must be distinct and within the rank";
    seen[a] = true;
    int64_t step = steps ? (*steps)[k] : 1;
    if (step <= 0)
      return op.emitError() << "a step of " << step << " along a tensor with dims known "
                               "only at run time is not supported (positive steps only); "
                            << runtimeDimsHint(op);
    if (!in.isDynamicDim(a)) { // A static dim: everything is known now.
      int64_t n = in.getDimSize(a);
      auto pos = [&](int64_t v) {
        v = bound(v);
        return v < 0 ? std::max<int64_t>(v + n, 0) : std::min<int64_t>(v, n);
      };
      int64_t start = pos((*starts)[k]), end = pos((*ends)[k]);
      offsets[a] = rw.getIndexAttr(start);
      strides[a] = rw.getIndexAttr(step);
      sizes[a] = rw.getIndexAttr(std::max<int64_t>((end - start + step - 1) / step, 0));
      continue;
    }
    Value n = getValueOrCreateConstantIndexOp(rw, loc, sizes[a]);
    Value zero = indexConst(rw, loc, 0);
    auto position = [&](int64_t v) -> Value {
      v = bound(v);
      if (v < 0) // From the end, clamped at 0.
        return arith::MaxSIOp::create(
            rw, loc, arith::AddIOp::create(rw, loc, n, indexConst(rw, loc, v)), zero);
      return arith::MinSIOp::create(rw, loc, indexConst(rw, loc, v), n);
    };
    Value start = position((*starts)[k]), end = position((*ends)[k]);
    Value size = arith::MaxSIOp::create(
        rw, loc,
        arith::CeilDivSIOp::create(rw, loc, arith::SubIOp::create(rw, loc, end, start),
                                   indexConst(rw, loc, step)),
        zero);
    offsets[a] = start;
    strides[a] = rw.getIndexAttr(step);
    sizes[a] = rt.isDynamicDim(a) ? OpFoldResult(size)
                                  : OpFoldResult(rw.getIndexAttr(rt.getDimSize(a)));
  }
  for (int64_t d = 0; d < rank; ++d)
    if (!rt.isDynamicDim(d))
      sizes[d] = rw.getIndexAttr(rt.getDimSize(d));
  rw.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, rt, data, offsets, sizes, strides);
  return success();
}

/// Slice whose starts, ends or steps are read at run time (docs/dynamic-shapes.md, "Slices
/// with bounds read at run time"), on data of any dims: along each sliced axis the start, step and
/// size are computed at run time with ONNX's rules (negative values count from the end;
/// starts clamped to [0, n] for positive steps and [0, n - 1] for negative ones, ends to
/// [0, n] and [-1, n - 1]; size max(ceil((end - start) / step), 0)). The size is at most the
/// input dim n, so a `?` result dim is a data-bound dim (`dataDependentDim(size, n)`): the
/// workspace and output_dims use n, consumers see an ordinary `?` dim. A result dim the model
/// declares static is read as that size, every index clamped into the input, and the
/// computed size is checked against it (`cf.assert {onnxc.data_check}`: a status when it
/// differs). The axes must be constants (which dims are sliced decides the result type); a
/// step of 0 read at run time ends the run with ONNXC_ERROR_DATA_SIZE.
LogicalResult lowerDataSlice(onnx::SliceOp op, Value data, Value startsT, Value endsT,
                             Value stepsT, RankedTensorType in, RankedTensorType rt,
                             ConversionPatternRewriter &rw) {
  int64_t rank = in.getRank();
  if (rt.getRank() != rank)
    return op.emitError() << "result rank " << rt.getRank() << " differs from the data's";
  auto starts = onnx::constantInts(op.getStarts()), ends = onnx::constantInts(op.getEnds());
  std::optional<SmallVector<int64_t>> axes, steps;
  if (op.getAxes() && !(axes = onnx::constantInts(op.getAxes())))
    return op.emitError() << "axes read at run time are not supported when the data has dims "
                             "known only at run time or the sliced sizes are read from data "
                             "(which dims are sliced would be known only at run time); make "
                             "axes a constant";
  if (op.getSteps())
    steps = onnx::constantInts(op.getSteps());
  // The number of sliced axes: every operand given must have it.
  int64_t count = -1;
  for (auto [v, name] : {std::pair(op.getStarts(), "starts"), std::pair(op.getEnds(), "ends"),
                         std::pair(op.getAxes(), "axes"), std::pair(op.getSteps(), "steps")}) {
    if (!v)
      continue;
    auto length = runtimeLength(op, v, name);
    if (failed(length))
      return failure();
    if (count >= 0 && *length != count)
      return op.emitError() << "starts, ends, axes and steps must have the same length";
    count = *length;
  }
  Location loc = op.getLoc();
  SmallVector<int64_t> entryOf(rank, -1); // The entry that slices each dim, or -1.
  for (int64_t k = 0; k < count; ++k) {
    int64_t a = axes ? (*axes)[k] : k;
    if (a < 0)
      a += rank;
    if (a < 0 || a >= rank || entryOf[a] >= 0)
      return op.emitError() << "axes must be distinct and within the rank";
    entryOf[a] = k;
  }
  if (steps)
    for (int64_t s : *steps)
      if (s == 0)
        return op.emitError() << "a step of 0 is invalid";
  // Constant entries are brought into a range where i64 arithmetic cannot overflow (dims are
  // below 2^31; INT64_MAX "to the end" is common). Run-time entries are clamped before any
  // sum that could overflow.
  auto bounded = [](int64_t v) {
    return std::clamp<int64_t>(v, -(int64_t(1) << 40), int64_t(1) << 40);
  };
  auto entry = [&](const std::optional<SmallVector<int64_t>> &known, Value t, int64_t k,
                   int64_t dflt) -> Value {
    if (known)
      return i64Const(rw, loc, bounded((*known)[k]));
    if (!t)
      return i64Const(rw, loc, dflt);
    return readEntry(rw, loc, t, k);
  };
  Value zero = i64Const(rw, loc, 0), one = i64Const(rw, loc, 1);
  SmallVector<Value> startIdx(rank), stepIdx(rank), sizeIdx(rank);
  SmallVector<bool> clampDim(rank, false);
  bool positiveConstSteps = true;
  for (int64_t d = 0; d < rank; ++d) {
    Value n = dimSize(rw, loc, data, d);
    int64_t k = entryOf[d];
    if (k < 0) { // Not sliced: the whole dim.
      if (!in.isDynamicDim(d) && !rt.isDynamicDim(d) && in.getDimSize(d) != rt.getDimSize(d))
        return op.emitError() << "result type " << rt << " does not match the slice (dim " << d
                              << " is not sliced)";
      startIdx[d] = indexConst(rw, loc, 0);
      stepIdx[d] = indexConst(rw, loc, 1);
      sizeIdx[d] = n;
      if (in.isDynamicDim(d) && !rt.isDynamicDim(d)) {
        // A run-time dim the model declares static: the run-time dims must give it.
        sizeIdx[d] = indexConst(rw, loc, rt.getDimSize(d));
        requireDims(rw, loc, cmp(rw, loc, arith::CmpIPredicate::eq, n, sizeIdx[d]),
                    "a dim that Slice copies whole differs from the declared result's");
        clampDim[d] = true;
      }
      continue;
    }
    Value n64 = arith::IndexCastOp::create(rw, loc, rw.getI64Type(), n);
    Value s = entry(starts, startsT, k, 0), e = entry(ends, endsT, k, 0);
    Value step = entry(steps, stepsT, k, 1);
    if (!steps && stepsT) {
      positiveConstSteps = false;
      Value nonZero = cmp(rw, loc, arith::CmpIPredicate::ne, step, zero);
      cf::AssertOp::create(rw, loc, nonZero,
                           "onnxc.status 11: a Slice step read at run time is 0");
      // The size is computed as if the step were 1; the run ends before it is used.
      step = select(rw, loc, nonZero, step, one);
    } else if (steps && (*steps)[k] < 0) {
      positiveConstSteps = false;
    }
    Value negative = cmp(rw, loc, arith::CmpIPredicate::slt, step, zero);
    Value nMinus1 = arith::SubIOp::create(rw, loc, n64, one);
    auto fromEnd = [&](Value v) {
      // Clamped into [-2^40, 2^40] first, so that adding n cannot overflow.
      v = clamp(rw, loc, v, i64Const(rw, loc, -(int64_t(1) << 40)),
                i64Const(rw, loc, int64_t(1) << 40));
      return select(rw, loc, cmp(rw, loc, arith::CmpIPredicate::slt, v, zero),
                    arith::AddIOp::create(rw, loc, v, n64), v);
    };
    Value hi = select(rw, loc, negative, nMinus1, n64);
    s = clamp(rw, loc, fromEnd(s), zero, hi);
    e = clamp(rw, loc, fromEnd(e), select(rw, loc, negative, i64Const(rw, loc, -1), zero), hi);
    Value size = arith::MaxSIOp::create(
        rw, loc, arith::CeilDivSIOp::create(rw, loc, arith::SubIOp::create(rw, loc, e, s), step),
        zero);
    auto toIndex = [&](Value v) {
      return arith::IndexCastOp::create(rw, loc, rw.getIndexType(), v).getResult();
    };
    startIdx[d] = toIndex(s);
    stepIdx[d] = toIndex(step);
    Value sizeI = toIndex(size);
    if (rt.isDynamicDim(d)) {
      sizeIdx[d] = dataDependentDim(rw, loc, sizeI, n);
      continue;
    }
    // A static declaration: the run checks the computed size against it.
    clampDim[d] = true;
    sizeIdx[d] = indexConst(rw, loc, rt.getDimSize(d));
    auto check = cf::AssertOp::create(
        rw, loc,
        cmp(rw, loc, arith::CmpIPredicate::eq, sizeI, sizeIdx[d]),
        "a size from tensor data differs from the static size the model declares");
    check->setAttr("onnxc.data_check", rw.getUnitAttr());
  }
  SmallVector<Value> dynSizes, lastIdx(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (rt.isDynamicDim(d))
      dynSizes.push_back(sizeIdx[d]);
    if (clampDim[d])
      lastIdx[d] = arith::SubIOp::create(rw, loc, dimSize(rw, loc, data, d), indexConst(rw, loc, 1));
  }
  // Positive constant steps and sizes that stay inside the input: a view (no copy).
  if (positiveConstSteps && llvm::none_of(clampDim, [](bool c) { return c; })) {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t d = 0; d < rank; ++d) {
      offsets.push_back(getAsOpFoldResult(startIdx[d]));
      sizes.push_back(rt.isDynamicDim(d) ? OpFoldResult(sizeIdx[d])
                                         : OpFoldResult(rw.getIndexAttr(rt.getDimSize(d))));
      strides.push_back(getAsOpFoldResult(stepIdx[d]));
    }
    rw.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, rt, data, offsets, sizes, strides);
    return success();
  }
  // Otherwise one generic reads input[start + i * step] (clamped where the size was
  // declared rather than computed).
  auto gen = linalg::GenericOp::create(
      rw, loc, TypeRange{rt}, ValueRange{}, ValueRange{emptyTensorSized(rw, loc, rt, dynSizes)},
      SmallVector<AffineMap>{rw.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> at;
        for (int64_t d = 0; d < rank; ++d) {
          Value i = linalg::IndexOp::create(nb, l, d);
          Value idx = arith::AddIOp::create(nb, l, startIdx[d],
                                            arith::MulIOp::create(nb, l, i, stepIdx[d]));
          if (clampDim[d])
            idx = clamp(nb, l, idx, indexConst(nb, l, 0), lastIdx[d]);
          at.push_back(idx);
        }
        linalg::YieldOp::create(nb, l, Value(tensor::ExtractOp::create(nb, l, data, at)));
      });
  rw.replaceOp(op, gen.getResult(0));
  return success();
}

struct SliceLowering : OpConversionPattern<onnx::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::SliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto inRanked = rankedType(op, op.getData()), rtRanked = rankedType(op, op.getResult());
    if (failed(inRanked) || failed(rtRanked))
      return failure();
    if (!inRanked->hasStaticShape() || !rtRanked->hasStaticShape()) {
      bool constant = onnx::constantInts(op.getStarts()) && onnx::constantInts(op.getEnds()) &&
                      (!op.getAxes() || onnx::constantInts(op.getAxes())) &&
                      (!op.getSteps() || onnx::constantInts(op.getSteps()));
      if (!constant)
        return lowerDataSlice(op, adaptor.getData(), adaptor.getStarts(), adaptor.getEnds(),
                              adaptor.getSteps(), *inRanked, *rtRanked, rewriter);
      return lowerRuntimeSlice(op, adaptor.getData(), *inRanked, *rtRanked, rewriter);
    }
    auto types = staticSameRank(op, op.getData(), op.getResult());
    if (failed(types))
      return failure();
    auto [in, rt] = *types;
    int64_t rank = in.getRank();
    if (in.getNumElements() == 0 && rt.getNumElements() != 0)
      return op.emitError() << "cannot slice " << rt << " out of an empty tensor";
    Location loc = op.getLoc();
    auto starts = onnx::constantInts(op.getStarts()), ends = onnx::constantInts(op.getEnds());
    std::optional<SmallVector<int64_t>> axes, steps;
    bool axesKnown = !op.getAxes() || (axes = onnx::constantInts(op.getAxes()));
    bool stepsKnown = !op.getSteps() || (steps = onnx::constantInts(op.getSteps()));

    if (starts && ends && axesKnown && stepsKnown) {
      std::optional<ArrayRef<int64_t>> axesRef, stepsRef;
      if (axes)
        axesRef = *axes;
      if (steps)
        stepsRef = *steps;
      auto dims = onnx::resolveSlice(op, in.getShape(), *starts, *ends, axesRef, stepsRef);
      if (failed(dims))
        return failure();
      for (auto [d, size] : llvm::zip(*dims, rt.getShape()))
        if (d.size != size)
          return op.emitError() << "result type " << rt << " does not match the slice";
      if (rt.getNumElements() == 0) {
        // extract_slice refuses offsets into dims of size 0; nothing is read anyway.
        rewriter.replaceOp(op, emptyTensor(rewriter, loc, rt));
        return success();
      }
      if (llvm::all_of(*dims, [](const onnx::SliceDim &d) { return d.step > 0; })) {
        SmallVector<int64_t> offsets, strides;
        for (const onnx::SliceDim &d : *dims) {
          offsets.push_back(d.start);
          strides.push_back(d.step);
        }
        rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
            op, rt, adaptor.getData(), ValueRange{}, ValueRange{}, ValueRange{}, offsets,
            rt.getShape(), strides);
        return success();
      }
      // Negative steps: extract_slice strides must be positive; read through indices.
      SmallVector<Value> startValues, stepValues;
      for (const onnx::SliceDim &d : *dims) {
        startValues.push_back(indexConst(rewriter, loc, d.start));
        stepValues.push_back(indexConst(rewriter, loc, d.step));
      }
      rewriter.replaceOp(op, stridedGather(rewriter, loc, adaptor.getData(), rt, startValues,
                                           stepValues, /*clampIndices=*/false));
      return success();
    }

    // Run-time starts/steps (ends only decide the size, which the result type gives).
    auto count = runtimeLength(op, op.getStarts(), "starts");
    if (failed(count))
      return failure();
    for (auto [v, name] : {std::pair(op.getAxes(), "axes"), std::pair(op.getSteps(), "steps")})
      if (v && failed(runtimeLength(op, v, name)))
        return failure();
    std::optional<SmallVector<int64_t>> constAxes = axes;
    if (!op.getAxes())
      constAxes = llvm::to_vector(llvm::seq<int64_t>(0, *count));
    auto step = [&](int64_t k) -> Value {
      if (steps)
        return i64Const(rewriter, loc, (*steps)[k]);
      return op.getSteps() ? readEntry(rewriter, loc, adaptor.getSteps(), k)
                           : i64Const(rewriter, loc, 1);
    };
    // ONNX clamps starts to [0, n] for positive steps and [0, n - 1] for negative ones.
    auto start = [&](int64_t k, int64_t d) -> Value {
      Value n = i64Const(rewriter, loc, in.getDimSize(d));
      Value zero = i64Const(rewriter, loc, 0);
      Value s = readEntry(rewriter, loc, adaptor.getStarts(), k);
      s = select(rewriter, loc, cmp(rewriter, loc, arith::CmpIPredicate::slt, s, zero),
                 arith::AddIOp::create(rewriter, loc, s, n), s);
      Value negativeStep = cmp(rewriter, loc, arith::CmpIPredicate::slt, step(k), zero);
      Value hi = select(rewriter, loc, negativeStep,
                        arith::SubIOp::create(rewriter, loc, n, i64Const(rewriter, loc, 1)), n);
      return clamp(rewriter, loc, s, zero, hi);
    };
    Value axesTensor = op.getAxes() ? adaptor.getAxes() : Value();
    SmallVector<Value> startValues =
        perDim(rewriter, loc, rank, *count, constAxes, axesTensor, start, 0);
    SmallVector<Value> stepValues = perDim(rewriter, loc, rank, *count, constAxes, axesTensor,
                                           [&](int64_t k, int64_t) { return step(k); }, 1);
    rewriter.replaceOp(op, stridedGather(rewriter, loc, adaptor.getData(), rt, startValues,
                                         stepValues, /*clampIndices=*/true));
    return success();
  }
};

/// The input index that output position `src` (already shifted by the begin pad) reads in a
/// dim of size `n`, for the modes that read the input everywhere.
Value padSourceIndex(OpBuilder &b, Location loc, StringRef mode, Value src, int64_t n) {
  Value zero = indexConst(b, loc, 0);
  auto positiveRem = [&](Value x, int64_t m) {
    Value mv = indexConst(b, loc, m);
    Value r = arith::RemSIOp::create(b, loc, x, mv);
    return select(b, loc, cmp(b, loc, arith::CmpIPredicate::slt, r, zero),
                  arith::AddIOp::create(b, loc, r, mv), r);
  };
  if (mode == "wrap")
    return positiveRem(src, n);
  if (mode == "reflect") {
    // Mirror without repeating the edge: period 2(n - 1), any pad size.
    if (n == 1)
      return zero;
    int64_t period = 2 * (n - 1);
    Value t = positiveRem(src, period);
    return select(b, loc, cmp(b, loc, arith::CmpIPredicate::slt, t, indexConst(b, loc, n)), t,
                  arith::SubIOp::create(b, loc, indexConst(b, loc, period), t));
  }
  // edge, and the in-bounds read of constant mode.
  return clamp(b, loc, src, zero, indexConst(b, loc, n - 1));
}

/// Pad as one generic over the result: each output element reads the input at its position
/// minus the begin pad, mapped back into range by the mode (constant: the pad value outside).
Value padGather(OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
                ArrayRef<Value> begins, StringRef mode, Value padValue) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t rank = resultType.getRank();
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto gen = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, ValueRange{}, ValueRange{emptyTensor(b, loc, resultType)},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)}, iters,
      [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> at;
        Value inside;
        for (int64_t d = 0; d < rank; ++d) {
          int64_t n = inType.getDimSize(d);
          Value i = linalg::IndexOp::create(nb, l, d);
          if (getConstantIntValue(begins[d]) == 0 && resultType.getDimSize(d) == n) {
            at.push_back(i); // Not padded: read in place.
            continue;
          }
          Value src = arith::SubIOp::create(nb, l, i, begins[d]);
          if (mode == "constant") {
            Value ok = arith::AndIOp::create(
                nb, l, cmp(nb, l, arith::CmpIPredicate::sge, src, indexConst(nb, l, 0)),
                cmp(nb, l, arith::CmpIPredicate::slt, src, indexConst(nb, l, n)));
            inside = inside ? arith::AndIOp::create(nb, l, inside, ok).getResult() : ok;
          }
          at.push_back(padSourceIndex(nb, l, mode, src, n));
        }
        Value v = tensor::ExtractOp::create(nb, l, input, at);
        if (inside)
          v = select(nb, l, inside, v, padValue);
        linalg::YieldOp::create(nb, l, v);
      });
  return gen.getResult(0);
}

/// Pad of data with dims known only at run time: constant mode, constant non-negative pads
/// (what exporters emit around convolutions and sequences); tensor.pad takes run-time dims.
LogicalResult lowerRuntimePad(onnx::PadOp op, onnx::PadOp::Adaptor adaptor, RankedTensorType in,
                              RankedTensorType rt, ConversionPatternRewriter &rw) {
  int64_t rank = in.getRank();
  auto pads = onnx::constantInts(op.getPads());
  std::optional<SmallVector<int64_t>> axes;
  bool axesKnown = !op.getAxes() || (axes = onnx::constantInts(op.getAxes()));
  if (op.getMode() != "constant" || !pads || !axesKnown || rt.getRank() != rank)
    return op.emitError() << "Pad of data with dims known only at run time needs mode "
                             "'constant' and constant pads; "
                          << runtimeDimsHint(op);
  std::optional<ArrayRef<int64_t>> axesRef;
  if (axes)
    axesRef = *axes;
  auto amounts = onnx::resolvePads(op, rank, *pads, axesRef);
  if (failed(amounts))
    return failure();
  for (int64_t d = 0; d < rank; ++d)
    if (amounts->begin[d] < 0 || amounts->end[d] < 0)
      return op.emitError() << "negative pads (cropping) of data with dims known only at run "
                               "time are not supported; "
                            << runtimeDimsHint(op);
  Type et = in.getElementType();
  if (op.getConstantValue()) {
    auto vt = dyn_cast<RankedTensorType>(op.getConstantValue().getType());
    if (!vt || vt.getNumElements() != 1 || vt.getElementType() != et)
      return op.emitError() << "constant_value must be one element of the data's type";
  }
  Location loc = op.getLoc();
  Value padValue = op.getConstantValue()
                       ? extractScalar(rw, loc, adaptor.getConstantValue())
                       : arith::ConstantOp::create(rw, loc, rw.getZeroAttr(et)).getResult();
  Value padded = padTensor(rw, loc, adaptor.getData(), amounts->begin, amounts->end, padValue);
  if (padded.getType() != rt)
    padded = tensor::CastOp::create(rw, loc, rt, padded);
  rw.replaceOp(op, padded);
  return success();
}

struct PadLowering : OpConversionPattern<onnx::PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::PadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    // Every check comes before the first op is built: a refused pattern must leave the IR as
    // it was.
    auto inRanked = rankedType(op, op.getData()), rtRanked = rankedType(op, op.getResult());
    if (failed(inRanked) || failed(rtRanked))
      return failure();
    if (!inRanked->hasStaticShape() || !rtRanked->hasStaticShape())
      return lowerRuntimePad(op, adaptor, *inRanked, *rtRanked, rewriter);
    auto types = staticSameRank(op, op.getData(), op.getResult());
    if (failed(types))
      return failure();
    auto [in, rt] = *types;
    int64_t rank = in.getRank();
    StringRef mode = op.getMode();
    Type et = in.getElementType();
    if (op.getConstantValue()) {
      auto vt = dyn_cast<RankedTensorType>(op.getConstantValue().getType());
      if (!vt || vt.getNumElements() != 1 || vt.getElementType() != et)
        return op.emitError() << "constant_value must be one element of the data's type";
    }
    bool empty = in.getNumElements() == 0 && rt.getNumElements() != 0;
    if (empty && mode != "constant")
      return op.emitError() << "cannot pad an empty tensor in mode '" << mode << "'";

    auto pads = onnx::constantInts(op.getPads());
    std::optional<SmallVector<int64_t>> axes;
    bool axesKnown = !op.getAxes() || (axes = onnx::constantInts(op.getAxes()));
    std::optional<onnx::PadAmounts> amounts;
    int64_t count = rank; // Run-time pads: entries per side.
    if (pads && axesKnown) {
      std::optional<ArrayRef<int64_t>> axesRef;
      if (axes)
        axesRef = *axes;
      auto resolved = onnx::resolvePads(op, rank, *pads, axesRef);
      if (failed(resolved))
        return failure();
      for (int64_t d = 0; d < rank; ++d)
        if (in.getDimSize(d) + resolved->begin[d] + resolved->end[d] != rt.getDimSize(d))
          return op.emitError() << "result type " << rt << " does not match the pads";
      amounts = std::move(*resolved);
    } else {
      auto padCount = runtimeLength(op, op.getPads(), "pads");
      if (failed(padCount))
        return failure();
      if (op.getAxes()) {
        auto axesCount = runtimeLength(op, op.getAxes(), "axes");
        if (failed(axesCount))
          return failure();
        count = *axesCount;
      }
      if (*padCount != 2 * count)
        return op.emitError() << "pads has " << *padCount << " entries, expected " << 2 * count;
    }

    Location loc = op.getLoc();
    if (rt.getNumElements() == 0) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, rt));
      return success();
    }
    Value padValue;
    if (mode == "constant")
      padValue = op.getConstantValue()
                     ? extractScalar(rewriter, loc, adaptor.getConstantValue())
                     : arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(et))
                           .getResult();
    if (empty) {
      rewriter.replaceOp(op, filledTensor(rewriter, loc, rt, padValue));
      return success();
    }

    SmallVector<Value> begins;
    if (amounts && mode == "constant") {
      // Negative pads crop first; the rest is tensor.pad.
      SmallVector<int64_t> offsets, sizes, strides(rank, 1), low, high;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t b = amounts->begin[d], e = amounts->end[d];
        offsets.push_back(std::max<int64_t>(0, -b));
        sizes.push_back(in.getDimSize(d) + std::min<int64_t>(0, b) + std::min<int64_t>(0, e));
        low.push_back(std::max<int64_t>(0, b));
        high.push_back(std::max<int64_t>(0, e));
      }
      Value cropped = adaptor.getData();
      if (ArrayRef<int64_t>(sizes) != in.getShape())
        cropped = tensor::ExtractSliceOp::create(rewriter, loc, RankedTensorType::get(sizes, et),
                                                 cropped, ValueRange{}, ValueRange{},
                                                 ValueRange{}, offsets, sizes, strides);
      rewriter.replaceOp(op, padTensor(rewriter, loc, cropped, low, high, padValue));
      return success();
    }
    if (amounts) {
      for (int64_t b : amounts->begin)
        begins.push_back(indexConst(rewriter, loc, b));
    } else {
      // Only the begin pads are read; the result type gives the rest.
      std::optional<SmallVector<int64_t>> constAxes = axes;
      if (!op.getAxes())
        constAxes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
      Value padsTensor = adaptor.getPads();
      begins = perDim(
          rewriter, loc, rank, count, constAxes, op.getAxes() ? adaptor.getAxes() : Value(),
          [&](int64_t k, int64_t) { return readEntry(rewriter, loc, padsTensor, k); }, 0);
    }
    rewriter.replaceOp(op, padGather(rewriter, loc, adaptor.getData(), rt, begins, mode,
                                     padValue));
    return success();
  }
};

} // namespace

void populateSliceAndPadPatterns(RewritePatternSet &patterns) {
  patterns.add<SliceLowering, PadLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
