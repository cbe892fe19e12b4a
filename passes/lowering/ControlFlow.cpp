// If and Loop -> scf.if / scf.for / scf.while on tensors.
//
// The bodies move into the scf ops as they are (their onnx ops are lowered by the other
// patterns afterwards). What they yield is written into a destination that lives outside the
// region: a tensor made before scf.if for its results, the loop's own iteration argument for
// a carried value (bufferization.materialize_in_destination), an accumulator indexed by the
// iteration for a scan output. So no buffer allocated inside a region outlives it, and the
// static memory plan can give each one a fixed place for the whole loop (PlanMemory.cpp).
#include "dialects/onnx/ShapeOperands.h"
#include "passes/lowering/LoweringUtils.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// The scalar of a one-element tensor (rank 0 or 1).
Value extractScalar(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> zeros(type.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, t, zeros);
}

Value scalarTensor(OpBuilder &b, Location loc, Value scalar) {
  return tensor::FromElementsOp::create(b, loc, RankedTensorType::get({}, scalar.getType()),
                                        scalar);
}

/// `value` written into `dest` (a tensor the region's parent owns). `body` is the onnx body
/// inlined with `args` for its arguments (the conversion rewriter replaces their uses only
/// at the end, so they are mapped here). A value that is an argument of the loop's block (a
/// carried value passed on to another slot, as in a swap) is copied first: writing it into
/// its destination could clobber a slot still to be read.
Value intoDestination(OpBuilder &b, Location loc, Value value, Value dest, Block &body,
                      ValueRange args) {
  if (auto arg = dyn_cast<BlockArgument>(value); arg && arg.getOwner() == &body)
    value = args[arg.getArgNumber()];
  if (value == dest)
    return dest;
  if (isa<BlockArgument>(value) &&
      cast<BlockArgument>(value).getOwner() == dest.getParentBlock())
    value = bufferization::AllocTensorOp::create(b, loc, cast<RankedTensorType>(value.getType()),
                                                 ValueRange{}, value);
  if (value.getType() != dest.getType()) {
    // A yielded type less precise than the carried one (`[?]` for `[1]`): the sizes were
    // checked (checkYieldedDims); written into the leading slice of its own size, which is
    // the whole slot.
    auto vt = cast<RankedTensorType>(value.getType());
    SmallVector<OpFoldResult> offsets(vt.getRank(), b.getIndexAttr(0)),
        strides(vt.getRank(), b.getIndexAttr(1)), sizes;
    for (int64_t d = 0; d < vt.getRank(); ++d)
      sizes.push_back(vt.isDynamicDim(d)
                          ? OpFoldResult(tensor::DimOp::create(b, loc, value, d).getResult())
                          : OpFoldResult(b.getIndexAttr(vt.getDimSize(d))));
    Value slice = tensor::ExtractSliceOp::create(b, loc, vt, dest, offsets, sizes, strides);
    Value written =
        bufferization::MaterializeInDestinationOp::create(b, loc, value, slice).getResult();
    return tensor::InsertSliceOp::create(b, loc, written, dest, offsets, sizes, strides);
  }
  return bufferization::MaterializeInDestinationOp::create(b, loc, value, dest).getResult();
}

/// A value the loop body yields with run-time dims where its slot (the carried value, whose
/// type is kept from the entry, or a scan output's element) has static ones (`[?]` for `[1]`:
/// `Slice(x, [i], [i + 1])`): each such dim is checked every iteration, before the value is
/// written into the slot. A check that fails ends the run with ONNXC_ERROR_DATA_SIZE
/// (`cf.assert` with a status, like onnx.Check: after convert-scf-to-cf,
/// onnx-lower-runtime-checks makes it a branch out of the loop to the status return), so a
/// value of another size is never written past its slot.
///
/// A slot with run-time dims (`slot`: a carried value whose entry has run-time dims, which
/// keeps its entry's size every iteration) is checked the same way against its own dims, so
/// that a body that changes the value's size (`Concat(y, y)` of a `[?]`) ends the run with
/// the status instead of writing past the slot. Where the yielded dim is the slot's own (an
/// elementwise op on it), the comparison folds away.
void checkYieldedDims(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> slotShape,
                      StringRef what, Value slot = Value()) {
  auto vt = cast<RankedTensorType>(value.getType());
  for (int64_t d = 0; d < vt.getRank(); ++d) {
    if (ShapedType::isDynamic(slotShape[d])) {
      if (!slot)
        continue;
      Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       dimSize(b, loc, value, d),
                                       tensor::DimOp::create(b, loc, slot, d));
      cf::AssertOp::create(b, loc, ok,
                           b.getStringAttr("onnxc.status 11: " + what +
                                           " that the loop body yields has a dim other than "
                                           "its entry's"));
      continue;
    }
    if (!vt.isDynamicDim(d))
      continue;
    Value dim = tensor::DimOp::create(b, loc, value, d);
    Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dim,
                                     arith::ConstantIndexOp::create(b, loc, slotShape[d]));
    cf::AssertOp::create(b, loc, ok,
                         b.getStringAttr("onnxc.status 11: " + what +
                                         " that the loop body yields has a dim other than " +
                                         std::to_string(slotShape[d])));
  }
}

/// The loop's own copy of each initial carried value: the body writes its new value into
/// it in place, and with bufferize-function-boundaries one-shot bufferization treats a
/// function argument as writable (docs/traps.md), so an input would be overwritten.
SmallVector<Value> carriedInits(OpBuilder &b, Location loc, ValueRange inits) {
  SmallVector<Value> copies;
  for (Value v : inits)
    copies.push_back(bufferization::AllocTensorOp::create(
        b, loc, cast<RankedTensorType>(v.getType()), ValueRange{}, v));
  return copies;
}

