#include "passes/Passes.h"

namespace onnxc {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIES
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {
struct LowerStridedCopiesPass : onnxc::impl::LowerStridedCopiesBase<LowerStridedCopiesPass> {
  void runOnOperation() override {
    getOperation().walk([](memref::CopyOp copy) {
      auto identity = [](Value v) {
        auto t = cast<MemRefType>(v.getType());
        return t.getLayout().isIdentity();
      };
      if (identity(copy.getSource()) && identity(copy.getTarget()))
        return;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    });
  }
};
} // namespace
