// Everything the pipeline needs registered, in one translation unit: the InitAll headers are
// heavy to compile.
#include "compiler/Pipeline.h"
#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"
#include "passes/gpu/GpuPasses.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
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
}

} // namespace onnxc
