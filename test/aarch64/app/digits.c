/* The bundled MLP through the context API of a static archive: prints the predicted class of
 * the input file (784 little-endian floats). */
#include "digits.h"

#include <stdio.h>

int main(int argc, char **argv) {
  static float input[DIGITS_INPUT_INPUT_SIZE], probs[DIGITS_OUTPUT_PROBS_SIZE];
  FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
  if (!f || fread(input, sizeof(float), DIGITS_INPUT_INPUT_SIZE, f) != DIGITS_INPUT_INPUT_SIZE) {
    fprintf(stderr, "usage: digits_c input.f32 (784 floats)\n");
    return 2;
  }
  fclose(f);
  digits_context *ctx = digits_create();
  int status = ctx ? digits_run_context(ctx, input, probs) : -1;
  digits_destroy(ctx);
  if (status) {
    fprintf(stderr, "digits_run_context failed: %s\n", digits_status_string(status));
    return 1;
  }
  int best = 0;
  for (int i = 1; i < DIGITS_OUTPUT_PROBS_SIZE; ++i)
    if (probs[i] > probs[best])
      best = i;
  printf("predicted class: %d\n", best);
  return 0;
}