/// An upper bound of dim `d` of `v`, a value an If branch yields, computed before the If from
/// the dims of values defined outside it (`outside`: the If op's block). Exact for values
/// defined outside and static dims; through elementwise ops (broadcasting: the largest of the
/// operands' dims, the only valid run-time values being equal dims or 1), Concat (the sum on
/// its axis), Transpose, MatMul (2-D and up) and Reshape with a constant shape (a copied dim:
/// the data's; -1: the product of the data dims not copied over the other entries). Through
/// Slice (any starts, ends and steps, read at run time included) the bound is the input's
/// dim, and no longer exact (`inexact` is set): the branch's size is then read at run time
/// even where both branches have the same bound. Null when the size comes from anything else.
/// `dimCache` makes the same outer dim one SSA value, so that branches that agree give the
/// same bound.
struct BranchBounds {
  OpBuilder &b;
  Location loc;
  Operation *ifOp;
  DenseMap<std::pair<Value, int64_t>, Value> dimCache;
  DenseMap<int64_t, Value> constCache;
  bool inexact = false;

  Value constant(int64_t n) {
    Value &c = constCache[n];
    if (!c)
      c = arith::ConstantIndexOp::create(b, loc, n);
    return c;
  }

  Value bound(Value v, int64_t d) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t)
      return Value();
    if (!t.isDynamicDim(d))
      return constant(t.getDimSize(d));
    Operation *def = v.getDefiningOp();
    if (!ifOp->isAncestor(def ? def : v.getParentBlock()->getParentOp())) {
      Value &c = dimCache[{v, d}];
      if (!c)
        c = tensor::DimOp::create(b, loc, v, d);
      return c;
    }
    if (!def || def->getNumResults() != 1)
      return Value();
    int64_t rank = t.getRank();
    if (auto concat = dyn_cast<onnx::ConcatOp>(def)) {
      int64_t axis = static_cast<int64_t>(concat.getAxis());
      if (axis < 0)
        axis += rank;
      Value acc;
      for (Value in : concat.getInputs()) {
        Value x = bound(in, d);
        if (!x)
          return Value();
        acc = !acc ? x
                   : d == axis ? Value(arith::AddIOp::create(b, loc, acc, x))
                               : Value(arith::MaxUIOp::create(b, loc, acc, x));
      }
      return acc;
    }
    if (auto tr = dyn_cast<onnx::TransposeOp>(def)) {
      std::optional<ArrayRef<int64_t>> perm = tr.getPerm();
      return bound(tr.getData(), perm ? (*perm)[d] : rank - 1 - d);
    }
    if (auto mm = dyn_cast<onnx::MatMulOp>(def)) {
      auto at = dyn_cast<RankedTensorType>(mm.getA().getType());
      auto bt = dyn_cast<RankedTensorType>(mm.getB().getType());
      if (!at || !bt || at.getRank() < 2 || bt.getRank() < 2)
        return Value();
      if (d == rank - 1)
        return bound(mm.getB(), bt.getRank() - 1);
      if (d == rank - 2)
        return bound(mm.getA(), at.getRank() - 2);
      // Batch dims: broadcast, right-aligned before the matrix dims.
      return broadcastBound({mm.getA(), mm.getB()}, d, rank);
    }
    if (auto slice = dyn_cast<onnx::SliceOp>(def)) {
      // At most the input along every dim, whatever the starts, ends and steps.
      auto it = dyn_cast<RankedTensorType>(slice.getData().getType());
      if (!it || it.getRank() != rank)
        return Value();
      Value x = bound(slice.getData(), d);
      inexact = true;
      return x;
    }
    if (auto reshape = dyn_cast<onnx::ReshapeOp>(def))
      return reshapeBound(reshape, d, rank);
    if (!isElementwiseLowering(def->getName().getStringRef()))
      return Value();
    return broadcastBound(def->getOperands(), d, rank);
  }

  /// Dim `d` of a Reshape to a constant shape (a static entry gave a static dim already): an
  /// entry 0 copies the data's dim (without allowzero); -1 is the data's element count over
  /// the other entries, that is the product of the data dims not copied over the positive
  /// entries (floor: the actual size is an integer no larger).
  Value reshapeBound(onnx::ReshapeOp reshape, int64_t d, int64_t rank) {
    auto shape = onnx::constantInts(reshape.getShape());
    auto it = dyn_cast<RankedTensorType>(reshape.getData().getType());
    if (!shape || !it || static_cast<int64_t>(shape->size()) != rank)
      return Value();
    bool allowZero = reshape.getAllowzero() != 0;
    int64_t entry = (*shape)[d];
    if (entry == 0 && !allowZero)
      return d < it.getRank() ? bound(reshape.getData(), d) : Value();
    if (entry != -1)
      return Value();
    int64_t known = 1;
    SmallVector<bool> copied(it.getRank(), false);
    for (int64_t k = 0; k < rank; ++k) {
      int64_t e = (*shape)[k];
      if (k == d)
        continue;
      if (e == 0 && !allowZero) {
        if (k >= it.getRank())
          return Value();
        copied[k] = true;
      } else if (e > 0) {
        known *= e;
      } else {
        return Value(); // A second -1, or a 0 with allowzero: no size to infer.
      }
    }
    Value acc = constant(1);
    for (int64_t k = 0; k < it.getRank(); ++k) {
      if (copied[k])
        continue;
      Value x = bound(reshape.getData(), k);
      if (!x)
        return Value();
      acc = arith::MulIOp::create(b, loc, acc, x);
    }
    return known == 1 ? acc : Value(arith::DivUIOp::create(b, loc, acc, constant(known)));
  }

  /// Dim `d` of a rank-`rank` result broadcast from `ins` (aligned on the right): the largest
  /// of their dims, the only valid run-time values being equal dims or 1.
  Value broadcastBound(ValueRange ins, int64_t d, int64_t rank) {
    Value acc;
    for (Value in : ins) {
      auto it = dyn_cast<RankedTensorType>(in.getType());
      if (!it)
        return Value();
      int64_t at = d - (rank - it.getRank());
      if (at < 0)
        continue;
      Value x = bound(in, at);
      if (!x)
        return Value();
      acc = !acc || acc == x ? x : Value(arith::MaxUIOp::create(b, loc, acc, x));
    }
    return acc;
  }
};

struct IfLowering : OpConversionPattern<onnx::IfOp> {
  using OpConversionPattern::OpConversionPattern;

