// The static memory plan: every intermediate buffer becomes a view into one workspace whose
// layout is fixed at compile time, so an inference allocates nothing.
#include "passes/Passes.h"
#include "passes/SizeSlice.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace onnxc {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes; // -1: sized at run time.
  int64_t first, last; // Positions in the function body's op order.
  int64_t offset = -1;
  Value end; // Run-time sized buffers: their end, aligned (defined at the allocation).
  bool dynamic() const { return bytes < 0; }
};

/// The op in `body` that contains `op` (itself if it is directly in the body).
Operation *topLevelAncestor(Block &body, Operation *op) {
  while (op && op->getBlock() != &body)
    op = op->getParentOp();
  return op;
}

/// `v` as a value available just before `top` (a top-level op of `body` whose region uses
/// it): itself if defined above, else its computation cloned there if it is side-effect free
/// (a run-time size read inside a loop from values defined outside it). Null if it cannot be
/// (a size that changes per iteration). With `bounds`, a dim counted from data inside the
/// region (`arith.minui {onnxc.data_bound}`: a Slice's length read in a loop body) is
/// replaced by its bound, so that the place reserved holds every iteration's buffer (sizes
/// grow with the dims they are made of, as onnx-size-function assumes).
Value hoistAbove(OpBuilder &b, Value v, Operation *top, Block &body, IRMapping &map,
                 bool bounds = false) {
  if (Value m = map.lookupOrNull(v))
    return m;
  Operation *def = v.getDefiningOp();
  if (!def)
    return cast<BlockArgument>(v).getOwner() == &body ? v : Value();
  if (def->getBlock() == &body)
    return def == top ? Value() : v;
  if (auto bounded = dyn_cast<arith::MinUIOp>(def);
      bounds && bounded && def->hasAttr("onnxc.data_bound")) {
    Value r = hoistAbove(b, bounded.getRhs(), top, body, map, bounds);
    if (r)
      map.map(v, r);
    return r;
  }
  if (def->getNumRegions() || !isMemoryEffectFree(def))
    return Value();
  for (Value operand : def->getOperands())
    if (!hoistAbove(b, operand, top, body, map, bounds))
      return Value();
  Operation *clone = b.clone(*def, map);
  return clone->getResult(cast<OpResult>(v).getResultNumber());
}

/// Last top-level position at which `root` or any view of it is used.
int64_t lastUse(Block &body, Value root, const DenseMap<Operation *, int64_t> &position) {
  int64_t last = -1;
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (Operation *top = topLevelAncestor(body, user))
        last = std::max(last, position.lookup(top));
      // Views and casts alias the buffer: their uses keep it alive.
      if (auto view = dyn_cast<ViewLikeOpInterface>(user); view && view.getViewSource() == v)
        for (Value r : user->getResults())
          worklist.push_back(r);
      else if (isa<memref::CastOp, memref::ReinterpretCastOp, memref::ReshapeOp>(user))
        for (Value r : user->getResults())
          worklist.push_back(r);
      // A loop that carries the buffer (bufferized tensor iter_args: the vector kernels
      // update their output in a loop) returns it again: the result is the same memory.
      else if (auto loop = dyn_cast<scf::ForOp>(user); loop && use.getOperandNumber() >= 3) {
        unsigned i = use.getOperandNumber() - 3;
        worklist.push_back(loop.getRegionIterArgs()[i]);
        worklist.push_back(loop.getResult(i));
      } else if (auto loop = dyn_cast<scf::WhileOp>(user)) {
        unsigned i = use.getOperandNumber();
        worklist.push_back(loop.getBeforeArguments()[i]);
        if (i < loop.getNumResults())
          worklist.push_back(loop.getResult(i));
      } else if (isa<scf::YieldOp, scf::ConditionOp>(user)) {
        // Yielded out of a branch or an iteration: the parent's result is this memory too.
        Operation *parent = user->getParentOp();
        unsigned i = use.getOperandNumber() - (isa<scf::ConditionOp>(user) ? 1 : 0);
        if (isa<scf::ConditionOp>(user) && use.getOperandNumber() == 0)
          continue;
        if (i < parent->getNumResults())
          worklist.push_back(parent->getResult(i));
      }
    }
  }
  return last;
}

