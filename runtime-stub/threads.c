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

static struct {
  /* Configuration: the thread count asked for (0: not decided yet) and workers started. */
  int requested;
  int started;
  onnxc_pthread_t workers[MAX_THREADS];
  int busy;     /* 1 while an inference's loop owns the pool */
  int shutdown; /* set by the library's destructor */
  /* The current loop. `ticket` packs (generation << 32 | next chunk); a worker claims a
   * chunk with a compare-and-swap that also checks the generation, so a worker that wakes
   * late can never run a chunk of a loop that has already finished. */
  uint64_t ticket;
  uint32_t generation; /* futex word: bumped for every loop */
  int sleepers;        /* workers asleep (or about to be) on `generation` */
  onnxc_body_fn fn;
  void *ctx;
  int64_t begin, end, chunks;
  uint64_t fp_control; /* the caller's MXCSR / FPCR */
  int active;        /* workers (beyond the caller) that may take part */
  int64_t done;      /* chunks finished */
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

/* Runs chunks of the loop of generation `gen` until none is left. */
static void run_chunks(uint32_t gen) {
  for (;;) {
    uint64_t t = LOAD(&pool.ticket);
    if ((uint32_t)(t >> 32) != gen)
      return;
    int64_t chunk = (int64_t)(uint32_t)t;
    int64_t chunks = LOAD_RELAXED(&pool.chunks);
    if (chunk >= chunks)
      return;
    if (!__atomic_compare_exchange_n(&pool.ticket, &t, t + 1, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
      continue;
    uint64_t fp = LOAD_RELAXED(&pool.fp_control);
    if (get_fp_control() != fp)
      set_fp_control(fp);
    int64_t begin = LOAD_RELAXED(&pool.begin), n = LOAD_RELAXED(&pool.end) - begin;
    LOAD_RELAXED(&pool.fn)(LOAD_RELAXED(&pool.ctx), begin + n * chunk / chunks,
                           begin + n * (chunk + 1) / chunks);
    if (__atomic_add_fetch(&pool.done, 1, __ATOMIC_SEQ_CST) == chunks &&
        __atomic_load_n(&pool.caller_sleeping, __ATOMIC_SEQ_CST)) {
      __atomic_add_fetch(&pool.finished, 1, __ATOMIC_RELEASE);
      futex_wake_all(&pool.finished);
    }
  }
}

static void *worker_main(void *arg) {
  int index = (int)(intptr_t)arg;
  uint32_t seen = LOAD(&pool.generation);
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
      run_chunks(gen);
  }
}

/* Starts workers up to `want` (beyond the calling thread); returns how many run. */
static int start_workers(int want) {
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
  int64_t chunks = n < 4 * (int64_t)(workers + 1) ? n : 4 * (int64_t)(workers + 1);
  STORE_RELAXED(&pool.fn, fn);
  STORE_RELAXED(&pool.ctx, ctx);
  STORE_RELAXED(&pool.begin, begin);
  STORE_RELAXED(&pool.end, end);
  STORE_RELAXED(&pool.chunks, chunks);
  STORE_RELAXED(&pool.fp_control, get_fp_control());
  STORE_RELAXED(&pool.active, workers);
  STORE_RELAXED(&pool.done, 0);
  STORE(&pool.caller_sleeping, 0);
  uint32_t gen = LOAD_RELAXED(&pool.generation) + 1;
  STORE(&pool.ticket, (uint64_t)gen << 32);
  __atomic_store_n(&pool.generation, gen, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&pool.sleepers, __ATOMIC_SEQ_CST))
    futex_wake_all(&pool.generation);

  run_chunks(gen);
  int spins = 0;
  while (LOAD(&pool.done) != chunks) {
    if (++spins < SPIN_ROUNDS) {
      CPU_RELAX();
      continue;
    }
    uint32_t f = LOAD(&pool.finished);
    /* Either the worker that finishes the last chunk sees this store and wakes us, or it
     * finished before it and `done` shows it (both sides sequentially consistent). */
    __atomic_store_n(&pool.caller_sleeping, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&pool.done, __ATOMIC_SEQ_CST) != chunks)
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
