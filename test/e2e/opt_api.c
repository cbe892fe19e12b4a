/* The C API of a model with an optional input (run_optional.py compiles opt_get_add.onnx:
 * x optional float [2, 3], y float [2, 3] -> has = OptionalHasElement(x), z = x + y): an
 * absent optional is a NULL pointer, reading its element ends the run with status 12
 * (ONNXC_ERROR_RUNTIME_CHECK), and the descriptor flags the input. */
#include "opt_get_add.h"
#include "onnxc/model.h"

#include <stdio.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                                          \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);              \
      ++failures;                                                                            \
    }                                                                                        \
  } while (0)

static unsigned char ws[OPT_GET_ADD_WORKSPACE_SIZE + 1]
    __attribute__((aligned(OPT_GET_ADD_WORKSPACE_ALIGNMENT)));

int main(void) {
  CHECK(OPT_GET_ADD_INPUT_X_OPTIONAL == 1);
#ifdef OPT_GET_ADD_INPUT_Y_OPTIONAL
  CHECK(!"y is not optional");
#endif
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {10, 20, 30, 40, 50, 60}, z[6] = {0};
  uint8_t has = 7;
  CHECK(opt_get_add_run(x, y, &has, z, ws) == ONNXC_OK);
  CHECK(has == 1);
  CHECK(z[0] == 11.f && z[5] == 66.f);
  /* Absent: OptionalGetElement cannot give the element; a status, no crash. */
  int status = opt_get_add_run(NULL, y, &has, z, ws);
  CHECK(status == ONNXC_ERROR_RUNTIME_CHECK);
  CHECK(strstr(opt_get_add_status_string(status), "absent optional") != NULL);
  /* A required input stays required. */
  CHECK(opt_get_add_run(x, NULL, &has, z, ws) == ONNXC_ERROR_NULL_ARGUMENT);
  /* The generic descriptor. */
  const onnxc_model *m = opt_get_add_model();
  CHECK(m->abi_version == ONNXC_ABI_VERSION);
  CHECK(m->input_flags != NULL);
  CHECK(m->input_flags[OPT_GET_ADD_INPUT_X_INDEX] == ONNXC_TENSOR_OPTIONAL);
  CHECK(m->input_flags[OPT_GET_ADD_INPUT_Y_INDEX] == 0);
  const void *ins[2] = {NULL, y};
  void *outs[2] = {&has, z};
  CHECK(m->run(ins, outs, ws) == ONNXC_ERROR_RUNTIME_CHECK);
  ins[0] = x;
  CHECK(m->run(ins, outs, ws) == ONNXC_OK && has == 1);
  /* The context API passes NULL through too. */
  opt_get_add_context *ctx = opt_get_add_create();
  CHECK(ctx != NULL);
  CHECK(opt_get_add_run_context(ctx, NULL, y, &has, z) == ONNXC_ERROR_RUNTIME_CHECK);
  CHECK(opt_get_add_run_context(ctx, x, y, &has, z) == ONNXC_OK);
  opt_get_add_destroy(ctx);
  if (failures)
    fprintf(stderr, "%d checks failed\n", failures);
  return failures ? 1 : 0;
}
