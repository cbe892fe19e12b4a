#include "passes/lowering/LoweringUtils.h"

#include "dialects/onnx/ShapeOperands.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;

namespace onnxc::lowering {

/// The op whose result size depends on data (NonZero, Compress, Unique, NonMaxSuppression)
/// that `v`'s run-time dims come from, if any (a bounded walk up the producers).
static Operation *dataDependentSource(Value v, llvm::SmallPtrSetImpl<Operation *> &seen,
                                      int depth) {
  Operation *def = v.getDefiningOp();
  if (!def || depth > 64 || !seen.insert(def).second)
    return nullptr;
  if (isa<onnx::NonZeroOp, onnx::CompressOp, onnx::UniqueOp, onnx::NonMaxSuppressionOp>(def))
    return def;
  for (Value operand : def->getOperands()) {
    auto t = dyn_cast<RankedTensorType>(operand.getType());
    if (t && t.hasStaticShape())
      continue;
    if (Operation *src = dataDependentSource(operand, seen, depth + 1))
      return src;
  }
  return nullptr;
}

std::string runtimeDimsHint(Operation *op) {
  // A size counted from data cannot be fixed with --shape: say where it comes from.
  llvm::SmallPtrSet<Operation *, 16> seen;
  for (Value operand : op->getOperands()) {
    auto t = dyn_cast<RankedTensorType>(operand.getType());
    if (t && t.hasStaticShape())
      continue;
    if (Operation *src = dataDependentSource(operand, seen, 0)) {
      std::string where = src->getName().stripDialect().str();
      if (auto n = dyn_cast<NameLoc>(src->getLoc()))
        where = n.getName().str();
      return "the size of its input depends on tensor data (" + where +
             "), and this op needs sizes known at compile time";
    }
  }
  auto func = op->getParentOfType<mlir::func::FuncOp>();
  std::string names, example;
  if (func)
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      auto t = dyn_cast<RankedTensorType>(func.getArgumentTypes()[i]);
      if (t && t.hasStaticShape())
        continue;
      auto name = func.getArgAttrOfType<StringAttr>(i, "onnx.name");
      if (!name)
        continue;
      std::string n = name.str();
      names += (names.empty() ? "'" : ", '") + n + "'";
      if (example.empty())
        example = n;
    }
  if (names.empty())
    return "fix the input shapes with --shape NAME=DIMS";
  return "fix the dims of input " + names + " at compile time with --shape " + example +
         "=DIMS";
}

FailureOr<RankedTensorType> staticType(Operation *op, Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t)
    return op->emitError() << "the shape of a value could not be inferred; "
                           << runtimeDimsHint(op);
  if (!t.hasStaticShape())
    return op->emitError() << "dynamic dimensions (" << t
                           << ") are not supported yet for this op (dims known only at run "
                              "time); " << runtimeDimsHint(op);
  return t;
}

FailureOr<RankedTensorType> rankedType(Operation *op, Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t)
    return op->emitError() << "the shape of a value could not be inferred; "
                           << runtimeDimsHint(op);
  return t;
}

LogicalResult requireRankedShapes(Operation *op) {
  for (Value v : op->getOperands())
    if (failed(rankedType(op, v)))
      return failure();
  for (Value v : op->getResults())
    if (failed(rankedType(op, v)))
      return failure();
  return success();
}

Value dimSize(OpBuilder &b, Location loc, Value v, int64_t dim) {
  int64_t size = cast<RankedTensorType>(v.getType()).getDimSize(dim);
  if (ShapedType::isStatic(size))
    return arith::ConstantIndexOp::create(b, loc, size);
  return tensor::DimOp::create(b, loc, v, dim);
}

SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, RankedTensorType type,
                                ValueRange like) {
  SmallVector<Value> sizes;
  int64_t rank = type.getRank();
  for (int64_t i = 0; i < rank; ++i) {
    if (!type.isDynamicDim(i))
      continue;
    Value size;
    for (Value v : like) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      int64_t j = t ? i - (rank - t.getRank()) : -1;
      if (j >= 0 && t.isDynamicDim(j)) {
        size = tensor::DimOp::create(b, loc, v, j);
        break;
      }
    }
    if (!size) // Callers pass sources for every dynamic dim; an op that cannot is refused.
      llvm::report_fatal_error("onnx-compile: no source for a run-time dim");
    sizes.push_back(size);
  }
  return sizes;
}

