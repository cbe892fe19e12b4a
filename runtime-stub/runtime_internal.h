/* Internal interface between the runtime stub's files; hidden in every model library. */
#ifndef ONNXC_RUNTIME_INTERNAL_H
#define ONNXC_RUNTIME_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "onnxc/model.h"

/* CPU feature bits, shared with the compiler (codegen/Target.cpp maps LLVM features to them).
 * A library is built for one architecture, so each architecture numbers its bits from 0. */
/* x86-64 (cpu_x86.c). */
enum {
  ONNXC_CPU_SSE42 = 1u << 0,
  ONNXC_CPU_AVX = 1u << 1,
  ONNXC_CPU_AVX2 = 1u << 2,
  ONNXC_CPU_FMA = 1u << 3,
  ONNXC_CPU_AVX512F = 1u << 4,
  ONNXC_CPU_AVX512BW = 1u << 5,
  ONNXC_CPU_AVX512DQ = 1u << 6,
  ONNXC_CPU_AVX512VL = 1u << 7,
  ONNXC_CPU_F16C = 1u << 8,
  ONNXC_CPU_BMI2 = 1u << 9,
  ONNXC_CPU_AVX512BF16 = 1u << 10,
  ONNXC_CPU_AVX512VNNI = 1u << 11,
  ONNXC_CPU_AVXVNNI = 1u << 12,
};
/* AArch64 (cpu_aarch64.c), from the Linux hwcaps. */
enum {
  ONNXC_CPU_ARM_ASIMD = 1u << 0,    /* +neon */
  ONNXC_CPU_ARM_FP16 = 1u << 1,     /* +fullfp16: FPHP and ASIMDHP */
  ONNXC_CPU_ARM_DOTPROD = 1u << 2,  /* +dotprod */
  ONNXC_CPU_ARM_FP16FML = 1u << 3,  /* +fp16fml */
  ONNXC_CPU_ARM_RDM = 1u << 4,      /* +rdm */
  ONNXC_CPU_ARM_FCMA = 1u << 5,     /* +complxnum */
  ONNXC_CPU_ARM_LSE = 1u << 6,      /* +lse */
  ONNXC_CPU_ARM_RCPC = 1u << 7,     /* +rcpc */
  ONNXC_CPU_ARM_SVE = 1u << 8,      /* +sve */
  ONNXC_CPU_ARM_SVE2 = 1u << 9,     /* +sve2 */
  ONNXC_CPU_ARM_FRINT = 1u << 10,   /* +fptoint */
  ONNXC_CPU_ARM_I8MM = 1u << 11,    /* +i8mm */
  ONNXC_CPU_ARM_BF16 = 1u << 12,    /* +bf16 */
  ONNXC_CPU_ARM_SVE_I8MM = 1u << 13, /* +sve and +i8mm */
  ONNXC_CPU_ARM_SVE_BF16 = 1u << 14, /* +sve and +bf16 */
};

/* Features of the running CPU that the OS has enabled. */
uint64_t onnxc_rt_cpu_features(void);

int onnxc_rt_init(void);
int onnxc_rt_run(const void *const *inputs, void *const *outputs, void *workspace);
const char *onnxc_rt_status_string(int status);

struct onnxc_rt_context;
struct onnxc_rt_context *onnxc_rt_context_create(void);
void onnxc_rt_context_destroy(struct onnxc_rt_context *ctx);
int onnxc_rt_context_run(struct onnxc_rt_context *ctx, const void *const *inputs,
                         void *const *outputs);

/* The thread pool (threads.c). */
int onnxc_rt_set_num_threads(int n);
int onnxc_rt_num_threads(void);
void onnxc_rt_parallel_for(void (*fn)(void *ctx, int64_t begin, int64_t end), void *ctx,
                           int64_t begin, int64_t end);

/* Buffers allocated per run for sizes from data (runtime.c; the names MLIR's memref lowering
 * calls with use-generic-functions). */
void *_mlir_memref_to_llvm_alloc(size_t size);
void _mlir_memref_to_llvm_free(void *ptr);

int64_t onnxc_rt_workspace_size_for(const int64_t *dims);
int onnxc_rt_output_dims(const int64_t *dims, int64_t *const *out_dims);
int onnxc_rt_run_dynamic(const int64_t *dims, const void *const *inputs, void *const *outputs,
                         int64_t *const *out_dims, void *workspace);
int onnxc_rt_run_checked(const int64_t *dims, const void *const *inputs, void *const *outputs,
                         int64_t *const *out_dims, void *workspace, uint64_t workspace_bytes);
/* Graph outputs allocated per run (ONNXC_OUTPUT_ALLOCATED): the alignment asked of the
 * allocator, and the function the compiled code calls (record: what the kernel got in
 * place of the output; NULL: out of memory). */
#define ONNXC_OUTPUT_ALIGNMENT 16
void *onnxc_rt_alloc_output(void *record, int64_t bytes);
int onnxc_rt_run_with_allocator(const int64_t *dims, const void *const *inputs,
                                void *const *outputs, int64_t *const *out_dims, void *workspace,
                                uint64_t workspace_bytes, const onnxc_allocator *allocator);
/* NULL alloc and free: back to malloc. */
int onnxc_rt_context_set_allocator(struct onnxc_rt_context *ctx, onnxc_alloc_fn alloc,
                                   onnxc_free_fn free_fn, void *user);
int onnxc_rt_context_run_dynamic(struct onnxc_rt_context *ctx, const int64_t *dims,
                                 const void *const *inputs, void *const *outputs,
                                 int64_t *const *out_dims);

#endif
