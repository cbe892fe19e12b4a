/* Runs a model compiled with --sanitize=address (kernels and runtime stub instrumented, the
 * workspace buffers separated by poisoned redzones) from a program built with
 * -fsanitize=address, and compares its output with a reference:
 *   asan_run INPUT.f32 EXPECTED.f32
 * Exit 0 when every output is within 1e-5 of the reference; an out-of-bounds access in a
 * generated kernel makes ASan abort the program with its report instead. */
#include "asmlp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int read_floats(const char *path, float *out, int n) {
  FILE *f = fopen(path, "rb");
  int ok = f && fread(out, sizeof(float), (size_t)n, f) == (size_t)n;
  if (f)
    fclose(f);
  return ok;
}

int main(int argc, char **argv) {
  static float input[ASMLP_INPUT_INPUT_SIZE], expected[ASMLP_OUTPUT_PROBS_SIZE],
      probs[ASMLP_OUTPUT_PROBS_SIZE];
  if (argc != 3 || !read_floats(argv[1], input, ASMLP_INPUT_INPUT_SIZE) ||
      !read_floats(argv[2], expected, ASMLP_OUTPUT_PROBS_SIZE)) {
    fprintf(stderr, "usage: asan_run INPUT.f32 EXPECTED.f32\n");
    return 2;
  }
  /* Heap, so ASan knows the workspace's bounds too; two runs, so the unpoisoning at the end
   * of a run is exercised. */
  unsigned char *ws = aligned_alloc(ASMLP_WORKSPACE_ALIGNMENT,
                                    (ASMLP_WORKSPACE_SIZE + ASMLP_WORKSPACE_ALIGNMENT - 1) /
                                        ASMLP_WORKSPACE_ALIGNMENT * ASMLP_WORKSPACE_ALIGNMENT);
  /* The generated entry refuses bad arguments before touching anything (under ASan, an
   * access through them would be reported). */
  if (asmlp_run(NULL, probs, ws) != 1 /* ONNXC_ERROR_NULL_ARGUMENT */ ||
      asmlp_run(input, NULL, ws) != 1 || asmlp_run(input, probs, NULL) != 1 ||
      asmlp_run(input, probs, ws + 1) != 2 /* ONNXC_ERROR_WORKSPACE_MISALIGNED */) {
    fprintf(stderr, "asmlp_run accepted a null or misaligned argument\n");
    return 1;
  }
  for (int run = 0; run < 2; ++run) {
    int status = asmlp_run(input, probs, ws);
    if (status) {
      fprintf(stderr, "asmlp_run: %s\n", asmlp_status_string(status));
      return 1;
    }
  }
  for (int i = 0; i < ASMLP_WORKSPACE_SIZE; ++i) /* The caller gets its workspace back. */
    ws[i] = 0;
  free(ws);
  for (int i = 0; i < ASMLP_OUTPUT_PROBS_SIZE; ++i)
    if (fabsf(probs[i] - expected[i]) > 1e-5f) {
      fprintf(stderr, "output %d: %g, expected %g\n", i, probs[i], expected[i]);
      return 1;
    }
  printf("%d outputs match the reference\n", ASMLP_OUTPUT_PROBS_SIZE);
  return 0;
}