FailureOr<std::pair<RankedTensorType, RankedTensorType>>
staticSameRank(Operation *op, Value input, Value result) {
  auto in = staticType(op, input);
  if (failed(in))
    return failure();
  auto rt = staticType(op, result);
  if (failed(rt))
    return failure();
  if (rt->getRank() != in->getRank())
    return op->emitError() << "result rank differs from the input's";
  return std::make_pair(*in, *rt);
}

LogicalResult requireStaticShapes(Operation *op) {
  for (Value v : op->getOperands())
    if (failed(staticType(op, v)))
      return failure();
  for (Value v : op->getResults())
    if (failed(staticType(op, v)))
      return failure();
  return success();
}

LogicalResult requireFloat(Operation *op, Type elementType) {
  if (!isa<FloatType>(elementType))
    return op->emitError() << "element type " << elementType
                           << " is not supported for this op (floating point only)";
  return success();
}

LogicalResult requireIndices(Operation *op, Value indices) {
  Type et = cast<ShapedType>(indices.getType()).getElementType();
  if (!et.isSignlessInteger() || et.isInteger(1))
    return op->emitError() << "indices must be int32 or int64, not " << et;
  return success();
}

LogicalResult requireSignless(Operation *op, Type elementType) {
  if (elementType.isUnsignedInteger() || elementType.isSignedInteger())
    return op->emitError() << "element type " << elementType
                           << " is not supported for this op (signless types only)";
  return success();
}

Value clampedIndex(OpBuilder &b, Location loc, Value index, int64_t n) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value size = arith::ConstantIndexOp::create(b, loc, n);
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, loc, negative, arith::AddIOp::create(b, loc, i, size), i);
  i = arith::MaxSIOp::create(b, loc, i, zero);
  return arith::MinSIOp::create(b, loc, i, arith::ConstantIndexOp::create(b, loc, n - 1));
}

Value emptyTensorSized(OpBuilder &b, Location loc, RankedTensorType type, ValueRange dynSizes) {
  return tensor::EmptyOp::create(b, loc, type, dynSizes);
}

SmallVector<Value> windowResultSizes(OpBuilder &b, Location loc, Value padded,
                                     RankedTensorType resultType, ArrayRef<int64_t> kernel,
                                     ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < resultType.getRank(); ++i) {
    if (!resultType.isDynamicDim(i))
      continue;
    if (i < 2) {
      sizes.push_back(tensor::DimOp::create(b, loc, padded, i));
      continue;
    }
    int64_t s = i - 2, extent = (kernel[s] - 1) * dilations[s] + 1;
    Value span = arith::SubIOp::create(b, loc, dimSize(b, loc, padded, i),
                                       arith::ConstantIndexOp::create(b, loc, extent));
    Value q = arith::FloorDivSIOp::create(b, loc, span,
                                          arith::ConstantIndexOp::create(b, loc, strides[s]));
    Value out = arith::AddIOp::create(b, loc, q, arith::ConstantIndexOp::create(b, loc, 1));
    // A window that does not fit (span < 0) is invalid: a negative size, which the size
    // function (onnx-size-function) reports as dims out of range.
    Value fits = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, span,
                                       arith::ConstantIndexOp::create(b, loc, 0));
    sizes.push_back(arith::SelectOp::create(b, loc, fits, out,
                                            arith::ConstantIndexOp::create(b, loc, -1)));
  }
  return sizes;
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type, ValueRange like) {
  if (type.hasStaticShape())
    return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes(b, loc, type, like));
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, Value scalar,
                   ValueRange like) {
  return linalg::FillOp::create(b, loc, scalar, emptyTensor(b, loc, type, like)).getResult(0);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double v) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, v));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, static_cast<int64_t>(v)));
}

Value extremeConstant(OpBuilder &b, Location loc, Type type, bool lowest) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), lowest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt v = lowest ? APInt::getSignedMinValue(width) : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v));
}

