/* The runtime stub linked into every compiled model: argument checks, the CPU feature check,
 * status strings. Freestanding C: no libc calls, so it adds nothing to the library's
 * dependencies. Built with hidden visibility: none of these symbols is exported. */
#include "onnxc/model.h"
#include "status_string.h"
#include "runtime_internal.h"

/* Defined by the compiled model. */
extern const onnxc_model onnxc__model;
extern const uint64_t onnxc__required_features;
int onnxc__kernel(const void *const *inputs, void *const *outputs, void *workspace);
/* Run-time dims (docs/dynamic-shapes.md). out_dims_flat: every output's dims, one after the
 * other. sizes returns the workspace bytes, or -1 when a size comes out negative. */
int64_t onnxc__sizes(const int64_t *dims, int64_t *out_dims_flat);
int onnxc__kernel_dynamic(const int64_t *dims, const void *const *inputs, void *const *outputs,
                          int64_t *out_dims_flat, void *workspace);

/* 0: not checked yet; otherwise ONNXC_OK + 1 or the failing status + 1. Threads may race to
 * fill it in; every one computes the same value, and relaxed atomics make that race defined
 * (and quiet under ThreadSanitizer). */
static int cpu_check_result;

/* Whether input i may be NULL: an absent optional (ONNXC_TENSOR_OPTIONAL). */
static int input_may_be_null(uint32_t i) {
  const onnxc_model *m = &onnxc__model;
  return m->input_flags && (m->input_flags[i] & ONNXC_TENSOR_OPTIONAL);
}

int onnxc_rt_init(void) {
  int r = __atomic_load_n(&cpu_check_result, __ATOMIC_RELAXED);
  if (!r) {
    uint64_t have = onnxc_rt_cpu_features();
    r = ((have & onnxc__required_features) == onnxc__required_features
             ? ONNXC_OK
             : ONNXC_ERROR_CPU_UNSUPPORTED) + 1;
    __atomic_store_n(&cpu_check_result, r, __ATOMIC_RELAXED);
  }
  return r - 1;
}

int onnxc_rt_run(const void *const *inputs, void *const *outputs, void *workspace) {
  const onnxc_model *m = &onnxc__model;
  int status = onnxc_rt_init();
  if (status != ONNXC_OK)
    return status;
  if (m->num_dims || (m->flags & ONNXC_MODEL_DATA_DEPENDENT_DIMS))
    return ONNXC_ERROR_DIMS_OUT_OF_RANGE; /* needs run_dynamic (dims, or out_dims) */
  if ((m->num_inputs && !inputs) || !outputs)
    return ONNXC_ERROR_NULL_ARGUMENT;
  for (uint32_t i = 0; i < m->num_inputs; ++i)
    if (!inputs[i] && m->inputs[i].size_bytes && !input_may_be_null(i))
      return ONNXC_ERROR_NULL_ARGUMENT;
  for (uint32_t i = 0; i < m->num_outputs; ++i)
    if (!outputs[i] && m->outputs[i].size_bytes)
      return ONNXC_ERROR_NULL_ARGUMENT;
  if (m->workspace_size) {
    if (!workspace)
      return ONNXC_ERROR_NULL_ARGUMENT;
    if ((uintptr_t)workspace % m->workspace_alignment)
      return ONNXC_ERROR_WORKSPACE_MISALIGNED;
  }
  return onnxc__kernel(inputs, outputs, workspace);
}

/* Run-time dims. Negative values and values from 2^31 on are refused before any size is
 * computed, so the sizes computed from them cannot overflow for models of sane rank. A dim
 * may be 0 (an empty tensor): the size function refuses what has no meaning then (a Reshape
 * -1 next to a 0, a Gather from an empty axis...) with a negative size, and the kernels run
 * zero trips over it (docs/dynamic-shapes.md). */
#define ONNXC_MAX_DIM (((int64_t)1) << 31)

static uint32_t out_dims_count(void) {
  const onnxc_model *m = &onnxc__model;
  uint32_t n = 0;
  for (uint32_t i = 0; i < m->num_outputs; ++i)
    n += (uint32_t)m->outputs[i].rank;
  return n;
}

static int check_dims(const int64_t *dims) {
  const onnxc_model *m = &onnxc__model;
  if (m->num_dims && !dims)
    return ONNXC_ERROR_NULL_ARGUMENT;
  for (uint32_t k = 0; k < m->num_dims; ++k)
    if (dims[k] < 0 || dims[k] >= ONNXC_MAX_DIM)
      return ONNXC_ERROR_DIMS_OUT_OF_RANGE;
  return ONNXC_OK;
}

