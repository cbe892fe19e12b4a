#include "compiler/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace onnxc {

/// The model file and the node description ("node 'x' (Conv, opset 13)") in `loc`.
static std::pair<std::string, std::string> fileAndNode(Location loc) {
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
  return {file, node};
}

/// "file: node ...".
static std::string describe(Location loc) {
  auto [file, node] = fileAndNode(loc);
  return node.empty() ? file : file + ": " + node;
}

static void writeJson(llvm::json::OStream &j, Location loc, StringRef severity, StringRef msg) {
  auto [file, node] = fileAndNode(loc);
  j.attribute("file", file);
  if (!node.empty())
    j.attribute("node", node);
  j.attribute("severity", severity);
  j.attribute("message", msg);
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

OnnxDiagnosticHandler::OnnxDiagnosticHandler(MLIRContext *ctx, bool json)
    : ScopedDiagnosticHandler(ctx) {
  setHandler([this, json](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    if (json) {
      llvm::json::OStream j(llvm::errs());
      j.object([&] {
        writeJson(j, diag.getLocation(), severityName(diag.getSeverity()), diag.str());
        j.attributeArray("notes", [&] {
          for (Diagnostic &note : diag.getNotes())
            j.object([&] { writeJson(j, note.getLocation(), "note", note.str()); });
        });
      });
      llvm::errs() << "\n";
      return success();
    }
    llvm::errs() << describe(diag.getLocation()) << ": " << severityName(diag.getSeverity())
                 << ": " << diag.str() << "\n";
    for (Diagnostic &note : diag.getNotes())
      llvm::errs() << "  " << describe(note.getLocation()) << ": note: " << note.str() << "\n";
    return success();
  });
}

} // namespace onnxc
