// A stand-in for the symbols a compiled model defines (onnxc__model, onnxc__kernel,
// onnxc__required_features), so the runtime stub can be tested on its own. Include once per
// test executable, after defining ONNXC_FAKE_REQUIRED_FEATURES.
#pragma once

extern "C" {
#include "onnxc/model.h"
#include "runtime_internal.h"
}

#include <cstdint>

namespace {
int kernelCalls = 0;
// What the kernel returns: a compiled model's kernel returns a status of its own when it
// allocates per run (sizes from data, docs/dynamic-shapes.md).
int kernelStatus = ONNXC_OK;
const void *const *lastInputs = nullptr;
const int64_t dims[] = {2, 3};
const onnxc_tensor_desc inputsDesc[] = {{"x", ONNXC_FLOAT, 2, dims, 24}};
const onnxc_tensor_desc outputsDesc[] = {{"y", ONNXC_FLOAT, 2, dims, 24}};
} // namespace
// Tests set ONNXC_TENSOR_OPTIONAL here to make input x optional (its pointer may be NULL).
uint32_t fakeInputFlags[1] = {0};
uint32_t fakeOutputFlags[1] = {0};

// The symbols a compiled model defines, here supplied by the test.
extern "C" {
int onnxc__kernel(const void *const *inputs, void *const *outputs, void *workspace) {
  ++kernelCalls;
  lastInputs = inputs;
  const float *x = static_cast<const float *>(inputs[0]);
  if (!x) // An absent optional input that the model reads (as OptionalGetElement does).
    return ONNXC_ERROR_RUNTIME_CHECK;
  float *y = static_cast<float *>(outputs[0]);
  for (int i = 0; i < 6; ++i)
    y[i] = 2 * x[i];
  (void)workspace;
  return kernelStatus;
}
// A static model's size function (the compiler's for a static model does the same).
int64_t onnxc__sizes(const int64_t *, int64_t *out_dims_flat) {
  out_dims_flat[0] = 2;
  out_dims_flat[1] = 3;
  return 128;
}
int onnxc__kernel_dynamic(const int64_t *, const void *const *inputs, void *const *outputs,
                          int64_t *, void *workspace) {
  return onnxc__kernel(inputs, outputs, workspace);
}
extern const uint64_t onnxc__required_features;
const uint64_t onnxc__required_features = ONNXC_FAKE_REQUIRED_FEATURES;
// Sequences (ABI 6): none.
#include "NoSequences.h"
// extern: a const namespace-scope object has internal linkage in C++.
extern const onnxc_model onnxc__model;
const onnxc_model onnxc__model = {ONNXC_ABI_VERSION, 1, 1, 0, "fake", "test", inputsDesc,
                                  outputsDesc, 128, 64, onnxc_rt_init, onnxc_rt_run,
                                  onnxc_rt_status_string,
                                  /*set_num_threads, num_threads (threads.c):*/ nullptr, nullptr,
                                  0, nullptr,
                                  onnxc_rt_workspace_size_for, onnxc_rt_output_dims,
                                  onnxc_rt_run_dynamic, onnxc_rt_run_checked, fakeInputFlags,
                                  fakeOutputFlags, onnxc_rt_run_with_allocator};
}

