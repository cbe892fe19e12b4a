/* A tiny app using a compiled model through its generated header (mlp.h):
 *   mlp_demo input.f32     reads 784 little-endian floats, prints the class probabilities. */
#include "mlp.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  static float input[MLP_INPUT_INPUT_SIZE];
  static float probs[MLP_OUTPUT_PROBS_SIZE];
  static unsigned char workspace[MLP_WORKSPACE_SIZE + 1] __attribute__((aligned(MLP_WORKSPACE_ALIGNMENT)));

  if (argc > 1) {
    FILE *f = fopen(argv[1], "rb");
    if (!f || fread(input, sizeof(float), MLP_INPUT_INPUT_SIZE, f) != MLP_INPUT_INPUT_SIZE) {
      fprintf(stderr, "cannot read %d floats from %s\n", MLP_INPUT_INPUT_SIZE, argv[1]);
      return 1;
    }
    fclose(f);
  } else {
    for (int i = 0; i < MLP_INPUT_INPUT_SIZE; ++i)
      input[i] = (float)((i * 7919) % 256) / 255.0f;
  }

  int status = mlp_run(input, probs, workspace);
  if (status != 0) {
    fprintf(stderr, "mlp_run failed: %s\n", mlp_status_string(status));
    return 1;
  }
  int best = 0;
  for (int i = 0; i < MLP_OUTPUT_PROBS_SIZE; ++i) {
    printf("class %d: %.6f\n", i, probs[i]);
    if (probs[i] > probs[best])
      best = i;
  }
  printf("predicted class: %d\n", best);
  return 0;
}
