// The CUDA backend's driver (onnx-compile --target cuda --gpu sm_XX): the same import and
// lowering to linalg as on CPU, then bufferization and the memory plan, then
//   onnx-gpu-pack-weights     constants -> one device blob read through a `weights` argument
//   onnx-gpu-map-kernels      every computation -> gpu.launch (tiled GEMM, one thread per
//                             element, or one thread for sequential code)
//   gpu-kernel-outlining      launches -> gpu.func kernels in a gpu.module + gpu.launch_func
//   gpu.module(... convert-gpu-to-nvvm)   kernels -> NVVM/LLVM dialect
// the kernels to PTX (LLVM's NVPTX backend) and cubin (ptxas), and the host to the LLVM dialect
// with onnx-gpu-launch-to-runtime turning launches into calls of runtime-stub/cuda.c. The
// library embeds cubin and PTX in .rodata and loads libcuda.so.1 only at run time.
#include "codegen/Codegen.h"
#include "codegen/cuda/CudaCodegen.h"
#include "compiler/Pipeline.h"
#include "passes/gpu/GpuPasses.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

namespace onnxc {

static void addPipeline(OpPassManager &pm, StringRef text) {
  std::string err;
  llvm::raw_string_ostream os(err);
  if (failed(parsePassPipeline(text, pm, os)))
    llvm::report_fatal_error(llvm::Twine("bad built-in pass pipeline: ") + err);
}

/// main_graph on buffers -> outlined kernels lowered to NVVM, host still on memrefs.
static void buildGpuKernelPipeline(OpPassManager &pm, bool tf32) {
  addPipeline(pm, std::string("func.func(onnx-empty-buffer-args),onnx-gpu-pack-weights,"
                              "func.func(onnx-gpu-map-kernels{tf32=") +
                      (tf32 ? "true" : "false") +
                      "}),gpu-kernel-outlining,onnx-gpu-merge-kernel-modules,"
                  "gpu.module(expand-strided-metadata,lower-affine,convert-scf-to-cf,"
                  "convert-gpu-to-nvvm,canonicalize,cse,reconcile-unrealized-casts)");
}

/// The host: the CPU pipeline's LLVM lowering, then the launches.
static void buildGpuHostPipeline(OpPassManager &pm) {
  addPipeline(pm, "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
                  "convert-math-to-llvm,finalize-memref-to-llvm,convert-arith-to-llvm,"
                  "convert-index-to-llvm,convert-cf-to-llvm,"
                  "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
                  "convert-ub-to-llvm,onnx-gpu-launch-to-runtime,reconcile-unrealized-casts");
}

int compileCuda(const CompileOptions &o, const char *argv0, ModuleOp module,
                PassRunner runPasses) {
  MLIRContext &ctx = *module.getContext();
  std::string output = o.output;
  if (output.empty()) {
    llvm::SmallString<256> out(llvm::sys::path::filename(o.input));
    if (o.emit == EmitKind::Ptx)
      llvm::sys::path::replace_extension(out, ".ptx");
    output = o.emit == EmitKind::Ptx ? std::string(out) : defaultOutput(o);
  }
  // --gpu sm_80,sm_90: one cubin per GPU; the PTX is the oldest GPU's (it runs on newer ones).
  llvm::SmallVector<llvm::StringRef> gpuList;
  llvm::StringRef(o.gpu).split(gpuList, ',');
  std::vector<std::string> gpus;
  for (llvm::StringRef g : gpuList) {
    if (!isSupportedGpu(g.trim().str())) {
      llvm::errs() << "onnx-compile: error: --gpu takes sm_80, sm_86, sm_89 or sm_90 (or a "
                      "comma-separated list), got '"
                   << g << "'\n";
      return kExitUsage;
    }
    if (!llvm::is_contained(gpus, g.trim().str()))
      gpus.push_back(g.trim().str());
  }
  llvm::sort(gpus);
  if (o.emit == EmitKind::Ptx && gpus.size() > 1) {
    llvm::errs() << "onnx-compile: error: --emit=ptx takes one --gpu\n";
    return kExitUsage;
  }
  if (!o.sanitize.empty()) {
    llvm::errs() << "onnx-compile: error: --sanitize is not supported with --target cuda\n";
    return kExitUsage;
  }
  auto verbose = [&](const char *stage) {
    if (o.verbose)
      llvm::errs() << "onnx-compile: cuda: " << stage << "\n";
  };
  // The host code's target (the library's ELF): --host-target, default the compiler's host.
  auto tm = createTargetMachine({o.triple, o.cpu, o.optLevel, o.features});
  if (!tm) {
    llvm::errs() << "onnx-compile: error: " << llvm::toString(tm.takeError()) << "\n";
    return kExitUsage;
  }
  // No CPU vector kernels; polynomial exp/log/tanh/erf keep the kernels off libdevice.
  KernelOptions kernels{0, 0, /*approximateMath=*/o.optLevel > 0};
  verbose("lower to linalg");
  if (failed(runPasses([&](OpPassManager &pm) { buildOnnxToLinalgPipeline(pm, kernels); })))
    return kExitModelError;
  if (o.emit == EmitKind::Linalg)
    return writeText(output, [&](llvm::raw_ostream &os) { module.print(os); });
  auto iface = readInterface(module, o);
  if (failed(iface))
    return kExitModelError;
  // The CUDA entry points are static (docs/dynamic-shapes.md): dims given at run time and
  // output sizes counted from data are CPU-only.
  if (iface->isDynamic()) {
    llvm::errs() << o.input << ": error: --target cuda needs static shapes: "
                 << (iface->dimNames.empty()
                         ? "some output sizes depend on tensor data (NonZero, Compress, Unique, "
                           "NonMaxSuppression...), which only CPU libraries support"
                         : "fix the symbolic input dims with --shape NAME=DIMS")
                 << "\n";
    return kExitModelError;
  }
  // Run-time checks (onnx.Check: OptionalGetElement, Dropout with run-time training_mode)
  // and optional inputs (NULL pointers) are CPU-only: the CUDA host code has no status path.
  bool checks = false;
  module.walk([&](cf::AssertOp a) { checks |= a.getMsg().starts_with("onnxc.status "); });
  if (auto f = module.lookupSymbol<func::FuncOp>("main_graph"))
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      checks |= f.getArgAttr(i, "onnx.optional") != nullptr;
  if (checks) {
    llvm::errs() << o.input << ": error: --target cuda does not support optional inputs or "
                 << "run-time checks (OptionalGetElement, Dropout whose training_mode or "
                 << "ratio is a graph input); compile for the CPU\n";
    return kExitModelError;
  }
  if (auto f = module.lookupSymbol<func::FuncOp>("main_graph")) {
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      f.removeArgAttr(i, "onnx.name");
    for (unsigned i = 0; i < f.getNumResults(); ++i)
      f.removeResultAttr(i, StringAttr::get(&ctx, "onnx.name"));
  }
  verbose("bufferize + memory plan");
  if (failed(runPasses(
          [](OpPassManager &pm) { buildBufferizePipeline(pm, /*writeIntoSlices=*/false); })))
    return kExitModelError;
  // A size computed from tensor data with no bound is allocated per run on the host
  // (PlanMemory): main_graph then returns a status. Not for device memory.
  if (auto f = module.lookupSymbol<func::FuncOp>("main_graph"); f && f.getNumResults()) {
    llvm::errs() << o.input << ": error: --target cuda needs static shapes: some sizes depend "
                            "on tensor data with no bound (Range over run-time values...), "
                            "which only CPU libraries support\n";
    return kExitModelError;
  }
  int64_t deviceWorkspace = 0;
  if (auto f = module.lookupSymbol<func::FuncOp>("main_graph"))
    if (auto ws = f->getAttrOfType<IntegerAttr>("onnxc.workspace_size"))
      deviceWorkspace = ws.getInt();
  verbose("map to GPU kernels, outline, lower to NVVM");
  if (failed(runPasses([&](OpPassManager &pm) { buildGpuKernelPipeline(pm, o.gpuTf32); })))
    return kExitModelError;
  int64_t weightsSize = 0;
  if (auto size = module->getAttrOfType<IntegerAttr>("onnxc.cuda.weights_size"))
    weightsSize = size.getInt();

  verbose("kernels to PTX and cubin");
  CudaKernels cudaKernels;
  {
    auto gpuModules = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    if (gpuModules.size() > 1) {
      llvm::errs() << "onnx-compile: error: more than one gpu.module\n";
      return kExitModelError;
    }
    CudaToolkit toolkit = findCudaToolkit();
    // --emit=ptx is the PTX alone: no ptxas run.
    if (o.emit == EmitKind::Ptx)
      toolkit.ptxas.clear();
    for (size_t i = 0; i < gpus.size() && !gpuModules.empty(); ++i) {
      auto k = emitCudaKernels(gpuModules[0], gpus[i], o.optLevel, toolkit);
      if (!k) {
        llvm::errs() << o.input << ": error: " << llvm::toString(k.takeError()) << "\n";
        return kExitModelError;
      }
      if (i == 0) {
        cudaKernels.ptx = std::move(k->ptx);
        cudaKernels.names = std::move(k->names);
      }
      if (!k->cubin.empty())
        cudaKernels.cubins.push_back(std::move(k->cubin));
    }
    if (o.verbose)
      llvm::errs() << "onnx-compile: cuda: " << cudaKernels.names.size() << " kernels, PTX "
                   << cudaKernels.ptx.size() << " bytes, " << cudaKernels.cubins.size()
                   << " cubins" << (toolkit.ptxas.empty() ? " (no ptxas: PTX only)" : "")
                   << "\n";
  }
  if (o.emit == EmitKind::Ptx)
    return writeText(output, [&](llvm::raw_ostream &os) { os << cudaKernels.ptx; });

  verbose("host to LLVM");
  if (failed(runPasses(buildGpuHostPipeline)))
    return kExitModelError;
  llvm::LLVMContext llvmCtx;
  DetachedWeights weights = detachLargeConstants(module);
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, llvmCtx);
  if (!llvmModule) {
    llvm::errs() << "onnx-compile: error: translation to LLVM IR failed\n";
    return kExitModelError;
  }
  attachWeights(*llvmModule, weights);
  // runtime-stub/cuda.c reads the blob by name: attachWeights made it private.
  if (auto *blob = llvmModule->getGlobalVariable("onnxc__cuda_weights", true)) {
    blob->setLinkage(llvm::GlobalValue::ExternalLinkage);
    blob->setVisibility(llvm::GlobalValue::HiddenVisibility);
  }

