// onnx-gpu-launch-to-runtime: gpu.launch_func -> onnxc_cuda_launch(...) calls into the
// runtime stub (runtime-stub/cuda.c), instead of upstream's mgpu* wrappers, which load the
// module at every launch and need a C++ library linked against libcuda. See GpuPasses.td.
#include "passes/gpu/GpuPasses.h"

#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Transforms/DialectConversion.h"

namespace onnxc {
#define GEN_PASS_DEF_GPULAUNCHTORUNTIME
#include "passes/gpu/GpuPasses.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

constexpr const char *kLaunch = "onnxc_cuda_launch";

struct LaunchLowering : ConvertOpToLLVMPattern<gpu::LaunchFuncOp> {
  LaunchLowering(const LLVMTypeConverter &converter, const llvm::StringMap<int> &indices)
      : ConvertOpToLLVMPattern(converter), indices(indices) {}

  LogicalResult matchAndRewrite(gpu::LaunchFuncOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto func = op->getParentOfType<LLVM::LLVMFuncOp>();
    if (!func || func.isExternal())
      return rw.notifyMatchFailure(op, "not in a lowered host function");
    auto it = indices.find(op.getKernelName().getValue());
    if (it == indices.end())
      return rw.notifyMatchFailure(op, "unknown kernel");
    MLIRContext *ctx = rw.getContext();
    Type ptr = LLVM::LLVMPointerType::get(ctx), i32 = rw.getI32Type(), i64 = rw.getI64Type();
    // main_graph's last argument (onnx-gpu-pack-weights).
    Value rt = func.getArgument(func.getNumArguments() - 1);
    SmallVector<Value, 4> args = getTypeConverter()->promoteOperands(
        loc, op.getKernelOperands(), adaptor.getKernelOperands(), rw,
        /*useBarePtrCallConv=*/false);
    // Argument slots live in the entry block: stack usage does not grow per launch.
    Value params;
    SmallVector<Value> slots;
    {
      OpBuilder::InsertionGuard guard(rw);
      rw.setInsertionPointToStart(&func.getBody().front());
      Value one = LLVM::ConstantOp::create(rw, loc, i64, rw.getI64IntegerAttr(1));
      auto arrayType = LLVM::LLVMArrayType::get(ptr, std::max<size_t>(args.size(), 1));
      params = LLVM::AllocaOp::create(rw, loc, ptr, arrayType, one, 8);
      for (Value a : args)
        slots.push_back(LLVM::AllocaOp::create(rw, loc, ptr, a.getType(), one, 8));
    }
    auto arrayType = LLVM::LLVMArrayType::get(ptr, std::max<size_t>(args.size(), 1));
    for (auto [i, a] : llvm::enumerate(args)) {
      LLVM::StoreOp::create(rw, loc, a, slots[i]);
      Value at = LLVM::GEPOp::create(rw, loc, ptr, arrayType, params,
                                     ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
      LLVM::StoreOp::create(rw, loc, slots[i], at);
    }
    auto toI64 = [&](Value v) -> Value {
      unsigned w = cast<IntegerType>(v.getType()).getWidth();
      return w == 64 ? v : w < 64 ? LLVM::ZExtOp::create(rw, loc, i64, v).getResult()
                                  : LLVM::TruncOp::create(rw, loc, i64, v).getResult();
    };
    Value shmem = adaptor.getDynamicSharedMemorySize()
                      ? adaptor.getDynamicSharedMemorySize()
                      : LLVM::ConstantOp::create(rw, loc, i32, rw.getI32IntegerAttr(0)).getResult();
    SmallVector<Value> callArgs = {
        rt,
        LLVM::ConstantOp::create(rw, loc, i32, rw.getI32IntegerAttr(it->second)),
        toI64(adaptor.getGridSizeX()),
        toI64(adaptor.getGridSizeY()),
        toI64(adaptor.getGridSizeZ()),
        toI64(adaptor.getBlockSizeX()),
        toI64(adaptor.getBlockSizeY()),
        toI64(adaptor.getBlockSizeZ()),
        shmem,
        params};
    // The status is sticky in the runtime context; the stub checks it after the graph.
    LLVM::CallOp::create(rw, loc, TypeRange{i32}, kLaunch, callArgs);
    rw.eraseOp(op);
    return success();
  }

  const llvm::StringMap<int> &indices;
};

struct GpuLaunchToRuntimePass : onnxc::impl::GpuLaunchToRuntimeBase<GpuLaunchToRuntimePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    llvm::StringMap<int> indices;
    SmallVector<gpu::GPUModuleOp> gpuModules(module.getOps<gpu::GPUModuleOp>());
    if (gpuModules.size() > 1) {
      module.emitError("the CUDA backend expects one gpu.module");
      return signalPassFailure();
    }
    if (!gpuModules.empty())
      for (auto [i, name] : llvm::enumerate(onnxc::kernelNames(gpuModules[0])))
        indices[name] = i;

    if (!module.lookupSymbol(kLaunch)) {
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      Type ptr = LLVM::LLVMPointerType::get(ctx), i32 = b.getI32Type(), i64 = b.getI64Type();
      auto type = LLVM::LLVMFunctionType::get(i32, {ptr, i32, i64, i64, i64, i64, i64, i64, i32, ptr});
      LLVM::LLVMFuncOp::create(b, module.getLoc(), kLaunch, type);
    }
    LowerToLLVMOptions options(ctx);
    LLVMTypeConverter converter(ctx, options);
    RewritePatternSet patterns(ctx);
    patterns.add<LaunchLowering>(converter, indices);
    ConversionTarget target(*ctx);
    target.addIllegalOp<gpu::LaunchFuncOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();
    for (auto m : gpuModules)
      m.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }
};

} // namespace
