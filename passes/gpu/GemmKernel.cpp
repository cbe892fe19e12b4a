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
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
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

namespace {

/// A contraction's operands and loops in the groups the kernels tile. The x operand's own
/// group runs along the threads' x (it holds the output's innermost dim), the y operand's
/// along y.
struct Contraction {
  Value x, y, c;
  AffineMap xMap, yMap, outMap;
  SmallVector<unsigned> kDims, xDims, yDims, batchDims;
  SmallVector<int64_t> ranges;
  int64_t sizeX = 0, sizeY = 0, sizeK = 0, batch = 0;
  bool aOnX = false; // The op's first input is the x operand (products keep the op's order).
  unsigned numLoops = 0;
};

FailureOr<Contraction> analyze(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op->getNumRegions() != 1 || !isMulAddBody(op))
    return failure();
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1];
  Contraction k;
  k.c = op.getDpsInits()[0];
  for (Value v : {a, b, k.c})
    if (!isa<MemRefType>(v.getType()) || !getElementTypeOrSelf(v.getType()).isF32())
      return failure();
  k.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(k.ranges, ShapedType::isDynamic) || llvm::is_contained(k.ranges, 0))
    return failure();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  k.outMap = maps[2];
  if (!k.outMap.isProjectedPermutation() || maps[0].getNumSymbols() || maps[1].getNumSymbols())
    return failure();
  k.numLoops = op.getNumLoops();
  auto reads = [&](AffineMap map, unsigned d) {
    return llvm::any_of(map.getResults(),
                        [&](AffineExpr e) { return e.isFunctionOfDim(d); });
  };
  // The loop groups, each in loop order (the last loop fastest when linearized).
  SmallVector<unsigned> aDims, bDims;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned d = 0; d < k.numLoops; ++d) {
    if (iters[d] == utils::IteratorType::reduction) {
      if (reads(k.outMap, d))
        return failure();
      k.kDims.push_back(d);
      continue;
    }
    if (!reads(k.outMap, d))
      return failure();
    bool inA = reads(maps[0], d), inB = reads(maps[1], d);
    if (inA && inB)
      k.batchDims.push_back(d);
    else if (inA)
      aDims.push_back(d);
    else if (inB)
      bDims.push_back(d);
    else if (k.ranges[d] != 1) // A broadcast over the output: not a contraction.
      return failure();
  }
  // A matrix-vector product or a depthwise convolution leaves a group empty: a 16x16 tile
  // would idle 15 of 16 threads. The one-thread-per-element path serves it better.
  if (k.kDims.empty() || aDims.empty() || bDims.empty())
    return failure();
  auto product = [&](ArrayRef<unsigned> dims) {
    int64_t p = 1;
    for (unsigned d : dims)
      p *= k.ranges[d];
    return p;
  };
  k.batch = product(k.batchDims);
  k.sizeK = product(k.kDims);
  if (k.batch > 65535)
    return failure();
  // The group holding the output's innermost dim runs along x (coalesced stores).
  unsigned innermost = k.outMap.getDimPosition(k.outMap.getNumResults() - 1);
  k.aOnX = llvm::is_contained(aDims, innermost);
  k.xDims = k.aOnX ? aDims : bDims;
  k.yDims = k.aOnX ? bDims : aDims;
  k.sizeX = product(k.xDims);
  k.sizeY = product(k.yDims);
  k.x = k.aOnX ? a : b;
  k.y = k.aOnX ? b : a;
  k.xMap = k.aOnX ? maps[0] : maps[1];
  k.yMap = k.aOnX ? maps[1] : maps[0];
  return k;
}

