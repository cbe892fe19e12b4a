/* The runtime stub's thread pool: one per model library, started at the first parallel loop
 * that has more than one thread to use, and a parallel-for over chunks of a loop's iterations.
 *
 * - The compiler outlines each parallel loop into a function over an iteration range
 *   (passes/OutlineParallelLoops.cpp) and calls onnxc_rt_parallel_for with it; the calling
 *   thread takes chunks like any worker, so one thread means a plain call.
 * - Idle workers spin for a short while (the next loop of the same inference usually follows
 *   within microseconds), then sleep on a futex: an idle model costs no CPU.
 * - One inference at a time uses the pool; a second thread running the same model meanwhile
 *   (its own workspace or context) runs its loops serially rather than waiting.
 * - Each thread owns a contiguous range of a loop's chunks and runs it first, front to back;
 *   a thread that runs out takes chunks from the back of another's range. Consecutive loops
 *   that split the same dim thus give each thread the rows it wrote in the previous loop (on
 *   this 2-core VM a task reading data the other core just wrote took 1.4x its CPU time, a
 *   copy 7x: docs/perf.md, session 10), while uneven loops still balance.
 * - The chunks a loop is split into depend on the thread count, but the arithmetic of each
 *   iteration does not: the compiler only outlines loops whose iterations are independent, so
 *   results do not depend on the thread count.
 * Freestanding C like runtime.c: pthread_create/join and the futex and affinity system calls
 * are declared here, so no libc header of the host leaks into a cross-compiled stub. All
 * shared state is atomic (acquire/release), so ThreadSanitizer sees every hand-off. */
#include "onnxc/model.h"
#include "runtime_internal.h"

typedef unsigned long onnxc_pthread_t; /* pthread_t on x86-64 and AArch64 glibc */
int pthread_create(onnxc_pthread_t *thread, const void *attr, void *(*start)(void *), void *arg);
int pthread_join(onnxc_pthread_t thread, void **ret);
long syscall(long number, ...);
char *getenv(const char *name);

/* The floating-point control state (rounding, flush-to-zero, denormals-are-zero) of the
 * thread that runs the model is copied into the workers for each loop: an app that sets
 * FTZ gets the same results on any thread count. */
#if defined(__x86_64__)
#define SYS_FUTEX 202
#define SYS_SCHED_GETAFFINITY 204
#define CPU_RELAX() __builtin_ia32_pause()
static uint64_t get_fp_control(void) { return __builtin_ia32_stmxcsr(); }
static void set_fp_control(uint64_t v) { __builtin_ia32_ldmxcsr((unsigned)v); }
#elif defined(__aarch64__)
#define SYS_FUTEX 98
#define SYS_SCHED_GETAFFINITY 123
#define CPU_RELAX() __asm__ __volatile__("yield")
static uint64_t get_fp_control(void) {
  uint64_t v;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(v));
  return v;
}
static void set_fp_control(uint64_t v) { __asm__ __volatile__("msr fpcr, %0" : : "r"(v)); }
#else
#error "threads.c: no futex numbers for this architecture"
#endif
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

#define MAX_THREADS 256
/* About 100 us on a 3-5 GHz core: longer than the gap between two loops of one inference,
 * short enough that an idle library gives its cores back at once. */
#define SPIN_ROUNDS 20000

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

static void futex_wait(uint32_t *word, uint32_t expected) {
  syscall(SYS_FUTEX, word, FUTEX_WAIT_PRIVATE, expected, (void *)0, (void *)0, 0);
}
static void futex_wake_all(uint32_t *word) {
  syscall(SYS_FUTEX, word, FUTEX_WAKE_PRIVATE, 0x7fffffff, (void *)0, (void *)0, 0);
}

typedef void (*onnxc_body_fn)(void *ctx, int64_t begin, int64_t end);

/* A thread's chunks of the current loop: (generation << 32) | (first << 16) | end. The
 * owner takes `first`, thieves take `end - 1`, both with a compare-and-swap that checks the
 * generation, so a worker that wakes late can never run a chunk of a loop that has already
 * finished. One cache line each: the owner claims without sharing a line with the others. */
#define MAX_CHUNKS_PER_THREAD 4
typedef struct {
  uint64_t word;
  char pad[56];
} onnxc_chunk_range;

