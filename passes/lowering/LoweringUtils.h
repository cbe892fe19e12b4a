// Helpers every op-family lowering shares: static-type checks with diagnostics, broadcasting
// linalg.generic builders, fills and scalar constants.
#ifndef ONNXC_PASSES_LOWERING_LOWERINGUTILS_H
#define ONNXC_PASSES_LOWERING_LOWERINGUTILS_H

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>

namespace onnxc::lowering {

/// A condition on run-time dims that the op needs to mean anything (the axis a Gather reads
/// is not empty when it reads at all...): `cf.assert %cond {onnxc.dims_check}`, which
/// onnx-size-function makes a condition of the sizes, so that dims breaking it give
/// ONNXC_ERROR_DIMS_OUT_OF_RANGE before the run (docs/dynamic-shapes.md).
void requireDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Value cond,
                 llvm::StringRef what);
/// Two run-time sizes of one dim that the op reads as one (MatMul's K, Concat's other dims):
/// `dimOf(a, i) == dimOf(b, j)`. Between run-time input dims a condition on the dims
/// (requireDims); where one is read from data (a Slice's length read at run time...), whose
/// bound says nothing of its value, a data check with ONNXC_ERROR_DATA_SIZE
/// (`cf.assert {onnxc.data_check}`). Static or identical dims need nothing.
/// Whether the run-time size `index` is read from tensor data (a dim counted from data, a
/// value extracted from a tensor) rather than computed from the run-time input dims alone.
bool sizeFromData(mlir::Value index);
void requireSameDim(mlir::OpBuilder &b, mlir::Location loc, mlir::Value a, int64_t i,
                    mlir::Value other, int64_t j, llvm::StringRef what);
/// A condition on run-time sizes (index comparisons): a dims check (requireDims) where
/// every size in it comes from the run-time input dims, a data check
/// (`cf.assert {onnxc.data_check}`, ONNXC_ERROR_DATA_SIZE) where one is read from data
/// (sizeFromData). Nothing where the cf dialect is not loaded (onnx-opt tests without it).
void requireSizes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value cond,
                  llvm::StringRef what);

void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateMatMulPatterns(mlir::RewritePatternSet &patterns);
void populateConvolutionPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateSamplingPatterns(mlir::RewritePatternSet &patterns);
void populateConvTransposePatterns(mlir::RewritePatternSet &patterns);
void populateSignalPatterns(mlir::RewritePatternSet &patterns);
void populateEinsumPatterns(mlir::RewritePatternSet &patterns);
void populateControlFlowPatterns(mlir::RewritePatternSet &patterns);
void populateRecurrentPatterns(mlir::RewritePatternSet &patterns);
void populateDataDependentPatterns(mlir::RewritePatternSet &patterns);
/// A result dim counted at run time from data (NonZero, Unique...): `count`, marked with its
/// upper `bound` (which depends on dims only) for onnx-size-function (DataDependent.cpp).
mlir::Value dataDependentDim(mlir::OpBuilder &b, mlir::Location loc, mlir::Value count,
                             mlir::Value bound);

/// Whether the elementwise lowering (one scalar builder per op) handles `opName`.
bool isElementwiseLowering(llvm::StringRef opName);

/// The type of `v` if it is a statically shaped ranked tensor; otherwise emits an error on
/// `op` (dynamic dims are not lowered yet) and fails.
llvm::FailureOr<mlir::RankedTensorType> staticType(mlir::Operation *op, mlir::Value v);
/// The static types of a data-movement op's `input` and `result`, which must have the same
/// rank; emits the error on `op` otherwise.
llvm::FailureOr<std::pair<mlir::RankedTensorType, mlir::RankedTensorType>>
staticSameRank(mlir::Operation *op, mlir::Value input, mlir::Value result);
/// Checks operands and results of `op` together.
mlir::LogicalResult requireStaticShapes(mlir::Operation *op);
/// Like staticType / requireStaticShapes for lowerings that take dims known only at run time
/// (`?`): the values need only be ranked.
llvm::FailureOr<mlir::RankedTensorType> rankedType(mlir::Operation *op, mlir::Value v);
mlir::LogicalResult requireRankedShapes(mlir::Operation *op);
/// "fix the dims of input 'x' ... with --shape x=DIMS": names the graph inputs with dims
/// known only at run time, for refusals of ops that need static shapes.
std::string runtimeDimsHint(mlir::Operation *op);
/// Dim `dim` of `v` as an index: a constant, or tensor.dim for a run-time dim.
mlir::Value dimSize(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, int64_t dim);
/// The sizes of `type`'s run-time dims, each read (tensor.dim) from the first `like` value
/// whose dim at the same right-aligned position is a run-time dim too (numpy broadcasting).
llvm::SmallVector<mlir::Value> dynamicSizes(mlir::OpBuilder &b, mlir::Location loc,
                                            mlir::RankedTensorType type, mlir::ValueRange like);
/// Emits an error if the element type is not a float type.
mlir::LogicalResult requireFloat(mlir::Operation *op, mlir::Type elementType);
/// Emits an error unless `indices` has signless integer elements (int32 / int64 in ONNX).
mlir::LogicalResult requireIndices(mlir::Operation *op, mlir::Value indices);
/// Emits an error for unsigned element types, which arith cannot make constants of.
mlir::LogicalResult requireSignless(mlir::Operation *op, mlir::Type elementType);

