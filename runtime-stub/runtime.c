/* The runtime stub linked into every compiled model: argument checks, the CPU feature check,
 * status strings. Freestanding C: no libc calls, so it adds nothing to the library's
 * dependencies. Built with hidden visibility: none of these symbols is exported. */
#include "onnxc/model.h"
#include "runtime_internal.h"

/* Defined by the compiled model. */
extern const onnxc_model onnxc__model;
extern const uint64_t onnxc__required_features;
int onnxc__kernel(const void *const *inputs, void *const *outputs, void *workspace);

/* 0: not checked yet; otherwise ONNXC_OK + 1 or the failing status + 1. Threads may race to
 * fill it in; every one computes the same value, and relaxed atomics make that race defined
 * (and quiet under ThreadSanitizer). */
static int cpu_check_result;

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
  if ((m->num_inputs && !inputs) || !outputs)
    return ONNXC_ERROR_NULL_ARGUMENT;
  for (uint32_t i = 0; i < m->num_inputs; ++i)
    if (!inputs[i] && m->inputs[i].size_bytes)
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

/* The context API: the library owns the workspace (one malloc per context, none per run). */
void *malloc(size_t size);
void free(void *ptr);

struct onnxc_rt_context {
  void *allocation;
  void *workspace;
};

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

const char *onnxc_rt_status_string(int status) {
  switch (status) {
  case ONNXC_OK: return "success";
  case ONNXC_ERROR_NULL_ARGUMENT: return "an input, output or workspace pointer is null";
  case ONNXC_ERROR_WORKSPACE_MISALIGNED: return "the workspace is not aligned to workspace_alignment";
  case ONNXC_ERROR_CPU_UNSUPPORTED:
    return "this library was compiled for CPU features this machine lacks (recompile with another --mcpu)";
  case ONNXC_ERROR_INTERNAL: return "internal error";
  case ONNXC_ERROR_INVALID_ARGUMENT: return "an argument is out of its range";
  default: return "unknown status";
  }
}
