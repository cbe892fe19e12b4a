/* Runs a CUDA model library (onnx-compile --target cuda) on a machine without a GPU or driver:
 * every entry must return ONNXC_ERROR_NO_DEVICE, cleanly, through the typed API, the context
 * API, the device-pointer call and the generic descriptor. Built by check_cuda.py against the
 * model's header (MODEL_H, prefix `net`). */
#include "onnxc/model.h"
#include MODEL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void expect(const char *what, int status, int want) {
  if (status != want) {
    fprintf(stderr, "FAIL %s: status %d (%s), expected %d\n", what, status,
            net_status_string(status), want);
    ++failures;
  } else {
    printf("ok %s: %s\n", what, net_status_string(status));
  }
}

int main(void) {
  static float in[NET_INPUT_X_SIZE], out[NET_OUTPUT_Y_SIZE];
  int want = ONNXC_ERROR_NO_DEVICE;
  expect("init", net_init(), want);
  expect("run", net_run(in, out, NULL), want);
  net_context *c = net_create();
  if (!c) {
    fprintf(stderr, "FAIL create returned NULL\n");
    return 1;
  }
  expect("run_context", net_run_context(c, in, out), want);
  expect("run_device", net_run_device(c, in, out, NULL), want);
  net_destroy(c);
  const onnxc_model *m = onnxc_model_get();
  const void *ins[1] = {in};
  void *outs[1] = {out};
  expect("generic init", m->init(), want);
  expect("generic run", m->run(ins, outs, NULL), want);
  /* Argument checks still come first where they need no device. */
  expect("run_device null context", net_run_device(NULL, in, out, NULL),
         ONNXC_ERROR_NULL_ARGUMENT);
  if (m->workspace_size != 0) {
    fprintf(stderr, "FAIL host workspace_size %llu, expected 0\n",
            (unsigned long long)m->workspace_size);
    ++failures;
  }
  if (!strstr(m->target, "cuda")) {
    fprintf(stderr, "FAIL target '%s' does not say cuda\n", m->target);
    ++failures;
  }
  return failures ? 1 : 0;
}