static struct {
  /* Configuration: the thread count asked for (0: not decided yet) and workers started. */
  int requested;
  int started;
  onnxc_pthread_t workers[MAX_THREADS];
  uint32_t start_generation; /* the generation when the last worker was started */
  int busy;     /* 1 while an inference's loop owns the pool */
  int shutdown; /* set by the library's destructor */
  /* The current loop. */
  onnxc_chunk_range ranges[MAX_THREADS];
  uint32_t generation; /* futex word: bumped for every loop */
  int sleepers;        /* workers asleep (or about to be) on `generation` */
  onnxc_body_fn fn;
  void *ctx;
  int64_t begin, end, chunks;
  uint64_t fp_control; /* the caller's MXCSR / FPCR */
  int active;        /* workers (beyond the caller) that may take part */
  /* (generation << 32) | chunks finished. The generation keeps a finish of another loop
   * from ever counting for this one (main once hung with done = 9 of 8 chunks, with a pool
   * whose counter was a plain count: docs/perf.md, session 10). */
  uint64_t done;
  uint32_t finished; /* futex word the caller sleeps on: bumped when the last chunk is done */
  int caller_sleeping;
} pool;

static int online_cpus(void) {
  uint64_t mask[16] = {0};
  long bytes = syscall(SYS_SCHED_GETAFFINITY, 0, sizeof mask, mask);
  int n = 0;
  for (long i = 0; i < bytes / 8; ++i)
    n += __builtin_popcountll(mask[i]);
  return n > 0 ? n : 1;
}

static int parse_threads(const char *s) {
  int n = 0;
  if (!s || !*s)
    return 0;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9' || n > MAX_THREADS)
      return 0;
    n = n * 10 + (*s - '0');
  }
  return n;
}

/* The thread count: the API's value, else ONNXC_NUM_THREADS, else the CPUs this process may
 * run on. Threads may race to fill it in; they all compute the same value. */
int onnxc_rt_num_threads(void) {
  int n = LOAD_RELAXED(&pool.requested);
  if (!n) {
    n = parse_threads(getenv("ONNXC_NUM_THREADS"));
    if (n <= 0)
      n = online_cpus();
    if (n > MAX_THREADS)
      n = MAX_THREADS;
    STORE_RELAXED(&pool.requested, n);
  }
  return n;
}

int onnxc_rt_set_num_threads(int n) {
  if (n < 0 || n > MAX_THREADS)
    return ONNXC_ERROR_INVALID_ARGUMENT;
  if (n == 0) { /* back to the default */
    STORE_RELAXED(&pool.requested, 0);
    onnxc_rt_num_threads();
  } else {
    STORE_RELAXED(&pool.requested, n);
  }
  return ONNXC_OK;
}

/* Claims a chunk of `slot`'s range for the loop of generation `gen`: its first (the owner)
 * or its last (a thief). -1 when the range is empty or the loop is over. */
