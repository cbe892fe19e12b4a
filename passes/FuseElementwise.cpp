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

/// Whether `v` is the result of a contraction on its own map (a linalg op with reduction
/// loops; through collapse_shapes, as Conv's group dim is dropped): its consumer may become
/// that contraction's epilogue. Not through an expand_shape: that is a flattened
/// contraction, which collapsing the consumer serves. Uses are not counted: while the
/// patterns run, the op that an elementwise fusion replaced still reads `v` until the driver
/// erases it.
bool unflattenedContraction(Value v) {
  while (auto c = v.getDefiningOp<tensor::CollapseShapeOp>())
    v = c.getSrc();
  auto producer = v.getDefiningOp<linalg::LinalgOp>();
  return producer && producer.getNumLoops() != producer.getNumParallelLoops();
}

/// Collapse an elementwise op whose operand comes out of an expand_shape (a pointwise Conv's
/// result, computed on flattened spatial dims) onto the collapsed dims, so that it reads the
/// contraction's result directly and can become its epilogue. Other consumers (reductions,
/// contractions) keep their loops, and so does an elementwise op that another contraction
/// on the unflattened map feeds directly: it is that one's epilogue already (resnet18's
/// residual Add of a 3x3 conv and a flattened strided 1x1 projection: collapsed, it read
/// the 3x3 conv through a reshape, was fused into neither, and cost 6 more loops).
bool collapsesElementwise(OpOperand *operand) {
  auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
  if (!consumer || consumer.getNumLoops() != consumer.getNumParallelLoops())
    return false;
  for (OpOperand &other : consumer->getOpOperands())
    if (&other != operand && consumer.isDpsInput(&other) && unflattenedContraction(other.get()))
      return false;
  return true;
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
