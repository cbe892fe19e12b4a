// The whole compiler in one readable place: import, the pass pipeline stage by stage, and the
// hand-off to LLVM code generation.
#include "compiler/Pipeline.h"

#include "codegen/Codegen.h"
#include "compiler/Diagnostics.h"
#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <chrono>
#include <map>

using namespace mlir;

namespace onnxc {

//===----------------------------------------------------------------------===//
// The pipeline
//===----------------------------------------------------------------------===//

static void addPipeline(OpPassManager &pm, StringRef text) {
  std::string err;
  llvm::raw_string_ostream os(err);
  if (failed(parsePassPipeline(text, pm, os)))
    llvm::report_fatal_error(llvm::Twine("bad built-in pass pipeline: ") + err);
}

/// Stage 1: the onnx dialect after import: re-infer shapes after folding exposes constants.
static void buildOnnxPipeline(OpPassManager &pm) {
  addPipeline(pm, "func.func(onnx-shape-inference,canonicalize,cse,onnx-shape-inference)");
}

void buildOnnxToLinalgPipeline(OpPassManager &pm, const KernelOptions &kernels) {
  buildOnnxPipeline(pm);
  // Stage 2: onnx -> linalg on tensors, then fuse elementwise producers into consumers.
  addPipeline(pm, "func.func(convert-onnx-to-linalg,canonicalize,onnx-fuse-elementwise,"
                  "canonicalize,cse)");
  // Stage 2b: contractions become register-tiled vector kernels sized for the target.
  if (kernels.vectorBits)
    addPipeline(pm, llvm::formatv("func.func(onnx-vectorize-contractions{{vector-bits={0} "
                                  "vector-registers={1}},canonicalize,cse)",
                                  kernels.vectorBits, kernels.vectorRegisters)
                        .str());
  if (kernels.approximateMath)
    addPipeline(pm, "func.func(onnx-approximate-math)");
}

/// Stage 3: tensors -> buffers. Function results become caller-provided out-params, and every
/// remaining allocation is placed in the one workspace argument.
void buildBufferizePipeline(OpPassManager &pm, bool writeIntoSlices) {
  // onnx-write-into-concats, onnx-write-into-pads: the producers of Concat operands and of
  // padded Conv/pool inputs write into their slices of the concatenated / padded buffers (no
  // copy of each). Concats first: a concatenation that is a padded input is then followed
  // back to its own undefined tensor.
  addPipeline(pm, writeIntoSlices ? "func.func(onnx-signless-types,onnx-distinct-results,"
                                  "onnx-write-into-concats,onnx-write-into-pads)"
                                : "func.func(onnx-signless-types,onnx-distinct-results)");
  addPipeline(pm, "eliminate-empty-tensors,"
                  "one-shot-bufferize{bufferize-function-boundaries "
                  "function-boundary-type-conversion=identity-layout-map},"
                  "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
                  "onnx-lower-sequence-pushes,"
                  // cse lets canonicalize fold the copy one-shot-bufferize leaves for an
                  // in-place fill of a slab (the same subview made twice: docs/traps.md);
                  // without it the copy onto itself becomes a strided linalg.copy.
                  "canonicalize,func.func(onnx-dynamic-interface,canonicalize,cse,canonicalize,"
                  "onnx-lower-strided-copies,onnx-plan-memory),onnx-size-function");
}

/// Stage 4: loops and the LLVM dialect, bare pointers at the function boundary.
static void buildToLLVMPipeline(OpPassManager &pm, const KernelOptions &kernels) {
  // Reductions over innermost loops keep their accumulator in a register (vectorized
  // where the reduced elements are contiguous); the other linalg ops become scf.parallel
  // over their parallel dims; those and the kernels' marked tile loops, when large, are
  // outlined for the runtime's thread pool.
  addPipeline(pm, llvm::formatv("func.func(onnx-empty-buffer-args,onnx-lower-reductions{{"
                                "vector-bits={0}},convert-linalg-to-parallel-loops)",
                                kernels.vectorBits)
                      .str());
  addPipeline(pm, "onnx-outline-parallel-loops,"
                  "convert-vector-to-scf,expand-strided-metadata,lower-affine,"
                  "convert-scf-to-cf,onnx-lower-runtime-checks,convert-vector-to-llvm,convert-math-to-llvm,"
                  "convert-math-to-libm,"
                  // Allocations left by the memory plan (sizes from data, made per run)
                  // call the runtime stub's allocator, not malloc directly.
                  "finalize-memref-to-llvm{use-generic-functions=1},convert-arith-to-llvm,"
                  "convert-index-to-llvm,"
                  "convert-cf-to-llvm,"
                  "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
                  "convert-ub-to-llvm,reconcile-unrealized-casts,onnx-lower-parallel-calls");
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

namespace {

/// -v prints each stage's time; on a terminal (unless -q) a compile that runs longer than a
/// second shows its current stage and the share of the pipeline done, on one line that is
/// cleared at the end.
class StageTimer {
public:
  StageTimer(bool verbose, bool progress, int totalStages)
      : verbose(verbose), progress(progress && llvm::sys::Process::StandardErrIsDisplayed()),
        total(totalStages), begin(std::chrono::steady_clock::now()) {}
  ~StageTimer() {
    if (shown)
      llvm::errs() << "\r\033[K";
  }
  void stage(const char *name) {
    auto now = std::chrono::steady_clock::now();
    if (verbose && current)
      llvm::errs() << llvm::format("onnx-compile: %-28s %8.3f s\n", current,
                                   std::chrono::duration<double>(now - start).count());
    current = name;
    start = now;
    ++index;
    if (name && progress && !verbose && now - begin > std::chrono::seconds(1)) {
      llvm::errs() << llvm::format("\r\033[Konnx-compile: [%d/%d, %3d%%] %s", index, total,
                                   100 * (index - 1) / total, name);
      llvm::errs().flush();
      shown = true;
    }
  }

private:
  bool verbose, progress, shown = false;
  int total, index = 0;
  const char *current = nullptr;
  std::chrono::steady_clock::time_point begin, start;
};

} // namespace

int onnxDtype(Type t) {
  if (t.isF32()) return 1;
  if (t.isF64()) return 11;
  if (t.isF16()) return 10;
  if (t.isBF16()) return 16;
  if (t.isInteger(1)) return 9;
  if (auto it = dyn_cast<IntegerType>(t)) {
    bool u = it.isUnsigned();
    switch (it.getWidth()) {
    case 8: return u ? 2 : 3;
    case 16: return u ? 4 : 5;
    case 32: return u ? 12 : 6;
    case 64: return u ? 13 : 7;
    }
  }
  return 0;
}

FailureOr<ModelInterface> readInterface(ModuleOp module, const CompileOptions &o) {
  auto func = module.lookupSymbol<func::FuncOp>("main_graph");
  ModelInterface m;
  // Run-time dims (docs/dynamic-shapes.md): one symbol per distinct dim_param name of the
  // inputs, in order of appearance; a dim without a name is a symbol of its own.
  std::map<std::string, int> symbolIndex;
  auto read = [&](Type type, DictionaryAttr attrs, std::vector<TensorInterface> &list,
                  const char *kind) -> LogicalResult {
    auto t = dyn_cast<RankedTensorType>(type);
    bool isInput = std::string(kind) == "input";
    TensorInterface ti;
    if (attrs)
      if (auto n = attrs.getAs<StringAttr>("onnx.name"))
        ti.name = n.str();
    if (!t)
      return emitError(func.getLoc()) << "the rank of graph " << kind << " '" << ti.name
                                      << "' is not known; fix the input shapes with --shape "
                                         "NAME=DIMS";
    ti.dtype = onnxDtype(t.getElementType());
    if (!ti.dtype)
      return emitError(func.getLoc()) << "graph " << kind << " '" << ti.name
                                      << "' has unsupported element type " << t.getElementType();
    ti.dims.assign(t.getShape().begin(), t.getShape().end());
    ti.dimSymbols.assign(ti.dims.size(), -1);
    if (isInput && !t.hasStaticShape()) {
      ArrayAttr params = attrs ? attrs.getAs<ArrayAttr>("onnx.dim_params") : ArrayAttr();
      for (size_t d = 0; d < ti.dims.size(); ++d) {
        if (!ShapedType::isDynamic(ti.dims[d]))
          continue;
        std::string name;
        if (params && d < params.size())
          if (auto s = dyn_cast<StringAttr>(params[d]))
            name = s.str();
        if (name.empty())
          name = ti.name + "_dim" + std::to_string(d);
        auto [it, inserted] = symbolIndex.try_emplace(name, (int)m.dimNames.size());
        if (inserted)
          m.dimNames.push_back(name);
        ti.dimSymbols[d] = it->second;
      }
    }
    ti.elementBytes = t.getElementType().isInteger(1) ? 1 : (t.getElementTypeBitWidth() + 7) / 8;
    ti.optional = attrs && attrs.get("onnx.optional");
    // A sequence's placeholder tensor<0xT> (compiler/import: RuntimeSequence).
    if (attrs && (attrs.get("onnx.sequence_map") || (!isInput && m.sequenceMap))) {
      ti.sequence = ti.mapped = true; // one element's tensor: its dims are the kernel's
    } else if (attrs && attrs.get("onnx.sequence")) {
      ti.sequence = true;
      ti.dims.clear();
      ti.dimSymbols.clear();
      if (auto plan = attrs.getAs<DenseI64ArrayAttr>("onnx.sequence"))
        ti.plan.assign(plan.asArrayRef().begin(), plan.asArrayRef().end());
    }
    if (!isInput && attrs && attrs.get("onnxc.hidden")) {
      if (!t.hasStaticShape())
        return emitError(func.getLoc())
               << "a tensor of a sequence output has dims known only at run time (" << t
               << "): sequence outputs take tensors of static shape";
      m.hidden.push_back(ti);
      return success();
    }
    list.push_back(ti);
    return success();
  };
  m.sequenceMap = func->hasAttr("onnx.sequence_map");
  // A model that maps sequences runs per element with the elements' dims; the symbols of its
  // tensor inputs come first: the callers pass those (numPublicDims).
  std::vector<TensorInterface> args(func.getNumArguments());
  for (int pass = 0; pass < 2; ++pass) {
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      bool mapped = func.getArgAttr(i, "onnx.sequence_map") != nullptr;
      if (mapped != (pass == 1))
        continue;
      std::vector<TensorInterface> one;
      if (failed(read(func.getArgumentTypes()[i], func.getArgAttrDict(i), one, "input")))
        return failure();
      args[i] = std::move(one.front());
    }
    if (pass == 0)
      m.numPublicDims = m.dimNames.size();
  }
  m.inputs = std::move(args);
  // The symbols, for onnx-dynamic-interface.
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    func.setArgAttr(i, "onnxc.dim_symbols",
                    DenseI64ArrayAttr::get(module.getContext(),
                                           std::vector<int64_t>(m.inputs[i].dimSymbols.begin(),
                                                                m.inputs[i].dimSymbols.end())));
  func->setAttr("onnxc.num_dims",
                IntegerAttr::get(IntegerType::get(module.getContext(), 64), m.dimNames.size()));
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (failed(read(func.getResultTypes()[i], func.getResultAttrDict(i), m.outputs, "output")))
      return failure();
  func.walk([&](arith::MinUIOp op) {
    if (op->hasAttr("onnxc.data_bound"))
      m.dataDependent = true;
  });
  // Sequences are built around a static run (runtime-stub/runtime.c): the dynamic entries
  // and the CUDA runtime do not take them yet. Sizes counted from data inside the kernel
  // behind static outputs are fine: the stub runs the dynamic kernel (sequenceDynamicKernel).
  bool staticOutputs = llvm::all_of(m.outputs, [](const TensorInterface &t) {
    return t.sequence || llvm::all_of(t.dims, [](int64_t d) { return d >= 0; });
  });
  m.sequenceDynamicKernel = m.hasSequences() && !m.sequenceMap && m.dimNames.empty() &&
                            m.dataDependent && staticOutputs;
  if (m.hasSequences() &&
      ((m.isDynamic() && !m.sequenceMap) || (m.dataDependent && !m.sequenceDynamicKernel) ||
       !o.gpu.empty()))
    return emitError(func.getLoc())
           << "a model with sequence-typed inputs or outputs must otherwise be static"
           << (!o.gpu.empty() ? " and compiled for the CPU (--target cuda does not take sequences)"
                        : ": fix the run-time dims of its tensor inputs with --shape NAME=DIMS");
  assignCNames(m);
  m.sourceFile = llvm::sys::path::filename(o.input).str();
  m.name = !o.name.empty() ? o.name : toCIdentifier(llvm::sys::path::stem(o.input).str());
  return m;
}

std::string defaultOutput(const CompileOptions &o) {
  llvm::SmallString<256> out(o.input);
  const char *ext = o.emit == EmitKind::Mlir || o.emit == EmitKind::Linalg ? ".mlir"
                    : o.emit == EmitKind::Llvm                            ? ".ll"
                    : o.emit == EmitKind::Obj                             ? ".o"
                    : o.emit == EmitKind::Static                          ? ".a"
                                                                           : ".so";
  llvm::sys::path::replace_extension(out, ext);
  return std::string(llvm::sys::path::filename(out));
}

int writeText(const std::string &path, llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::string err;
  auto file = openOutputFile(path, &err);
  if (!file) {
    llvm::errs() << "onnx-compile: error: cannot write " << path << ": " << err << "\n";
    return kExitIoError;
  }
  print(file->os());
  file->keep();
  return kExitOk;
}

/// Bytes of poisoned workspace around every buffer under --sanitize=address: ASan's own
/// minimum heap redzone is 16; 64 also catches a vector access a full AVX-512 register past
/// the end.
static constexpr int64_t kAsanRedzoneBytes = 64;

int writeObjectOutput(EmitKind emit, llvm::ArrayRef<char> object, const std::string &output,
                      const std::string &name, const std::string &triple,
                      const std::string &runtimeDir, bool allowUndefined) {
  auto writeBytes = [&](const std::string &path) -> int {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
    if (!ec)
      os.write(object.data(), object.size());
    if (ec || os.has_error()) {
      llvm::errs() << "onnx-compile: error: cannot write " << path << "\n";
      return kExitIoError;
    }
    return kExitOk;
  };
  if (emit == EmitKind::Obj)
    return writeBytes(output);
  if (emit == EmitKind::Static) {
    if (auto err = writeStaticArchive(llvm::StringRef(object.data(), object.size()),
                                      name + ".o", output)) {
      llvm::errs() << "onnx-compile: error: cannot write " << output << ": "
                   << llvm::toString(std::move(err)) << "\n";
      return kExitIoError;
    }
    return kExitOk;
  }
  llvm::SmallString<256> tmpObj;
  if (auto ec = llvm::sys::fs::createTemporaryFile("onnxc", "o", tmpObj)) {
    llvm::errs() << "onnx-compile: error: cannot create a temporary file: " << ec.message()
                 << "\n";
    return kExitIoError;
  }
  int rc = writeBytes(std::string(tmpObj));
  auto linkErr = rc ? llvm::Error::success()
                    : linkSharedLibrary(std::string(tmpObj), output, runtimeDir, triple,
                                        allowUndefined);
  llvm::sys::fs::remove(tmpObj);
  if (rc)
    return rc;
  if (linkErr) {
    llvm::errs() << "onnx-compile: error: " << llvm::toString(std::move(linkErr)) << "\n";
    return kExitIoError;
  }
  return kExitOk;
}

int compile(const CompileOptions &o, const char *argv0) {
  StageTimer timer(o.verbose, !o.quiet, o.emit == EmitKind::Mlir ? 2 : 8);
  DialectRegistry registry;
  registerCompilerDialects(registry);
  registerCompilerPasses();
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  ctx.printOpOnDiagnostic(false); // Users get the node's name, not an IR dump.
  OnnxDiagnosticHandler diagnostics(&ctx, o.jsonDiagnostics);
  std::string output = o.output.empty() ? defaultOutput(o) : o.output;

  timer.stage("import");
  OwningOpRef<ModuleOp> module = importOnnxModel(ctx, o.input, o.import);
  if (!module)
    return kExitModelError;

  DefaultTimingManager timing;
  timing.setEnabled(o.timePasses);
  TimingScope rootTiming = timing.getRootScope();
  auto runPasses = [&](llvm::function_ref<void(OpPassManager &)> build) -> LogicalResult {
    PassManager pm(&ctx);
    pm.enableVerifier(true);
    if (o.printIrAfterAll) {
      ctx.disableMultithreading();
      pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                          [](Pass *, Operation *) { return true; },
                          /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
    }
    if (o.timePasses)
      pm.enableTiming(rootTiming);
    build(pm);
    return pm.run(*module);
  };

  if (o.emit == EmitKind::Mlir) {
    timer.stage("onnx passes");
    if (failed(runPasses(buildOnnxPipeline)))
      return kExitModelError;
    return writeText(output, [&](llvm::raw_ostream &os) { module->print(os); });
  }
  if (!o.gpu.empty()) // The CUDA backend: compiler/PipelineCuda.cpp.
    return compileCuda(o, argv0, *module, runPasses);
  // The target decides the kernels' vector shapes, so it is known before lowering.
  auto tm = createTargetMachine({o.triple, o.cpu, o.optLevel, o.features});
  if (!tm) {
    llvm::errs() << "onnx-compile: error: " << llvm::toString(tm.takeError()) << "\n";
    return kExitUsage;
  }
  VectorRegisterFile registers = vectorRegisterFile(**tm);
  KernelOptions kernels{o.optLevel > 0 ? registers.bits : 0, registers.count,
                        /*approximateMath=*/o.optLevel > 0};

  timer.stage("lower to linalg");
  if (failed(runPasses(
          [&](OpPassManager &pm) { buildOnnxToLinalgPipeline(pm, kernels); })))
    return kExitModelError;
  if (o.emit == EmitKind::Linalg)
    return writeText(output, [&](llvm::raw_ostream &os) { module->print(os); });
  auto iface = readInterface(*module, o);
  if (failed(iface))
    return kExitModelError;
  // The names now live in the interface; LLVM would warn about unknown parameter attributes.
  if (auto f = module->lookupSymbol<func::FuncOp>("main_graph")) {
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      f.removeArgAttr(i, "onnx.name");
      f.removeArgAttr(i, "onnx.dim_params");
      f.removeArgAttr(i, "onnx.optional");
      f.removeArgAttr(i, "onnx.sequence");
      f.removeArgAttr(i, "onnx.sequence_map");
    }
    f->removeAttr("onnx.sequence_map");
    for (unsigned i = 0; i < f.getNumResults(); ++i)
      for (StringRef a : {"onnx.name", "onnx.sequence", "onnx.optional", "onnxc.hidden"})
        f.removeResultAttr(i, StringAttr::get(&ctx, a));
  }

