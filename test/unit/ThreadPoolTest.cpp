// Drives the runtime stub's thread pool (runtime-stub/threads.c) directly: every iteration runs
// exactly once for any thread count, the caller's thread takes part, loops issued from several
// threads at once (one gets the pool, the others run serially) stay correct, and the thread
// count API checks its range and honours ONNXC_NUM_THREADS.
#include <gtest/gtest.h>

extern "C" {
#include "onnxc/model.h"
#include "runtime_internal.h"
}

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#define ONNXC_FAKE_REQUIRED_FEATURES 0
#include "FakeModel.h"

namespace {

struct Counts {
  std::vector<std::atomic<int>> hits;
  explicit Counts(size_t n) : hits(n) {}
};

void countRange(void *ctx, int64_t begin, int64_t end) {
  auto *c = static_cast<Counts *>(ctx);
  for (int64_t i = begin; i < end; ++i)
    c->hits[i].fetch_add(1, std::memory_order_relaxed);
}

void expectEachOnce(const Counts &c, int64_t begin, int64_t end) {
  for (int64_t i = 0; i < (int64_t)c.hits.size(); ++i)
    ASSERT_EQ(c.hits[i].load(), i >= begin && i < end ? 1 : 0) << "iteration " << i;
}

} // namespace

TEST(ThreadPool, EveryIterationOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3, 8}) {
    ASSERT_EQ(onnxc_rt_set_num_threads(threads), ONNXC_OK);
    EXPECT_EQ(onnxc_rt_num_threads(), threads);
    for (int64_t n : {0, 1, 2, 5, 7, 64, 1000}) {
      Counts c(n + 3);
      onnxc_rt_parallel_for(countRange, &c, 3, 3 + n);
      expectEachOnce(c, 3, 3 + n);
    }
  }
}

TEST(ThreadPool, ManyLoopsInARow) {
  ASSERT_EQ(onnxc_rt_set_num_threads(4), ONNXC_OK);
  Counts c(97);
  for (int round = 0; round < 2000; ++round)
    onnxc_rt_parallel_for(countRange, &c, 0, 97);
  for (auto &h : c.hits)
    ASSERT_EQ(h.load(), 2000);
}

// Each thread owns a contiguous range of chunks and runs it front to back; others only take
// chunks from the back of a range. So whatever the scheduling, each thread runs a prefix of
// its own range in order, then a suffix of the other's in reverse order. A shared counter
// (the pool before session 10) breaks this: with iteration 0 slow, the worker ran 1, 2, 3
// in increasing order.
struct Owners {
  std::vector<std::atomic<int>> slow; // iterations that sleep
  std::vector<std::thread::id> ranBy;
  std::vector<int> order; // when each iteration finished
  std::atomic<int> next{0};
  explicit Owners(size_t n) : slow(n), ranBy(n), order(n) {}
};

void recordOwner(void *ctx, int64_t begin, int64_t end) {
  auto *o = static_cast<Owners *>(ctx);
  for (int64_t i = begin; i < end; ++i) {
    if (o->slow[i].load())
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    o->ranBy[i] = std::this_thread::get_id();
    o->order[i] = o->next.fetch_add(1);
  }
}

// The iterations `thread` ran, in the order it ran them: those of [own, own + 4) must come
// first, in increasing order from `own`; then those of the other range in decreasing order
// from its end.
void expectOwnerThenThief(const Owners &o, std::thread::id thread, int own, int other,
                          int round) {
  std::vector<int> ran;
  for (int i = 0; i < 8; ++i)
    if (o.ranBy[i] == thread)
      ran.push_back(i);
  std::sort(ran.begin(), ran.end(), [&](int a, int b) { return o.order[a] < o.order[b]; });
  size_t k = 0;
  for (int next = own; k < ran.size() && ran[k] >= own && ran[k] < own + 4; ++k, ++next)
    EXPECT_EQ(ran[k], next) << "own range, round " << round;
  for (int next = other + 3; k < ran.size(); ++k, --next)
    EXPECT_EQ(ran[k], next) << "stolen, round " << round;
}

