// A library compiled for CPU features the machine lacks must return an error, never run
// (and die with SIGILL). Its own executable: the stub caches the check per process.
#include <gtest/gtest.h>

#define ONNXC_FAKE_REQUIRED_FEATURES (uint64_t(1) << 63) /* a feature no CPU has */
#include "FakeModel.h"

TEST(RuntimeStubCpu, MissingCpuFeatureIsAnErrorNotACrash) {
  float x[6] = {}, y[6] = {};
  const void *ins[] = {x};
  void *outs[] = {y};
  alignas(64) unsigned char ws[128];
  EXPECT_EQ(onnxc_rt_init(), ONNXC_ERROR_CPU_UNSUPPORTED);
  EXPECT_EQ(onnxc_rt_run(ins, outs, ws), ONNXC_ERROR_CPU_UNSUPPORTED);
  EXPECT_EQ(kernelCalls, 0);
}
