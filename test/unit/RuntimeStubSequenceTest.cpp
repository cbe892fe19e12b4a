// Sequence inputs and outputs (ABI 6): the runtime stub's sequence layer with a fake model in
// place of a compiled one. The model: x seq(float), t float [2], pos int64 [] ->
// z = SequenceErase(SequenceInsert(x, 2 * t, pos)) (the plan the importer writes), w = t + 1;
// its kernel writes w and the hidden tensors (2 * t, pos) as a compiled kernel would.
#include <gtest/gtest.h>

extern "C" {
#include "onnxc/model.h"
#include "runtime_internal.h"
}

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {
const int64_t tDims[] = {2}, posDims[] = {1};
const onnxc_tensor_desc inputsDesc[] = {{"x", ONNXC_FLOAT, 0, nullptr, 0},
                                        {"t", ONNXC_FLOAT, 1, tDims, 8},
                                        {"pos", ONNXC_INT64, 0, posDims, 8}};
const onnxc_tensor_desc outputsDesc[] = {{"z", ONNXC_FLOAT, 0, nullptr, 0},
                                         {"w", ONNXC_FLOAT, 1, tDims, 8}};
uint32_t inputFlags[] = {ONNXC_TENSOR_SEQUENCE, 0, 0};
uint32_t outputFlags[] = {ONNXC_OUTPUT_SEQUENCE, 0};
int kernelCalls = 0, kernelStatus = ONNXC_OK;
// Loop-carried sequences (plan instruction 5): the kernel pushes to the list in hidden slot 0
// instead of writing 2 * t there; with resetAfterFirst, it resets the list after the first.
bool pushMode = false, resetAfterFirst = false;
} // namespace

extern "C" {
void onnxc_rt_sequence_push(int64_t record, int64_t data, int64_t elem_bytes, int64_t rank,
                            int64_t meta);
void onnxc_rt_sequence_reset(int64_t record);

int onnxc__kernel(const void *const *inputs, void *const *outputs, void *) {
  ++kernelCalls;
  if (pushMode) {
    // A strided view: rows 0..1, columns 0 and 2 of a 2x3 matrix (dims 2 2, strides 3 2),
    // then a scalar, as compiled code pushes them (addresses as int64).
    static const float m[6] = {1, 2, 3, 4, 5, 6}, s = 7;
    int64_t view[4] = {2, 2, 3, 2}, scalar[1] = {0};
    auto record = reinterpret_cast<int64_t>(outputs[2]);
    onnxc_rt_sequence_push(record, reinterpret_cast<int64_t>(m), 4, 2,
                           reinterpret_cast<int64_t>(view));
    if (resetAfterFirst)
      onnxc_rt_sequence_reset(record);
    onnxc_rt_sequence_push(record, reinterpret_cast<int64_t>(&s), 4, 0,
                           reinterpret_cast<int64_t>(scalar));
    return kernelStatus;
  }
  const float *t = static_cast<const float *>(inputs[1]);
  float *w = static_cast<float *>(outputs[1]), *t2 = static_cast<float *>(outputs[2]);
  for (int i = 0; i < 2; ++i) {
    w[i] = t[i] + 1;
    t2[i] = 2 * t[i];
  }
  *static_cast<int64_t *>(outputs[3]) = *static_cast<const int64_t *>(inputs[2]);
  return kernelStatus;
}
int64_t onnxc__sizes(const int64_t *, int64_t *out_dims_flat) {
  out_dims_flat[0] = 2;
  return 0;
}
int onnxc__kernel_dynamic(const int64_t *, const void *const *inputs, void *const *outputs,
                          int64_t *, void *ws) {
  return onnxc__kernel(inputs, outputs, ws);
}
extern const uint64_t onnxc__required_features;
const uint64_t onnxc__required_features = 0;
extern const uint32_t onnxc__num_hidden;
const uint32_t onnxc__num_hidden = 2;
extern const onnxc_tensor_desc onnxc__hidden[];
const onnxc_tensor_desc onnxc__hidden[2] = {{"h0", ONNXC_FLOAT, 1, tDims, 8},
                                            {"h1", ONNXC_INT64, 0, posDims, 8}};
// Output z: start from input 0 (required), insert hidden 0 at hidden 1, erase the last;
// output w: no plan. Tests change it (the runtime reads it per run).
extern int64_t onnxc__sequence_plan[];
int64_t onnxc__sequence_plan[16] = {8, 1, 0, 0, 2, 0, 1, 3, -1, 0};
extern const uint32_t onnxc__num_kernel_dims, onnxc__sequence_map,
    onnxc__sequence_dynamic_kernel;
const uint32_t onnxc__num_kernel_dims = 0, onnxc__sequence_map = 0,
               onnxc__sequence_dynamic_kernel = 0;
extern const onnxc_tensor_desc onnxc__kernel_inputs[], onnxc__kernel_outputs[];
const onnxc_tensor_desc onnxc__kernel_inputs[1] = {}, onnxc__kernel_outputs[1] = {};
extern const onnxc_model onnxc__model;
const onnxc_model onnxc__model = {ONNXC_ABI_VERSION, 3, 2, ONNXC_MODEL_SEQUENCES, "fake",
                                  "test", inputsDesc, outputsDesc, 0, 64, onnxc_rt_init,
                                  onnxc_rt_run, onnxc_rt_status_string, nullptr, nullptr, 0,
                                  nullptr, onnxc_rt_workspace_size_for, onnxc_rt_output_dims,
                                  onnxc_rt_run_dynamic, onnxc_rt_run_checked, inputFlags,
                                  outputFlags, onnxc_rt_run_with_allocator};
}

