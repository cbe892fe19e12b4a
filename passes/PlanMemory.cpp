// The static memory plan: every intermediate buffer becomes a view into one workspace whose
// layout is fixed at compile time, so an inference allocates nothing.
#include "passes/Passes.h"

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
/// (a size that changes per iteration).
Value hoistAbove(OpBuilder &b, Value v, Operation *top, Block &body, IRMapping &map) {
  if (Value m = map.lookupOrNull(v))
    return m;
  Operation *def = v.getDefiningOp();
  if (!def)
    return cast<BlockArgument>(v).getOwner() == &body ? v : Value();
  if (def->getBlock() == &body)
    return def == top ? Value() : v;
  if (def->getNumRegions() || !isMemoryEffectFree(def))
    return Value();
  for (Value operand : def->getOperands())
    if (!hoistAbove(b, operand, top, body, map))
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
    std::vector<Buffer> buffers;
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
        Value h = hoistAbove(builder, d, top, body, hoisted);
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
    func->setAttr("onnxc.workspace_size", IntegerAttr::get(IntegerType::get(ctx, 64), total));
    if (redzone)
      func->setAttr("onnxc.redzones", DenseI64ArrayAttr::get(ctx, poisoned));
  }
};

} // namespace
