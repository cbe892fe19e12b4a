// Lowers reductions over the innermost loops (global pools, Reduce*, the sums and maxima of
// softmax and layer normalization, pooling windows) to loops that keep the accumulator in
// registers, vectorized along the reduced elements when they are contiguous (see Passes.td).
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

namespace onnxc {
#define GEN_PASS_DEF_LOWERREDUCTIONS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// Independent vector accumulators of the main loop: one accumulator would chain every
/// add on the previous one (4 cycles each on this CPU) instead of issuing one per cycle.
constexpr int64_t kAccumulators = 4;

/// A linalg.generic on buffers whose reduction loops all come after its parallel loops and
/// whose one output is indexed by the parallel loops only: for each point of the parallel
/// loops, the reduction loops fold the inputs into one output element in order. That
/// element can live in a register for the whole fold.
struct Reduction {
  linalg::GenericOp op;
  unsigned numParallel = 0, numLoops = 0;
  Value out;
  AffineMap outMap;
  BlockArgument outArg;
  /// For the vector form: the only op that reads the accumulator, whose result is yielded;
  /// `term` is its other operand (the term folded in, computed from the inputs).
  Operation *combiner = nullptr;
  Value term;
};

std::optional<Reduction> matchReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 || op->getNumResults())
    return std::nullopt;
  Reduction r;
  r.op = op;
  auto iters = op.getIteratorTypesArray();
  r.numLoops = iters.size();
  while (r.numParallel < r.numLoops && iters[r.numParallel] == utils::IteratorType::parallel)
    ++r.numParallel;
  if (r.numParallel == r.numLoops)
    return std::nullopt;
  for (unsigned d = r.numParallel; d < r.numLoops; ++d)
    if (iters[d] != utils::IteratorType::reduction)
      return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  r.out = init->get();
  r.outMap = op.getMatchingIndexingMap(init);
  // Every parallel loop picks its own output element (else two threads would share one),
  // and no reduction loop moves the output element.
  for (unsigned d = 0; d < r.numLoops; ++d)
    if (r.outMap.isFunctionOfDim(d) != (d < r.numParallel))
      return std::nullopt;
  for (OpOperand *in : op.getDpsInputOperands())
    if (in->get() == r.out)
      return std::nullopt;
  r.outArg = op.getMatchingBlockArgument(init);
  return r;
}

/// The loop indices `e` evaluates to.
Value evaluate(OpBuilder &b, Location loc, AffineExpr e, ValueRange ivs) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return ivs[d.getPosition()];
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return arith::ConstantIndexOp::create(b, loc, c.getValue());
  return affine::AffineApplyOp::create(b, loc, AffineMap::get(ivs.size(), 0, e), ivs);
}

SmallVector<Value> evaluate(OpBuilder &b, Location loc, AffineMap map, ValueRange ivs) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults())
    indices.push_back(evaluate(b, loc, e, ivs));
  return indices;
}

/// Clones the generic's body for one point of its loops, with `args` for its block
/// arguments; returns the yielded value.
Value cloneBody(OpBuilder &b, linalg::GenericOp op, ValueRange args, ValueRange ivs) {
  IRMapping map;
  map.map(op.getBody()->getArguments(), args);
  for (Operation &inner : op.getBody()->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      map.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, map);
  }
  return map.lookupOrDefault(op.getBody()->getTerminator()->getOperand(0));
}

/// Scalar form: nested scf.for loops over the reduction dims carrying the accumulator.
Value foldScalar(OpBuilder &b, Location loc, const Reduction &r, ArrayRef<Value> sizes,
                 SmallVector<Value> ivs, Value acc) {
  unsigned d = ivs.size();
  if (d == r.numLoops) {
    SmallVector<Value> args;
    linalg::GenericOp op = r.op;
    for (OpOperand *in : op.getDpsInputOperands()) {
      Value v = in->get();
      if (isa<MemRefType>(v.getType()))
        v = memref::LoadOp::create(b, loc, v, evaluate(b, loc, op.getMatchingIndexingMap(in), ivs));
      args.push_back(v);
    }
    args.push_back(acc);
    return cloneBody(b, op, args, ivs);
  }
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, zero, sizes[d], one, ValueRange{acc},
      [&](OpBuilder &nb, Location nl, Value iv, ValueRange iter) {
        SmallVector<Value> inner(ivs);
        inner.push_back(iv);
        scf::YieldOp::create(nb, nl, foldScalar(nb, nl, r, sizes, inner, iter[0]));
      });
  return loop.getResult(0);
}

