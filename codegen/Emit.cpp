#include "codegen/Codegen.h"

#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Instrumentation/AddressSanitizer.h"
#include "llvm/Transforms/Instrumentation/ThreadSanitizer.h"

using namespace llvm;

namespace onnxc {

static void runOptimizationPipeline(Module &m, TargetMachine &tm, int optLevel);

static void instrument(Module &m, Sanitizer sanitizer) {
  for (Function &f : m)
    if (!f.isDeclaration())
      f.addFnAttr(sanitizer == Sanitizer::Address ? Attribute::SanitizeAddress
                                                  : Attribute::SanitizeThread);
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  ModulePassManager mpm;
  if (sanitizer == Sanitizer::Address) {
    mpm.addPass(AddressSanitizerPass(AddressSanitizerOptions()));
  } else {
    mpm.addPass(ModuleThreadSanitizerPass());
    mpm.addPass(createModuleToFunctionPassAdaptor(ThreadSanitizerPass()));
  }
  mpm.run(m, mam);
}

void optimizeModule(Module &m, TargetMachine &tm, int optLevel, Sanitizer sanitizer) {
  m.setTargetTriple(tm.getTargetTriple());
  m.setDataLayout(tm.createDataLayout());
  // Every function gets the CPU and features, so the vectorizers see the real target; the
  // entry points that run before the CPU check get the baseline, so a library called on an
  // older CPU returns ONNXC_ERROR_CPU_UNSUPPORTED instead of dying with SIGILL.
  const char *baseline = tm.getTargetTriple().isX86() ? "x86-64" : "generic";
  for (Function &f : m) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr(Attribute::NoUnwind);
    if (f.hasFnAttribute("target-cpu"))
      continue; // The runtime stub's bitcode: compiled for the baseline by clang.
    bool early = f.hasFnAttribute(kBaselineCpuAttr);
    f.addFnAttr("target-cpu", early ? StringRef(baseline) : tm.getTargetCPU());
    f.addFnAttr("target-features", early ? StringRef() : tm.getTargetFeatureString());
    if (early)
      f.addFnAttr(Attribute::NoInline);
  }
  if (optLevel > 0)
    runOptimizationPipeline(m, tm, optLevel);
  if (sanitizer != Sanitizer::None)
    instrument(m, sanitizer);
}

static void runOptimizationPipeline(Module &m, TargetMachine &tm, int optLevel) {
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  OptimizationLevel level = optLevel == 1   ? OptimizationLevel::O1
                            : optLevel == 2 ? OptimizationLevel::O2
                                            : OptimizationLevel::O3;
  ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
  mpm.run(m, mam);
}

Error emitObject(Module &m, TargetMachine &tm, raw_pwrite_stream &out) {
  std::string verifyErrors;
  raw_string_ostream verifyOs(verifyErrors);
  if (verifyModule(m, &verifyOs))
    return createStringError("invalid LLVM IR generated (a compiler bug): " + verifyErrors);
  legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, out, nullptr, CodeGenFileType::ObjectFile))
    return createStringError("the target cannot emit object files");
  pm.run(m);
  return Error::success();
}

} // namespace onnxc
