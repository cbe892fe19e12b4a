#include "codegen/Codegen.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/AArch64TargetParser.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace onnxc {

static llvm::Triple targetTriple(const std::string &triple) {
  // "aarch64-linux-gnu" parsed as is would read "linux" as the vendor and "gnu" as the OS.
  return llvm::Triple(llvm::Triple::normalize(
      triple.empty() ? llvm::sys::getDefaultTargetTriple() : triple));
}

std::string defaultCpu(const std::string &triple) {
  llvm::Triple t = targetTriple(triple);
  // x86-64-v3: AVX2 + FMA, every x86-64 CPU since 2015. AArch64: armv8-a with NEON, which
  // every 64-bit ARM Linux board has; newer extensions are opt-in (--mcpu=cortex-a76, +sve).
  return t.isX86() ? "x86-64-v3" : "generic";
}

/// Splits "cortex-a76+nodotprod+sve" into the CPU and LLVM features ("-dotprod,+sve").
/// AArch64 extensions take clang's names (fp16, crypto, ...), mapped to LLVM's features;
/// elsewhere a suffix is an LLVM feature name.
static llvm::Error splitCpuExtensions(const llvm::Triple &triple, std::string &cpu,
                                      std::vector<std::string> &features) {
  size_t plus = cpu.find('+');
  if (plus == std::string::npos)
    return llvm::Error::success();
  llvm::SmallVector<llvm::StringRef> exts;
  llvm::StringRef(cpu).substr(plus + 1).split(exts, '+');
  for (llvm::StringRef ext : exts) {
    bool negative = ext.consume_front("no");
    if (ext.empty())
      return llvm::createStringError("empty extension in --mcpu '" + cpu + "'");
    if (triple.isAArch64()) {
      auto info = llvm::AArch64::parseArchExtension(ext);
      if (!info)
        return llvm::createStringError("unknown AArch64 extension '" + ext.str() +
                                       "' in --mcpu '" + cpu + "'");
      features.push_back((negative ? info->NegTargetFeature : info->PosTargetFeature).str());
    } else {
      features.push_back((negative ? "-" : "+") + ext.str());
    }
  }
  cpu.resize(plus);
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const TargetSpec &spec) {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  llvm::InitializeAllAsmParsers(); // The runtime stub has inline asm (cpuid, xgetbv).
  llvm::Triple triple = targetTriple(spec.triple);
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("unknown target '" + triple.str() + "': " + error);
  std::string cpu = spec.cpu.empty() ? defaultCpu(spec.triple) : spec.cpu;
  std::vector<std::string> featureList;
  if (auto err = splitCpuExtensions(triple, cpu, featureList))
    return std::move(err);
  if (!spec.features.empty()) {
    llvm::SmallVector<llvm::StringRef> attrs;
    llvm::StringRef(spec.features).split(attrs, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef a : attrs) {
      a = a.trim();
      featureList.push_back(a.starts_with("+") || a.starts_with("-") ? a.str() : "+" + a.str());
    }
  }
  if (cpu == "native") {
    if (!spec.triple.empty() && llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch() !=
                                    triple.getArch())
      return llvm::createStringError("--mcpu=native only makes sense for the host's target");
    cpu = llvm::sys::getHostCPUName().str();
    std::vector<std::string> host;
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      host.push_back(std::string(f.second ? "+" : "-") + f.first().str());
    featureList.insert(featureList.begin(), host.begin(), host.end());
  }
  // LLVM only warns about unknown CPUs and features (and ignores them): refuse them here.
  {
    std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(triple, cpu, ""));
    if (!sti || !sti->isCPUStringValid(cpu))
      return llvm::createStringError("unknown CPU '" + cpu + "' for target '" + triple.str() +
                                     "'");
    for (const std::string &f : featureList) {
      llvm::StringRef name = llvm::StringRef(f).drop_front();
      if (!llvm::any_of(sti->getAllProcessorFeatures(),
                        [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; }))
        return llvm::createStringError("unknown feature '" + name.str() + "' for target '" +
                                       triple.str() + "'");
    }
  }
  std::string features = llvm::join(featureList, ",");
  llvm::TargetOptions options;
  auto level = spec.optLevel <= 0   ? llvm::CodeGenOptLevel::None
               : spec.optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : spec.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                    : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for '" + triple.str() + "'");
  return tm;
}

uint64_t requiredCpuFeatures(llvm::TargetMachine &tm) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  // Must match runtime-stub/runtime_internal.h. A bit is required when the code may use every
  // feature of its entry (comma-separated: all of them).
  static const std::pair<const char *, uint64_t> x86[] = {
      {"+sse4.2", 1u << 0},   {"+avx", 1u << 1},      {"+avx2", 1u << 2},
      {"+fma", 1u << 3},      {"+avx512f", 1u << 4},  {"+avx512bw", 1u << 5},
      {"+avx512dq", 1u << 6}, {"+avx512vl", 1u << 7}, {"+f16c", 1u << 8},
      {"+bmi2", 1u << 9},     {"+avx512bf16", 1u << 10}, {"+avx512vnni", 1u << 11},
      {"+avxvnni", 1u << 12}};
  static const std::pair<const char *, uint64_t> aarch64[] = {
      {"+neon", 1u << 0},      {"+fullfp16", 1u << 1}, {"+dotprod", 1u << 2},
      {"+fp16fml", 1u << 3},   {"+rdm", 1u << 4},      {"+complxnum", 1u << 5},
      {"+lse", 1u << 6},       {"+rcpc", 1u << 7},     {"+sve", 1u << 8},
      {"+sve2", 1u << 9},      {"+fptoint", 1u << 10}, {"+i8mm", 1u << 11},
      {"+bf16", 1u << 12},     {"+sve,+i8mm", 1u << 13}, {"+sve,+bf16", 1u << 14}};
  llvm::ArrayRef<std::pair<const char *, uint64_t>> bits;
  if (tm.getTargetTriple().isX86())
    bits = x86;
  else if (tm.getTargetTriple().isAArch64())
    bits = aarch64;
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