  /// The buffer an If result is written into, one per result. Not a tensor.empty: CSE merges
  /// two of the same type and sizes (two outputs of the same shape) into one, and the two
  /// materialize_in_destination of a branch, which must both write in place, then write the
  /// same buffer while the first value is still live ("cannot avoid RaW conflict"). An
  /// alloc_tensor allocates, so it is never merged (docs/traps.md).
  static Value destination(OpBuilder &b, Location loc, RankedTensorType type,
                           ValueRange dynSizes) {
    return bufferization::AllocTensorOp::create(b, loc, type, dynSizes);
  }
  LogicalResult matchAndRewrite(onnx::IfOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    auto thenY = cast<onnx::YieldOp>(op.getThenBranch().front().getTerminator());
    auto elseY = cast<onnx::YieldOp>(op.getElseBranch().front().getTerminator());
    bool allStatic = true;
    for (auto [i, r] : llvm::enumerate(op.getResults())) {
      auto t = dyn_cast<RankedTensorType>(r.getType());
      if (t && t.hasStaticShape())
        continue;
      allStatic = false;
      if (t)
        continue;
      Type thenT = thenY.getValues()[i].getType(), elseT = elseY.getValues()[i].getType();
      auto rt = dyn_cast<RankedTensorType>(thenT), re = dyn_cast<RankedTensorType>(elseT);
      if (rt && re && rt.getRank() != re.getRank())
        return op.emitError() << "output " << i << " has rank " << rt.getRank() << " (" << thenT
                              << ") in then_branch and rank " << re.getRank() << " (" << elseT
                              << ") in else_branch: ONNX allows branches of different ranks "
                                 "only for an output of unranked type, whose rank is known "
                                 "only at run time, which is not supported";
      return op.emitError() << "output " << i << " is " << thenT << " in then_branch and "
                            << elseT << " in else_branch: an output whose rank is known only "
                                        "at run time is not supported";
    }
    if (!allStatic)
      return lowerWithRuntimeDims(op, adaptor, rw, thenY, elseY);
    Location loc = op.getLoc();
    SmallVector<Value> dests;
    for (Value r : op.getResults())
      dests.push_back(destination(rw, loc, cast<RankedTensorType>(r.getType()), {}));
    Value cond = extractScalar(rw, loc, adaptor.getCond());
    auto ifOp = scf::IfOp::create(rw, loc, op.getResultTypes(), cond, /*addThenBlock=*/false,
                                  /*addElseBlock=*/false);
    for (auto [from, to] : {std::pair{&op.getThenBranch(), &ifOp.getThenRegion()},
                            std::pair{&op.getElseBranch(), &ifOp.getElseRegion()}}) {
      rw.inlineRegionBefore(*from, *to, to->end());
      auto yield = cast<onnx::YieldOp>(to->front().getTerminator());
      rw.setInsertionPoint(yield);
      SmallVector<Value> outs;
      for (auto [v, dest] : llvm::zip(yield.getValues(), dests))
        outs.push_back(bufferization::MaterializeInDestinationOp::create(rw, loc, v, dest)
                           .getResult());
      scf::YieldOp::create(rw, loc, outs);
      rw.eraseOp(yield);
    }
    rw.replaceOp(op, ifOp.getResults());
    return success();
  }