static int64_t claim(int slot, uint32_t gen, int from_back) {
  uint64_t *word = &pool.ranges[slot].word;
  uint64_t w = LOAD(word);
  for (;;) {
    uint32_t first = (uint32_t)(w >> 16) & 0xffff, end = (uint32_t)w & 0xffff;
    if ((uint32_t)(w >> 32) != gen || first >= end)
      return -1;
    uint64_t next = from_back ? w - 1 : w + (1u << 16);
    if (__atomic_compare_exchange_n(word, &w, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
      return from_back ? end - 1 : first;
  }
}

static void run_chunk(uint32_t gen, int64_t chunk) {
  uint64_t fp = LOAD_RELAXED(&pool.fp_control);
  if (get_fp_control() != fp)
    set_fp_control(fp);
  int64_t chunks = LOAD_RELAXED(&pool.chunks);
  int64_t begin = LOAD_RELAXED(&pool.begin), n = LOAD_RELAXED(&pool.end) - begin;
  LOAD_RELAXED(&pool.fn)(LOAD_RELAXED(&pool.ctx), begin + n * chunk / chunks,
                         begin + n * (chunk + 1) / chunks);
  uint64_t d = __atomic_load_n(&pool.done, __ATOMIC_SEQ_CST);
  do {
    if ((uint32_t)(d >> 32) != gen)
      return;
  } while (!__atomic_compare_exchange_n(&pool.done, &d, d + 1, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST));
  if ((int64_t)(uint32_t)(d + 1) == chunks &&
      __atomic_load_n(&pool.caller_sleeping, __ATOMIC_SEQ_CST)) {
    __atomic_add_fetch(&pool.finished, 1, __ATOMIC_RELEASE);
    futex_wake_all(&pool.finished);
  }
}

/* Thread `slot` (0: the caller) runs its own chunks of the loop of generation `gen`, then
 * the others' until none is left. */
static void run_chunks(uint32_t gen, int slot) {
  int64_t chunk;
  while ((chunk = claim(slot, gen, 0)) >= 0)
    run_chunk(gen, chunk);
  int threads = LOAD_RELAXED(&pool.active) + 1;
  for (int i = 1; i < threads; ++i) {
    int victim = (slot + i) % threads;
    while ((chunk = claim(victim, gen, 1)) >= 0)
      run_chunk(gen, chunk);
  }
}

static void *worker_main(void *arg) {
  int index = (int)(intptr_t)arg;
  /* Not the generation now: the loop that started this worker may already have begun, and
   * its chunks wait for their owner. */
  uint32_t seen = LOAD(&pool.start_generation);
  for (;;) {
    uint32_t gen;
    int spins = 0;
    while ((gen = LOAD(&pool.generation)) == seen && !LOAD(&pool.shutdown)) {
      if (++spins < SPIN_ROUNDS) {
        CPU_RELAX();
        continue;
      }
      __atomic_add_fetch(&pool.sleepers, 1, __ATOMIC_SEQ_CST);
      if (__atomic_load_n(&pool.generation, __ATOMIC_SEQ_CST) == seen &&
          !LOAD(&pool.shutdown))
        futex_wait(&pool.generation, seen);
      __atomic_sub_fetch(&pool.sleepers, 1, __ATOMIC_SEQ_CST);
      spins = 0;
    }
    if (LOAD(&pool.shutdown))
      return 0;
    seen = gen;
    if (index < LOAD_RELAXED(&pool.active))
      run_chunks(gen, index + 1);
  }
}

/* Starts workers up to `want` (beyond the calling thread); returns how many run. */
static int start_workers(int want) {
  if (pool.started < want) /* once per new worker, not on every loop */
    STORE(&pool.start_generation, LOAD_RELAXED(&pool.generation));
  while (pool.started < want) {
    if (pthread_create(&pool.workers[pool.started], 0, worker_main,
                       (void *)(intptr_t)pool.started))
      break; /* no more threads: go on with those we have */
    ++pool.started;
  }
  return pool.started;
}

void onnxc_rt_parallel_for(onnxc_body_fn fn, void *ctx, int64_t begin, int64_t end) {
  int64_t n = end - begin;
  int threads = onnxc_rt_num_threads();
  int expected = 0;
  if (n < 2 || threads < 2 ||
      !__atomic_compare_exchange_n(&pool.busy, &expected, 1, 0, __ATOMIC_ACQUIRE,
                                   __ATOMIC_RELAXED)) {
    fn(ctx, begin, end);
    return;
  }
  int workers = start_workers(threads - 1);
  if (workers == 0) {
    STORE(&pool.busy, 0);
    fn(ctx, begin, end);
    return;
  }
  if (workers > threads - 1)
    workers = threads - 1;
  /* A few chunks per thread even out loops whose iterations differ in cost, without
   * splitting rows so finely that the claims cost more than the work. */
  int threads_used = workers + 1;
  int64_t chunks = n < MAX_CHUNKS_PER_THREAD * (int64_t)threads_used
                       ? n
                       : MAX_CHUNKS_PER_THREAD * (int64_t)threads_used;
  STORE_RELAXED(&pool.fn, fn);
  STORE_RELAXED(&pool.ctx, ctx);
  STORE_RELAXED(&pool.begin, begin);
  STORE_RELAXED(&pool.end, end);
  STORE_RELAXED(&pool.chunks, chunks);
  STORE_RELAXED(&pool.fp_control, get_fp_control());
  STORE_RELAXED(&pool.active, workers);
  uint32_t gen = LOAD_RELAXED(&pool.generation) + 1;
  uint64_t all_done = (uint64_t)gen << 32 | (uint64_t)chunks;
  STORE_RELAXED(&pool.done, (uint64_t)gen << 32);
  STORE(&pool.caller_sleeping, 0);
  for (int t = 0; t < threads_used; ++t) {
    uint64_t first = (uint64_t)(chunks * t / threads_used),
             end = (uint64_t)(chunks * (t + 1) / threads_used);
    STORE(&pool.ranges[t].word, (uint64_t)gen << 32 | first << 16 | end);
  }
  __atomic_store_n(&pool.generation, gen, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&pool.sleepers, __ATOMIC_SEQ_CST))
    futex_wake_all(&pool.generation);

  run_chunks(gen, 0);
  int spins = 0;
  while (LOAD(&pool.done) != all_done) {
    if (++spins < SPIN_ROUNDS) {
      CPU_RELAX();
      continue;
    }
    uint32_t f = LOAD(&pool.finished);
    /* Either the worker that finishes the last chunk sees this store and wakes us, or it
     * finished before it and `done` shows it (both sides sequentially consistent). */
    __atomic_store_n(&pool.caller_sleeping, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&pool.done, __ATOMIC_SEQ_CST) != all_done)
      futex_wait(&pool.finished, f);
    spins = 0;
  }
  STORE(&pool.busy, 0);
}

/* dlclose or process exit: stop the workers before their code is unmapped. */
__attribute__((destructor)) static void stop_workers(void) {
  if (!pool.started)
    return;
  STORE(&pool.shutdown, 1);
  __atomic_add_fetch(&pool.generation, 1, __ATOMIC_SEQ_CST);
  futex_wake_all(&pool.generation);
  for (int i = 0; i < pool.started; ++i)
    pthread_join(pool.workers[i], 0);
  pool.started = 0;
}
