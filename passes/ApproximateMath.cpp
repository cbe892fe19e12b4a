// Replace calls of libm's transcendental functions in kernels by inline polynomials.
#include "passes/Passes.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace onnxc {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// The functions whose f32 approximations hold over the whole domain (range reduction by
/// the exponent, NaN and infinities kept): a few ulp, far inside ONNX's tolerances. sin and
/// cos are left to libm: their range reduction loses accuracy for large arguments.
bool approximated(StringRef name) {
  return llvm::is_contained({"math.exp", "math.expm1", "math.log", "math.log1p", "math.log2",
                             "math.tanh", "math.erf"},
                            name);
}

struct ApproximateMathPass : onnxc::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathF32ExpansionPatterns(patterns, approximated);
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
