/* CPU feature detection for AArch64 Linux: the kernel's hwcaps (getauxval(AT_HWCAP/AT_HWCAP2)),
 * which only list what the kernel has enabled for user space (SVE needs its register state
 * saved too). Baseline armv8-a (FP + Advanced SIMD) is assumed by every library. */
#include "runtime_internal.h"

#if defined(__aarch64__)
/* glibc's, declared here: the stub is freestanding (no system headers). */
unsigned long getauxval(unsigned long type);

#define AT_HWCAP 16
#define AT_HWCAP2 26
/* linux/arch/arm64/include/uapi/asm/hwcap.h */
#define HWCAP_ASIMD (1ul << 1)
#define HWCAP_ATOMICS (1ul << 8)
#define HWCAP_FPHP (1ul << 9)
#define HWCAP_ASIMDHP (1ul << 10)
#define HWCAP_ASIMDRDM (1ul << 12)
#define HWCAP_FCMA (1ul << 14)
#define HWCAP_LRCPC (1ul << 15)
#define HWCAP_ASIMDDP (1ul << 20)
#define HWCAP_SVE (1ul << 22)
#define HWCAP_ASIMDFHM (1ul << 23)
#define HWCAP2_SVE2 (1ul << 1)
#define HWCAP2_FRINT (1ul << 8)
#define HWCAP2_SVEI8MM (1ul << 9)
#define HWCAP2_SVEBF16 (1ul << 12)
#define HWCAP2_I8MM (1ul << 13)
#define HWCAP2_BF16 (1ul << 14)

uint64_t onnxc_rt_cpu_features(void) {
  unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
  uint64_t f = 0;
  if (hw & HWCAP_ASIMD) f |= ONNXC_CPU_ARM_ASIMD;
  if ((hw & HWCAP_FPHP) && (hw & HWCAP_ASIMDHP)) f |= ONNXC_CPU_ARM_FP16;
  if (hw & HWCAP_ASIMDDP) f |= ONNXC_CPU_ARM_DOTPROD;
  if (hw & HWCAP_ASIMDFHM) f |= ONNXC_CPU_ARM_FP16FML;
  if (hw & HWCAP_ASIMDRDM) f |= ONNXC_CPU_ARM_RDM;
  if (hw & HWCAP_FCMA) f |= ONNXC_CPU_ARM_FCMA;
  if (hw & HWCAP_ATOMICS) f |= ONNXC_CPU_ARM_LSE;
  if (hw & HWCAP_LRCPC) f |= ONNXC_CPU_ARM_RCPC;
  if (hw & HWCAP_SVE) f |= ONNXC_CPU_ARM_SVE;
  if (hw2 & HWCAP2_SVE2) f |= ONNXC_CPU_ARM_SVE2;
  if (hw2 & HWCAP2_FRINT) f |= ONNXC_CPU_ARM_FRINT;
  if (hw2 & HWCAP2_I8MM) f |= ONNXC_CPU_ARM_I8MM;
  if (hw2 & HWCAP2_BF16) f |= ONNXC_CPU_ARM_BF16;
  if (hw2 & HWCAP2_SVEI8MM) f |= ONNXC_CPU_ARM_SVE_I8MM;
  if (hw2 & HWCAP2_SVEBF16) f |= ONNXC_CPU_ARM_SVE_BF16;
  return f;
}
#else
uint64_t onnxc_rt_cpu_features(void) { return 0; }
#endif
