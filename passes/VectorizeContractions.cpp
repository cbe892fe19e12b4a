// Register-tiled vector code for contractions (MatMul, Gemm, Conv): the compiler's own
// microkernel, emitted directly as vector dialect ops on tensors.
//
// A contraction `out[p...] += a[...] * b[...]` whose output map is the identity over its
// parallel loops is computed tile by tile. The tile spans `mr` positions of a parallel loop M
// that only one input (the *broadcast* operand) depends on, and `nv` vectors along the
// innermost output loop V, which the other input (the *vector* operand) reads with a constant
// stride in its innermost dim. The mr x nv accumulators live in vector registers for the whole
// reduction; each reduction step loads nv vectors of the vector operand, broadcasts mr scalars
// of the broadcast operand and issues mr * nv FMAs. So
//   MatMul  C[m, n] += A[m, k] * B[k, n]: M = m, V = n, A broadcast, B vector (row-major);
//   Conv    Y[n, g, m, oh, ow] += X[n, g, c, oh*s + kh, ow*s + kw] * W[g, m, c, kh, kw]:
//           M = output channel, V = ow, W broadcast, X vector (strided loads when s > 1).
// No im2col and no run-time packing: the loads go straight to the operands, constant ones
// (weights) laid out at compile time so that a tile reads them contiguously (packRows for a
// broadcast operand, packPanels for a cache-blocked vector operand). Edges are handled by a
// smaller tile (rows) and masked transfers (the last vector's lanes). The tile shape comes from
// a small cost model over the register file of the target (vector-bits, vector-registers).
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace onnxc {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// The coefficient of loop `dim` in `e` if `e` is linear in it (e.g. d3 * 2 + d5), else none.
std::optional<int64_t> linearCoefficient(AffineExpr e, unsigned dim, unsigned numDims) {
  if (!e.isFunctionOfDim(dim))
    return 0;
  MLIRContext *ctx = e.getContext();
  auto at = [&](int64_t v) {
    SmallVector<AffineExpr> repl;
    for (unsigned i = 0; i < numDims; ++i)
      repl.push_back(i == dim ? getAffineConstantExpr(v, ctx) : getAffineDimExpr(i, ctx));
    return simplifyAffineExpr(e.replaceDims(repl), numDims, 0);
  };
  auto d1 = dyn_cast<AffineConstantExpr>(at(1) - at(0));
  auto d2 = dyn_cast<AffineConstantExpr>(at(2) - at(0));
  if (!d1 || !d2 || d2.getValue() != 2 * d1.getValue() || d1.getValue() <= 0)
    return std::nullopt;
  return d1.getValue();
}

/// How one contraction is tiled.
struct Plan {
  unsigned numParallel = 0, mDim = 0, vDim = 0;
  int64_t stride = 1;          // Of V in the vector operand's innermost dim.
  int64_t vResult = -1;        // The vector operand's dim that V indexes.
  Value vecOperand, bcastOperand;
  AffineMap vecMap, bcastMap;
  int64_t mr = 1, nv = 1;      // Register tile: rows x vectors.
  SmallVector<int64_t> ranges; // Loop sizes.
  double cost = 0;             // Estimated cycles of the whole contraction.
  // Cache blocking (chooseBlocking): the vector operand, a constant, is packed into panels
  // [V / (nv * lanes)][...][nv * lanes]; tiles sweep V blocks of `nc` (in parallel), then
  // blocks of `kc` steps of the reduction dim kDim (in order), then the V tiles of the block,
  // then the M tiles, so that each tile's kc x (nv * lanes) panel stays in L1 across the M
  // tiles and the M x kc rows of the broadcast operand in L2 across the V tiles.
  bool blocked = false;
  unsigned kDim = 0;
  int64_t kc = 0, nc = 0;
  // A constant vector operand of a blocked plan is packed into those panels (packPanels); a
  // computed one is read where it is.
  bool packedPanels = false;
  // The last, partial panel of a packed operand (packPanels, packRows) as a constant of its
  // own, as wide as the columns or rows it holds: padding it to a whole panel would store
  // zeros that no tile uses (2.3 MB of resnet50's library: 256 output channels in panels of
  // 28 rows are 9 panels and one of 4). Null when the panels divide the dim.
  Value vecTail, bcastTail;
  AffineMap vecTailMap, bcastTailMap;
  // The broadcast operand, a constant (Conv's weights), packed at compile time into row
  // panels [..., M / mr, ..., mr] (packRows): the mr scalars of one step lie side by side.
  bool packedRows = false;
  // Weight-stationary order (chooseOrder): the M tiles outside the other parallel loops, so
  // that a tile's rows of a large constant broadcast operand are read from memory once, not
  // once per output row.
  bool mOuter = false;
  // The same with the V tiles outside, for a large constant vector operand (the weights of
  // a plan with vectors along output channels).
  bool vOuter = false;
};

/// The two inputs of `out += a * b` on f32 (in either order). Other inputs may only shape
/// the iteration space (their elements unused: ConvTranspose's kernel-window operand).
std::optional<std::pair<unsigned, unsigned>> multiplyAccumulateInputs(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  unsigned numInputs = op.getNumDpsInputs();
  if (body.getOperations().size() != 3 || op.getNumDpsInits() != 1 ||
      !body.getArgument(numInputs).getType().isF32())
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return std::nullopt;
  Value acc = body.getArgument(numInputs);
  Value other = add.getLhs() == acc ? add.getRhs() : add.getRhs() == acc ? add.getLhs() : Value();
  auto mul = other ? other.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul)
    return std::nullopt;
  auto a = dyn_cast<BlockArgument>(mul.getLhs()), b = dyn_cast<BlockArgument>(mul.getRhs());
  if (!a || !b || a == b || a.getOwner() != &body || b.getOwner() != &body ||
      a.getArgNumber() >= numInputs || b.getArgNumber() >= numInputs)
    return std::nullopt;
  return std::make_pair(a.getArgNumber(), b.getArgNumber());
}

/// Estimated cycles per reduction step of an mr x nv tile: FMAs and loads issue two per
/// cycle, and each accumulator's FMA chain needs four cycles of latency per step. A strided
/// vector operand costs a span load and a shuffle (one per cycle) per column.
double stepCost(int64_t mr, int64_t nv, int64_t stride) {
  if (stride > 1)
    return std::max({double(mr * nv) / 2, double(mr + 2 * nv) / 2, double(nv), 4.0});
  return std::max({double(mr * nv) / 2, double(mr + nv) / 2, 4.0});
}

/// L2 to L1 bandwidth that a tile's vector loads got when its vector operand streamed from L2
/// (bytes per cycle; resnet50's 256x14x14 -> 1024 pointwise conv, 4 x 5 tiles: 320 bytes per
/// reduction step at 70% of the FMA peak).
constexpr double kL2BytesPerCycle = 22;

/// Picks the register tile that minimizes the estimated cost of covering M x V. The tile must
/// leave registers for its nv loaded vectors, the broadcast and one spare: with 28
/// accumulators and 4 columns LLVM spilled an accumulator in every step (a third of
/// bert_tiny_enc's time went to the spill stores). `l2CyclesPerVector` > 0: the vector
/// operand that each M tile reads does not stay in L1, so a tile whose rows do not cover M
/// also waits for its nv vectors from L2 each step (fewer, taller tiles read it fewer times).
void chooseTile(Plan &p, int64_t lanes, int64_t registers, int64_t maxRows = 28,
                int64_t maxVectors = 8, double l2CyclesPerVector = 0) {
  int64_t m = p.ranges[p.mDim], vecs = llvm::divideCeil(p.ranges[p.vDim], lanes);
  double best = 0;
  for (int64_t nv = 1; nv <= std::min({vecs, maxVectors, int64_t(8)}); ++nv) {
    int64_t mr = std::min({m, (registers - nv - 3) / nv, maxRows});
    if (mr < 1)
      break;
    auto cover = [](int64_t total, int64_t tile, auto cost) {
      return (total / tile) * cost(tile) + (total % tile ? cost(total % tile) : 0.0);
    };
    double l2Floor = mr < m ? l2CyclesPerVector : 0;
    double c = cover(m, mr, [&](int64_t r) {
      return cover(vecs, nv, [&](int64_t v) {
        return std::max(stepCost(r, v, p.stride), l2Floor * v);
      });
    });
    if (best == 0 || c < best) {
      best = c;
      p.mr = mr;
      p.nv = nv;
    }
  }
  p.cost = best;
}