AffineMap broadcastMap(ArrayRef<int64_t> operandShape, ArrayRef<int64_t> resultShape,
                       MLIRContext *ctx) {
  size_t rank = resultShape.size(), offset = rank - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (size_t i = 0; i < operandShape.size(); ++i) {
    bool broadcast = operandShape[i] == 1 && resultShape[offset + i] != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

void requireDims(OpBuilder &b, Location loc, Value cond, StringRef what) {
  auto check = cf::AssertOp::create(b, loc, cond, what);
  check->setAttr("onnxc.dims_check", b.getUnitAttr());
}

namespace {
/// Whether a run-time size is read from tensor data (a dim counted from data and marked
/// `arith.minui {onnxc.data_bound}`: a Slice's length read at run time, an If branch's, a
/// NonZero count; or anything computed from a tensor.extract) rather than computed from the
/// model's run-time input dims alone. A bounded walk over the lowered producers; what it does
/// not know (a region's result...) counts as from the dims, which is the conservative answer
/// for checkedBroadcastSizes (the dims are then compared as input dims, by their bounds).
struct DataSizes {
  DenseMap<Value, bool> memo;
  int depth = 0;

  bool index(Value v) {
    if (auto it = memo.find(v); it != memo.end())
      return it->second;
    if (depth > 64)
      return false;
    ++depth;
    bool r = indexUncached(v);
    --depth;
    memo[v] = r;
    return r;
  }

  bool ofr(OpFoldResult f) {
    auto v = dyn_cast<Value>(f);
    return v && index(v);
  }

  bool indexUncached(Value v) {
    Operation *def = v.getDefiningOp();
    if (!def) // An index block argument (a loop's iteration number): per iteration.
      return !isa<FunctionOpInterface>(cast<BlockArgument>(v).getOwner()->getParentOp());
    if (auto bounded = dyn_cast<arith::MinUIOp>(def);
        bounded && def->hasAttr("onnxc.data_bound"))
      return true;
    if (isa<tensor::ExtractOp>(def))
      return true;
    if (auto dim = dyn_cast<tensor::DimOp>(def)) {
      std::optional<int64_t> i = dim.getConstantIndex();
      return i && tensorDim(dim.getSource(), *i);
    }
    if (def->getNumRegions() || !isMemoryEffectFree(def) ||
        !isa<arith::ArithDialect>(def->getDialect()))
      return false;
    return llvm::any_of(def->getOperands(), [&](Value o) { return index(o); });
  }

  /// Dim `d` of tensor `t`.
  bool tensorDim(Value t, int64_t d) {
    auto type = dyn_cast<RankedTensorType>(t.getType());
    if (!type || !type.isDynamicDim(d))
      return false;
    Operation *def = t.getDefiningOp();
    if (!def)
      return false; // A graph input's dim, or a carried value's (its entry type).
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(def)) {
      llvm::SmallBitVector dropped = slice.getDroppedDims();
      int64_t seen = -1;
      for (auto [j, size] : llvm::enumerate(slice.getMixedSizes())) {
        if (dropped.test(j))
          continue;
        if (++seen == d)
          return ofr(size);
      }
      return false;
    }
    if (auto empty = dyn_cast<tensor::EmptyOp>(def))
      return index(empty.getDynamicSize(d));
    if (auto alloc = dyn_cast<bufferization::AllocTensorOp>(def))
      return alloc.getCopy() ? tensorDim(alloc.getCopy(), d)
                             : index(alloc.getDynamicSizes()[type.getDynamicDimIndex(d)]);
    if (auto cast = dyn_cast<tensor::CastOp>(def))
      return tensorDim(cast.getSource(), d);
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def))
      return ofr(expand.getMixedOutputShape()[d]);
    if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def))
      return llvm::any_of(collapse.getReassociationIndices()[d],
                          [&](int64_t j) { return tensorDim(collapse.getSrc(), j); });
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(def))
      return tensorDim(insert.getDest(), d);
    if (auto pad = dyn_cast<tensor::PadOp>(def))
      return tensorDim(pad.getSource(), d) || ofr(pad.getMixedLowPad()[d]) ||
             ofr(pad.getMixedHighPad()[d]);
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(def))
      if (OpOperand *init = dps.getTiedOpOperand(cast<OpResult>(t)))
        return tensorDim(init->get(), d);
    return false;
  }
};
} // namespace

bool sizeFromData(Value index) { return DataSizes().index(index); }

void requireSameDim(OpBuilder &b, Location loc, Value a, int64_t i, Value other, int64_t j,
                    StringRef what) {
  auto at = cast<RankedTensorType>(a.getType()), ot = cast<RankedTensorType>(other.getType());
  if ((!at.isDynamicDim(i) && !ot.isDynamicDim(j)) || (a == other && i == j) ||
      !b.getContext()->getLoadedDialect<cf::ControlFlowDialect>())
    return;
  DataSizes data;
  bool fromData = data.tensorDim(a, i) || data.tensorDim(other, j);
  if (!fromData && !(at.isDynamicDim(i) && ot.isDynamicDim(j)))
    return; // A run-time input dim against a static one is assumed equal, as in a broadcast.
  Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dimSize(b, loc, a, i),
                                   dimSize(b, loc, other, j));
  if (!fromData)
    return requireDims(b, loc, eq, what);
  auto check = cf::AssertOp::create(b, loc, eq, what);
  check->setAttr("onnxc.data_check", b.getUnitAttr());
}

