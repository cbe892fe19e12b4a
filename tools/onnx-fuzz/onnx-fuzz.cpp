// libFuzzer target: arbitrary bytes as an ONNX model through the importer, the verifier,
// shape inference and the lowering to linalg (the code that sees untrusted input; LLVM's
// code generation only ever sees what these stages produced). Any crash, hang or sanitizer
// report is a bug; clean diagnostics are the expected outcome for almost every input.
#include "compiler/Pipeline.h"
#include "compiler/import/Importer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

// How far the inputs got, printed at exit ("which stages the inputs reached"): every run
// counts in `executions`; each later counter is the number of inputs that passed that stage.
namespace {
struct StageCounts {
  uint64_t executions = 0, imported = 0, verified = 0, onnxPasses = 0, linalg = 0;
  ~StageCounts() {
    if (executions)
      std::fprintf(stderr,
                   "onnx-fuzz stages: %llu executions, %llu imported (parsed, checked, every "
                   "node shape-inferred), %llu verified, %llu through the onnx passes, %llu "
                   "lowered to linalg\n",
                   (unsigned long long)executions, (unsigned long long)imported,
                   (unsigned long long)verified, (unsigned long long)onnxPasses,
                   (unsigned long long)linalg);
  }
} stages;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry;
    onnxc::registerCompilerDialects(*r);
    onnxc::registerCompilerPasses();
    return r;
  }();
  // External data is resolved next to the model: point that at an empty folder.
  static std::string dir = [] {
    char tmpl[] = "/tmp/onnx-fuzz-XXXXXX";
    const char *d = mkdtemp(tmpl);
    return std::string(d ? d : "/nonexistent");
  }();
  mlir::MLIRContext ctx(*registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(&ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  onnxc::ImportOptions options;
  auto module = onnxc::importOnnxModelFromBuffer(
      ctx, llvm::StringRef(reinterpret_cast<const char *>(data), size), dir + "/model.onnx",
      options);
  ++stages.executions;
  if (!module)
    return 0;
  ++stages.imported;
  if (mlir::failed(mlir::verify(*module)))
    return 0;
  ++stages.verified;
  // The same passes as buildOnnxToLinalgPipeline, run in two steps to count each.
  mlir::PassManager onnxPasses(&ctx);
  if (mlir::failed(mlir::parsePassPipeline(
          "func.func(onnx-shape-inference,canonicalize,cse,onnx-shape-inference)", onnxPasses)))
    std::abort();
  if (mlir::failed(onnxPasses.run(*module)))
    return 0;
  ++stages.onnxPasses;
  mlir::PassManager pm(&ctx);
  onnxc::buildOnnxToLinalgPipeline(pm);
  if (mlir::succeeded(pm.run(*module)))
    ++stages.linalg;
  return 0;
}