/// `v`'s constant value if it is a constant or a reshape of one (Conv's weights reach the
/// contraction through the expand_shape of the group dim): reshaping keeps row-major bytes.
Attribute constantThroughReshapes(Value v) {
  while (true) {
    Attribute value;
    if (matchPattern(v, m_Constant(&value)))
      return value;
    if (auto e = v.getDefiningOp<tensor::ExpandShapeOp>())
      v = e.getSrc();
    else if (auto c = v.getDefiningOp<tensor::CollapseShapeOp>())
      v = c.getSrc();
    else
      return {};
  }
}

/// The plan with V = output loop `vDim`, if the contraction allows it.
std::optional<Plan> planFor(linalg::GenericOp op, std::pair<unsigned, unsigned> inputs,
                            unsigned numParallel, unsigned vDim, int64_t lanes,
                            int64_t registers, int64_t l1Bytes) {
  Plan p;
  p.numParallel = numParallel;
  p.vDim = vDim;
  p.ranges = op.getStaticLoopRanges();
  unsigned numLoops = p.ranges.size();

  // The vector operand reads V in one dim only, linearly; the other not at all.
  unsigned operands[2] = {inputs.first, inputs.second};
  AffineMap maps[2] = {op.getIndexingMapsArray()[operands[0]],
                       op.getIndexingMapsArray()[operands[1]]};
  auto readsV = [&](AffineMap m) { return m.isFunctionOfDim(p.vDim); };
  if (readsV(maps[0]) == readsV(maps[1]))
    return std::nullopt;
  unsigned vec = readsV(maps[0]) ? 0 : 1, bcast = 1 - vec;
  AffineMap vm = maps[vec];
  for (unsigned r = 0; r < vm.getNumResults(); ++r) {
    if (!vm.getResult(r).isFunctionOfDim(p.vDim))
      continue;
    if (p.vResult >= 0)
      return std::nullopt;
    p.vResult = r;
  }
  auto stride = linearCoefficient(vm.getResult(p.vResult), p.vDim, numLoops);
  if (!stride || *stride > 4)
    return std::nullopt;
  p.stride = *stride;
  p.vecOperand = op.getDpsInputs()[operands[vec]];
  p.bcastOperand = op.getDpsInputs()[operands[bcast]];
  p.vecMap = vm;
  p.bcastMap = maps[bcast];
  bool vIsLast = p.vDim == numParallel - 1;
  // Vectors along another output dim than the innermost: the vector operand (weights) is
  // repacked at compile time so V is its innermost dim, and each tile stores its
  // accumulators element by element along V.
  if (!vIsLast && (p.stride != 1 || !constantThroughReshapes(p.vecOperand)))
    return std::nullopt;

  // M: the largest parallel loop the broadcast operand reads and the vector operand does not
  // (the innermost on ties: its scalars share cache lines).
  bool found = false;
  for (unsigned d = 0; d < numParallel; ++d) {
    if (d == p.vDim || !maps[bcast].isFunctionOfDim(d) || vm.isFunctionOfDim(d))
      continue;
    if (!found || p.ranges[d] >= p.ranges[p.mDim])
      p.mDim = d;
    found = true;
  }
  if (!found)
    return std::nullopt;
  // A vector operand read GEMM-like (V alone indexes its innermost dim, contiguously; a
  // pointwise conv's one-step window dims aside) whose block of all reduction steps by all of
  // V exceeds L1 is re-read from L2 by every M tile. (A window that slides along V reuses
  // most of what it reads: not modeled.)
  bool gemmLike = p.stride == 1;
  for (unsigned d = 0; d < numLoops; ++d)
    if (d != p.vDim && vm.getResult(p.vResult).isFunctionOfDim(d) &&
        (d < numParallel || p.ranges[d] != 1))
      gemmLike = false;
  double l2CyclesPerVector = 0;
  if (gemmLike) {
    int64_t block = p.ranges[p.vDim] * 4;
    for (unsigned d = numParallel; d < numLoops; ++d)
      block *= p.ranges[d];
    if (block > l1Bytes)
      l2CyclesPerVector = lanes * 4 / kL2BytesPerCycle;
  }
  chooseTile(p, lanes, registers, /*maxRows=*/28, /*maxVectors=*/8, l2CyclesPerVector);
  // Whole contraction: the tile cost per reduction step, times the reduction steps and the
  // tiles' repetitions over the other parallel loops; plus the stores.
  double steps = 1, outputs = 1;
  for (unsigned d = 0; d < numLoops; ++d) {
    if (d >= numParallel)
      steps *= p.ranges[d];
    else
      outputs *= p.ranges[d];
    if (d < numParallel && d != p.mDim && d != p.vDim)
      steps *= p.ranges[d];
  }
  // Measured on resnet18 (AVX-512, docs/perf.md): tiles along another dim than the
  // innermost run at ~75% of the ideal (the weight columns stream with a large stride, the
  // stores and the residual reads go element by element), so they only pay where the
  // innermost dim fills fewer lanes: 7 of 16 (7x7 maps), not 14 of 16.
  if (!vIsLast)
    p.cost *= 1.35;
  p.cost = p.cost * steps + (vIsLast ? outputs / lanes : 3 * outputs);
  return p;
}

/// Cache blocking for a GEMM-like plan whose vector operand is larger than half of L2 (it
/// would stream from memory once per M tile; a constant one's rows also collided in the cache
/// sets when they were 4 KB apart, hence its packed panels): one reduction dim, every parallel
/// dim but M and V of one iteration, V the innermost output dim read contiguously. A computed
/// operand is blocked the same way without packing: resnet50's 512x28x28 -> 128 pointwise
/// convs (4 x 5 tiles) read their 1.6 MB input once per 4 output channels, 32 times, and ran at
/// 61% of the peak against 78-83% for the same convs on 14x14 maps. The register tile keeps
/// at most 8 rows: the broadcast operand's rows are as far apart as its reduction is long, and
/// more than 8 of them in one L1 set (12 ways, less the panel's lines) evicted each other on
/// every step.
void chooseBlocking(Plan &p, int64_t lanes, int64_t registers, int64_t l1Bytes,
                    int64_t l2Bytes) {
  unsigned numLoops = p.ranges.size();
  if (p.vDim != p.numParallel - 1 || p.stride != 1)
    return;
  for (unsigned d = 0; d < p.numParallel; ++d)
    if (d != p.mDim && d != p.vDim && p.ranges[d] != 1)
      return;
  // One reduction dim; a computed operand may have others of one step (a pointwise conv's
  // kernel window), which a packed one would have to fold into its layout.
  bool constant = constantThroughReshapes(p.vecOperand) != nullptr;
  unsigned kDim = numLoops;
  for (unsigned d = p.numParallel; d < numLoops; ++d) {
    if (p.ranges[d] == 1 && !constant)
      continue;
    if (kDim != numLoops)
      return;
    kDim = d;
  }
  if (kDim == numLoops ||
      (constant && p.vecMap.getResult(p.vResult) !=
                       getAffineDimExpr(p.vDim, p.vecMap.getContext())))
    return;
  int64_t k = p.ranges[kDim], v = p.ranges[p.vDim];
  if (k * v * 4 <= l2Bytes / 2)
    return; // Fits in L2: the unblocked tiles already run near the peak (256^3: 107%).
  // A computed operand is read once per M tile of the unblocked plan: once or twice is no
  // reason to block (mobilenet's 144x56x56 -> 24 convs are one tile of 24 rows).
  if (!constant && llvm::divideCeil(p.ranges[p.mDim], p.mr) < 3)
    return;
  // A computed operand's blocks are one tile wide (p.nc below) and threads share them: at
  // least 6 of them, so that two threads get even shares (196 columns: 7 blocks of 2 vectors,
  // not 3 of 5 vectors split 2:1).
  int64_t maxVectors = 8;
  if (!constant)
    while (maxVectors > 1 && llvm::divideCeil(v, maxVectors * lanes) < 6)
      --maxVectors;
  chooseTile(p, lanes, registers, /*maxRows=*/8, maxVectors);
  int64_t width = p.nv * lanes;
  p.blocked = true;
  p.kDim = kDim;
  // A tile's panel block (kc x width) fills L1. Measured on SGEMM 1024^3 (AVX-512, 8 x 2
  // tiles of 32 columns, 48 KB L1; CPU ms per run on a loaded machine, +-10%): kc = 128
  // (16 KB) 13.6, 192: 12.1, 256 (32 KB): 11.4, 512 (64 KB): 11.6.
  p.kc = std::min(k, std::max<int64_t>(lanes, l1Bytes / (width * 4)));
  // A packed operand: about four V blocks, two threads get two each; more would re-read the
  // broadcast operand. A computed one: one tile width per block, for threads to share evenly
  // (the weights it re-reads per block are the smaller operand).
  int64_t panels = llvm::divideCeil(v, width);
  p.nc = constant ? width * llvm::divideCeil(panels, 4) : width;
}

