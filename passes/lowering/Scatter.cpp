// ScatterElements (and Scatter) and ScatterND: a fresh copy of the data, then a loop nest over
// the updates in row-major order that inserts each one (combined with the element already
// there for the reductions) with tensor.insert on the loop-carried tensor, which
// bufferization turns into stores in place. Row-major order makes the last of repeated
// indices win, as ONNX's reference implementation does. Linalg has no scatter: its ops write
// each output element once, at positions fixed by the indexing maps.
#include "passes/lowering/LoweringUtils.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// The data coordinates an update lands on, from the update's coordinates.
using PositionFn =
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange updateIndex)>;

/// What the reduction leaves at a position that holds `old` when `update` arrives.
Value combineScatter(OpBuilder &b, Location loc, StringRef reduction, Value old, Value update) {
  bool f = isa<FloatType>(old.getType());
  if (reduction == "add")
    return f ? Value(arith::AddFOp::create(b, loc, old, update))
             : Value(arith::AddIOp::create(b, loc, old, update));
  if (reduction == "mul")
    return f ? Value(arith::MulFOp::create(b, loc, old, update))
             : Value(arith::MulIOp::create(b, loc, old, update));
  if (reduction == "max")
    return f ? Value(arith::MaximumFOp::create(b, loc, old, update))
             : Value(arith::MaxSIOp::create(b, loc, old, update));
  if (reduction == "min")
    return f ? Value(arith::MinimumFOp::create(b, loc, old, update))
             : Value(arith::MinSIOp::create(b, loc, old, update));
  return update;
}

LogicalResult checkScatter(Operation *op, Value indices, StringRef reduction) {
  if (failed(requireStaticShapes(op)) || failed(requireIndices(op, indices)))
    return failure();
  Type et = cast<ShapedType>(op->getOperand(0).getType()).getElementType();
  if (reduction != "none" && !isa<FloatType>(et) && (!et.isSignlessInteger() || et.isInteger(1)))
    return op->emitError() << "reduction '" << reduction << "' is not supported for element type "
                           << et << " (float and signed integer only)";
  return success();
}

/// Copies `data` into a new tensor (function arguments are writable to bufferization, and a
/// model must not change its caller's inputs) and applies every element of `updates` at
/// `position` of its coordinates.
Value scatter(OpBuilder &b, Location loc, Value data, Value updates, StringRef reduction,
              PositionFn position) {
  auto dataType = cast<RankedTensorType>(data.getType());
  auto updatesType = cast<RankedTensorType>(updates.getType());
  Value out = bufferization::AllocTensorOp::create(b, loc, dataType, ValueRange{}, /*copy=*/data);
  if (updatesType.getNumElements() == 0)
    return out;
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d : updatesType.getShape()) {
    lbs.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    ubs.push_back(arith::ConstantIndexOp::create(b, loc, d));
    steps.push_back(arith::ConstantIndexOp::create(b, loc, 1));
  }
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{out},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange acc) -> scf::ValueVector {
        Value v = tensor::ExtractOp::create(nb, l, updates, ivs);
        SmallVector<Value> at = position(nb, l, ivs);
        if (reduction != "none")
          v = combineScatter(nb, l, reduction, tensor::ExtractOp::create(nb, l, acc[0], at), v);
        return {tensor::InsertOp::create(nb, l, v, acc[0], at)};
      });
  return nest.results[0];
}

/// Update [i...] goes to data[i... with indices[i...] at `axis`].
struct ScatterElementsLowering : OpConversionPattern<onnx::ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ScatterElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(checkScatter(op, op.getIndices(), op.getReduction())))
      return failure();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += dataType.getRank();
    int64_t n = dataType.getDimSize(axis);
    auto updatesType = cast<RankedTensorType>(op.getUpdates().getType());
    for (int64_t i = 0; i < dataType.getRank(); ++i)
      if (i != axis && updatesType.getDimSize(i) > dataType.getDimSize(i))
        return op.emitError() << "updates dim " << i << " exceeds the data's";
    if (n == 0 && updatesType.getNumElements() != 0)
      return op.emitError() << "cannot scatter into an empty axis";
    Value indices = adaptor.getIndices();
    Value result = scatter(rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(),
                           op.getReduction(), [&](OpBuilder &b, Location l, ValueRange ivs) {
                             SmallVector<Value> at(ivs);
                             at[axis] = clampedIndex(
                                 b, l, tensor::ExtractOp::create(b, l, indices, ivs), n);
                             return at;
                           });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Update [p..., s...] goes to data[indices[p..., 0..m-1]..., s...].
struct ScatterNDLowering : OpConversionPattern<onnx::ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ScatterNDOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(checkScatter(op, op.getIndices(), op.getReduction())))
      return failure();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    int64_t q = indicesType.getRank(), m = indicesType.getDimSize(q - 1);
    if (cast<RankedTensorType>(op.getUpdates().getType()).getNumElements() != 0)
      for (int64_t k = 0; k < m; ++k)
        if (dataType.getDimSize(k) == 0)
          return op.emitError() << "cannot scatter into an empty dim";
    Value indices = adaptor.getIndices();
    Value result = scatter(rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(),
                           op.getReduction(), [&](OpBuilder &b, Location l, ValueRange ivs) {
                             SmallVector<Value> tuple(ivs.take_front(q - 1)), at;
                             tuple.push_back(Value());
                             for (int64_t k = 0; k < m; ++k) {
                               tuple.back() = arith::ConstantIndexOp::create(b, l, k);
                               Value c = tensor::ExtractOp::create(b, l, indices, tuple);
                               at.push_back(clampedIndex(b, l, c, dataType.getDimSize(k)));
                             }
                             llvm::append_range(at, ivs.drop_front(q - 1));
                             return at;
                           });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateScatterPatterns(RewritePatternSet &patterns) {
  patterns.add<ScatterElementsLowering, ScatterNDLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
