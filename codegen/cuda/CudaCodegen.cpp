#include "codegen/cuda/CudaCodegen.h"

#include "passes/gpu/GpuPasses.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ScopeExit.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

#include <sstream>

namespace onnxc {

bool isSupportedGpu(const std::string &gpu) {
  return gpu == "sm_80" || gpu == "sm_86" || gpu == "sm_89" || gpu == "sm_90";
}

CudaToolkit findCudaToolkit() {
  CudaToolkit t;
  for (const char *env : {"CUDA_PATH", "CUDA_HOME"}) {
    const char *dir = std::getenv(env);
    if (!dir || !*dir)
      continue;
    // An explicit path that lacks the tools means "no toolkit" (tests use it for PTX only).
    llvm::SmallString<256> p(dir), l(dir);
    llvm::sys::path::append(p, "bin", "ptxas");
    llvm::sys::path::append(l, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::can_execute(p))
      t.ptxas = std::string(p);
    if (llvm::sys::fs::exists(l))
      t.libdevice = std::string(l);
    return t;
  }
  if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
    t.ptxas = "/usr/local/cuda/bin/ptxas";
  if (llvm::sys::fs::exists("/usr/local/cuda/nvvm/libdevice/libdevice.10.bc"))
    t.libdevice = "/usr/local/cuda/nvvm/libdevice/libdevice.10.bc";
  return t;
}

static void optimizeKernels(llvm::Module &m, llvm::TargetMachine &tm, int optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // The NVPTX target adds NVVMReflect (libdevice's __nvvm_reflect) through its callbacks.
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  auto level = optLevel <= 1 ? llvm::OptimizationLevel::O1
               : optLevel == 2 ? llvm::OptimizationLevel::O2
                               : llvm::OptimizationLevel::O3;
  pb.buildPerModuleDefaultPipeline(level).run(m, mam);
}

static llvm::Expected<std::string> runPtxas(const std::string &ptxas, const std::string &ptx,
                                            const std::string &gpu, int optLevel) {
  llvm::SmallString<128> in, out, err;
  if (auto ec = llvm::sys::fs::createTemporaryFile("onnxc-kernels", "ptx", in))
    return llvm::createStringError("cannot create a temporary file: " + ec.message());
  llvm::sys::fs::createTemporaryFile("onnxc-kernels", "cubin", out);
  llvm::sys::fs::createTemporaryFile("onnxc-ptxas", "log", err);
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove(in);
    llvm::sys::fs::remove(out);
    llvm::sys::fs::remove(err);
  });
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(in, ec);
    if (ec)
      return llvm::createStringError("cannot write " + std::string(in));
    os << ptx;
  }
  std::string arch = "-arch=" + gpu, opt = "-O" + std::to_string(std::min(optLevel, 3));
  llvm::StringRef args[] = {ptxas, arch, opt, in, "-o", out};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(err),
                                                llvm::StringRef(err)};
  std::string msg;
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 0, 0, &msg);
  if (rc != 0) {
    auto log = llvm::MemoryBuffer::getFile(err);
    return llvm::createStringError("ptxas rejected the kernels' PTX for " + gpu + ": " +
                                   (log ? (*log)->getBuffer().str() : msg));
  }
  auto cubin = llvm::MemoryBuffer::getFile(out, /*IsText=*/false);
  if (!cubin)
    return llvm::createStringError("ptxas wrote no cubin");
  return (*cubin)->getBuffer().str();
}

