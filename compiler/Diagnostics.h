#ifndef ONNXC_COMPILER_DIAGNOSTICS_H
#define ONNXC_COMPILER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

namespace onnxc {

/// Prints diagnostics in a compiler's form:
///   model.onnx: node 'Conv_12' (Conv, opset 13): error: <message>
///   model.onnx: node 'Relu_3' (Relu, opset 13): note: <message>
/// Locations come from the importer: NameLoc("node ...") wrapping the model file's location.
class OnnxDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
public:
  /// `json`: one JSON object per line, {"file", "node", "severity", "message", "notes": [...]}
  /// (--diagnostics-format=json, for tools).
  explicit OnnxDiagnosticHandler(mlir::MLIRContext *ctx, bool json = false);
  int errorCount() const { return errors; }

private:
  int errors = 0;
};

} // namespace onnxc

#endif
