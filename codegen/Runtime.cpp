// Links the runtime stub's bitcode into the model's module and internalizes everything but
// the model's API: each library carries its own private copy of the stub, so several models
// link into one program without clashes, and the stub is optimized with the entry points.
#include "codegen/Codegen.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Triple.h"

namespace onnxc {

std::string runtimeTargetDir(const std::string &runtimeDir, const std::string &tripleStr) {
  // arch-os-env, the vendor dropped and the arch canonical: x86_64-pc-linux-gnu and
  // x86_64-linux-gnu share a stub, arm64-linux-gnu is aarch64-linux-gnu.
  llvm::Triple t(llvm::Triple::normalize(tripleStr));
  std::string sub =
      llvm::Triple::getArchTypeName(t.getArch()).str() + "-" + t.getOSName().str();
  if (!t.getEnvironmentName().empty())
    sub += "-" + t.getEnvironmentName().str();
  llvm::SmallString<256> dir(runtimeDir);
  llvm::sys::path::append(dir, sub);
  return std::string(dir);
}

llvm::Error linkRuntime(llvm::Module &module, const std::string &runtimeDir,
                        llvm::ArrayRef<std::string> apiSymbols, const char *stub) {
  std::string triple = module.getTargetTriple().str();
  llvm::SmallString<256> path(runtimeTargetDir(runtimeDir, triple));
  llvm::sys::path::append(path, stub);
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("no runtime stub for target '" + triple + "' (looked for " +
                                   std::string(path) + "; set ONNXC_RUNTIME_DIR)");
  auto runtime = llvm::parseBitcodeFile((*buffer)->getMemBufferRef(), module.getContext());
  if (!runtime)
    return llvm::createStringError("cannot read " + std::string(path) + ": " +
                                   llvm::toString(runtime.takeError()));
  // Same target by construction (the folder is per triple); the data layout string of
  // clang's output and the TargetMachine's can differ in spelling only.
  (*runtime)->setTargetTriple(module.getTargetTriple());
  (*runtime)->setDataLayout(module.getDataLayout());
  if (llvm::Linker::linkModules(module, std::move(*runtime)))
    return llvm::createStringError("linking the runtime stub failed");
  for (llvm::GlobalValue &gv : module.global_values()) {
    // llvm.global_ctors/dtors (the thread pool's destructor) keep their appending linkage.
    if (gv.isDeclaration() || gv.getName().starts_with("llvm.") ||
        llvm::is_contained(apiSymbols, gv.getName().str()))
      continue;
    gv.setLinkage(llvm::GlobalValue::InternalLinkage);
    gv.setVisibility(llvm::GlobalValue::DefaultVisibility); // Internal needs default.
  }
  return llvm::Error::success();
}

} // namespace onnxc