static void scatter_dims(const int64_t *flat, int64_t *const *out_dims) {
  const onnxc_model *m = &onnxc__model;
  if (!out_dims)
    return;
  for (uint32_t i = 0, at = 0; i < m->num_outputs; at += (uint32_t)m->outputs[i].rank, ++i)
    if (out_dims[i])
      for (int32_t d = 0; d < m->outputs[i].rank; ++d)
        out_dims[i][d] = flat[at + (uint32_t)d];
}

int64_t onnxc_rt_workspace_size_for(const int64_t *dims) {
  if (check_dims(dims) != ONNXC_OK)
    return -1;
  uint32_t n = out_dims_count();
  int64_t flat[n ? n : 1];
  return onnxc__sizes(dims, flat);
}

int onnxc_rt_output_dims(const int64_t *dims, int64_t *const *out_dims) {
  int status = check_dims(dims);
  if (status != ONNXC_OK)
    return status;
  if (!out_dims)
    return ONNXC_ERROR_NULL_ARGUMENT;
  uint32_t n = out_dims_count();
  int64_t flat[n ? n : 1];
  if (onnxc__sizes(dims, flat) < 0)
    return ONNXC_ERROR_DIMS_OUT_OF_RANGE;
  scatter_dims(flat, out_dims);
  return ONNXC_OK;
}

/* The context API: the library owns the workspace (one malloc per context, none per run; a
 * model with run-time dims grows it when a call needs more). */
void *malloc(size_t size);
void free(void *ptr);

struct onnxc_rt_context {
  void *allocation;
  void *workspace;
  uint64_t capacity;
  onnxc_allocator allocator; /* of allocated outputs; alloc NULL: malloc */
};

/* Makes the context's workspace hold `need` bytes (a context of a model with run-time dims
 * grows when a call needs more). */
static int grow_workspace(struct onnxc_rt_context *ctx, uint64_t need) {
  const onnxc_model *m = &onnxc__model;
  if (need <= ctx->capacity)
    return ONNXC_OK;
  size_t align = m->workspace_alignment ? (size_t)m->workspace_alignment : 64;
  void *grown = malloc((size_t)need + align);
  if (!grown)
    return ONNXC_ERROR_OUT_OF_MEMORY;
  free(ctx->allocation);
  ctx->allocation = grown;
  ctx->workspace = (void *)(((uintptr_t)grown + align - 1) / align * align);
  ctx->capacity = need;
  return ONNXC_OK;
}

/* run_dynamic, run_checked and the context's run_dynamic: the workspace must hold the run's
 * size and at most `workspace_bytes` is available (UINT64_MAX: the caller vouches for the
 * size); with a context `ctx`, its workspace is used and grown to the size instead. The size
 * is computed once per run, with the output dims. */
static int run_within(const int64_t *dims, const void *const *inputs, void *const *outputs,
                      int64_t *const *out_dims, void *workspace, uint64_t workspace_bytes,
                      struct onnxc_rt_context *ctx) {
  const onnxc_model *m = &onnxc__model;
  int status = onnxc_rt_init();
  if (status != ONNXC_OK)
    return status;
  if (!m->num_dims && !(m->flags & ONNXC_MODEL_DATA_DEPENDENT_DIMS)) {
    if (m->workspace_size > workspace_bytes)
      return ONNXC_ERROR_WORKSPACE_TOO_SMALL;
    status = onnxc_rt_run(inputs, outputs, workspace);
    if (status == ONNXC_OK && out_dims)
      for (uint32_t i = 0; i < m->num_outputs; ++i)
        if (out_dims[i])
          for (int32_t d = 0; d < m->outputs[i].rank; ++d)
            out_dims[i][d] = m->outputs[i].dims[d];
    return status;
  }
  status = check_dims(dims);
  if (status != ONNXC_OK)
    return status;
  uint32_t n = out_dims_count();
  int64_t flat[n ? n : 1];
  int64_t ws_size = onnxc__sizes(dims, flat);
  if (ws_size < 0)
    return ONNXC_ERROR_DIMS_OUT_OF_RANGE;
  if (ctx) {
    status = grow_workspace(ctx, (uint64_t)ws_size);
    if (status != ONNXC_OK)
      return status;
    workspace = ctx->workspace;
  } else if ((uint64_t)ws_size > workspace_bytes) {
    return ONNXC_ERROR_WORKSPACE_TOO_SMALL;
  }
  if ((m->num_inputs && !inputs) || !outputs)
    return ONNXC_ERROR_NULL_ARGUMENT;
  /* A tensor with no element (a static 0, or a run-time dim given as 0) may be NULL. An
   * input's run-time dim reads -1 - k for symbol k. */
  for (uint32_t i = 0; i < m->num_inputs; ++i) {
    int empty = 0;
    for (int32_t d = 0; d < m->inputs[i].rank; ++d) {
      int64_t v = m->inputs[i].dims[d];
      if (v < 0 && -1 - v < (int64_t)m->num_dims)
        v = dims[-1 - v];
      empty |= v == 0;
    }
    if (!inputs[i] && !empty && !input_may_be_null(i))
      return ONNXC_ERROR_NULL_ARGUMENT;
  }
  for (uint32_t i = 0, at = 0; i < m->num_outputs; at += (uint32_t)m->outputs[i].rank, ++i) {
    int empty = 0;
    for (int32_t d = 0; d < m->outputs[i].rank; ++d)
      empty |= flat[at + (uint32_t)d] == 0;
    if (!outputs[i] && !empty)
      return ONNXC_ERROR_NULL_ARGUMENT;
  }
  if (ws_size) {
    if (!workspace)
      return ONNXC_ERROR_NULL_ARGUMENT;
    if ((uintptr_t)workspace % m->workspace_alignment)
      return ONNXC_ERROR_WORKSPACE_MISALIGNED;
  }
  status = onnxc__kernel_dynamic(dims, inputs, outputs, flat, workspace);
  scatter_dims(flat, out_dims);
  return status;
}

