// Outputs the run allocates (ONNXC_OUTPUT_ALLOCATED, docs/dynamic-shapes.md): the runtime
// stub with a fake model whose one output's size depends on the data. Its kernel does what
// a compiled model's does (passes/AllocateOutputs.cpp, PlanMemory): it checks the size,
// asks onnxc_rt_alloc_output for it, returns ONNXC_ERROR_OUT_OF_MEMORY on NULL, writes the
// data and the actual dims.
#include <gtest/gtest.h>

extern "C" {
#include "onnxc/model.h"
#include "runtime_internal.h"
}

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {
// Input n (int64 [1]) -> output y = [0, 1, ..., n-1] (float [?], allocated).
const int64_t nDims[] = {1};
const int64_t yDims[] = {-1};
const onnxc_tensor_desc inputsDesc[] = {{"n", ONNXC_INT64, 1, nDims, 8}};
const onnxc_tensor_desc outputsDesc[] = {{"y", ONNXC_FLOAT, 1, yDims, 0}};
const uint32_t outputFlags[] = {ONNXC_OUTPUT_ALLOCATED};
int kernelCalls = 0;
// The kernel's status after its allocation: a check that fails later in the run.
int statusAfterAlloc = ONNXC_OK;
} // namespace

extern "C" {
int onnxc__kernel(const void *const *, void *const *, void *) {
  return ONNXC_ERROR_DIMS_OUT_OF_RANGE;
}
int64_t onnxc__sizes(const int64_t *, int64_t *out_dims_flat) {
  out_dims_flat[0] = -1; // onnx-size-function: a dim from data, unknown before the run.
  return 0;
}
int onnxc__kernel_dynamic(const int64_t *, const void *const *inputs, void *const *outputs,
                          int64_t *out_dims_flat, void *) {
  ++kernelCalls;
  int64_t n = *static_cast<const int64_t *>(inputs[0]);
  if (n < 0 || n > (int64_t(1) << 28))
    return ONNXC_ERROR_DATA_SIZE;
  auto *y = static_cast<float *>(onnxc_rt_alloc_output(outputs[0], n * 4));
  if (!y)
    return ONNXC_ERROR_OUT_OF_MEMORY;
  for (int64_t i = 0; i < n; ++i)
    y[i] = float(i);
  out_dims_flat[0] = n;
  return statusAfterAlloc;
}
extern const uint64_t onnxc__required_features;
const uint64_t onnxc__required_features = 0;
// Sequences (ABI 6): none.
#include "NoSequences.h"
extern const onnxc_model onnxc__model;
const onnxc_model onnxc__model = {
    ONNXC_ABI_VERSION, 1, 1, ONNXC_MODEL_DATA_DEPENDENT_DIMS | ONNXC_MODEL_ALLOCATED_OUTPUTS,
    "fake_alloc", "test", inputsDesc, outputsDesc, 0, 64, onnxc_rt_init, onnxc_rt_run,
    onnxc_rt_status_string, nullptr, nullptr, 0, nullptr, onnxc_rt_workspace_size_for,
    onnxc_rt_output_dims, onnxc_rt_run_dynamic, onnxc_rt_run_checked, nullptr, outputFlags,
    onnxc_rt_run_with_allocator};
}

