/* The status messages, one table for the CPU stub (runtime.c) and the CUDA stub (cuda.c):
 * every library answers every code the same way. Included by exactly one file per stub. */
#ifndef ONNXC_STATUS_STRING_H
#define ONNXC_STATUS_STRING_H

#include "onnxc/model.h"

static const char *status_message(int status) {
  switch (status) {
  case ONNXC_OK: return "success";
  case ONNXC_ERROR_NULL_ARGUMENT: return "an input, output or workspace pointer is null";
  case ONNXC_ERROR_WORKSPACE_MISALIGNED: return "the workspace is not aligned to workspace_alignment";
  case ONNXC_ERROR_CPU_UNSUPPORTED:
    return "this library was compiled for CPU features this machine lacks (recompile with another --mcpu)";
  case ONNXC_ERROR_INTERNAL: return "internal error";
  case ONNXC_ERROR_INVALID_ARGUMENT: return "an argument is out of its range";
  case ONNXC_ERROR_NO_DEVICE:
    return "no CUDA device: libcuda.so.1 (the NVIDIA driver) cannot be loaded or finds no GPU";
  case ONNXC_ERROR_DEVICE:
    return "a CUDA driver call failed (module load, allocation, copy or kernel launch)";
  case ONNXC_ERROR_DIMS_OUT_OF_RANGE:
    return "the run-time dims are out of range for this model (or the model needs dims: use run_dynamic)";
  case ONNXC_ERROR_OUT_OF_MEMORY: return "out of memory";
  case ONNXC_ERROR_DATA_SIZE:
    return "a size computed from the input values is invalid, above the limit of a buffer "
           "allocated per run (1 GiB), or not the shape the model declares for an output";
  case ONNXC_ERROR_WORKSPACE_TOO_SMALL:
    return "the workspace is smaller than the run needs (workspace_size, or workspace_size_for(dims))";
  case ONNXC_ERROR_RUNTIME_CHECK:
    return "the inputs ask for something the model cannot compute: the element of an absent "
           "optional (OptionalGetElement), or training-mode Dropout with a non-zero ratio "
           "(random masks are not supported)";
  default: return "unknown status";
  }
}

#endif