void requireSizes(OpBuilder &b, Location loc, Value cond, StringRef what) {
  if (!b.getContext()->getLoadedDialect<cf::ControlFlowDialect>() ||
      matchPattern(cond, m_One()))
    return;
  if (!sizeFromData(cond))
    return requireDims(b, loc, cond, what);
  auto check = cf::AssertOp::create(b, loc, cond, what);
  check->setAttr("onnxc.data_check", b.getUnitAttr());
}

/// The run-time dims of an elementwise result: where several inputs have a run-time dim at
/// the same (right-aligned) position, they must be equal at run time (a run-time 1 does not
/// broadcast). Between run-time input dims the size is -1 unless they are, which the size
/// function reports as dims out of range (onnx-size-function: every buffer size must be
/// >= 0), so a call with mismatched dims is refused before anything runs instead of reading
/// out of bounds. A size read from data (a Slice's length read at run time: `Add(Slice(x),
/// z)`) has only a bound, which says nothing of its value: it is compared at run time with
/// the size from the input dims (or, if every one is from data, with the first), as a data
/// check (`cf.assert {onnxc.data_check}`; the memory plan makes it ONNXC_ERROR_DATA_SIZE).
static SmallVector<Value> checkedBroadcastSizes(OpBuilder &b, Location loc,
                                                RankedTensorType type, ValueRange inputs) {
  SmallVector<Value> sizes;
  int64_t rank = type.getRank();
  bool canCheck = b.getContext()->getLoadedDialect<cf::ControlFlowDialect>();
  DataSizes data;
  for (int64_t i = 0; i < rank; ++i) {
    if (!type.isDynamicDim(i))
      continue;
    SmallVector<Value> dims, fromData;
    for (Value v : inputs) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      int64_t j = t ? i - (rank - t.getRank()) : -1;
      if (j < 0 || !t.isDynamicDim(j))
        continue;
      Value d = tensor::DimOp::create(b, loc, v, j);
      (canCheck && data.tensorDim(v, j) ? fromData : dims).push_back(d);
    }
    if (dims.empty() && fromData.empty())
      // Callers pass sources for every dynamic dim; an op that cannot is refused.
      llvm::report_fatal_error("onnx-compile: no source for a run-time dim");
    if (dims.empty())
      dims.push_back(fromData.front()), fromData.erase(fromData.begin());
    Value size = dims[0], same;
    for (Value d : ArrayRef<Value>(dims).drop_front()) {
      if (d == dims[0] || (d.getDefiningOp<tensor::DimOp>().getSource() ==
                               dims[0].getDefiningOp<tensor::DimOp>().getSource() &&
                           d.getDefiningOp<tensor::DimOp>().getConstantIndex() ==
                               dims[0].getDefiningOp<tensor::DimOp>().getConstantIndex()))
        continue;
      Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, dims[0]);
      same = same ? arith::AndIOp::create(b, loc, same, eq).getResult() : eq;
    }
    if (same)
      size = arith::SelectOp::create(b, loc, same, size,
                                     arith::ConstantIndexOp::create(b, loc, -1));
    for (Value d : fromData) {
      Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, size);
      auto check = cf::AssertOp::create(b, loc, eq, "a size from tensor data differs from the "
                                                    "size it is broadcast against");
      check->setAttr("onnxc.data_check", b.getUnitAttr());
    }
    sizes.push_back(size);
  }
  return sizes;
}