/// The vector form: the reduced elements of every input that depends on the reduction
/// loops are contiguous in memory in loop order, so the fold runs over one flat index.
struct VectorPlan {
  int64_t lanes = 0;
  vector::CombiningKind kind;
  TypedAttr neutral;
  /// Per input: the view read with the flat index at position `flatPos` (-1: the input
  /// does not depend on the reduction loops and is read once per output element).
  SmallVector<Value> views;
  SmallVector<int64_t> flatPos;
};

bool isScalarNumber(Type t) { return isa<FloatType, IntegerType>(t); }

/// The reassociation that merges dims [first, rank) into one and keeps the others.
SmallVector<ReassociationIndices> flatGroups(int64_t rank, int64_t first) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < first; ++i)
    groups.push_back({i});
  groups.emplace_back();
  for (int64_t i = first; i < rank; ++i)
    groups.back().push_back(i);
  return groups;
}

/// A vector constant of `type` with every element `element`.
Value splat(OpBuilder &b, Location loc, VectorType type, Attribute element) {
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(DenseElementsAttr::get(type, element)));
}

/// Whether `r` can fold a vector of `lanes` elements at a time, and how.
std::optional<VectorPlan> planVector(const Reduction &r, int64_t vectorBits) {
  if (vectorBits <= 0)
    return std::nullopt;
  linalg::GenericOp op = r.op;
  Block *body = op.getBody();
  Value yielded = body->getTerminator()->getOperand(0);
  if (!r.outArg.hasOneUse())
    return std::nullopt;
  Operation *combiner = *r.outArg.user_begin();
  if (combiner->getNumOperands() != 2 || combiner->getNumResults() != 1 ||
      combiner->getResult(0) != yielded || !yielded.hasOneUse() ||
      combiner->getOperand(0) == combiner->getOperand(1))
    return std::nullopt;
  VectorPlan plan;
  auto kind = linalg::getCombinerOpKind(combiner);
  auto neutral = arith::getNeutralElement(combiner);
  if (!kind || !neutral)
    return std::nullopt;
  plan.kind = *kind;
  plan.neutral = *neutral;
  // The term: elementwise ops on the block arguments and on values from above.
  unsigned widest = 0;
  auto note = [&](Type t) {
    if (!isScalarNumber(t))
      return false;
    widest = std::max(widest, t.getIntOrFloatBitWidth());
    return true;
  };
  for (BlockArgument a : body->getArguments())
    if (!note(a.getType()))
      return std::nullopt;
  for (Operation &inner : body->without_terminator()) {
    if (&inner == combiner)
      continue;
    bool constant = isa<arith::ConstantOp>(inner) && isScalarNumber(inner.getResult(0).getType());
    if (!constant && (!OpTrait::hasElementwiseMappableTraits(&inner) || inner.getNumRegions() ||
                      isa<linalg::IndexOp>(inner)))
      return std::nullopt;
    for (Value v : inner.getOperands())
      if (!note(v.getType()))
        return std::nullopt;
    for (Value v : inner.getResults())
      if (!note(v.getType()))
        return std::nullopt;
  }
  if (!widest || vectorBits / widest < 2)
    return std::nullopt;
  plan.lanes = vectorBits / widest;
  // Inputs: either independent of the reduction loops, or reading them as consecutive
  // trailing results laid out contiguously with unit innermost stride.
  unsigned numReduced = r.numLoops - r.numParallel;
  for (OpOperand *in : op.getDpsInputOperands()) {
    auto type = dyn_cast<MemRefType>(in->get().getType());
    AffineMap map = op.getMatchingIndexingMap(in);
    // The results that involve reduction loops must be the last numReduced, each the
    // reduction loop of its rank.
    int64_t numResults = map.getNumResults(), first = -1;
    auto isReduced = [&](int64_t i) {
      for (unsigned d = r.numParallel; d < r.numLoops; ++d)
        if (map.getResult(i).isFunctionOfDim(d))
          return true;
      return false;
    };
    bool reads = false;
    for (int64_t i = 0; i < numResults; ++i)
      reads |= isReduced(i);
    if (reads && numResults < (int64_t)numReduced)
      return std::nullopt;
    if (reads)
      first = numResults - numReduced;
    for (int64_t i = 0; first >= 0 && i < numResults; ++i) {
      auto dim = dyn_cast<AffineDimExpr>(map.getResult(i));
      bool ok = i < first ? !isReduced(i)
                          : dim && dim.getPosition() == r.numParallel + (i - first);
      if (!ok)
        return std::nullopt;
    }
    plan.flatPos.push_back(first);
    plan.views.push_back(in->get());
    if (first < 0)
      continue;
    if (!type)
      return std::nullopt;
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)) || strides.back() != 1)
      return std::nullopt;
    if (numReduced > 1 &&
        !memref::CollapseShapeOp::isGuaranteedCollapsible(type, flatGroups(type.getRank(), first)))
      return std::nullopt;
  }
  return plan;
}

