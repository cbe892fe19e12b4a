// Geometry of Conv/pooling windows: ONNX's defaults, auto_pad and ceil_mode resolved in one
// place for shape inference and for the lowering.
#ifndef ONNXC_DIALECTS_ONNX_WINDOW_H
#define ONNXC_DIALECTS_ONNX_WINDOW_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

namespace onnxc::onnx {

struct Window {
  llvm::SmallVector<int64_t> kernel, strides, dilations;
  llvm::SmallVector<int64_t> padBegin, padEnd; // Explicit padding, after auto_pad.
  // Extra padding at the end that ceil_mode needs so the last window fits; never counted as
  // real padding (AveragePool excludes it from the divisor).
  llvm::SmallVector<int64_t> ceilExtra;
  llvm::SmallVector<int64_t> outSizes; // Dynamic when the input size is.
};

/// Resolves the window attributes of `op` (auto_pad, kernel_shape, pads, strides, dilations)
/// for an input with the given spatial sizes. `kernelFromWeights` gives the kernel when the
/// op has no kernel_shape (Conv). Emits an error on `op` for inconsistent attributes.
llvm::FailureOr<Window> resolveWindow(mlir::Operation *op, llvm::ArrayRef<int64_t> spatialIn,
                                      llvm::ArrayRef<int64_t> kernelFromWeights, bool ceilMode);

/// The window of ConvTranspose (`op`'s kernel_shape, strides, dilations, pads, auto_pad,
/// output_padding and output_shape) for an input with the given spatial sizes: outSizes is
/// the result's, padBegin/padEnd what is cropped from the full transposed output
/// ((in - 1) * stride + (kernel - 1) * dilation + 1), negative where output_shape or
/// output_padding make the result larger (zeros at the end). ceilExtra stays 0.
llvm::FailureOr<Window> resolveTransposedWindow(mlir::Operation *op,
                                                llvm::ArrayRef<int64_t> spatialIn,
                                                llvm::ArrayRef<int64_t> kernelFromWeights);

} // namespace onnxc::onnx

#endif
