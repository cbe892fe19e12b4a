// Outlines the large parallel loops at the top level of each function into functions over an
// iteration range, for the runtime stub's thread pool (see Passes.td).
#include "passes/Passes.h"

#include <functional>

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace onnxc {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kParallelAttr = "onnxc.parallel";

std::optional<int64_t> constantIndex(Value v) {
  if (auto c = v.getDefiningOp<arith::ConstantIndexOp>())
    return c.value();
  return std::nullopt;
}

std::optional<int64_t> tripCount(Value lb, Value ub, Value step) {
  auto l = constantIndex(lb), u = constantIndex(ub), s = constantIndex(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u > *l ? (*u - *l + *s - 1) / *s : 0;
}

int64_t satAdd(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }
int64_t satMul(int64_t a, int64_t b) { return b && a > INT64_MAX / b ? INT64_MAX : a * b; }

/// Operations executed by `op`, from static trip counts; a loop of unknown trip count counts
/// as large (the work is not known to be small), and so does a copy of unknown size.
int64_t estimateWork(Operation *op) {
  constexpr int64_t kUnknownTrips = 1024;
  auto bodyWork = [](Region &r) {
    int64_t w = 0;
    for (Operation &inner : r.getOps())
      w = satAdd(w, estimateWork(&inner));
    return w;
  };
  if (auto f = dyn_cast<scf::ForOp>(op))
    return satMul(
        tripCount(f.getLowerBound(), f.getUpperBound(), f.getStep()).value_or(kUnknownTrips),
        bodyWork(f.getRegion()));
  if (auto p = dyn_cast<scf::ParallelOp>(op)) {
    int64_t trips = 1;
    for (unsigned d = 0; d < p.getNumLoops(); ++d)
      trips = satMul(
          trips, tripCount(p.getLowerBound()[d], p.getUpperBound()[d], p.getStep()[d])
                     .value_or(kUnknownTrips));
    return satMul(trips, bodyWork(p.getRegion()));
  }
  // A copy moves its elements with vector loads and stores (a memcpy): it counts as a
  // quarter of an operation per element, so copies of a few hundred KB reach min-work.
  if (auto copy = dyn_cast<memref::CopyOp>(op)) {
    auto t = cast<MemRefType>(copy.getSource().getType());
    return t.hasStaticShape() ? std::max<int64_t>(1, t.getNumElements() / 4) : kUnknownTrips;
  }
  int64_t w = 1;
  for (Region &r : op->getRegions())
    w = satAdd(w, bodyWork(r));
  return w;
}

/// Ops re-created inside the outlined function rather than passed in: side-effect free and
/// without regions (constants, views of the workspace, globals).
bool isSinkable(Operation *op) { return op->getNumRegions() == 0 && isPure(op); }

/// Whether convert-func-to-llvm can pass `t` as a bare pointer: static shape, strides, offset.
bool passableAsBarePointer(Type t) {
  auto m = dyn_cast<MemRefType>(t);
  if (!m)
    return !isa<UnrankedMemRefType>(t);
  SmallVector<int64_t> strides;
  int64_t offset;
  return m.hasStaticShape() && succeeded(m.getStridesAndOffset(strides, offset)) &&
         ShapedType::isStatic(offset) && llvm::all_of(strides, ShapedType::isStatic);
}

struct Outliner {
  ModuleOp module;
  int64_t minWork;
  unsigned counter = 0;

  /// The dimension split across threads: an scf.for's, or an scf.parallel's first that runs
  /// more than once (leading dims of one iteration, a batch of 1, would leave nothing to
  /// split).
  struct Outer {
    Value lb, ub, step;
    unsigned dim = 0;
  };

  static std::optional<Outer> outerBounds(Operation *op) {
    if (auto f = dyn_cast<scf::ForOp>(op)) {
      if (!f->hasAttr(kParallelAttr) || f.getNumResults())
        return std::nullopt;
      return Outer{f.getLowerBound(), f.getUpperBound(), f.getStep()};
    }
    if (auto p = dyn_cast<scf::ParallelOp>(op)) {
      if (p.getNumResults())
        return std::nullopt;
      unsigned d = 0;
      while (d + 1 < p.getNumLoops() &&
             tripCount(p.getLowerBound()[d], p.getUpperBound()[d], p.getStep()[d]) == 1)
        ++d;
      return Outer{p.getLowerBound()[d], p.getUpperBound()[d], p.getStep()[d], d};
    }
    return std::nullopt;
  }

  LogicalResult outline(Operation *loop, const Outer &outer) {
    // What the body reads from outside: sinkable producers are cloned, the rest captured.
    llvm::SetVector<Value> captured;
    llvm::SetVector<Operation *> sunk; // In an order where operands come first.
    std::function<void(Value)> visit = [&](Value v) {
      Operation *def = v.getDefiningOp();
      if (def && isSinkable(def)) {
        if (sunk.contains(def))
          return;
        for (Value operand : def->getOperands())
          visit(operand);
        sunk.insert(def);
        return;
      }
      captured.insert(v);
    };
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop->getRegions(), used);
    for (Value v : used)
      visit(v);
    visit(outer.lb);
    visit(outer.step);
    if (auto p = dyn_cast<scf::ParallelOp>(loop))
      for (unsigned d = 0; d < p.getNumLoops(); ++d) {
        visit(p.getLowerBound()[d]);
        visit(p.getUpperBound()[d]);
        visit(p.getStep()[d]);
      }
    for (Value v : captured)
      if (!passableAsBarePointer(v.getType()))
        return failure(); // Stays a serial loop.

    MLIRContext *ctx = module.getContext();
    Location loc = loop->getLoc();
    Type index = IndexType::get(ctx);
    SmallVector<Type> argTypes = {index, index};
    for (Value v : captured)
      argTypes.push_back(v.getType());
    std::string name = "__onnxc_par_" + std::to_string(counter++);
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    auto fn = func::FuncOp::create(mb, loc, name, FunctionType::get(ctx, argTypes, {}));
    fn.setPrivate();
    Block *entry = fn.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockBegin(entry);
    IRMapping map;
    for (auto [i, v] : llvm::enumerate(captured))
      map.map(v, entry->getArgument(i + 2));
    for (Operation *op : sunk)
      b.clone(*op, map);

    // for k in [begin, end): iv = lb + k * step; the loop's body (inner dims of an
    // scf.parallel stay an scf.parallel).
    //
    // k is clamped to the last iteration (a no-op: the runtime never passes more): with
    // begin and end unknown, LLVM no longer knew which part of each buffer an iteration
    // touches, so it could not tell a pool's input rows from its output rows (both views of
    // the workspace at offsets linear in k) and left the max pools scalar (squeezenet1_1
    // went from 6.3 to 8.2 ms). umin(k, trips - 1) gives k its range back.
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value lb = map.lookupOrDefault(outer.lb), step = map.lookupOrDefault(outer.step);
    std::optional<int64_t> staticTrips = tripCount(outer.lb, outer.ub, outer.step);
    Value lastTrip = staticTrips && *staticTrips > 0
                         ? arith::ConstantIndexOp::create(b, loc, *staticTrips - 1)
                         : Value();
    scf::ForOp::create(
        b, loc, entry->getArgument(0), entry->getArgument(1), one, ValueRange{},
        [&](OpBuilder &nb, Location nl, Value k, ValueRange) {
          if (lastTrip)
            k = arith::MinUIOp::create(nb, nl, k, lastTrip);
          Value iv = arith::AddIOp::create(nb, nl, lb, arith::MulIOp::create(nb, nl, k, step));
          Block &body = loop->getRegion(0).front();
          auto cloneBody = [&](OpBuilder &bb) {
            for (Operation &op : body.without_terminator())
              bb.clone(op, map);
          };
          if (auto p = dyn_cast<scf::ParallelOp>(loop); p && p.getNumLoops() > 1) {
            // Dims before the split one run once (at their lower bound); those after it stay
            // an scf.parallel inside.
            unsigned split = outer.dim;
            for (unsigned d = 0; d < split; ++d)
              map.map(body.getArgument(d), map.lookupOrDefault(p.getLowerBound()[d]));
            map.map(body.getArgument(split), iv);
            auto rest = [&](ValueRange r) {
              return llvm::map_to_vector(r.drop_front(split + 1),
                                         [&](Value v) { return map.lookupOrDefault(v); });
            };
            if (split + 1 == p.getNumLoops()) {
              cloneBody(nb);
            } else {
              scf::ParallelOp::create(
                  nb, nl, rest(p.getLowerBound()), rest(p.getUpperBound()), rest(p.getStep()),
                  [&](OpBuilder &pb, Location, ValueRange ivs) {
                    for (auto [arg, v] :
                         llvm::zip(body.getArguments().drop_front(split + 1), ivs))
                      map.map(arg, v);
                    cloneBody(pb);
                  });
            }
          } else {
            map.map(body.getArgument(0), iv);
            cloneBody(nb);
          }
          scf::YieldOp::create(nb, nl);
        });
    func::ReturnOp::create(b, loc);

    // The call over all iterations: ceil((ub - lb) / step).
    OpBuilder cb(loop);
    Value trips;
    if (auto n = tripCount(outer.lb, outer.ub, outer.step))
      trips = arith::ConstantIndexOp::create(cb, loc, *n);
    else
      trips = arith::CeilDivSIOp::create(
          cb, loc, arith::SubIOp::create(cb, loc, outer.ub, outer.lb), outer.step);
    SmallVector<Value> args = {arith::ConstantIndexOp::create(cb, loc, 0), trips};
    args.append(captured.begin(), captured.end());
    func::CallOp::create(cb, loc, fn, args);
    loop->erase();
    return success();
  }

  void run() {
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp f : funcs) {
      if (f.isExternal())
        continue;
      SmallVector<std::pair<Operation *, Outer>> loops;
      // The top level, and the branches of scf.if: a model that allocates per run runs the
      // rest of its body under the checks of those allocations (PlanMemory).
      std::function<void(Block &)> collect = [&](Block &block) {
        for (Operation &op : block) {
          if (auto outer = outerBounds(&op)) {
            if (estimateWork(&op) >= minWork)
              loops.push_back({&op, *outer});
          } else if (isa<scf::IfOp>(op)) {
            for (Region &r : op.getRegions())
              for (Block &b : r)
                collect(b);
          }
        }
      };
      for (Block &block : f.getBody())
        collect(block);
      for (auto &[op, outer] : loops)
        (void)outline(op, outer);
    }
  }
};

struct OutlineParallelLoopsPass
    : onnxc::impl::OutlineParallelLoopsBase<OutlineParallelLoopsPass> {
  using OutlineParallelLoopsBase::OutlineParallelLoopsBase;
  void runOnOperation() override {
    Outliner{getOperation(), minWork}.run();
    // Loops that stayed serial no longer need their mark.
    getOperation().walk([](scf::ForOp f) { f->removeAttr(kParallelAttr); });
  }
};

} // namespace
