// The GEMM kernel of onnx-gpu-map-kernels: a static f32 contraction on buffers (matmul,
// batch matmul, the linalg.generic that MatMul/Gemm lower to, and convolutions as implicit
// GEMMs) becomes a launch of 16x16-thread blocks, each computing a 16x16 tile of the output.
//
// The loops of the op fall into four groups:
//   K: the reduction loops (a matmul's k; a convolution's c, kh, kw), linearized;
//   A-only: parallel loops only the first input reads (a matmul's m; a convolution's n, oh, ow);
//   B-only: parallel loops only the second input reads (a matmul's n; a convolution's f);
//   batch: parallel loops both inputs read (batch matmul's b; a grouped convolution's g): one
//          block per value, on the grid's z.
// Each group is linearized (its last loop fastest). The group that holds the output's
// innermost dim runs along the threads' x, so that neighbouring threads store neighbouring
// elements. Per step of K the block stages a 16x16 tile of each input in workgroup (shared)
// memory, one element per thread, between two barriers; every thread then reads 16 elements
// of each tile from shared memory instead of global memory. A convolution's input element at
// (n, c, oh * s + kh * d, ow * s + kw * d) is read through the op's own indexing map: no
// im2col buffer.
//
// When the output has too few tiles to fill the GPU (batch-1 convolutions deep in a
// network), the block splits K: S slices (2, 4 or 8) of 16 / S rows each take every S-th
// step of K, and the first slice adds their partial sums in slice order at the end.
//
// Exact fp32 (one fused multiply-add per product, as on CPU); the accumulation order is K
// ascending in its linearized order within a slice.
#include "passes/gpu/GpuPasses.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace onnxc {

static constexpr int64_t kTile = 16;
/// Fewer blocks than this leave SMs idle (an H100 has 132, an A100 108; two blocks each).
static constexpr int64_t kMinBlocks = 256;

/// The body is `out + in0 * in1` (in either operand order), or an fma of the two inputs
/// into the output.
static bool isMulAddBody(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() != 1 || body->getOperations().size() > 3)
    return false;
  Value in0 = body->getArgument(0), in1 = body->getArgument(1), out = body->getArgument(2);
  auto isProduct = [&](Value x, Value y) {
    return (x == in0 && y == in1) || (x == in1 && y == in0);
  };
  Operation *def = yield.getOperand(0).getDefiningOp();
  if (auto fma = dyn_cast_or_null<math::FmaOp>(def))
    return isProduct(fma.getA(), fma.getB()) && fma.getC() == out;
  auto add = dyn_cast_or_null<arith::AddFOp>(def);
  if (!add)
    return false;
  Value acc = add.getLhs(), prod = add.getRhs();
  if (prod == out)
    std::swap(acc, prod);
  auto mul = prod.getDefiningOp<arith::MulFOp>();
  return acc == out && mul && isProduct(mul.getLhs(), mul.getRhs());
}

