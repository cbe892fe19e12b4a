// Shape-valued operands (Slice's starts/ends/axes/steps, Pad's pads/axes, axes lists) resolved
// against an input shape, with ONNX's rules for negative and out-of-range values. Shared by
// shape inference, the folders and the lowering, so that all three agree.
#ifndef ONNXC_DIALECTS_ONNX_SHAPEOPERANDS_H
#define ONNXC_DIALECTS_ONNX_SHAPEOPERANDS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace onnxc::onnx {

/// The values of `v` if it is a constant integer tensor (any rank, any width, sign-extended).
std::optional<llvm::SmallVector<int64_t>> constantInts(mlir::Value v);
/// The values of `v` if it is a constant float tensor (any rank, any width, as double).
std::optional<llvm::SmallVector<double>> constantFloats(mlir::Value v);

/// One input dim's part of a Slice: the elements start, start + step, ... (`size` of them).
/// A dynamic input dim gives a dynamic size (and an unknown start).
struct SliceDim {
  int64_t start = 0, step = 1, size = 0;
};

/// Resolves Slice's constant operands against `shape`: negative starts/ends count from the
/// end, out-of-range ones are clamped (to [0, dim] for positive steps, [-1, dim - 1] for
/// negative ones); dims not named in `axes` (default 0..n-1) are taken whole. Emits on `op`
/// and fails for inconsistent operands.
llvm::FailureOr<llvm::SmallVector<SliceDim>>
resolveSlice(mlir::Operation *op, llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> starts,
             llvm::ArrayRef<int64_t> ends, std::optional<llvm::ArrayRef<int64_t>> axes,
             std::optional<llvm::ArrayRef<int64_t>> steps);

/// Pad's `pads` ([begin per axis..., end per axis...]) over `axes` (default: every dim) as
/// per-dim begin and end pads of a rank-`rank` input.
struct PadAmounts {
  llvm::SmallVector<int64_t> begin, end;
};
llvm::FailureOr<PadAmounts> resolvePads(mlir::Operation *op, int64_t rank,
                                        llvm::ArrayRef<int64_t> pads,
                                        std::optional<llvm::ArrayRef<int64_t>> axes);

/// Normalizes possibly negative `axes` against `rank`; fails (emitting on `op`) on an axis out
/// of range or listed twice.
llvm::FailureOr<llvm::SmallVector<int64_t>> normalizeAxes(mlir::Operation *op,
                                                         llvm::ArrayRef<int64_t> axes,
                                                         int64_t rank);

} // namespace onnxc::onnx

#endif
