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
const void *const *lastInputs = nullptr;
const int64_t dims[] = {2, 3};
const onnxc_tensor_desc inputsDesc[] = {{"x", ONNXC_FLOAT, 2, dims, 24}};
const onnxc_tensor_desc outputsDesc[] = {{"y", ONNXC_FLOAT, 2, dims, 24}};
} // namespace

// The symbols a compiled model defines, here supplied by the test.
extern "C" {
int onnxc__kernel(const void *const *inputs, void *const *outputs, void *workspace) {
  ++kernelCalls;
  lastInputs = inputs;
  const float *x = static_cast<const float *>(inputs[0]);
  float *y = static_cast<float *>(outputs[0]);
  for (int i = 0; i < 6; ++i)
    y[i] = 2 * x[i];
  (void)workspace;
  return ONNXC_OK;
}
extern const uint64_t onnxc__required_features;
const uint64_t onnxc__required_features = ONNXC_FAKE_REQUIRED_FEATURES;
// extern: a const namespace-scope object has internal linkage in C++.
extern const onnxc_model onnxc__model;
const onnxc_model onnxc__model = {ONNXC_ABI_VERSION, 1, 1, 0, "fake", "test", inputsDesc,
                                  outputsDesc, 128, 64, onnxc_rt_init, onnxc_rt_run,
                                  onnxc_rt_status_string};
}