/// Whether `alloc` (or a view of it) is yielded to its region's parent.
bool escapesRegion(memref::AllocOp alloc) {
  SmallVector<Value> worklist{alloc.getResult()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<scf::YieldOp, scf::ConditionOp>(user))
        return true;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user); view && view.getViewSource() == v)
        llvm::append_range(worklist, user->getResults());
      else if (isa<memref::CastOp, memref::ReinterpretCastOp, memref::ReshapeOp>(user))
        llvm::append_range(worklist, user->getResults());
    }
  }
  return false;
}

/// Status codes of runtime-stub/include/onnxc/model.h that main_graph returns.
constexpr int32_t kStatusOutOfMemory = 9;   // ONNXC_ERROR_OUT_OF_MEMORY
constexpr int32_t kStatusDataSize = 11;     // ONNXC_ERROR_DATA_SIZE

/// Whether `v` (a size) can be computed from the run-time dims alone (`dims` may be null: a
/// model without symbols), the bounds of counts marked onnxc.data_bound included. A trial
/// clone into a scratch block, thrown away.
/// A detached function to build throwaway ops in (a block needs a parent op: op creation
/// reads the context through it); erased, with what was built, when it goes.
struct Scratch {
  func::FuncOp fn;
  explicit Scratch(MLIRContext *ctx) {
    OpBuilder b(ctx);
    fn = func::FuncOp::create(b, UnknownLoc::get(ctx), "onnxc_scratch",
                              FunctionType::get(ctx, {}, {}));
    fn.addEntryBlock();
  }
  ~Scratch() { fn.erase(); }
  OpBuilder builder() { return OpBuilder::atBlockEnd(&fn.getBody().front()); }
};

/// With `exact`, a dim counted from data (onnxc.data_bound) is not from the dims: its bound
/// places buffers, but a static size it meets must be checked against its value.
bool sizeFromDims(Value v, Value dims, bool exact = false) {
  Scratch scratch(v.getContext());
  OpBuilder b = scratch.builder();
  IRMapping map;
  if (dims)
    map.map(dims, dims);
  return static_cast<bool>(onnxc::cloneSizeFromDims(b, v, dims, map, exact));
}

/// Whether `v` is computed inside `op` (in one of its regions).
bool definedInside(Value v, Operation *op) {
  Operation *def = v.getDefiningOp();
  if (!def)
    def = cast<BlockArgument>(v).getOwner()->getParentOp();
  return def && op->isProperAncestor(def);
}

/// `v` as a value available before `top`: itself if computed outside it, else its
/// computation cloned there if it is side-effect free; null if it cannot be. Like
/// hoistAbove, for a `top` that may sit in a nested block (guardRest moves ops).
Value hoistOutOf(OpBuilder &b, Value v, Operation *top, IRMapping &map) {
  if (Value m = map.lookupOrNull(v))
    return m;
  // An argument of `top`'s own blocks (a loop's iteration argument) changes per iteration.
  if (auto arg = dyn_cast<BlockArgument>(v); arg && top->isAncestor(arg.getOwner()->getParentOp()))
    return Value();
  if (!definedInside(v, top) && v.getDefiningOp() != top)
    return v;
  Operation *def = v.getDefiningOp();
  if (!def || def == top || def->getNumRegions() || !isMemoryEffectFree(def))
    return Value();
  for (Value operand : def->getOperands())
    if (!hoistOutOf(b, operand, top, map))
      return Value();
  Operation *clone = b.clone(*def, map);
  return clone->getResult(cast<OpResult>(v).getResultNumber());
}