/// A run-time dim of an input where the result's dim is static (a result the model
/// declares static, e.g. a graph output [10] computed from Range(0, n)) is read as that
/// size: `cf.assert %dim == size {onnxc.data_check}` records the assumption. The memory
/// plan turns it into a run-time check with an error status when the dim comes from tensor
/// data, and drops it otherwise (run-time input dims keep being assumed equal,
/// docs/dynamic-shapes.md). An assert, having effects, is what canonicalization and fusion
/// leave in place: a cast to the static type would be folded into the producer.
static void assumeStaticDims(OpBuilder &b, Location loc, RankedTensorType resultType,
                             ValueRange inputs) {
  if (!b.getContext()->getLoadedDialect<cf::ControlFlowDialect>())
    return;
  int64_t rank = resultType.getRank();
  for (Value in : inputs) {
    auto t = cast<RankedTensorType>(in.getType());
    for (int64_t j = 0; j < t.getRank(); ++j) {
      int64_t i = j + rank - t.getRank();
      if (i < 0 || !t.isDynamicDim(j) || resultType.isDynamicDim(i))
        continue;
      Value dim = tensor::DimOp::create(b, loc, in, j);
      Value ok = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, dim,
          arith::ConstantIndexOp::create(b, loc, resultType.getDimSize(i)));
      auto check = cf::AssertOp::create(b, loc, ok, "a size from tensor data differs from "
                                                    "the static size the model declares");
      check->setAttr("onnxc.data_check", b.getUnitAttr());
    }
  }
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, const ScalarBody &body) {
  MLIRContext *ctx = b.getContext();
  assumeStaticDims(b, loc, resultType, inputs);
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(cast<RankedTensorType>(in.getType()).getShape(),
                                resultType.getShape(), ctx));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iters(resultType.getRank(), utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs,
      ValueRange{emptyTensorSized(b, loc, resultType,
                                  checkedBroadcastSizes(b, loc, resultType, inputs))},
      maps,
      iters, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

Value buildReduction(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes, Value init,
                     const ScalarBody &combine) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t rank = inType.getRank();
  SmallVector<int64_t> outShape(inType.getShape());
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < rank; ++i) {
    bool reduced = llvm::is_contained(axes, i);
    if (reduced)
      outShape[i] = 1;
    outExprs.push_back(reduced ? b.getAffineConstantExpr(0) : b.getAffineDimExpr(i));
    iters.push_back(reduced ? utils::IteratorType::reduction : utils::IteratorType::parallel);
  }
  auto outType = RankedTensorType::get(outShape, inType.getElementType());
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank),
                              AffineMap::get(rank, 0, outExprs, b.getContext())};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{input},
      ValueRange{filledTensor(b, loc, outType, init, input)}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, combine(nb, nl, {args[1], args[0]}));
      });
  return generic.getResult(0);
}

Value broadcastDims(OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
                    ArrayRef<int64_t> dims, ValueRange dynSizes) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d : dims)
    exprs.push_back(b.getAffineDimExpr(d));
  SmallVector<AffineMap> maps{AffineMap::get(rank, 0, exprs, b.getContext()),
                              b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(b, loc, TypeRange{resultType}, ValueRange{input},
                                   ValueRange{emptyTensorSized(b, loc, resultType, dynSizes)},
                                   maps, iters,
                                   [](OpBuilder &nb, Location nl, ValueRange args) {
                                     linalg::YieldOp::create(nb, nl, args[0]);
                                   })
      .getResult(0);
}

Value splitDim(OpBuilder &b, Location loc, Value v, int64_t dim, int64_t outer) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0, j = 0; i < t.getRank(); ++i) {
    if (i == dim) {
      shape.append({outer, t.getDimSize(i) / outer});
      groups.push_back({j, j + 1});
      j += 2;
    } else {
      shape.push_back(t.getDimSize(i));
      groups.push_back({j++});
    }
  }
  return tensor::ExpandShapeOp::create(b, loc, t.clone(shape), v, groups);
}

Value groupedConvolution(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                         ArrayRef<AffineMap> maps, RankedTensorType resultType) {
  auto initType = cast<RankedTensorType>(init.getType());
  int64_t parallel = initType.getRank();
  SmallVector<utils::IteratorType> iters(maps.front().getNumDims(),
                                         utils::IteratorType::reduction);
  std::fill_n(iters.begin(), parallel, utils::IteratorType::parallel);
  Value conv = linalg::GenericOp::create(
                   b, loc, TypeRange{initType}, inputs, ValueRange{init}, maps, iters,
                   [](OpBuilder &nb, Location l, ValueRange args) {
                     Value p = arith::MulFOp::create(nb, l, args[0], args[1]);
                     linalg::YieldOp::create(nb, l,
                                             ValueRange{arith::AddFOp::create(nb, l, args.back(), p)});
                   })
                   .getResult(0);
  SmallVector<ReassociationIndices> collapse{{0}, {1, 2}};
  for (int64_t i = 3; i < parallel; ++i)
    collapse.push_back({i});
  return tensor::CollapseShapeOp::create(b, loc, resultType, conv, collapse);
}

