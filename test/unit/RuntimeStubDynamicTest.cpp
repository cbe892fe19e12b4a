// The runtime stub's entries for a model with run-time dims (runtime-stub/runtime.c), driven
// through a fake model: x [n, 3] -> y [n, 3] = 2x, with n the one symbol. Dims in [0, 2^31)
// are accepted (0: empty tensors, whose pointers may be NULL); negative dims and dims from
// 2^31 on are refused before anything runs (docs/dynamic-shapes.md).
#include <gtest/gtest.h>

extern "C" {
#include "onnxc/model.h"
#include "runtime_internal.h"
}

#include <cstdint>

namespace {
int kernelCalls = 0;
int64_t kernelN = -1;
// An input dim given by symbol 0 reads -1 - 0; output dims read -1.
const int64_t inDims[] = {-1, 3};
const int64_t outDims[] = {-1, 3};
const onnxc_tensor_desc inputsDesc[] = {{"x", ONNXC_FLOAT, 2, inDims, 0}};
const onnxc_tensor_desc outputsDesc[] = {{"y", ONNXC_FLOAT, 2, outDims, 0}};
const char *const dimNames[] = {"n"};
} // namespace

extern "C" {
int onnxc__kernel(const void *const *, void *const *, void *) { return ONNXC_ERROR_RUNTIME_CHECK; }
// 64 bytes of workspace per row: none for n == 0.
int64_t onnxc__sizes(const int64_t *dims, int64_t *out_dims_flat) {
  out_dims_flat[0] = dims[0];
  out_dims_flat[1] = 3;
  return 64 * dims[0];
}
int onnxc__kernel_dynamic(const int64_t *dims, const void *const *inputs,
                          void *const *outputs, int64_t *out_dims_flat, void *) {
  ++kernelCalls;
  kernelN = dims[0];
  const float *x = static_cast<const float *>(inputs[0]);
  float *y = static_cast<float *>(outputs[0]);
  for (int64_t i = 0; i < dims[0] * 3; ++i)
    y[i] = 2 * x[i];
  out_dims_flat[0] = dims[0];
  out_dims_flat[1] = 3;
  return ONNXC_OK;
}
extern const uint64_t onnxc__required_features;
const uint64_t onnxc__required_features = 0;
// Sequences (ABI 6): none.
#include "NoSequences.h"
extern const onnxc_model onnxc__model;
const onnxc_model onnxc__model = {ONNXC_ABI_VERSION, 1, 1, 0, "fake_dynamic", "test",
                                  inputsDesc, outputsDesc, 0, 64, onnxc_rt_init, onnxc_rt_run,
                                  onnxc_rt_status_string, nullptr, nullptr,
                                  1, dimNames,
                                  onnxc_rt_workspace_size_for, onnxc_rt_output_dims,
                                  onnxc_rt_run_dynamic, onnxc_rt_run_checked, nullptr};
}

TEST(RuntimeStubDynamic, ZeroDimIsAccepted) {
  int64_t n = 0, yDims[2] = {-7, -7};
  int64_t *od[] = {yDims};
  EXPECT_EQ(onnxc_rt_workspace_size_for(&n), 0);
  EXPECT_EQ(onnxc_rt_output_dims(&n, od), ONNXC_OK);
  EXPECT_EQ(yDims[0], 0);
  EXPECT_EQ(yDims[1], 3);
}

TEST(RuntimeStubDynamic, EmptyTensorsMayBeNull) {
  int64_t n = 0, yDims[2] = {-7, -7};
  int64_t *od[] = {yDims};
  const void *nullIn[] = {nullptr};
  void *nullOut[] = {nullptr};
  int before = kernelCalls;
  // Input, output and workspace all NULL: every one is empty for n == 0.
  EXPECT_EQ(onnxc_rt_run_dynamic(&n, nullIn, nullOut, od, nullptr), ONNXC_OK);
  EXPECT_EQ(kernelCalls, before + 1);
  EXPECT_EQ(kernelN, 0);
  EXPECT_EQ(yDims[0], 0);
  EXPECT_EQ(onnxc_rt_run_checked(&n, nullIn, nullOut, od, nullptr, 0), ONNXC_OK);
  struct onnxc_rt_context *ctx = onnxc_rt_context_create();
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(onnxc_rt_context_run_dynamic(ctx, &n, nullIn, nullOut, od), ONNXC_OK);
  onnxc_rt_context_destroy(ctx);
  EXPECT_EQ(kernelCalls, before + 3);
}

TEST(RuntimeStubDynamic, NonEmptyTensorsMustNotBeNull) {
  alignas(64) unsigned char ws[128];
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  int64_t n = 2;
  const void *ins[] = {x};
  const void *nullIn[] = {nullptr};
  void *outs[] = {y};
  void *nullOut[] = {nullptr};
  int before = kernelCalls;
  EXPECT_EQ(onnxc_rt_run_dynamic(&n, nullIn, outs, nullptr, ws), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(onnxc_rt_run_dynamic(&n, ins, nullOut, nullptr, ws), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(onnxc_rt_run_dynamic(&n, ins, outs, nullptr, nullptr), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(kernelCalls, before);
  EXPECT_EQ(onnxc_rt_run_dynamic(&n, ins, outs, nullptr, ws), ONNXC_OK);
  EXPECT_FLOAT_EQ(y[5], 12.f);
}

TEST(RuntimeStubDynamic, NegativeAndHugeDimsAreRefused) {
  float x[6] = {}, y[6] = {};
  const void *ins[] = {x};
  void *outs[] = {y};
  int64_t yDims[2];
  int64_t *od[] = {yDims};
  int before = kernelCalls;
  for (int64_t n : {int64_t{-1}, int64_t{-3}, INT64_MIN, int64_t{1} << 31, INT64_MAX}) {
    EXPECT_EQ(onnxc_rt_workspace_size_for(&n), -1) << n;
    EXPECT_EQ(onnxc_rt_output_dims(&n, od), ONNXC_ERROR_DIMS_OUT_OF_RANGE) << n;
    EXPECT_EQ(onnxc_rt_run_dynamic(&n, ins, outs, nullptr, nullptr),
              ONNXC_ERROR_DIMS_OUT_OF_RANGE)
        << n;
  }
  int64_t largest = (int64_t{1} << 31) - 1;
  EXPECT_EQ(onnxc_rt_output_dims(&largest, od), ONNXC_OK);
  EXPECT_EQ(kernelCalls, before);
  EXPECT_EQ(onnxc_rt_run_dynamic(nullptr, ins, outs, nullptr, nullptr), ONNXC_ERROR_NULL_ARGUMENT);
}
