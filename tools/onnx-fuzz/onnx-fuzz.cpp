// libFuzzer target: arbitrary bytes as an ONNX model through the importer, the verifier,
// shape inference and the lowering to linalg (the code that sees untrusted input; LLVM's
// code generation only ever sees what these stages produced). Any crash, hang or sanitizer
// report is a bug; clean diagnostics are the expected outcome for almost every input.
#include "compiler/Pipeline.h"
#include "compiler/import/Importer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <cstdlib>
#include <unistd.h>

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
  if (!module)
    return 0;
  mlir::PassManager pm(&ctx);
  onnxc::buildOnnxToLinalgPipeline(pm);
  (void)pm.run(*module);
  return 0;
}