  // --sanitize=address: the memory plan separates buffers with poisoned redzones (PlanMemory).
  if (auto f = module->lookupSymbol<func::FuncOp>("main_graph"); f && o.sanitize == "address") {
    f->setAttr("onnxc.redzone", IntegerAttr::get(IntegerType::get(&ctx, 64), kAsanRedzoneBytes));
    if (o.debugUndersizeBuffers)
      f->setAttr("onnxc.debug_undersize_buffers", UnitAttr::get(&ctx));
  }

  timer.stage("bufferize + memory plan");
  if (failed(runPasses([](OpPassManager &pm) { buildBufferizePipeline(pm); })))
    return kExitModelError;
  if (auto f = module->lookupSymbol<func::FuncOp>("main_graph")) {
    if (auto ws = f->getAttrOfType<IntegerAttr>("onnxc.workspace_size"))
      iface->workspaceSize = ws.getInt();
    // PlanMemory gives main_graph a status result when it allocates per run.
    iface->allocatesPerRun = f.getNumResults() > 0;
    // Outputs sized from data with no bound, allocated by the run (onnx-dynamic-interface):
    // such a model runs through the dynamic entries, like one with data-dependent dims.
    if (auto a = f->getAttrOfType<DenseI64ArrayAttr>("onnxc.allocated_outputs")) {
      for (int64_t i : a.asArrayRef())
        if (i >= 0 && size_t(i) < iface->outputs.size())
          iface->outputs[i].allocated = true;
      iface->dataDependent = true;
      f->removeAttr("onnxc.allocated_outputs");
    }
    if (iface->hasSequences() &&
        ((iface->isDynamic() && !iface->sequenceMap) || iface->allocatesOutputs() ||
         (iface->dataDependent && !iface->sequenceDynamicKernel))) {
      emitError(f.getLoc()) << "a model with sequence-typed inputs or outputs must otherwise "
                               "be static: it has outputs whose size depends on data";
      return kExitModelError;
    }
    if (auto rz = f->getAttrOfType<DenseI64ArrayAttr>("onnxc.redzones"))
      iface->redzones.assign(rz.asArrayRef().begin(), rz.asArrayRef().end());
    for (StringRef a : {"onnxc.redzone", "onnxc.redzones", "onnxc.debug_undersize_buffers"})
      f->removeAttr(a);
  }
  timer.stage("lower to LLVM dialect");
  if (failed(runPasses([&](OpPassManager &pm) { buildToLLVMPipeline(pm, kernels); })))
    return kExitModelError;