/// The index arithmetic both kernels use inside their launch body.
class TileIndexing {
public:
  TileIndexing(RewriterBase &rw, Location loc, const Contraction &k, Value batchId)
      : rw(rw), loc(loc), k(k), base(k.numLoops) {
    Value zero = idx(0);
    for (Value &v : base)
      v = zero;
    delinearize(k.batchDims, batchId, base);
    fzero = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(0));
  }

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(rw, loc, v); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(rw, loc, x, y); }
  Value add(Value x, Value y) { return arith::AddIOp::create(rw, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(rw, loc, x, y); }

  /// Writes the loops of `dims` at linear position `v` (last dim fastest) into `ivs`. A
  /// position past the end (a partial tile) gives some in-range loop values; its loads and
  /// stores are guarded.
  void delinearize(ArrayRef<unsigned> dims, Value v, SmallVector<Value> &ivs) {
    for (int i = int(dims.size()) - 1; i >= 0; --i) {
      if (i == 0) {
        ivs[dims[i]] = v;
        break;
      }
      Value size = idx(k.ranges[dims[i]]);
      ivs[dims[i]] = arith::RemUIOp::create(rw, loc, v, size);
      v = arith::DivUIOp::create(rw, loc, v, size);
    }
  }

  /// An operand's indices at loop point (batch, its group's loops at `g`, K loops at `kk`).
  SmallVector<Value> operandIndices(AffineMap map, ArrayRef<unsigned> groupDims, Value g,
                                    Value kk) {
    SmallVector<Value> ivs = base;
    delinearize(groupDims, g, ivs);
    delinearize(k.kDims, kk, ivs);
    return indicesAt(rw, loc, map, ivs);
  }
  /// The y operand's element (row, kk) and the x operand's (kk, col), 0 outside.
  Value loadY(Value row, Value kk) {
    return load(k.y, operandIndices(k.yMap, k.yDims, row, kk),
                both(lt(row, idx(k.sizeY)), lt(kk, idx(k.sizeK))));
  }
  Value loadX(Value kk, Value col) {
    return load(k.x, operandIndices(k.xMap, k.xDims, col, kk),
                both(lt(kk, idx(k.sizeK)), lt(col, idx(k.sizeX))));
  }

  SmallVector<Value> outIndices(Value y, Value x) {
    SmallVector<Value> ivs = base;
    delinearize(k.yDims, y, ivs);
    delinearize(k.xDims, x, ivs);
    SmallVector<Value> v;
    for (unsigned r = 0; r < k.outMap.getNumResults(); ++r)
      v.push_back(ivs[k.outMap.getDimPosition(r)]);
    return v;
  }
  Value inOutput(Value row, Value col) {
    return both(lt(row, idx(k.sizeY)), lt(col, idx(k.sizeX)));
  }

  /// Guarded load: 0 where `inside` is false.
  Value load(Value mem, SmallVector<Value> at, Value inside) {
    auto ifOp = scf::IfOp::create(rw, loc, TypeRange{rw.getF32Type()}, inside, true);
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(rw, loc, ValueRange{memref::LoadOp::create(rw, loc, mem, at)});
    rw.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(rw, loc, ValueRange{fzero});
    return ifOp.getResult(0);
  }
  /// Guarded store of the output element (row, col).
  void store(Value v, Value row, Value col, Value extraCondition = nullptr) {
    Value cond = inOutput(row, col);
    if (extraCondition)
      cond = both(cond, extraCondition);
    auto ifOp = scf::IfOp::create(rw, loc, cond, false);
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    memref::StoreOp::create(rw, loc, v, k.c, outIndices(row, col));
  }

private:
  RewriterBase &rw;
  Location loc;
  const Contraction &k;
  SmallVector<Value> base;
  Value fzero;
};

} // namespace

/// The exact fp32 kernel: 16x16 threads, one output element each.
static void buildFp32Kernel(RewriterBase &rw, linalg::LinalgOp op, const Contraction &k) {
  int64_t sizeX = k.sizeX, sizeY = k.sizeY, sizeK = k.sizeK, batch = k.batch;
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
  MLIRContext *ctx = rw.getContext();
  auto idx = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(rw, loc, v); };
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
  TileIndexing ix(rw, loc, k, launch.getBlockIds().z);
  // ys[ty][k]: the y operand's rows (slice-major: ty = slice * rowsPerBlock + row in the
  // block) at the slice's 16 values of k; xs[16 * slice + k][tx]: the x operand's tile of
  // each slice.
  Value ys = launch.getWorkgroupAttributions()[0], xs = launch.getWorkgroupAttributions()[1];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value cRows = idx(rowsPerBlock);
  Value slice = arith::DivUIOp::create(rw, loc, ty, cRows);
  Value rowInBlock = arith::RemUIOp::create(rw, loc, ty, cRows);
  Value row = ix.add(ix.mul(launch.getBlockIds().y, cRows), rowInBlock);
  Value col = ix.add(ix.mul(launch.getBlockIds().x, tile), tx);
  Value zero = idx(0);
  Value firstSlice = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::eq, slice, zero);
  // linalg contractions accumulate into the output: the first slice starts from it.
  Value init = ix.load(k.c, ix.outIndices(row, col), ix.both(ix.inOutput(row, col), firstSlice));
  Value sliceK = ix.mul(slice, tile);
  auto kLoop = scf::ForOp::create(rw, loc, zero, idx(sizeK), idx(kTile * slices),
                                  ValueRange{init});
  {
    OpBuilder::InsertionGuard g(rw);
    rw.setInsertionPointToStart(kLoop.getBody());
    Value kt = kLoop.getInductionVar();
    // Each thread stages one element of the y operand's tile, (row, kt + 16 * slice + tx),
    // and one of each slice's x operand tile, (kt + 16 * s + ty, col).
    memref::StoreOp::create(rw, loc, ix.loadY(row, ix.add(ix.add(kt, sliceK), tx)), ys,
                            ValueRange{ty, tx});
    for (int64_t s = 0; s < slices; ++s)
      memref::StoreOp::create(rw, loc, ix.loadX(ix.add(ix.add(kt, idx(kTile * s)), ty), col),
                              xs, ValueRange{ix.add(ty, idx(kTile * s)), tx});
    gpu::BarrierOp::create(rw, loc);
    auto inner = scf::ForOp::create(rw, loc, zero, tile, one,
                                    ValueRange{kLoop.getRegionIterArgs()[0]});
    {
      OpBuilder::InsertionGuard g2(rw);
      rw.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      Value y = memref::LoadOp::create(rw, loc, ys, ValueRange{ty, kk});
      Value x = memref::LoadOp::create(rw, loc, xs, ValueRange{ix.add(sliceK, kk), tx});
      // A * B in the op's operand order (the same product either way in IEEE arithmetic).
      Value acc = k.aOnX ? math::FmaOp::create(rw, loc, x, y, inner.getRegionIterArgs()[0])
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
                                   ValueRange{ix.add(rowInBlock, idx(rowsPerBlock * s)), tx}));
      scf::YieldOp::create(rw, loc, ValueRange{total});
      rw.setInsertionPointToStart(&sum.getElseRegion().front());
      scf::YieldOp::create(rw, loc, ValueRange{result});
    }
    result = sum.getResult(0);
  }
  ix.store(result, row, col, firstSlice);
  gpu::TerminatorOp::create(rw, loc);
}