  /// Results with run-time dims (branches that differ in shape, or dims of run-time input
  /// dims): each result's destination is made before the scf.if with the larger of the
  /// branches' sizes (bounds computed from the dims, BranchBounds), each branch writes its
  /// value into the leading slice of its own size and yields that size too, and the result is
  /// that slice of the destination. A size that differs between the branches is
  /// `select(cond, then, else)` at run time (the scf.if's index result), marked with its bound
  /// like a count of NonZero (`arith.minui {onnxc.data_bound}`): the size function and the
  /// memory plan use the bound, so the workspace holds either branch, and a graph output gets
  /// the bound from output_dims and its actual dims from run_dynamic.
  LogicalResult lowerWithRuntimeDims(onnx::IfOp op, OpAdaptor adaptor,
                                     ConversionPatternRewriter &rw, onnx::YieldOp thenY,
                                     onnx::YieldOp elseY) const {
    Location loc = op.getLoc();
    BranchBounds bounds{rw, loc, op.getOperation(), DenseMap<std::pair<Value, int64_t>, Value>(),
                        DenseMap<int64_t, Value>()};
    SmallVector<Value> dests;
    // Per result, per dim: the bound, and whether the branches' sizes may differ (then the
    // scf.if yields the size taken).
    SmallVector<SmallVector<Value>> dimBounds;
    SmallVector<SmallVector<bool>> varies;
    for (auto [i, r] : llvm::enumerate(op.getResults())) {
      auto t = cast<RankedTensorType>(r.getType());
      SmallVector<Value> bs, dyn;
      SmallVector<bool> vs;
      for (int64_t d = 0; d < t.getRank(); ++d) {
        Value tb, eb;
        bool inexact = false; // A bound above a branch's size: read the size taken.
        for (auto [y, which] : {std::pair{thenY, "then_branch"}, std::pair{elseY, "else_branch"}}) {
          Value v = y.getValues()[i];
          auto vt = cast<RankedTensorType>(v.getType());
          if (vt.getRank() != t.getRank())
            return op.emitError() << "output " << i << " is " << vt << " in " << which
                                  << " but the If's result is " << t;
          if (!t.isDynamicDim(d) && vt.isDynamicDim(d)) {
            return op.emitError() << "output " << i << " is " << vt << " in " << which
                                  << " but is declared " << t
                                  << ": a declared static dim that a branch computes at run "
                                     "time is not supported";
          }
          if (!t.isDynamicDim(d) && vt.getDimSize(d) != t.getDimSize(d))
            return op.emitError() << "output " << i << " is " << vt << " in " << which
                                  << " but is declared " << t;
          bounds.inexact = false;
          Value bnd = bounds.bound(v, d);
          inexact |= bounds.inexact;
          if (!bnd) {
            Operation *def = v.getDefiningOp();
            return op.emitError()
                   << "output " << i << " has dim " << d << " computed at run time in " << which
                   << " (by '" << (def ? def->getName().getStringRef() : StringRef("?"))
                   << "'), and its size is not computable from the dims before the If "
                      "(only through elementwise ops, Concat, Transpose, MatMul, Reshape with a "
                      "constant shape and Slice), which is not supported yet";
          }
          (y == thenY ? tb : eb) = bnd;
        }
        bool differ = tb != eb;
        vs.push_back((differ || inexact) && t.isDynamicDim(d));
        Value bnd = differ ? Value(arith::MaxUIOp::create(rw, loc, tb, eb)) : tb;
        bs.push_back(bnd);
        if (t.isDynamicDim(d))
          dyn.push_back(bnd);
      }
      dests.push_back(destination(rw, loc, t, dyn));
      dimBounds.push_back(std::move(bs));
      varies.push_back(std::move(vs));
    }
    SmallVector<Type> types(op.getResultTypes());
    for (const auto &vs : varies)
      for (bool v : vs)
        if (v)
          types.push_back(rw.getIndexType());
    Value cond = extractScalar(rw, loc, adaptor.getCond());
    auto ifOp = scf::IfOp::create(rw, loc, types, cond, /*addThenBlock=*/false,
                                  /*addElseBlock=*/false);
    for (auto [from, to] : {std::pair{&op.getThenBranch(), &ifOp.getThenRegion()},
                            std::pair{&op.getElseBranch(), &ifOp.getElseRegion()}}) {
      rw.inlineRegionBefore(*from, *to, to->end());
      auto yield = cast<onnx::YieldOp>(to->front().getTerminator());
      rw.setInsertionPoint(yield);
      SmallVector<Value> outs, sizesTaken;
      for (auto [i, vd] : llvm::enumerate(llvm::zip(yield.getValues(), dests))) {
        auto [v, dest] = vd;
        auto vt = cast<RankedTensorType>(v.getType());
        SmallVector<OpFoldResult> offsets(vt.getRank(), rw.getIndexAttr(0)),
            strides(vt.getRank(), rw.getIndexAttr(1)), sizes;
        for (int64_t d = 0; d < vt.getRank(); ++d) {
          Value size = vt.isDynamicDim(d) ? Value(tensor::DimOp::create(rw, loc, v, d))
                                          : Value();
          sizes.push_back(size ? OpFoldResult(size) : rw.getIndexAttr(vt.getDimSize(d)));
          if (varies[i][d])
            sizesTaken.push_back(size ? size
                                      : arith::ConstantIndexOp::create(rw, loc, vt.getDimSize(d)));
        }
        Value slice =
            tensor::ExtractSliceOp::create(rw, loc, vt, dest, offsets, sizes, strides);
        Value written =
            bufferization::MaterializeInDestinationOp::create(rw, loc, v, slice).getResult();
        outs.push_back(
            tensor::InsertSliceOp::create(rw, loc, written, dest, offsets, sizes, strides));
      }
      llvm::append_range(outs, sizesTaken);
      scf::YieldOp::create(rw, loc, outs);
      rw.eraseOp(yield);
    }
    rw.setInsertionPointAfter(ifOp);
    SmallVector<Value> results;
    unsigned taken = op.getNumResults();
    for (auto [i, r] : llvm::enumerate(op.getResults())) {
      auto t = cast<RankedTensorType>(r.getType());
      SmallVector<OpFoldResult> offsets(t.getRank(), rw.getIndexAttr(0)),
          strides(t.getRank(), rw.getIndexAttr(1)), sizes;
      for (int64_t d = 0; d < t.getRank(); ++d) {
        if (!t.isDynamicDim(d))
          sizes.push_back(rw.getIndexAttr(t.getDimSize(d)));
        else if (!varies[i][d])
          sizes.push_back(dimBounds[i][d]);
        else
          sizes.push_back(
              dataDependentDim(rw, loc, ifOp.getResult(taken++), dimBounds[i][d]));
      }
      results.push_back(
          tensor::ExtractSliceOp::create(rw, loc, t, ifOp.getResult(i), offsets, sizes, strides));
    }
    rw.replaceOp(op, results);
    return success();
  }
};