/// Moves `first` and every op after it in its block (the terminator excepted) into the then
/// branch of a new `scf.if %ok -> i32`; the else branch gives `status`. The block's
/// terminator returns (or yields) one i32 status: the branch yields it, and the terminator
/// now takes the if's result, so a failed check skips the rest of the run and reports why.
Block *guardRest(Operation *first, Value ok, int32_t status) {
  Block *block = first->getBlock();
  Operation *term = block->getTerminator();
  OpBuilder b(first);
  Location loc = first->getLoc();
  Type i32 = b.getI32Type();
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{i32}, ok, /*addThenBlock=*/true,
                                /*addElseBlock=*/true);
  // Whether the builder put a yield in each branch depends on the result types: none kept.
  for (Block *branch : {ifOp.thenBlock(), ifOp.elseBlock()})
    if (!branch->empty() && branch->back().hasTrait<OpTrait::IsTerminator>())
      branch->back().erase();
  Block *then = ifOp.thenBlock();
  then->getOperations().splice(then->end(), block->getOperations(), first->getIterator(),
                               term->getIterator());
  b.setInsertionPointToEnd(then);
  scf::YieldOp::create(b, loc, term->getOperand(0));
  b.setInsertionPointToEnd(ifOp.elseBlock());
  scf::YieldOp::create(b, loc, arith::ConstantIntOp::create(b, loc, i32, status).getResult());
  term->setOperand(0, ifOp.getResult(0));
  return then;
}

