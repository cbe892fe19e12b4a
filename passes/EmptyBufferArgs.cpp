#include "passes/Passes.h"

namespace onnxc {
#define GEN_PASS_DEF_EMPTYBUFFERARGS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// Whether convert-func-to-llvm can pass `t` as a bare pointer: static strides and offset.
bool barePointerCompatible(MemRefType t) {
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(t.getStridesAndOffset(strides, offset)) && ShapedType::isStatic(offset) &&
         llvm::all_of(strides, ShapedType::isStatic);
}

struct EmptyBufferArgsPass : onnxc::impl::EmptyBufferArgsBase<EmptyBufferArgsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    bool changed = false;
    for (BlockArgument arg : entry.getArguments()) {
      auto t = dyn_cast<MemRefType>(arg.getType());
      if (!t || !t.hasStaticShape() || t.getNumElements() != 0 || barePointerCompatible(t))
        continue;
      // Nothing is ever read from or written to a buffer without elements: a local one of the
      // same type stands in for the argument's uses.
      arg.replaceAllUsesWith(memref::AllocaOp::create(b, func.getLoc(), t));
      arg.setType(MemRefType::get({0}, t.getElementType()));
      changed = true;
    }
    if (changed)
      func.setType(FunctionType::get(&getContext(), entry.getArgumentTypes(),
                                     func.getResultTypes()));
  }
};

} // namespace