struct LoopLowering : OpConversionPattern<onnx::LoopOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::LoopOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    unsigned numCarried = op.getNumCarried();
    for (auto [i, r] : llvm::enumerate(op.getResults())) {
      auto t = dyn_cast<RankedTensorType>(r.getType());
      if (t && t.hasStaticShape())
        continue;
      if (i >= numCarried) {
        // A length known only at run time (the trip count) is the accumulator's run-time
        // dim; the elements themselves must have a static shape, the accumulator being
        // made before the loop.
        // A trip count read from tensor data makes a length that depends on data: the
        // accumulator is then allocated per run (PlanMemory, docs/dynamic-shapes.md).
        if (t && t.getRank() >= 1 &&
            !llvm::any_of(t.getShape().drop_front(), ShapedType::isDynamic))
          continue;
        return op.emitError() << "scan output " << i - numCarried << " is " << r.getType()
                              << ": its elements' shape is known only at run time, which is "
                                 "not supported yet";
      }
      // A carried value with run-time dims keeps its entry's size every iteration (the
      // body's argument has the entry's type): the yielded dims are checked against the
      // entry's at run time (checkYieldedDims).
      auto argT = dyn_cast<RankedTensorType>(op.getBody().front().getArgument(2 + i).getType());
      if (t && argT && t == argT && t == op.getVInitial()[i].getType())
        continue;
      // A value the body grows (the importer's `onnxc.grows`): lowerToFor.
      if (t && argT && t == argT && growingIndices(op).contains(i))
        continue;
      return op.emitError() << "loop-carried value " << i << " is " << r.getType()
                            << ": its shape is known only at run time, which control flow "
                               "does not support yet";
    }
    Block &body = op.getBody().front();
    auto yield = cast<onnx::YieldOp>(body.getTerminator());
    auto isTrue = [](Value v) {
      DenseIntElementsAttr a;
      return v && matchPattern(v, m_Constant(&a)) && a.getNumElements() == 1 &&
             !(*a.begin()).isZero();
    };
    // The loop stops by its trip count alone when the condition stays true.
    Value condOut = yield.getValues()[0];
    // An initial condition that is not a constant true (the Range function's expansion
    // reads it from data) then runs the loop either the trip count's times or not at all.
    bool countOnly =
        op.getMaxTripCount() && (condOut == body.getArgument(1) || isTrue(condOut));
    if (countOnly)
      return lowerToFor(op, adaptor, rw);
    if (!growingIndices(op).empty())
      return op.emitError() << "loop-carried value " << *growingIndices(op).begin()
                            << " grows, and the loop ends on a condition computed in its body: "
                               "its size has no bound before the loop, which is not supported "
                               "yet";
    return lowerToWhile(op, adaptor, rw);
  }

  /// The carried values the body grows (`Concat(y, piece)`), which the importer marks.
  static llvm::SmallSetVector<unsigned, 4> growingIndices(onnx::LoopOp op) {
    llvm::SmallSetVector<unsigned, 4> r;
    if (auto a = op->getAttrOfType<DenseI64ArrayAttr>("onnxc.grows"))
      for (int64_t i : a.asArrayRef())
        r.insert(static_cast<unsigned>(i));
    return r;
  }

  /// A carried value that grows by a Concat of itself along `axis`: its buffer is made
  /// before the loop at `bound`, the entry's size plus the trip count times the largest
  /// piece a step appends (computed before the loop from the dims, BranchBounds); its size
  /// taken is an index iteration argument.
  struct Growth {
    unsigned index;
    int64_t axis;
    Value bound;
  };

  FailureOr<Growth> growthOf(onnx::LoopOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw,
                             unsigned i, Value ub) const {
    Location loc = op.getLoc();
    Block &body = op.getBody().front();
    auto yield = cast<onnx::YieldOp>(body.getTerminator());
    Value y = yield.getValues()[1 + i];
    while (auto id = y.getDefiningOp<onnx::IdentityOp>())
      y = id.getInput();
    Value arg = body.getArgument(2 + i), init = adaptor.getVInitial()[i];
    auto argT = cast<RankedTensorType>(arg.getType());
    auto initT = cast<RankedTensorType>(init.getType());
    auto concat = y.getDefiningOp<onnx::ConcatOp>();
    if (!concat)
      return op.emitError() << "loop-carried value " << i << " changes shape between "
                            << "iterations (" << initT << " on entry) other than by a Concat "
                            << "of itself with other values, which is not supported";
    if (int64_t n = llvm::count(concat.getInputs(), arg); n != 1)
      return op.emitError() << "loop-carried value " << i << " grows by a Concat that takes "
                            << "it " << n << " times (" << initT << " on entry): a size that "
                            << "multiplies each iteration is not supported (only appending "
                            << "pieces of bounded size)";
    int64_t axis = static_cast<int64_t>(concat.getAxis());
    if (axis < 0)
      axis += argT.getRank();
    for (int64_t d = 0; d < argT.getRank(); ++d)
      if (d != axis && (argT.isDynamicDim(d) || initT.isDynamicDim(d)))
        return op.emitError() << "loop-carried value " << i << " grows along axis " << axis
                              << " but its dim " << d << " is known only at run time, which "
                              << "is not supported";
    BranchBounds bounds{rw, loc, op.getOperation(), DenseMap<std::pair<Value, int64_t>, Value>(),
                        DenseMap<int64_t, Value>()};
    Value delta = arith::ConstantIndexOp::create(rw, loc, 0);
    for (Value in : concat.getInputs()) {
      if (in == arg)
        continue;
      Value x = bounds.bound(in, axis);
      if (!x)
        return op.emitError() << "loop-carried value " << i << " grows by a Concat whose "
                              << "other inputs have a size not computable from the dims "
                              << "before the loop (only through elementwise ops, Concat, "
                              << "Transpose, MatMul, Reshape with a constant shape and Slice "
                              << "of values from outside the loop), which is not supported";
      delta = arith::AddIOp::create(rw, loc, delta, x);
    }
    // The trip count as a size: static, or computed from the dims (Shape arithmetic), not
    // the value read from its tensor (which the memory plan sees as data).
    Value trips = op.staticTripCount()
                      ? Value(arith::ConstantIndexOp::create(rw, loc, *op.staticTripCount()))
                      : shapeScalar(rw, loc, op.getMaxTripCount());
    bool tripsFromData = !trips;
    if (trips) // A negative count runs no iteration (the loop's own bound is max(M, 0)).
      trips = arith::MaxSIOp::create(rw, loc, trips, arith::ConstantIndexOp::create(rw, loc, 0));
    if (tripsFromData || sizeFromData(delta))
      return op.emitError() << "loop-carried value " << i << " grows, and "
                            << (tripsFromData ? "the trip count" : "what a step appends")
                            << " is read from tensor data: its size has no bound computable "
                               "from the dims before the run, which is not supported yet";
    Value bound = arith::AddIOp::create(rw, loc, dimSize(rw, loc, init, axis),
                                        arith::MulIOp::create(rw, loc, trips, delta));
    return Growth{i, axis, bound};
  }

  LogicalResult lowerToFor(onnx::LoopOp op, OpAdaptor adaptor,
                           ConversionPatternRewriter &rw) const {
    Location loc = op.getLoc();
    unsigned numCarried = op.getNumCarried();
    Value ub;
    if (std::optional<int64_t> n = op.staticTripCount()) {
      ub = arith::ConstantIndexOp::create(rw, loc, *n);
    } else {
      Value m = extractScalar(rw, loc, adaptor.getMaxTripCount());
      Value zero = arith::ConstantIntOp::create(rw, loc, m.getType(), 0);
      m = arith::MaxSIOp::create(rw, loc, m, zero);
      ub = arith::IndexCastOp::create(rw, loc, rw.getIndexType(), m);
    }
    auto isTrue = [](Value v) {
      DenseIntElementsAttr a;
      return v && matchPattern(v, m_Constant(&a)) && a.getNumElements() == 1 &&
             !(*a.begin()).isZero();
    };
    if (op.getCond() && !isTrue(op.getCond())) {
      Value c = extractScalar(rw, loc, adaptor.getCond());
      ub = arith::SelectOp::create(rw, loc, c, ub, arith::ConstantIndexOp::create(rw, loc, 0));
    }
    SmallVector<Value> inits = carriedInits(rw, loc, adaptor.getVInitial());
    // A scan output of static length (declared, or the static trip count's while the
    // condition is read from data) holds exactly that many rows: recorded as an assumption
    // on the run-time trip count, which the memory plan checks (an error status, never a
    // row written past the end) when the count comes from data.
    if (!matchPattern(ub, m_Constant()) &&
        rw.getContext()->getLoadedDialect<cf::ControlFlowDialect>())
      for (Value r : op.getResults().drop_front(numCarried)) {
        auto t = cast<RankedTensorType>(r.getType());
        if (t.isDynamicDim(0))
          continue;
        Value ok = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::eq, ub,
                                         arith::ConstantIndexOp::create(rw, loc, t.getDimSize(0)));
        auto check = cf::AssertOp::create(rw, loc, ok, "the trip count differs from the scan "
                                                       "output's static length");
        check->setAttr("onnxc.data_check", rw.getUnitAttr());
      }
    for (Value r : op.getResults().drop_front(numCarried)) {
      auto t = cast<RankedTensorType>(r.getType());
      inits.push_back(t.isDynamicDim(0) ? emptyTensorSized(rw, loc, t, ValueRange{ub})
                                        : emptyTensor(rw, loc, t));
    }
    // Values that grow: a buffer at the bound holding the entry in its leading slice, and
    // the entry's size as an index iteration argument (after the scan accumulators).
    SmallVector<Growth> growth;
    for (unsigned i : growingIndices(op)) {
      FailureOr<Growth> g = growthOf(op, adaptor, rw, i, ub);
      if (failed(g))
        return failure();
      Value init = adaptor.getVInitial()[i];
      auto argT = cast<RankedTensorType>(op.getBody().front().getArgument(2 + i).getType());
      Value buf = bufferization::AllocTensorOp::create(rw, loc, argT, ValueRange{g->bound});
      auto it = cast<RankedTensorType>(init.getType());
      SmallVector<OpFoldResult> offsets(it.getRank(), rw.getIndexAttr(0)),
          strides(it.getRank(), rw.getIndexAttr(1)), sizes;
      for (int64_t d = 0; d < it.getRank(); ++d)
        sizes.push_back(it.isDynamicDim(d)
                            ? OpFoldResult(tensor::DimOp::create(rw, loc, init, d).getResult())
                            : OpFoldResult(rw.getIndexAttr(it.getDimSize(d))));
      rw.eraseOp(inits[i].getDefiningOp()); // The copy carriedInits made: not needed.
      inits[i] = tensor::InsertSliceOp::create(rw, loc, init, buf, offsets, sizes, strides);
      inits.push_back(dimSize(rw, loc, init, g->axis));
      growth.push_back(*g);
    }
    Value zero = arith::ConstantIndexOp::create(rw, loc, 0);
    Value one = arith::ConstantIndexOp::create(rw, loc, 1);
    auto forOp = scf::ForOp::create(rw, loc, zero, ub, one, inits);
    Block *loopBlock = forOp.getBody();
    if (!loopBlock->empty()) // The builder adds a terminator when there are no iter_args.
      rw.eraseOp(loopBlock->getTerminator());
    rw.setInsertionPointToEnd(loopBlock);
    Value iv = forOp.getInductionVar();
    Value iter = scalarTensor(
        rw, loc, arith::IndexCastOp::create(rw, loc, rw.getI64Type(), iv));
    Value cond = scalarTensor(rw, loc, arith::ConstantIntOp::create(rw, loc, 1, 1));
    SmallVector<Value> args{iter, cond};
    llvm::append_range(args, forOp.getRegionIterArgs().take_front(numCarried));
    unsigned firstSize = op.getNumResults();
    // A growing value enters the body as the leading slice of its buffer, its size marked
    // with its bound (a data-bound dim: buffers of the body sized from it are placed at the
    // bound, before the loop).
    auto leading = [&](Value buf, const Growth &g, Value size) {
      auto t = cast<RankedTensorType>(buf.getType());
      SmallVector<OpFoldResult> offsets(t.getRank(), rw.getIndexAttr(0)),
          strides(t.getRank(), rw.getIndexAttr(1)), sizes;
      for (int64_t d = 0; d < t.getRank(); ++d)
        sizes.push_back(d == g.axis ? OpFoldResult(size) : rw.getIndexAttr(t.getDimSize(d)));
      return std::tuple{offsets, sizes, strides};
    };
    for (auto [k, g] : llvm::enumerate(growth)) {
      Value buf = forOp.getRegionIterArgs()[g.index];
      Value size = dataDependentDim(rw, loc, forOp.getRegionIterArgs()[firstSize + k], g.bound);
      auto [offsets, sizes, strides] = leading(buf, g, size);
      args[2 + g.index] = tensor::ExtractSliceOp::create(rw, loc, cast<RankedTensorType>(buf.getType()),
                                                         buf, offsets, sizes, strides);
    }
    Block &body = op.getBody().front();
    auto yield = cast<onnx::YieldOp>(body.getTerminator());
    rw.inlineBlockBefore(&body, loopBlock, loopBlock->end(), args);
    rw.setInsertionPoint(yield);
    // Scan elements are read into their accumulators before any carried value is written
    // back: an element may be (a view of) a carried value.
    SmallVector<Value> outs(numCarried);
    for (unsigned j = numCarried; j < op.getNumResults(); ++j) {
      Value elem = yield.getValues()[1 + j];
      Value acc = forOp.getRegionIterArgs()[j];
      auto accType = cast<RankedTensorType>(acc.getType());
      auto elemType = cast<RankedTensorType>(elem.getType());
      if (elemType.getRank() + 1 != accType.getRank())
        return op.emitError() << "scan output " << j - numCarried << " is " << accType
                              << " but the body yields elements " << elemType;
      checkYieldedDims(rw, loc, elem, accType.getShape().drop_front(),
                       "an element of scan output " + std::to_string(j - numCarried));
      SmallVector<OpFoldResult> offsets(accType.getRank(), rw.getIndexAttr(0));
      offsets[0] = iv;
      SmallVector<OpFoldResult> sizes, strides(accType.getRank(), rw.getIndexAttr(1));
      sizes.push_back(rw.getIndexAttr(1));
      for (int64_t d = 0; d < elemType.getRank(); ++d)
        sizes.push_back(elemType.isDynamicDim(d)
                            ? OpFoldResult(tensor::DimOp::create(rw, loc, elem, d).getResult())
                            : OpFoldResult(rw.getIndexAttr(elemType.getDimSize(d))));
      outs.push_back(
          tensor::InsertSliceOp::create(rw, loc, elem, acc, offsets, sizes, strides));
    }
    auto growthAt = [&](unsigned i) -> const Growth * {
      for (const Growth &g : growth)
        if (g.index == i)
          return &g;
      return nullptr;
    };
    for (unsigned i = 0; i < numCarried; ++i)
      if (!growthAt(i))
        checkYieldedDims(
            rw, loc, yield.getValues()[1 + i],
            cast<RankedTensorType>(forOp.getRegionIterArgs()[i].getType()).getShape(),
            "loop-carried value " + std::to_string(i), forOp.getRegionIterArgs()[i]);
    SmallVector<Value> sizesOut;
    for (unsigned i = 0; i < numCarried; ++i) {
      const Growth *g = growthAt(i);
      if (!g) {
        outs[i] = intoDestination(rw, loc, yield.getValues()[1 + i],
                                  forOp.getRegionIterArgs()[i], body, args);
        continue;
      }
      // The grown value into the leading slice of its own size: never past the bound (the
      // pieces are bounded; checked anyway, with the status of a loop-carried size).
      Value v = yield.getValues()[1 + i], buf = forOp.getRegionIterArgs()[i];
      Value size = tensor::DimOp::create(rw, loc, v, g->axis);
      Value fits = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::ule, size, g->bound);
      cf::AssertOp::create(rw, loc, fits,
                           rw.getStringAttr("onnxc.status 11: loop-carried value " +
                                            std::to_string(i) + " grew past its bound"));
      auto [offsets, sizes, strides] = leading(buf, *g, size);
      auto vt = cast<RankedTensorType>(v.getType());
      Value slice = tensor::ExtractSliceOp::create(rw, loc, vt, buf, offsets, sizes, strides);
      Value written =
          bufferization::MaterializeInDestinationOp::create(rw, loc, v, slice).getResult();
      outs[i] = tensor::InsertSliceOp::create(rw, loc, written, buf, offsets, sizes, strides);
      sizesOut.push_back(size);
    }
    llvm::append_range(outs, sizesOut);
    scf::YieldOp::create(rw, loc, outs);
    rw.eraseOp(yield);
    rw.setInsertionPointAfter(forOp);
    SmallVector<Value> results(forOp.getResults().take_front(firstSize));
    for (auto [k, g] : llvm::enumerate(growth)) {
      Value size = dataDependentDim(rw, loc, forOp.getResult(firstSize + k), g.bound);
      auto [offsets, sizes, strides] = leading(results[g.index], g, size);
      results[g.index] = tensor::ExtractSliceOp::create(
          rw, loc, cast<RankedTensorType>(op.getResult(g.index).getType()), results[g.index],
          offsets, sizes, strides);
    }
    rw.replaceOp(op, results);
    return success();
  }

  LogicalResult lowerToWhile(onnx::LoopOp op, OpAdaptor adaptor,
                             ConversionPatternRewriter &rw) const {
    Location loc = op.getLoc();
    unsigned numCarried = op.getNumCarried();
    if (op.getNumScanOutputs())
      return op.emitError() << "scan outputs of a loop that ends on its condition have a "
                               "length known only when the loop ends, which is not supported "
                               "yet";
    Value i0 = arith::ConstantIntOp::create(rw, loc, rw.getI64Type(), 0);
    Value c0 = adaptor.getCond() ? extractScalar(rw, loc, adaptor.getCond())
                                 : arith::ConstantIntOp::create(rw, loc, 1, 1).getResult();
    Value m = adaptor.getMaxTripCount() ? extractScalar(rw, loc, adaptor.getMaxTripCount())
                                        : Value();
    // One-shot bufferization pairs scf.condition's tensors with the before block's arguments
    // by position (and scf.yield's with the after block's). The carried tensors come first,
    // then the iteration number, then the condition, which only the before block reads
    // (scf.condition does not forward it): canonicalization may drop the scalars the after
    // block does not use (the condition it knows is true, an iteration number the body never
    // reads), which shifts nothing the pairing looks at. With the scalars first, dropping
    // the condition from the after block (a Loop with no trip count, whose `go` is the
    // condition itself) moved every tensor by one: "Condition arg #1 is not equivalent to
    // the corresponding iter bbArg".
    SmallVector<Value> inits = carriedInits(rw, loc, adaptor.getVInitial());
    inits.append({i0, c0});
    SmallVector<Type> types = llvm::to_vector(ValueRange(inits).getTypes());
    SmallVector<Type> forwarded(ArrayRef<Type>(types).drop_back());
    auto whileOp = scf::WhileOp::create(rw, loc, forwarded, inits);
    Block *before = rw.createBlock(&whileOp.getBefore(), {}, types,
                                   SmallVector<Location>(types.size(), loc));
    Value iter = before->getArgument(numCarried), go = before->getArgument(numCarried + 1);
    if (m) {
      Value inRange = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::slt, iter, m);
      go = arith::AndIOp::create(rw, loc, go, inRange);
    }
    scf::ConditionOp::create(rw, loc, go, before->getArguments().drop_back());
    Block *after = rw.createBlock(&whileOp.getAfter(), {}, forwarded,
                                  SmallVector<Location>(forwarded.size(), loc));
    Value afterIter = after->getArgument(numCarried);
    // The body's arguments: the iteration number, the condition (true: the loop runs this
    // iteration only when it was), the carried values.
    SmallVector<Value> args{scalarTensor(rw, loc, afterIter),
                            scalarTensor(rw, loc, arith::ConstantIntOp::create(rw, loc, 1, 1))};
    llvm::append_range(args, after->getArguments().take_front(numCarried));
    Block &body = op.getBody().front();
    auto yield = cast<onnx::YieldOp>(body.getTerminator());
    rw.inlineBlockBefore(&body, after, after->end(), args);
    rw.setInsertionPoint(yield);
    Value next = arith::AddIOp::create(rw, loc, afterIter,
                                       arith::ConstantIntOp::create(rw, loc, rw.getI64Type(), 1));
    Value condOut = extractScalar(rw, loc, yield.getValues()[0]);
    SmallVector<Value> outs;
    for (unsigned i = 0; i < numCarried; ++i)
      checkYieldedDims(
          rw, loc, yield.getValues()[1 + i],
          cast<RankedTensorType>(after->getArgument(i).getType()).getShape(),
          "loop-carried value " + std::to_string(i), after->getArgument(i));
    for (unsigned i = 0; i < numCarried; ++i)
      outs.push_back(intoDestination(rw, loc, yield.getValues()[1 + i], after->getArgument(i),
                                     body, args));
    outs.append({next, condOut});
    scf::YieldOp::create(rw, loc, outs);
    rw.eraseOp(yield);
    rw.replaceOp(op, whileOp.getResults().take_front(numCarried));
    return success();
  }
};