/// Whether the M or V tiles go outside the other parallel loops (Plan::mOuter, vOuter). The
/// default order (other parallel loops, then M tiles, then V tiles) reads the whole constant
/// operand once per iteration of the other loops: a convolution's weights once per output
/// row. With the tiles of the weights' dim outside, a tile's share of the weights stays in
/// L2 across the rows of the map, and the activations are what is re-read, once per tile.
/// Measured (single Conv+Relu, GFLOP/s, base/new alternating, docs/perf.md session 10):
/// 512x7x7 3x3 -> 512 (9.4 MB of weights) 116 -> 160 at T=1 and 0.98 -> 0.77 ms at T=2; but
/// with 0.6-4.7 MB of weights (128x28x28, 256x14x14, 256x14x14 s2) no gain at T=1 and
/// 13-45% slower at T=2, where each thread then reads all of the activations instead of its
/// rows, and the weights come from the shared last-level cache anyway. So only weights over
/// 8x L2 (beyond what the L3 keeps) switch.
void chooseOrder(Plan &p, int64_t lanes, int64_t l2Bytes) {
  if (p.blocked)
    return;
  auto largeConstant = [&](Value v) {
    int64_t bytes = 4;
    for (int64_t d : cast<ShapedType>(v.getType()).getShape())
      bytes *= d;
    return bytes > 8 * l2Bytes && constantThroughReshapes(v);
  };
  int64_t otherTrips = 1;
  for (unsigned d = 0; d < p.numParallel; ++d)
    if (d != p.mDim && d != p.vDim)
      otherTrips *= p.ranges[d];
  if (otherTrips == 1)
    return;
  if (largeConstant(p.bcastOperand) && p.ranges[p.mDim] > p.mr)
    p.mOuter = true;
  else if (largeConstant(p.vecOperand) && p.ranges[p.vDim] > p.nv * lanes)
    p.vOuter = true;
}

std::optional<Plan> planContraction(linalg::GenericOp op, int64_t lanes, int64_t registers,
                                    int64_t l1Bytes) {
  if (op.getNumResults() != 1 || !op.hasPureTensorSemantics())
    return std::nullopt;
  auto inputs = multiplyAccumulateInputs(op);
  if (!inputs)
    return std::nullopt;
  auto iters = op.getIteratorTypesArray();
  unsigned numParallel = 0;
  while (numParallel < iters.size() && iters[numParallel] == utils::IteratorType::parallel)
    ++numParallel;
  for (unsigned i = numParallel; i < iters.size(); ++i)
    if (iters[i] != utils::IteratorType::reduction)
      return std::nullopt;
  unsigned numLoops = iters.size();
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (numParallel < 2 || numParallel == numLoops || outMap.getNumResults() != numParallel)
    return std::nullopt;
  for (unsigned r = 0; r < outMap.getNumResults(); ++r)
    if (outMap.getResult(r) != getAffineDimExpr(r, op.getContext()))
      return std::nullopt;
  if (ShapedType::isDynamicShape(op.getStaticLoopRanges()))
    return std::nullopt;
  // Vectors along the innermost output dim, or along another one when that fills the
  // lanes better (a 7x7 conv output wastes 9 of 16 lanes per row): the cheaper plan.
  std::optional<Plan> best;
  for (unsigned v = numParallel; v-- > 0;)
    if (auto p = planFor(op, *inputs, numParallel, v, lanes, registers, l1Bytes))
      if (!best || p->cost < best->cost)
        best = p;
  return best;
}

/// `bytes` (a row-major array of `shape`, `es` bytes per element) with its dims permuted:
/// result dim i is source dim perm[i].
std::vector<char> permuteBytes(ArrayRef<char> bytes, ArrayRef<int64_t> shape,
                               ArrayRef<int64_t> perm, int64_t es) {
  int64_t rank = shape.size();
  SmallVector<int64_t> srcStride(rank, es), outShape(rank), step(rank);
  for (int64_t d = rank - 2; d >= 0; --d)
    srcStride[d] = srcStride[d + 1] * shape[d + 1];
  for (int64_t i = 0; i < rank; ++i) {
    outShape[i] = shape[perm[i]];
    step[i] = srcStride[perm[i]];
  }
  std::vector<char> out(bytes.size());
  SmallVector<int64_t> pos(rank, 0);
  int64_t src = 0;
  for (size_t dst = 0; dst < out.size(); dst += es) {
    std::memcpy(&out[dst], &bytes[src], es);
    for (int64_t d = rank - 1; d >= 0; --d) { // Odometer over the result's indices.
      src += step[d];
      if (++pos[d] < outShape[d])
        break;
      src -= step[d] * outShape[d];
      pos[d] = 0;
    }
  }
  return out;
}

/// Makes the vector operand's V dim its innermost one, so that vectors load contiguously.
/// A constant (weights: Gemm with transB) is permuted at compile time into a new constant; a
/// computed tensor gets a linalg.transpose, which costs one pass over it per run and pays for
/// itself when the tile reuses each element across the M rows.
void moveVectorDimInnermost(OpBuilder &b, Location loc, Plan &p) {
  auto type = cast<RankedTensorType>(p.vecOperand.getType());
  int64_t rank = type.getRank();
  if (p.vResult == rank - 1)
    return;
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    if (d != p.vResult)
      perm.push_back(d);
  perm.push_back(p.vResult);
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> exprs;
  for (int64_t d : perm) {
    shape.push_back(type.getDimSize(d));
    exprs.push_back(p.vecMap.getResult(d));
  }
  auto newType = RankedTensorType::get(shape, type.getElementType());
  p.vecMap = AffineMap::get(p.vecMap.getNumDims(), 0, exprs, b.getContext());
  p.vResult = rank - 1;

  ArrayRef<char> bytes;
  if (Attribute value = constantThroughReshapes(p.vecOperand)) {
    if (auto dense = dyn_cast<DenseElementsAttr>(value); dense && dense.isSplat()) {
      p.vecOperand = arith::ConstantOp::create(b, loc, dense.reshape(newType));
      return;
    }
    if (auto res = dyn_cast<DenseResourceElementsAttr>(value)) {
      if (auto *blob = res.getRawHandle().getBlob())
        bytes = blob->getData();
    } else if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
      bytes = dense.getRawData();
    }
  }
  int64_t es = type.getElementTypeBitWidth() / 8;
  if (!bytes.empty() && bytes.size() == size_t(type.getNumElements() * es)) {
    std::vector<char> permuted = permuteBytes(bytes, type.getShape(), perm, es);
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(permuted, alignof(float));
    p.vecOperand = arith::ConstantOp::create(
        b, loc, DenseResourceElementsAttr::get(newType, "packed", std::move(blob)));
    return;
  }
  Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
  p.vecOperand = linalg::TransposeOp::create(b, loc, p.vecOperand, init, perm).getResult()[0];
}

/// The raw bytes of a constant (through reshapes), empty when not available or a splat.
ArrayRef<char> constantBytes(Value v) {
  Attribute value = constantThroughReshapes(v);
  if (auto res = dyn_cast_or_null<DenseResourceElementsAttr>(value)) {
    if (auto *blob = res.getRawHandle().getBlob())
      return blob->getData();
  } else if (auto dense = dyn_cast_or_null<DenseElementsAttr>(value); dense && !dense.isSplat()) {
    return dense.getRawData();
  }
  return {};
}

