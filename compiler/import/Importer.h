// ONNX ModelProto -> `onnx` dialect. The entry point of the compiler's front end.
#ifndef ONNXC_COMPILER_IMPORT_IMPORTER_H
#define ONNXC_COMPILER_IMPORT_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace onnxc {

struct ImportOptions {
  /// --shape NAME=DIMS: fixes (symbolic or not) dims of graph inputs.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Constants with more elements than this become resource blobs (no copy into the context's
  /// attribute storage); smaller ones stay inline so folders can read them.
  int64_t inlineConstantLimit = 1024;
};

/// Reads and imports `path`. On failure, diagnostics were emitted through the context and the
/// result is null. The module holds one `func.func @main_graph` whose arguments and results
/// carry `onnx.name` attributes with the graph's input and output names.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModel(mlir::MLIRContext &context,
                                                  const std::string &path,
                                                  const ImportOptions &options);

/// The same from bytes in memory; `path` names the model in diagnostics and anchors external
/// data (the fuzzer's entry).
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModelFromBuffer(mlir::MLIRContext &context,
                                                            llvm::StringRef bytes,
                                                            const std::string &path,
                                                            const ImportOptions &options);

/// The location of byte `offset` in the model file `fileName`: ONNX files have no lines, so
/// it is a FileLineColLoc with line 0 and the offset as column (the importer's whole-file
/// location is line 0, column 0; no graph entry starts at byte 0). Diagnostics print it as
/// `model.onnx:@0x1a2b` (compiler/Diagnostics.cpp).
mlir::Location offsetLoc(mlir::MLIRContext *ctx, llvm::StringRef fileName, uint64_t offset);

} // namespace onnxc

#endif
