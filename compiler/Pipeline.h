// The compiler driver: import, the pass pipeline (readable in one place, Pipeline.cpp), and
// code generation into the requested artifact.
#ifndef ONNXC_COMPILER_PIPELINE_H
#define ONNXC_COMPILER_PIPELINE_H

#include "codegen/ModelInterface.h"
#include "compiler/import/Importer.h"

#include "mlir/Pass/PassManager.h"

#include <string>

namespace onnxc {

enum class EmitKind { Mlir, Linalg, Llvm, Obj, So, Static, Ptx /* CUDA kernels */ };

struct CompileOptions {
  std::string input;
  std::string output;   // Empty: derived from the input and the emit kind.
  EmitKind emit = EmitKind::So;
  int optLevel = 3;
  std::string triple;   // Empty: the host's.
  std::string cpu;      // Empty: the target's default (codegen's defaultCpu).
  std::string features; // --mattr: LLVM target features, "+sve,-dotprod".
  std::string name;     // C prefix; empty: from the input file name.
  std::string runtimeDir;
  ImportOptions import;
  bool printIrAfterAll = false;
  bool timePasses = false;
  bool verbose = false;
  bool quiet = false; // No progress line on a terminal.
  bool jsonDiagnostics = false;
  std::string sanitize; // "", "address" or "thread": instrument the generated code.
  std::string gpu;      // --target cuda: sm_80, sm_86, sm_89 or sm_90 (triple: the host's).
  bool gpuTf32 = false; // --gpu-tf32: contractions on TF32 tensor cores (default exact fp32).
  /// With sanitize == "address": plan every workspace buffer one element short, so kernels
  /// access past their buffers (--debug-undersize-buffers; tests that redzones catch it).
  bool debugUndersizeBuffers = false;
};

/// Exit codes of onnx-compile (documented in README and --help).
enum ExitCode { kExitOk = 0, kExitModelError = 1, kExitUsage = 2, kExitIoError = 3 };

/// Registers every dialect, interface and translation the pipeline needs.
void registerCompilerDialects(mlir::DialectRegistry &registry);
/// Registers the project's passes and the upstream passes the pipeline names.
void registerCompilerPasses();

/// What the kernels may assume of the target (codegen/Target.cpp derives it from --target and
/// --mcpu); vectorBits 0 leaves contractions as plain loops.
struct KernelOptions {
  int64_t vectorBits = 0, vectorRegisters = 0;
  bool approximateMath = false; // Inline polynomials for exp, log, tanh, erf.
};

/// onnx-level cleanup and lowering to linalg on tensors (vector kernels when `kernels` says
/// the target has vector registers).
void buildOnnxToLinalgPipeline(mlir::OpPassManager &pm, const KernelOptions &kernels = {});

/// Runs the whole compilation; diagnostics go to stderr. Returns an ExitCode.
int compile(const CompileOptions &options, const char *argv0);

// Shared by compile() and the CUDA backend's driver (PipelineCuda.cpp).
/// Stage 3 of the pipeline: bufferization and the static memory plan. `writeIntoSlices`:
/// producers of Concat operands and padded Conv/pool inputs write into the concatenated /
/// padded buffers (onnx-write-into-concats, onnx-write-into-pads; off for the CUDA backend,
/// whose kernels have not been checked on strided outputs).
void buildBufferizePipeline(mlir::OpPassManager &pm, bool writeIntoSlices = true);
/// The model's tensors, read from main_graph after lowering to linalg.
mlir::FailureOr<ModelInterface> readInterface(mlir::ModuleOp module, const CompileOptions &o);
std::string defaultOutput(const CompileOptions &o);
int writeText(const std::string &path, llvm::function_ref<void(llvm::raw_ostream &)> print);
/// Writes the emitted object as --emit asks: the object itself (Obj), a static archive with
/// one member `<name>.o` (Static), or a shared library linked against the runtime stubs of
/// `triple` in `runtimeDir`. Returns an ExitCode.
int writeObjectOutput(EmitKind emit, llvm::ArrayRef<char> object, const std::string &output,
                      const std::string &name, const std::string &triple,
                      const std::string &runtimeDir, bool allowUndefined = false);
/// Runs the passes `build` adds on the module, with the driver's printing and timing options.
using PassRunner =
    llvm::function_ref<mlir::LogicalResult(llvm::function_ref<void(mlir::OpPassManager &)>)>;
/// compile() for --target cuda, from the imported module on.
int compileCuda(const CompileOptions &options, const char *argv0, mlir::ModuleOp module,
                PassRunner runPasses);

} // namespace onnxc

#endif