llvm::Expected<CudaKernels> emitCudaKernels(mlir::gpu::GPUModuleOp gm, const std::string &gpu,
                                            int optLevel, const CudaToolkit &toolkit) {
  CudaKernels out;
  out.names = kernelNames(gm);
  mlir::MLIRContext *ctx = gm.getContext();
  mlir::registerNVVMDialectTranslation(*ctx);
  // The gpu.module's body, alone in a module of its own, translates like any LLVM dialect.
  mlir::OwningOpRef<mlir::ModuleOp> dev = mlir::ModuleOp::create(gm.getLoc());
  mlir::OpBuilder b = mlir::OpBuilder::atBlockBegin(dev->getBody());
  for (mlir::Operation &op : gm.getBody()->getOperations())
    if (!op.hasTrait<mlir::OpTrait::IsTerminator>())
      b.clone(op);
  llvm::LLVMContext lctx;
  std::unique_ptr<llvm::Module> m = mlir::translateModuleToLLVMIR(*dev, lctx, "onnxc_kernels");
  if (!m)
    return llvm::createStringError("translating the GPU kernels to LLVM IR failed");

  llvm::Triple triple("nvptx64-nvidia-cuda");
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("this LLVM has no NVPTX backend: " + error);
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, gpu, kPtxFeatures, options, std::nullopt, std::nullopt,
      optLevel ? llvm::CodeGenOptLevel::Aggressive : llvm::CodeGenOptLevel::None));
  m->setTargetTriple(triple);
  m->setDataLayout(tm->createDataLayout());

  for (const std::string &name : out.names) {
    llvm::Function *f = m->getFunction(name);
    if (!f || f->getCallingConv() != llvm::CallingConv::PTX_Kernel)
      return llvm::createStringError("kernel " + name + " is not a PTX kernel (a compiler bug)");
  }
  // Math functions the NVPTX backend has no instruction for are libdevice calls.
  std::string needsLibdevice;
  for (llvm::Function &f : *m)
    if (f.isDeclaration() && f.getName().starts_with("__nv_"))
      needsLibdevice = f.getName().str();
  if (!needsLibdevice.empty()) {
    if (toolkit.libdevice.empty())
      return llvm::createStringError(
          "the kernels call CUDA's libdevice (" + needsLibdevice +
          ") and no CUDA toolkit was found at compile time (set CUDA_PATH)");
    auto buf = llvm::MemoryBuffer::getFile(toolkit.libdevice);
    if (!buf)
      return llvm::createStringError("cannot read " + toolkit.libdevice);
    auto lib = llvm::parseBitcodeFile((*buf)->getMemBufferRef(), lctx);
    if (!lib)
      return llvm::createStringError("cannot read " + toolkit.libdevice + ": " +
                                     llvm::toString(lib.takeError()));
    (*lib)->setTargetTriple(triple);
    (*lib)->setDataLayout(m->getDataLayout());
    if (llvm::Linker::linkModules(*m, std::move(*lib), llvm::Linker::LinkOnlyNeeded))
      return llvm::createStringError("linking libdevice failed");
  }
  // Exact fp32: denormals are kept (libdevice asks __nvvm_reflect("__CUDA_FTZ")).
  m->addModuleFlag(llvm::Module::Override, "nvvm-reflect-ftz", uint32_t(0));
  for (llvm::Function &f : *m)
    if (!f.isDeclaration() && f.getCallingConv() != llvm::CallingConv::PTX_Kernel)
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  std::string verify;
  llvm::raw_string_ostream vos(verify);
  if (llvm::verifyModule(*m, &vos))
    return llvm::createStringError("invalid kernel IR (a compiler bug): " + verify);
  if (optLevel > 0)
    optimizeKernels(*m, *tm, optLevel);

  llvm::SmallString<0> ptx;
  {
    llvm::raw_svector_ostream os(ptx);
    llvm::legacy::PassManager pm;
    if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile))
      return llvm::createStringError("the NVPTX backend cannot emit PTX");
    pm.run(*m);
  }
  out.ptx = std::string(ptx);
  if (!toolkit.ptxas.empty()) {
    auto cubin = runPtxas(toolkit.ptxas, out.ptx, gpu, optLevel);
    if (!cubin)
      return cubin.takeError();
    out.cubin = std::move(*cubin);
  }
  return out;
}

static llvm::GlobalVariable *bytesGlobal(llvm::Module &m, llvm::StringRef name,
                                         llvm::StringRef bytes, bool nulTerminate,
                                         unsigned align) {
  auto *init = llvm::ConstantDataArray::getString(m.getContext(), bytes, nulTerminate);
  auto *gv = new llvm::GlobalVariable(m, init->getType(), true,
                                      llvm::GlobalValue::ExternalLinkage, init, name);
  gv->setAlignment(llvm::Align(align));
  gv->setVisibility(llvm::GlobalValue::HiddenVisibility);
  return gv;
}