/// An index element (any integer width) as an index into a dim of size `n`: negative values
/// count from the end. Out-of-range indices are invalid in ONNX; they are clamped so that a
/// bad input cannot read or write outside the buffer.
mlir::Value clampedIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value index, int64_t n);

/// A tensor.empty of `type` whose run-time dims are `dynSizes`, in order.
mlir::Value emptyTensorSized(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                             mlir::ValueRange dynSizes);
/// The run-time sizes of a windowed op's result [N, C, O...] (Conv, pools) over the padded
/// input `padded`: N from the input, O_i = (padded_i - extent_i) floordiv stride_i + 1.
llvm::SmallVector<mlir::Value> windowResultSizes(mlir::OpBuilder &b, mlir::Location loc,
                                                 mlir::Value padded,
                                                 mlir::RankedTensorType resultType,
                                                 llvm::ArrayRef<int64_t> kernel,
                                                 llvm::ArrayRef<int64_t> strides,
                                                 llvm::ArrayRef<int64_t> dilations);
/// A tensor.empty of `type`; run-time dims are sized from `like` (see dynamicSizes).
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                        mlir::ValueRange like = {});
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                         mlir::Value scalar, mlir::ValueRange like = {});
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, double v);
/// The lowest (or highest) value of a float or signed integer type: identities of max (min).
mlir::Value extremeConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                            bool lowest);

/// Indexing map that reads an operand of `operandShape` inside an iteration space of
/// `resultShape` with numpy broadcasting (operand dims right-aligned, size-1 dims pinned at 0).
mlir::AffineMap broadcastMap(llvm::ArrayRef<int64_t> operandShape,
                             llvm::ArrayRef<int64_t> resultShape, mlir::MLIRContext *ctx);

using ScalarBody =
    std::function<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// One linalg.generic over `resultType` reading each input with broadcasting; `body` maps the
/// input scalars to the result scalar.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType, mlir::ValueRange inputs,
                             const ScalarBody &body);

/// Reduces `input` over `axes` (kept as size-1 dims) with `combine`, starting from `init`.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                           llvm::ArrayRef<int64_t> axes, mlir::Value init,
                           const ScalarBody &combine);

/// `input` broadcast to `resultType`, its dims read as the result dims `dims` (one per input
/// dim, in order): e.g. a bias [G, M] over [N, G, M, H, W] with dims {1, 2}.
mlir::Value broadcastDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                          mlir::RankedTensorType resultType, llvm::ArrayRef<int64_t> dims,
                          mlir::ValueRange dynSizes = {});

/// Splits dim `dim` of `v` into [outer, size / outer] (a convolution's groups).
mlir::Value splitDim(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, int64_t dim,
                     int64_t outer);

/// The grouped convolution contraction out[n, g, m, o...] += in0 * in1 starting from `init`
/// ([N, G, M/G, O...]); `maps` has one map per input, then the output's (the first
/// init-rank loops parallel, the rest reductions). Inputs after the first two only give
/// loops their domain. The result is collapsed to `resultType` ([N, M, O...]).
mlir::Value groupedConvolution(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
                               mlir::Value init, llvm::ArrayRef<mlir::AffineMap> maps,
                               mlir::RankedTensorType resultType);

/// Pads `input` by `low`/`high` per dim with `padValue`, or returns it when all pads are 0.
/// A tensor.pad, or with `bordersOnly` and static shapes fills of the border slabs and an
/// insert_slice of the input (the padded buffer is not filled whole before the copy).
mlir::Value padTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      mlir::Value padValue, bool bordersOnly = false);

/// Shape arithmetic: the one-element integer `v` (an onnx value, before lowering) as an index
/// computed from the dims (`Gather(Shape(x), k) - 1`...): constants, a dim picked from a shape
/// vector (shapeVector) by a constant index, through Squeeze/Unsqueeze/Reshape/Identity/Cast
/// and Add/Sub/Mul/Div/Min/Max. Null otherwise (a value read from tensor data).
/// `remap` (a conversion pattern's rewriter.getRemappedValue) gives the lowered value of a
/// Shape's input where it has one, so that the dims read are the lowered tensor's (which
/// the lowerings' own tensor.dim reads, and sameDim-style comparisons can match).
using ValueMap = std::function<mlir::Value(mlir::Value)>;
mlir::Value shapeScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, int depth = 0,
                        const ValueMap &remap = {});
/// The entries of the 1-D integer `v` (an onnx value, before lowering) as indices computed
/// from the dims, where it is Shape arithmetic: constants, `Shape(x)` (start/end), Concat,
/// Gather and Slice with constant indices, Unsqueeze of a shapeScalar, Identity/Cast/Reshape/
/// Squeeze, and Add/Sub/Mul/Div/Min/Max entry by entry. std::nullopt otherwise.
std::optional<llvm::SmallVector<mlir::Value>> shapeVector(mlir::OpBuilder &b, mlir::Location loc,
                                                          mlir::Value v, int depth = 0,
                                                          const ValueMap &remap = {});

/// Reshapes between static shapes with the same element count (collapse to 1-D, expand).
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                          mlir::RankedTensorType resultType);

} // namespace onnxc::lowering

#endif
