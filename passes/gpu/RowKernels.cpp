// Row kernels of onnx-gpu-map-kernels: a run of consecutive linalg ops that all work row by
// row over the same leading dims, and that include a reduction (softmax: max, exp, sum,
// divide; layer normalization: mean, centre, variance, scale), becomes one kernel with one
// block per row instead of one kernel per op.
//
// An op works row by row over r leading loops when those loops are parallel and every
// operand's first r indices are exactly those loops (and its other indices do not use them):
// at row R it then touches only row R of every buffer. Inside the block the ops run in
// program order with a barrier between them (global memory writes are visible to the block
// after it): an op's parallel loops past the row are spread over the block's threads, its
// reductions loop inside the thread, so a per-row reduction is one thread's loop.
//
// Rows of different blocks run concurrently, so buffers must not alias across rows: every
// buffer the ops touch must be a function argument or a static view of one, and two buffers
// that overlap must be the same bytes with the same type. Otherwise the ops are left to
// their own kernels.
#include "passes/gpu/GpuPasses.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace onnxc {
namespace {

constexpr int64_t kRowThreads = 128;
/// Fewer rows than this would leave most of the GPU idle; the ops keep their own kernels.
constexpr int64_t kMinRows = 32;

/// The largest r such that the first r loops of `op` are parallel, every shaped operand's
/// first r indices are d0..d(r-1) and its other indices use none of them.
unsigned maxRowDims(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  unsigned r = 0;
  while (r < iters.size() && iters[r] == utils::IteratorType::parallel)
    ++r;
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue; // A scalar (linalg.fill's value).
    AffineMap map = op.getMatchingIndexingMap(&operand);
    unsigned ok = 0;
    while (ok < r && ok < map.getNumResults()) {
      auto dim = dyn_cast<AffineDimExpr>(map.getResult(ok));
      if (!dim || dim.getPosition() != ok)
        break;
      ++ok;
    }
    r = ok;
    // The remaining indices must not read the row loops.
    for (unsigned i = r; i < map.getNumResults(); ++i)
      for (unsigned d = 0; d < r; ++d)
        if (map.getResult(i).isFunctionOfDim(d))
          r = std::min(r, d);
  }
  return r;
}

/// The bytes a buffer covers: its root (a function argument), the byte offset of a static
/// memref.view of it, and the size. Reshapes keep the bytes. Anything else: failure.
struct Bytes {
  Value root;
  int64_t offset = 0, size = 0;
};
FailureOr<Bytes> bytesOf(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getLayout().isIdentity())
    return failure();
  Bytes b;
  b.size = type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
  while (true) {
    if (isa<BlockArgument>(v)) {
      b.root = v;
      return b;
    }
    Operation *def = v.getDefiningOp();
    if (isa<memref::CollapseShapeOp, memref::ExpandShapeOp>(def)) {
      v = def->getOperand(0);
      continue;
    }
    if (auto view = dyn_cast<memref::ViewOp>(def)) {
      std::optional<int64_t> shift = getConstantIntValue(view.getByteShift());
      if (!shift || !isa<BlockArgument>(view.getSource()))
        return failure();
      b.offset = *shift;
      b.root = view.getSource();
      return b;
    }
    return failure();
  }
}

/// Rows of different blocks cannot touch each other's bytes.
bool noAliasAcrossRows(ArrayRef<linalg::LinalgOp> ops) {
  SmallVector<std::pair<Bytes, Type>> seen;
  for (linalg::LinalgOp op : ops)
    for (Value v : op->getOperands()) {
      if (!isa<MemRefType>(v.getType()))
        continue;
      FailureOr<Bytes> b = bytesOf(v);
      if (failed(b))
        return false;
      for (auto &[other, type] : seen) {
        if (other.root != b->root || other.offset + other.size <= b->offset ||
            b->offset + b->size <= other.offset)
          continue;
        if (other.offset != b->offset || type != v.getType())
          return false;
      }
      seen.push_back({*b, v.getType()});
    }
  return true;
}

/// The scalar code of `op` at loop point `ivs`: loads, the op's body, stores of its yields.
void emitPoint(OpBuilder &b, Location loc, linalg::LinalgOp op, ArrayRef<Value> ivs) {
  auto indices = [&](AffineMap map) { return indicesAt(b, loc, map, ivs); };
  Block *body = op.getBlock();
  IRMapping map;
  for (OpOperand &operand : op->getOpOperands()) {
    Value arg = body->getArgument(operand.getOperandNumber());
    if (!isa<MemRefType>(operand.get().getType())) {
      map.map(arg, operand.get());
      continue;
    }
    map.map(arg, memref::LoadOp::create(b, loc, operand.get(),
                                        indices(op.getMatchingIndexingMap(&operand))));
  }
  for (Operation &inner : body->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      map.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, map);
  }
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
    memref::StoreOp::create(b, loc, map.lookup(yield.getOperand(i)), init.get(),
                            indices(op.getMatchingIndexingMap(&init)));
}

/// Loops over `dims` (of `ranges`) around `inner`, which receives the loop values.
void emitLoops(OpBuilder &b, Location loc, ArrayRef<unsigned> dims, ArrayRef<int64_t> ranges,
               SmallVector<Value> &ivs, function_ref<void(OpBuilder &)> inner) {
  if (dims.empty())
    return inner(b);
  Value lo = arith::ConstantIndexOp::create(b, loc, 0);
  Value hi = arith::ConstantIndexOp::create(b, loc, ranges[dims.front()]);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(b, loc, lo, hi, one);
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(loop.getBody());
  ivs[dims.front()] = loop.getInductionVar();
  emitLoops(b, loc, dims.drop_front(), ranges, ivs, inner);
}