/// The TF32 tensor-core kernel (opt-in, --gpu-tf32): blocks of 4 warps computing a 32x32
/// output tile, each warp 16x16 with two mma.sync.m16n8k8 TF32 per 8 values of K (inputs
/// rounded to TF32, 10-bit mantissas, products accumulated in fp32). Per step of 32 values
/// of K the block stages a 32x32 tile of each operand in shared memory (8 elements per
/// thread, consecutive threads on consecutive elements), then each warp reads its fragments
/// in the layout PTX gives for m16n8k8: for lane l, g = l / 4 and q = l % 4,
///   A (16x8, row-major): (g, q), (g + 8, q), (g, q + 4), (g + 8, q + 4)
///   B (8x8, column-major): (q, g), (q + 4, g)
///   C/D (16x8): (g, 2q), (g, 2q + 1), (g + 8, 2q), (g + 8, 2q + 1).
static void buildTf32Kernel(RewriterBase &rw, linalg::LinalgOp op, const Contraction &k) {
  constexpr int64_t kBlockTile = 32, kThreads = 128;
  Location loc = op.getLoc();
  MLIRContext *ctx = rw.getContext();
  auto idx = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(rw, loc, v); };
  auto shared = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  // Rows padded so that a warp's fragment reads hit 32 different banks: the A reads touch
  // rows g (8 of them) at columns q (4): with rows of 36 words, 4g + q is distinct; the B
  // reads touch rows q at columns g: with rows of 40 words, 8q + g is.
  auto ysType = MemRefType::get({kBlockTile, kBlockTile + 4}, rw.getF32Type(),
                                MemRefLayoutAttrInterface{}, shared);
  auto xsType = MemRefType::get({kBlockTile, kBlockTile + 8}, rw.getF32Type(),
                                MemRefLayoutAttrInterface{}, shared);
  Value one = idx(1);
  auto launch = gpu::LaunchOp::create(
      rw, loc, idx((k.sizeX + kBlockTile - 1) / kBlockTile),
      idx((k.sizeY + kBlockTile - 1) / kBlockTile), idx(k.batch), idx(kThreads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr, ValueRange(),
      TypeRange{ysType, xsType});
  OpBuilder::InsertionGuard guard(rw);
  Block &body = launch.getBody().front();
  rw.setInsertionPointToStart(&body);
  TileIndexing ix(rw, loc, k, launch.getBlockIds().z);
  // ys[r][kk]: the y operand's 32 rows x 32 values of K; xs[kk][c]: the x operand's.
  Value ys = launch.getWorkgroupAttributions()[0], xs = launch.getWorkgroupAttributions()[1];
  Value t = launch.getThreadIds().x;
  Value c32 = idx(32), c4 = idx(4), c8 = idx(8), zero = idx(0);
  Value warp = arith::DivUIOp::create(rw, loc, t, c32);
  Value lane = arith::RemUIOp::create(rw, loc, t, c32);
  Value g = arith::DivUIOp::create(rw, loc, lane, c4);
  Value q = arith::RemUIOp::create(rw, loc, lane, c4);
  // The warp's 16x16 sub-tile of the block's 32x32.
  Value warpRow = ix.mul(arith::DivUIOp::create(rw, loc, warp, idx(2)), idx(16));
  Value warpCol = ix.mul(arith::RemUIOp::create(rw, loc, warp, idx(2)), idx(16));
  Value blockRow = ix.mul(launch.getBlockIds().y, idx(kBlockTile));
  Value blockCol = ix.mul(launch.getBlockIds().x, idx(kBlockTile));
  // The four accumulators of each 16x8 half: output rows and columns.
  SmallVector<std::pair<Value, Value>> accAt;
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t e = 0; e < 2; ++e)
        accAt.push_back({ix.add(ix.add(blockRow, warpRow), ix.add(g, idx(8 * r))),
                         ix.add(ix.add(blockCol, warpCol),
                                ix.add(ix.mul(q, idx(2)), idx(8 * h + e)))});
  // linalg contractions accumulate into the output.
  SmallVector<Value> init;
  for (auto [row, col] : accAt)
    init.push_back(ix.load(k.c, ix.outIndices(row, col), ix.inOutput(row, col)));
  auto kLoop = scf::ForOp::create(rw, loc, zero, idx(k.sizeK), idx(kBlockTile), init);
  {
    OpBuilder::InsertionGuard gk(rw);
    rw.setInsertionPointToStart(kLoop.getBody());
    Value kt = kLoop.getInductionVar();
    for (int64_t e = 0; e < kBlockTile * kBlockTile / kThreads; ++e) {
      Value linear = ix.add(t, idx(kThreads * e));
      Value r = arith::DivUIOp::create(rw, loc, linear, c32);
      Value cc = arith::RemUIOp::create(rw, loc, linear, c32);
      memref::StoreOp::create(rw, loc, ix.loadY(ix.add(blockRow, r), ix.add(kt, cc)), ys,
                              ValueRange{r, cc});
      memref::StoreOp::create(rw, loc, ix.loadX(ix.add(kt, r), ix.add(blockCol, cc)), xs,
                              ValueRange{r, cc});
    }
    gpu::BarrierOp::create(rw, loc);
    auto tf32 = [&](Value mem, Value i, Value j) -> Value {
      Value v = memref::LoadOp::create(rw, loc, mem, ValueRange{i, j});
      return NVVM::ConvertFloatToTF32Op::create(rw, loc, rw.getI32Type(), v,
                                                NVVM::FPRoundingMode::RNA,
                                                NVVM::SaturationMode::NONE, false);
    };
    auto resultType = LLVM::LLVMStructType::getLiteral(
        ctx, SmallVector<Type>(4, rw.getF32Type()));
    SmallVector<Value> acc(kLoop.getRegionIterArgs().begin(), kLoop.getRegionIterArgs().end());
    for (int64_t ks = 0; ks < kBlockTile; ks += 8) {
      Value k0 = ix.add(idx(ks), q), k4 = ix.add(idx(ks + 4), q);
      Value r0 = ix.add(warpRow, g), r8 = ix.add(r0, c8);
      // The y operand is the mma's A whichever input of the op it is (products commute).
      SmallVector<Value> a{tf32(ys, r0, k0), tf32(ys, r8, k0), tf32(ys, r0, k4),
                           tf32(ys, r8, k4)};
      for (int64_t h = 0; h < 2; ++h) {
        Value colB = ix.add(warpCol, ix.add(g, idx(8 * h)));
        SmallVector<Value> b{tf32(xs, k0, colB), tf32(xs, k4, colB)};
        ArrayRef<Value> c(acc.data() + 4 * h, 4);
        auto mma = NVVM::MmaOp::create(
            rw, loc, resultType, a, b, c, ArrayRef<int64_t>{16, 8, 8}, std::nullopt,
            std::nullopt,
            std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::tf32, NVVM::MMATypes::tf32},
            std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row, NVVM::MMALayout::col});
        for (int64_t i = 0; i < 4; ++i)
          acc[4 * h + i] = LLVM::ExtractValueOp::create(rw, loc, mma, i);
      }
    }
    gpu::BarrierOp::create(rw, loc);
    scf::YieldOp::create(rw, loc, acc);
  }
  for (auto [i, at] : llvm::enumerate(accAt))
    ix.store(kLoop.getResult(i), at.first, at.second);
  gpu::TerminatorOp::create(rw, loc);
}

LogicalResult buildTiledGemm(RewriterBase &rw, linalg::LinalgOp op, bool tf32) {
  FailureOr<Contraction> k = analyze(op);
  if (failed(k))
    return failure();
  if (tf32)
    buildTf32Kernel(rw, op, *k);
  else
    buildFp32Kernel(rw, op, *k);
  return success();
}

} // namespace onnxc
