/* CPU feature detection for x86-64: CPUID plus XGETBV, so a feature only counts when the OS
 * saves its register state (AVX needs YMM state, AVX-512 the opmask and ZMM state). */
#include "runtime_internal.h"

#if defined(__x86_64__)
#include <cpuid.h>

static uint64_t xgetbv0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

uint64_t onnxc_rt_cpu_features(void) {
  unsigned a, b, c, d;
  uint64_t f = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d))
    return 0;
  int osxsave = (c >> 27) & 1;
  uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  int ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
  if (c & (1u << 20)) f |= ONNXC_CPU_SSE42;
  if ((c & (1u << 28)) && ymm) f |= ONNXC_CPU_AVX;
  if ((c & (1u << 12)) && ymm) f |= ONNXC_CPU_FMA;
  if ((c & (1u << 29)) && ymm) f |= ONNXC_CPU_F16C;
  if (__get_cpuid_max(0, 0) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    if ((b & (1u << 5)) && ymm) f |= ONNXC_CPU_AVX2;
    if (b & (1u << 8)) f |= ONNXC_CPU_BMI2;
    if (zmm) {
      if (b & (1u << 16)) f |= ONNXC_CPU_AVX512F;
      if (b & (1u << 17)) f |= ONNXC_CPU_AVX512DQ;
      if (b & (1u << 30)) f |= ONNXC_CPU_AVX512BW;
      if (b & (1u << 31)) f |= ONNXC_CPU_AVX512VL;
      if (c & (1u << 11)) f |= ONNXC_CPU_AVX512VNNI;
    }
    unsigned a1, b1, c1, d1;
    __cpuid_count(7, 1, a1, b1, c1, d1);
    if ((a1 & (1u << 4)) && ymm) f |= ONNXC_CPU_AVXVNNI;
    if ((a1 & (1u << 5)) && zmm) f |= ONNXC_CPU_AVX512BF16;
  }
  return f;
}
#else
uint64_t onnxc_rt_cpu_features(void) { return 0; }
#endif
