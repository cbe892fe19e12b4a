// Rewrites the memref.copy ops bufferization leaves between strided views (padding,
// concatenation, slices) into code LLVM compiles well and a model can link (see Passes.td).
#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace onnxc {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIES
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// Copies of fewer contiguous bytes than this per row stay element loops: a memcpy per
/// 4-byte element would cost more than the loads and stores.
constexpr int64_t kMinRowBytes = 32;
/// A copy of one contiguous block this large is also split into row blocks (at least
/// kMinBlocks of them), so that the thread pool shares it: at two threads, the serial
/// memcpys of squeezenet1_1's concatenations took 12% of the calling thread's time.
constexpr int64_t kSplitBytes = 256 * 1024;
constexpr int64_t kMinBlocks = 16;

bool isEmpty(MemRefType t) { return llvm::is_contained(t.getShape(), 0); }

/// Whether convert-memref-to-llvm lowers a copy of `t` to one llvm.memcpy: an identity
/// layout, or a static shape laid out contiguously at any offset (a channel slice of a batch
/// of one, the halves of a concatenation along the first non-unit dim).
bool isOneBlock(MemRefType t) {
  return t.getLayout().isIdentity() ||
         (!isEmpty(t) && memref::isStaticShapeAndContiguousRowMajor(t));
}

/// The first dim d such that dims [d, rank) of `t` are laid out contiguously (row-major,
/// innermost stride 1, unit dims at any stride); rank when the innermost stride is not 1 or
/// not known.
int64_t contiguousFrom(MemRefType t) {
  SmallVector<int64_t> strides;
  int64_t offset;
  int64_t d = t.getRank();
  if (!t.hasStaticShape() || failed(t.getStridesAndOffset(strides, offset)))
    return d;
  int64_t running = 1;
  // A dim of size 1 never breaks contiguity, whatever its stride.
  while (d > 0 && (strides[d - 1] == running || t.getDimSize(d - 1) == 1)) {
    running *= t.getDimSize(d - 1);
    --d;
  }
  return d;
}

/// A copy between static views whose rows (the trailing dims both lay out contiguously) hold
/// at least kMinRowBytes, or a large copy of one contiguous block: an scf.parallel over the
/// outer dims, each iteration copying one row block as a memref.copy of contiguous views
/// (one llvm.memcpy). Fails otherwise.
///
/// As linalg.copy, LLVM vectorized such copies across rows with gathers and scatters (the
/// concatenations of squeezenet1_1 copied 55x55 channels through 16-lane scatters, ~10% of
/// its time at one thread, 3x that at two).
LogicalResult copyByRows(memref::CopyOp copy) {
  auto src = cast<MemRefType>(copy.getSource().getType());
  auto dst = cast<MemRefType>(copy.getTarget().getType());
  int64_t rank = src.getRank();
  if (rank == 0 || !src.hasStaticShape() || !dst.hasStaticShape())
    return failure();
  int64_t inner = std::max(contiguousFrom(src), contiguousFrom(dst));
  if (inner == rank)
    return failure(); // No contiguous row at all.
  int64_t elemBytes = (src.getElementTypeBitWidth() + 7) / 8;
  auto rowBytes = [&](int64_t from) {
    int64_t n = elemBytes;
    for (int64_t d = from; d < rank; ++d)
      n *= src.getDimSize(d);
    return n;
  };
  if (inner == 0) {
    // One block: split only a large one, at the first dim that gives kMinBlocks blocks.
    if (rowBytes(0) < kSplitBytes)
      return failure();
    int64_t blocks = 1;
    while (inner + 1 < rank && blocks < kMinBlocks)
      blocks *= src.getDimSize(inner++);
    if (blocks < 2)
      return failure();
  }
  if (rowBytes(inner) < kMinRowBytes)
    return failure();

  OpBuilder b(copy);
  Location loc = copy.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs(inner, zero), steps(inner, one), ubs;
  for (int64_t d = 0; d < inner; ++d)
    ubs.push_back(arith::ConstantIndexOp::create(b, loc, src.getDimSize(d)));
  scf::ParallelOp::create(b, loc, lbs, ubs, steps, [&](OpBuilder &pb, Location pl, ValueRange ivs) {
    SmallVector<OpFoldResult> offsets(ivs.begin(), ivs.end());
    SmallVector<OpFoldResult> sizes(inner, pb.getIndexAttr(1));
    for (int64_t d = inner; d < rank; ++d) {
      offsets.push_back(pb.getIndexAttr(0));
      sizes.push_back(pb.getIndexAttr(src.getDimSize(d)));
    }
    SmallVector<OpFoldResult> unit(rank, pb.getIndexAttr(1));
    Value from = memref::SubViewOp::create(pb, pl, copy.getSource(), offsets, sizes, unit);
    Value to = memref::SubViewOp::create(pb, pl, copy.getTarget(), offsets, sizes, unit);
    memref::CopyOp::create(pb, pl, from, to);
  });
  copy.erase();
  return success();
}

struct LowerStridedCopiesPass : onnxc::impl::LowerStridedCopiesBase<LowerStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      auto src = cast<MemRefType>(copy.getSource().getType());
      auto dst = cast<MemRefType>(copy.getTarget().getType());
      if ((src.hasStaticShape() && isEmpty(src)) || (dst.hasStaticShape() && isEmpty(dst))) {
        copy.erase(); // Nothing to copy (and memref-to-llvm would call memrefCopy for it).
        continue;
      }
      if (succeeded(copyByRows(copy)))
        continue;
      if (isOneBlock(src) && isOneBlock(dst))
        continue;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    }
  }
};
} // namespace
