// Sizes computed from the run-time dims alone (passes/SizeFunction.cpp), shared with the
// memory plan, which must tell those from sizes that depend on tensor data.
#ifndef ONNXC_PASSES_SIZESLICE_H
#define ONNXC_PASSES_SIZESLICE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

namespace onnxc {

/// Clones into `b` what `v` is computed from, if that is only arithmetic on values loaded
/// from `dims` (main_graph's dims argument; may be null), on dims of views, reshapes and
/// allocations, and on the bounds of counts marked `onnxc.data_bound`; returns the clone,
/// or null if `v` depends on anything else (tensor data). With `exact`, a count marked
/// `onnxc.data_bound` is tensor data too (its bound is not its value).
mlir::Value cloneSizeFromDims(mlir::OpBuilder &b, mlir::Value v, mlir::Value dims,
                              mlir::IRMapping &map, bool exact = false);

/// Graph outputs the run allocates (marked `onnxc.allocated_output` by
/// onnx-dynamic-interface): each marked allocation becomes a call of the runtime stub's
/// `onnxc_rt_alloc_output`, declared in `module` (passes/AllocateOutputs.cpp). Called by
/// onnx-size-function, the module pass after the memory plan.
mlir::LogicalResult allocateOutputs(mlir::ModuleOp module);

} // namespace onnxc

#endif
