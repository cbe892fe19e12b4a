// onnx-gpu-map-kernels: every computation of main_graph becomes a gpu.launch; the host keeps
// only address and index arithmetic. See GpuPasses.td.
#include "passes/gpu/GpuPasses.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace onnxc {
#define GEN_PASS_DEF_GPUMAPKERNELS
#include "passes/gpu/GpuPasses.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
/// Defined in GemmKernel.cpp: a shared-memory tiled kernel for a static matmul/batch_matmul,
/// or failure when the op does not fit (it then takes the generic path).
/// Defined in RowKernels.cpp: runs of row-by-row ops with a reduction (softmax, layer
/// normalization) become one kernel with a block per row.
void fuseRowKernels(RewriterBase &rewriter, Block &block);
/// With `tf32`, the TF32 tensor-core kernel instead of the exact fp32 one.
LogicalResult buildTiledGemm(RewriterBase &rewriter, linalg::LinalgOp op, bool tf32);
} // namespace onnxc

namespace {

constexpr int64_t kBlockSize = 256;

/// Stays on the host: computes addresses, indices or views, touches no memory.
bool isHostOp(Operation *op) {
  if (op->hasTrait<OpTrait::IsTerminator>())
    return true;
  if (isa<memref::AllocaOp>(op)) // Zero-size stand-ins (onnx-empty-buffer-args): never read.
    return true;
  return op->getNumRegions() == 0 && isMemoryEffectFree(op);
}

Value constIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// Reduction loops innermost: lowered to loops, the op is then one scf.parallel over its
/// parallel dims around scf.for over the reductions (one thread per output element), never
/// an outer scf.for around a parallel loop (which would run as one thread). Valid for any
/// linalg op: its parallel dims are independent by definition.
linalg::LinalgOp parallelDimsFirst(RewriterBase &rw, linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<unsigned> perm;
  for (unsigned i = 0; i < iters.size(); ++i)
    if (iters[i] == utils::IteratorType::parallel)
      perm.push_back(i);
  for (unsigned i = 0; i < iters.size(); ++i)
    if (iters[i] != utils::IteratorType::parallel)
      perm.push_back(i);
  bool identity = true;
  for (unsigned i = 0; i < perm.size(); ++i)
    identity &= perm[i] == i;
  if (identity)
    return op;
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic) {
    FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rw, op);
    if (failed(g))
      return op;
    generic = *g;
  }
  FailureOr<linalg::GenericOp> r = linalg::interchangeGenericOp(rw, generic, perm);
  return succeeded(r) ? linalg::LinalgOp(*r) : linalg::LinalgOp(generic);
}

/// One thread per iteration of a top-level scf.parallel without reductions.
void mapParallel(scf::ParallelOp par) {
  OpBuilder b(par);
  Location loc = par.getLoc();
  SmallVector<Value> counts;
  Value total = constIndex(b, loc, 1);
  for (auto [lb, ub, step] :
       llvm::zip(par.getLowerBound(), par.getUpperBound(), par.getStep())) {
    // ceil((ub - lb) / step); bufferized static shapes give ub >= lb.
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    Value n = arith::CeilDivUIOp::create(b, loc, span, step);
    counts.push_back(n);
    total = arith::MulIOp::create(b, loc, total, n);
  }
  if (auto c = getConstantIntValue(total); c && *c == 0) {
    par.erase();
    return;
  }
  Value block = constIndex(b, loc, kBlockSize);
  Value grid = arith::CeilDivUIOp::create(b, loc, total, block);
  Value one = constIndex(b, loc, 1);
  auto launch = gpu::LaunchOp::create(b, loc, grid, one, one, block, one, one);
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  Value linear = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().x, block),
      launch.getThreadIds().x);
  Value inBounds = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, linear, total);
  auto ifOp = scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  IRMapping map;
  Value rest = linear;
  // The innermost dim varies fastest: consecutive threads touch consecutive elements.
  for (int d = int(counts.size()) - 1; d >= 0; --d) {
    Value q = d ? arith::RemUIOp::create(b, loc, rest, counts[d]).getResult() : rest;
    if (d)
      rest = arith::DivUIOp::create(b, loc, rest, counts[d]);
    Value iv = arith::AddIOp::create(
        b, loc, par.getLowerBound()[d], arith::MulIOp::create(b, loc, q, par.getStep()[d]));
    map.map(par.getInductionVars()[d], iv);
  }
  for (Operation &op : par.getBody()->without_terminator())
    b.clone(op, map);
  par.erase();
}

/// The ops [first, last] of one block in a single-thread kernel.
void mapSerial(Operation *first, Operation *last) {
  OpBuilder b(first);
  Location loc = first->getLoc();
  Value one = constIndex(b, loc, 1);
  auto launch = gpu::LaunchOp::create(b, loc, one, one, one, one, one, one);
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  auto term = gpu::TerminatorOp::create(b, loc);
  SmallVector<Operation *> ops;
  for (Operation *op = first;; op = op->getNextNode()) {
    ops.push_back(op);
    if (op == last)
      break;
  }
  for (Operation *op : ops)
    op->moveBefore(term);
}

/// True when `v` can be computed on the host: a block argument (function argument, loop
/// induction variable) or the result of side-effect-free ops over such values. A value read
/// from memory, or computed from one, lives on the device.
bool isHostValue(Value v, int depth = 0) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return true;
  if (depth > 32 || !isHostOp(def) || def->hasTrait<OpTrait::IsTerminator>())
    return false;
  return llvm::all_of(def->getOperands(),
                      [&](Value o) { return isHostValue(o, depth + 1); });
}