struct PlanMemoryPass : onnxc::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &body = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    int64_t pos = 0;
    for (Operation &op : body)
      position[&op] = pos++;

    // Element sizes from the data layout: `index` and i1 have no fixed bit width to read.
    DataLayout layout = DataLayout::closest(func);
    // The dims argument of a model with run-time dims (onnx-dynamic-interface), if any.
    Value dims = func->hasAttr("onnxc.dynamic") ? func.getArgument(0) : Value();
    std::vector<Buffer> buffers;
    // Buffers whose size depends on tensor data with no bound: allocated per run (below).
    std::vector<memref::AllocOp> runtimeAllocs;
    auto walked = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.getLayout().isIdentity())
        return alloc.emitError() << "only identity-layout allocations can be planned",
               WalkResult::interrupt();
      // An allocation inside a loop or branch (control flow's bodies) gets one place for
      // the whole top-level op that holds it: each iteration reuses it. That is only right
      // if the buffer dies within its iteration or branch; the control-flow lowering yields
      // into destinations outside the region, and this checks it.
      if (alloc->getBlock() != &body && escapesRegion(alloc))
        return alloc.emitError() << "a buffer allocated inside a loop or branch is yielded "
                                    "out of it; it cannot be planned",
               WalkResult::interrupt();
      // A graph output the run allocates (onnx-dynamic-interface) is made per run too.
      if (alloc->hasAttr("onnxc.allocated_output") ||
          (!type.hasStaticShape() &&
           !llvm::all_of(alloc.getDynamicSizes(),
                         [&](Value d) { return sizeFromDims(d, dims); }))) {
        runtimeAllocs.push_back(alloc);
        return WalkResult::advance();
      }
      int64_t elementBytes = layout.getTypeSize(type.getElementType()).getFixedValue();
      int64_t bytes = type.hasStaticShape()
                          ? std::max<int64_t>(1, type.getNumElements() * elementBytes)
                          : -1;
      int64_t first = position.lookup(topLevelAncestor(body, alloc));
      buffers.push_back({alloc, bytes, first, std::max(first, lastUse(body, alloc, position))});
      return WalkResult::advance();
    });
    if (walked.wasInterrupted())
      return signalPassFailure();
    func->walk([&](memref::DeallocOp dealloc) { dealloc.erase(); });

    // --sanitize=address (the driver sets `onnxc.redzone` on the function, in bytes): no
    // reuse, and every buffer sits between poisoned gaps of at least that size, which the
    // kernel wrapper poisons through ASan's interface (codegen/EntryPoints.cpp), so a kernel
    // reading or writing past its buffer is reported instead of touching its neighbour.
    // `onnxc.debug_undersize_buffers` (onnx-compile's hidden --debug-undersize-buffers) plans
    // every buffer one element short: the deliberate out-of-bounds access the e2e test uses
    // to prove that the redzones catch it.
    auto alignUp = [&](int64_t v) { return (v + alignment - 1) / alignment * alignment; };
    int64_t redzone = 0;
    if (auto a = func->getAttrOfType<IntegerAttr>("onnxc.redzone"))
      redzone = std::max<int64_t>(0, a.getInt());
    if (redzone && func->hasAttr("onnxc.debug_undersize_buffers"))
      for (Buffer &b : buffers)
        b.bytes = std::max<int64_t>(
            0, b.bytes - layout.getTypeSize(b.alloc.getType().getElementType()).getFixedValue());
    SmallVector<int64_t> poisoned; // (offset, size) pairs.
    int64_t total = 0;
    if (redzone) {
      int64_t end = 0;
      for (Buffer &b : buffers) {
        if (b.dynamic()) // Placed at run time above all of these (below).
          continue;
        b.offset = alignUp(end + redzone);
        poisoned.append({end, b.offset - end});
        end = b.offset + b.bytes;
      }
      total = alignUp(end + redzone);
      poisoned.append({end, total - end});
    }

    // Greedy by size: place each buffer at the lowest aligned offset where it does not overlap
    // a placed buffer whose live range intersects its own.
    std::vector<Buffer *> order;
    for (Buffer &b : buffers)
      if (!b.dynamic())
        order.push_back(&b);
    std::stable_sort(order.begin(), order.end(),
                     [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
    std::vector<Buffer *> placed;
    if (redzone)
      placed = order; // Placed above, without reuse.
    for (Buffer *b : redzone ? std::vector<Buffer *>() : order) {
      std::vector<std::pair<int64_t, int64_t>> busy;
      for (Buffer *p : placed)
        if (p->first <= b->last && b->first <= p->last)
          busy.push_back({p->offset, p->offset + p->bytes});
      std::sort(busy.begin(), busy.end());
      int64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + b->bytes <= lo)
          break;
        offset = std::max(offset, (hi + alignment - 1) / alignment * alignment);
      }
      b->offset = offset;
      total = std::max(total, offset + b->bytes);
      placed.push_back(b);
    }
    total = (total + alignment - 1) / alignment * alignment;
    bool anyDynamic = llvm::any_of(buffers, [](const Buffer &b) { return b.dynamic(); });

    // The workspace is the last argument; a model without buffers still takes one (size 0)
    // so every entry point has the same signature.
    MLIRContext *ctx = &getContext();
    auto wsType = MemRefType::get({std::max<int64_t>(total, 1)}, IntegerType::get(ctx, 8));
    unsigned argIndex = func.getNumArguments();
    if (failed(func.insertArgument(argIndex, wsType, {}, func.getLoc())))
      return signalPassFailure();
    Value ws = func.getArgument(argIndex);
    // Run-time sized buffers, in program order: each goes above every conflicting static
    // buffer and every conflicting run-time buffer placed before it, whatever the dims.
    // Their sizes are computed where they are allocated, after those of earlier buffers.
    std::vector<Buffer *> dynamicPlaced;
    std::vector<Value> ends;
    for (Buffer &b : buffers) {
      if (!b.dynamic())
        continue;
      // Placed before the top-level op that holds the allocation (a loop, for a buffer of
      // its body), so that its end dominates every later placement and the total.
      Operation *top = topLevelAncestor(body, b.alloc);
      OpBuilder builder(top);
      Location loc = b.alloc.getLoc();
      IRMapping hoisted;
      SmallVector<Value> sizes;
      for (Value d : b.alloc.getDynamicSizes()) {
        Value h = hoistAbove(builder, d, top, body, hoisted, /*bounds=*/true);
        if (!h) {
          b.alloc.emitError() << "a buffer inside a loop or branch whose size is computed "
                                 "there (it may change per iteration) cannot be planned";
          return signalPassFailure();
        }
        sizes.push_back(h);
      }
      // Under --sanitize=address nothing is reused: every run-time buffer goes above all
      // static ones and all earlier run-time ones (unpoisoned gaps between them: their
      // redzones are not known at compile time).
      auto conflicts = [&](Buffer *p) {
        return redzone || (p->first <= b.last && b.first <= p->last);
      };
      int64_t base = redzone ? total : 0;
      for (Buffer *p : placed)
        if (conflicts(p))
          base = std::max(base, (p->offset + p->bytes + alignment - 1) / alignment * alignment);
      Value offset = arith::ConstantIndexOp::create(builder, loc, base);
      for (Buffer *p : dynamicPlaced)
        if (conflicts(p))
          offset = arith::MaxUIOp::create(builder, loc, offset, p->end);
      MemRefType type = b.alloc.getType();
      int64_t staticPart = layout.getTypeSize(type.getElementType()).getFixedValue();
      for (int64_t d : type.getShape())
        if (ShapedType::isStatic(d))
          staticPart *= d;
      Value bytes = arith::ConstantIndexOp::create(builder, loc, std::max<int64_t>(staticPart, 1));
      for (Value d : sizes)
        bytes = arith::MulIOp::create(builder, loc, bytes, d);
      Value a = arith::ConstantIndexOp::create(builder, loc, alignment);
      Value am1 = arith::ConstantIndexOp::create(builder, loc, alignment - 1);
      Value end = arith::AddIOp::create(builder, loc, offset, bytes);
      end = arith::MulIOp::create(
          builder, loc, arith::DivUIOp::create(builder, loc, arith::AddIOp::create(builder, loc, end, am1), a), a);
      b.end = end;
      ends.push_back(end);
      dynamicPlaced.push_back(&b);
      OpBuilder atAlloc(b.alloc);
      Value view = memref::ViewOp::create(atAlloc, loc, type, ws, offset,
                                          b.alloc.getDynamicSizes());
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    if (anyDynamic || func->hasAttr("onnxc.dynamic")) {
      // The run-time total, for onnx-size-function to clone into onnxc_sizes; it removes it.
      OpBuilder builder(body.getTerminator());
      Value t = arith::ConstantIndexOp::create(builder, func.getLoc(), total);
      for (Value e : ends)
        t = arith::MaxUIOp::create(builder, func.getLoc(), t, e);
      Operation *marker = arith::AddIOp::create(
          builder, func.getLoc(), t, arith::ConstantIndexOp::create(builder, func.getLoc(), 0));
      marker->setAttr("onnxc.workspace_total", UnitAttr::get(ctx));
    }
    for (Buffer &b : buffers) {
      if (b.dynamic())
        continue;
      OpBuilder builder(b.alloc);
      Value offset = arith::ConstantIndexOp::create(builder, b.alloc.getLoc(), b.offset);
      Value view = memref::ViewOp::create(builder, b.alloc.getLoc(), b.alloc.getType(), ws,
                                          offset, ValueRange{});
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    if (failed(allocateAtRunTime(func, runtimeAllocs, dims, layout)))
      return signalPassFailure();
    func->setAttr("onnxc.workspace_size", IntegerAttr::get(IntegerType::get(ctx, 64), total));
    if (redzone)
      func->setAttr("onnxc.redzones", DenseI64ArrayAttr::get(ctx, poisoned));
  }

  /// Sizes that depend on tensor data with no bound (docs/dynamic-shapes.md): each such
  /// buffer is a memref.alloc made before the top-level op that holds it, after checking its
  /// size (every dim in [0, max-runtime-alloc], the bytes too: no overflow, no gigantic
  /// allocation), and freed at the end of the run; a memref.cast that gives such a size a
  /// static dim (a graph output declared static) checks that they agree. Each check guards
  /// the rest of the run (guardRest), so main_graph returns a status and a failure frees
  /// what was allocated before it. A model without such sizes is left as it was.
  LogicalResult allocateAtRunTime(func::FuncOp func, ArrayRef<memref::AllocOp> allocs,
                                  Value dims, DataLayout &layout) {
    Block &body = func.getBody().front();
    // Static dims given to sizes from data: the casts, and the top-level op they are in.
    // Where a size from data meets a static dim: a cast, a copy into a buffer of static
    // shape (no cast needed for it to verify), and a linalg op whose loop dim is static in
    // one operand and such a size in another (an elementwise op whose result the model
    // declares static: the loop would run over one and index the other).
    struct CastCheck {
      Operation *op;
      unsigned operand;                            // Read again when checking (see below).
      SmallVector<std::pair<int64_t, int64_t>> dims; // (dim of the operand, static size)
    };
    SmallVector<CastCheck> casts;
    auto fromData = [&](Operation *op, Value src, int64_t d) {
      Scratch scratch(op->getContext());
      OpBuilder sb = scratch.builder();
      Value dim = memref::DimOp::create(sb, op->getLoc(), src, d);
      return !sizeFromDims(dim, dims, /*exact=*/true);
    };
    auto consider = [&](Operation *op, Value src, Type toType) {
      auto from = dyn_cast<MemRefType>(src.getType());
      auto to = dyn_cast<MemRefType>(toType);
      if (!from || !to || from.getRank() != to.getRank())
        return;
      CastCheck check{op, 0, {}};
      for (int64_t d = 0; d < from.getRank(); ++d)
        if (from.isDynamicDim(d) && !to.isDynamicDim(d) && fromData(op, src, d))
          check.dims.push_back({d, to.getDimSize(d)});
      if (!check.dims.empty())
        casts.push_back(check);
    };
    func.walk([&](Operation *op) {
      if (auto cast = dyn_cast<memref::CastOp>(op)) {
        consider(op, cast.getSource(), cast.getType());
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        consider(op, copy.getSource(), copy.getTarget().getType());
      } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
        if (!linalgOp.hasPureBufferSemantics())
          return;
        SmallVector<AffineMap> maps = linalgOp.getIndexingMapsArray();
        DenseMap<unsigned, int64_t> staticLoop; // loop dim -> a static size of it
        for (OpOperand &o : op->getOpOperands()) {
          auto t = dyn_cast<MemRefType>(o.get().getType());
          if (!t || o.getOperandNumber() >= maps.size())
            continue;
          for (auto [r, e] : llvm::enumerate(maps[o.getOperandNumber()].getResults()))
            if (auto d = dyn_cast<AffineDimExpr>(e); d && !t.isDynamicDim(r))
              staticLoop.try_emplace(d.getPosition(), t.getDimSize(r));
        }
        for (OpOperand &o : op->getOpOperands()) {
          auto t = dyn_cast<MemRefType>(o.get().getType());
          if (!t || o.getOperandNumber() >= maps.size())
            continue;
          CastCheck check{op, o.getOperandNumber(), {}};
          for (auto [r, e] : llvm::enumerate(maps[o.getOperandNumber()].getResults())) {
            auto d = dyn_cast<AffineDimExpr>(e);
            if (!d || !t.isDynamicDim(r) || !staticLoop.count(d.getPosition()))
              continue;
            if (fromData(op, o.get(), r))
              check.dims.push_back({int64_t(r), staticLoop.lookup(d.getPosition())});
          }
          if (!check.dims.empty())
            casts.push_back(check);
        }
      }
    });
    // The static sizes elementwise ops assumed (cf.assert {onnxc.data_check}, from the
    // lowering): checked when the size comes from data, dropped otherwise (run-time input
    // dims are assumed equal, as before).
    SmallVector<cf::AssertOp> asserts;
    func.walk([&](cf::AssertOp a) {
      if (!a->hasAttr("onnxc.data_check"))
        return;
      if (sizeFromDims(a.getArg(), dims, /*exact=*/true))
        a.erase();
      else
        asserts.push_back(a);
    });
    if (allocs.empty() && casts.empty() && asserts.empty())
      return success();
    // Run-time checks (onnx.Check: `cf.assert` with "onnxc.status N: ..."; lowering/
    // ControlFlow.cpp) at the top level become guards here too, with their own status, so
    // that a failed one skips the rest of the run through the same nesting, frees included
    // (onnx-lower-runtime-checks' early return would skip the frees). Checks inside loops or
    // branches are left to it, which refuses them in a model that allocates per run.
    SmallVector<std::pair<cf::AssertOp, int32_t>> statusChecks;
    for (cf::AssertOp a : body.getOps<cf::AssertOp>()) {
      StringRef msg = a.getMsg();
      int32_t status = 0;
      if (msg.consume_front("onnxc.status ") && !msg.consumeInteger(10, status) && status > 0)
        statusChecks.push_back({a, status});
    }

    // main_graph returns a status from here on.
    MLIRContext *ctx = func.getContext();
    Operation *ret = body.getTerminator();
    {
      OpBuilder b(ret);
      Value ok = arith::ConstantIntOp::create(b, ret->getLoc(), b.getI32Type(), 0);
      func::ReturnOp::create(b, ret->getLoc(), ValueRange{ok});
      ret->erase();
      func.setType(FunctionType::get(ctx, func.getArgumentTypes(), {b.getI32Type()}));
    }
    // The guards in program order; at one top-level op, the allocations come first (a
    // check may read the dims of a buffer allocated there).
    DenseMap<Operation *, int64_t> position;
    int64_t pos = 0;
    for (Operation &op : body)
      position[&op] = pos++;
    struct Guard {
      Operation *top;
      int64_t order;
      memref::AllocOp alloc;
      CastCheck *cast;
      cf::AssertOp check = nullptr;
      int32_t status = kStatusDataSize; // of a failed check
    };
    SmallVector<Guard> guards;
    for (memref::AllocOp alloc : allocs) {
      Operation *top = topLevelAncestor(body, alloc);
      guards.push_back({top, 2 * position.lookup(top), alloc, nullptr});
    }
    for (CastCheck &c : casts) {
      Operation *top = topLevelAncestor(body, c.op);
      guards.push_back({top, 2 * position.lookup(top) + 1, nullptr, &c});
    }
    for (cf::AssertOp a : asserts) {
      Operation *top = topLevelAncestor(body, a);
      guards.push_back({top, 2 * position.lookup(top) + 1, nullptr, nullptr, a});
    }
    for (auto [a, status] : statusChecks)
      guards.push_back({a, 2 * position.lookup(a) + 1, nullptr, nullptr, a, status});
    llvm::stable_sort(guards, [](const Guard &a, const Guard &b) { return a.order < b.order; });

    SmallVector<std::pair<Block *, Value>> frees;
    for (Guard &g : guards) {
      Operation *top = g.top;
      OpBuilder b(top);
      Location loc = top->getLoc();
      if (g.check) {
        // At the top level the assert itself is the place; inside a loop or branch its
        // condition is computed before it if it can be. A condition computed there (a size
        // read from data per iteration) is checked where it is, as a run-time check that
        // onnx-lower-runtime-checks makes a status return out of the region (which frees
        // the buffers allocated per run before it, when the run has such buffers).
        IRMapping hoisted;
        Value ok = g.check.getArg();
        Operation *at = top;
        if (g.check.getOperation() == top) {
          at = top->getNextNode();
        } else {
          ok = hoistOutOf(b, ok, top, hoisted);
          if (!ok) {
            OpBuilder ab(g.check);
            cf::AssertOp::create(ab, g.check.getLoc(), g.check.getArg(),
                                 ab.getStringAttr("onnxc.status " + std::to_string(g.status) +
                                                  ": " + g.check.getMsg().str()));
            g.check.erase();
            continue;
          }
        }
        g.check.erase();
        if (ok)
          guardRest(at, ok, g.status);
        continue;
      }
      if (g.cast) {
        // Read again: an allocation replaced above changes it.
        Value src = g.cast->op->getOperand(g.cast->operand);
        // The source must be available before the top-level op (not computed inside it);
        // otherwise the cast is not checked.
        if (definedInside(src, top))
          continue;
        Value ok = arith::ConstantIntOp::create(b, loc, 1, 1);
        for (auto [d, size] : g.cast->dims) {
          Value dim = memref::DimOp::create(b, loc, src, d);
          Value want = arith::ConstantIndexOp::create(b, loc, size);
          ok = arith::AndIOp::create(
              b, loc, ok, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dim, want));
        }
        guardRest(top, ok, kStatusDataSize);
        continue;
      }
      memref::AllocOp old = g.alloc;
      MemRefType type = old.getType();
      IRMapping hoisted;
      SmallVector<Value> sizes;
      for (Value d : old.getDynamicSizes()) {
        Value h = hoistOutOf(b, d, top, hoisted);
        if (!h)
          return old.emitError() << "a buffer inside a loop or branch whose size depends on "
                                    "tensor data and is computed there cannot be allocated";
        sizes.push_back(h);
      }
      // Every dim and every partial product of the bytes is at most the limit: with a limit
      // below 2^31 no product overflows.
      int64_t limit = std::min<int64_t>(maxRuntimeAlloc, int64_t(1) << 31);
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value max = arith::ConstantIndexOp::create(b, loc, limit);
      int64_t staticPart = layout.getTypeSize(type.getElementType()).getFixedValue();
      for (int64_t d : type.getShape())
        if (ShapedType::isStatic(d))
          staticPart *= d;
      Value bytes = arith::ConstantIndexOp::create(b, loc, staticPart);
      Value ok = arith::ConstantIntOp::create(b, loc, 1, 1);
      if (staticPart > limit)
        ok = arith::ConstantIntOp::create(b, loc, 0, 1);
      auto within = [&](Value v) {
        ok = arith::AndIOp::create(
            b, loc, ok,
            arith::AndIOp::create(
                b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, v, zero),
                arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, v, max)));
      };
      for (Value d : sizes) {
        within(d);
        // Clamped before the product, so that a refused size cannot overflow it.
        Value safe = arith::SelectOp::create(b, loc, ok, d, zero);
        bytes = arith::MulIOp::create(b, loc, bytes, safe);
        within(bytes);
      }
      guardRest(top, ok, kStatusDataSize);
      OpBuilder ab(top);
      auto alloc = memref::AllocOp::create(ab, old.getLoc(), type, sizes,
                                           ab.getI64IntegerAttr(alignment));
      // A graph output allocated through the caller's allocator keeps its mark for
      // onnx-size-function (AllocateOutputs.cpp), and is not freed: the caller owns it (the runtime stub gives
      // it back if the run fails after it).
      Attribute output = old->getAttr("onnxc.allocated_output");
      if (output)
        alloc->setAttr("onnxc.allocated_output", output);
      Value ptr = memref::ExtractAlignedPointerAsIndexOp::create(ab, loc, alloc);
      Value nonNull = arith::CmpIOp::create(ab, loc, arith::CmpIPredicate::ne, ptr,
                                            arith::ConstantIndexOp::create(ab, loc, 0));
      // Freed at the end of the branch where it is live, after the checks nested there
      // later (placed once they all are, or a later check would move the free into its
      // own branch and skip it on failure).
      Block *live = guardRest(top, nonNull, kStatusOutOfMemory);
      if (!output)
        frees.push_back({live, alloc});
      old.replaceAllUsesWith(alloc.getResult());
      old.erase();
    }
    for (auto [block, buffer] : frees) {
      OpBuilder db = OpBuilder::atBlockTerminator(block);
      memref::DeallocOp::create(db, buffer.getLoc(), buffer);
    }
    // onnx-lower-runtime-checks frees them on the status return of a check inside a loop or
    // branch (an early return that would skip these frees).
    if (!frees.empty())
      func->setAttr("onnxc.frees_per_run", UnitAttr::get(ctx));
    return success();
  }
};

} // namespace