/// One op of the group inside the row's block: its parallel loops past the row spread over
/// the threads (linearized, the last fastest), its reductions inside each thread.
void emitOp(OpBuilder &b, Location loc, linalg::LinalgOp op, unsigned rowDims,
            ArrayRef<Value> rowIvs, Value tid) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<unsigned> par, red;
  int64_t count = 1;
  for (unsigned d = rowDims; d < ranges.size(); ++d) {
    if (iters[d] == utils::IteratorType::parallel) {
      par.push_back(d);
      count *= ranges[d];
    } else {
      red.push_back(d);
    }
  }
  auto c = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
  auto loop = scf::ForOp::create(b, loc, tid, c(count), c(kRowThreads));
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(loop.getBody());
  SmallVector<Value> ivs(ranges.size());
  for (unsigned d = 0; d < rowDims; ++d)
    ivs[d] = rowIvs[d];
  Value rest = loop.getInductionVar();
  for (int i = int(par.size()) - 1; i >= 0; --i) {
    if (i == 0) {
      ivs[par[i]] = rest;
      break;
    }
    ivs[par[i]] = arith::RemUIOp::create(b, loc, rest, c(ranges[par[i]]));
    rest = arith::DivUIOp::create(b, loc, rest, c(ranges[par[i]]));
  }
  emitLoops(b, loc, red, ranges, ivs, [&](OpBuilder &ib) { emitPoint(ib, loc, op, ivs); });
}

void emitRowKernel(RewriterBase &rw, ArrayRef<linalg::LinalgOp> ops, unsigned rowDims) {
  linalg::LinalgOp last = ops.back();
  Location loc = last.getLoc();
  SmallVector<int64_t> rowRanges = last.getStaticLoopRanges();
  rowRanges.resize(rowDims);
  int64_t rows = 1;
  for (int64_t r : rowRanges)
    rows *= r;
  rw.setInsertionPoint(last);
  auto c = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(rw, loc, v); };
  Value one = c(1);
  auto launch = gpu::LaunchOp::create(rw, loc, c(rows), one, one, c(kRowThreads), one, one);
  OpBuilder::InsertionGuard g(rw);
  rw.setInsertionPointToStart(&launch.getBody().front());
  auto term = gpu::TerminatorOp::create(rw, loc);
  rw.setInsertionPoint(term);
  SmallVector<Value> rowIvs(rowDims);
  Value rest = launch.getBlockIds().x;
  for (int i = int(rowDims) - 1; i >= 0; --i) {
    if (i == 0) {
      rowIvs[i] = rest;
      break;
    }
    rowIvs[i] = arith::RemUIOp::create(rw, loc, rest, c(rowRanges[i]));
    rest = arith::DivUIOp::create(rw, loc, rest, c(rowRanges[i]));
  }
  for (auto [i, op] : llvm::enumerate(ops)) {
    if (i)
      gpu::BarrierOp::create(rw, loc);
    emitOp(rw, loc, op, rowDims, rowIvs, launch.getThreadIds().x);
  }
  for (linalg::LinalgOp op : ops)
    rw.eraseOp(op);
}

bool hasInnerReduction(linalg::LinalgOp op) {
  return llvm::any_of(op.getIteratorTypesArray(), [](utils::IteratorType t) {
    return t == utils::IteratorType::reduction;
  });
}

/// A candidate op: static shape on buffers. A reduction reads one tensor (softmax's max and
/// sum, layer normalization's mean and variance): contractions keep the tiled GEMM kernel.
bool isRowCandidate(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op->getNumRegions() != 1 ||
      llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return false;
  if (!hasInnerReduction(op))
    return true;
  return llvm::count_if(op.getDpsInputs(),
                        [](Value v) { return isa<MemRefType>(v.getType()); }) == 1;
}

} // namespace

/// Defined here, called by onnx-gpu-map-kernels before it maps single ops.
void fuseRowKernels(RewriterBase &rw, Block &block) {
  SmallVector<linalg::LinalgOp> ops;
  for (Operation &op : block)
    if (auto l = dyn_cast<linalg::LinalgOp>(op))
      ops.push_back(l);
  // Two ops are consecutive when only pure, region-free host code lies between them.
  auto consecutive = [&](Operation *a, Operation *b) {
    for (Operation *op = a->getNextNode(); op && op != b; op = op->getNextNode())
      if (op->getNumRegions() || !isMemoryEffectFree(op))
        return false;
    return true;
  };
  for (size_t i = 0; i < ops.size();) {
    size_t best = i;
    unsigned bestR = 0;
    if (isRowCandidate(ops[i])) {
      SmallVector<int64_t> ranges0 = ops[i].getStaticLoopRanges();
      for (unsigned r = maxRowDims(ops[i]); r >= 1 && !bestR; --r) {
        int64_t rows = 1;
        for (unsigned d = 0; d < r; ++d)
          rows *= ranges0[d];
        if (rows < kMinRows)
          break;
        size_t j = i + 1;
        bool reduction = hasInnerReduction(ops[i]);
        while (j < ops.size() && isRowCandidate(ops[j]) && consecutive(ops[j - 1], ops[j]) &&
               maxRowDims(ops[j]) >= r &&
               llvm::equal(ArrayRef<int64_t>(ops[j].getStaticLoopRanges()).take_front(r),
                           ArrayRef<int64_t>(ranges0).take_front(r))) {
          reduction |= hasInnerReduction(ops[j]);
          ++j;
        }
        if (reduction && j - i >= 2 && noAliasAcrossRows(ArrayRef(ops).slice(i, j - i))) {
          best = j;
          bestR = r;
        }
      }
    }
    if (!bestR) {
      ++i;
      continue;
    }
    emitRowKernel(rw, ArrayRef(ops).slice(i, best - i), bestR);
    i = best;
  }
}

} // namespace onnxc