/// A sequential loop the host runs, launching its body's kernels each iteration (an RNN's
/// time loop, a Loop/Scan body): no results, bounds the host computes, and a body of
/// address arithmetic, linalg ops, copies and such loops. Anything else (loads, stores,
/// scf.if on data, while loops) makes the whole loop a one-thread kernel.
bool isHostLoop(Operation *op) {
  auto loop = dyn_cast<scf::ForOp>(op);
  if (!loop || loop.getNumResults() != 0 || !isHostValue(loop.getLowerBound()) ||
      !isHostValue(loop.getUpperBound()) || !isHostValue(loop.getStep()))
    return false;
  for (Operation &inner : *loop.getBody())
    if (!isHostOp(&inner) && !isa<linalg::LinalgOp, memref::CopyOp>(inner) &&
        !isHostLoop(&inner))
      return false;
  return true;
}

/// Linalg ops and copies nested in the regions of `op` (a one-thread kernel's code) become
/// plain loops: the kernel runs them element by element.
LogicalResult lowerNestedToLoops(RewriterBase &rewriter, Operation *op) {
  SmallVector<Operation *> nested;
  op->walk([&](Operation *inner) {
    if (inner != op && isa<linalg::LinalgOp, memref::CopyOp>(inner))
      nested.push_back(inner);
  });
  for (Operation *inner : nested) {
    rewriter.setInsertionPoint(inner);
    linalg::LinalgOp lop;
    if (auto copy = dyn_cast<memref::CopyOp>(inner))
      lop = linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                                   copy.getTarget());
    else
      lop = cast<linalg::LinalgOp>(inner);
    rewriter.setInsertionPoint(lop);
    if (failed(linalg::linalgOpToLoops(rewriter, lop)))
      return lop->emitError("the CUDA backend cannot lower this op to loops");
    if (lop.getOperation() != inner)
      rewriter.eraseOp(lop);
    rewriter.eraseOp(inner);
  }
  return success();
}

struct GpuMapKernelsPass : onnxc::impl::GpuMapKernelsBase<GpuMapKernelsPass> {
  using GpuMapKernelsBase::GpuMapKernelsBase;

  /// Maps the computations of one host block (main_graph's body or a host loop's body).
  LogicalResult mapBlock(Block &block, IRRewriter &rewriter) {
    // Copies become linalg.copy, then every linalg op of the block either a tiled GEMM
    // kernel or parallel loops (reduction dims become scf.for inside the parallel loop).
    for (auto copy : llvm::make_early_inc_range(block.getOps<memref::CopyOp>())) {
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(), copy.getTarget());
      rewriter.eraseOp(copy);
    }
    if (rowKernels)
      onnxc::fuseRowKernels(rewriter, block);
    for (auto op : llvm::make_early_inc_range(block.getOps<linalg::LinalgOp>())) {
      rewriter.setInsertionPoint(op);
      if (gemmTiling && succeeded(onnxc::buildTiledGemm(rewriter, op, tf32))) {
        rewriter.eraseOp(op);
        continue;
      }
      linalg::LinalgOp ordered = parallelDimsFirst(rewriter, op);
      rewriter.setInsertionPoint(ordered);
      if (failed(linalg::linalgOpToParallelLoops(rewriter, ordered)))
        return ordered->emitError("the CUDA backend cannot lower this op to loops");
      rewriter.eraseOp(ordered);
    }

    SmallVector<Operation *> ops;
    for (Operation &op : block)
      ops.push_back(&op);
    for (size_t i = 0; i < ops.size(); ++i) {
      Operation *op = ops[i];
      if (isa<memref::AllocOp>(op))
        return op->emitError("the CUDA backend found a buffer outside the memory plan");
      if (isa<gpu::LaunchOp>(op) || isHostOp(op))
        continue;
      if (auto par = dyn_cast<scf::ParallelOp>(op); par && par.getNumResults() == 0) {
        mapParallel(par);
        continue;
      }
      if (isHostLoop(op)) {
        if (failed(mapBlock(*cast<scf::ForOp>(op).getBody(), rewriter)))
          return failure();
        continue;
      }
      // A serial group: grows until no value it defines is used after it.
      size_t end = i;
      for (bool grew = true; grew;) {
        grew = false;
        for (size_t j = i; j <= end; ++j)
          for (Value v : ops[j]->getResults())
            for (Operation *user : v.getUsers()) {
              Operation *top = block.findAncestorOpInBlock(*user);
              if (!top)
                continue;
              auto it = llvm::find(ops, top);
              if (it == ops.end())
                continue;
              size_t k = it - ops.begin();
              if (k > end) {
                if (top->hasTrait<OpTrait::IsTerminator>())
                  return op->emitError(
                      "the CUDA backend cannot return a value computed on the device");
                end = k, grew = true;
              }
            }
      }
      for (size_t j = i; j <= end; ++j)
        if (failed(lowerNestedToLoops(rewriter, ops[j])))
          return failure();
      mapSerial(ops[i], ops[end]);
      i = end;
    }
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || func.getName() != "main_graph")
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError("the CUDA backend expects main_graph as one block");
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    if (failed(mapBlock(func.getBody().front(), rewriter)))
      return signalPassFailure();
  }
};

} // namespace
