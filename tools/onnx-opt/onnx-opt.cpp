// onnx-opt: mlir-opt with the onnx dialect and this project's passes, for lit tests.
#include "compiler/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  onnxc::registerCompilerDialects(registry);
  onnxc::registerCompilerPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "onnx-compile optimizer driver\n", registry));
}
