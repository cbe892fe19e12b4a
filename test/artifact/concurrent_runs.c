/* Several threads run the same model at once, each with its own workspace and inputs; every
 * result must equal the single-threaded one bit for bit. Built with -fsanitize=thread against
 * a model compiled with --sanitize=thread (kernels and runtime stub instrumented). */
#include "tsmlp.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { kThreads = 4, kRuns = 25 };

static float inputs[kThreads][TSMLP_INPUT_INPUT_SIZE];
static float expected[kThreads][TSMLP_OUTPUT_PROBS_SIZE];

static void *worker(void *arg) {
  int t = (int)(size_t)arg;
  static unsigned char workspaces[kThreads][TSMLP_WORKSPACE_SIZE + 64]
      __attribute__((aligned(TSMLP_WORKSPACE_ALIGNMENT)));
  float out[TSMLP_OUTPUT_PROBS_SIZE];
  for (int r = 0; r < kRuns; ++r) {
    memset(out, 0, sizeof out);
    if (tsmlp_run(inputs[t], out, workspaces[t]) != 0 ||
        memcmp(out, expected[t], sizeof out) != 0)
      return (void *)1;
  }
  return NULL;
}

int main(void) {
  static unsigned char ws[TSMLP_WORKSPACE_SIZE + 64] __attribute__((aligned(64)));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < TSMLP_INPUT_INPUT_SIZE; ++i)
      inputs[t][i] = (float)((i * (t + 3)) % 29) / 29.0f;
    if (tsmlp_run(inputs[t], expected[t], ws) != 0)
      return 2;
  }
  pthread_t threads[kThreads];
  for (int t = 0; t < kThreads; ++t)
    pthread_create(&threads[t], NULL, worker, (void *)(size_t)t);
  int failures = 0;
  for (int t = 0; t < kThreads; ++t) {
    void *result;
    pthread_join(threads[t], &result);
    failures += result != NULL;
  }
  printf("%d threads x %d runs: %d mismatches\n", kThreads, kRuns, failures);
  return failures ? 1 : 0;
}