  timer.stage("translate to LLVM IR");
  llvm::LLVMContext llvmCtx;
  DetachedWeights weights = detachLargeConstants(*module);
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(*module, llvmCtx);
  if (!llvmModule) {
    llvm::errs() << "onnx-compile: error: translation to LLVM IR failed\n";
    return kExitModelError;
  }
  attachWeights(*llvmModule, weights);
  module = nullptr; // The MLIR module is no longer needed.

  iface->target = (*tm)->getTargetTriple().str() + " " + (*tm)->getTargetCPU().str();
  // The features asked for (generic+sve, --mattr); --mcpu=native's host list is too long to
  // show, its CPU name says it.
  if (!llvm::StringRef(o.cpu).starts_with("native") && !(*tm)->getTargetFeatureString().empty())
    iface->target += " " + (*tm)->getTargetFeatureString().str();
  iface->requiredCpuFeatures = requiredCpuFeatures(**tm);
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  llvmModule->setDataLayout((*tm)->createDataLayout());
  auto api = addEntryPoints(*llvmModule, *iface, /*genericGetter=*/o.emit != EmitKind::Static);
  if (!api) {
    llvm::errs() << "onnx-compile: error: " << llvm::toString(api.takeError()) << "\n";
    return kExitModelError;
  }
  std::string runtimeDir = o.runtimeDir.empty() ? defaultRuntimeDir(argv0) : o.runtimeDir;
  if (auto err = linkRuntime(*llvmModule, runtimeDir, *api)) {
    llvm::errs() << "onnx-compile: error: " << llvm::toString(std::move(err)) << "\n";
    return kExitIoError;
  }
  timer.stage("LLVM optimization");
  Sanitizer sanitizer = o.sanitize == "address"  ? Sanitizer::Address
                        : o.sanitize == "thread" ? Sanitizer::Thread
                                                 : Sanitizer::None;
  optimizeModule(*llvmModule, **tm, o.optLevel, sanitizer);
  if (o.emit == EmitKind::Llvm)
    return writeText(output, [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); });

  timer.stage("object emission");
  llvm::SmallVector<char, 0> object;
  {
    llvm::raw_svector_ostream os(object);
    if (auto err = emitObject(*llvmModule, **tm, os)) {
      llvm::errs() << "onnx-compile: error: " << llvm::toString(std::move(err)) << "\n";
      return kExitModelError;
    }
  }
  llvmModule.reset(); // Frees the weights' second copy before linking.
  if (o.emit != EmitKind::Obj)
    timer.stage("link");
  if (int rc = writeObjectOutput(o.emit, object, output, iface->name,
                                 iface->target.substr(0, iface->target.find(' ')), runtimeDir,
                                 /*allowUndefined=*/sanitizer != Sanitizer::None))
    return rc;
  if (o.emit == EmitKind::Obj)
    return kExitOk;
  llvm::SmallString<256> header(output);
  llvm::sys::path::replace_extension(header, ".h");
  int rc = writeText(std::string(header),
                     [&](llvm::raw_ostream &os) { os << emitHeader(*iface); });
  timer.stage(nullptr);
  return rc;
}

} // namespace onnxc
