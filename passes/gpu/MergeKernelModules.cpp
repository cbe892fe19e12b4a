// onnx-gpu-merge-kernel-modules: one gpu.module for every kernel. See GpuPasses.td.
#include "passes/gpu/GpuPasses.h"

namespace onnxc {
#define GEN_PASS_DEF_GPUMERGEKERNELMODULES
#include "passes/gpu/GpuPasses.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

struct GpuMergeKernelModulesPass
    : onnxc::impl::GpuMergeKernelModulesBase<GpuMergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.empty())
      return;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto merged = gpu::GPUModuleOp::create(b, module.getLoc(), "onnxc_kernels");
    OpBuilder mb = OpBuilder::atBlockBegin(merged.getBody());
    // Old @module::@kernel -> new @onnxc_kernels::@kN.
    DenseMap<Attribute, SymbolRefAttr> renamed;
    int next = 0;
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr old = launch.getKernel();
      auto it = renamed.find(old);
      if (it == renamed.end()) {
        auto src = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(launch, old);
        if (!src) {
          launch.emitError("kernel not found: ") << old;
          return signalPassFailure();
        }
        std::string name = "k" + std::to_string(next++);
        auto copy = cast<gpu::GPUFuncOp>(mb.clone(*src));
        copy.setName(name);
        it = renamed
                 .try_emplace(old, SymbolRefAttr::get(merged.getNameAttr(),
                                                      {FlatSymbolRefAttr::get(ctx, name)}))
                 .first;
      }
      launch.setKernelAttr(it->second);
    });
    for (gpu::GPUModuleOp m : modules) {
      for (Operation &op : m.getBody()->getOperations())
        if (!isa<gpu::GPUFuncOp>(op) && !op.hasTrait<OpTrait::IsTerminator>()) {
          op.emitError("unexpected op in an outlined kernel module");
          return signalPassFailure();
        }
      m.erase();
    }
  }
};

} // namespace
