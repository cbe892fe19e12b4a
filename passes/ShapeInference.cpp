#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"

namespace onnxc {
#define GEN_PASS_DEF_ONNXSHAPEINFERENCE
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {
struct ShapeInferencePass : onnxc::impl::OnnxShapeInferenceBase<ShapeInferencePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto walked = func.walk([](onnxc::onnx::ShapeInferenceOpInterface op) {
      return failed(op.inferShapes()) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (walked.wasInterrupted())
      return signalPassFailure();
    if (func.getBody().empty())
      return;
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ret.getOperandTypes()));
  }
};
} // namespace