static llvm::GlobalVariable *i64Global(llvm::Module &m, llvm::StringRef name, uint64_t v) {
  auto *i64 = llvm::Type::getInt64Ty(m.getContext());
  auto *gv = new llvm::GlobalVariable(m, i64, true, llvm::GlobalValue::ExternalLinkage,
                                      llvm::ConstantInt::get(i64, v), name);
  gv->setVisibility(llvm::GlobalValue::HiddenVisibility);
  return gv;
}

llvm::Expected<std::vector<std::string>> addCudaEntryPoints(llvm::Module &m,
                                                            const ModelInterface &model,
                                                            const CudaKernels &kernels,
                                                            int64_t deviceWorkspaceSize,
                                                            int64_t weightsSize) {
  using namespace llvm;
  LLVMContext &ctx = m.getContext();
  Function *graph = m.getFunction("main_graph");
  size_t numIn = model.inputs.size(), numOut = model.outputs.size();
  if (!graph || graph->arg_size() != numIn + numOut + 3)
    return createStringError("main_graph is missing or does not take inputs, outputs, "
                             "workspace, weights and the runtime context");
  graph->setName("onnxc__cuda_main");
  graph->setLinkage(GlobalValue::InternalLinkage);
  Type *ptr = PointerType::getUnqual(ctx), *i32 = Type::getInt32Ty(ctx);

  // The tables runtime-stub/cuda.c reads.
  // Every cubin (one per --gpu), tried in turn by the runtime, then the PTX.
  {
    auto *i64 = Type::getInt64Ty(ctx);
    SmallVector<Constant *> blobs, sizes;
    for (auto [i, cubin] : llvm::enumerate(kernels.cubins)) {
      blobs.push_back(bytesGlobal(m, "onnxc.cubin." + std::to_string(i), cubin, false, 64));
      sizes.push_back(ConstantInt::get(i64, cubin.size()));
    }
    if (blobs.empty()) {
      blobs.push_back(ConstantPointerNull::get(cast<PointerType>(ptr)));
      sizes.push_back(ConstantInt::get(i64, 0));
    }
    auto *blobsType = ArrayType::get(ptr, blobs.size());
    auto *sizesType = ArrayType::get(i64, sizes.size());
    auto *b = new GlobalVariable(m, blobsType, true, GlobalValue::ExternalLinkage,
                                 ConstantArray::get(blobsType, blobs), "onnxc__cuda_cubins");
    auto *s = new GlobalVariable(m, sizesType, true, GlobalValue::ExternalLinkage,
                                 ConstantArray::get(sizesType, sizes), "onnxc__cuda_cubin_sizes");
    b->setVisibility(GlobalValue::HiddenVisibility);
    s->setVisibility(GlobalValue::HiddenVisibility);
    i64Global(m, "onnxc__cuda_num_cubins", kernels.cubins.size());
  }
  bytesGlobal(m, "onnxc__cuda_ptx", kernels.ptx, /*nulTerminate=*/true, 64);
  i64Global(m, "onnxc__cuda_workspace_size", deviceWorkspaceSize);
  i64Global(m, "onnxc__cuda_num_kernels", kernels.names.size());
  i64Global(m, "onnxc__cuda_weights_size", weightsSize);
  SmallVector<Constant *> names;
  for (const std::string &n : kernels.names) {
    auto *s = ConstantDataArray::getString(ctx, n);
    auto *gv = new GlobalVariable(m, s->getType(), true, GlobalValue::PrivateLinkage, s,
                                  "onnxc.kernel_name");
    names.push_back(gv);
  }
  if (names.empty())
    names.push_back(ConstantPointerNull::get(cast<PointerType>(ptr)));
  auto *namesType = ArrayType::get(ptr, names.size());
  auto *namesGv = new GlobalVariable(m, namesType, true, GlobalValue::ExternalLinkage,
                                     ConstantArray::get(namesType, names),
                                     "onnxc__cuda_kernel_names");
  namesGv->setVisibility(GlobalValue::HiddenVisibility);

  // void onnxc__cuda_graph(const void *const *in, void *const *out, void *ws, void *weights,
  //                        void *rt): device pointers in, launches queued on rt's stream.
  auto *graphType = FunctionType::get(Type::getVoidTy(ctx), {ptr, ptr, ptr, ptr, ptr}, false);
  Function *wrapper = Function::Create(graphType, GlobalValue::ExternalLinkage,
                                       "onnxc__cuda_graph", m);
  wrapper->setVisibility(GlobalValue::HiddenVisibility);
  {
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", wrapper));
    SmallVector<Value *> args;
    for (size_t i = 0; i < numIn; ++i)
      args.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, wrapper->getArg(0), i)));
    for (size_t i = 0; i < numOut; ++i)
      args.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, wrapper->getArg(1), i)));
    for (unsigned i = 2; i < 5; ++i)
      args.push_back(wrapper->getArg(i));
    b.CreateCall(graph, args);
    b.CreateRetVoid();
  }

  // int <name>_run_device(context, inputs..., outputs..., stream)
  std::string name = model.name + "_run_device";
  SmallVector<Type *> params(numIn + numOut + 2, ptr);
  Function *f = Function::Create(FunctionType::get(i32, params, false),
                                 GlobalValue::ExternalLinkage, name, m);
  f->addFnAttr(Attribute::NoUnwind);
  auto *rtType = FunctionType::get(i32, {ptr, ptr, ptr, ptr}, false);
  Function *rt = Function::Create(rtType, GlobalValue::ExternalLinkage,
                                  "onnxc_cuda_run_device", m);
  rt->setVisibility(GlobalValue::HiddenVisibility);
  {
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    auto pack = [&](unsigned first, size_t count) -> Value * {
      auto *type = ArrayType::get(ptr, std::max<size_t>(count, 1));
      Value *arr = b.CreateAlloca(type);
      for (size_t i = 0; i < count; ++i)
        b.CreateStore(f->getArg(first + i), b.CreateConstGEP2_64(type, arr, 0, i));
      return arr;
    };
    Value *ins = pack(1, numIn), *outs = pack(1 + numIn, numOut);
    b.CreateRet(b.CreateCall(rt, {f->getArg(0), ins, outs, f->getArg(1 + numIn + numOut)}));
  }
  return std::vector<std::string>{name};
}

