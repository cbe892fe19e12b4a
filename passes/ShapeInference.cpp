#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"

namespace onnxc {
#define GEN_PASS_DEF_ONNXSHAPEINFERENCE
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// Replaces `op` by constants when its folder computes all its results from constant operands
/// (or, for Shape and Size, from its operand types). Done here, in the same walk as inference,
/// so that a shape computed from shapes (Shape -> Gather -> Concat -> Reshape -> Shape ...)
/// resolves in one pass: each op sees its operands already folded. Folds that return an
/// existing value (Identity) are left to canonicalization.
void foldToConstants(Operation *op) {
  if (op->hasTrait<OpTrait::ConstantLike>())
    return;
  SmallVector<Attribute> operands;
  for (Value v : op->getOperands()) {
    Attribute attr;
    matchPattern(v, m_Constant(&attr));
    operands.push_back(attr);
  }
  SmallVector<OpFoldResult> folded;
  if (failed(op->fold(operands, folded)) || folded.size() != op->getNumResults())
    return;
  OpBuilder b(op);
  SmallVector<Value> constants;
  for (auto [result, f] : llvm::zip(op->getResults(), folded)) {
    auto attr = dyn_cast_if_present<Attribute>(f);
    Operation *c = attr ? op->getDialect()->materializeConstant(b, attr, result.getType(),
                                                                  op->getLoc())
                        : nullptr;
    if (!c) {
      for (Value made : constants)
        made.getDefiningOp()->erase();
      return;
    }
    constants.push_back(c->getResult(0));
  }
  op->replaceAllUsesWith(constants);
  op->erase();
}

struct ShapeInferencePass : onnxc::impl::OnnxShapeInferenceBase<ShapeInferencePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<onnxc::onnx::ShapeInferenceOpInterface> ops;
    func.walk([&](onnxc::onnx::ShapeInferenceOpInterface op) { ops.push_back(op); });
    for (auto op : ops) {
      if (failed(op.inferShapes()))
        return signalPassFailure();
      foldToConstants(op);
    }
    if (func.getBody().empty())
      return;
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ret.getOperandTypes()));
  }
};
} // namespace
