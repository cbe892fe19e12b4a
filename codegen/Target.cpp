#include "codegen/Codegen.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace onnxc {

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const TargetSpec &spec) {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  llvm::InitializeAllAsmParsers(); // The runtime stub has inline asm (cpuid, xgetbv).
  llvm::Triple triple(spec.triple.empty() ? llvm::sys::getDefaultTargetTriple() : spec.triple);
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("unknown target '" + triple.str() + "': " + error);
  std::string cpu = spec.cpu;
  std::string features;
  if (cpu == "native") {
    if (!spec.triple.empty() && llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch() !=
                                    triple.getArch())
      return llvm::createStringError("--mcpu=native only makes sense for the host's target");
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") +
                  f.first().str();
  }
  llvm::TargetOptions options;
  auto level = spec.optLevel <= 0   ? llvm::CodeGenOptLevel::None
               : spec.optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : spec.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                    : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for '" + triple.str() + "'");
  // An unknown CPU name only warns inside LLVM; refuse it here with a clear message.
  if (!tm->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return llvm::createStringError("unknown CPU '" + spec.cpu + "' for target '" +
                                   triple.str() + "'");
  return tm;
}

uint64_t requiredCpuFeatures(llvm::TargetMachine &tm) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  if (!tm.getTargetTriple().isX86())
    return 0;
  // Must match runtime-stub/runtime_internal.h.
  static const std::pair<const char *, uint64_t> bits[] = {
      {"+sse4.2", 1u << 0},   {"+avx", 1u << 1},      {"+avx2", 1u << 2},
      {"+fma", 1u << 3},      {"+avx512f", 1u << 4},  {"+avx512bw", 1u << 5},
      {"+avx512dq", 1u << 6}, {"+avx512vl", 1u << 7}, {"+f16c", 1u << 8},
      {"+bmi2", 1u << 9},     {"+avx512bf16", 1u << 10}, {"+avx512vnni", 1u << 11},
      {"+avxvnni", 1u << 12}};
  uint64_t mask = 0;
  for (auto [feature, bit] : bits)
    if (sti->checkFeatures(feature))
      mask |= bit;
  return mask;
}

VectorRegisterFile vectorRegisterFile(llvm::TargetMachine &tm) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  const llvm::Triple &triple = tm.getTargetTriple();
  if (triple.isX86()) {
    // Without FMA the kernels' vector.fma would become a libm call per lane: leave them off.
    if (sti->checkFeatures("+avx512f"))
      return {512, 32};
    if (sti->checkFeatures("+avx2") && sti->checkFeatures("+fma"))
      return {256, 16};
    return {};
  }
  if (triple.isAArch64() && sti->checkFeatures("+neon"))
    return {128, 32};
  return {};
}

} // namespace onnxc
