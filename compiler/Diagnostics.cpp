#include "compiler/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace onnxc {

namespace {
/// What a location says: the model file, the byte offset in it where the entry begins (the
/// importer's offsetLoc: line 0, the offset as column; 0 when unknown), and the node
/// description ("node 'x' (Conv, opset 13)").
struct Where {
  std::string file, node;
  uint64_t offset = 0;
};
} // namespace

static Where where(Location loc) {
  Where w;
  bool haveFile = false;
  loc->walk([&](Location l) {
    if (auto f = dyn_cast<FileLineColLoc>(l); f && !haveFile) {
      haveFile = true;
      w.file = f.getFilename().str();
      if (f.getLine() == 0)
        w.offset = f.getColumn();
    } else if (auto n = dyn_cast<NameLoc>(l); n && w.node.empty()) {
      w.node = n.getName().str();
    }
    return WalkResult::advance();
  });
  if (!haveFile)
    w.file = "onnx-compile";
  return w;
}

/// "file: node ..." or, when the offset is known, "file:@0x1a2b: node ..." (clang's
/// file:line:col, with the byte offset in hex as hex dumps show it).
static std::string describe(Location loc) {
  Where w = where(loc);
  std::string s = w.file;
  if (w.offset)
    s += llvm::formatv(":@{0:x}", w.offset).str();
  return w.node.empty() ? s : s + ": " + w.node;
}

static void writeJson(llvm::json::OStream &j, Location loc, StringRef severity, StringRef msg) {
  Where w = where(loc);
  j.attribute("file", w.file);
  if (w.offset)
    j.attribute("offset", static_cast<int64_t>(w.offset));
  if (!w.node.empty())
    j.attribute("node", w.node);
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
