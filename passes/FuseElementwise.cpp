#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace onnxc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// Fuse only when it computes nothing twice.
bool fusesWithoutRecomputation(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
  if (!producer || !consumer || !producer->hasOneUse())
    return false;
  return consumer.getMatchingIndexingMap(operand).isPermutation();
}

/// Collapse an elementwise op whose operand comes out of an expand_shape (a pointwise Conv's
/// result, computed on flattened spatial dims) onto the collapsed dims, so that it reads the
/// contraction's result directly and can become its epilogue. Other consumers (reductions,
/// contractions) keep their loops.
bool collapsesElementwise(OpOperand *operand) {
  auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
  return consumer && consumer.getNumLoops() == consumer.getNumParallelLoops();
}

struct FuseElementwisePass : onnxc::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, fusesWithoutRecomputation);
    linalg::populateFoldReshapeOpsByCollapsingPatterns(patterns, collapsesElementwise);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