static const char *cType(int dtype) {
  switch (dtype) {
  case 1: return "float";
  case 2: case 9: return "uint8_t";
  case 3: return "int8_t";
  case 4: case 10: case 16: return "uint16_t";
  case 5: return "int16_t";
  case 6: return "int32_t";
  case 7: return "int64_t";
  case 11: return "double";
  case 12: return "uint32_t";
  case 13: return "uint64_t";
  default: return "void";
  }
}

std::string addCudaHeader(const std::string &header, const ModelInterface &model,
                          const std::string &gpu, int64_t deviceWorkspaceSize) {
  std::string P = model.name, U = model.name;
  for (char &c : U)
    c = std::toupper(static_cast<unsigned char>(c));
  std::ostringstream os;
  os << "/* CUDA (" << gpu << " cubin + PTX). The calls above take host pointers: inputs are\n"
     << "   copied to the device, outputs back, and the call returns when they are written.\n"
     << "   libcuda.so.1 is loaded at the first call; without a driver or GPU every call\n"
     << "   returns ONNXC_ERROR_NO_DEVICE. The workspace argument is unused (may be NULL):\n"
     << "   each context owns one device allocation for the weights (uploaded once), the\n"
     << "   workspace and staging buffers. */\n";
  os << "#define " << U << "_DEVICE_WORKSPACE_SIZE " << deviceWorkspaceSize << "\n";
  os << "/* Device pointers (CUdeviceptr values) in and out, queued on `stream` (a CUstream\n"
     << "   of the primary context of device 0; NULL: the context's own stream); returns\n"
     << "   when queued, synchronize the stream before reading the outputs. */\n";
  os << "int " << P << "_run_device(" << P << "_context *context";
  for (auto &t : model.inputs)
    os << ", const " << cType(t.dtype) << " *" << t.cName;
  for (auto &t : model.outputs)
    os << ", " << cType(t.dtype) << " *" << t.cName;
  os << ", void *stream);\n";
  std::string h = header;
  size_t at = h.rfind("\n#ifdef __cplusplus\n}");
  if (at == std::string::npos)
    at = h.size();
  h.insert(at, "\n" + os.str());
  return h;
}

} // namespace onnxc
