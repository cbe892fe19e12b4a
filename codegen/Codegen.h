// LLVM-side code generation: target machines, entry points and descriptor, optimization,
// object emission, and linking the shared library with the runtime stub.
#ifndef ONNXC_CODEGEN_CODEGEN_H
#define ONNXC_CODEGEN_CODEGEN_H

#include "codegen/ModelInterface.h"

#include "mlir/Dialect/LLVMIR/LLVMAttrs.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
class raw_pwrite_stream;
} // namespace llvm

namespace onnxc {

struct TargetSpec {
  std::string triple; // Empty: the host's.
  /// Empty: the target's default (x86-64-v3 on x86-64, generic armv8-a + NEON on AArch64);
  /// "native" resolves to the host CPU. May carry extensions, clang style:
  /// "cortex-a76+nodotprod", "generic+sve".
  std::string cpu;
  int optLevel = 3;
  std::string features; // LLVM target features (--mattr), e.g. "+sve,-dotprod".
};

/// The CPU --mcpu defaults to for `triple` (empty: the host's).
std::string defaultCpu(const std::string &triple);

/// A weight constant detached from the LLVM-dialect module (see Weights.cpp).
struct DetachedWeight {
  std::string symbol;
  llvm::ArrayRef<char> bytes; // Owned by the MLIR context (resource blob or attribute storage).
  int64_t elementBytes;
  char kind; // 'f' f32, 'd' f64, 'h' f16, 'b' bf16, 'i' integer.
  uint64_t alignment;
  mlir::LLVM::Linkage linkage;
};
using DetachedWeights = std::vector<DetachedWeight>;

/// Removes the initializers of large constant globals before LLVM translation...
DetachedWeights detachLargeConstants(mlir::ModuleOp module);
/// ...and re-attaches them as raw data arrays after it.
void attachWeights(llvm::Module &module, const DetachedWeights &weights);

/// Creates the target machine (PIC, for shared libraries).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const TargetSpec &spec);

/// Bits of runtime-stub/runtime_internal.h's ONNXC_CPU_* that code for `tm` may use.
uint64_t requiredCpuFeatures(llvm::TargetMachine &tm);

/// The vector registers the generated kernels may use: width in bits (0: no vector kernels)
/// and count. x86 needs FMA (AVX2+FMA or AVX-512); AArch64 has NEON.
struct VectorRegisterFile {
  int64_t bits = 0, count = 0;
};
VectorRegisterFile vectorRegisterFile(llvm::TargetMachine &tm);

/// Function attribute marking code that runs before the runtime's CPU check (the exported
/// entry points): it is compiled for the target's baseline CPU, never with --mcpu's features.
constexpr const char *kBaselineCpuAttr = "onnxc-baseline-cpu";

/// Adds the kernel wrapper, the descriptor, and the exported entry points around the lowered
/// `main_graph` (bare-pointer convention: inputs, outputs, workspace). `genericGetter` adds
/// the unprefixed `onnxc_model_get` (shared libraries only: in a static archive it would
/// clash between models). Returns the names of the exported symbols.
llvm::Expected<std::vector<std::string>> addEntryPoints(llvm::Module &module,
                                                        const ModelInterface &model,
                                                        bool genericGetter);

/// The folder with the runtime stub and link stubs of `triple` under `runtimeDir`.
std::string runtimeTargetDir(const std::string &runtimeDir, const std::string &triple);

/// Links the runtime stub's bitcode into `module` and internalizes every definition except
/// `apiSymbols` (see Runtime.cpp).
llvm::Error linkRuntime(llvm::Module &module, const std::string &runtimeDir,
                        llvm::ArrayRef<std::string> apiSymbols,
                        const char *stub = "onnxc_rt.bc"); // CUDA: onnxc_cuda_rt.bc

enum class Sanitizer { None, Address, Thread };

/// Sets triple/data layout/CPU attributes and runs LLVM's optimization pipeline; with a
/// sanitizer, instruments every function (kernels and runtime stub) afterwards. The
/// sanitizer's runtime comes with the host program (clang -fsanitize=...).
void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm, int optLevel,
                    Sanitizer sanitizer = Sanitizer::None);

llvm::Error emitObject(llvm::Module &module, llvm::TargetMachine &tm,
                       llvm::raw_pwrite_stream &out);

/// Links `objectPath` (the model with its runtime stub) into a shared library against the
/// libc/libm link stubs of `triple` from `runtimeDir`.
/// With `allowUndefined` (sanitized code), the sanitizer's entry points stay undefined until
/// the library is loaded into an instrumented program.
llvm::Error linkSharedLibrary(const std::string &objectPath, const std::string &outputPath,
                              const std::string &runtimeDir, const std::string &triple,
                              bool allowUndefined = false);

/// Writes `object` as the only member of a static archive at `outputPath`.
llvm::Error writeStaticArchive(llvm::StringRef object, const std::string &memberName,
                               const std::string &outputPath);

/// The folder holding the runtime stubs of every target: $ONNXC_RUNTIME_DIR, else
/// <dir of executable>/../lib/onnx-compile.
std::string defaultRuntimeDir(const char *argv0);

} // namespace onnxc

#endif