/// Packs the constant vector operand of a blocked plan into panels of `width` = nv * lanes
/// columns at compile time: [V / width][the other dims][width], so that each tile reads
/// kc x width floats that lie one after another (no 4 KB strides between the rows of a
/// panel); the columns past the last whole panel go into Plan::vecTail, [1][the other
/// dims][V % width]. Returns false (plan left unblocked) when the bytes are not at hand.
bool packPanels(OpBuilder &b, Location loc, Plan &p, int64_t lanes) {
  auto type = cast<RankedTensorType>(p.vecOperand.getType());
  ArrayRef<char> bytes = constantBytes(p.vecOperand);
  int64_t es = 4, rank = type.getRank(), width = p.nv * lanes;
  if (!type.getElementType().isF32() || p.vResult != rank - 1 ||
      bytes.size() != size_t(type.getNumElements() * es))
    return false;
  int64_t v = type.getDimSize(rank - 1), rows = type.getNumElements() / v;
  int64_t panels = v / width, rest = v % width;
  // Panels [first, first + count) of `cols` columns each.
  auto pack = [&](int64_t first, int64_t count, int64_t cols) {
    std::vector<char> packed(size_t(count * rows * cols * es));
    for (int64_t pi = 0; pi < count; ++pi)
      for (int64_t r = 0; r < rows; ++r)
        std::memcpy(&packed[((pi * rows + r) * cols) * es],
                    &bytes[(r * v + (first + pi) * width) * es], cols * es);
    SmallVector<int64_t> shape = {count};
    llvm::append_range(shape, type.getShape().drop_back());
    shape.push_back(cols);
    auto newType = RankedTensorType::get(shape, type.getElementType());
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(packed, 64);
    return arith::ConstantOp::create(
        b, loc, DenseResourceElementsAttr::get(newType, "packed", std::move(blob)));
  };
  // Column vd lies in panel vd / width at vd % width; a column of the tail at vd % width
  // too, since the tail starts at a multiple of width.
  AffineExpr vd = b.getAffineDimExpr(p.vDim);
  AffineMap unpacked = p.vecMap;
  auto mapWith = [&](AffineExpr panel) {
    SmallVector<AffineExpr> exprs = {panel};
    for (int64_t r = 0; r + 1 < rank; ++r)
      exprs.push_back(unpacked.getResult(r));
    exprs.push_back(vd % width);
    return AffineMap::get(unpacked.getNumDims(), 0, exprs, b.getContext());
  };
  if (panels) {
    p.vecOperand = pack(0, panels, width);
    p.vecMap = mapWith(vd.floorDiv(width));
  }
  if (rest) {
    p.vecTail = pack(panels, 1, rest);
    p.vecTailMap = mapWith(b.getAffineConstantExpr(0));
  }
  if (!panels) { // Narrower than one panel (V < width): every tile is the tail.
    p.vecOperand = p.vecTail;
    p.vecMap = p.vecTailMap;
  }
  p.vResult = rank;
  p.packedPanels = true;
  return true;
}

/// Packs the constant broadcast operand (Conv's weights W[g, m, c, kh, kw]) at compile time
/// into row panels of the tile's mr rows: M's dim becomes [M / mr] and a new innermost dim
/// of mr holds the rows of a panel (the M % mr rows left, the last tile's, go into
/// Plan::bcastTail with M's dim 1 and an innermost dim of M % mr), so the mr scalars
/// that one reduction step broadcasts share one or two cache lines instead of lying
/// C * KH * KW * 4 bytes apart (the 512 -> 1000 1x1 conv of squeezenet read 28 rows 2 KB
/// apart, all in two L1 sets), and a tile's weights stream contiguously through the reduction.
/// Tiles start at multiples of mr (the shorter last tile too), so row i of a tile is lane i of
/// its panel. Left alone when M is already the operand's innermost dim, when a tile's rows fit
/// in L1 (they stay there across the tile's columns anyway; packed, resnet18's 64-channel
/// convs measured 5-8% slower), or when the bytes are not at hand.
bool packRows(OpBuilder &b, Location loc, Plan &p, int64_t l1Bytes) {
  auto type = dyn_cast<RankedTensorType>(p.bcastOperand.getType());
  if (p.mr < 2 || !type || !type.hasStaticShape() || !type.getElementType().isF32())
    return false;
  AffineExpr md = b.getAffineDimExpr(p.mDim);
  int64_t rank = type.getRank(), r = -1;
  for (int64_t i = 0; i < rank; ++i) {
    if (!p.bcastMap.getResult(i).isFunctionOfDim(p.mDim))
      continue;
    if (r >= 0 || p.bcastMap.getResult(i) != md)
      return false;
    r = i;
  }
  ArrayRef<char> bytes = constantBytes(p.bcastOperand);
  int64_t es = 4;
  if (r < 0 || r == rank - 1 || bytes.size() != size_t(type.getNumElements() * es))
    return false;
  int64_t rows = type.getDimSize(r), mr = p.mr, panels = rows / mr, rest = rows % mr;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < r; ++i)
    outer *= type.getDimSize(i);
  for (int64_t i = r + 1; i < rank; ++i)
    inner *= type.getDimSize(i);
  if (mr * inner * es <= l1Bytes)
    return false;
  const float *src = reinterpret_cast<const float *>(bytes.data());
  // Panels [first, first + count) of `width` rows each.
  auto pack = [&](int64_t first, int64_t count, int64_t width) {
    std::vector<float> packed(size_t(outer * count * inner * width));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t pi = 0; pi < count; ++pi)
        for (int64_t i = 0; i < width; ++i)
          for (int64_t q = 0; q < inner; ++q)
            packed[((o * count + pi) * inner + q) * width + i] =
                src[(o * rows + (first + pi) * mr + i) * inner + q];
    SmallVector<int64_t> shape(type.getShape());
    shape[r] = count;
    shape.push_back(width);
    auto newType = RankedTensorType::get(shape, type.getElementType());
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(reinterpret_cast<const char *>(packed.data()), packed.size() * es), 64);
    return arith::ConstantOp::create(
        b, loc, DenseResourceElementsAttr::get(newType, "packed", std::move(blob)));
  };
  // Row md lies in panel md / mr at md % mr; a row of the tail at md % mr too, since the
  // tail starts at a multiple of mr.
  AffineMap unpacked = p.bcastMap;
  auto mapWith = [&](AffineExpr panel) {
    SmallVector<AffineExpr> exprs(unpacked.getResults());
    exprs[r] = panel;
    exprs.push_back(md % mr);
    return AffineMap::get(unpacked.getNumDims(), 0, exprs, b.getContext());
  };
  p.bcastOperand = pack(0, panels, mr);
  p.bcastMap = mapWith(md.floorDiv(mr));
  if (rest) {
    p.bcastTail = pack(panels, 1, rest);
    p.bcastTailMap = mapWith(b.getAffineConstantExpr(0));
  }
  p.packedRows = true;
  return true;
}

/// How an operand indexed by `map` (over the output's dims) is read along output dim `vd`:
/// not at all (one scalar, broadcast), as its innermost dim (a contiguous vector), as another
/// dim (element by element), or in a way the tiles cannot read.
enum class Access { Broadcast, Contiguous, Strided, None };

Access vectorAccess(AffineMap map, unsigned vd) {
  int found = -1;
  for (unsigned r = 0; r < map.getNumResults(); ++r) {
    if (!map.getResult(r).isFunctionOfDim(vd))
      continue;
    if (found >= 0)
      return Access::None;
    found = r;
  }
  if (found < 0)
    return Access::Broadcast;
  if (map.getResult(found) != getAffineDimExpr(vd, map.getContext()))
    return Access::None;
  return found + 1 == int(map.getNumResults()) ? Access::Contiguous : Access::Strided;
}

/// Whether the tiles can read an operand indexed by `map` one vector per tile column. Along
/// the innermost output dim only broadcasts and contiguous reads qualify; along another dim
/// the output is stored element by element anyway, and element-wise reads are fine too.
bool vectorReadable(AffineMap map, unsigned vd) {
  Access a = vectorAccess(map, vd);
  return a == Access::Broadcast || a == Access::Contiguous ||
         (a == Access::Strided && vd + 1 != map.getNumDims());
}

/// All-parallel linalg.generic over exactly the output's dims with an identity output map.
bool isElementwiseOverOutput(linalg::GenericOp g, int64_t rank) {
  return g && g.getNumDpsInits() == 1 && g.getNumResults() == 1 &&
         g.getNumLoops() == static_cast<unsigned>(rank) &&
         g.getNumParallelLoops() == g.getNumLoops() &&
         g.getIndexingMapsArray().back().isIdentity();
}