TEST(ThreadPool, OwnersRunTheFrontOfTheirRangesAndOthersStealFromTheBack) {
  ASSERT_EQ(onnxc_rt_set_num_threads(2), ONNXC_OK);
  for (int round = 0; round < 10; ++round) {
    Owners o(8); // 2 threads: 8 chunks of one iteration, the caller owns 0-3, the worker 4-7.
    o.slow[0] = 1;
    onnxc_rt_parallel_for(recordOwner, &o, 0, 8);
    std::thread::id caller = std::this_thread::get_id(), worker;
    for (int i = 0; i < 8; ++i)
      if (o.ranBy[i] != caller)
        worker = o.ranBy[i];
    expectOwnerThenThief(o, caller, 0, 4, round);
    if (worker != std::thread::id())
      expectOwnerThenThief(o, worker, 4, 0, round);
  }
}

TEST(ThreadPool, ConcurrentCallersShareOnePool) {
  ASSERT_EQ(onnxc_rt_set_num_threads(3), ONNXC_OK);
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int round = 0; round < 300; ++round) {
        Counts c(50);
        onnxc_rt_parallel_for(countRange, &c, 0, 50);
        for (auto &h : c.hits)
          if (h.load() != 1)
            failures.fetch_add(1);
      }
    });
  for (auto &t : callers)
    t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ThreadPool, WorkersSleepWhenIdleAndWakeUp) {
  ASSERT_EQ(onnxc_rt_set_num_threads(2), ONNXC_OK);
  Counts c(10);
  onnxc_rt_parallel_for(countRange, &c, 0, 10);
  // Long enough for the worker to stop spinning and sleep on its futex.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  onnxc_rt_parallel_for(countRange, &c, 0, 10);
  for (auto &h : c.hits)
    ASSERT_EQ(h.load(), 2);
}

TEST(ThreadPool, ThreadCountRangeAndEnvironment) {
  EXPECT_EQ(onnxc_rt_set_num_threads(-1), ONNXC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(onnxc_rt_set_num_threads(100000), ONNXC_ERROR_INVALID_ARGUMENT);
  setenv("ONNXC_NUM_THREADS", "3", 1);
  ASSERT_EQ(onnxc_rt_set_num_threads(0), ONNXC_OK);
  EXPECT_EQ(onnxc_rt_num_threads(), 3);
  setenv("ONNXC_NUM_THREADS", "three", 1); // Not a number: the CPU count.
  ASSERT_EQ(onnxc_rt_set_num_threads(0), ONNXC_OK);
  EXPECT_GE(onnxc_rt_num_threads(), 1);
  unsetenv("ONNXC_NUM_THREADS");
  EXPECT_STREQ(onnxc_rt_status_string(ONNXC_ERROR_INVALID_ARGUMENT),
               "an argument is out of its range");
}

#if defined(__x86_64__)
#include <xmmintrin.h>

namespace {
void recordFlushToZero(void *ctx, int64_t begin, int64_t end) {
  auto *seen = static_cast<std::atomic<int> *>(ctx);
  for (int64_t i = begin; i < end; ++i)
    if (_MM_GET_FLUSH_ZERO_MODE() == _MM_FLUSH_ZERO_ON)
      seen->fetch_add(1);
}
} // namespace

// Workers run each loop with the caller's MXCSR: a host that flushes denormals to zero gets
// the same results on any thread count.
TEST(ThreadPool, WorkersTakeTheCallersFloatingPointControl) {
  ASSERT_EQ(onnxc_rt_set_num_threads(4), ONNXC_OK);
  unsigned saved = _mm_getcsr();
  _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
  std::atomic<int> seen{0};
  onnxc_rt_parallel_for(recordFlushToZero, &seen, 0, 64);
  _mm_setcsr(saved);
  EXPECT_EQ(seen.load(), 64);
  seen = 0;
  onnxc_rt_parallel_for(recordFlushToZero, &seen, 0, 64);
  EXPECT_EQ(seen.load(), 0);
}
#endif
