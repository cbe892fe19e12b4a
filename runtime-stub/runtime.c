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

/* The kernel's outputs: the model's, then (models with sequences) the hidden tensors. */
static int run_kernel(const void *const *inputs, void *const *outputs, void *workspace) {
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

static int run_static(const int64_t *dims, const void *const *inputs, void *const *outputs,
                      void *workspace, const onnxc_allocator *allocator);
extern const uint32_t onnxc__sequence_map;

int onnxc_rt_run(const void *const *inputs, void *const *outputs, void *workspace) {
  if (onnxc__sequence_map && onnxc__model.num_dims)
    return ONNXC_ERROR_DIMS_OUT_OF_RANGE; /* needs run_dynamic (dims) */
  return run_static(0, inputs, outputs, workspace, 0);
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
  if (onnxc__sequence_map) /* its workspace is allocated per run */
    return 0;
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
  if (onnxc__sequence_map) /* only sequence outputs: no dims */
    return ONNXC_OK;
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
                      struct onnxc_rt_context *ctx, const onnxc_allocator *allocator) {
  const onnxc_model *m = &onnxc__model;
  int status = onnxc_rt_init();
  if (status != ONNXC_OK)
    return status;
  if (!m->num_dims && !(m->flags & ONNXC_MODEL_DATA_DEPENDENT_DIMS)) {
    if (m->workspace_size > workspace_bytes)
      return ONNXC_ERROR_WORKSPACE_TOO_SMALL;
    status = run_static(0, inputs, outputs, workspace, allocator);
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
  if (onnxc__sequence_map) { /* dims only for its tensor inputs; no output dims */
    int status = check_dims(dims);
    return status != ONNXC_OK ? status
                              : run_static(dims, inputs, outputs, workspace, allocator);
  }
  if (!(m->flags & ONNXC_MODEL_ALLOCATED_OUTPUTS))
    return run_within(dims, inputs, outputs, out_dims, workspace, workspace_bytes, ctx,
                      allocator);
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
                          ctx, allocator);
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

/* Sequences (ABI 6). The compiled graph never reads a sequence input's tensors nor writes a
 * sequence output: sequences are structural in the models compiled today (a graph input
 * passed through Identity/Optional ops, edited by SequenceInsert/SequenceErase, or a
 * sequence built in the graph), so the compiler describes each sequence output by a plan
 * (compiler/import/Importer.cpp) over the sequence inputs and "hidden" tensors: extra kernel
 * outputs after the model's, static, in buffers allocated here per run. After the kernel,
 * build_sequence follows the plan and copies the tensors into one block per output.
 *
 * onnxc__sequence_plan: for each output, its instruction count n, then n int64s:
 *   0                start empty
 *   1 k required     start from sequence input k's tensors; input k absent (NULL): with
 *                    `required` (OptionalGetElement) or a non-optional output the run
 *                    fails with ONNXC_ERROR_RUNTIME_CHECK, else the output is absent
 *   2 h p            insert hidden tensor h at position hidden[p] (p -1: at the end)
 *   3 p              erase the tensor at position hidden[p] (p -1: the last one)
 *   4 h              (first) the output is absent (length -1) unless hidden bool scalar h
 *                    is true: an optional of a sequence built in the graph (an If's result)
 *   5 h              append the tensors collected in hidden slot h: a Loop-carried sequence
 *                    only appended to, whose tensors the compiled code gives, as the body
 *                    runs, to onnxc_rt_sequence_push (the slot holds the list's record);
 *                    after onnxc_rt_sequence_reset (the body replaced the sequence) the
 *                    instructions before it are skipped
 * A position out of range ends the run with ONNXC_ERROR_RUNTIME_CHECK, as ONNX makes it an
 * error of the inputs. */
extern const uint32_t onnxc__num_hidden;
extern const onnxc_tensor_desc onnxc__hidden[];
extern const int64_t onnxc__sequence_plan[];
void *memcpy(void *dst, const void *src, size_t n);

/* Sequence data over 1 GiB is refused (ONNXC_ERROR_DATA_SIZE), as per-run buffers are. */
#define ONNXC_MAX_SEQUENCE_BYTES (((int64_t)1) << 30)

static int input_is_sequence(uint32_t i) {
  const onnxc_model *m = &onnxc__model;
  return m->input_flags && (m->input_flags[i] & ONNXC_TENSOR_SEQUENCE);
}

static int output_is_sequence(uint32_t i) {
  const onnxc_model *m = &onnxc__model;
  return m->output_flags && (m->output_flags[i] & ONNXC_OUTPUT_SEQUENCE);
}

static int64_t dtype_bytes(int32_t dtype) {
  switch (dtype) {
  case ONNXC_FLOAT: case ONNXC_INT32: case ONNXC_UINT32: return 4;
  case ONNXC_UINT8: case ONNXC_INT8: case ONNXC_BOOL: return 1;
  case ONNXC_UINT16: case ONNXC_INT16: case ONNXC_FLOAT16: case ONNXC_BFLOAT16: return 2;
  default: return 8;
  }
}

/* Bytes of a tensor of `rank` dims, or -1 if a dim is negative or the size too large. */
static int64_t tensor_bytes(int32_t dtype, int32_t rank, const int64_t *dims) {
  int64_t n = dtype_bytes(dtype);
  for (int32_t d = 0; d < rank; ++d) {
    if (dims[d] < 0 || __builtin_mul_overflow(n, dims[d], &n) || n > ONNXC_MAX_SEQUENCE_BYTES)
      return -1;
  }
  return n;
}

static int check_sequence_input(uint32_t i, const onnxc_sequence *s) {
  const onnxc_model *m = &onnxc__model;
  if (!s)
    return input_may_be_null(i) ? ONNXC_OK : ONNXC_ERROR_NULL_ARGUMENT;
  if (s->length < 0 || s->length > ONNXC_MAX_DIM || s->dtype != m->inputs[i].dtype)
    return ONNXC_ERROR_INVALID_ARGUMENT;
  if (s->length && (!s->ranks || !s->dims || !s->data))
    return ONNXC_ERROR_NULL_ARGUMENT;
  for (int64_t k = 0; k < s->length; ++k) {
    if (s->ranks[k] < 0 || (s->ranks[k] && !s->dims[k]))
      return ONNXC_ERROR_INVALID_ARGUMENT;
    for (int32_t d = 0; d < s->ranks[k]; ++d)
      if (s->dims[k][d] < 0)
        return ONNXC_ERROR_INVALID_ARGUMENT;
    int64_t bytes = tensor_bytes(s->dtype, s->ranks[k], s->dims[k]);
    if (bytes < 0)
      return ONNXC_ERROR_DATA_SIZE;
    if (bytes && !s->data[k])
      return ONNXC_ERROR_NULL_ARGUMENT;
  }
  return ONNXC_OK;
}

struct seq_ref {
  const void *data;
  const int64_t *dims;
  int32_t rank;
};

static int64_t read_position(uint32_t h, void *const *hidden) {
  if (onnxc__hidden[h].dtype == ONNXC_INT32)
    return *(const int32_t *)hidden[h];
  return *(const int64_t *)hidden[h];
}

/* Instruction sizes of the sequence plan. */
static int64_t plan_step(int64_t op) { return op == 0 ? 1 : op == 1 || op == 2 ? 3 : 2; }

/* A list of tensors a Loop-carried sequence collects during the kernel (plan instruction 5):
 * each one copied, dense, with its dims after its data. A failed allocation is remembered
 * and makes the run fail with ONNXC_ERROR_OUT_OF_MEMORY after the kernel. */
struct collected {
  void *block; /* the dims (rank int64s), then the data at 16 bytes */
  int32_t rank;
};
struct collector {
  int32_t failed;
  int32_t reset; /* the body replaced the sequence: the entry and earlier edits are dropped */
  int64_t count, capacity;
  struct collected *items;
};

/* Called by the compiled code (passes/LowerSequencePushes.cpp) with addresses as int64:
 * `meta` holds the dims then the strides (in elements) of the tensor at `data`. */
void onnxc_rt_sequence_push(int64_t record, int64_t data, int64_t elem_bytes, int64_t rank,
                            int64_t meta) {
  struct collector *c = (struct collector *)(uintptr_t)record;
  const int64_t *dims = (const int64_t *)(uintptr_t)meta, *strides = dims + rank;
  if (c->failed)
    return;
  int64_t count = 1, bytes;
  for (int64_t d = 0; d < rank; ++d)
    if (dims[d] < 0 || __builtin_mul_overflow(count, dims[d], &count))
      count = -1;
  if (count < 0 || __builtin_mul_overflow(count, elem_bytes, &bytes) ||
      bytes > ONNXC_MAX_SEQUENCE_BYTES) {
    c->failed = 1;
    return;
  }
  if (c->count == c->capacity) {
    int64_t grown = c->capacity ? 2 * c->capacity : 8;
    struct collected *items = malloc((size_t)grown * sizeof *items);
    if (!items) {
      c->failed = 1;
      return;
    }
    for (int64_t k = 0; k < c->count; ++k)
      items[k] = c->items[k];
    free(c->items);
    c->items = items;
    c->capacity = grown;
  }
  int64_t header = (rank * (int64_t)sizeof(int64_t) + 15) / 16 * 16;
  char *block = malloc((size_t)(header + bytes + 1));
  if (!block) {
    c->failed = 1;
    return;
  }
  for (int64_t d = 0; d < rank; ++d)
    ((int64_t *)block)[d] = dims[d];
  char *out = block + header;
  const char *src = (const char *)(uintptr_t)data;
  /* Row-major walk of the (possibly strided) view, one element at a time. */
  int64_t index[rank ? rank : 1];
  for (int64_t d = 0; d < rank; ++d)
    index[d] = 0;
  for (int64_t k = 0; k < count; ++k) {
    int64_t at = 0;
    for (int64_t d = 0; d < rank; ++d)
      at += index[d] * strides[d];
    memcpy(out + k * elem_bytes, src + at * elem_bytes, (size_t)elem_bytes);
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == dims[d]; --d)
      index[d] = 0;
  }
  c->items[c->count].block = block;
  c->items[c->count].rank = (int32_t)rank;
  ++c->count;
}

/* The body replaced the sequence (passes/LowerSequencePushes.cpp): what follows starts empty. */
void onnxc_rt_sequence_reset(int64_t record) {
  struct collector *c = (struct collector *)(uintptr_t)record;
  for (int64_t k = 0; k < c->count; ++k)
    free(c->items[k].block);
  c->count = 0;
  c->reset = 1;
}

static void free_collector(struct collector *c) {
  for (int64_t k = 0; k < c->count; ++k)
    free(c->items[k].block);
  free(c->items);
  c->count = c->capacity = 0;
  c->items = 0;
}

static void clear_sequence(onnxc_sequence *out, int64_t length) {
  out->length = length;
  out->dtype = 0;
  out->reserved = 0;
  out->ranks = 0;
  out->dims = 0;
  out->data = 0;
  out->allocation = 0;
}

static int pack_sequence(const struct seq_ref *refs, int64_t count, int32_t dtype,
                         const onnxc_allocator *a, onnxc_sequence *out);

/* Follows output `o`'s plan (n instructions) into `out`, allocating through `a`. */
static int build_sequence(uint32_t o, const int64_t *plan, int64_t n,
                          const void *const *inputs, void *const *hidden,
                          const onnxc_allocator *a, onnxc_sequence *out) {
  const onnxc_model *m = &onnxc__model;
  int32_t dtype = m->outputs[o].dtype;
  const onnxc_sequence *base = 0;
  int64_t capacity = 0;
  /* A collected list whose sequence the Loop body replaced starts the sequence anew: the
   * instructions before it (the entry, maybe an absent optional) no longer count. */
  int64_t start = 0;
  for (int64_t at = 0; at < n; at += plan_step(plan[at]))
    if (plan[at] == 5 && ((const struct collector *)hidden[plan[at + 1]])->reset)
      start = at;
  for (int64_t at = start; at < n;) {
    int64_t op = plan[at];
    if (op == 4 && !*(const uint8_t *)hidden[plan[at + 1]]) {
      if (!(m->output_flags[o] & ONNXC_OUTPUT_OPTIONAL))
        return ONNXC_ERROR_RUNTIME_CHECK;
      clear_sequence(out, -1);
      return ONNXC_OK;
    }
    if (op == 1) {
      base = inputs[plan[at + 1]];
      if (!base) {
        if (plan[at + 2] || !(m->output_flags[o] & ONNXC_OUTPUT_OPTIONAL))
          return ONNXC_ERROR_RUNTIME_CHECK;
        clear_sequence(out, -1);
        return ONNXC_OK;
      }
      capacity += base->length;
    }
    if (op == 5)
      capacity += ((const struct collector *)hidden[plan[at + 1]])->count;
    capacity += op == 2;
    at += plan_step(op);
  }
  struct seq_ref *refs = capacity ? malloc((size_t)capacity * sizeof *refs) : 0;
  if (capacity && !refs)
    return ONNXC_ERROR_OUT_OF_MEMORY;
  int64_t count = 0;
  int status = ONNXC_OK;
  for (int64_t at = start; at < n && status == ONNXC_OK;) {
    int64_t op = plan[at];
    if (op == 1) {
      for (int64_t k = 0; k < base->length; ++k) {
        refs[count].data = base->data[k];
        refs[count].dims = base->dims[k];
        refs[count].rank = base->ranks[k];
        ++count;
      }
    } else if (op == 2 || op == 3) {
      int64_t p = plan[at + (op == 2 ? 2 : 1)];
      int64_t pos = p < 0 ? (op == 2 ? count : count - 1) : read_position((uint32_t)p, hidden);
      if (pos < 0)
        pos += count;
      if (pos < 0 || pos > count - (op == 3) || (op == 3 && count == 0)) {
        status = ONNXC_ERROR_RUNTIME_CHECK;
        break;
      }
      if (op == 2) {
        for (int64_t k = count; k > pos; --k)
          refs[k] = refs[k - 1];
        uint32_t h = (uint32_t)plan[at + 1];
        refs[pos].data = hidden[h];
        refs[pos].dims = onnxc__hidden[h].dims;
        refs[pos].rank = onnxc__hidden[h].rank;
        ++count;
      } else {
        for (int64_t k = pos; k + 1 < count; ++k)
          refs[k] = refs[k + 1];
        --count;
      }
    } else if (op == 5) {
      const struct collector *c = hidden[plan[at + 1]];
      for (int64_t k = 0; k < c->count; ++k) {
        int64_t header = (c->items[k].rank * (int64_t)sizeof(int64_t) + 15) / 16 * 16;
        refs[count].data = (const char *)c->items[k].block + header;
        refs[count].dims = c->items[k].block;
        refs[count].rank = c->items[k].rank;
        ++count;
      }
    }
    at += plan_step(op);
  }
  if (status == ONNXC_OK)
    status = pack_sequence(refs, count, dtype, a, out);
  free(refs);
  return status;
}

/* Copies the `count` tensors of `refs` into one block allocated through `a`, described by
 * `out`: data pointers, dims pointers, the dims, ranks, then each tensor (16-byte aligned). */
static int pack_sequence(const struct seq_ref *refs, int64_t count, int32_t dtype,
                         const onnxc_allocator *a, onnxc_sequence *out) {
  int status = ONNXC_OK;
  int64_t ranks = 0, bytes = 0;
  for (int64_t k = 0; k < count && status == ONNXC_OK; ++k) {
    int64_t t = tensor_bytes(dtype, refs[k].rank, refs[k].dims);
    ranks += refs[k].rank;
    if (t < 0 || (bytes += (t + 15) / 16 * 16) > ONNXC_MAX_SEQUENCE_BYTES)
      status = ONNXC_ERROR_DATA_SIZE;
  }
  int64_t header = count * (int64_t)(sizeof(int32_t) + 2 * sizeof(void *)) +
                   ranks * (int64_t)sizeof(int64_t);
  header = (header + 15) / 16 * 16;
  char *block = 0;
  if (status == ONNXC_OK && count) {
    block = a->alloc(a->user, (size_t)(header + bytes), ONNXC_OUTPUT_ALIGNMENT);
    if (!block)
      status = ONNXC_ERROR_OUT_OF_MEMORY;
  }
  if (status == ONNXC_OK) {
    clear_sequence(out, count);
    out->dtype = dtype;
    if (count) {
      const void **ptrs = (const void **)block;
      const int64_t **dimsp = (const int64_t **)(block + count * (int64_t)sizeof(void *));
      int64_t *dims = (int64_t *)(block + 2 * count * (int64_t)sizeof(void *));
      int32_t *rk = (int32_t *)(block + 2 * count * (int64_t)sizeof(void *) +
                                ranks * (int64_t)sizeof(int64_t));
      char *data = block + header;
      for (int64_t k = 0; k < count; ++k) {
        int64_t t = tensor_bytes(dtype, refs[k].rank, refs[k].dims);
        rk[k] = refs[k].rank;
        dimsp[k] = dims;
        for (int32_t d = 0; d < refs[k].rank; ++d)
          *dims++ = refs[k].dims[d];
        ptrs[k] = data;
        if (t)
          memcpy(data, refs[k].data, (size_t)t);
        data += (t + 15) / 16 * 16;
      }
      out->ranks = rk;
      out->dims = dimsp;
      out->data = ptrs;
      out->allocation = block;
    }
  }
  return status;
}

/* Models that map their sequence inputs (SequenceMap, compiler/import/SequenceMap.cpp): the
 * kernel is the map's body for one element, with run-time dims for the elements' symbols.
 * Each element k of the mapped inputs (all of one length) gives the dims (checked against
 * each other like the callers' dims), the kernel runs on the k-th tensors, into per-element
 * buffers; the outputs' sequences are then packed from them. The kernel's workspace is
 * allocated here per run (the descriptor's size is 0). */
extern const uint32_t onnxc__num_kernel_dims;
extern const onnxc_tensor_desc onnxc__kernel_inputs[];
extern const onnxc_tensor_desc onnxc__kernel_outputs[];

struct map_result {
  void *data;
  int64_t *dims; /* into the run's dims storage */
};

static int run_map(const int64_t *dims, const void *const *inputs, void *const *outputs,
                   const onnxc_allocator *allocator) {
  const onnxc_model *m = &onnxc__model;
  uint32_t nin = m->num_inputs, nout = m->num_outputs, nd = onnxc__num_kernel_dims;
  int64_t length = -1;
  for (uint32_t i = 0; i < nin; ++i)
    if (input_is_sequence(i) && onnxc__kernel_inputs[i].rank > 0) {
      const onnxc_sequence *s = inputs[i];
      if (!s)
        return ONNXC_ERROR_NULL_ARGUMENT;
      if (length >= 0 && s->length != length)
        return ONNXC_ERROR_INVALID_ARGUMENT; /* SequenceMap: sequences of one length */
      length = s->length;
    }
  if (length < 0)
    length = 0;
  uint32_t out_ranks = 0;
  for (uint32_t o = 0; o < nout; ++o)
    out_ranks += (uint32_t)onnxc__kernel_outputs[o].rank;
  /* Per element and output: its buffer and dims. */
  size_t cells = (size_t)length * nout;
  struct map_result *results = cells ? malloc(cells * sizeof *results) : 0;
  int64_t *all_dims = cells && out_ranks ? malloc((size_t)length * out_ranks * sizeof(int64_t)) : 0;
  if ((cells && !results) || (cells && out_ranks && !all_dims)) {
    free(results);
    free(all_dims);
    return ONNXC_ERROR_OUT_OF_MEMORY;
  }
  for (size_t c = 0; c < cells; ++c)
    results[c].data = 0;
  void *ws_alloc = 0;
  uint64_t ws_capacity = 0;
  int status = ONNXC_OK;
  for (int64_t k = 0; k < length && status == ONNXC_OK; ++k) {
    /* The callers' dims (those of the tensor inputs) first; the elements' must agree. */
    int64_t kdims[nd ? nd : 1];
    for (uint32_t d = 0; d < nd; ++d)
      kdims[d] = d < m->num_dims ? dims[d] : -1;
    const void *kin[nin ? nin : 1];
    for (uint32_t i = 0; i < nin && status == ONNXC_OK; ++i) {
      const onnxc_tensor_desc *kd = &onnxc__kernel_inputs[i];
      kin[i] = inputs[i];
      if (!input_is_sequence(i) || kd->rank == 0)
        continue;
      const onnxc_sequence *s = inputs[i];
      if (s->ranks[k] != kd->rank) {
        status = ONNXC_ERROR_INVALID_ARGUMENT; /* not the rank the body takes */
        break;
      }
      for (int32_t d = 0; d < kd->rank; ++d) {
        int64_t want = kd->dims[d], got = s->dims[k][d];
        if (want >= 0 ? got != want
                      : (kdims[-1 - want] >= 0 && kdims[-1 - want] != got) ||
                            got >= ONNXC_MAX_DIM) {
          status = ONNXC_ERROR_DIMS_OUT_OF_RANGE;
          break;
        }
        if (want < 0)
          kdims[-1 - want] = got;
      }
      kin[i] = s->data[k];
    }
    for (uint32_t d = 0; d < nd; ++d)
      if (kdims[d] < 0)
        kdims[d] = 0; /* a symbol no mapped tensor has: never used */
    if (status != ONNXC_OK)
      break;
    int64_t *flat = all_dims + (size_t)k * out_ranks;
    int64_t scratch[out_ranks ? out_ranks : 1];
    if (!flat)
      flat = scratch;
    int64_t ws_size = onnxc__sizes(kdims, flat);
    if (ws_size < 0) {
      status = ONNXC_ERROR_DIMS_OUT_OF_RANGE;
      break;
    }
    if ((uint64_t)ws_size > ws_capacity) {
      free(ws_alloc);
      ws_capacity = (uint64_t)ws_size;
      ws_alloc = malloc((size_t)ws_capacity + (size_t)m->workspace_alignment);
      if (!ws_alloc) {
        status = ONNXC_ERROR_OUT_OF_MEMORY;
        break;
      }
    }
    size_t align = m->workspace_alignment ? (size_t)m->workspace_alignment : 64;
    void *ws = ws_alloc ? (void *)(((uintptr_t)ws_alloc + align - 1) / align * align) : 0;
    void *kout[nout ? nout : 1];
    static char empty;
    for (uint32_t o = 0, at = 0; o < nout && status == ONNXC_OK;
         at += (uint32_t)onnxc__kernel_outputs[o].rank, ++o) {
      struct map_result *r = &results[(size_t)k * nout + o];
      r->dims = flat + at;
      int64_t bytes = tensor_bytes(onnxc__kernel_outputs[o].dtype, onnxc__kernel_outputs[o].rank,
                                   r->dims);
      if (bytes < 0) {
        status = ONNXC_ERROR_DATA_SIZE;
        break;
      }
      r->data = bytes ? malloc((size_t)bytes) : 0;
      if (bytes && !r->data)
        status = ONNXC_ERROR_OUT_OF_MEMORY;
      kout[o] = r->data ? r->data : &empty;
    }
    if (status == ONNXC_OK)
      status = onnxc__kernel_dynamic(kdims, kin, kout, flat, ws);
  }
  /* Pack each output's sequence. */
  struct seq_ref *refs = status == ONNXC_OK && length ? malloc((size_t)length * sizeof *refs) : 0;
  if (status == ONNXC_OK && length && !refs)
    status = ONNXC_ERROR_OUT_OF_MEMORY;
  for (uint32_t o = 0; o < nout && status == ONNXC_OK; ++o) {
    for (int64_t k = 0; k < length; ++k) {
      refs[k].data = results[(size_t)k * nout + o].data;
      refs[k].dims = results[(size_t)k * nout + o].dims;
      refs[k].rank = onnxc__kernel_outputs[o].rank;
    }
    status = pack_sequence(refs, length, onnxc__kernel_outputs[o].dtype, allocator, outputs[o]);
  }
  free(refs);
  for (size_t c = 0; c < cells; ++c)
    free(results[c].data);
  free(results);
  free(all_dims);
  free(ws_alloc);
  return status;
}

/* A model with sequences whose kernel sizes some buffers from data (static outputs, no
 * run-time input dims; compiler/Pipeline.cpp sequenceDynamicKernel): its dynamic kernel runs
 * with no dims and a workspace sized by onnxc__sizes, allocated here per run. */
extern const uint32_t onnxc__sequence_dynamic_kernel;

static int run_dynamic_kernel(const void *const *inputs, void *const *kernel_outputs) {
  const onnxc_model *m = &onnxc__model;
  int status = onnxc_rt_init();
  if (status != ONNXC_OK)
    return status;
  /* Out-dims of every kernel output: a sequence output's placeholder has one dim. */
  uint32_t n = 0;
  for (uint32_t i = 0; i < m->num_outputs; ++i)
    n += output_is_sequence(i) ? 1u : (uint32_t)m->outputs[i].rank;
  for (uint32_t h = 0; h < onnxc__num_hidden; ++h)
    n += (uint32_t)onnxc__hidden[h].rank;
  int64_t flat[n ? n : 1], no_dims[1] = {0};
  int64_t ws_size = onnxc__sizes(no_dims, flat);
  if (ws_size < 0)
    return ONNXC_ERROR_DIMS_OUT_OF_RANGE;
  size_t align = m->workspace_alignment ? (size_t)m->workspace_alignment : 64;
  void *ws_alloc = malloc((size_t)ws_size + align);
  if (!ws_alloc)
    return ONNXC_ERROR_OUT_OF_MEMORY;
  void *ws = (void *)(((uintptr_t)ws_alloc + align - 1) / align * align);
  status = onnxc__kernel_dynamic(no_dims, inputs, (void *const *)kernel_outputs, flat, ws);
  free(ws_alloc);
  return status;
}

static int run_static(const int64_t *dims, const void *const *inputs, void *const *outputs,
                      void *workspace, const onnxc_allocator *allocator) {
  const onnxc_model *m = &onnxc__model;
  if (!(m->flags & ONNXC_MODEL_SEQUENCES))
    return run_kernel(inputs, outputs, workspace);
  if (!allocator)
    allocator = &default_allocator;
  if ((m->num_inputs && !inputs) || !outputs || !allocator->alloc || !allocator->free)
    return ONNXC_ERROR_NULL_ARGUMENT;
  uint32_t n = m->num_outputs, nh = onnxc__num_hidden;
  for (uint32_t i = 0; i < n; ++i)
    if (output_is_sequence(i)) {
      if (!outputs[i])
        return ONNXC_ERROR_NULL_ARGUMENT;
      clear_sequence(outputs[i], 0);
    }
  int status = onnxc_rt_init();
  if (status != ONNXC_OK)
    return status;
  for (uint32_t i = 0; i < m->num_inputs; ++i)
    if (input_is_sequence(i) && (status = check_sequence_input(i, inputs[i])) != ONNXC_OK)
      return status;
  /* A tensor input may be NULL when it has no element (a run-time dim given as 0). */
  for (uint32_t i = 0; i < m->num_inputs; ++i) {
    if (input_is_sequence(i) || inputs[i] || input_may_be_null(i))
      continue;
    int empty = 0;
    for (int32_t d = 0; d < m->inputs[i].rank; ++d) {
      int64_t v = m->inputs[i].dims[d];
      if (v < 0 && dims && -1 - v < (int64_t)m->num_dims)
        v = dims[-1 - v];
      empty |= v == 0;
    }
    if (!empty)
      return ONNXC_ERROR_NULL_ARGUMENT;
  }
  if (onnxc__sequence_map) {
    status = run_map(dims, inputs, outputs, allocator);
    if (status != ONNXC_OK)
      for (uint32_t i = 0; i < n; ++i) {
        onnxc_sequence *s = outputs[i];
        if (s->allocation)
          allocator->free(allocator->user, s->allocation);
        clear_sequence(s, 0);
      }
    return status;
  }
  /* The kernel's outputs: a sequence output's placeholder (no element) gets a dummy. */
  static char placeholder;
  void *kernel_outputs[n + nh + 1];
  for (uint32_t i = 0; i < n; ++i)
    kernel_outputs[i] = output_is_sequence(i) ? &placeholder : outputs[i];
  uint64_t total = 0;
  for (uint32_t h = 0; h < nh; ++h)
    total += (onnxc__hidden[h].size_bytes + 63) / 64 * 64;
  char *hidden = total ? malloc((size_t)total) : 0;
  if (total && !hidden)
    return ONNXC_ERROR_OUT_OF_MEMORY;
  for (uint32_t h = 0, at = 0; h < nh; at += (uint32_t)((onnxc__hidden[h].size_bytes + 63) / 64 * 64), ++h)
    kernel_outputs[n + h] = hidden + at;
  /* The slots of collected lists (instruction 5) get the lists' records instead. */
  struct collector collectors[nh ? nh : 1];
  for (uint32_t h = 0; h < nh; ++h) {
    collectors[h].failed = collectors[h].reset = 0;
    collectors[h].count = collectors[h].capacity = 0;
    collectors[h].items = 0;
  }
  const int64_t *plan = onnxc__sequence_plan;
  for (uint32_t i = 0; i < n; plan += 1 + plan[0], ++i)
    for (int64_t at = 0; at < plan[0]; at += plan_step(plan[1 + at]))
      if (plan[1 + at] == 5)
        kernel_outputs[n + plan[2 + at]] = &collectors[plan[2 + at]];
  if (onnxc__sequence_dynamic_kernel)
    status = run_dynamic_kernel(inputs, kernel_outputs);
  else
    status = run_kernel(inputs, kernel_outputs, workspace);
  for (uint32_t h = 0; h < nh && status == ONNXC_OK; ++h)
    if (collectors[h].failed)
      status = ONNXC_ERROR_OUT_OF_MEMORY;
  plan = onnxc__sequence_plan;
  for (uint32_t i = 0; i < n && status == ONNXC_OK; plan += 1 + plan[0], ++i)
    if (output_is_sequence(i))
      status = build_sequence(i, plan + 1, plan[0], inputs, kernel_outputs + n, allocator,
                              outputs[i]);
  if (status != ONNXC_OK)
    for (uint32_t i = 0; i < n; ++i)
      if (output_is_sequence(i)) {
        onnxc_sequence *s = outputs[i];
        if (s->allocation)
          allocator->free(allocator->user, s->allocation);
        clear_sequence(s, 0);
      }
  for (uint32_t h = 0; h < nh; ++h)
    free_collector(&collectors[h]);
  free(hidden);
  return status;
}

const char *onnxc_rt_status_string(int status) { return status_message(status); }

/* Buffers whose size depends on tensor data with no compile-time bound (PlanMemory): the
 * compiled code checks their size (1 GiB at most), allocates them here, returns
 * ONNXC_ERROR_OUT_OF_MEMORY when this gives NULL, and frees them before it returns. The
 * names are those MLIR's memref lowering calls with use-generic-functions. */
void *_mlir_memref_to_llvm_alloc(size_t size) { return malloc(size ? size : 1); }
void _mlir_memref_to_llvm_free(void *ptr) { free(ptr); }