/// `v` is available before `op` (the kernel is emitted at the contraction).
bool definedBefore(Value v, Operation *op) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner()->findAncestorOpInBlock(*op) != nullptr;
  Operation *def = v.getDefiningOp();
  return def->getBlock() == op->getBlock() && def->isBeforeInBlock(op);
}

/// The value that `g`, an elementwise generic over the output without inputs, yields at
/// every point (a splat constant's broadcast, folded into its region), if it is available
/// before `op`; null otherwise.
Value splatGenericValue(linalg::GenericOp g, int64_t rank, Operation *op) {
  if (!isElementwiseOverOutput(g, rank) || g.getNumDpsInputs() != 0 ||
      g.getRegion().front().getOperations().size() != 1)
    return {};
  Value v = g.getRegion().front().getTerminator()->getOperand(0);
  if (!v.getType().isF32() || isa<BlockArgument>(v) || !definedBefore(v, op))
    return {};
  return v;
}

/// The elementwise consumer that the kernel can apply to its accumulators before storing
/// them (bias, batch norm, activation, residual add): the contraction's only user (SiLU reads
/// it twice), reading it
/// through the identity, every other input vector-readable and computed before the
/// contraction, a body of arith/math ops producing f32.
struct Epilogue {
  linalg::GenericOp op;
  tensor::CollapseShapeOp collapse; // Between the contraction and `op` (Conv's group dim).
  Value input;                      // The contraction's value as `op` reads it.
  unsigned vd = 0;                  // The tiles' vector dim among `op`'s dims.
};

std::optional<Epilogue> fusableEpilogue(linalg::GenericOp op, unsigned vDim) {
  Epilogue ep;
  ep.input = op.getResult(0);
  ep.vd = vDim;
  if (ep.input.hasOneUse())
    if (auto c = dyn_cast<tensor::CollapseShapeOp>(*ep.input.getUsers().begin())) {
      // Collapsing dims the tiles index: fine unless the innermost dim is merged, or the
      // vector dim is merged with one inside it.
      auto groups = c.getReassociationIndices();
      if (groups.back().size() != 1)
        return std::nullopt;
      for (auto [i, group] : llvm::enumerate(groups))
        if (llvm::is_contained(group, int64_t(vDim))) {
          if (group.back() != int64_t(vDim))
            return std::nullopt;
          ep.vd = i;
        }
      ep.collapse = c;
      ep.input = c.getResult();
    }
  if (ep.input.use_empty())
    return std::nullopt;
  auto e = dyn_cast<linalg::GenericOp>(*ep.input.getUsers().begin());
  if (!llvm::all_of(ep.input.getUsers(), [&](Operation *u) { return u == e; }))
    return std::nullopt;
  int64_t rank = cast<RankedTensorType>(ep.input.getType()).getRank();
  if (!isElementwiseOverOutput(e, rank) || !e.hasPureTensorSemantics() ||
      !cast<RankedTensorType>(e.getResult(0).getType()).getElementType().isF32())
    return std::nullopt;
  Block &body = e.getRegion().front();
  if (!body.getArguments().back().use_empty())
    return std::nullopt;
  for (OpOperand *in : e.getDpsInputOperands()) {
    AffineMap map = e.getMatchingIndexingMap(in);
    if (in->get() == ep.input ? !map.isIdentity()
                              : !vectorReadable(map, ep.vd) || !definedBefore(in->get(), op))
      return std::nullopt;
  }
  for (Operation &inner : body.without_terminator()) {
    if (!isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()) ||
        inner.getNumRegions() || inner.getNumResults() != 1)
      return std::nullopt;
    for (Value v : inner.getOperands())
      if (v.getParentRegion() != &e.getRegion() && !definedBefore(v, op))
        return std::nullopt;
  }
  ep.op = e;
  return ep;
}

/// Emits the tiled loop nest for one planned contraction.
class TileEmitter {
public:
  TileEmitter(linalg::GenericOp op, const Plan &p, int64_t lanes)
      : op(op), p(p), lanes(lanes), f32(Float32Type::get(op.getContext())),
        vecType(VectorType::get({lanes}, f32)) {}

  /// The tiles read their accumulators' initial values from the contraction's init (zeros,
  /// the bias) and write into a fresh tensor that they cover completely. Writing into the init
  /// itself would be wrong when the init is shared (CSE merges equal bias fills): one-shot
  /// bufferization gives an out-of-place vector.transfer_write a new buffer without copying
  /// the rest of the tensor into it (docs/traps.md).
  Value emit(OpBuilder &b) {
    Location loc = op.getLoc();
    init = op.getDpsInits()[0];
    initMap = AffineMap::getMultiDimIdentityMap(p.numParallel, op.getContext());
    if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
      init = fill.getInputs()[0];
      initMap = AffineMap::get(p.numParallel, 0, {}, op.getContext());
    } else if (Value scalar = splatGenericValue(init.getDefiningOp<linalg::GenericOp>(),
                                                p.numParallel, op)) {
      // A splat bias (all zeros: models exported without training) broadcast by a generic
      // that yields one value: read as a scalar, not from an output-sized buffer that a
      // separate loop filled (squeezenet1_1: 13 such fills, 1.8% of its time at T=1).
      init = scalar;
      initMap = AffineMap::get(p.numParallel, 0, {}, op.getContext());
    } else if (auto g = init.getDefiningOp<linalg::GenericOp>();
               isElementwiseOverOutput(g, p.numParallel) && g.getNumDpsInputs() == 1 &&
               g.getRegion().front().getOperations().size() == 1 &&
               g.getRegion().front().getTerminator()->getOperand(0) ==
                   g.getRegion().front().getArgument(0) &&
               vectorReadable(g.getIndexingMapsArray()[0], p.vDim)) {
      // A bias broadcast: read the bias itself, not the output-sized copy of it.
      init = g.getDpsInputs()[0];
      initMap = g.getIndexingMapsArray()[0];
    }
    if (auto ep = fusableEpilogue(op, p.vDim)) {
      epilogue = ep->op;
      collapse = ep->collapse;
      epilogueInput = ep->input;
      epilogueVd = ep->vd;
    }
    // A fresh allocation rather than a tensor.empty: eliminate-empty-tensors would analyze
    // every one of them (quadratic; 9 s of efficientnet_b0's compile) and has nothing to do.
    Value dest = bufferization::AllocTensorOp::create(
        b, loc, RankedTensorType::get(cast<RankedTensorType>(op.getResult(0).getType()).getShape(), f32),
        ValueRange{});
    SmallVector<Value> idx(p.ranges.size());
    Value result;
    if (p.mOuter)
      result = loopOverRows(b, loc, idx, dest, [&](OpBuilder &b, Location loc, Value c,
                                                   int64_t mr) {
        fixedMr = mr;
        return loopOverOuter(b, loc, 0, idx, c);
      });
    else if (p.vOuter)
      result = loopOverCols(b, loc, idx, dest, [&](OpBuilder &b, Location loc, Value c,
                                                   int64_t nv, int64_t lastLanes) {
        fixedNv = nv;
        fixedLastLanes = lastLanes;
        return loopOverOuter(b, loc, 0, idx, c);
      });
    else
      result = loopOverOuter(b, loc, 0, idx, dest);
    if (collapse) // Only set with an epilogue that reads through it.
      result = tensor::CollapseShapeOp::create(b, loc, collapse.getResultType(), result,
                                               collapse.getReassociationIndices());
    return result;
  }

  /// The fused elementwise consumer, if any: the kernel's result replaces its result.
  linalg::GenericOp fusedEpilogue() const { return epilogue; }
  tensor::CollapseShapeOp fusedCollapse() const { return collapse; }

