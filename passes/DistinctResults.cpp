#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

namespace onnxc {
#define GEN_PASS_DEF_DISTINCTRESULTS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {
struct DistinctResultsPass : onnxc::impl::DistinctResultsBase<DistinctResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<RankedTensorType>(v.getType());
        bool earlier = llvm::any_of(ret->getOpOperands().take_front(operand.getOperandNumber()),
                                    [&](OpOperand &o) { return o.get() == v; });
        if (!type || !earlier)
          continue;
        operand.set(bufferization::AllocTensorOp::create(b, ret.getLoc(), type, ValueRange{},
                                                         /*copy=*/v));
      }
    });
  }
};
} // namespace
