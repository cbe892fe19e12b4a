// The runtime stub's sequence tables (ABI 6) for a fake model without sequences: runtime.c
// links against them but never reads them. Include once per test binary, in the file that
// defines the fake model.
#pragma once

#include "onnxc/model.h"

#include <cstdint>

extern const uint32_t onnxc__num_hidden;
const uint32_t onnxc__num_hidden = 0;
extern const onnxc_tensor_desc onnxc__hidden[];
const onnxc_tensor_desc onnxc__hidden[1] = {};
extern const int64_t onnxc__sequence_plan[];
const int64_t onnxc__sequence_plan[1] = {0};
extern const uint32_t onnxc__num_kernel_dims, onnxc__sequence_map,
    onnxc__sequence_dynamic_kernel;
const uint32_t onnxc__num_kernel_dims = 0, onnxc__sequence_map = 0,
               onnxc__sequence_dynamic_kernel = 0;
extern const onnxc_tensor_desc onnxc__kernel_inputs[], onnxc__kernel_outputs[];
const onnxc_tensor_desc onnxc__kernel_inputs[1] = {}, onnxc__kernel_outputs[1] = {};