private:
  // The tile fixed outside the other parallel loops: its rows (Plan::mOuter), or its vectors
  // and the lanes of its last one (Plan::vOuter).
  int64_t fixedMr = 0, fixedNv = 0, fixedLastLanes = 0;

  Value index(OpBuilder &b, Location loc, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }

  /// `scf.for` from lb to ub step `step` carrying `acc`, or the body once when it runs once.
  Value loop(OpBuilder &b, Location loc, int64_t lb, int64_t ub, int64_t step, Value acc,
             llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
    if (lb + step >= ub)
      return body(b, loc, index(b, loc, lb), acc);
    auto forOp = scf::ForOp::create(
        b, loc, index(b, loc, lb), index(b, loc, ub), index(b, loc, step), ValueRange{acc},
        [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
          scf::YieldOp::create(nb, nl, body(nb, nl, iv, args[0]));
        });
    // Each iteration writes its own output tiles: onnx-outline-parallel-loops may split it
    // across threads.
    forOp->setAttr("onnxc.parallel", b.getUnitAttr());
    return forOp.getResult(0);
  }

  /// Loops over every parallel dim but M and V, then over M tiles and V tiles.
  Value loopOverOuter(OpBuilder &b, Location loc, unsigned d, SmallVector<Value> &idx,
                      Value c) {
    if (d == p.numParallel)
      return loopOverTiles(b, loc, idx, c);
    if (d == p.mDim || d == p.vDim)
      return loopOverOuter(b, loc, d + 1, idx, c);
    return loop(b, loc, 0, p.ranges[d], 1, c, [&](OpBuilder &nb, Location nl, Value iv, Value acc) {
      idx[d] = iv;
      return loopOverOuter(nb, nl, d + 1, idx, acc);
    });
  }

  /// A blocked plan (chooseBlocking): V blocks of nc columns, split across threads; in each,
  /// the reduction in blocks of kc steps, in order. The first block starts the accumulators
  /// from the init, the others from the partial sums stored by the block before; only the
  /// last applies the epilogue. Every output element still sums its products in the same
  /// order as without blocking (stores and reloads of f32 partial sums are exact).
  Value loopOverBlocks(OpBuilder &b, Location loc, SmallVector<Value> &idx, Value c) {
    int64_t v = p.ranges[p.vDim], k = p.ranges[p.kDim];
    int64_t blocks = llvm::divideCeil(k, p.kc), lastLen = k - (blocks - 1) * p.kc;
    auto vBlock = [&](OpBuilder &b, Location loc, Value c, Value v0, int64_t len) -> Value {
      auto sweep = [&](OpBuilder &b, Location loc, Value c, Value k0, int64_t kLen,
                       bool first, bool last) {
        kStart = k0;
        kLength = kLen;
        fromInit = first;
        withEpilogue = last;
        return loopOverTiles(b, loc, idx, c, v0, len);
      };
      if (blocks == 1)
        return sweep(b, loc, c, index(b, loc, 0), k, true, true);
      c = sweep(b, loc, c, index(b, loc, 0), p.kc, true, false);
      if (blocks > 2) {
        // In order: each block adds to the partial sums of the one before (no parallel mark).
        auto forOp = scf::ForOp::create(
            b, loc, index(b, loc, p.kc), index(b, loc, (blocks - 1) * p.kc),
            index(b, loc, p.kc), ValueRange{c},
            [&](OpBuilder &nb, Location nl, Value k0, ValueRange args) {
              scf::YieldOp::create(nb, nl, sweep(nb, nl, args[0], k0, p.kc, false, false));
            });
        c = forOp.getResult(0);
      }
      return sweep(b, loc, c, index(b, loc, (blocks - 1) * p.kc), lastLen, false, true);
    };
    int64_t full = v / p.nc, rest = v % p.nc;
    if (!rest)
      return loop(b, loc, 0, full * p.nc, p.nc, c,
                  [&](OpBuilder &nb, Location nl, Value v0, Value acc) {
                    return vBlock(nb, nl, acc, v0, p.nc);
                  });
    // The shorter last block in the same parallel loop, under an scf.if: after the loop it
    // ran on one thread while the others waited (3 blocks of 240 columns and one of 64).
    Value lastStart = index(b, loc, full * p.nc);
    return loop(b, loc, 0, (full + 1) * p.nc, p.nc, c,
                [&](OpBuilder &nb, Location nl, Value v0, Value acc) -> Value {
                  if (full == 0)
                    return vBlock(nb, nl, acc, v0, rest);
                  Value isLast =
                      arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, v0, lastStart);
                  auto ifOp = scf::IfOp::create(nb, nl, TypeRange{acc.getType()}, isLast,
                                                /*withElseRegion=*/true);
                  OpBuilder tb = ifOp.getThenBodyBuilder(), eb = ifOp.getElseBodyBuilder();
                  scf::YieldOp::create(tb, nl, vBlock(tb, nl, acc, v0, rest));
                  scf::YieldOp::create(eb, nl, vBlock(eb, nl, acc, v0, p.nc));
                  return ifOp.getResult(0);
                });
  }

  /// The tiles of one V block [v0, v0 + len) (len a multiple of the tile width but for the
  /// last block), each over the M tiles: the tile's panel block stays in L1 across them.
  Value loopOverTiles(OpBuilder &b, Location loc, SmallVector<Value> &idx, Value c, Value v0,
                      int64_t len) {
    int64_t m = p.ranges[p.mDim], width = p.nv * lanes;
    auto cols = [&](OpBuilder &b, Location loc, Value c, int64_t nv, int64_t lastLanes,
                    Value vAt) -> Value {
      idx[p.vDim] = vAt;
      if (m / p.mr > 0)
        c = loop(b, loc, 0, (m / p.mr) * p.mr, p.mr, c,
                 [&](OpBuilder &nb, Location nl, Value m0, Value acc) {
                   idx[p.mDim] = m0;
                   return emitTile(nb, nl, acc, idx, p.mr, nv, lastLanes);
                 });
      if (int64_t rest = m % p.mr) {
        idx[p.mDim] = index(b, loc, m - rest);
        c = emitTile(b, loc, c, idx, rest, nv, lastLanes);
      }
      return c;
    };
    if (len / width > 0)
      c = loop(b, loc, 0, (len / width) * width, width, c,
               [&](OpBuilder &nb, Location nl, Value t, Value acc) {
                 return cols(nb, nl, acc, p.nv, lanes, offsetBy(nb, nl, v0, t));
               });
    if (int64_t rest = len % width) {
      int64_t lastLanes = rest % lanes ? rest % lanes : lanes;
      c = cols(b, loc, c, llvm::divideCeil(rest, lanes), lastLanes,
               offset(b, loc, v0, len - rest));
    }
    return c;
  }

  Value offsetBy(OpBuilder &b, Location loc, Value base, Value delta) {
    AffineExpr d0 = b.getAffineDimExpr(0), d1 = b.getAffineDimExpr(1);
    return getValueOrCreateConstantIndexOp(
        b, loc, affine::makeComposedFoldedAffineApply(b, loc, d0 + d1, {base, delta}));
  }

  /// The M tiles: full tiles of mr rows, then the remainder as a shorter tile; `body` runs
  /// with idx[mDim] set and the tile's row count.
  Value loopOverRows(OpBuilder &b, Location loc, SmallVector<Value> &idx, Value c,
                     llvm::function_ref<Value(OpBuilder &, Location, Value, int64_t)> body) {
    int64_t m = p.ranges[p.mDim];
    if (m / p.mr > 0)
      c = loop(b, loc, 0, (m / p.mr) * p.mr, p.mr, c,
               [&](OpBuilder &nb, Location nl, Value m0, Value acc) {
                 idx[p.mDim] = m0;
                 return body(nb, nl, acc, p.mr);
               });
    if (int64_t rest = m % p.mr) {
      idx[p.mDim] = index(b, loc, m - rest);
      c = body(b, loc, c, rest);
    }
    return c;
  }

  /// The V tiles: full tiles of nv vectors, then a tile with the remaining vectors, the
  /// last one masked; `body` runs with idx[vDim] set, the tile's vector count and the lanes
  /// of its last vector.
  Value loopOverCols(
      OpBuilder &b, Location loc, SmallVector<Value> &idx, Value c,
      llvm::function_ref<Value(OpBuilder &, Location, Value, int64_t, int64_t)> body) {
    int64_t v = p.ranges[p.vDim], width = p.nv * lanes;
    if (v / width > 0)
      c = loop(b, loc, 0, (v / width) * width, width, c,
               [&](OpBuilder &nb, Location nl, Value v0, Value acc) {
                 idx[p.vDim] = v0;
                 return body(nb, nl, acc, p.nv, lanes);
               });
    if (int64_t rest = v % width) {
      idx[p.vDim] = index(b, loc, v - rest);
      c = body(b, loc, c, llvm::divideCeil(rest, lanes), rest % lanes ? rest % lanes : lanes);
    }
    return c;
  }

  /// The tiles at one iteration of the other parallel loops: rows then columns, or only the
  /// loop that is not fixed outside (Plan::mOuter, Plan::vOuter).
  Value loopOverTiles(OpBuilder &b, Location loc, SmallVector<Value> &idx, Value c) {
    if (p.blocked)
      return loopOverBlocks(b, loc, idx, c);
    if (p.mOuter)
      return loopOverCols(b, loc, idx, c,
                          [&](OpBuilder &b, Location loc, Value c, int64_t nv, int64_t last) {
                            return emitTile(b, loc, c, idx, fixedMr, nv, last);
                          });
    if (p.vOuter)
      return loopOverRows(b, loc, idx, c, [&](OpBuilder &b, Location loc, Value c, int64_t mr) {
        return emitTile(b, loc, c, idx, mr, fixedNv, fixedLastLanes);
      });
    return loopOverRows(b, loc, idx, c, [&](OpBuilder &b, Location loc, Value c, int64_t mr) {
      return loopOverCols(b, loc, idx, c,
                          [&](OpBuilder &b, Location loc, Value c, int64_t nv, int64_t last) {
                            return emitTile(b, loc, c, idx, mr, nv, last);
                          });
    });
  }

  /// Indices into an operand: `map` applied to the loop indices.
  SmallVector<Value> apply(OpBuilder &b, Location loc, AffineMap map, ArrayRef<Value> ivs) {
    SmallVector<Value> out;
    SmallVector<OpFoldResult> operands(ivs.begin(), ivs.end());
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      out.push_back(getValueOrCreateConstantIndexOp(
          b, loc, affine::makeComposedFoldedAffineApply(b, loc, map.getSubMap({r}), operands)));
    return out;
  }

  Value offset(OpBuilder &b, Location loc, Value base, int64_t delta) {
    if (delta == 0)
      return base;
    AffineExpr d0 = b.getAffineDimExpr(0);
    return getValueOrCreateConstantIndexOp(
        b, loc, affine::makeComposedFoldedAffineApply(b, loc, d0 + delta, {base}));
  }

  /// One mr x nv register tile at `idx` (all parallel loop indices set), over the whole
  /// reduction. `lastLanes` < lanes masks the last vector column.
  Value emitTile(OpBuilder &b, Location loc, Value c, SmallVector<Value> idx, int64_t mr,
                 int64_t nv, int64_t lastLanes) {
    auto inBounds = [&](int64_t j) { return j + 1 < nv || lastLanes == lanes; };
    auto outIdx = [&](OpBuilder &b, Location loc, int64_t i, int64_t j) {
      SmallVector<Value> o(idx.begin(), idx.begin() + p.numParallel);
      o[p.mDim] = offset(b, loc, o[p.mDim], i);
      o[p.vDim] = offset(b, loc, o[p.vDim], j * lanes);
      return o;
    };
    SmallVector<Value> accs;
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    for (int64_t i = 0; i < mr; ++i)
      for (int64_t j = 0; j < nv; ++j)
        accs.push_back(fromInit ? readVector(b, loc, init, initMap, outIdx(b, loc, i, j),
                                             inBounds(j), p.vDim)
                                : vector::TransferReadOp::create(
                                      b, loc, vecType, c, outIdx(b, loc, i, j), zero,
                                      ArrayRef<bool>{inBounds(j)})
                                      .getResult());
    SmallVector<Value> full = idx;
    accs = reduce(b, loc, p.numParallel, full, accs, mr, nv, lastLanes);
    for (int64_t i = 0; i < mr; ++i)
      for (int64_t j = 0; j < nv; ++j) {
        SmallVector<Value> at = outIdx(b, loc, i, j);
        Value v = accs[i * nv + j];
        if (epilogue && withEpilogue)
          v = applyEpilogue(b, loc, v, at, inBounds(j));
        c = vector::TransferWriteOp::create(
                b, loc, v, c, at,
                AffineMap::get(p.numParallel, 0, b.getAffineDimExpr(p.vDim)),
                ArrayRef<bool>{inBounds(j)})
                .getResult();
      }
    return c;
  }

  /// One vector of `source` (a tensor, or a scalar when `map` has no results and the source
  /// is not a tensor) at the output position `at`, read through `map` over the output's dims
  /// along dim `vd` (vectorReadable): a broadcast scalar, a contiguous read, or a read across
  /// the source's rows.
  Value readVector(OpBuilder &b, Location loc, Value source, AffineMap map,
                   ArrayRef<Value> at, bool inBounds, unsigned vd) {
    Type et = isa<RankedTensorType>(source.getType())
                  ? cast<RankedTensorType>(source.getType()).getElementType()
                  : source.getType();
    auto type = VectorType::get({lanes}, et);
    if (!isa<RankedTensorType>(source.getType()))
      return vector::BroadcastOp::create(b, loc, type, source);
    SmallVector<Value> indices = apply(b, loc, map, at);
    Access access = vectorAccess(map, vd);
    if (access == Access::Broadcast) {
      Value s = tensor::ExtractOp::create(b, loc, source, indices);
      return vector::BroadcastOp::create(b, loc, type, s);
    }
    Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(et));
    unsigned rank = map.getNumResults(), along = rank - 1;
    for (unsigned r = 0; r < rank; ++r)
      if (map.getResult(r).isFunctionOfDim(vd))
        along = r;
    return vector::TransferReadOp::create(
        b, loc, type, source, indices, pad,
        AffineMap::get(rank, 0, b.getAffineDimExpr(along)), ArrayRef<bool>{inBounds});
  }

  /// The epilogue's body on vectors: its scalar ops cloned with vector types, the
  /// contraction's element replaced by the accumulator, the other inputs read at `at`.
  Value applyEpilogue(OpBuilder &b, Location loc, Value acc, ArrayRef<Value> outAt,
                      bool inBounds) {
    // The epilogue indexes the collapsed shape: linearize each reassociation group.
    SmallVector<Value> at(outAt);
    if (collapse) {
      at.clear();
      auto shape = cast<RankedTensorType>(op.getResult(0).getType()).getShape();
      for (const ReassociationIndices &group : collapse.getReassociationIndices()) {
        AffineExpr e = b.getAffineConstantExpr(0);
        SmallVector<OpFoldResult> operands;
        for (int64_t d : group) {
          e = e * shape[d] + b.getAffineDimExpr(operands.size());
          operands.push_back(outAt[d]);
        }
        auto map = AffineMap::get(operands.size(), 0, e);
        at.push_back(getValueOrCreateConstantIndexOp(
            b, loc, affine::makeComposedFoldedAffineApply(b, loc, map, operands)));
      }
    }
    Block &body = epilogue.getRegion().front();
    IRMapping map;
    for (OpOperand *in : epilogue.getDpsInputOperands()) {
      BlockArgument arg = body.getArgument(in->getOperandNumber());
      map.map(arg, in->get() == epilogueInput
                       ? acc
                       : readVector(b, loc, in->get(), epilogue.getMatchingIndexingMap(in), at,
                                    inBounds, epilogueVd));
    }
    auto vectorOf = [&](Value v) -> Value {
      if (Value m = map.lookupOrNull(v))
        return m;
      Value splat = vector::BroadcastOp::create(b, loc, VectorType::get({lanes}, v.getType()), v);
      map.map(v, splat);
      return splat;
    };
    for (Operation &inner : body.without_terminator()) {
      Type resultType = VectorType::get({lanes}, inner.getResult(0).getType());
      if (auto cst = dyn_cast<arith::ConstantOp>(inner)) {
        map.map(cst.getResult(), vector::BroadcastOp::create(
                                     b, loc, resultType, arith::ConstantOp::create(b, loc, cst.getValue())));
        continue;
      }
      OperationState state(loc, inner.getName());
      for (Value v : inner.getOperands())
        state.operands.push_back(vectorOf(v));
      state.types.push_back(resultType);
      state.attributes = inner.getAttrDictionary();
      map.map(inner.getResult(0), b.create(state)->getResult(0));
    }
    return vectorOf(body.getTerminator()->getOperand(0));
  }

  /// The reduction loop nest carrying the accumulators; the innermost step does the FMAs.
  SmallVector<Value> reduce(OpBuilder &b, Location loc, unsigned d, SmallVector<Value> &idx,
                            SmallVector<Value> accs, int64_t mr, int64_t nv,
                            int64_t lastLanes) {
    if (d == p.ranges.size())
      return step(b, loc, idx, accs, mr, nv, lastLanes);
    if (p.blocked && d == p.kDim) { // Steps [kStart, kStart + kLength) of the reduction.
      Value ub = offset(b, loc, kStart, kLength);
      auto forOp = scf::ForOp::create(
          b, loc, kStart, ub, index(b, loc, 1), accs,
          [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
            idx[d] = iv;
            scf::YieldOp::create(nb, nl,
                                 reduce(nb, nl, d + 1, idx, SmallVector<Value>(args), mr, nv,
                                        lastLanes));
          });
      return SmallVector<Value>(forOp.getResults());
    }
    if (p.ranges[d] == 1) {
      idx[d] = index(b, loc, 0);
      return reduce(b, loc, d + 1, idx, accs, mr, nv, lastLanes);
    }
    auto forOp = scf::ForOp::create(
        b, loc, index(b, loc, 0), index(b, loc, p.ranges[d]), index(b, loc, 1), accs,
        [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
          idx[d] = iv;
          scf::YieldOp::create(nb, nl,
                               reduce(nb, nl, d + 1, idx, SmallVector<Value>(args), mr, nv,
                                      lastLanes));
        });
    return SmallVector<Value>(forOp.getResults());
  }

  SmallVector<Value> step(OpBuilder &b, Location loc, ArrayRef<Value> idx,
                          ArrayRef<Value> accs, int64_t mr, int64_t nv, int64_t lastLanes) {
    AffineMap vm = p.vecMap, bm = p.bcastMap;
    Value vecOperand = p.vecOperand, bcastOperand = p.bcastOperand;
    // The last tile along V or M of a packed operand reads its tail (Plan::vecTail): only
    // that tile is narrower than the plan's, or masked.
    if (p.vecTail && (nv != p.nv || lastLanes != lanes)) {
      vm = p.vecTailMap;
      vecOperand = p.vecTail;
    }
    if (p.bcastTail && mr != p.mr) {
      bm = p.bcastTailMap;
      bcastOperand = p.bcastTail;
    }
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    SmallVector<Value> cols;
    // Packed panels (blocked plans): tiles start at a panel's first column, so vector j of
    // the tile is at column j * lanes of the panel that holds the tile's start.
    SmallVector<Value> panelAt;
    if (p.packedPanels)
      panelAt = apply(b, loc, vm, idx);
    for (int64_t j = 0; j < nv; ++j) {
      SmallVector<Value> ivs(idx);
      ivs[p.vDim] = offset(b, loc, ivs[p.vDim], j * lanes);
      SmallVector<Value> at = p.packedPanels ? panelAt : apply(b, loc, vm, ivs);
      if (p.packedPanels)
        at.back() = index(b, loc, j * lanes);
      if (p.stride == 1) {
        bool inBounds = j + 1 < nv || lastLanes == lanes;
        cols.push_back(vector::TransferReadOp::create(b, loc, vecType, vecOperand, at, zero,
                                                      ArrayRef<bool>{inBounds}));
        continue;
      }
      // Strided: read the span and keep every stride-th element. The span's tail may lie
      // past the operand's end: the masked read pads it.
      auto spanType = VectorType::get({lanes * p.stride}, f32);
      Value span = vector::TransferReadOp::create(b, loc, spanType, vecOperand, at, zero,
                                                  ArrayRef<bool>{false});
      SmallVector<int64_t> pick;
      for (int64_t l = 0; l < lanes; ++l)
        pick.push_back(l * p.stride);
      cols.push_back(vector::ShuffleOp::create(b, loc, span, span, pick));
    }
    SmallVector<Value> out(accs);
    // Packed rows: the tile's panel, row i at lane i.
    SmallVector<Value> rowPanel;
    if (p.packedRows)
      rowPanel = apply(b, loc, bm, idx);
    for (int64_t i = 0; i < mr; ++i) {
      SmallVector<Value> ivs(idx);
      ivs[p.mDim] = offset(b, loc, ivs[p.mDim], i);
      SmallVector<Value> at = rowPanel;
      if (p.packedRows)
        at.back() = index(b, loc, i);
      else
        at = apply(b, loc, bm, ivs);
      Value s = tensor::ExtractOp::create(b, loc, bcastOperand, at);
      Value splat = vector::BroadcastOp::create(b, loc, vecType, s);
      for (int64_t j = 0; j < nv; ++j)
        out[i * nv + j] = vector::FMAOp::create(b, loc, splat, cols[j], out[i * nv + j]);
    }
    return out;
  }

  linalg::GenericOp op;
  Value init;      // The accumulators' start: a tensor (the init, or the bias it broadcasts)
  AffineMap initMap; // or a scalar it is filled with, read through this map of output dims.
  linalg::GenericOp epilogue;
  tensor::CollapseShapeOp collapse;
  Value epilogueInput;
  unsigned epilogueVd = 0;
  const Plan &p;
  // The reduction block the tiles being emitted cover (blocked plans), whether they start
  // from the init (else from the partial sums in the result) and apply the epilogue.
  Value kStart;
  int64_t kLength = 0;
  bool fromInit = true, withEpilogue = true;
  int64_t lanes;
  Type f32;
  VectorType vecType;
};

