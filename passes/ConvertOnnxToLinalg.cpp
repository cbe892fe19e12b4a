#include "passes/Passes.h"
#include "passes/lowering/LoweringUtils.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Diagnostics.h"

namespace onnxc {
#define GEN_PASS_DEF_CONVERTONNXTOLINALG
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {
struct ConvertOnnxToLinalgPass
    : onnxc::impl::ConvertOnnxToLinalgBase<ConvertOnnxToLinalgPass> {
  // cf.assert records the static sizes elementwise ops assume (LoweringUtils.cpp,
  // assumeStaticDims); declared here rather than in Passes.td, whose edits rebuild every pass.
  void getDependentDialects(DialectRegistry &registry) const override {
    ConvertOnnxToLinalgBase::getDependentDialects(registry);
    registry.insert<cf::ControlFlowDialect>();
  }
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    onnxc::lowering::populateElementwisePatterns(patterns);
    onnxc::lowering::populateMatMulPatterns(patterns);
    onnxc::lowering::populateConvolutionPatterns(patterns);
    onnxc::lowering::populatePoolingPatterns(patterns);
    onnxc::lowering::populateNormalizationPatterns(patterns);
    onnxc::lowering::populateDataMovementPatterns(patterns);
    onnxc::lowering::populateReductionPatterns(patterns);
    onnxc::lowering::populateSamplingPatterns(patterns);
    onnxc::lowering::populateConvTransposePatterns(patterns);
    onnxc::lowering::populateSignalPatterns(patterns);
    onnxc::lowering::populateEinsumPatterns(patterns);
    onnxc::lowering::populateControlFlowPatterns(patterns);
    onnxc::lowering::populateRecurrentPatterns(patterns);
    onnxc::lowering::populateDataDependentPatterns(patterns);

    // The onnx dialect is not marked illegal: an illegal op that no pattern converts stops the
    // conversion at the first one and adds a generic "failed to legalize" error. Left
    // unknown, every refused op keeps its own diagnostic and the rest still convert.
    ConversionTarget target(*ctx);
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect, arith::ArithDialect,
                           math::MathDialect, func::FuncDialect, scf::SCFDialect,
                           bufferization::BufferizationDialect, cf::ControlFlowDialect,
                           memref::MemRefDialect>();
    // A sequence push on a buffer waits for onnx-lower-sequence-pushes (after bufferization).
    auto pushOnBuffer = [](Operation *op) {
      auto push = dyn_cast<onnxc::onnx::SequencePushOp>(op);
      return push && isa<BaseMemRefType>(push.getValue().getType());
    };
    target.addDynamicallyLegalOp<onnxc::onnx::SequencePushOp>(
        [&](Operation *op) { return pushOnBuffer(op); });

    // Patterns explain their own refusals; count them so that an op without any pattern
    // still gets a message, and one with a message does not get two.
    int errors = 0;
    ScopedDiagnosticHandler counter(ctx, [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        ++errors;
      return failure(); // Let the diagnostic through to the next handler.
    });
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      return signalPassFailure();
    bool leftover = false;
    getOperation().walk([&](Operation *op) {
      if (isa<onnxc::onnx::OnnxDialect>(op->getDialect()) && !pushOnBuffer(op)) {
        leftover = true;
        if (!errors)
          op->emitError() << "cannot be lowered: no lowering for " << op->getName();
      }
    });
    if (leftover || errors)
      signalPassFailure();
  }
};
} // namespace