Value padTensor(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, Value padValue, bool bordersOnly) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return input;
  auto inType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < inType.getRank(); ++i)
    shape.push_back(inType.isDynamicDim(i) ? ShapedType::kDynamic
                                           : inType.getDimSize(i) + low[i] + high[i]);
  auto type = RankedTensorType::get(shape, inType.getElementType());
  if (bordersOnly && type.hasStaticShape()) {
    // Fill only the border, then copy the input into the interior. tensor.pad bufferizes
    // to a fill of the whole padded buffer before the copy (memset was 7% of mobilenet_v2).
    // The slabs are disjoint: along dim d, the low and high slabs span the interior of the
    // dims before d and the whole of the dims after it. Each is a fill of an extract_slice
    // inserted back where it came from, which one-shot bufferization does in place.
    int64_t rank = type.getRank();
    Value acc = tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
    SmallVector<OpFoldResult> ones(rank, b.getIndexAttr(1));
    for (int64_t d = 0; d < rank; ++d)
      for (bool lowSide : {true, false}) {
        int64_t width = lowSide ? low[d] : high[d];
        if (width == 0)
          continue;
        SmallVector<OpFoldResult> offsets, sizes;
        for (int64_t e = 0; e < rank; ++e) {
          int64_t offset = e < d ? low[e] : 0, size = e < d ? inType.getDimSize(e) : shape[e];
          if (e == d) {
            offset = lowSide ? 0 : low[d] + inType.getDimSize(d);
            size = width;
          }
          offsets.push_back(b.getIndexAttr(offset));
          sizes.push_back(b.getIndexAttr(size));
        }
        Value slab = tensor::ExtractSliceOp::create(b, loc, acc, offsets, sizes, ones);
        Value filled = linalg::FillOp::create(b, loc, padValue, slab).getResult(0);
        acc = tensor::InsertSliceOp::create(b, loc, filled, acc, offsets, sizes, ones);
      }
    SmallVector<OpFoldResult> offsets, sizes;
    for (int64_t e = 0; e < rank; ++e) {
      offsets.push_back(b.getIndexAttr(low[e]));
      sizes.push_back(b.getIndexAttr(inType.getDimSize(e)));
    }
    return tensor::InsertSliceOp::create(b, loc, input, acc, offsets, sizes, ones);
  }
  SmallVector<OpFoldResult> lo, hi;
  for (int64_t v : low)
    lo.push_back(b.getIndexAttr(v));
  for (int64_t v : high)
    hi.push_back(b.getIndexAttr(v));
  return tensor::PadOp::create(b, loc, type, input, lo, hi, padValue);
}

Value reshapeTensor(OpBuilder &b, Location loc, Value input, RankedTensorType resultType) {
  auto inType = cast<RankedTensorType>(input.getType());
  if (inType == resultType)
    return input;
  if (inType.getRank() == 0 || resultType.getRank() == 0) {
    // Rank-0 has no reassociation to collapse or expand through: go via tensor.reshape.
    auto shapeType = RankedTensorType::get({resultType.getRank()}, b.getIndexType());
    SmallVector<APInt> dims;
    for (int64_t d : resultType.getShape())
      dims.push_back(APInt(64, d));
    Value shape = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(shapeType, dims));
    return tensor::ReshapeOp::create(b, loc, resultType, input, shape);
  }
  Value flat = input;
  if (inType.getRank() != 1) {
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < inType.getRank(); ++i)
      all[0].push_back(i);
    flat = tensor::CollapseShapeOp::create(b, loc, input, all);
  }
  if (resultType.getRank() == 1)
    return flat;
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < resultType.getRank(); ++i)
    all[0].push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat, all);
}


//===----------------------------------------------------------------------===//
// Shape arithmetic (sizes an ONNX graph computes from Shape at run time, recomputed from
// the dims so that the size function and the memory plan see dims, not data)
//===----------------------------------------------------------------------===//

