// The CUDA backend's code generation: kernels (an outlined gpu.module lowered to NVVM) to PTX
// with LLVM's NVPTX backend, cubin with the toolkit's ptxas, and the host library's CUDA
// tables and entry points. compiler/PipelineCuda.cpp drives it.
#ifndef ONNXC_CODEGEN_CUDA_CUDACODEGEN_H
#define ONNXC_CODEGEN_CUDA_CUDACODEGEN_H

#include "codegen/ModelInterface.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
}

namespace onnxc {

/// GPUs a library can be compiled for (--gpu).
bool isSupportedGpu(const std::string &gpu);

/// PTX ISA version of every emitted module: 7.8 is the first with sm_89 and sm_90 (CUDA
/// 11.8), so one pinned version serves every --gpu and runs on drivers from 520 on.
constexpr const char *kPtxFeatures = "+ptx78";

/// A CUDA toolkit found at compile time: $CUDA_PATH, $CUDA_HOME, then /usr/local/cuda.
struct CudaToolkit {
  std::string ptxas;     // bin/ptxas; empty: PTX only.
  std::string libdevice; // nvvm/libdevice/libdevice.10.bc; empty: none.
};
CudaToolkit findCudaToolkit();

struct CudaKernels {
  std::string ptx;
  std::string cubin; // Empty when no ptxas was found.
  /// With several --gpu: every GPU's cubin (compileCuda fills it; the PTX is the oldest's).
  std::vector<std::string> cubins;
  std::vector<std::string> names; // Launch index order (passes/gpu kernelNames()).
};

/// PTX (and cubin with ptxas) for `gpu` from a gpu.module lowered to the NVVM/LLVM dialects.
llvm::Expected<CudaKernels> emitCudaKernels(mlir::gpu::GPUModuleOp module, const std::string &gpu,
                                            int optLevel, const CudaToolkit &toolkit);

/// In the translated host module: renames main_graph (inputs, outputs, workspace, weights,
/// rt) to the internal onnxc__cuda_main, adds the unpacking wrapper onnxc__cuda_graph that
/// runtime-stub/cuda.c calls, the kernel tables (cubin, PTX, kernel names, device
/// workspace size) and the exported `<name>_run_device`. Returns the exported names it adds.
llvm::Expected<std::vector<std::string>> addCudaEntryPoints(llvm::Module &module,
                                                            const ModelInterface &model,
                                                            const CudaKernels &kernels,
                                                            int64_t deviceWorkspaceSize,
                                                            int64_t weightsSize);

/// The CUDA-specific part of model.h (device-pointer run call, device workspace size),
/// inserted into emitHeader's output.
std::string addCudaHeader(const std::string &header, const ModelInterface &model,
                          const std::string &gpu, int64_t deviceWorkspaceSize);

} // namespace onnxc

#endif