/// onnx.Check -> cf.assert (whose message carries the status; onnx-lower-runtime-checks turns
/// it into an early return of main_graph) and scf.if on the same condition that passes the
/// value on: everything that reads the value depends on the condition, so it comes after
/// the check (an absent optional input is a NULL pointer that must not be read). The else
/// branch's placeholder is made outside the scf.if (no buffer of a region outlives it).
struct CheckLowering : OpConversionPattern<onnx::CheckOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::CheckOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    auto type = dyn_cast<RankedTensorType>(op.getValue().getType());
    if (!type || !isa<RankedTensorType>(adaptor.getCond().getType()))
      return op.emitError() << "needs ranked operands, got " << op.getValue().getType();
    Location loc = op.getLoc();
    Value cond = extractScalar(rw, loc, adaptor.getCond());
    cf::AssertOp::create(rw, loc, cond,
                         rw.getStringAttr("onnxc.status " + std::to_string(op.getStatus()) +
                                          ": " + op.getMessage().str()));
    Value placeholder = emptyTensor(rw, loc, type, ValueRange{adaptor.getValue()});
    auto ifOp = scf::IfOp::create(rw, loc, TypeRange{type}, cond, /*withElse=*/true);
    {
      OpBuilder::InsertionGuard g(rw);
      rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
      scf::YieldOp::create(rw, loc, adaptor.getValue());
      rw.setInsertionPointToStart(&ifOp.getElseRegion().front());
      scf::YieldOp::create(rw, loc, placeholder);
    }
    rw.replaceOp(op, ifOp.getResults());
    return success();
  }
};