/* Graph outputs whose size depends on data with no bound (ONNXC_OUTPUT_ALLOCATED): the
 * kernel gets, in place of the caller's slot, a record of the run's allocator, and calls
 * onnxc_rt_alloc_output with it once it knows the size (after the size checks). The slot is
 * written after the kernel returns: the pointer on success; on failure NULL, the allocation
 * (if any) given back through the allocator's free. */
struct onnxc_rt_output_record {
  const onnxc_allocator *allocator;
  void *ptr;
};

static void *default_alloc(void *user, size_t bytes, size_t align) {
  (void)user;
  (void)align; /* ONNXC_OUTPUT_ALIGNMENT: malloc's own on 64-bit targets */
  return malloc(bytes);
}

static void default_free(void *user, void *ptr) {
  (void)user;
  free(ptr);
}

static const onnxc_allocator default_allocator = {default_alloc, default_free, 0};

/* What an empty output's kernel writes to: nothing (it has no elements); the slot gets NULL. */
static char empty_output;

/* Called by the compiled code (passes/AllocateOutputs.cpp); NULL ends the run with
 * ONNXC_ERROR_OUT_OF_MEMORY. */
void *onnxc_rt_alloc_output(void *record, int64_t bytes) {
  struct onnxc_rt_output_record *r = record;
  if (bytes <= 0)
    return &empty_output;
  r->ptr = r->allocator->alloc(r->allocator->user, (size_t)bytes, ONNXC_OUTPUT_ALIGNMENT);
  return r->ptr;
}

static int output_allocated(uint32_t i) {
  const onnxc_model *m = &onnxc__model;
  return m->output_flags && (m->output_flags[i] & ONNXC_OUTPUT_ALLOCATED);
}

/* run_within for a model that may allocate outputs: the slots are checked and cleared, the
 * kernel runs with records in their place, and the slots are filled in (or the outputs
 * freed) after. */
static int run_allocating(const int64_t *dims, const void *const *inputs, void *const *outputs,
                          int64_t *const *out_dims, void *workspace, uint64_t workspace_bytes,
                          struct onnxc_rt_context *ctx, const onnxc_allocator *allocator) {
  const onnxc_model *m = &onnxc__model;
  if (!(m->flags & ONNXC_MODEL_ALLOCATED_OUTPUTS))
    return run_within(dims, inputs, outputs, out_dims, workspace, workspace_bytes, ctx);
  if (!allocator)
    allocator = &default_allocator;
  if (!outputs || !allocator->alloc || !allocator->free)
    return ONNXC_ERROR_NULL_ARGUMENT;
  uint32_t n = m->num_outputs;
  struct onnxc_rt_output_record records[n ? n : 1];
  void *kernel_outputs[n ? n : 1];
  for (uint32_t i = 0; i < n; ++i) {
    kernel_outputs[i] = outputs[i];
    if (output_allocated(i) && !outputs[i])
      return ONNXC_ERROR_NULL_ARGUMENT;
  }
  for (uint32_t i = 0; i < n; ++i)
    if (output_allocated(i)) {
      *(void **)outputs[i] = 0;
      records[i].allocator = allocator;
      records[i].ptr = 0;
      kernel_outputs[i] = &records[i];
    }
  int status = run_within(dims, inputs, kernel_outputs, out_dims, workspace, workspace_bytes,
                          ctx);
  for (uint32_t i = 0; i < n; ++i)
    if (output_allocated(i) && records[i].ptr) {
      if (status == ONNXC_OK)
        *(void **)outputs[i] = records[i].ptr;
      else
        allocator->free(allocator->user, records[i].ptr);
    }
  return status;
}