namespace {
struct Counting {
  int live = 0, calls = 0, failAt = -1; // failAt: the call that returns NULL
};
void *countingAlloc(void *user, size_t bytes, size_t align) {
  auto *c = static_cast<Counting *>(user);
  if (c->calls++ == c->failAt)
    return nullptr;
  ++c->live;
  return std::aligned_alloc(align, (bytes + align - 1) / align * align);
}
void countingFree(void *user, void *p) {
  static_cast<Counting *>(user)->live -= p != nullptr;
  std::free(p);
}

// A sequence input owning its tensors.
struct Seq {
  std::vector<std::vector<float>> data;
  std::vector<std::vector<int64_t>> dims;
  std::vector<int32_t> ranks;
  std::vector<const int64_t *> dimPtrs;
  std::vector<const void *> dataPtrs;
  onnxc_sequence seq{};
  void add(std::vector<int64_t> d, std::vector<float> v) {
    dims.push_back(std::move(d));
    data.push_back(std::move(v));
  }
  onnxc_sequence *get() {
    ranks.clear(), dimPtrs.clear(), dataPtrs.clear();
    for (size_t i = 0; i < data.size(); ++i) {
      ranks.push_back(int32_t(dims[i].size()));
      dimPtrs.push_back(dims[i].data());
      dataPtrs.push_back(data[i].data());
    }
    seq = {int64_t(data.size()), ONNXC_FLOAT, 0, ranks.data(), dimPtrs.data(),
           dataPtrs.data(), nullptr};
    return &seq;
  }
};

class Sequences : public ::testing::Test {
protected:
  void SetUp() override {
    x.add({2}, {1, 2});
    x.add({1, 3}, {3, 4, 5});
    x.add({}, {6});
    kernelStatus = ONNXC_OK;
    int64_t plan[] = {8, 1, 0, 0, 2, 0, 1, 3, -1, 0};
    std::copy(std::begin(plan), std::end(plan), onnxc__sequence_plan);
  }
  int run(const onnxc_allocator *a = nullptr) {
    const void *ins[] = {xp ? xp : x.get(), t, &pos};
    void *outs[] = {&z, w};
    return onnxc__model.run_with_allocator(nullptr, ins, outs, nullptr, nullptr, 0, a);
  }
  Seq x;
  onnxc_sequence *xp = nullptr;
  float t[2] = {10, 20}, w[2] = {0, 0};
  int64_t pos = 1;
  onnxc_sequence z{};
};

TEST_F(Sequences, InsertsAtRunTimePositionAndErases) {
  Counting c;
  onnxc_allocator a{countingAlloc, countingFree, &c};
  ASSERT_EQ(run(&a), ONNXC_OK);
  EXPECT_EQ(c.calls, 1); // one block per sequence output
  EXPECT_EQ(w[0], 11.f);
  // [x0, 2t, x1, x2] less the last.
  ASSERT_EQ(z.length, 3);
  EXPECT_EQ(z.dtype, ONNXC_FLOAT);
  EXPECT_EQ(z.ranks[0], 1);
  EXPECT_EQ(z.dims[0][0], 2);
  EXPECT_EQ(static_cast<const float *>(z.data[0])[1], 2.f);
  EXPECT_EQ(z.ranks[1], 1);
  EXPECT_EQ(static_cast<const float *>(z.data[1])[0], 20.f);
  EXPECT_EQ(static_cast<const float *>(z.data[1])[1], 40.f);
  EXPECT_EQ(z.ranks[2], 2);
  EXPECT_EQ(z.dims[2][1], 3);
  EXPECT_EQ(static_cast<const float *>(z.data[2])[2], 5.f);
  // The tensors are copies in the block, 16-byte aligned.
  EXPECT_NE(z.data[0], x.data[0].data());
  for (int k = 0; k < 3; ++k)
    EXPECT_EQ(reinterpret_cast<uintptr_t>(z.data[k]) % 16, 0u);
  countingFree(&c, z.allocation);
  EXPECT_EQ(c.live, 0);
}

TEST_F(Sequences, NegativeAndOutOfRangePositions) {
  pos = -3; // before x0
  ASSERT_EQ(run(), ONNXC_OK);
  EXPECT_EQ(static_cast<const float *>(z.data[0])[0], 20.f);
  std::free(z.allocation);
  for (int64_t bad : {4, -4}) {
    pos = bad;
    EXPECT_EQ(run(), ONNXC_ERROR_RUNTIME_CHECK) << bad;
    EXPECT_EQ(z.length, 0);
    EXPECT_EQ(z.allocation, nullptr);
  }
  // Erase from an empty sequence: the plan only erases.
  int64_t plan[] = {4, 1, 0, 0, 3, -1, 0};
  std::copy(std::begin(plan), std::end(plan), onnxc__sequence_plan);
  Seq empty;
  xp = empty.get();
  EXPECT_EQ(run(), ONNXC_ERROR_RUNTIME_CHECK);
}

TEST_F(Sequences, EmptyInputAndEmptyTensors) {
  Seq empty;
  empty.add({0, 4}, {});
  xp = empty.get();
  empty.seq.data = nullptr; // a sequence of empty tensors needs no data pointers...
  std::vector<const void *> nulls(1, nullptr);
  empty.seq.data = nulls.data(); // ...but the array itself
  pos = 0;
  ASSERT_EQ(run(), ONNXC_OK);
  ASSERT_EQ(z.length, 1); // [2t, (0x4)] less the last
  EXPECT_EQ(static_cast<const float *>(z.data[0])[0], 20.f);
  std::free(z.allocation);
}

TEST_F(Sequences, BadSequencesAreRefusedBeforeTheKernel) {
  int calls = kernelCalls;
  onnxc_sequence *s = x.get();
  xp = s;
  s->dtype = ONNXC_INT64;
  EXPECT_EQ(run(), ONNXC_ERROR_INVALID_ARGUMENT);
  s->dtype = ONNXC_FLOAT;
  s->length = -1;
  EXPECT_EQ(run(), ONNXC_ERROR_INVALID_ARGUMENT);
  s->length = 3;
  x.dims[0][0] = -2;
  EXPECT_EQ(run(), ONNXC_ERROR_INVALID_ARGUMENT);
  x.dims[0][0] = int64_t(1) << 40; // 4 TiB of floats
  EXPECT_EQ(run(), ONNXC_ERROR_DATA_SIZE);
  x.dims[0][0] = 2;
  const void *keep = s->data[1];
  x.dataPtrs[1] = nullptr;
  EXPECT_EQ(run(), ONNXC_ERROR_NULL_ARGUMENT);
  x.dataPtrs[1] = keep;
  s->ranks = nullptr;
  EXPECT_EQ(run(), ONNXC_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(kernelCalls, calls);
  // A NULL sequence (not optional) and a NULL output slot.
  const void *ins[] = {nullptr, t, &pos};
  void *outs[] = {&z, w};
  EXPECT_EQ(onnxc__model.run(ins, outs, nullptr), ONNXC_ERROR_NULL_ARGUMENT);
  ins[0] = x.get();
  outs[0] = nullptr;
  EXPECT_EQ(onnxc__model.run(ins, outs, nullptr), ONNXC_ERROR_NULL_ARGUMENT);
  outs[0] = &z;
  ASSERT_EQ(onnxc__model.run(ins, outs, nullptr), ONNXC_OK); // run(): malloc
  std::free(z.allocation);
}

TEST_F(Sequences, AbsentOptionalInput) {
  inputFlags[0] = ONNXC_TENSOR_SEQUENCE | ONNXC_TENSOR_OPTIONAL;
  const void *ins[] = {nullptr, t, &pos};
  void *outs[] = {&z, w};
  // Required by the plan (OptionalGetElement): status 12.
  onnxc__sequence_plan[3] = 1;
  EXPECT_EQ(onnxc__model.run(ins, outs, nullptr), ONNXC_ERROR_RUNTIME_CHECK);
  // Not required, to a non-optional output: status 12 too; to an optional output: absent.
  onnxc__sequence_plan[3] = 0;
  EXPECT_EQ(onnxc__model.run(ins, outs, nullptr), ONNXC_ERROR_RUNTIME_CHECK);
  outputFlags[0] = ONNXC_OUTPUT_SEQUENCE | ONNXC_OUTPUT_OPTIONAL;
  ASSERT_EQ(onnxc__model.run(ins, outs, nullptr), ONNXC_OK);
  EXPECT_EQ(z.length, -1);
  EXPECT_EQ(z.allocation, nullptr);
  outputFlags[0] = ONNXC_OUTPUT_SEQUENCE;
  inputFlags[0] = ONNXC_TENSOR_SEQUENCE;
}

TEST_F(Sequences, CollectedListsAppendAndReset) {
  // z = x, then what the kernel pushed to hidden slot 0 (a Loop-carried sequence).
  int64_t plan[] = {5, 1, 0, 0, 5, 0, 0};
  std::copy(std::begin(plan), std::end(plan), onnxc__sequence_plan);
  pushMode = true;
  ASSERT_EQ(run(), ONNXC_OK);
  ASSERT_EQ(z.length, 5);
  ASSERT_EQ(z.ranks[3], 2);
  EXPECT_EQ(z.dims[3][0], 2);
  EXPECT_EQ(z.dims[3][1], 2);
  const float *v = static_cast<const float *>(z.data[3]);
  EXPECT_EQ(v[0], 1.f); // the view copied dense: 1 3 / 4 6
  EXPECT_EQ(v[1], 3.f);
  EXPECT_EQ(v[2], 4.f);
  EXPECT_EQ(v[3], 6.f);
  EXPECT_EQ(z.ranks[4], 0);
  EXPECT_EQ(static_cast<const float *>(z.data[4])[0], 7.f);
  std::free(z.allocation);
  // A reset (the body replaced the sequence) drops x and what came before: z = [7]; an
  // absent optional x does not matter then.
  resetAfterFirst = true;
  inputFlags[0] = ONNXC_TENSOR_SEQUENCE | ONNXC_TENSOR_OPTIONAL;
  xp = nullptr;
  const void *ins[] = {nullptr, t, &pos};
  void *outs[] = {&z, w};
  ASSERT_EQ(onnxc__model.run_with_allocator(nullptr, ins, outs, nullptr, nullptr, 0, nullptr),
            ONNXC_OK);
  ASSERT_EQ(z.length, 1);
  EXPECT_EQ(static_cast<const float *>(z.data[0])[0], 7.f);
  std::free(z.allocation);
  inputFlags[0] = ONNXC_TENSOR_SEQUENCE;
  pushMode = resetAfterFirst = false;
}

TEST_F(Sequences, PresenceOfAnOptionalBuiltInTheGraph) {
  // z = [2t] if hidden slot 1 (read as a bool) is true, else absent.
  int64_t plan[] = {5, 4, 1, 2, 0, -1, 0};
  std::copy(std::begin(plan), std::end(plan), onnxc__sequence_plan);
  outputFlags[0] = ONNXC_OUTPUT_SEQUENCE | ONNXC_OUTPUT_OPTIONAL;
  pos = 1;
  ASSERT_EQ(run(), ONNXC_OK);
  ASSERT_EQ(z.length, 1);
  EXPECT_EQ(static_cast<const float *>(z.data[0])[1], 40.f);
  std::free(z.allocation);
  pos = 0;
  ASSERT_EQ(run(), ONNXC_OK);
  EXPECT_EQ(z.length, -1);
  EXPECT_EQ(z.allocation, nullptr);
  // Absent where the output is not optional: a run-time check fails.
  outputFlags[0] = ONNXC_OUTPUT_SEQUENCE;
  EXPECT_EQ(run(), ONNXC_ERROR_RUNTIME_CHECK);
}

TEST_F(Sequences, FailuresLeaveNothingAllocated) {
  Counting c;
  onnxc_allocator a{countingAlloc, countingFree, &c};
  c.failAt = 0;
  EXPECT_EQ(run(&a), ONNXC_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(c.live, 0);
  EXPECT_EQ(z.allocation, nullptr);
  kernelStatus = ONNXC_ERROR_DATA_SIZE; // the kernel fails: no output is built
  c = Counting{};
  EXPECT_EQ(run(&a), ONNXC_ERROR_DATA_SIZE);
  EXPECT_EQ(c.calls, 0);
  EXPECT_EQ(z.length, 0);
}
} // namespace
