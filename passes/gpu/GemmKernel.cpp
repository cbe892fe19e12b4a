// The GEMM kernel of onnx-gpu-map-kernels: a static f32 matmul or batch_matmul on buffers
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
  bool batched = isa<linalg::BatchMatmulOp>(op);
  if (!isa<linalg::MatmulOp>(op) && !batched)
    return failure();
  if (auto mm = dyn_cast<linalg::MatmulOp>(op.getOperation()); mm && mm.hasUserDefinedMaps())
    return failure();
  if (auto bm = dyn_cast<linalg::BatchMatmulOp>(op.getOperation()); bm && bm.hasUserDefinedMaps())
    return failure();
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2)
    return failure();
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1], c = op.getDpsInits()[0];
  auto at = dyn_cast<MemRefType>(a.getType()), bt = dyn_cast<MemRefType>(b.getType()),
       ct = dyn_cast<MemRefType>(c.getType());
  if (!at || !bt || !ct || !at.hasStaticShape() || !bt.hasStaticShape() || !ct.hasStaticShape())
    return failure();
  for (MemRefType t : {at, bt, ct})
    if (!t.getElementType().isF32())
      return failure();
  int r = batched ? 1 : 0;
  int64_t batch = batched ? ct.getDimSize(0) : 1;
  int64_t m = ct.getDimSize(r), n = ct.getDimSize(r + 1), k = at.getDimSize(r + 1);
  if (m == 0 || n == 0 || batch == 0 || batch > 65535)
    return failure();

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
  auto at3 = [&](Value i, Value j) {
    SmallVector<Value> v;
    if (batched)
      v.push_back(bz);
    v.push_back(i);
    v.push_back(j);
    return v;
  };
  // Guarded load: 0 outside the matrix.
  auto load = [&](Value mem, Value i, Value j, Value inside) {
    auto ifOp = scf::IfOp::create(rw, loc, TypeRange{rw.getF32Type()}, inside, true);
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(rw, loc, ValueRange{memref::LoadOp::create(rw, loc, mem, at3(i, j))});
    rw.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(rw, loc, ValueRange{fzero});
    return ifOp.getResult(0);
  };
  Value inC = both(lt(row, cM), lt(col, cN));
  // linalg.matmul accumulates into C.
  Value init = load(c, row, col, inC);
  auto kLoop = scf::ForOp::create(rw, loc, zero, cK, tile, ValueRange{init});
  {
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(kLoop.getBody());
    Value kt = kLoop.getInductionVar();
    Value ka = arith::AddIOp::create(rw, loc, kt, tx), kb = arith::AddIOp::create(rw, loc, kt, ty);
    memref::StoreOp::create(rw, loc, load(a, row, ka, both(lt(row, cM), lt(ka, cK))), as,
                            ValueRange{ty, tx});
    memref::StoreOp::create(rw, loc, load(b, kb, col, both(lt(kb, cK), lt(col, cN))), bs,
                            ValueRange{ty, tx});
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
    memref::StoreOp::create(rw, loc, kLoop.getResult(0), c, at3(row, col));
  }
  gpu::TerminatorOp::create(rw, loc);
  return success();
}

} // namespace onnxc