LogicalResult buildTiledGemm(RewriterBase &rw, linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op->getNumRegions() != 1 || !isMulAddBody(op))
    return failure();
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1], c = op.getDpsInits()[0];
  for (Value v : {a, b, c})
    if (!isa<MemRefType>(v.getType()) || !getElementTypeOrSelf(v.getType()).isF32())
      return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic) || llvm::is_contained(ranges, 0))
    return failure();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap outMap = maps[2];
  if (!outMap.isProjectedPermutation() || maps[0].getNumSymbols() || maps[1].getNumSymbols())
    return failure();
  unsigned numLoops = op.getNumLoops();
  auto reads = [&](AffineMap map, unsigned d) {
    return llvm::any_of(map.getResults(),
                        [&](AffineExpr e) { return e.isFunctionOfDim(d); });
  };
  // The loop groups, each in loop order (the last loop fastest when linearized).
  SmallVector<unsigned> kDims, aDims, bDims, batchDims;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned d = 0; d < numLoops; ++d) {
    if (iters[d] == utils::IteratorType::reduction) {
      if (reads(outMap, d))
        return failure();
      kDims.push_back(d);
      continue;
    }
    if (!reads(outMap, d))
      return failure();
    bool inA = reads(maps[0], d), inB = reads(maps[1], d);
    if (inA && inB)
      batchDims.push_back(d);
    else if (inA)
      aDims.push_back(d);
    else if (inB)
      bDims.push_back(d);
    else if (ranges[d] != 1) // A broadcast over the output: not a contraction.
      return failure();
  }
  // A matrix-vector product or a depthwise convolution leaves a group empty: a 16x16 tile
  // would idle 15 of 16 threads. The one-thread-per-element path serves it better.
  if (kDims.empty() || aDims.empty() || bDims.empty())
    return failure();
  auto product = [&](ArrayRef<unsigned> dims) {
    int64_t p = 1;
    for (unsigned d : dims)
      p *= ranges[d];
    return p;
  };
  int64_t batch = product(batchDims), sizeA = product(aDims), sizeB = product(bDims),
          sizeK = product(kDims);
  if (batch > 65535)
    return failure();
  // The group holding the output's innermost dim runs along x (coalesced stores).
  unsigned innermost = outMap.getDimPosition(outMap.getNumResults() - 1);
  bool aOnX = llvm::is_contained(aDims, innermost);
  ArrayRef<unsigned> xDims = aOnX ? aDims : bDims, yDims = aOnX ? bDims : aDims;
  int64_t sizeX = aOnX ? sizeA : sizeB, sizeY = aOnX ? sizeB : sizeA;
  Value xOperand = aOnX ? a : b, yOperand = aOnX ? b : a;
  AffineMap xMap = aOnX ? maps[0] : maps[1], yMap = aOnX ? maps[1] : maps[0];

  // Split K inside the block when the output has too few tiles to fill the GPU (batch-1
  // convolutions deep in a network: 7x7 outputs, K in the thousands): S slices of the block
  // each take every S-th step of K over a tile of 16 / S rows, and their partial sums are
  // added in slice order at the end (deterministic; fp32 throughout, only the order of the
  // additions differs from S = 1).
  int64_t slices = 1;
  auto numBlocks = [&](int64_t s) {
    return ((sizeX + kTile - 1) / kTile) * ((sizeY + kTile / s - 1) / (kTile / s)) * batch;
  };
  while (slices < 8 && numBlocks(slices) < kMinBlocks && sizeK >= kTile * slices * 2 * 8)
    slices *= 2;
  int64_t rowsPerBlock = kTile / slices;

  Location loc = op.getLoc();
  auto idx = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(rw, loc, v); };
  MLIRContext *ctx = rw.getContext();
  auto shared = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto ysType = MemRefType::get({kTile, kTile}, rw.getF32Type(), MemRefLayoutAttrInterface{},
                                shared);
  auto xsType = MemRefType::get({kTile * slices, kTile}, rw.getF32Type(),
                                MemRefLayoutAttrInterface{}, shared);
  Value one = idx(1), tile = idx(kTile);
  auto launch = gpu::LaunchOp::create(
      rw, loc, idx((sizeX + kTile - 1) / kTile), idx((sizeY + rowsPerBlock - 1) / rowsPerBlock),
      idx(batch), tile, tile, one, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, ValueRange(), TypeRange{ysType, xsType});
  OpBuilder::InsertionGuard guard(rw);
  Block &body = launch.getBody().front();
  rw.setInsertionPointToStart(&body);
  // ys[ty][k]: the y operand's rows (slice-major: ty = slice * rowsPerBlock + row in the
  // block) at the slice's 16 values of k; xs[16 * slice + k][tx]: the x operand's tile of
  // each slice.
  Value ys = launch.getWorkgroupAttributions()[0], xs = launch.getWorkgroupAttributions()[1];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value cRows = idx(rowsPerBlock);
  Value slice = arith::DivUIOp::create(rw, loc, ty, cRows);
  Value rowInBlock = arith::RemUIOp::create(rw, loc, ty, cRows);
  Value row = arith::AddIOp::create(
      rw, loc, arith::MulIOp::create(rw, loc, launch.getBlockIds().y, cRows), rowInBlock);
  Value col = arith::AddIOp::create(
      rw, loc, arith::MulIOp::create(rw, loc, launch.getBlockIds().x, tile), tx);
  Value cX = idx(sizeX), cY = idx(sizeY), cK = idx(sizeK), zero = idx(0);
  Value fzero = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(0));
  auto lt = [&](Value x, Value y) {
    return arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::ult, x, y).getResult();
  };
  auto both = [&](Value x, Value y) { return arith::AndIOp::create(rw, loc, x, y).getResult(); };
  auto add = [&](Value x, Value y) { return arith::AddIOp::create(rw, loc, x, y).getResult(); };
  // Writes the loops of `dims` at linear position `v` (last dim fastest) into `ivs`. A
  // position past the end (a partial tile) gives some in-range loop values; its loads and
  // stores are guarded.
  auto delinearize = [&](ArrayRef<unsigned> dims, Value v, SmallVector<Value> &ivs) {
    for (int i = int(dims.size()) - 1; i >= 0; --i) {
      if (i == 0) {
        ivs[dims[i]] = v;
        break;
      }
      Value size = idx(ranges[dims[i]]);
      ivs[dims[i]] = arith::RemUIOp::create(rw, loc, v, size);
      v = arith::DivUIOp::create(rw, loc, v, size);
    }
  };
  SmallVector<Value> base(numLoops, zero);
  delinearize(batchDims, launch.getBlockIds().z, base);
  // The operand's indices at loop point (batch, group loops at `g`, K loops at `k`).
  auto indices = [&](AffineMap map, ArrayRef<unsigned> groupDims, Value g, Value k) {
    SmallVector<Value> ivs = base;
    delinearize(groupDims, g, ivs);
    delinearize(kDims, k, ivs);
    SmallVector<Value> v;
    for (AffineExpr e : map.getResults()) {
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        v.push_back(ivs[dim.getPosition()]);
      else
        v.push_back(affine::AffineApplyOp::create(
            rw, loc, AffineMap::get(numLoops, 0, e, ctx), ivs));
    }
    return v;
  };
  auto outIndices = [&](Value y, Value x) {
    SmallVector<Value> ivs = base;
    delinearize(yDims, y, ivs);
    delinearize(xDims, x, ivs);
    SmallVector<Value> v;
    for (unsigned r = 0; r < outMap.getNumResults(); ++r)
      v.push_back(ivs[outMap.getDimPosition(r)]);
    return v;
  };
  // Guarded load: 0 outside the operand's tile range.
  auto load = [&](Value mem, SmallVector<Value> at, Value inside) {
    auto ifOp = scf::IfOp::create(rw, loc, TypeRange{rw.getF32Type()}, inside, true);
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(rw, loc, ValueRange{memref::LoadOp::create(rw, loc, mem, at)});
    rw.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(rw, loc, ValueRange{fzero});
    return ifOp.getResult(0);
  };
  Value inC = both(lt(row, cY), lt(col, cX));
  Value firstSlice = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::eq, slice, zero);
  // linalg contractions accumulate into the output: the first slice starts from it.
  Value init = load(c, outIndices(row, col), both(inC, firstSlice));
  Value sliceK = arith::MulIOp::create(rw, loc, slice, tile);
  auto kLoop = scf::ForOp::create(rw, loc, zero, cK, idx(kTile * slices), ValueRange{init});
  {
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(kLoop.getBody());
    Value kt = kLoop.getInductionVar();
    // Each thread stages one element of the y operand's tile, (row, kt + 16 * slice + tx),
    // and one of each slice's x operand tile, (kt + 16 * s + ty, col).
    Value ky = add(add(kt, sliceK), tx);
    memref::StoreOp::create(
        rw, loc,
        load(yOperand, indices(yMap, yDims, row, ky), both(lt(row, cY), lt(ky, cK))), ys,
        ValueRange{ty, tx});
    for (int64_t s = 0; s < slices; ++s) {
      Value kx = add(add(kt, idx(kTile * s)), ty);
      memref::StoreOp::create(
          rw, loc,
          load(xOperand, indices(xMap, xDims, col, kx), both(lt(kx, cK), lt(col, cX))), xs,
          ValueRange{add(ty, idx(kTile * s)), tx});
    }
    gpu::BarrierOp::create(rw, loc);
    auto inner = scf::ForOp::create(rw, loc, zero, tile, one,
                                    ValueRange{kLoop.getRegionIterArgs()[0]});
    {
      OpBuilder::InsertionGuard g2(rw);
      rw.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      Value y = memref::LoadOp::create(rw, loc, ys, ValueRange{ty, kk});
      Value x = memref::LoadOp::create(rw, loc, xs, ValueRange{add(sliceK, kk), tx});
      // A * B in the op's operand order (the same product either way in IEEE arithmetic).
      Value acc = aOnX ? math::FmaOp::create(rw, loc, x, y, inner.getRegionIterArgs()[0])
                       : math::FmaOp::create(rw, loc, y, x, inner.getRegionIterArgs()[0]);
      scf::YieldOp::create(rw, loc, ValueRange{acc});
    }
    gpu::BarrierOp::create(rw, loc);
    scf::YieldOp::create(rw, loc, inner.getResults());
  }
  Value result = kLoop.getResult(0);
  if (slices > 1) {
    // The slices' partial sums meet in xs (free after the loop's last barrier); the first
    // slice adds them in slice order.
    memref::StoreOp::create(rw, loc, result, xs, ValueRange{ty, tx});
    gpu::BarrierOp::create(rw, loc);
    auto sum = scf::IfOp::create(rw, loc, TypeRange{rw.getF32Type()}, firstSlice, true);
    {
      OpBuilder::InsertionGuard g(rw);
      rw.setInsertionPointToStart(&sum.getThenRegion().front());
      Value total = result;
      for (int64_t s = 1; s < slices; ++s)
        total = arith::AddFOp::create(
            rw, loc, total,
            memref::LoadOp::create(rw, loc, xs,
                                   ValueRange{add(rowInBlock, idx(rowsPerBlock * s)), tx}));
      scf::YieldOp::create(rw, loc, ValueRange{total});
      rw.setInsertionPointToStart(&sum.getElseRegion().front());
      scf::YieldOp::create(rw, loc, ValueRange{result});
    }
    result = sum.getResult(0);
  }
  auto store = scf::IfOp::create(rw, loc, both(inC, firstSlice), false);
  {
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(&store.getThenRegion().front());
    memref::StoreOp::create(rw, loc, result, c, outIndices(row, col));
  }
  gpu::TerminatorOp::create(rw, loc);
  return success();
}

} // namespace onnxc
