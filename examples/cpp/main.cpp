// A C++ app using a model compiled into a static archive (digits.a + digits.h):
//   mlp_cpp [input.f32]   prints the most likely class and its probability.
#include "digits.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <vector>

int main(int argc, char **argv) {
  std::vector<float> input(DIGITS_INPUT_INPUT_SIZE);
  if (argc > 1) {
    std::ifstream f(argv[1], std::ios::binary);
    if (!f.read(reinterpret_cast<char *>(input.data()), input.size() * sizeof(float))) {
      std::fprintf(stderr, "cannot read %zu floats from %s\n", input.size(), argv[1]);
      return 1;
    }
  } else {
    for (size_t i = 0; i < input.size(); ++i)
      input[i] = static_cast<float>((i * 7919) % 256) / 255.0f;
  }
  std::array<float, DIGITS_OUTPUT_PROBS_SIZE> probs{};
  alignas(DIGITS_WORKSPACE_ALIGNMENT) static unsigned char workspace[DIGITS_WORKSPACE_SIZE + 1];
  if (int status = digits_run(input.data(), probs.data(), workspace)) {
    std::fprintf(stderr, "digits_run failed: %s\n", digits_status_string(status));
    return 1;
  }
  auto best = std::max_element(probs.begin(), probs.end());
  std::printf("predicted class: %d (p = %.4f)\n", static_cast<int>(best - probs.begin()), *best);
  return 0;
}
