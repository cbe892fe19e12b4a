// Links the model object with the runtime stub into a shared library, with lld in process:
// no host C compiler or linker is needed when a model is compiled. The libc/libm the
// library needs come from stub libraries built for each target (runtime-stub/), never from
// the host's, so cross-compiling cannot pick up host code.
#include "codegen/Codegen.h"

#include "lld/Common/Driver.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/MemoryBuffer.h"
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

llvm::Error linkSharedLibrary(const std::string &objectPath, const std::string &outputPath,
                              const std::string &runtimeDir, const std::string &triple,
                              bool allowUndefined) {
  std::string dir = runtimeTargetDir(runtimeDir, triple);
  llvm::SmallString<256> libc(dir);
  llvm::sys::path::append(libc, "libc.so");
  if (!llvm::sys::fs::exists(libc))
    return llvm::createStringError("no link stubs for target '" + triple + "' (looked for " +
                                   std::string(libc) + "; set ONNXC_RUNTIME_DIR)");
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
                                   objectPath,
                                   "-L" + dir,
                                   "-lm",
                                   "-lpthread",
                                   "-ldl",
                                   "-lc"};
  if (!allowUndefined) {
    args.push_back("--no-undefined");
    args.push_back("--no-allow-shlib-undefined");
  }
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

llvm::Error writeStaticArchive(llvm::StringRef object, const std::string &memberName,
                               const std::string &outputPath) {
  std::vector<llvm::NewArchiveMember> members(1);
  members[0].Buf = llvm::MemoryBuffer::getMemBuffer(object, memberName, false);
  members[0].MemberName = memberName;
  return llvm::writeArchive(outputPath, members, llvm::SymtabWritingMode::NormalSymtab,
                            llvm::object::Archive::K_GNU, /*Deterministic=*/true,
                            /*Thin=*/false);
}

} // namespace onnxc