  iface->workspaceSize = 0; // The host needs none: the workspace is on the device.
  iface->cuda = true;
  iface->target = (*tm)->getTargetTriple().str() + " " + (*tm)->getTargetCPU().str() +
                  " cuda " + llvm::join(gpus, ",");
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  llvmModule->setDataLayout((*tm)->createDataLayout());
  auto cudaApi = addCudaEntryPoints(*llvmModule, *iface, cudaKernels, deviceWorkspace,
                                    weightsSize);
  if (!cudaApi) {
    llvm::errs() << "onnx-compile: error: " << llvm::toString(cudaApi.takeError()) << "\n";
    return kExitModelError;
  }
  auto api = addEntryPoints(*llvmModule, *iface, /*genericGetter=*/o.emit != EmitKind::Static);
  if (!api) {
    llvm::errs() << "onnx-compile: error: " << llvm::toString(api.takeError()) << "\n";
    return kExitModelError;
  }
  api->insert(api->end(), cudaApi->begin(), cudaApi->end());
  std::string runtimeDir = o.runtimeDir.empty() ? defaultRuntimeDir(argv0) : o.runtimeDir;
  if (auto err = linkRuntime(*llvmModule, runtimeDir, *api, "onnxc_cuda_rt.bc")) {
    llvm::errs() << "onnx-compile: error: " << llvm::toString(std::move(err)) << "\n";
    return kExitIoError;
  }
  verbose("LLVM optimization");
  optimizeModule(*llvmModule, **tm, o.optLevel);
  if (o.emit == EmitKind::Llvm)
    return writeText(output, [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); });

  verbose("object emission");
  llvm::SmallVector<char, 0> object;
  {
    llvm::raw_svector_ostream os(object);
    if (auto err = emitObject(*llvmModule, **tm, os)) {
      llvm::errs() << "onnx-compile: error: " << llvm::toString(std::move(err)) << "\n";
      return kExitModelError;
    }
  }
  llvmModule.reset();
  if (o.emit != EmitKind::Obj)
    verbose("link");
  if (int rc = writeObjectOutput(o.emit, object, output, iface->name,
                                 (*tm)->getTargetTriple().str(), runtimeDir))
    return rc;
  if (o.emit == EmitKind::Obj)
    return kExitOk;
  llvm::SmallString<256> header(output);
  llvm::sys::path::replace_extension(header, ".h");
  return writeText(std::string(header), [&](llvm::raw_ostream &os) {
    os << addCudaHeader(emitHeader(*iface), *iface, llvm::join(gpus, ","), deviceWorkspace);
  });
}

} // namespace onnxc