/// Creates the flattened views of `plan` at the builder's point (before the loops).
void makeFlatViews(OpBuilder &b, Location loc, const Reduction &r, VectorPlan &plan) {
  unsigned numReduced = r.numLoops - r.numParallel;
  if (numReduced == 1)
    return;
  for (auto [view, first] : llvm::zip(plan.views, plan.flatPos)) {
    if (first < 0)
      continue;
    auto type = cast<MemRefType>(view.getType());
    view = memref::CollapseShapeOp::create(b, loc, view, flatGroups(type.getRank(), first));
  }
}

/// Vector form of one output element: kAccumulators vectors of `lanes` terms per step, one
/// vector per step for the rest, a masked last vector, then the lanes folded into `init`.
Value foldVector(OpBuilder &b, Location loc, const Reduction &r, const VectorPlan &plan,
                 Value flatSize, std::optional<int64_t> staticSize, ValueRange parallelIvs,
                 Value init) {
  linalg::GenericOp op = r.op;
  Block *body = op.getBody();
  int64_t lanes = plan.lanes;
  auto vecOf = [&](Type t) { return VectorType::get({lanes}, t); };
  // Reads once per output element: the inputs the reduction loops do not move.
  SmallVector<Value> ivs(parallelIvs);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  ivs.append(r.numLoops - r.numParallel, zero);
  SmallVector<Value> invariant(plan.views.size());
  SmallVector<SmallVector<Value>> base(plan.views.size());
  for (auto [i, in] : llvm::enumerate(op.getDpsInputOperands())) {
    AffineMap map = op.getMatchingIndexingMap(in);
    Value arg = body->getArgument(i);
    if (plan.flatPos[i] < 0) {
      Value v = in->get();
      if (isa<MemRefType>(v.getType()))
        v = memref::LoadOp::create(b, loc, v, evaluate(b, loc, map, ivs));
      invariant[i] = vector::BroadcastOp::create(b, loc, vecOf(arg.getType()), v);
      continue;
    }
    SmallVector<Value> idx;
    for (int64_t k = 0; k < plan.flatPos[i]; ++k)
      idx.push_back(evaluate(b, loc, map.getResult(k), ivs));
    idx.push_back(zero); // replaced by the flat index
    base[i] = std::move(idx);
  }
  // Values from above, splat once before the loops (a loop's body builder is `b` itself,
  // so they cannot be made on first use).
  DenseMap<Value, Value> broadcasts;
  auto splatFromAbove = [&](Value v) {
    if (!op->getRegion(0).isAncestor(v.getParentRegion()) && !broadcasts.count(v))
      broadcasts[v] = vector::BroadcastOp::create(b, loc, vecOf(v.getType()), v);
  };
  for (Operation &inner : body->without_terminator())
    if (&inner != r.combiner)
      for (Value v : inner.getOperands())
        splatFromAbove(v);
  splatFromAbove(r.term);
  auto term = [&](OpBuilder &nb, Location nl, Value flat, Value mask) -> Value {
    IRMapping map;
    for (auto [i, in] : llvm::enumerate(op.getDpsInputOperands())) {
      Value arg = body->getArgument(i);
      if (invariant[i]) {
        map.map(arg, invariant[i]);
        continue;
      }
      SmallVector<Value> idx(base[i]);
      idx.back() = flat;
      Value v;
      if (mask) {
        Value pass = splat(nb, nl, vecOf(arg.getType()), nb.getZeroAttr(arg.getType()));
        v = vector::MaskedLoadOp::create(nb, nl, vecOf(arg.getType()), plan.views[i], idx,
                                         mask, pass);
      } else {
        v = vector::LoadOp::create(nb, nl, vecOf(arg.getType()), plan.views[i], idx);
      }
      map.map(arg, v);
    }
    auto lookup = [&](Value v) -> Value {
      if (Value m = map.lookupOrNull(v))
        return m;
      return broadcasts.lookup(v);
    };
    for (Operation &inner : body->without_terminator()) {
      if (&inner == r.combiner)
        continue;
      if (auto c = dyn_cast<arith::ConstantOp>(inner)) {
        map.map(c.getResult(), splat(nb, nl, vecOf(c.getType()), c.getValue()));
        continue;
      }
      for (Value operand : inner.getOperands())
        map.map(operand, lookup(operand));
      Operation *clone = nb.clone(inner, map);
      for (Value res : clone->getResults())
        res.setType(vecOf(res.getType()));
    }
    Value t = lookup(r.term);
    if (mask) // Lanes past the end fold the neutral element.
      t = arith::SelectOp::create(nb, nl, mask, t,
                                  splat(nb, nl, cast<VectorType>(t.getType()), plan.neutral));
    return t;
  };
  Type accElem = r.outArg.getType();
  auto combine = [&](OpBuilder &nb, Location nl, Value t, Value acc) -> Value {
    IRMapping map;
    map.map(r.term, t);
    map.map(r.outArg, acc);
    Operation *clone = nb.clone(*r.combiner, map);
    clone->getResult(0).setType(acc.getType());
    return clone->getResult(0);
  };
  Value neutral = splat(b, loc, vecOf(accElem), plan.neutral);
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v).getResult(); };
  auto roundDown = [&](int64_t step) -> Value {
    if (staticSize)
      return idx(*staticSize / step * step);
    return arith::MulIOp::create(b, loc, arith::DivUIOp::create(b, loc, flatSize, idx(step)),
                                 idx(step));
  };
  // Main loop: kAccumulators independent accumulators.
  int64_t wide = lanes * kAccumulators;
  Value acc = neutral, mainEnd = zero;
  if (!staticSize || *staticSize >= wide) {
    mainEnd = roundDown(wide);
    SmallVector<Value> inits(kAccumulators, neutral);
    auto loop = scf::ForOp::create(
        b, loc, zero, mainEnd, idx(wide), inits,
        [&](OpBuilder &nb, Location nl, Value f, ValueRange accs) {
          SmallVector<Value> next;
          for (int64_t u = 0; u < kAccumulators; ++u) {
            Value at = arith::AddIOp::create(nb, nl, f,
                                             arith::ConstantIndexOp::create(nb, nl, u * lanes));
            next.push_back(combine(nb, nl, term(nb, nl, at, Value()), accs[u]));
          }
          scf::YieldOp::create(nb, nl, next);
        });
    acc = loop.getResult(0);
    for (int64_t u = 1; u < kAccumulators; ++u)
      acc = combine(b, loc, loop.getResult(u), acc);
  }
  // One vector at a time for the rest of the whole vectors.
  Value vecEnd = mainEnd;
  if (!staticSize || *staticSize % wide >= lanes) {
    vecEnd = roundDown(lanes);
    auto loop = scf::ForOp::create(
        b, loc, mainEnd, vecEnd, idx(lanes), ValueRange{acc},
        [&](OpBuilder &nb, Location nl, Value f, ValueRange accs) {
          scf::YieldOp::create(nb, nl, combine(nb, nl, term(nb, nl, f, Value()), accs[0]));
        });
    acc = loop.getResult(0);
  }
  // The last, partial vector.
  if (!staticSize || *staticSize % lanes) {
    Value rest = arith::SubIOp::create(b, loc, flatSize, vecEnd);
    Value mask = vector::CreateMaskOp::create(b, loc, VectorType::get({lanes}, b.getI1Type()),
                                              ValueRange{rest});
    acc = combine(b, loc, term(b, loc, vecEnd, mask), acc);
  }
  // The lanes, folded into the element's initial value. Floating-point sums are
  // reassociated (a tree across lanes): the order is fixed at compile time, so results do
  // not depend on the thread count.
  auto fm = isa<FloatType>(accElem) ? arith::FastMathFlags::reassoc : arith::FastMathFlags::none;
  return vector::ReductionOp::create(b, loc, plan.kind, acc, init, fm);
}

