#ifndef ONNXC_GPU_PASSES_TD
#define ONNXC_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

// The CUDA backend's passes (compiler/PipelineCuda.cpp runs them): main_graph after
// bufferization and the memory plan -> host code that launches outlined kernels.

def GpuPackWeights : Pass<"onnx-gpu-pack-weights", "mlir::ModuleOp"> {
  let summary = "Pack every constant global main_graph reads into one device weights blob";
  let description = [{
    Kernels cannot read the host library's globals. Every memref.get_global in main_graph
    becomes a view into a new argument `weights` (memref<Nxi8>, after the workspace), at an
    offset in one global `onnxc__cuda_weights` that the runtime uploads once per context. A
    last argument `rt` (!llvm.ptr) carries the runtime context the launches go through.
    The blob's size is left in the module attribute `onnxc.cuda.weights_size`.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::LLVM::LLVMDialect"];
}

def GpuMapKernels : Pass<"onnx-gpu-map-kernels", "mlir::func::FuncOp"> {
  let summary = "Turn every computation of main_graph into a gpu.launch";
  let description = [{
    Host code may only compute addresses: every op that touches memory becomes a kernel.
    A static-shape matmul (and batch matmul) becomes a shared-memory tiled kernel (tiles of
    A and B staged in workgroup memory between barriers). Other linalg ops and copies
    become parallel loops; a top-level scf.parallel becomes one thread per iteration (the
    iteration space linearized onto a 1-D grid of 256-thread blocks, the innermost dim on
    consecutive threads). A sequential scf.for whose bounds the host computes and whose
    body holds only such ops (an RNN's time loop, a Loop or Scan body) stays on the host and
    launches its body's kernels every iteration. A run of consecutive ops that work row by
    row over the same leading dims and include a reduction (softmax, layer normalization)
    becomes one kernel with a block per row, the ops in order between barriers. Whatever is left (loops over data, scalar
    code) runs in a one-thread kernel, its nested linalg ops and copies lowered to plain
    loops: slow but exact. Pure address and index computations stay on the host
    and reach the kernels as arguments when gpu-kernel-outlining runs.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect", "mlir::math::MathDialect",
                           "mlir::NVVM::NVVMDialect", "mlir::LLVM::LLVMDialect"];
  let options = [
    Option<"gemmTiling", "gemm-tiling", "bool", /*default=*/"true",
           "Shared-memory tiled kernels for f32 contractions (matmul, convolution...)">,
    Option<"rowKernels", "row-kernels", "bool", /*default=*/"true",
           "Runs of row-by-row ops with a reduction (softmax, layer normalization) as one "
           "kernel with a block per row">,
    Option<"tf32", "tf32", "bool", /*default=*/"false",
           "The contractions' kernels use TF32 tensor cores (mma.sync; inputs rounded to "
           "10-bit mantissas, fp32 accumulation) instead of exact fp32 multiply-adds">
  ];
}

def GpuMergeKernelModules : Pass<"onnx-gpu-merge-kernel-modules", "mlir::ModuleOp"> {
  let summary = "Move every outlined kernel into one gpu.module @onnxc_kernels";
  let description = [{
    gpu-kernel-outlining puts each kernel in a gpu.module of its own (all named after the
    function: @main_graph_kernel, @main_graph_kernel_0, ...). The library loads one CUDA
    module per context, so the kernels move into one gpu.module, renamed k0, k1, ... in
    launch order, and the launches follow.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def GpuLaunchToRuntime : Pass<"onnx-gpu-launch-to-runtime", "mlir::ModuleOp"> {
  let summary = "Lower gpu.launch_func to calls of the runtime stub's launch helper";
  let description = [{
    Runs after the host has been lowered to the LLVM dialect (the kernel operands are still
    memrefs behind unrealized casts). Each launch becomes a call
    `onnxc_cuda_launch(rt, kernel index, grid xyz, block xyz, shared bytes, params)` where
    params is an array of pointers to the kernel's arguments, memref descriptors expanded as
    convert-gpu-to-nvvm expands them in the kernel's signature. Kernels are numbered in the
    order of the gpu.module (kernelNames()). The gpu.module is erased: its PTX was emitted
    before.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif
