#ifndef ONNXC_COMPILER_DIAGNOSTICS_H
#define ONNXC_COMPILER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

namespace onnxc {

/// Prints diagnostics in a compiler's form:
///   model.onnx:@0x1a2b: node 'Conv_12' (Conv, opset 13): error: <message>
///   model.onnx:@0x1c40: node 'Relu_3' (Relu, opset 13): note: <message>
///   model.onnx: error: <message about the whole file>
/// Locations come from the importer: NameLoc("node ...") wrapping the model file's location;
/// `@0x1a2b` is the byte offset (hex) where the node's (initializer's, graph input's or
/// output's) NodeProto begins in the file (offsetLoc in compiler/import/Importer.h).
class OnnxDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
public:
  /// `json`: one JSON object per line, {"file", "offset" (a number, when known), "node",
  /// "severity", "message", "notes": [...]}
  /// (--diagnostics-format=json, for tools).
  explicit OnnxDiagnosticHandler(mlir::MLIRContext *ctx, bool json = false);
  int errorCount() const { return errors; }

private:
  int errors = 0;
};

} // namespace onnxc

#endif