void lower(Reduction &r, int64_t vectorBits) {
  linalg::GenericOp op = r.op;
  OpBuilder b(op);
  Location loc = op.getLoc();
  std::optional<VectorPlan> plan = planVector(r, vectorBits);
  if (plan) {
    r.combiner = *r.outArg.user_begin();
    r.term = r.combiner->getOperand(0) == r.outArg ? r.combiner->getOperand(1)
                                                    : r.combiner->getOperand(0);
    makeFlatViews(b, loc, r, *plan);
  }
  SmallVector<Value> sizes;
  for (Range range : cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
  Value flatSize;
  std::optional<int64_t> staticSize = 1;
  SmallVector<int64_t> staticRanges = op.getStaticLoopRanges();
  for (unsigned d = r.numParallel; plan && d < r.numLoops; ++d) {
    flatSize = flatSize ? arith::MulIOp::create(b, loc, flatSize, sizes[d]).getResult() : sizes[d];
    if (staticSize && ShapedType::isStatic(staticRanges[d]))
      *staticSize *= staticRanges[d];
    else
      staticSize.reset();
  }
  auto element = [&](OpBuilder &nb, Location nl, ValueRange parallelIvs) {
    SmallVector<Value> ivs(parallelIvs);
    Value zero = arith::ConstantIndexOp::create(nb, nl, 0);
    ivs.append(r.numLoops - r.numParallel, zero);
    SmallVector<Value> outIdx = evaluate(nb, nl, r.outMap, ivs);
    Value init = memref::LoadOp::create(nb, nl, r.out, outIdx);
    Value result = plan ? foldVector(nb, nl, r, *plan, flatSize, staticSize, parallelIvs, init)
                        : foldScalar(nb, nl, r, sizes, SmallVector<Value>(parallelIvs), init);
    memref::StoreOp::create(nb, nl, result, r.out, outIdx);
  };
  if (r.numParallel == 0) {
    element(b, loc, {});
  } else {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    SmallVector<Value> lbs(r.numParallel, zero), steps(r.numParallel, one);
    scf::ParallelOp::create(b, loc, lbs, ArrayRef(sizes).take_front(r.numParallel), steps,
                            [&](OpBuilder &nb, Location nl, ValueRange ivs) {
                              element(nb, nl, ivs);
                            });
  }
  op.erase();
}

struct LowerReductionsPass : onnxc::impl::LowerReductionsBase<LowerReductionsPass> {
  using LowerReductionsBase::LowerReductionsBase;
  void runOnOperation() override {
    SmallVector<Reduction> found;
    getOperation().walk([&](linalg::GenericOp op) {
      if (auto r = matchReduction(op))
        found.push_back(*r);
    });
    for (Reduction &r : found)
      lower(r, vectorBits);
  }
};

} // namespace