int onnxc_rt_run_dynamic(const int64_t *dims, const void *const *inputs, void *const *outputs,
                         int64_t *const *out_dims, void *workspace) {
  return run_allocating(dims, inputs, outputs, out_dims, workspace, UINT64_MAX, NULL, NULL);
}

int onnxc_rt_run_checked(const int64_t *dims, const void *const *inputs, void *const *outputs,
                         int64_t *const *out_dims, void *workspace, uint64_t workspace_bytes) {
  return run_allocating(dims, inputs, outputs, out_dims, workspace, workspace_bytes, NULL,
                        NULL);
}

int onnxc_rt_run_with_allocator(const int64_t *dims, const void *const *inputs,
                                void *const *outputs, int64_t *const *out_dims, void *workspace,
                                uint64_t workspace_bytes, const onnxc_allocator *allocator) {
  return run_allocating(dims, inputs, outputs, out_dims, workspace, workspace_bytes, NULL,
                        allocator);
}

struct onnxc_rt_context *onnxc_rt_context_create(void) {
  const onnxc_model *m = &onnxc__model;
  size_t align = m->workspace_alignment ? (size_t)m->workspace_alignment : 64;
  struct onnxc_rt_context *ctx = malloc(sizeof *ctx);
  if (!ctx)
    return 0;
  ctx->allocation = malloc((size_t)m->workspace_size + align);
  if (!ctx->allocation) {
    free(ctx);
    return 0;
  }
  ctx->workspace =
      (void *)(((uintptr_t)ctx->allocation + align - 1) / align * align);
  ctx->capacity = m->workspace_size;
  ctx->allocator.alloc = 0;
  ctx->allocator.free = 0;
  ctx->allocator.user = 0;
  return ctx;
}

void onnxc_rt_context_destroy(struct onnxc_rt_context *ctx) {
  if (ctx) {
    free(ctx->allocation);
    free(ctx);
  }
}

int onnxc_rt_context_run(struct onnxc_rt_context *ctx, const void *const *inputs,
                         void *const *outputs) {
  if (!ctx)
    return ONNXC_ERROR_NULL_ARGUMENT;
  return onnxc_rt_run(inputs, outputs, ctx->workspace);
}

int onnxc_rt_context_run_dynamic(struct onnxc_rt_context *ctx, const int64_t *dims,
                                 const void *const *inputs, void *const *outputs,
                                 int64_t *const *out_dims) {
  if (!ctx)
    return ONNXC_ERROR_NULL_ARGUMENT;
  /* The static path runs in the workspace made at creation (workspace_size); the dynamic one
   * grows it to the size it computes anyway for the output dims. */
  return run_allocating(dims, inputs, outputs, out_dims, ctx->workspace, UINT64_MAX, ctx,
                        ctx->allocator.alloc ? &ctx->allocator : NULL);
}

int onnxc_rt_context_set_allocator(struct onnxc_rt_context *ctx, onnxc_alloc_fn alloc,
                                   onnxc_free_fn free_fn, void *user) {
  if (!ctx || !alloc != !free_fn)
    return ONNXC_ERROR_NULL_ARGUMENT;
  ctx->allocator.alloc = alloc;
  ctx->allocator.free = free_fn;
  ctx->allocator.user = user;
  return ONNXC_OK;
}

const char *onnxc_rt_status_string(int status) { return status_message(status); }

/* Buffers whose size depends on tensor data with no compile-time bound (PlanMemory): the
 * compiled code checks their size (1 GiB at most), allocates them here, returns
 * ONNXC_ERROR_OUT_OF_MEMORY when this gives NULL, and frees them before it returns. The
 * names are those MLIR's memref lowering calls with use-generic-functions. */
void *_mlir_memref_to_llvm_alloc(size_t size) { return malloc(size ? size : 1); }
void _mlir_memref_to_llvm_free(void *ptr) { free(ptr); }
