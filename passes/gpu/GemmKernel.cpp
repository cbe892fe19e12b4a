// The GEMM kernel of onnx-gpu-map-kernels: a static f32 contraction (matmul, batch matmul,
// or the linalg.generic that MatMul/Gemm lower to) on buffers
// becomes a launch of 16x16-thread blocks, each computing a 16x16 tile of C. Per step of K,
// the block stages a 16x16 tile of A and of B in workgroup (shared) memory, one element per
// thread, between two barriers; every thread then reads 16 elements of each tile from shared
// memory instead of global memory. Exact fp32 (one fused multiply-add per product, as on
// CPU); the accumulation order is K ascending.
#include "passes/gpu/GpuPasses.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace onnxc {

static constexpr int64_t kTile = 16;

LogicalResult buildTiledGemm(RewriterBase &rw, linalg::LinalgOp op) {
  // Any contraction on buffers (named matmul ops, or the linalg.generic that MatMul and
  // Gemm lower to): one m, n and k loop, at most one batch loop, operands indexed by
  // projected permutations of the loops, an f32 multiply-add body.
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 || dims->k.size() != 1 ||
      dims->batch.size() > 1)
    return failure();
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation())
      return failure();
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1], c = op.getDpsInits()[0];
  for (Value v : {a, b, c})
    if (!isa<MemRefType>(v.getType()) || !getElementTypeOrSelf(v.getType()).isF32())
      return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  bool batched = !dims->batch.empty();
  unsigned bDim = batched ? dims->batch[0] : 0, mDim = dims->m[0], nDim = dims->n[0],
           kDim = dims->k[0];
  int64_t batch = batched ? ranges[bDim] : 1;
  int64_t m = ranges[mDim], n = ranges[nDim], k = ranges[kDim];
  if (m == 0 || n == 0 || batch == 0 || batch > 65535)
    return failure();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned numLoops = op.getNumLoops();

  Location loc = op.getLoc();
  auto idx = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(rw, loc, v); };
  MLIRContext *ctx = rw.getContext();
  auto shared = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto tileType = MemRefType::get({kTile, kTile}, rw.getF32Type(), MemRefLayoutAttrInterface{},
                                  shared);
  Value one = idx(1), tile = idx(kTile);
  auto launch = gpu::LaunchOp::create(rw, loc, idx((n + kTile - 1) / kTile),
                                      idx((m + kTile - 1) / kTile), idx(batch), tile, tile, one,
                                      /*dynamicSharedMemorySize=*/nullptr,
                                      /*asyncTokenType=*/nullptr, ValueRange(),
                                      TypeRange{tileType, tileType});
  OpBuilder::InsertionGuard guard(rw);
  Block &body = launch.getBody().front();
  rw.setInsertionPointToStart(&body);
  Value as = launch.getWorkgroupAttributions()[0], bs = launch.getWorkgroupAttributions()[1];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value bz = launch.getBlockIds().z;
  Value row = arith::AddIOp::create(rw, loc,
                                    arith::MulIOp::create(rw, loc, launch.getBlockIds().y, tile), ty);
  Value col = arith::AddIOp::create(rw, loc,
                                    arith::MulIOp::create(rw, loc, launch.getBlockIds().x, tile), tx);
  Value cM = idx(m), cN = idx(n), cK = idx(k), zero = idx(0);
  Value fzero = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(0));
  auto lt = [&](Value x, Value y) {
    return arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::ult, x, y).getResult();
  };
  auto both = [&](Value x, Value y) { return arith::AndIOp::create(rw, loc, x, y).getResult(); };
  // The operand's indices at loop point (batch, m = i or k = i, n = j or k = j).
  auto indices = [&](unsigned operand, unsigned d0, Value i, unsigned d1, Value j) {
    SmallVector<Value> ivs(numLoops, zero);
    if (batched)
      ivs[bDim] = bz;
    ivs[d0] = i;
    ivs[d1] = j;
    SmallVector<Value> v;
    for (unsigned r = 0; r < maps[operand].getNumResults(); ++r)
      v.push_back(ivs[maps[operand].getDimPosition(r)]);
    return v;
  };
  // Guarded load: 0 outside the matrix.
  auto load = [&](Value mem, SmallVector<Value> at, Value inside) {
    auto ifOp = scf::IfOp::create(rw, loc, TypeRange{rw.getF32Type()}, inside, true);
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(rw, loc, ValueRange{memref::LoadOp::create(rw, loc, mem, at)});
    rw.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(rw, loc, ValueRange{fzero});
    return ifOp.getResult(0);
  };
  Value inC = both(lt(row, cM), lt(col, cN));
  // linalg.matmul accumulates into C.
  Value init = load(c, indices(2, mDim, row, nDim, col), inC);
  auto kLoop = scf::ForOp::create(rw, loc, zero, cK, tile, ValueRange{init});
  {
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(kLoop.getBody());
    Value kt = kLoop.getInductionVar();
    Value ka = arith::AddIOp::create(rw, loc, kt, tx), kb = arith::AddIOp::create(rw, loc, kt, ty);
    memref::StoreOp::create(rw, loc,
                            load(a, indices(0, mDim, row, kDim, ka), both(lt(row, cM), lt(ka, cK))),
                            as, ValueRange{ty, tx});
    memref::StoreOp::create(rw, loc,
                            load(b, indices(1, kDim, kb, nDim, col), both(lt(kb, cK), lt(col, cN))),
                            bs, ValueRange{ty, tx});
    gpu::BarrierOp::create(rw, loc);
    auto inner = scf::ForOp::create(rw, loc, zero, tile, one,
                                    ValueRange{kLoop.getRegionIterArgs()[0]});
    {
      OpBuilder::InsertionGuard g2(rw);
      rw.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      Value x = memref::LoadOp::create(rw, loc, as, ValueRange{ty, kk});
      Value y = memref::LoadOp::create(rw, loc, bs, ValueRange{kk, tx});
      Value acc = math::FmaOp::create(rw, loc, x, y, inner.getRegionIterArgs()[0]);
      scf::YieldOp::create(rw, loc, ValueRange{acc});
    }
    gpu::BarrierOp::create(rw, loc);
    scf::YieldOp::create(rw, loc, inner.getResults());
  }
  auto store = scf::IfOp::create(rw, loc, inC, false);
  {
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(&store.getThenRegion().front());
    memref::StoreOp::create(rw, loc, kLoop.getResult(0), c, indices(2, mDim, row, nDim, col));
  }
  gpu::TerminatorOp::create(rw, loc);
  return success();
}

} // namespace onnxc
