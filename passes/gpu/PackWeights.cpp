// onnx-gpu-pack-weights: the constants main_graph reads move into one blob that the runtime
// uploads to the device once per context; main_graph reads them through views of a new
// `weights` argument. See GpuPasses.td.
#include "passes/gpu/GpuPasses.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringSet.h"

namespace onnxc {
#define GEN_PASS_DEF_GPUPACKWEIGHTS
#include "passes/gpu/GpuPasses.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// Offsets in the blob are multiples of this (cuMemAlloc gives 256-byte aligned memory):
/// enough for any element type and for vector loads.
constexpr int64_t kAlign = 64;

/// The dense bytes of a global's initial value as the kernels read them (i1: one byte per
/// element, as LLVM stores it). Empty optional if the value cannot be read.
std::optional<std::vector<char>> globalBytes(memref::GlobalOp g) {
  MemRefType type = g.getType();
  int64_t n = type.getNumElements();
  Type et = type.getElementType();
  if (!et.isIntOrFloat() && !et.isIndex())
    return std::nullopt;
  // index is 64-bit on both sides (the host is a 64-bit target, the kernels use nvptx64).
  int64_t eb = et.isIndex() ? 8 : et.isInteger(1) ? 1 : (et.getIntOrFloatBitWidth() + 7) / 8;
  std::vector<char> out;
  Attribute init = g.getInitialValue().value_or(Attribute());
  if (!init || isa<UnitAttr>(init)) { // Uninitialized: zeros, as a host global would be.
    out.assign(n * eb, 0);
    return out;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(init)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != size_t(n * eb))
      return std::nullopt;
    out.assign(blob->getData().begin(), blob->getData().end());
    return out;
  }
  auto dense = dyn_cast<DenseElementsAttr>(init);
  if (!dense)
    return std::nullopt;
  if (et.isInteger(1)) { // Bit-packed in the attribute.
    for (bool v : dense.getValues<bool>())
      out.push_back(v ? 1 : 0);
    return out;
  }
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    if (raw.size() != size_t(eb))
      return std::nullopt;
    out.reserve(n * eb);
    for (int64_t i = 0; i < n; ++i)
      out.insert(out.end(), raw.begin(), raw.end());
    return out;
  }
  if (raw.size() != size_t(n * eb))
    return std::nullopt;
  out.assign(raw.begin(), raw.end());
  return out;
}

struct GpuPackWeightsPass : onnxc::impl::GpuPackWeightsBase<GpuPackWeightsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto func = module.lookupSymbol<func::FuncOp>("main_graph");
    if (!func || func.isExternal()) {
      module.emitError("main_graph is missing");
      return signalPassFailure();
    }
    // Lay out every global main_graph reads.
    std::vector<char> blob;
    llvm::StringMap<int64_t> offsets;
    SmallVector<memref::GetGlobalOp> reads;
    WalkResult r = func.walk([&](memref::GetGlobalOp get) {
      reads.push_back(get);
      if (offsets.count(get.getName()))
        return WalkResult::advance();
      auto global = module.lookupSymbol<memref::GlobalOp>(get.getNameAttr());
      std::optional<std::vector<char>> bytes;
      if (global)
        bytes = globalBytes(global);
      if (!bytes || !get.getType().getLayout().isIdentity()) {
        get.emitError("the CUDA backend cannot place constant ") << get.getName()
                                                                 << " in device memory";
        return WalkResult::interrupt();
      }
      blob.resize((blob.size() + kAlign - 1) / kAlign * kAlign);
      offsets[get.getName()] = blob.size();
      blob.insert(blob.end(), bytes->begin(), bytes->end());
      return WalkResult::advance();
    });
    if (r.wasInterrupted())
      return signalPassFailure();
    // At least one aligned chunk: the runtime never uploads or allocates zero bytes.
    blob.resize(std::max<size_t>(kAlign, (blob.size() + kAlign - 1) / kAlign * kAlign));
    int64_t size = blob.size();

    auto blobType = MemRefType::get({size}, IntegerType::get(ctx, 8));
    OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
    auto tensorType = RankedTensorType::get({size}, IntegerType::get(ctx, 8));
    auto data = DenseResourceElementsAttr::get(
        tensorType, "onnxc_cuda_weights",
        HeapAsmResourceBlob::allocateAndCopyWithAlign(blob, alignof(uint64_t)));
    auto weightsGlobal = memref::GlobalOp::create(
        mb, module.getLoc(), "onnxc__cuda_weights", mb.getStringAttr("public"), blobType, data,
        /*constant=*/true, mb.getI64IntegerAttr(256));
    (void)weightsGlobal;
    module->setAttr("onnxc.cuda.weights_size", mb.getI64IntegerAttr(size));

    // main_graph(inputs..., outputs..., workspace, weights, rt).
    Block &entry = func.getBody().front();
    BlockArgument weights = entry.addArgument(blobType, func.getLoc());
    entry.addArgument(LLVM::LLVMPointerType::get(ctx), func.getLoc());
    func.setType(FunctionType::get(ctx, entry.getArgumentTypes(), func.getResultTypes()));
    llvm::StringSet<> used;
    for (memref::GetGlobalOp get : reads) {
      OpBuilder b(get);
      used.insert(get.getName());
      Value offset = arith::ConstantIndexOp::create(b, get.getLoc(), offsets[get.getName()]);
      Value view = memref::ViewOp::create(b, get.getLoc(), get.getType(), weights, offset,
                                          ValueRange());
      get.replaceAllUsesWith(view);
      get.erase();
    }
    // The host library keeps no copy of what moved to the blob.
    for (auto global : llvm::make_early_inc_range(module.getOps<memref::GlobalOp>())) {
      if (!used.contains(global.getSymName()))
        continue;
      if (SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
    }
  }
};

} // namespace
