// Links the model object with the runtime stub into a shared library, with lld in process:
// no host C compiler or linker is needed when a model is compiled. The libc/libm the
// library needs come from stub libraries built for each target (runtime-stub/), never from
// the host's, so cross-compiling cannot pick up host code.
#include "codegen/Codegen.h"

#include "lld/Common/Driver.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

LLD_HAS_DRIVER(elf)

namespace onnxc {

std::string defaultRuntimeDir(const char *argv0) {
  if (const char *env = std::getenv("ONNXC_RUNTIME_DIR"))
    return env;
  std::string exe = llvm::sys::fs::getMainExecutable(argv0, (void *)&defaultRuntimeDir);
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(dir, "lib", "onnx-compile");
  return std::string(dir);
}

/// The runtime subfolder for a triple: arch-os-env with the vendor dropped.
static std::string runtimeSubdir(const std::string &tripleStr) {
  llvm::Triple t(tripleStr);
  std::string s = t.getArchName().str() + "-" + t.getOSName().str();
  if (!t.getEnvironmentName().empty())
    s += "-" + t.getEnvironmentName().str();
  return s;
}

llvm::Error linkLibrary(const std::string &objectPath, const std::string &outputPath,
                        const std::string &runtimeDir, const std::string &triple) {
  llvm::SmallString<256> dir(runtimeDir);
  llvm::sys::path::append(dir, runtimeSubdir(triple));
  llvm::SmallString<256> rt(dir);
  llvm::sys::path::append(rt, "onnxc_rt.o");
  if (!llvm::sys::fs::exists(rt))
    return llvm::createStringError("no runtime stub for target '" + triple + "' (looked for " +
                                   std::string(rt) + "; set ONNXC_RUNTIME_DIR)");
  std::string soname = llvm::sys::path::filename(outputPath).str();
  std::vector<std::string> args = {"ld.lld",
                                   "-shared",
                                   "-o",
                                   outputPath,
                                   "-soname",
                                   soname,
                                   "--gc-sections",
                                   "--as-needed",
                                   "--hash-style=gnu",
                                   "--build-id",
                                   "-z",
                                   "relro",
                                   "-z",
                                   "now",
                                   "-z",
                                   "noexecstack",
                                   "--no-undefined",
                                   "--no-allow-shlib-undefined",
                                   objectPath,
                                   std::string(rt),
                                   "-L" + std::string(dir),
                                   "-lm",
                                   "-lc"};
  std::vector<const char *> argv;
  for (auto &a : args)
    argv.push_back(a.c_str());
  std::string out, err;
  llvm::raw_string_ostream outOs(out), errOs(err);
  lld::Result r = lld::lldMain(argv, outOs, errOs, {{lld::Gnu, &lld::elf::link}});
  if (r.retCode != 0 || !r.canRunAgain)
    return llvm::createStringError("linking failed: " + err);
  return llvm::Error::success();
}

} // namespace onnxc
