/* Internal interface between the runtime stub's files; hidden in every model library. */
#ifndef ONNXC_RUNTIME_INTERNAL_H
#define ONNXC_RUNTIME_INTERNAL_H

#include <stdint.h>

/* CPU feature bits, shared with the compiler (codegen/Target.cpp maps LLVM features to them). */
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

#endif
