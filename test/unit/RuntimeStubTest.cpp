// Drives the runtime stub (runtime-stub/runtime.c) through a fake model: argument checks,
// the CPU check, status strings.
#include <gtest/gtest.h>

extern "C" {
#include "onnxc/model.h"
#include "runtime_internal.h"
}

#include <cstdint>
#include <cstring>
#include <vector>

#define ONNXC_FAKE_REQUIRED_FEATURES 0
#include "FakeModel.h"

TEST(RuntimeStub, RunsKernelWithValidArguments) {
  alignas(64) unsigned char ws[128];
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  const void *ins[] = {x};
  void *outs[] = {y};
  int before = kernelCalls;
  ASSERT_EQ(onnxc_rt_run(ins, outs, ws), ONNXC_OK);
  EXPECT_EQ(kernelCalls, before + 1);
  EXPECT_EQ(lastInputs, ins);
  EXPECT_FLOAT_EQ(y[5], 12.f);
}

TEST(RuntimeStub, RefusesNullPointers) {
  alignas(64) unsigned char ws[128];
  float x[6] = {}, y[6] = {};
  const void *ins[] = {x};
  const void *nullIn[] = {nullptr};
  void *outs[] = {y};
  void *nullOut[] = {nullptr};
  int before = kernelCalls;
  EXPECT_EQ(onnxc_rt_run(nullptr, outs, ws), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(onnxc_rt_run(ins, nullptr, ws), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(onnxc_rt_run(nullIn, outs, ws), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(onnxc_rt_run(ins, nullOut, ws), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(onnxc_rt_run(ins, outs, nullptr), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(kernelCalls, before) << "the kernel must not run on refused arguments";
}

TEST(RuntimeStub, OptionalInputMayBeNull) {
  alignas(64) unsigned char ws[128];
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  const void *ins[] = {x};
  const void *nullIn[] = {nullptr};
  void *outs[] = {y};
  fakeInputFlags[0] = ONNXC_TENSOR_OPTIONAL;
  int before = kernelCalls;
  // An absent optional reaches the kernel, whose run-time check answers with a status.
  EXPECT_EQ(onnxc_rt_run(nullIn, outs, ws), ONNXC_ERROR_RUNTIME_CHECK);
  EXPECT_EQ(onnxc_rt_run_checked(nullptr, nullIn, outs, nullptr, ws, 128),
            ONNXC_ERROR_RUNTIME_CHECK);
  EXPECT_EQ(kernelCalls, before + 2);
  EXPECT_EQ(onnxc_rt_run(ins, outs, ws), ONNXC_OK);
  EXPECT_FLOAT_EQ(y[5], 12.f);
  // Outputs and the workspace are never optional.
  void *nullOut[] = {nullptr};
  EXPECT_EQ(onnxc_rt_run(nullIn, nullOut, ws), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(onnxc_rt_run(nullIn, outs, nullptr), ONNXC_ERROR_NULL_ARGUMENT);
  fakeInputFlags[0] = 0;
  EXPECT_EQ(onnxc_rt_run(nullIn, outs, ws), ONNXC_ERROR_NULL_ARGUMENT);
}

TEST(RuntimeStub, RefusesMisalignedWorkspace) {
  alignas(64) unsigned char ws[256];
  float x[6] = {}, y[6] = {};
  const void *ins[] = {x};
  void *outs[] = {y};
  EXPECT_EQ(onnxc_rt_run(ins, outs, ws + 4), ONNXC_ERROR_WORKSPACE_MISALIGNED);
  EXPECT_EQ(onnxc_rt_run(ins, outs, ws + 64), ONNXC_OK);
}

TEST(RuntimeStub, StatusStringsAreDistinctAndTotal) {
  for (int s = ONNXC_OK; s <= ONNXC_ERROR_RUNTIME_CHECK; ++s) {
    ASSERT_NE(onnxc_rt_status_string(s), nullptr);
    EXPECT_STRNE(onnxc_rt_status_string(s), "unknown status");
    for (int t = ONNXC_OK; t < s; ++t)
      EXPECT_STRNE(onnxc_rt_status_string(s), onnxc_rt_status_string(t));
  }
  EXPECT_STREQ(onnxc_rt_status_string(12345), "unknown status");
}

// A kernel that allocates per run returns its own status (a size from data out of range, a
// failed allocation): every entry passes it on unchanged.
TEST(RuntimeStub, PassesOnTheKernelsStatus) {
  alignas(64) unsigned char ws[128];
  float x[6] = {}, y[6] = {};
  const void *ins[] = {x};
  void *outs[] = {y};
  int64_t yDims[2] = {};
  int64_t *outDims[] = {yDims};
  for (int status : {ONNXC_ERROR_DATA_SIZE, ONNXC_ERROR_OUT_OF_MEMORY}) {
    kernelStatus = status;
    EXPECT_EQ(onnxc_rt_run(ins, outs, ws), status);
    EXPECT_EQ(onnxc_rt_run_dynamic(nullptr, ins, outs, outDims, ws), status);
    EXPECT_EQ(onnxc_rt_run_checked(nullptr, ins, outs, outDims, ws, sizeof ws), status);
    onnxc_rt_context *ctx = onnxc_rt_context_create();
    ASSERT_NE(ctx, nullptr);
    EXPECT_EQ(onnxc_rt_context_run(ctx, ins, outs), status);
    onnxc_rt_context_destroy(ctx);
  }
  kernelStatus = ONNXC_OK;
  EXPECT_EQ(onnxc_rt_run(ins, outs, ws), ONNXC_OK);
}

// The per-run allocator: a buffer of 0 bytes is still a pointer (a null one means failure to
// the compiled code), and a request that cannot be met gives NULL, not a crash.
TEST(RuntimeStub, PerRunAllocator) {
  void *empty = _mlir_memref_to_llvm_alloc(0);
  EXPECT_NE(empty, nullptr);
  _mlir_memref_to_llvm_free(empty);
  void *p = _mlir_memref_to_llvm_alloc(1024);
  ASSERT_NE(p, nullptr);
  std::memset(p, 1, 1024);
  _mlir_memref_to_llvm_free(p);
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "ASan reports an impossible allocation instead of returning NULL";
#endif
#endif
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(SIZE_MAX - 4096), nullptr);
}

TEST(RuntimeStub, CpuFeaturesAreConsistent) {
  uint64_t f = onnxc_rt_cpu_features();
#if defined(__x86_64__)
  EXPECT_TRUE(f & ONNXC_CPU_SSE42) << "every x86-64 CI machine has SSE4.2";
  if (f & ONNXC_CPU_AVX512F) EXPECT_TRUE(f & ONNXC_CPU_AVX2);
  if (f & ONNXC_CPU_AVX2) EXPECT_TRUE(f & ONNXC_CPU_AVX);
#endif
}

TEST(RuntimeStub, ContextOwnsAnAlignedWorkspace) {
  onnxc_rt_context *ctx = onnxc_rt_context_create();
  ASSERT_NE(ctx, nullptr);
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  const void *ins[] = {x};
  void *outs[] = {y};
  EXPECT_EQ(onnxc_rt_context_run(ctx, ins, outs), ONNXC_OK); // Misaligned would be refused.
  EXPECT_FLOAT_EQ(y[0], 2.f);
  onnxc_rt_context_destroy(ctx);
  onnxc_rt_context_destroy(nullptr); // Like free(NULL).
  EXPECT_EQ(onnxc_rt_context_run(nullptr, ins, outs), ONNXC_ERROR_NULL_ARGUMENT);
}

// ABI 2 on a static model: the dims entries take dims == NULL, give the static workspace
// size and write the static output dims (the descriptor's).
TEST(RuntimeStub, DynamicEntriesWorkOnStaticModels) {
  alignas(64) unsigned char ws[128];
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  const void *ins[] = {x};
  void *outs[] = {y};
  int64_t yDims[2] = {0, 0};
  int64_t *outDims[] = {yDims};
  EXPECT_EQ(onnxc__model.num_dims, 0u);
  EXPECT_EQ(onnxc_rt_workspace_size_for(nullptr), 128);
  EXPECT_EQ(onnxc_rt_output_dims(nullptr, outDims), ONNXC_OK);
  EXPECT_EQ(yDims[0], 2);
  EXPECT_EQ(yDims[1], 3);
  yDims[0] = yDims[1] = 0;
  EXPECT_EQ(onnxc_rt_run_dynamic(nullptr, ins, outs, outDims, ws), ONNXC_OK);
  EXPECT_EQ(y[5], 12.f);
  EXPECT_EQ(yDims[0], 2);
  EXPECT_EQ(yDims[1], 3);
  EXPECT_EQ(onnxc_rt_run_dynamic(nullptr, ins, outs, nullptr, nullptr), ONNXC_ERROR_NULL_ARGUMENT);
}

TEST(RuntimeStub, RunCheckedRefusesASmallWorkspace) {
  alignas(64) unsigned char ws[128];
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  const void *ins[] = {x};
  void *outs[] = {y};
  int before = kernelCalls;
  EXPECT_EQ(onnxc__model.run_checked(nullptr, ins, outs, nullptr, ws, 127),
            ONNXC_ERROR_WORKSPACE_TOO_SMALL);
  EXPECT_EQ(onnxc__model.run_checked(nullptr, ins, outs, nullptr, ws, 0),
            ONNXC_ERROR_WORKSPACE_TOO_SMALL);
  EXPECT_EQ(kernelCalls, before) << "the kernel must not run on a refused workspace";
  EXPECT_EQ(onnxc__model.run_checked(nullptr, ins, outs, nullptr, ws + 4, 128),
            ONNXC_ERROR_WORKSPACE_MISALIGNED);
  EXPECT_EQ(onnxc__model.run_checked(nullptr, ins, outs, nullptr, ws, 128), ONNXC_OK);
  EXPECT_EQ(kernelCalls, before + 1);
  EXPECT_FLOAT_EQ(y[5], 12.f);
}
