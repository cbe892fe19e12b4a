// The machine's fp32 FMA peak, measured: independent vector FMA chains (enough to cover the
// FMA latency) on every thread asked for. Prints GFLOP/s. bench/bench.py builds it with
// -O2 -march=native and uses it as the 100% line.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
typedef float vf __attribute__((vector_size(LANES * 4)));
#define CHAINS 12
#define ITERS 20000000L

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *work(void *out) {
  vf acc[CHAINS], a, b;
  for (int l = 0; l < LANES; ++l)
    a[l] = 0.999999f, b[l] = 1e-7f;
  for (int c = 0; c < CHAINS; ++c)
    acc[c] = a * (float)c;
  for (long i = 0; i < ITERS; ++i) {
    for (int c = 0; c < CHAINS; ++c)
      acc[c] = acc[c] * a + b; // contracted to one FMA
    __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]));
  }
  float s = 0;
  for (int c = 0; c < CHAINS; ++c)
    s += acc[c][0];
  *(float *)out = s;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256)
    return 2;
  pthread_t tid[256];
  float sink[256];
  double t0 = now();
  for (int t = 0; t < threads; ++t)
    pthread_create(&tid[t], NULL, work, &sink[t]);
  for (int t = 0; t < threads; ++t)
    pthread_join(tid[t], NULL);
  double secs = now() - t0;
  printf("%.1f\n", 2.0 * LANES * CHAINS * ITERS * threads / secs / 1e9 + 0 * sink[0]);
  return 0;
}
