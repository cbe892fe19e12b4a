#include "compiler/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace onnxc {

/// "file: node ...", from the innermost file and node names in `loc`.
static std::string describe(Location loc) {
  std::string file, node;
  loc->walk([&](Location l) {
    if (auto f = dyn_cast<FileLineColLoc>(l); f && file.empty())
      file = f.getFilename().str();
    else if (auto n = dyn_cast<NameLoc>(l); n && node.empty())
      node = n.getName().str();
    return WalkResult::advance();
  });
  if (file.empty())
    file = "onnx-compile";
  return node.empty() ? file : file + ": " + node;
}

static const char *severityName(DiagnosticSeverity s) {
  switch (s) {
  case DiagnosticSeverity::Error: return "error";
  case DiagnosticSeverity::Warning: return "warning";
  case DiagnosticSeverity::Note: return "note";
  case DiagnosticSeverity::Remark: return "remark";
  }
  return "error";
}

OnnxDiagnosticHandler::OnnxDiagnosticHandler(MLIRContext *ctx) : ScopedDiagnosticHandler(ctx) {
  setHandler([this](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    llvm::errs() << describe(diag.getLocation()) << ": " << severityName(diag.getSeverity())
                 << ": " << diag.str() << "\n";
    for (Diagnostic &note : diag.getNotes())
      llvm::errs() << "  " << describe(note.getLocation()) << ": note: " << note.str() << "\n";
    return success();
  });
}

} // namespace onnxc
