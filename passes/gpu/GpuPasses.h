// The CUDA backend's passes (GpuPasses.td) and what they share with codegen/cuda.
#ifndef ONNXC_PASSES_GPU_GPUPASSES_H
#define ONNXC_PASSES_GPU_GPUPASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

#include <string>
#include <vector>

namespace onnxc {
#define GEN_PASS_DECL
#include "passes/gpu/GpuPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/gpu/GpuPasses.h.inc"

/// The kernels of a lowered gpu.module in launch-index order: the runtime stub resolves
/// them by these names, the host code launches them by index.
inline std::vector<std::string> kernelNames(mlir::gpu::GPUModuleOp module) {
  std::vector<std::string> names;
  for (mlir::Operation &op : module.getBody()->getOperations()) {
    if (auto f = llvm::dyn_cast<mlir::LLVM::LLVMFuncOp>(op)) {
      if (!f.isExternal() && (f->hasAttr("gpu.kernel") || f->hasAttr("nvvm.kernel")))
        names.push_back(f.getName().str());
    } else if (auto f = llvm::dyn_cast<mlir::gpu::GPUFuncOp>(op)) {
      if (f.isKernel())
        names.push_back(f.getName().str());
    }
  }
  return names;
}

/// The indices an indexing map gives at loop point `ivs`: a loop's value as is, any other
/// expression through affine.apply (lower-affine expands it in the kernel).
inline llvm::SmallVector<mlir::Value> indicesAt(mlir::OpBuilder &b, mlir::Location loc,
                                                mlir::AffineMap map, mlir::ValueRange ivs) {
  llvm::SmallVector<mlir::Value> at;
  for (mlir::AffineExpr e : map.getResults()) {
    if (auto dim = llvm::dyn_cast<mlir::AffineDimExpr>(e))
      at.push_back(ivs[dim.getPosition()]);
    else
      at.push_back(mlir::affine::AffineApplyOp::create(
          b, loc, mlir::AffineMap::get(map.getNumDims(), 0, e, b.getContext()), ivs));
  }
  return at;
}
} // namespace onnxc

#endif