/// onnx.InputPresent -> whether the argument's buffer pointer is not NULL. The argument's
/// buffer is read only through its address; one-shot bufferization folds the to_buffer into
/// the function's memref argument, which the bare-pointer calling convention passes as is.
struct InputPresentLowering : OpConversionPattern<onnx::InputPresentOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::InputPresentOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    auto type = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!type)
      return op.emitError() << "needs a ranked input, got " << op.getInput().getType();
    Location loc = op.getLoc();
    auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
    Value buffer = bufferization::ToBufferOp::create(rw, loc, memrefType, adaptor.getInput(),
                                                     rw.getUnitAttr());
    Value address = memref::ExtractAlignedPointerAsIndexOp::create(rw, loc, buffer);
    Value present = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::ne, address,
                                          arith::ConstantIndexOp::create(rw, loc, 0));
    rw.replaceOp(op, scalarTensor(rw, loc, present));
    return success();
  }
};

/// onnx.SequencePush of a tensor -> the same op on the tensor's buffer (read only, any
/// strided layout), the collector placeholder dropped: one-shot bufferization leaves an op
/// on buffers alone, and onnx-lower-sequence-pushes makes it the runtime call once the
/// record's out-param exists. A push whose sequence reaches no graph output (record -1) goes.
/// `onnxc.reset` (the body replaced the sequence: its value is the collector placeholder)
/// is kept.
struct SequencePushLowering : OpConversionPattern<onnx::SequencePushOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::SequencePushOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    auto type = dyn_cast<RankedTensorType>(adaptor.getValue().getType());
    if (!type)
      return op.emitError() << "needs a ranked tensor, got " << op.getValue().getType();
    if (op.getRecordAttr().getInt() < 0) {
      rw.eraseOp(op);
      return success();
    }
    Location loc = op.getLoc();
    Value buffer;
    if (op->hasAttr("onnxc.reset")) {
      // A reset reads nothing: its value (the token) needs no buffer of its own, and asking
      // for the buffer of a token yielded by an If is a read-after-write conflict for
      // one-shot bufferization.
      buffer = memref::AllocaOp::create(rw, loc, MemRefType::get({0}, rw.getI8Type()));
    } else {
      SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
      auto layout = StridedLayoutAttr::get(rw.getContext(), ShapedType::kDynamic, strides);
      auto memrefType = MemRefType::get(type.getShape(), type.getElementType(), layout);
      buffer = bufferization::ToBufferOp::create(rw, loc, memrefType, adaptor.getValue(),
                                                 rw.getUnitAttr());
    }
    auto push =
        onnx::SequencePushOp::create(rw, loc, buffer, Value(), op.getRecordAttr().getInt());
    if (op->hasAttr("onnxc.reset"))
      push->setAttr("onnxc.reset", rw.getUnitAttr());
    rw.eraseOp(op);
    return success();
  }
};

} // namespace

void populateControlFlowPatterns(RewritePatternSet &patterns) {
  patterns.add<IfLowering, LoopLowering, CheckLowering, InputPresentLowering,
               SequencePushLowering>(patterns.getContext());
}

} // namespace onnxc::lowering
