// Everything the pipeline needs registered, in one translation unit: the InitAll headers are
// heavy to compile.
#include "compiler/Pipeline.h"
#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"
#include "passes/gpu/GpuPasses.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

namespace onnxc {

void registerCompilerDialects(mlir::DialectRegistry &registry) {
  registry.insert<onnx::OnnxDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
}

void registerCompilerPasses() {
  static bool done = false;
  if (done)
    return;
  done = true;
  mlir::registerAllPasses();
  registerOnnxPasses();
  registerOnnxGpuPasses();
  // The stage that turns tensors into the workspace plan, as one pipeline, so lit tests
  // check what the compiler runs (pass interactions, not just each pass alone).
  static mlir::PassPipelineRegistration<> bufferize(
      "onnx-bufferize-pipeline",
      "Stage 3 of onnx-compile: one-shot bufferization, out-params, the memory plan",
      [](mlir::OpPassManager &pm) { buildBufferizePipeline(pm); });
}

} // namespace onnxc