namespace {
constexpr int kMaxShapeDepth = 32;
/// Shape vectors longer than any rank the lowerings meet are not shape arithmetic.
constexpr int64_t kMaxShapeLength = 64;
/// Visits per walk (reset by each outermost call): a model that reuses one value on both
/// sides of every Add of a deep chain would otherwise make the walk exponential in its depth.
thread_local int shapeWalkBudget = 0;

/// Counts one visit; false when the walk's budget is spent. `depth` 0 starts a new walk.
bool shapeVisit(int depth) {
  if (depth == 0)
    shapeWalkBudget = 4096;
  return --shapeWalkBudget >= 0;
}

/// A one-element integer tensor type (the scalars of shape arithmetic).
bool oneInteger(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() && t.getNumElements() == 1 &&
         t.getElementType().isSignlessInteger();
}

/// `l op r` for the arithmetic ops exporters compute shapes with; a divisor of 0 is invalid
/// (divided by 1 then; the size function guards divisions too).
Value shapeBinary(OpBuilder &b, Location loc, Operation *def, Value l, Value r) {
  if (isa<onnx::AddOp>(def))
    return arith::AddIOp::create(b, loc, l, r);
  if (isa<onnx::SubOp>(def))
    return arith::SubIOp::create(b, loc, l, r);
  if (isa<onnx::MulOp>(def))
    return arith::MulIOp::create(b, loc, l, r);
  if (isa<onnx::MinOp>(def))
    return arith::MinSIOp::create(b, loc, l, r);
  if (isa<onnx::MaxOp>(def))
    return arith::MaxSIOp::create(b, loc, l, r);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value nz = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
  // ONNX's integer Div truncates toward zero, as divsi does.
  return arith::DivSIOp::create(b, loc, l, arith::SelectOp::create(b, loc, nz, r, one));
}

bool isShapeBinary(Operation *def) {
  return isa<onnx::AddOp, onnx::SubOp, onnx::MulOp, onnx::DivOp, onnx::MinOp, onnx::MaxOp>(def) &&
         def->getNumOperands() == 2;
}
} // namespace

Value shapeScalar(OpBuilder &b, Location loc, Value v, int depth, const ValueMap &remap) {
  Operation *def = v.getDefiningOp();
  if (!shapeVisit(depth) || !def || depth > kMaxShapeDepth || !oneInteger(v))
    return Value();
  if (auto ints = onnx::constantInts(v); ints && ints->size() == 1)
    return arith::ConstantIndexOp::create(b, loc, (*ints)[0]);
  if (auto g = dyn_cast<onnx::GatherOp>(def)) {
    auto idx = onnx::constantInts(g.getIndices());
    auto dt = dyn_cast<RankedTensorType>(g.getData().getType());
    if (!idx || idx->size() != 1 || g.getAxis() != 0 || !dt || dt.getRank() != 1)
      return Value();
    auto entries = shapeVector(b, loc, g.getData(), depth + 1, remap);
    if (!entries)
      return Value();
    int64_t k = (*idx)[0], n = static_cast<int64_t>(entries->size());
    if (k < 0)
      k += n;
    return k >= 0 && k < n ? (*entries)[k] : Value();
  }
  if (isa<onnx::ShapeOp, onnx::ConcatOp, onnx::SliceOp>(def)) {
    auto entries = shapeVector(b, loc, v, depth + 1, remap);
    return entries && entries->size() == 1 ? entries->front() : Value();
  }
  if (isa<onnx::SqueezeOp, onnx::UnsqueezeOp, onnx::ReshapeOp, onnx::IdentityOp, onnx::CastOp>(
          def))
    return shapeScalar(b, loc, def->getOperand(0), depth + 1, remap);
  if (!isShapeBinary(def))
    return Value();
  Value l = shapeScalar(b, loc, def->getOperand(0), depth + 1, remap);
  Value r = l ? shapeScalar(b, loc, def->getOperand(1), depth + 1, remap) : Value();
  return r ? shapeBinary(b, loc, def, l, r) : Value();
}

