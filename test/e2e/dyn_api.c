/* The C API of a model with run-time dims (run_dynamic.py compiles cnn_dyn.onnx: image
 * [N, 3, H, W] -> logits [N, 5]): the header's workspace-size and output-dims functions, the
 * entry's dim checks, the context API and the generic descriptor. */
#include "cnn_dyn.h"
#include "onnxc/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                                          \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);              \
      ++failures;                                                                            \
    }                                                                                        \
  } while (0)

int main(void) {
  CHECK(CNN_DYN_NUM_DIMS == 3);
  CHECK(CNN_DYN_DIM_N == 0 && CNN_DYN_DIM_H == 1 && CNN_DYN_DIM_W == 2);
  CHECK(CNN_DYN_INPUT_IMAGE_DIM1 == 3 && CNN_DYN_OUTPUT_LOGITS_DIM1 == 5);

  /* Workspace sizes: positive, growing with the dims; -1 out of range (negative, from 2^31
     on). A batch of 0 is valid: empty tensors. */
  int64_t small = cnn_dyn_workspace_size(1, 8, 8), big = cnn_dyn_workspace_size(4, 32, 64);
  CHECK(small > 0);
  CHECK(big > small);
  CHECK(small % CNN_DYN_WORKSPACE_ALIGNMENT == 0);
  CHECK(cnn_dyn_workspace_size(0, 8, 8) >= 0);
  CHECK(cnn_dyn_workspace_size(-1, 8, 8) == -1);
  CHECK(cnn_dyn_workspace_size(1, -3, 8) == -1);
  CHECK(cnn_dyn_workspace_size(1, 8, (int64_t)1 << 31) == -1);
  /* Too small for the second convolution's window: a negative size inside. */
  CHECK(cnn_dyn_workspace_size(1, 2, 8) == -1);

  int64_t dims[2] = {0, 0};
  CHECK(cnn_dyn_output_dims(3, 10, 12, dims) == 0);
  CHECK(dims[0] == 3 && dims[1] == 5);
  CHECK(cnn_dyn_output_dims(0, 10, 12, dims) == 0);
  CHECK(dims[0] == 0 && dims[1] == 5);
  CHECK(cnn_dyn_output_dims(-1, 10, 12, dims) == ONNXC_ERROR_DIMS_OUT_OF_RANGE);

  /* Runs: dims out of range are refused before anything is touched. */
  int n = 2, h = 9, w = 13;
  float *image = malloc(sizeof(float) * n * 3 * h * w);
  for (int i = 0; i < n * 3 * h * w; ++i)
    image[i] = (float)((i * 37) % 17) / 17.0f - 0.5f;
  float logits[2 * 5], logits2[2 * 5] = {0};
  int64_t size = cnn_dyn_workspace_size(n, h, w);
  void *ws = aligned_alloc(CNN_DYN_WORKSPACE_ALIGNMENT,
                           (size_t)(size + CNN_DYN_WORKSPACE_ALIGNMENT - 1) /
                               CNN_DYN_WORKSPACE_ALIGNMENT * CNN_DYN_WORKSPACE_ALIGNMENT);
  memset(logits, 0x7f, sizeof logits);
  CHECK(cnn_dyn_run(-1, h, w, image, logits, dims, ws) == ONNXC_ERROR_DIMS_OUT_OF_RANGE);
  CHECK(cnn_dyn_run(n, 1, w, image, logits, dims, ws) == ONNXC_ERROR_DIMS_OUT_OF_RANGE);
  CHECK(logits[0] != logits[0] || logits[0] > 1e30f); /* untouched (0x7f7f7f7f) */
  CHECK(cnn_dyn_run(n, h, w, image, logits, dims, NULL) == ONNXC_ERROR_NULL_ARGUMENT);
  CHECK(cnn_dyn_run(n, h, w, NULL, logits, dims, ws) == ONNXC_ERROR_NULL_ARGUMENT);
  dims[0] = dims[1] = 0;
  CHECK(cnn_dyn_run(n, h, w, image, logits, dims, ws) == 0);
  CHECK(dims[0] == n && dims[1] == 5);
  CHECK(cnn_dyn_run(n, h, w, image, logits, NULL, ws) == 0); /* dims not wanted */
  /* An empty batch: the image and the logits are empty, so they may be NULL. */
  dims[0] = dims[1] = 7;
  CHECK(cnn_dyn_run(0, h, w, NULL, NULL, dims, ws) == 0);
  CHECK(dims[0] == 0 && dims[1] == 5);

  /* The context grows its workspace; the results are the same. */
  cnn_dyn_context *ctx = cnn_dyn_create();
  CHECK(ctx != NULL);
  CHECK(cnn_dyn_run_context(ctx, n, h, w, image, logits2, NULL) == 0);
  CHECK(memcmp(logits, logits2, sizeof logits) == 0);
  CHECK(cnn_dyn_run_context(ctx, -1, h, w, image, logits2, NULL) == ONNXC_ERROR_DIMS_OUT_OF_RANGE);
  CHECK(cnn_dyn_run_context(ctx, 0, h, w, NULL, NULL, NULL) == 0);
  cnn_dyn_destroy(ctx);

  /* The generic descriptor: symbols, -1 - symbol in the input dims, run() refused. */
  const onnxc_model *m = cnn_dyn_model();
  CHECK(m->abi_version == ONNXC_ABI_VERSION && m->num_dims == 3);
  CHECK(strcmp(m->dim_names[0], "N") == 0 && strcmp(m->dim_names[2], "W") == 0);
  CHECK(m->inputs[0].dims[0] == -1 && m->inputs[0].dims[1] == 3 && m->inputs[0].dims[2] == -2 &&
        m->inputs[0].dims[3] == -3);
  CHECK(m->outputs[0].dims[0] == -1 && m->outputs[0].dims[1] == 5);
  const void *ins[1] = {image};
  void *outs[1] = {logits2};
  CHECK(m->run(ins, outs, ws) == ONNXC_ERROR_DIMS_OUT_OF_RANGE);
  int64_t d3[3] = {n, h, w};
  CHECK(m->workspace_size_for(d3) == size);
  int64_t *od[1] = {dims};
  CHECK(m->run_dynamic(d3, ins, outs, od, ws) == 0);
  CHECK(memcmp(logits, logits2, sizeof logits) == 0);
  free(ws);
  free(image);
  if (failures)
    fprintf(stderr, "%d checks failed\n", failures);
  else
    printf("all checks passed\n");
  return failures ? 1 : 0;
}