namespace {

/// An allocator that records its calls and what is live.
struct Recorder {
  std::vector<size_t> sizes, aligns;
  std::vector<void *> given, freed;
  bool fail = false;
  long live = 0;
  static void *alloc(void *user, size_t bytes, size_t align) {
    auto *r = static_cast<Recorder *>(user);
    r->sizes.push_back(bytes);
    r->aligns.push_back(align);
    void *p = r->fail ? nullptr : std::aligned_alloc(align, (bytes + align - 1) / align * align);
    r->given.push_back(p);
    r->live += p != nullptr;
    return p;
  }
  static void release(void *user, void *ptr) {
    auto *r = static_cast<Recorder *>(user);
    r->freed.push_back(ptr);
    r->live -= ptr != nullptr;
    std::free(ptr);
  }
  onnxc_allocator allocator() { return {alloc, release, this}; }
};

int runWith(int64_t n, void **slot, int64_t *dims, const onnxc_allocator *a) {
  const void *ins[] = {&n};
  void *outs[] = {slot};
  int64_t *outDims[] = {dims};
  return onnxc__model.run_with_allocator(nullptr, ins, outs, outDims, nullptr, 0, a);
}

TEST(AllocatedOutputs, CustomAllocatorGetsTheSizeAndTheCallerTheBuffer) {
  Recorder r;
  onnxc_allocator a = r.allocator();
  void *slot = reinterpret_cast<void *>(0x1); // Overwritten.
  int64_t dims[1] = {0};
  ASSERT_EQ(runWith(5, &slot, dims, &a), ONNXC_OK);
  ASSERT_EQ(r.sizes.size(), 1u);
  EXPECT_EQ(r.sizes[0], 20u) << "5 floats";
  EXPECT_EQ(r.aligns[0], size_t(ONNXC_OUTPUT_ALIGNMENT));
  EXPECT_EQ(slot, r.given[0]);
  EXPECT_EQ(dims[0], 5);
  const float *y = static_cast<const float *>(slot);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(y[i], float(i));
  EXPECT_TRUE(r.freed.empty()) << "the caller owns the output";
  Recorder::release(&r, slot);
  EXPECT_EQ(r.live, 0);
}

TEST(AllocatedOutputs, DefaultIsMalloc) {
  for (int entry = 0; entry < 3; ++entry) {
    int64_t n = 7 + entry;
    const void *ins[] = {&n};
    void *slot = nullptr;
    void *outs[] = {&slot};
    int64_t dims[1] = {0};
    int64_t *outDims[] = {dims};
    int s = entry == 0   ? onnxc_rt_run_with_allocator(nullptr, ins, outs, outDims, nullptr, 0,
                                                       nullptr)
            : entry == 1 ? onnxc_rt_run_dynamic(nullptr, ins, outs, outDims, nullptr)
                         : onnxc_rt_run_checked(nullptr, ins, outs, outDims, nullptr, 0);
    ASSERT_EQ(s, ONNXC_OK) << entry;
    ASSERT_NE(slot, nullptr);
    EXPECT_EQ(dims[0], n);
    EXPECT_EQ(static_cast<float *>(slot)[n - 1], float(n - 1));
    std::free(slot); // What the default allocator's user does.
  }
}

TEST(AllocatedOutputs, AllocatorReturningNullIsOutOfMemory) {
  Recorder r;
  r.fail = true;
  onnxc_allocator a = r.allocator();
  void *slot = reinterpret_cast<void *>(0x1);
  int64_t dims[1] = {0};
  EXPECT_EQ(runWith(1000, &slot, dims, &a), ONNXC_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(slot, nullptr);
  EXPECT_EQ(r.sizes.size(), 1u);
  EXPECT_TRUE(r.freed.empty()) << "nothing was allocated";
  EXPECT_EQ(r.live, 0);
}

TEST(AllocatedOutputs, FailureAfterTheAllocationFreesTheOutput) {
  Recorder r;
  onnxc_allocator a = r.allocator();
  void *slot = nullptr;
  int64_t dims[1] = {0};
  statusAfterAlloc = ONNXC_ERROR_RUNTIME_CHECK;
  EXPECT_EQ(runWith(3, &slot, dims, &a), ONNXC_ERROR_RUNTIME_CHECK);
  statusAfterAlloc = ONNXC_OK;
  EXPECT_EQ(slot, nullptr) << "no dangling pointer";
  ASSERT_EQ(r.given.size(), 1u);
  ASSERT_EQ(r.freed.size(), 1u);
  EXPECT_EQ(r.freed[0], r.given[0]) << "given back through the allocator's own free";
  EXPECT_EQ(r.live, 0);
  // A size refused before the allocation: nothing allocated, the slot cleared.
  slot = reinterpret_cast<void *>(0x1);
  EXPECT_EQ(runWith(-4, &slot, dims, &a), ONNXC_ERROR_DATA_SIZE);
  EXPECT_EQ(slot, nullptr);
  EXPECT_EQ(r.given.size(), 1u);
}

TEST(AllocatedOutputs, EmptyOutputIsNotAllocated) {
  Recorder r;
  onnxc_allocator a = r.allocator();
  void *slot = reinterpret_cast<void *>(0x1);
  int64_t dims[1] = {-1};
  EXPECT_EQ(runWith(0, &slot, dims, &a), ONNXC_OK);
  EXPECT_EQ(slot, nullptr);
  EXPECT_EQ(dims[0], 0);
  EXPECT_TRUE(r.sizes.empty());
}

TEST(AllocatedOutputs, RefusesNullSlotsAndHalfAllocators) {
  Recorder r;
  onnxc_allocator a = r.allocator();
  int64_t n = 2;
  const void *ins[] = {&n};
  void *outs[] = {nullptr};
  int before = kernelCalls;
  EXPECT_EQ(onnxc_rt_run_with_allocator(nullptr, ins, outs, nullptr, nullptr, 0, &a),
            ONNXC_ERROR_NULL_ARGUMENT);
  void *slot = nullptr;
  int64_t dims[1] = {0};
  onnxc_allocator noFree = {Recorder::alloc, nullptr, &r};
  EXPECT_EQ(runWith(2, &slot, dims, &noFree), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(kernelCalls, before) << "the kernel must not run";
  EXPECT_TRUE(r.sizes.empty());
  // run() cannot report the dims: refused, as for any data-dependent model.
  void *outs2[] = {&slot};
  EXPECT_EQ(onnxc_rt_run(ins, outs2, nullptr), ONNXC_ERROR_DIMS_OUT_OF_RANGE);
}

TEST(AllocatedOutputs, OutputDimsAreUnknownBeforeTheRun) {
  int64_t dims[1] = {0};
  int64_t *outDims[] = {dims};
  EXPECT_EQ(onnxc_rt_output_dims(nullptr, outDims), ONNXC_OK);
  EXPECT_EQ(dims[0], -1);
}

TEST(AllocatedOutputs, ContextAllocator) {
  onnxc_rt_context *ctx = onnxc_rt_context_create();
  ASSERT_NE(ctx, nullptr);
  Recorder r;
  EXPECT_EQ(onnxc_rt_context_set_allocator(ctx, Recorder::alloc, nullptr, &r),
            ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(onnxc_rt_context_set_allocator(nullptr, Recorder::alloc, Recorder::release, &r),
            ONNXC_ERROR_NULL_ARGUMENT);
  ASSERT_EQ(onnxc_rt_context_set_allocator(ctx, Recorder::alloc, Recorder::release, &r),
            ONNXC_OK);
  int64_t n = 4;
  const void *ins[] = {&n};
  void *slot = nullptr;
  void *outs[] = {&slot};
  int64_t dims[1] = {0};
  int64_t *outDims[] = {dims};
  ASSERT_EQ(onnxc_rt_context_run_dynamic(ctx, nullptr, ins, outs, outDims), ONNXC_OK);
  ASSERT_EQ(r.given.size(), 1u);
  EXPECT_EQ(slot, r.given[0]);
  EXPECT_EQ(r.sizes[0], 16u);
  Recorder::release(&r, slot);
  // Back to malloc.
  ASSERT_EQ(onnxc_rt_context_set_allocator(ctx, nullptr, nullptr, nullptr), ONNXC_OK);
  ASSERT_EQ(onnxc_rt_context_run_dynamic(ctx, nullptr, ins, outs, outDims), ONNXC_OK);
  EXPECT_EQ(r.given.size(), 1u);
  ASSERT_NE(slot, nullptr);
  std::free(slot);
  onnxc_rt_context_destroy(ctx);
  EXPECT_EQ(r.live, 0);
}

} // namespace
