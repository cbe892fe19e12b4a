// Helpers shared by the op table's converters (OpTable.cpp and the per-family converter files
// next to it): result plumbing, input checks, and the Decomposer that rewrites one ONNX node
// into a chain of dialect ops at import.
#ifndef ONNXC_COMPILER_IMPORT_CONVERTERUTILS_H
#define ONNXC_COMPILER_IMPORT_CONVERTERUTILS_H

#include "compiler/import/OpTable.h"

#include "dialects/onnx/OnnxDialect.h"

namespace onnxc {

using Result = llvm::FailureOr<llvm::SmallVector<mlir::Value>>;

Result results(mlir::Operation *op);
/// Refuses optional outputs the dialect op does not produce.
llvm::LogicalResult onlyOutputs(NodeContext &c, int count);
/// The input's ranked float type with static dims, or an error naming what needs it.
llvm::FailureOr<mlir::RankedTensorType> staticInput(NodeContext &c, size_t i);
llvm::FailureOr<int64_t> normAxis(NodeContext &c, int64_t axis, int64_t rank);

/// Optional, OptionalHasElement and OptionalGetElement (Optionals.cpp).
bool isOptionalOp(llvm::StringRef opType);
/// onnx.Check: `value` when the bool scalar `cond` holds at run time, else the run ends with
/// status 12 (ONNXC_ERROR_RUNTIME_CHECK). Null after an error.
mlir::Value buildRuntimeCheck(NodeContext &c, mlir::Value cond, mlir::Value value,
                              llvm::StringRef message);

/// BatchNormalization with training_mode=1 (Training.cpp).
Result convertBatchNormTraining(NodeContext &c);

/// The most elements a converter lets a constant it builds (a DFT basis, an index table) or a
/// list of generated ops have: a malformed model must get an error, not exhaust memory at
/// compile time.
constexpr int64_t kMaxGeneratedElements = int64_t(1) << 24;

/// Whether a * b * ... stays within kMaxGeneratedElements (all factors non-negative).
inline bool withinGeneratedLimit(std::initializer_list<int64_t> factors) {
  int64_t total = 1;
  for (int64_t f : factors)
    if (f < 0 || __builtin_mul_overflow(total, f, &total) || total > kMaxGeneratedElements)
      return false;
  return true;
}

/// Adds the converters defined outside OpTable.cpp to the default-domain table.
void addTrainingModeConverters(llvm::StringMap<Converter> &t);
void addSpectralConverters(llvm::StringMap<Converter> &t);
void addTextConverters(llvm::StringMap<Converter> &t);

/// Builds a chain of intermediate ops for one node; after the first failure (already
/// reported) it builds nothing more and returns null values.
struct Decomposer {
  NodeContext &c;
  NodeContext inner;
  bool failedAny = false;
  explicit Decomposer(NodeContext &c) : c(c), inner(c.b, c.loc, c.node, c.opset, {}, {}) {}

  mlir::Value op(llvm::StringRef name, mlir::ValueRange operands,
                 llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    if (failedAny || llvm::any_of(operands, [](mlir::Value v) { return !v; })) {
      failedAny = true;
      return {};
    }
    auto o = inner.create(name, operands, attrs);
    if (mlir::failed(o)) {
      failedAny = true;
      return {};
    }
    return (*o)->getResult(0);
  }
  mlir::Value reduce(llvm::StringRef name, mlir::Value x, llvm::ArrayRef<int64_t> axes) {
    return op(name, x,
              {c.b.getNamedAttr("axes", c.b.getDenseI64ArrayAttr(axes)),
               c.b.getNamedAttr("keepdims", c.b.getI64IntegerAttr(1))});
  }
  mlir::Value scalar(mlir::Value like, double v) {
    if (failedAny || !like)
      return {};
    return c.constScalar(mlir::cast<mlir::ShapedType>(like.getType()).getElementType(), v);
  }
  mlir::Value castTo(mlir::Value x, mlir::Type et) {
    if (!x || mlir::cast<mlir::ShapedType>(x.getType()).getElementType() == et)
      return x;
    return op("Cast", x, {c.b.getNamedAttr("to", mlir::TypeAttr::get(et))});
  }
  mlir::Value reshape(mlir::Value x, llvm::ArrayRef<int64_t> shape) {
    if (failedAny)
      return {};
    return op("Reshape", {x, c.constI64(shape)});
  }
  /// (x - mean) / sqrt(var + eps) over `axes`; also returns the mean and 1/sqrt(var + eps).
  mlir::Value standardize(mlir::Value x, llvm::ArrayRef<int64_t> axes, double eps,
                          mlir::Value *meanOut = nullptr, mlir::Value *invStdOut = nullptr) {
    mlir::Value mean = reduce("ReduceMean", x, axes);
    mlir::Value d = op("Sub", {x, mean});
    mlir::Value var = reduce("ReduceMean", op("Mul", {d, d}), axes);
    mlir::Value invStd = op("Reciprocal", op("Sqrt", op("Add", {var, scalar(var, eps)})));
    if (meanOut)
      *meanOut = mean;
    if (invStdOut)
      *invStdOut = invStd;
    return op("Mul", {d, invStd});
  }
  Result done(llvm::ArrayRef<mlir::Value> values) {
    if (failedAny)
      return mlir::failure();
    return llvm::SmallVector<mlir::Value>(values);
  }
};

} // namespace onnxc

#endif