std::optional<SmallVector<Value>> shapeVector(OpBuilder &b, Location loc, Value v, int depth,
                                              const ValueMap &remap) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!shapeVisit(depth) || depth > kMaxShapeDepth || !t || !t.hasStaticShape() ||
      t.getRank() > 1 || t.getNumElements() > kMaxShapeLength ||
      !t.getElementType().isSignlessInteger())
    return std::nullopt;
  int64_t n = t.getNumElements();
  if (auto ints = onnx::constantInts(v)) {
    SmallVector<Value> r;
    for (int64_t x : *ints)
      r.push_back(arith::ConstantIndexOp::create(b, loc, x));
    return r;
  }
  Operation *def = v.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (auto shape = dyn_cast<onnx::ShapeOp>(def)) {
    auto dt = dyn_cast<RankedTensorType>(shape.getData().getType());
    if (!dt)
      return std::nullopt;
    Value data = shape.getData();
    if (remap)
      if (Value lowered = remap(data); lowered && lowered.getType() == data.getType())
        data = lowered;
    int64_t rank = dt.getRank();
    auto clampDim = [&](int64_t x) { return std::clamp<int64_t>(x < 0 ? x + rank : x, 0, rank); };
    int64_t start = clampDim(static_cast<int64_t>(shape.getStart()));
    int64_t end = shape.getEnd() ? clampDim(static_cast<int64_t>(*shape.getEnd())) : rank;
    if (std::max(end - start, int64_t(0)) != n)
      return std::nullopt;
    SmallVector<Value> r;
    for (int64_t d = start; d < end; ++d)
      r.push_back(dimSize(b, loc, data, d));
    return r;
  }
  if (auto concat = dyn_cast<onnx::ConcatOp>(def)) {
    SmallVector<Value> r;
    for (Value in : concat.getInputs()) {
      auto part = shapeVector(b, loc, in, depth + 1, remap);
      if (!part)
        return std::nullopt;
      llvm::append_range(r, *part);
    }
    return static_cast<int64_t>(r.size()) == n ? std::optional(r) : std::nullopt;
  }
  if (auto g = dyn_cast<onnx::GatherOp>(def)) {
    auto idx = onnx::constantInts(g.getIndices());
    auto dt = dyn_cast<RankedTensorType>(g.getData().getType());
    if (!idx || g.getAxis() != 0 || !dt || dt.getRank() != 1 ||
        static_cast<int64_t>(idx->size()) != n)
      return std::nullopt;
    auto entries = shapeVector(b, loc, g.getData(), depth + 1, remap);
    if (!entries)
      return std::nullopt;
    SmallVector<Value> r;
    int64_t m = static_cast<int64_t>(entries->size());
    for (int64_t k : *idx) {
      if (k < 0)
        k += m;
      if (k < 0 || k >= m)
        return std::nullopt;
      r.push_back((*entries)[k]);
    }
    return r;
  }
  if (auto slice = dyn_cast<onnx::SliceOp>(def)) {
    auto starts = onnx::constantInts(slice.getStarts());
    auto ends = onnx::constantInts(slice.getEnds());
    std::optional<SmallVector<int64_t>> axes, steps;
    if (slice.getAxes() && !(axes = onnx::constantInts(slice.getAxes())))
      return std::nullopt;
    if (slice.getSteps() && !(steps = onnx::constantInts(slice.getSteps())))
      return std::nullopt;
    auto entries = starts && ends ? shapeVector(b, loc, slice.getData(), depth + 1, remap)
                                  : std::nullopt;
    if (!entries)
      return std::nullopt;
    int64_t m = static_cast<int64_t>(entries->size());
    // resolveSlice reports inconsistent operands on the op; shape inference already did.
    auto ref = [](const std::optional<SmallVector<int64_t>> &x)
        -> std::optional<ArrayRef<int64_t>> {
      if (!x)
        return std::nullopt;
      return ArrayRef<int64_t>(*x);
    };
    auto dims = onnx::resolveSlice(slice, {m}, *starts, *ends, ref(axes), ref(steps));
    if (failed(dims) || dims->size() != 1 || (*dims)[0].size != n)
      return std::nullopt;
    SmallVector<Value> r;
    for (int64_t k = 0; k < n; ++k)
      r.push_back((*entries)[(*dims)[0].start + k * (*dims)[0].step]);
    return r;
  }
  if (n == 1 && t.getRank() == 1 && isa<onnx::UnsqueezeOp, onnx::ReshapeOp>(def))
    if (Value s = shapeScalar(b, loc, def->getOperand(0), depth + 1, remap))
      return SmallVector<Value>{s};
  if (isa<onnx::IdentityOp, onnx::CastOp, onnx::ReshapeOp, onnx::SqueezeOp, onnx::UnsqueezeOp>(
          def)) {
    auto it = dyn_cast<RankedTensorType>(def->getOperand(0).getType());
    if (it && it.getRank() == 1 && it.hasStaticShape() && it.getNumElements() == n)
      return shapeVector(b, loc, def->getOperand(0), depth + 1, remap);
    return std::nullopt;
  }
  if (!isShapeBinary(def))
    return std::nullopt;
  auto l = shapeVector(b, loc, def->getOperand(0), depth + 1, remap);
  auto r = l ? shapeVector(b, loc, def->getOperand(1), depth + 1, remap) : std::nullopt;
  if (!r)
    return std::nullopt;
  auto at = [&](const SmallVector<Value> &e, int64_t k) {
    return e.size() == 1 ? e[0] : e[k];
  };
  if ((static_cast<int64_t>(l->size()) != n && l->size() != 1) ||
      (static_cast<int64_t>(r->size()) != n && r->size() != 1))
    return std::nullopt;
  SmallVector<Value> out;
  for (int64_t k = 0; k < n; ++k)
    out.push_back(shapeBinary(b, loc, def, at(*l, k), at(*r, k)));
  return out;
}

} // namespace onnxc::lowering