/// Moves each reshape (a view: collapse_shape, expand_shape) up to just after its operands,
/// so that an epilogue input reshaped next to the epilogue counts as computed before the
/// contraction: onnx-fuse-elementwise collapses the residual of a pointwise Conv's epilogue
/// right before the epilogue, after the Conv.
void hoistReshapes(func::FuncOp f) {
  SmallVector<Operation *> reshapes;
  f.walk([&](Operation *op) {
    if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
      reshapes.push_back(op);
  });
  for (Operation *r : reshapes) { // In program order: a chain of reshapes moves up together.
    Block *block = r->getBlock();
    Operation *last = nullptr;
    bool local = true;
    for (Value v : r->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (!def) {
        local &= cast<BlockArgument>(v).getOwner() == block;
        continue;
      }
      if (def->getBlock() != block) {
        local = false;
        continue;
      }
      if (!last || last->isBeforeInBlock(def))
        last = def;
    }
    if (!local)
      continue;
    if (last)
      r->moveAfter(last);
    else
      r->moveBefore(&block->front());
  }
}

struct VectorizeContractionsPass
    : onnxc::impl::VectorizeContractionsBase<VectorizeContractionsPass> {
  using VectorizeContractionsBase::VectorizeContractionsBase;
  void runOnOperation() override {
    if (vectorBits < 64)
      return;
    int64_t lanes = vectorBits / 32;
    hoistReshapes(getOperation());
    // Plans are made one op at a time: rewriting a contraction replaces the values that a
    // later one reads.
    SmallVector<linalg::GenericOp> work;
    getOperation().walk([&](linalg::GenericOp op) { work.push_back(op); });
    llvm::SmallPtrSet<Operation *, 16> fused; // Epilogues erased with their contraction.
    for (linalg::GenericOp op : work) {
      if (fused.contains(op))
        continue;
      auto planned = planContraction(op, lanes, vectorRegisters, l1Bytes);
      if (!planned)
        continue;
      Plan &plan = *planned;
      chooseBlocking(plan, lanes, vectorRegisters, l1Bytes, l2Bytes);
      chooseOrder(plan, lanes, l2Bytes);
      OpBuilder b(op);
      moveVectorDimInnermost(b, op.getLoc(), plan);
      if (plan.blocked && constantThroughReshapes(plan.vecOperand) &&
          !packPanels(b, op.getLoc(), plan, lanes))
        plan.blocked = false;
      packRows(b, op.getLoc(), plan, l1Bytes);
      TileEmitter emitter(op, plan, lanes);
      Value result = emitter.emit(b);
      if (linalg::GenericOp epilogue = emitter.fusedEpilogue()) {
        epilogue.getResult(0).replaceAllUsesWith(result);
        fused.insert(epilogue);
        epilogue.erase();
        if (tensor::CollapseShapeOp collapse = emitter.fusedCollapse())
          collapse.erase();
      } else {
        op.getResult(0).replaceAllUsesWith(result);
      }
      op.erase();
    }
  }
};

} // namespace
