#!/usr/bin/python3
"""Ops whose output sizes depend on tensor data (docs/dynamic-shapes.md, "Sizes that depend on
data"), compiled once and run on data drawn at random on every run, so that the counts vary,
against numpy references:

  - NonZero (static input, and an input with a run-time dim), NonZero -> Transpose -> Cast ->
    Add and NonZero -> Transpose -> GatherND (data-dependent intermediates consumed by ops
    that take run-time dims);
  - Compress with a run-time condition (with and without axis);
  - Unique (sorted / first-occurrence order, with and without axis, all four outputs);
  - NonMaxSuppression with run-time max_output_boxes_per_class and thresholds;
  - a C program on the generated header (typed entry, output_dims as upper bounds, dims
    written by the run, run() refused through the generic descriptor);
  - graph outputs sized from data with no bound, allocated by the run through the caller's
    allocator (ONNXC_OUTPUT_ALLOCATED): Range outputs (float, int32, next to a static
    output), a Loop's scan output with the trip count an input, and a C program with its
    own allocator (typed entry, context allocator, a failing allocator, refusals);
  - sizes with no bound at compile time, allocated per run: Range over run-time
    start/limit/delta (float and int32, both signs of delta, empty ranges included), the
    Range function's expansion (a Loop whose trip count and condition are read from data,
    with a scan output), and a static output computed with such a size; and the statuses a
    run returns for a Range with delta 0, a length above the limits, a static output whose
    declared dim the data does not give, and a failed allocation (under `ulimit -v`);
  - If branches whose outputs differ in shape (Concat(x, x) or x, static and run-time N;
    x @ w or x transposed),
    run with the condition true and false: the result as a graph output and through
    elementwise ops and a reduction; and branches through Slice (run-time starts and ends)
    and Reshape (-1); an If with two outputs computed in each branch from the same input;
  - Slice with starts, ends and steps read at run time (random each run, INT64 extremes and
    negative steps included), a step of 0 and a declared size the data does not give;
  - test_loop11's body (a loop-carried [1] yielded as [?], checked each iteration), with and
    without a scan output, and a trip count past the sliced input's end.
  - Loops with no trip count whose body computes the condition; Loop-carried values that
    grow by a Concat of themselves over a trip count from Shape arithmetic (random each run,
    0 and 1 included).

    run_data_dependent.py --onnx-compile BIN --onnx-run BIN --work DIR --cc CC --include DIR
                          [--seed S] [--runs N]
"""

import itertools
import os
import shutil
import sys

import numpy as np
from onnx import TensorProto, helper

from e2e_harness import Harness, run, save


def model_of(nodes, inputs, outputs, opset=13, inits=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def vi(name, dtype, dims):
    return helper.make_tensor_value_info(name, dtype, dims)


def sparse(rng, shape, p_zero):
    x = rng.standard_normal(shape).astype(np.float32)
    x[rng.random(shape) < p_zero] = 0
    return x


def unique_reference(x, axis, sorted_):
    y, idx, inv, cnt = np.unique(x, return_index=True, return_inverse=True,
                                 return_counts=True, axis=axis)
    inv = inv.reshape(-1)
    if not sorted_:
        order = np.argsort(idx, kind="stable")  # first-occurrence order
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        y = np.take(y, order, axis=0 if axis is None else axis)
        idx, cnt, inv = idx[order], cnt[order], rank[inv]
    return [y, idx.astype(np.int64), inv.astype(np.int64), cnt.astype(np.int64)]


def nms_reference(boxes, scores, max_out, iou_thr, score_thr, center):
    rows = []
    for b in range(scores.shape[0]):
        corners = boxes[b].astype(np.float64)
        if center:
            xc, yc, w, h = corners.T
            corners = np.stack([yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2], 1)
        else:
            corners = np.stack([np.minimum(corners[:, 0], corners[:, 2]),
                                np.minimum(corners[:, 1], corners[:, 3]),
                                np.maximum(corners[:, 0], corners[:, 2]),
                                np.maximum(corners[:, 1], corners[:, 3])], 1)
        for c in range(scores.shape[1]):
            s = scores[b, c]
            order = sorted(range(len(s)), key=lambda j: (-s[j], j))
            kept = []
            for j in order:
                if len(kept) >= max_out or not s[j] > score_thr:
                    continue
                ok = True
                for k in kept:
                    p, q = corners[j], corners[k]
                    ih = max(0.0, min(p[2], q[2]) - max(p[0], q[0]))
                    iw = max(0.0, min(p[3], q[3]) - max(p[1], q[1]))
                    inter = ih * iw
                    union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter
                    iou = inter / union if union > 0 else 0.0
                    if iou > iou_thr:
                        ok = False
                        break
                if ok:
                    kept.append(j)
                    rows.append([b, c, j])
    return np.array(rows, np.int64).reshape(-1, 3)




C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <onnxc/model.h>
#include "nonzero_static.h"

int main(void) {
  /* x [3, 5]: the non-zeros at (0,1), (2,0), (2,4). */
  float x[15] = {0};
  x[1] = 1.0f; x[10] = -2.0f; x[14] = 3.0f;
  int64_t bound[2] = {0, 0}, dims[2] = {0, 0};
  if (nonzero_static_output_dims(bound) || bound[0] != 2 || bound[1] != 15) {
    fprintf(stderr, "output_dims: %lld x %lld, expected the bound 2 x 15\n",
            (long long)bound[0], (long long)bound[1]);
    return 1;
  }
  int64_t ws_size = nonzero_static_workspace_size();
  void *ws = ws_size > 0 ? aligned_alloc(NONZERO_STATIC_WORKSPACE_ALIGNMENT,
                                         (ws_size + 63) / 64 * 64) : NULL;
  int64_t y[30];
  int status = nonzero_static_run(x, y, dims, ws);
  const int64_t want[6] = {0, 2, 2, 1, 0, 4};
  if (status || dims[0] != 2 || dims[1] != 3 || memcmp(y, want, sizeof want)) {
    fprintf(stderr, "run: status %d, dims %lld x %lld\n", status, (long long)dims[0],
            (long long)dims[1]);
    return 1;
  }
  const onnxc_model *m = nonzero_static_model();
  if (!(m->flags & ONNXC_MODEL_DATA_DEPENDENT_DIMS) || m->num_dims != 0 ||
      m->outputs[0].dims[1] != -1) {
    fprintf(stderr, "descriptor: flags %u, num_dims %u\n", m->flags, m->num_dims);
    return 1;
  }
  const void *ins[1] = {x};
  void *outs[1] = {y};
  if (m->run(ins, outs, ws) != ONNXC_ERROR_DIMS_OUT_OF_RANGE) {
    fprintf(stderr, "run() of a data-dependent model must be refused\n");
    return 1;
  }
  nonzero_static_context *ctx = nonzero_static_create();
  memset(dims, 0, sizeof dims);
  status = nonzero_static_run_context(ctx, x, y, dims);
  nonzero_static_destroy(ctx);
  if (status || dims[1] != 3 || memcmp(y, want, sizeof want)) {
    fprintf(stderr, "context run: status %d, dims %lld x %lld\n", status, (long long)dims[0],
            (long long)dims[1]);
    return 1;
  }
  free(ws);
  return 0;
}
"""


# Graph outputs sized from data with no bound (ONNXC_OUTPUT_ALLOCATED): the typed entry with
# malloc, a context with an allocator of the program's own, the generic entry with an
# allocator that fails, and a run that fails before allocating. START/LIMIT/DELTA and WANT
# (numpy's) are drawn at random each run.
ALLOC_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <onnxc/model.h>
#include "range_output.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); return 1; } } while (0)

static const float want[] = {WANT};
static const int64_t n = sizeof want / sizeof want[0] - 1; /* WANT ends with a sentinel */

struct pool { int calls, frees, live; size_t bytes, align; int fail; };

static void *pool_alloc(void *user, size_t bytes, size_t align) {
  struct pool *p = user;
  p->calls++;
  p->bytes = bytes;
  p->align = align;
  if (p->fail)
    return NULL;
  void *ptr = aligned_alloc(align, (bytes + align - 1) / align * align);
  p->live += ptr != NULL;
  return ptr;
}

static void pool_free(void *user, void *ptr) {
  struct pool *p = user;
  p->frees++;
  p->live -= ptr != NULL;
  free(ptr);
}

static int same(const float *y, const int64_t *dims) {
  if (dims[0] != n)
    return 0;
  for (int64_t i = 0; i < n; ++i)
    if (y[i] != want[i]) {
      fprintf(stderr, "y[%lld] = %g, want %g\n", (long long)i, y[i], want[i]);
      return 0;
    }
  return 1;
}

int main(void) {
  float start = START, limit = LIMIT, delta = DELTA, zero = 0;
  int64_t size = range_output_workspace_size();
  CHECK(size >= 0);
  void *ws = aligned_alloc(RANGE_OUTPUT_WORKSPACE_ALIGNMENT, (size_t)(size + 63) / 64 * 64 + 64);
  int64_t dims[1] = {0};
  CHECK(range_output_output_dims(dims) == 0 && dims[0] == -1); /* unknown before the run */

  /* Typed entry: malloc, the caller frees. */
  float *y = NULL;
  CHECK(range_output_run(&start, &limit, &delta, &y, dims, ws) == 0);
  CHECK(same(y, dims));
  CHECK((n == 0) == (y == NULL));
  free(y);

  /* A context with the program's allocator. */
  struct pool p = {0, 0, 0, 0, 0, 0};
  range_output_context *ctx = range_output_create();
  CHECK(ctx != NULL);
  CHECK(range_output_set_allocator(ctx, pool_alloc, pool_free, &p) == 0);
  y = NULL;
  CHECK(range_output_run_context(ctx, &start, &limit, &delta, &y, dims) == 0);
  CHECK(same(y, dims));
  CHECK(p.calls == (n > 0) && p.frees == 0);
  if (n > 0)
    CHECK(p.bytes == (size_t)n * sizeof(float) && p.align >= sizeof(float));
  pool_free(&p, y);
  CHECK(p.live == 0);

  /* The generic descriptor: flags, and an allocator that fails. */
  const onnxc_model *m = range_output_model();
  CHECK(m->abi_version == ONNXC_ABI_VERSION);
  CHECK(m->flags & ONNXC_MODEL_ALLOCATED_OUTPUTS);
  CHECK(m->output_flags[0] & ONNXC_OUTPUT_ALLOCATED);
  CHECK(m->outputs[0].dims[0] == -1 && m->outputs[0].size_bytes == 0);
  const void *ins[3] = {&start, &limit, &delta};
  void *slot = &p; /* overwritten */
  void *outs[1] = {&slot};
  int64_t *out_dims[1] = {dims};
  onnxc_allocator failing = {pool_alloc, pool_free, &p};
  p.fail = 1;
  p.calls = 0;
  int status = m->run_with_allocator(NULL, ins, outs, out_dims, ws, (uint64_t)size, &failing);
  CHECK(status == (n > 0 ? ONNXC_ERROR_OUT_OF_MEMORY : ONNXC_OK));
  CHECK(slot == NULL && p.live == 0);
  /* delta 0: refused before anything is allocated. */
  p.fail = 0;
  p.calls = 0;
  slot = &p;
  const void *bad[3] = {&start, &limit, &zero};
  CHECK(m->run_with_allocator(NULL, bad, outs, out_dims, ws, (uint64_t)size, &failing) ==
        ONNXC_ERROR_DATA_SIZE);
  CHECK(slot == NULL && p.calls == 0);
  /* A NULL slot is refused. */
  void *null_outs[1] = {NULL};
  CHECK(m->run_with_allocator(NULL, ins, null_outs, out_dims, ws, (uint64_t)size, NULL) ==
        ONNXC_ERROR_NULL_ARGUMENT);
  range_output_destroy(ctx);
  free(ws);
  printf("range_output: %lld elements\n", (long long)n);
  return 0;
}
"""


def range_ref(start, limit, delta, dtype):
    """ONNX Range: start + i * delta in the element type, max(ceil((limit-start)/delta), 0)
    elements."""
    if np.issubdtype(dtype, np.floating):
        n = int(max(np.ceil(dtype((limit - start) / delta)), 0))
        return (dtype(start) + np.arange(n, dtype=dtype) * dtype(delta)).astype(dtype)
    return np.arange(start, limit, delta, dtype=dtype)


def scalar(v, dtype):
    return np.array(v, dtype)


def expect_status(h, name, inputs, message):
    """Runs the compiled `name` on `inputs` and expects onnx-run to report the run's status
    `message` (exit 3), not a crash nor outputs."""
    a = h.args
    case = os.path.join(a.work, f"{name}_status")
    save(case, inputs, "input")
    rc, out = run([a.onnx_run, os.path.join(a.work, name + ".so"), "--inputs", case])
    h.report(rc == 3 and message in out, f"{name} refused at run time: {message}", out)


def no_bound_cases(h):
    """Sizes computed from data with no compile-time bound (docs/dynamic-shapes.md): their
    buffers are allocated per run."""
    a, rng, check = h.args, h.rng, h.check
    F, I32, I64, B = TensorProto.FLOAT, TensorProto.INT32, TensorProto.INT64, TensorProto.BOOL
    range_in = lambda et: [vi("start", et, []), vi("limit", et, []), vi("delta", et, [])]

    # Range over run-time float values, then elementwise ops and a sum: a static [1] output.
    def float_range():
        start = float(rng.integers(-20, 20))
        delta = float(rng.choice([-1, 1])) * float(rng.integers(1, 4)) / 2
        limit = start + delta * float(rng.integers(-3, 40)) + float(rng.random() - 0.5)
        r = range_ref(np.float32(start), np.float32(limit), np.float32(delta), np.float32)
        y = np.array([np.sum(r * r + np.float32(1), dtype=np.float32)], np.float32)
        return [("start", scalar(start, np.float32)), ("limit", scalar(limit, np.float32)),
                ("delta", scalar(delta, np.float32))], [("y", y)], f"length={len(r)}"
    check("range_float_sum",
          model_of([helper.make_node("Range", ["start", "limit", "delta"], ["r"], name="range"),
                    helper.make_node("Mul", ["r", "r"], ["sq"], name="sq"),
                    helper.make_node("Add", ["sq", "one"], ["p"], name="plus1"),
                    helper.make_node("ReduceSum", ["p"], ["y"], name="sum")],
                   range_in(F), [vi("y", F, [1])],
                   inits=[helper.make_tensor("one", F, [], [1.0])]),
          float_range)

    # int32 Range, both signs of delta: its span (max - min) and its length (at least 1
    # here: ReduceMax of nothing has no value).
    def int_range():
        start = int(rng.integers(-50, 50))
        delta = int(rng.choice([-1, 1]) * rng.integers(1, 5))
        limit = start + delta * int(rng.integers(1, 30)) - int(np.sign(delta)) * int(rng.integers(0, abs(delta)))
        r = range_ref(start, limit, delta, np.int32)
        y = np.array([r.max() - r.min(), len(r)], np.int32)
        return [("start", scalar(start, np.int32)), ("limit", scalar(limit, np.int32)),
                ("delta", scalar(delta, np.int32))], [("y", y)], f"length={len(r)}"
    check("range_int32_span",
          model_of([helper.make_node("Range", ["start", "limit", "delta"], ["r"], name="range"),
                    helper.make_node("ReduceMax", ["r"], ["hi"], name="max"),
                    helper.make_node("ReduceMin", ["r"], ["lo"], name="min"),
                    helper.make_node("Sub", ["hi", "lo"], ["span"], name="span"),
                    helper.make_node("Sub", ["r", "r"], ["zeros"]),
                    helper.make_node("Add", ["zeros", "one"], ["ones"]),
                    helper.make_node("ReduceSum", ["ones"], ["len"], name="len"),
                    helper.make_node("Concat", ["span", "len"], ["y"], axis=0, name="cat")],
                   range_in(I32), [vi("y", I32, [2])],
                   inits=[helper.make_tensor("one", I32, [], [1])]),
          int_range)

    # The Range function's expansion: a Loop whose trip count and condition are computed
    # from the inputs, with a scan output (ONNX's test_range_*_expanded), then a sum.
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond"], ["cond_out"]),
         helper.make_node("Add", ["prev", "delta"], ["current"]),
         helper.make_node("Identity", ["prev"], ["range"])],
        "body", [vi("i", I64, []), vi("cond", B, []), vi("prev", F, [])],
        [vi("cond_out", B, []), vi("current", F, []), vi("range", F, [])])
    def loop_range():
        start = float(rng.integers(-10, 10))
        delta = float(rng.choice([-1, 1]) * rng.integers(1, 3))
        limit = start + delta * float(rng.integers(-2, 25))
        r = range_ref(np.float32(start), np.float32(limit), np.float32(delta), np.float32)
        y = np.array([np.sum(r, dtype=np.float32), np.float32(len(r))], np.float32)
        return [("start", scalar(start, np.float32)), ("limit", scalar(limit, np.float32)),
                ("delta", scalar(delta, np.float32))], [("y", y)], f"trip count={len(r)}"
    check("range_loop_expanded",
          model_of([helper.make_node("Sub", ["limit", "start"], ["diff"]),
                    helper.make_node("Div", ["diff", "delta"], ["q"]),
                    helper.make_node("Ceil", ["q"], ["c"]),
                    helper.make_node("Relu", ["c"], ["n"]),
                    helper.make_node("Cast", ["n"], ["trips"], to=I64),
                    helper.make_node("Cast", ["n"], ["go"], to=B),
                    helper.make_node("Loop", ["trips", "go", "start"], ["last", "out"],
                                     body=body, name="loop"),
                    helper.make_node("ReduceSum", ["out"], ["total"], name="sum"),
                    helper.make_node("Mul", ["out", "zero"], ["zeros"]),
                    helper.make_node("Add", ["zeros", "one"], ["ones"]),
                    helper.make_node("ReduceSum", ["ones"], ["len"]),
                    helper.make_node("Concat", ["total", "len"], ["y"], axis=0)],
                   range_in(F), [vi("y", F, [2])],
                   inits=[helper.make_tensor("zero", F, [], [0.0]),
                          helper.make_tensor("one", F, [], [1.0])]),
          loop_range)

    # A graph output declared static, computed with a size from data: the run checks that
    # they agree. Hann-like: 0.5 - 0.5 cos(2 pi i / n) over Range(0, n).
    k = int(rng.integers(2, 12))
    def window():
        n = np.float32(k)
        i = np.arange(k, dtype=np.float32)
        y = (np.float32(0.5) - np.float32(0.5) * np.cos(i * (np.float32(2 * np.pi) / n))).astype(np.float32)
        return [("n", scalar(k, np.int32))], [("y", y)], f"n={k}"
    check("range_static_output",
                model_of([helper.make_node("Cast", ["n"], ["nf"], to=F),
                          helper.make_node("Range", ["zero", "nf", "one"], ["r"], name="range"),
                          helper.make_node("Div", ["tau", "nf"], ["inc"]),
                          helper.make_node("Mul", ["r", "inc"], ["ang"]),
                          helper.make_node("Cos", ["ang"], ["c"]),
                          helper.make_node("Mul", ["half", "c"], ["hc"]),
                          helper.make_node("Sub", ["half", "hc"], ["y"], name="window")],
                         [vi("n", I32, [])], [vi("y", F, [k])],
                         inits=[helper.make_tensor("zero", F, [], [0.0]),
                                helper.make_tensor("one", F, [], [1.0]),
                                helper.make_tensor("half", F, [], [0.5]),
                                helper.make_tensor("tau", F, [], [2 * np.pi])]),
                window, rtol=1e-4, atol=1e-5)
    other = int(rng.choice([n for n in range(0, 40) if n != k]))
    expect_status(h, "range_static_output", [("n", scalar(other, np.int32))],
                  "not the shape the model declares")

    # Graph outputs sized from data with no bound: allocated by the run through the
    # caller's allocator (onnx-run's counts them and fails on a leak), compared as any other.
    def range_out(dtype, et):
        def make():
            start = int(rng.integers(-20, 20))
            delta = int(rng.choice([-1, 1]) * rng.integers(1, 4))
            limit = start + delta * int(rng.integers(-3, 40))
            if dtype == np.float32:
                limit += float(rng.random() - 0.5)
            r = range_ref(dtype(start), dtype(limit), dtype(delta), dtype)
            return [("start", scalar(start, dtype)), ("limit", scalar(limit, dtype)),
                    ("delta", scalar(delta, dtype))], [("y", r)], f"length={len(r)}"
        return make
    for dtype, et, name in ((np.float32, F, "range_output"), (np.int32, I32, "range_output_int32")):
        check(name,
              model_of([helper.make_node("Range", ["start", "limit", "delta"], ["y"],
                                         name="range")],
                       range_in(et), [vi("y", et, [None])]),
              range_out(dtype, et))
    # Two outputs: one allocated (a Range scaled elementwise), one static (its sum).
    def range_two():
        inputs, outputs, desc = range_out(np.float32, F)()
        r = outputs[0][1]
        return inputs, [("y", (r * np.float32(3)).astype(np.float32)),
                        ("total", np.array([np.sum(r, dtype=np.float32)], np.float32))], desc
    check("range_output_two",
          model_of([helper.make_node("Range", ["start", "limit", "delta"], ["r"], name="range"),
                    helper.make_node("Mul", ["r", "three"], ["y"], name="scale"),
                    helper.make_node("ReduceSum", ["r"], ["total"], name="sum")],
                   range_in(F), [vi("y", F, [None]), vi("total", F, [1])],
                   inits=[helper.make_tensor("three", F, [], [3.0])]),
          range_two)
    # A Loop whose trip count is an input, with a scan output as a graph output [M, 2].
    scan_body = helper.make_graph(
        [helper.make_node("Identity", ["cond"], ["cond_out"]),
         helper.make_node("Add", ["acc", "step"], ["acc_out"]),
         helper.make_node("Mul", ["acc_out", "two"], ["row"])],
        "body", [vi("i", I64, []), vi("cond", B, []), vi("acc", F, [2])],
        [vi("cond_out", B, []), vi("acc_out", F, [2]), vi("row", F, [2])],
        [helper.make_tensor("two", F, [], [2.0])])
    def loop_scan():
        m = int(rng.integers(0, 20))
        step = rng.standard_normal(2).astype(np.float32)
        acc, rows = np.zeros(2, np.float32), []
        for _ in range(m):
            acc = (acc + step).astype(np.float32)
            rows.append(acc * np.float32(2))
        scan = np.array(rows, np.float32).reshape(m, 2)
        return [("trips", scalar(m, np.int64)), ("step", step)], \
            [("last", acc), ("scan", scan)], f"trip count={m}"
    check("loop_scan_output",
          model_of([helper.make_node("Loop", ["trips", "", "init"], ["last", "scan"],
                                     body=scan_body, name="loop"),],
                   [vi("trips", I64, []), vi("step", F, [2])],
                   [vi("last", F, [2]), vi("scan", F, [None, 2])],
                   inits=[helper.make_tensor("init", F, [2], [0.0, 0.0])]),
          loop_scan)
    expect_status(h, "range_output",
                  [("start", scalar(1, np.float32)), ("limit", scalar(9, np.float32)),
                   ("delta", scalar(0, np.float32))],
                  "a size computed from the input values is invalid")
    case = os.path.join(a.work, "range_output_oom")
    save(case, [("start", scalar(0, np.float32)), ("limit", scalar(2e8, np.float32)),
                ("delta", scalar(1, np.float32))], "input")
    rc, out = run(["/bin/sh", "-c", 'ulimit -v 600000 && ONNXC_NUM_THREADS=1 exec "$0" "$@"',
                   a.onnx_run, os.path.join(a.work, "range_output.so"), "--inputs", case])
    h.report(rc == 3 and "out of memory" in out and "leaked" not in out,
             "range_output: a failed output allocation returns ONNXC_ERROR_OUT_OF_MEMORY", out)
    # The C API with an allocator of the program's own, against numpy.
    start = float(rng.integers(-10, 10))
    delta = float(rng.choice([-1, 1]) * rng.integers(1, 4)) / 2
    limit = start + delta * float(rng.integers(-2, 30)) + float(rng.random() - 0.5) * 0.25
    want = range_ref(np.float32(start), np.float32(limit), np.float32(delta), np.float32)
    src = os.path.join(a.work, "alloc_api.c")
    with open(src, "w") as f:
        f.write(ALLOC_PROGRAM.replace("START", repr(start) + "f")
                .replace("LIMIT", repr(limit) + "f").replace("DELTA", repr(delta) + "f")
                .replace("{WANT}", "{" + ", ".join(repr(float(v)) + "f" for v in want)
                         + (", " if len(want) else "") + "0}"))
    h.check_c_program(src, os.path.join(a.work, "range_output.so"),
                      f"alloc_api (allocated output, length {len(want)}: malloc, a context "
                      "allocator, a failing one, refusals)")

    # Hostile values: no crash, no gigantic allocation, a status.
    f32 = lambda v: scalar(v, np.float32)
    expect_status(h, "range_float_sum", [("start", f32(0)), ("limit", f32(5)), ("delta", f32(0))],
                  "a size computed from the input values is invalid")
    expect_status(h, "range_float_sum",
                  [("start", f32(0)), ("limit", f32(1e12)), ("delta", f32(1))],
                  "a size computed from the input values is invalid")
    expect_status(h, "range_float_sum",
                  [("start", f32(0)), ("limit", f32(np.nan)), ("delta", f32(1))],
                  "a size computed from the input values is invalid")
    # 300M floats: a valid length, but 1.2 GB is above the 1 GiB of a buffer made per run.
    expect_status(h, "range_float_sum",
                  [("start", f32(0)), ("limit", f32(3e8)), ("delta", f32(1))],
                  "allocated per run (1 GiB)")
    i32 = lambda v: scalar(v, np.int32)
    expect_status(h, "range_int32_span", [("start", i32(3)), ("limit", i32(-7)), ("delta", i32(0))],
                  "a size computed from the input values is invalid")
    # A failed allocation: 200M floats (800 MB, under the limit) with 600 MB of address space.
    case = os.path.join(a.work, "range_oom")
    save(case, [("start", f32(0)), ("limit", f32(2e8)), ("delta", f32(1))], "input")
    rc, out = run(["/bin/sh", "-c", 'ulimit -v 600000 && ONNXC_NUM_THREADS=1 exec "$0" "$@"',
                   a.onnx_run, os.path.join(a.work, "range_float_sum.so"), "--inputs", case])
    h.report(rc == 3 and "out of memory" in out,
             "range_float_sum: a failed allocation returns ONNXC_ERROR_OUT_OF_MEMORY", out)


def if_cases(h):
    """If branches whose outputs differ in shape: the result's dim is the branch taken's,
    bounded by the larger branch (docs/dynamic-shapes.md). Each model runs with the condition
    true and false in turn; the If result is a graph output and feeds elementwise ops and a
    reduction over the varying dim."""
    rng, check = h.rng, h.check
    F, B = TensorProto.FLOAT, TensorProto.BOOL
    then_b = helper.make_graph([helper.make_node("Concat", ["x", "x"], ["a"], axis=0, name="cat")],
                               "then", [], [vi("a", F, None)])
    else_b = helper.make_graph([helper.make_node("Identity", ["x"], ["b"], name="same")],
                               "else", [], [vi("b", F, None)])
    # else: x + 1 broadcast against a row (an elementwise op inside the branch).
    else_add = helper.make_graph([helper.make_node("Add", ["x", "row"], ["b"], name="plus")],
                                 "else", [], [vi("b", F, None)])

    def nodes(else_graph):
        return [helper.make_node("If", ["c"], ["y"], then_branch=then_b, else_branch=else_graph,
                                 name="pick"),
                helper.make_node("Mul", ["y", "two"], ["m"], name="twice"),
                helper.make_node("Add", ["m", "y"], ["s"], name="thrice"),
                helper.make_node("ReduceSum", ["s", "axes"], ["z"], keepdims=0, name="sum")]
    inits = [helper.make_tensor("two", F, [], [2.0]), helper.make_tensor("axes", TensorProto.INT64,
                                                                          [1], [0]),
             helper.make_tensor("row", F, [3], [1.0, -2.0, 0.5])]
    row = np.array([1.0, -2.0, 0.5], np.float32)

    def case(dyn, add):
        conds = itertools.cycle([1, 0])

        def make():
            cond = next(conds)
            n = int(rng.integers(1, 7)) if dyn else 4
            x = rng.standard_normal((n, 3)).astype(np.float32)
            y = np.concatenate([x, x], 0) if cond else (x + row if add else x)
            return [("c", np.array(bool(cond))), ("x", x)], \
                [("y", y), ("z", (y * np.float32(2) + y).sum(0).astype(np.float32))], \
                f"cond={cond} N={n} y={list(y.shape)}"
        return make
    for name, dyn, add in [("if_shapes_static", False, False), ("if_shapes_dyn", True, False),
                           ("if_shapes_add", True, True)]:
        check(name,
              model_of(nodes(else_add if add else else_b),
                       [vi("c", B, []), vi("x", F, ["N", 3] if dyn else [4, 3])],
                       [vi("y", F, [None, 3]), vi("z", F, [3])], inits=inits),
              case(dyn, add), rtol=1e-5, atol=1e-5)

    # Both dims differ: then x @ w ([N, 5]), else x transposed ([3, N]); the sum over axis 0
    # is [5] or [N]: a second output whose dim comes from the If's.
    w = rng.standard_normal((3, 5)).astype(np.float32)
    then_mm = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["a"], name="mm")],
                                "then", [], [vi("a", F, None)])
    else_tr = helper.make_graph([helper.make_node("Transpose", ["x"], ["b"], perm=[1, 0],
                                                  name="tr")], "else", [], [vi("b", F, None)])
    conds = itertools.cycle([1, 0])

    def mm_case():
        cond = next(conds)
        n = int(rng.integers(1, 7))
        x = rng.standard_normal((n, 3)).astype(np.float32)
        y = x @ w if cond else x.T
        return [("c", np.array(bool(cond))), ("x", x)], \
            [("y", y), ("z", (y * np.float32(2) + y).sum(0).astype(np.float32))], \
            f"cond={cond} N={n} y={list(y.shape)}"
    check("if_shapes_matmul",
          model_of([helper.make_node("If", ["c"], ["y"], then_branch=then_mm,
                                     else_branch=else_tr, name="pick")] + nodes(else_b)[1:],
                   [vi("c", B, []), vi("x", F, ["N", 3])],
                   [vi("y", F, [None, None]), vi("z", F, [None])],
                   inits=inits + [helper.make_tensor("w", F, [3, 5], w.reshape(-1).tolist())]),
          mm_case, rtol=1e-4, atol=1e-5)

def if_two_outputs_cases(h):
    """An If with two outputs of the same shape whose branches compute both from the same
    input (then [Relu(v), Neg(v)], else [Abs(v), v + v]): each output has its own destination
    (a shared one failed to bufferize). Static [5] and run-time [N], both branches."""
    rng, check = h.rng, h.check
    F, B = TensorProto.FLOAT, TensorProto.BOOL
    then_b = helper.make_graph([helper.make_node("Relu", ["v"], ["t0"], name="relu"),
                                helper.make_node("Neg", ["v"], ["t1"], name="neg")], "then", [],
                               [vi("t0", F, None), vi("t1", F, None)])
    else_b = helper.make_graph([helper.make_node("Abs", ["v"], ["e0"], name="abs"),
                                helper.make_node("Add", ["v", "v"], ["e1"], name="twice")],
                               "else", [], [vi("e0", F, None), vi("e1", F, None)])
    for name, dim in [("if_two_outputs", 5), ("if_two_outputs_dyn", "N")]:
        conds = itertools.cycle([1, 0])

        def make(dim=dim, conds=conds):
            cond = next(conds)
            n = dim if isinstance(dim, int) else int(rng.integers(0, 9))
            v = rng.standard_normal(n).astype(np.float32)
            ys = [np.maximum(v, 0), -v] if cond else [np.abs(v), v + v]
            return [("c", np.array(bool(cond))), ("v", v)], [("y0", ys[0]), ("y1", ys[1])], \
                f"cond={cond} N={n}"
        check(name, model_of([helper.make_node("If", ["c"], ["y0", "y1"], then_branch=then_b,
                                               else_branch=else_b, name="pick")],
                             [vi("c", B, []), vi("v", F, [dim])],
                             [vi("y0", F, [dim]), vi("y1", F, [dim])]),
              make, rtol=0, atol=0)


def if_slice_reshape_cases(h):
    """If branches through Slice and Reshape (docs/dynamic-shapes.md, "If branches of
    different shapes"): then a Slice of x [N, 3] with starts and ends read at run time (at most
    N rows, the bound of a size not known before the If), else a Reshape of x beside itself
    ([N, 6]) to [-1, 3] (2N rows, interleaved). Run with the condition true and false and
    random bounds; the result is a graph output and feeds elementwise ops and a reduction."""
    rng, check = h.rng, h.check
    F, B, I64 = TensorProto.FLOAT, TensorProto.BOOL, TensorProto.INT64
    then_b = helper.make_graph(
        [helper.make_node("Slice", ["x", "s", "e"], ["a"], name="rows")], "then", [],
        [vi("a", F, None)])
    else_b = helper.make_graph(
        [helper.make_node("Concat", ["x", "x"], ["wide"], axis=1, name="wide"),
         helper.make_node("Reshape", ["wide", "shape"], ["b"], name="fold")], "else", [],
        [vi("b", F, None)])
    conds = itertools.cycle([1, 0])

    def make():
        cond = next(conds)
        n = int(rng.integers(1, 7))
        x = rng.standard_normal((n, 3)).astype(np.float32)
        s, e, t = slice_bounds(rng, n)
        if t < 0:  # mostly an ascending range, for this step of 1
            s, e = e, s
        y = slice_ref(x, [s], [e], [0], [1]) if cond else \
            np.concatenate([x, x], 1).reshape(-1, 3)
        return [("c", np.array(bool(cond))), ("x", x), ("s", np.array([s], np.int64)),
                ("e", np.array([e], np.int64))], \
            [("y", y), ("z", (y * np.float32(2) + y).sum(0).astype(np.float32))], \
            f"cond={cond} N={n} starts={s} ends={e} y={list(y.shape)}"
    check("if_slice_reshape",
          model_of([helper.make_node("If", ["c"], ["y"], then_branch=then_b, else_branch=else_b,
                                     name="pick"),
                    helper.make_node("Mul", ["y", "two"], ["m"], name="twice"),
                    helper.make_node("Add", ["m", "y"], ["p"], name="thrice"),
                    helper.make_node("ReduceSum", ["p", "axes"], ["z"], keepdims=0,
                                     name="sum")],
                   [vi("c", B, []), vi("x", F, ["N", 3]), vi("s", I64, [1]),
                    vi("e", I64, [1])],
                   [vi("y", F, [None, 3]), vi("z", F, [3])],
                   inits=[helper.make_tensor("two", F, [], [2.0]),
                          helper.make_tensor("axes", I64, [1], [0]),
                          helper.make_tensor("shape", I64, [2], [-1, 3])]),
          make, rtol=1e-5, atol=1e-5)


def slice_bounds(rng, n):
    """Random ONNX Slice bounds over a dim of `n`: starts and ends mostly in [-n, n], some out
    of range up to 2n + 2 either way, some at the INT64 extremes; steps of either sign, not 0."""
    big = [np.iinfo(np.int64).max, np.iinfo(np.int64).min]
    def bound():
        r = rng.random()
        if r < 0.1:
            return int(rng.choice(big))
        wide = 2 * n + 2 if r < 0.35 else n
        return int(rng.integers(-wide, wide + 1))
    s, e = bound(), bound()
    norm = lambda v: v + n if v < 0 else v
    # Mostly the sign that walks from start to end (a non-empty slice, often).
    sign = (1 if norm(e) >= norm(s) else -1) if rng.random() < 0.75 else int(rng.choice([-1, 1]))
    return s, e, sign * int(rng.integers(1, 4))


def slice_ref(x, starts, ends, axes, steps):
    """numpy's basic slicing is ONNX Slice's for these clamping rules, except that numpy takes
    an end of -1 with a negative step as "one before the last": ONNX clamps ends to [-1, n - 1]
    for negative steps, where -1 (after adding n to a negative end) means "past the first"."""
    index = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        n = x.shape[a]
        s = s + n if s < 0 else s
        e = e + n if e < 0 else e
        if st > 0:
            s, e = min(max(s, 0), n), min(max(e, 0), n)
        else:
            s, e = min(max(s, 0), n - 1), min(max(e, -1), n - 1)
        idx = list(range(s, e, st))
        index[a] = idx
    y = x
    for a, idx in enumerate(index):
        if not isinstance(idx, slice):
            y = np.take(y, np.array(idx, np.int64), axis=a)
    return y


def slice_cases(h):
    """Slice whose starts, ends and steps are read at run time (docs/dynamic-shapes.md, "Slices
    with bounds read at run time"): the sliced dims are counted at run time, bounded by the
    input dims. Random bounds each run (negative, out of range, INT64 extremes, negative
    steps), against a reference that applies ONNX's clamping rules with plain indices."""
    rng, check = h.rng, h.check
    F, I32, I64 = TensorProto.FLOAT, TensorProto.INT32, TensorProto.INT64

    # Static data, one sliced axis (axes absent), the result a graph output of bound [10, 4].
    def rows():
        x = rng.standard_normal((10, 4)).astype(np.float32)
        s, e, _ = slice_bounds(rng, 10)
        y = slice_ref(x, [s], [e], [0], [1])
        return [("x", x), ("s", np.array([s], np.int64)), ("e", np.array([e], np.int64))], \
            [("y", y)], f"starts={s} ends={e} y={list(y.shape)}"
    check("slice_rows",
          model_of([helper.make_node("Slice", ["x", "s", "e"], ["y"], name="cut")],
                   [vi("x", F, [10, 4]), vi("s", I64, [1]), vi("e", I64, [1])],
                   [vi("y", F, [None, 4])]),
          rows)

    # Run-time dims, both axes sliced (constant axes [1, 0]) with int32 starts, ends and
    # steps of either sign; the slice then goes through elementwise ops and a reduction over
    # one of its counted dims.
    def both():
        n = int(rng.integers(0, 8)) if rng.random() < 0.2 else int(rng.integers(1, 8))
        x = rng.standard_normal((n, 5)).astype(np.float32)
        clip = lambda v: int(np.clip(v, -2**31, 2**31 - 1))
        for _ in range(10):  # mostly non-empty results
            (s0, e0, t0), (s1, e1, t1) = slice_bounds(rng, 5), slice_bounds(rng, n)
            s, e, t = [clip(s0), clip(s1)], [clip(e0), clip(e1)], [t0, t1]
            y = slice_ref(x, s, e, [1, 0], t)
            if y.size or rng.random() < 0.2:
                break
        z = (y * np.float32(2) + y).sum(0).astype(np.float32)
        arr = lambda v: np.array(v, np.int32)
        return [("x", x), ("s", arr(s)), ("e", arr(e)), ("t", arr(t))], \
            [("y", y), ("z", z)], f"N={n} starts={s} ends={e} steps={t} y={list(y.shape)}"
    check("slice_steps",
          model_of([helper.make_node("Slice", ["x", "s", "e", "axes", "t"], ["y"], name="cut"),
                    helper.make_node("Mul", ["y", "two"], ["m"], name="twice"),
                    helper.make_node("Add", ["m", "y"], ["p"], name="thrice"),
                    helper.make_node("ReduceSum", ["p", "zero"], ["z"], keepdims=0,
                                     name="sum")],
                   [vi("x", F, ["N", 5]), vi("s", I32, [2]), vi("e", I32, [2]),
                    vi("t", I32, [2])],
                   [vi("y", F, [None, None]), vi("z", F, [None])],
                   inits=[helper.make_tensor("axes", I64, [2], [1, 0]),
                          helper.make_tensor("two", F, [], [2.0]),
                          helper.make_tensor("zero", I64, [1], [0])]),
          both)
    expect_status(h, "slice_steps",
                  [("x", np.zeros((3, 5), np.float32)), ("s", np.array([0, 0], np.int32)),
                   ("e", np.array([5, 3], np.int32)), ("t", np.array([1, 0], np.int32))],
                  "a size computed from the input values is invalid")

    # A counted length that meets a static dim: Slice(x [10]) + w [3] is [3] by broadcasting,
    # which the run checks (a slice of another length would be read past its end, and past
    # x's: the slice is a view of x).
    w = rng.standard_normal(3).astype(np.float32)
    def meets_static():
        x = rng.standard_normal(10).astype(np.float32)
        s = int(rng.integers(0, 8))
        e = s + 3
        if rng.random() < 0.5:
            s -= 10
        return [("x", x), ("s", np.array([s], np.int64)), ("e", np.array([e], np.int64))], \
            [("y", slice_ref(x, [s], [e], [0], [1]) + w)], f"starts={s} ends={e}"
    check("slice_meets_static",
          model_of([helper.make_node("Slice", ["x", "s", "e"], ["m"], name="cut"),
                    helper.make_node("Add", ["m", "w"], ["y"], name="add")],
                   [vi("x", F, [10]), vi("s", I64, [1]), vi("e", I64, [1])],
                   [vi("y", F, [3])], inits=[helper.make_tensor("w", F, [3], w.tolist())]),
          meets_static)
    expect_status(h, "slice_meets_static",
                  [("x", np.zeros(10, np.float32)), ("s", np.array([9], np.int64)),
                   ("e", np.array([10], np.int64))],
                  "not the shape the model declares")

    # A result the model declares static ([N, 3]: 3 on the sliced axis, over a run-time N):
    # the computed size is checked against it.
    def declared():
        n = int(rng.integers(1, 5))
        x = rng.standard_normal((n, 9)).astype(np.float32)
        s = int(rng.integers(0, 7))
        e = s + 3
        if rng.random() < 0.5:  # the same place counted from the end
            s, e = s - 9, e - 9 if e < 9 else int(np.iinfo(np.int64).max)
        return [("x", x), ("s", np.array([s], np.int64)), ("e", np.array([e], np.int64))], \
            [("y", slice_ref(x, [s], [e], [1], [1]))], f"N={n} starts={s} ends={e}"
    check("slice_declared",
          model_of([helper.make_node("Slice", ["x", "s", "e", "axes"], ["y"], name="cut")],
                   [vi("x", F, ["N", 9]), vi("s", I64, [1]), vi("e", I64, [1])],
                   [vi("y", F, ["N", 3])],
                   inits=[helper.make_tensor("axes", I64, [1], [1])]),
          declared)
    expect_status(h, "slice_declared",
                  [("x", np.zeros((2, 9), np.float32)), ("s", np.array([1], np.int64)),
                   ("e", np.array([5], np.int64))],
                  "not the shape the model declares")

def shape_slice_cases(h):
    """Shape arithmetic on inputs with run-time dims feeding Slice, as exporters write it
    (`Shape -> Gather/Slice -> Sub/Div... -> Unsqueeze/Concat -> Slice`), compiled without
    --shape: the Shape values are run-time values, the Slice's length a data-bound dim. Dims
    drawn at random each run. And such a length broadcast against a run-time input dim
    (`x + Slice(pe, 0, Shape(x)[1])`, `Slice(x[N]) + z[M]`): compared at run time, not by its
    bound (ONNXC_ERROR_DATA_SIZE when they differ)."""
    rng, check = h.rng, h.check
    F, I64 = TensorProto.FLOAT, TensorProto.INT64
    i64 = lambda name, v: helper.make_tensor(name, I64, [len(v)] if isinstance(v, list) else [],
                                             v if isinstance(v, list) else [v])
    big = int(np.iinfo(np.int64).max)

    # rows = y[N // 2 : N - 1] (N from x's shape; an end of -1 counts from the end), and
    # cols = y[:, K - 3 :] through Shape(start, end) and a Concat of the starts.
    def rows():
        n, m, k = (int(v) for v in rng.integers(0, 9, 3))
        x = rng.standard_normal((n, k)).astype(np.float32)
        y = rng.standard_normal((m, 6)).astype(np.float32)
        s0, e0 = n // 2, n - 1
        return [("x", x), ("y", y)], \
            [("rows", slice_ref(y, [s0], [e0], [0], [1])),
             ("cols", slice_ref(y, [s0, k - 3], [e0, big], [0, 1], [1, 1]))], \
            f"N={n} M={m} K={k}"
    check("shape_slice_rows",
          model_of([helper.make_node("Shape", ["x"], ["sx"], name="shape"),
                    helper.make_node("Gather", ["sx", "zero"], ["n"], axis=0, name="n"),
                    helper.make_node("Div", ["n", "two"], ["half"], name="half"),
                    helper.make_node("Sub", ["n", "one"], ["last"], name="last"),
                    helper.make_node("Unsqueeze", ["half", "ax0"], ["st"], name="st"),
                    helper.make_node("Unsqueeze", ["last", "ax0"], ["en"], name="en"),
                    helper.make_node("Slice", ["y", "st", "en", "ax0"], ["rows"], name="rows"),
                    helper.make_node("Shape", ["x"], ["k1"], start=1, name="k"),
                    helper.make_node("Sub", ["k1", "three1"], ["kst"], name="kst"),
                    helper.make_node("Concat", ["st", "kst"], ["st2"], axis=0, name="st2"),
                    helper.make_node("Concat", ["en", "big"], ["en2"], axis=0, name="en2"),
                    helper.make_node("Slice", ["y", "st2", "en2", "ax01"], ["cols"],
                                     name="cols")],
                   [vi("x", F, ["N", "K"]), vi("y", F, ["M", 6])],
                   [vi("rows", F, [None, 6]), vi("cols", F, [None, None])], opset=15,
                   inits=[i64("zero", 0), i64("two", 2), i64("one", 1), i64("ax0", [0]),
                          i64("three1", [3]), i64("big", [big]), i64("ax01", [0, 1])]),
          rows, rtol=0, atol=0)

    # A position embedding pe [16, 8] sliced to the sequence length S of x [B, S, 8] and
    # added to x (through Cast to float, Floor and back on the way: x[:, S // 2 :] * 2 too).
    pe = rng.standard_normal((16, 8)).astype(np.float32)
    def pos():
        b, s = int(rng.integers(0, 4)), int(rng.integers(0, 17))
        x = rng.standard_normal((b, s, 8)).astype(np.float32)
        return [("x", x)], [("y", x + pe[:s]), ("h", x[:, s // 2:] * np.float32(2))], \
            f"B={b} S={s}"
    pos_model = model_of(
        [helper.make_node("Shape", ["x"], ["sx"], name="shape"),
         helper.make_node("Gather", ["sx", "one"], ["s"], axis=0, name="s"),
         helper.make_node("Unsqueeze", ["s", "ax0"], ["en"], name="en"),
         helper.make_node("Slice", ["pe", "zero1", "en", "ax0"], ["p"], name="pe_s"),
         helper.make_node("Add", ["x", "p"], ["y"], name="add_pe"),
         helper.make_node("Cast", ["en"], ["enf"], to=F, name="tofloat"),
         helper.make_node("Div", ["enf", "twof"], ["hf"], name="halff"),
         helper.make_node("Floor", ["hf"], ["fl"], name="floor"),
         helper.make_node("Cast", ["fl"], ["hs"], to=I64, name="toint"),
         helper.make_node("Slice", ["x", "hs", "big", "one1"], ["xh"], name="tail"),
         helper.make_node("Mul", ["xh", "twof"], ["h"], name="twice")],
        [vi("x", F, ["B", "S", 8])], [vi("y", F, ["B", "S", 8]), vi("h", F, ["B", None, 8])],
        inits=[helper.make_tensor("pe", F, [16, 8], pe.reshape(-1).tolist()), i64("one", 1),
               i64("ax0", [0]), i64("zero1", [0]), i64("one1", [1]), i64("big", [big]),
               helper.make_tensor("twof", F, [1], [2.0])])
    check("shape_slice_pos", pos_model, pos, rtol=1e-6, atol=1e-6)
    # A sequence longer than the table: the slice is 16 rows, x has 17.
    expect_status(h, "shape_slice_pos", [("x", np.zeros((1, 17, 8), np.float32))],
                  "a size computed from the input values is invalid")

    # Slice(x [N], s, e) + z [M]: M mostly the slice's length, so that N != M.
    def slice_add():
        n = int(rng.integers(0, 10))
        s, e, t = slice_bounds(rng, n)
        if t < 0:  # mostly an ascending range, for this step of 1
            s, e = e, s
        x = rng.standard_normal(n).astype(np.float32)
        xs = slice_ref(x, [s], [e], [0], [1])
        z = rng.standard_normal(len(xs)).astype(np.float32)
        return [("x", x), ("s", np.array([s], np.int64)), ("e", np.array([e], np.int64)),
                ("z", z)], [("y", xs + z)], f"N={n} starts={s} ends={e} M={len(xs)}"
    check("slice_add_runtime_dim",
          model_of([helper.make_node("Slice", ["x", "s", "e"], ["xs"], name="cut"),
                    helper.make_node("Add", ["xs", "z"], ["y"], name="add")],
                   [vi("x", F, ["N"]), vi("s", I64, [1]), vi("e", I64, [1]),
                    vi("z", F, ["M"])], [vi("y", F, [None])]),
          slice_add, rtol=0, atol=0)
    expect_status(h, "slice_add_runtime_dim",
                  [("x", np.zeros(6, np.float32)), ("s", np.array([1], np.int64)),
                   ("e", np.array([4], np.int64)), ("z", np.zeros(4, np.float32))],
                  "a size computed from the input values is invalid")

    # The same length as Concat's other dim and MatMul's K: Concat(Slice(x [N, 4]), z [M, 2],
    # axis 1) and z^T @ Slice(x), checked at run time.
    def cat_mm():
        n = int(rng.integers(0, 9))
        s, e, t = slice_bounds(rng, n)
        if t < 0:
            s, e = e, s
        x = rng.standard_normal((n, 4)).astype(np.float32)
        xs = slice_ref(x, [s], [e], [0], [1])
        z = rng.standard_normal((len(xs), 2)).astype(np.float32)
        return [("x", x), ("s", np.array([s], np.int64)), ("e", np.array([e], np.int64)),
                ("z", z)], [("cat", np.concatenate([xs, z], 1)), ("mm", z.T @ xs)], \
            f"N={n} starts={s} ends={e} M={len(xs)}"
    check("slice_concat_matmul",
          model_of([helper.make_node("Slice", ["x", "s", "e"], ["xs"], name="cut"),
                    helper.make_node("Concat", ["xs", "z"], ["cat"], axis=1, name="cat"),
                    helper.make_node("Transpose", ["z"], ["zt"], perm=[1, 0], name="zt"),
                    helper.make_node("MatMul", ["zt", "xs"], ["mm"], name="mm")],
                   [vi("x", F, ["N", 4]), vi("s", I64, [1]), vi("e", I64, [1]),
                    vi("z", F, ["M", 2])], [vi("cat", F, [None, 6]), vi("mm", F, [2, 4])]),
          cat_mm, rtol=1e-5, atol=1e-5)
    expect_status(h, "slice_concat_matmul",
                  [("x", np.zeros((6, 4), np.float32)), ("s", np.array([1], np.int64)),
                   ("e", np.array([4], np.int64)), ("z", np.zeros((5, 2), np.float32))],
                  "a size computed from the input values is invalid")


def loop_cases(h):
    """Loop-carried values whose yielded type is less precise than their entry type
    (docs/dynamic-shapes.md, "Loop-carried values"): test_loop11's body, y_out = y_in +
    Slice(x, [i], [i + 1]) with x an input of run-time length N and the trip count an input:
    the yield is `[?]` for the carried `[1]`, checked each iteration. M <= N runs (a prefix
    sum, with the scan output of every step's value); M > N makes the slice of iteration N
    empty, which the check turns into ONNXC_ERROR_DATA_SIZE (not a write past the slot)."""
    rng, check = h.rng, h.check
    F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
    def body(with_scan):
        return helper.make_graph(
            [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
             helper.make_node("Add", ["i", "one"], ["end"]),
             helper.make_node("Unsqueeze", ["i", "zero"], ["start1"]),
             helper.make_node("Unsqueeze", ["end", "zero"], ["end1"]),
             helper.make_node("Slice", ["x", "start1", "end1"], ["piece"], name="piece"),
             helper.make_node("Add", ["y_in", "piece"], ["y_out"], name="acc")] +
            ([helper.make_node("Identity", ["y_out"], ["scan"])] if with_scan else []),
            "body", [vi("i", I64, []), vi("cond_in", B, []), vi("y_in", F, [1])],
            [vi("cond_out", B, []), vi("y_out", F, [None])] +
            ([vi("scan", F, [None])] if with_scan else []),
            [helper.make_tensor("one", I64, [], [1]), helper.make_tensor("zero", I64, [1], [0])])

    def prefix(with_scan):
        def make():
            n = int(rng.integers(1, 12))
            m = int(rng.integers(0, n + 1))
            x = rng.standard_normal(n).astype(np.float32)
            y0 = rng.standard_normal(1).astype(np.float32)
            acc, rows = y0.copy(), []
            for i in range(m):
                acc = (acc + x[i:i + 1]).astype(np.float32)
                rows.append(acc.copy())
            outs = [("y", acc)]
            if with_scan:
                outs.append(("scan", np.array(rows, np.float32).reshape(m, 1)))
            return [("trips", np.array(m, np.int64)), ("x", x), ("y0", y0)], outs, \
                f"N={n} M={m}"
        return make
    for name, with_scan in (("loop_carried_slice", False), ("loop_carried_scan", True)):
        check(name,
              model_of([helper.make_node("Loop", ["trips", "", "y0"],
                                         ["y", "scan"] if with_scan else ["y"],
                                         body=body(with_scan),
                                         name="loop")],
                       [vi("trips", I64, []), vi("x", F, ["N"]), vi("y0", F, [1])],
                       [vi("y", F, [1])] + ([vi("scan", F, [None, 1])] if with_scan else [])),
              prefix(with_scan), rtol=1e-5, atol=1e-5)
        n = int(rng.integers(0, 6))
        expect_status(h, name,
                      [("trips", np.array(n + int(rng.integers(1, 4)), np.int64)),
                       ("x", rng.standard_normal(n).astype(np.float32)),
                       ("y0", np.zeros(1, np.float32))],
                      "a size computed from the input values is invalid")


def loop_runtime_dims_cases(h):
    """Loop-carried values with run-time dims (docs/dynamic-shapes.md, "Loop-carried
    values"): an RNN-style state h [B, 4] over the steps of x [T, B, 4] (B and T symbolic, the
    trip count Shape(x)[0]), h = Tanh(h @ W + x[i]); the same with a condition computed in
    the body (a while loop that stops when h's sum is negative); and a body that doubles its
    [?] value (Concat(y, y)), which keeps no size: ONNXC_ERROR_DATA_SIZE at the first
    iteration instead of a write past the slot. Loops with no trip count whose body
    computes the condition (the condition input a constant true or read from data), which
    one-shot bufferization refused once (docs/traps.md, scf.while)."""
    rng, check = h.rng, h.check
    F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
    w = (rng.standard_normal((4, 4)) * 0.5).astype(np.float32)
    winit = helper.make_tensor("w", F, [4, 4], w.reshape(-1).tolist())

    def body(until_negative):
        nodes = [helper.make_node("Gather", ["x", "i"], ["xi"], axis=0, name="step"),
                 helper.make_node("MatMul", ["h_in", "w"], ["hw"], name="hw"),
                 helper.make_node("Add", ["hw", "xi"], ["pre"], name="pre"),
                 helper.make_node("Tanh", ["pre"], ["h_out"], name="tanh")]
        if until_negative:
            nodes += [helper.make_node("ReduceSum", ["h_out"], ["sum"], keepdims=0, name="sum"),
                      helper.make_node("Less", ["sum", "zerof"], ["neg"], name="neg"),
                      helper.make_node("Not", ["neg"], ["cond_out"], name="go_on")]
        else:
            nodes.append(helper.make_node("Identity", ["cond_in"], ["cond_out"]))
        return helper.make_graph(
            nodes, "body", [vi("i", I64, []), vi("cond_in", B, []), vi("h_in", F, ["B", 4])],
            [vi("cond_out", B, []), vi("h_out", F, ["B", 4])],
            [helper.make_tensor("zerof", F, [], [0.0])])

    def rnn(until_negative):
        def make():
            # T >= 1: a Gather from an empty axis is refused whatever the trip count
            # (docs/dynamic-shapes.md, "Run-time dims of size 0").
            t, b = int(rng.integers(1, 6)), int(rng.integers(0, 4))
            x = rng.standard_normal((t, b, 4)).astype(np.float32)
            h0 = rng.standard_normal((b, 4)).astype(np.float32)
            hh, steps = h0.astype(np.float64), 0
            for i in range(t):
                hh = np.tanh(hh @ w + x[i])
                steps += 1
                if until_negative and hh.sum() < 0:
                    break
            return [("x", x), ("h0", h0)], [("h", hh.astype(np.float32))], \
                f"T={t} B={b} steps={steps}"
        return make
    for name, until in (("loop_state_dyn", False), ("loop_state_dyn_while", True)):
        check(name,
              model_of([helper.make_node("Shape", ["x"], ["sx"], name="shape"),
                        helper.make_node("Gather", ["sx", "zero"], ["trips"], axis=0,
                                         name="trips"),
                        helper.make_node("Loop", ["trips", "" if not until else "true", "h0"],
                                         ["h"], body=body(until), name="loop")],
                       [vi("x", F, ["T", "B", 4]), vi("h0", F, ["B", 4])], [vi("h", F, ["B", 4])],
                       inits=[winit, helper.make_tensor("zero", I64, [], [0]),
                              helper.make_tensor("true", B, [], [1])]),
              rnn(until), rtol=1e-5, atol=1e-5)

    grow = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Concat", ["y_in", "y_in"], ["y_out"], axis=0, name="double")],
        "body", [vi("i", I64, []), vi("cond_in", B, []), vi("y_in", F, ["N"])],
        [vi("cond_out", B, []), vi("y_out", F, [None])])
    grow_model = model_of([helper.make_node("Loop", ["trips", "", "y0"], ["y"], body=grow,
                                            name="loop")],
                          [vi("trips", I64, []), vi("y0", F, ["N"])], [vi("y", F, ["N"])])

    # A Loop with no trip count whose body computes its condition (a while loop that ends
    # when y's sum reaches a limit, at most 30 steps): the condition input a constant true,
    # or read from data (false: no iteration). Carried [N] of run-time N (0 included).
    def while_body():
        return helper.make_graph(
            [helper.make_node("Abs", ["x"], ["ax"], name="abs"),
             helper.make_node("Add", ["ax", "quarter"], ["step"], name="step"),
             helper.make_node("Add", ["y_in", "step"], ["y_out"], name="acc"),
             helper.make_node("ReduceSum", ["y_out"], ["sum"], keepdims=0, name="sum"),
             helper.make_node("Less", ["sum", "limit"], ["below"], name="below"),
             helper.make_node("Less", ["i", "thirty"], ["few"], name="few"),
             helper.make_node("And", ["below", "few"], ["cond_out"], name="go_on")],
            "body", [vi("i", I64, []), vi("cond_in", B, []), vi("y_in", F, ["N"])],
            [vi("cond_out", B, []), vi("y_out", F, ["N"])],
            [helper.make_tensor("quarter", F, [], [0.25]),
             helper.make_tensor("thirty", I64, [], [29])])

    def while_case(cond_input):
        def make():
            n = int(rng.integers(0, 6))
            x = rng.standard_normal(n).astype(np.float32)
            y0 = rng.standard_normal(n).astype(np.float32)
            limit = np.array(rng.uniform(-2, 20), np.float32)
            c0 = bool(rng.random() < 0.8) if cond_input else True
            y, steps, go = y0.copy(), 0, c0
            while go:
                y = (y + (np.abs(x) + np.float32(0.25))).astype(np.float32)
                go = bool(y.sum(dtype=np.float32) < limit) and steps < 29
                steps += 1
            ins = [("x", x), ("y0", y0), ("limit", limit)]
            if cond_input:
                ins.append(("c", np.array(c0, bool)))
            return ins, [("y", y)], f"N={n} steps={steps}"
        return make
    for name, cond_input in (("loop_while_no_trip", False), ("loop_while_cond_input", True)):
        check(name,
              model_of([helper.make_node("Loop", ["", "c" if cond_input else "true", "y0"],
                                         ["y"], body=while_body(), name="loop")],
                       [vi("x", F, ["N"]), vi("y0", F, ["N"]), vi("limit", F, [])] +
                       ([vi("c", B, [])] if cond_input else []),
                       [vi("y", F, ["N"])],
                       inits=[] if cond_input else [helper.make_tensor("true", B, [], [1])]),
              while_case(cond_input), rtol=1e-5, atol=1e-5)

    def no_trip():
        y0 = rng.standard_normal(int(rng.integers(1, 5))).astype(np.float32)
        return [("trips", np.array(0, np.int64)), ("y0", y0)], [("y", y0)], "trips=0"
    check("loop_grows_dyn", grow_model, no_trip, rtol=0, atol=0)
    expect_status(h, "loop_grows_dyn",
                  [("trips", np.array(2, np.int64)), ("y0", np.ones(3, np.float32))],
                  "a size computed from the input values is invalid")


def sliding_loop_model(width, yield_dims, w=None):
    """loop_check_frees_cases' models: r = Range(s, l, d) allocated per run and summed
    (`total`), then a Loop over `trips` adding x[i:i+width] (times w, if given) to a carried
    y [width], its yield declared `yield_dims`."""
    F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
    consts = [helper.make_tensor("width", I64, [], [width]),
              helper.make_tensor("zero", I64, [1], [0])]
    nodes = [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
             helper.make_node("Add", ["i", "width"], ["end"]),
             helper.make_node("Unsqueeze", ["i", "zero"], ["start1"]),
             helper.make_node("Unsqueeze", ["end", "zero"], ["end1"]),
             helper.make_node("Slice", ["x", "start1", "end1"], ["piece"], name="piece")]
    term = "piece"
    if w is not None:
        consts.append(helper.make_tensor("w", F, [width], w.tolist()))
        nodes.append(helper.make_node("Mul", ["piece", "w"], ["scaled"], name="scaled"))
        term = "scaled"
    nodes.append(helper.make_node("Add", ["y_in", term], ["y_out"], name="acc"))
    body = helper.make_graph(
        nodes, "body", [vi("i", I64, []), vi("cond_in", B, []), vi("y_in", F, [width])],
        [vi("cond_out", B, []), vi("y_out", F, yield_dims)], consts)
    return model_of(
        [helper.make_node("Range", ["s", "l", "d"], ["r"], name="range"),
         helper.make_node("ReduceSum", ["r", "axes"], ["total"], keepdims=0, name="sum"),
         helper.make_node("Loop", ["trips", "", "y0"], ["y"], body=body, name="loop")],
        [vi("trips", I64, []), vi("x", F, ["N"]), vi("y0", F, [width]), vi("s", F, []),
         vi("l", F, []), vi("d", F, [])],
        [vi("y", F, [width]), vi("total", F, [])],
        inits=[helper.make_tensor("axes", I64, [1], [0])])


def expect_no_leak_on_refusal(h, name):
    """Where valgrind is installed: the refused run of `name` (its inputs left by
    expect_status in <work>/<name>_status) exits with status 3, leaking nothing."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        return
    rc, out = run([valgrind, "--error-exitcode=9", "--leak-check=full",
                   "--errors-for-leak-kinds=definite,indirect", h.args.onnx_run,
                   os.path.join(h.args.work, name + ".so"), "--inputs",
                   os.path.join(h.args.work, name + "_status")])
    h.report(rc == 3, f"{name} refused at run time without a leak (valgrind)", out)


def loop_check_frees_cases(h):
    """A check inside a loop in a model that frees buffers allocated per run
    (docs/dynamic-shapes.md, "Sizes from data with no bound"): r = Range(s, l, d) is allocated
    per run before the Loop (its sum is taken first), and the Loop over `trips` adds
    x[i:i+1] to a carried [1] (test_loop11's body, the yield [?] checked each iteration) of
    x [N]. trips <= N runs against numpy; trips > N ends the run from inside the loop with
    ONNXC_ERROR_DATA_SIZE, after freeing r's buffer (valgrind, where installed, reports no
    leak and no invalid access on that run)."""
    a, rng, check = h.args, h.rng, h.check
    model = sliding_loop_model(1, [None])

    def inputs(m, x, k):
        return [("trips", np.array(m, np.int64)), ("x", x),
                ("y0", np.array([0.5], np.float32)), ("s", np.array(1.0, np.float32)),
                ("l", np.array(1.0 + k, np.float32)), ("d", np.array(1.0, np.float32))]

    def case():
        n, k = int(rng.integers(0, 9)), int(rng.integers(0, 9))
        m = int(rng.integers(0, n + 1))
        x = rng.standard_normal(n).astype(np.float32)
        r = range_ref(1.0, 1.0 + k, 1.0, np.float32)
        y = np.array([0.5], np.float32)
        for i in range(m):
            y = (y + x[i:i + 1]).astype(np.float32)
        return inputs(m, x, k), [("y", y), ("total", np.array(r.sum(), np.float32))], \
            f"N={n} len(r)={k} trips={m}"
    check("loop_check_frees", model, case, rtol=1e-5, atol=1e-5)
    if not os.path.exists(os.path.join(a.work, "loop_check_frees.so")):
        return
    n = int(rng.integers(0, 6))
    bad = inputs(n + int(rng.integers(1, 4)), rng.standard_normal(n).astype(np.float32),
                 int(rng.integers(1, 9)))
    expect_status(h, "loop_check_frees", bad, "a size computed from the input values is invalid")
    expect_no_leak_on_refusal(h, "loop_check_frees")

    # A data check in the loop body of such a model: Mul(x[i:i+3], w [3]) reads the slice's
    # length (counted from data) as 3 (docs/dynamic-shapes.md: a size counted from data that
    # meets a static size is checked), a condition computed per iteration. trips <= N - 2
    # runs; trips = N - 1 slices 2 elements at the last step: ONNXC_ERROR_DATA_SIZE, r freed.
    w = np.array([1.0, -2.0, 0.5], np.float32)
    model3 = sliding_loop_model(3, [3], w)

    def inputs3(m, x, k):
        return [("trips", np.array(m, np.int64)), ("x", x), ("y0", np.zeros(3, np.float32)),
                ("s", np.array(0.0, np.float32)), ("l", np.array(float(k), np.float32)),
                ("d", np.array(1.0, np.float32))]

    def case3():
        n, k = int(rng.integers(3, 9)), int(rng.integers(0, 9))
        m = int(rng.integers(0, n - 1))
        x = rng.standard_normal(n).astype(np.float32)
        y = np.zeros(3, np.float32)
        for i in range(m):
            y = (y + x[i:i + 3] * w).astype(np.float32)
        return inputs3(m, x, k), [("y", y), ("total", np.array(k * (k - 1) / 2, np.float32))], \
            f"N={n} len(r)={k} trips={m}"
    check("loop_data_check_frees", model3, case3, rtol=1e-5, atol=1e-5)
    if os.path.exists(os.path.join(a.work, "loop_data_check_frees.so")):
        n = int(rng.integers(2, 7))
        expect_status(h, "loop_data_check_frees",
                      inputs3(n - 1, rng.standard_normal(n).astype(np.float32),
                              int(rng.integers(1, 9))),
                      "a size computed from the input values is invalid")
        expect_no_leak_on_refusal(h, "loop_data_check_frees")


def loop_grows_cases(h):
    """Loop-carried values that grow by a Concat of themselves (docs/dynamic-shapes.md,
    "Loop-carried values": the importer's `onnxc.grows`, a buffer at the bound made before
    the loop). Each run draws the sizes, so the trip count differs from run to run:

      - `loop_grows_rows`: y [K, 3] (K run-time) grows by two rows per step,
        Concat(y, 2 * x[i:i+1], c), over a trip count Gather(Shape(x), 0) of x [N, 3]
        (N = 0 and 1 included: no step, one step); the result is a graph output whose
        length is known only after the run (K + 2N rows);
      - `loop_grows_flat`: y [K] grows by [i, i * i] (as floats) per step over a trip count
        Shape arithmetic computes, min(N, 4) + K - K (Sub, Min and Add of dims), then
        feeds a ReduceSum next to the grown value.
    """
    rng, check = h.rng, h.check
    F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
    row = np.array([[1.5, -2.0, 0.5]], np.float32)

    rows_body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Add", ["i", "one"], ["end"]),
         helper.make_node("Unsqueeze", ["i", "zero"], ["start1"]),
         helper.make_node("Unsqueeze", ["end", "zero"], ["end1"]),
         helper.make_node("Slice", ["x", "start1", "end1"], ["piece"], name="piece"),
         helper.make_node("Mul", ["piece", "two"], ["twice"], name="twice"),
         helper.make_node("Concat", ["y_in", "twice", "row"], ["y_out"], axis=0, name="grow")],
        "body", [vi("i", I64, []), vi("cond_in", B, []), vi("y_in", F, ["K", 3])],
        [vi("cond_out", B, []), vi("y_out", F, [None, 3])],
        [helper.make_tensor("one", I64, [], [1]), helper.make_tensor("zero", I64, [1], [0]),
         helper.make_tensor("two", F, [], [2.0])])
    rows_model = model_of(
        [helper.make_node("Shape", ["x"], ["sx"], name="shape"),
         helper.make_node("Gather", ["sx", "zero"], ["trips"], axis=0, name="trips"),
         helper.make_node("Loop", ["trips", "", "y0"], ["y"], body=rows_body, name="loop")],
        [vi("x", F, ["N", 3]), vi("y0", F, ["K", 3])], [vi("y", F, [None, 3])],
        inits=[helper.make_tensor("zero", I64, [], [0]),
               helper.make_tensor("row", F, [1, 3], row.reshape(-1).tolist())])

    def rows_case():
        n, k = int(rng.choice([0, 1, int(rng.integers(2, 7))])), int(rng.integers(0, 4))
        x = rng.standard_normal((n, 3)).astype(np.float32)
        y = rng.standard_normal((k, 3)).astype(np.float32)
        y0 = y.copy()
        for i in range(n):
            y = np.concatenate([y, 2 * x[i:i + 1], row])
        return [("x", x), ("y0", y0)], [("y", y)], f"N={n} K={k} rows={len(y)}"
    check("loop_grows_rows", rows_model, rows_case, rtol=0, atol=0)

    flat_body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Mul", ["i", "i"], ["sq"]),
         helper.make_node("Unsqueeze", ["i", "zero"], ["i1"]),
         helper.make_node("Unsqueeze", ["sq", "zero"], ["sq1"]),
         helper.make_node("Concat", ["i1", "sq1"], ["pair"], axis=0),
         helper.make_node("Cast", ["pair"], ["fpair"], to=F),
         helper.make_node("Concat", ["y_in", "fpair"], ["y_out"], axis=0, name="grow")],
        "body", [vi("i", I64, []), vi("cond_in", B, []), vi("y_in", F, ["K"])],
        [vi("cond_out", B, []), vi("y_out", F, [None])],
        [helper.make_tensor("zero", I64, [1], [0])])
    flat_model = model_of(
        [helper.make_node("Shape", ["x"], ["sx"], name="shape"),
         helper.make_node("Shape", ["y0"], ["sy"], name="shape_y"),
         helper.make_node("Gather", ["sx", "zero"], ["n"], axis=0, name="n"),
         helper.make_node("Gather", ["sy", "zero"], ["k"], axis=0, name="k"),
         helper.make_node("Min", ["n", "four"], ["n4"], name="min"),
         helper.make_node("Add", ["n4", "k"], ["n4k"], name="add"),
         helper.make_node("Sub", ["n4k", "k"], ["trips"], name="sub"),
         helper.make_node("Loop", ["trips", "", "y0"], ["y"], body=flat_body, name="loop"),
         helper.make_node("ReduceSum", ["y"], ["total"], keepdims=0, name="sum")],
        [vi("x", F, ["N"]), vi("y0", F, ["K"])], [vi("y", F, [None]), vi("total", F, [])],
        inits=[helper.make_tensor("zero", I64, [], [0]),
               helper.make_tensor("four", I64, [], [4])])

    def flat_case():
        n, k = int(rng.choice([0, 1, int(rng.integers(2, 7))])), int(rng.integers(0, 4))
        x = rng.standard_normal(n).astype(np.float32)
        y = rng.standard_normal(k).astype(np.float32)
        y0 = y.copy()
        for i in range(min(n, 4)):
            y = np.concatenate([y, np.array([i, i * i], np.float32)])
        return [("x", x), ("y0", y0)], [("y", y), ("total", np.array(y.sum(), np.float32))], \
            f"N={n} K={k} trips={min(n, 4)}"
    check("loop_grows_flat", flat_model, flat_case, rtol=1e-5, atol=1e-5)


def main():
    h = Harness(__doc__, rtol=1e-5, atol=1e-6)
    a, rng, check = h.args, h.rng, h.check

    # NonZero, static input: the count varies with the data.
    check("nonzero_static",
          model_of([helper.make_node("NonZero", ["x"], ["y"], name="nz")],
                   [vi("x", TensorProto.FLOAT, [3, 5])], [vi("y", TensorProto.INT64, [2, None])]),
          lambda: (lambda x: ([("x", x)], [("y", np.array(np.nonzero(x), np.int64))],
                              f"nonzeros={np.count_nonzero(x)}"))(
              sparse(rng, (3, 5), rng.random())))

    # NonZero on an input with a run-time dim, then ops that take run-time dims.
    def chain_case():
        n = int(rng.integers(1, 7))
        x = sparse(rng, (n, 4), rng.random())
        nz = np.array(np.nonzero(x), np.int64)
        return [("x", x)], [("y", nz.T.astype(np.float32) * 2)], \
            f"N={n} nonzeros={nz.shape[1]}"
    check("nonzero_chain",
          model_of([helper.make_node("NonZero", ["x"], ["nz"], name="nz"),
                    helper.make_node("Transpose", ["nz"], ["t"], perm=[1, 0], name="tr"),
                    helper.make_node("Cast", ["t"], ["f"], to=TensorProto.FLOAT, name="cast"),
                    helper.make_node("Add", ["f", "f"], ["y"], name="twice")],
                   [vi("x", TensorProto.FLOAT, ["N", 4])], [vi("y", TensorProto.FLOAT, [None, 2])]),
          chain_case)

    # The detection-model pattern: the non-zero elements' values through their coordinates.
    def gather_case():
        x = sparse(rng, (3, 4), rng.random())
        return [("x", x)], [("y", x[np.nonzero(x)])], f"nonzeros={np.count_nonzero(x)}"
    check("nonzero_gathernd",
          model_of([helper.make_node("NonZero", ["x"], ["nz"], name="nz"),
                    helper.make_node("Transpose", ["nz"], ["t"], perm=[1, 0], name="tr"),
                    helper.make_node("GatherND", ["x", "t"], ["y"], name="gather")],
                   [vi("x", TensorProto.FLOAT, [3, 4])], [vi("y", TensorProto.FLOAT, [None])]),
          gather_case)

    # A data-dependent intermediate behind a static output (a contraction over the count):
    # the workspace comes from the bound.
    def gram_case():
        x = sparse(rng, (4, 3), rng.random())
        nz = np.array(np.nonzero(x), np.int64).astype(np.float32)
        return [("x", x)], [("y", nz @ nz.T)], f"nonzeros={nz.shape[1]}"
    check("nonzero_gram",
          model_of([helper.make_node("NonZero", ["x"], ["nz"], name="nz"),
                    helper.make_node("Cast", ["nz"], ["f"], to=TensorProto.FLOAT, name="cast"),
                    helper.make_node("Transpose", ["f"], ["t"], perm=[1, 0], name="tr"),
                    helper.make_node("MatMul", ["f", "t"], ["y"], name="gram")],
                   [vi("x", TensorProto.FLOAT, [4, 3])], [vi("y", TensorProto.FLOAT, [2, 2])]),
          gram_case)

    # Compress with a run-time condition.
    def compress_case(axis):
        def make():
            n = int(rng.integers(1, 8))
            x = rng.standard_normal((n, 3)).astype(np.float32)
            cond = rng.random(n) < rng.random()
            return [("x", x), ("cond", cond)], [("y", np.compress(cond, x, axis=axis))], \
                f"N={n} selected={int(cond.sum())}"
        return make
    for axis in (0, None):
        attrs = {} if axis is None else {"axis": axis}
        check(f"compress_{'axis' if axis is not None else 'flat'}",
              model_of([helper.make_node("Compress", ["x", "cond"], ["y"], name="cmp", **attrs)],
                       [vi("x", TensorProto.FLOAT, ["N", 3]), vi("cond", TensorProto.BOOL, ["N"])],
                       [vi("y", TensorProto.FLOAT, [None, 3] if axis == 0 else [None])]),
              compress_case(axis))

    # Unique: all four outputs.
    def unique_case(shape, axis, sorted_, dtype):
        def make():
            if dtype == np.int64:
                x = rng.integers(-3, 4, shape).astype(np.int64)
            else:
                x = rng.integers(0, 3, shape).astype(np.float32) / 2
            outs = unique_reference(x, axis, sorted_)
            return [("x", x)], list(zip(["y", "indices", "inverse", "counts"], outs)), \
                f"unique={len(outs[1])}"
        return make
    for name, shape, axis, sorted_, dtype in [
            ("unique_sorted", (12,), None, 1, np.int64),
            ("unique_unsorted", (3, 4), None, 0, np.float32),
            ("unique_axis", (5, 2), 0, 1, np.float32),
            ("unique_axis1", (2, 6, 1), -2, 0, np.float32)]:
        attrs = {"sorted": sorted_}
        if axis is not None:
            attrs["axis"] = axis
        et = TensorProto.INT64 if dtype == np.int64 else TensorProto.FLOAT
        check(name,
              model_of([helper.make_node("Unique", ["x"], ["y", "indices", "inverse", "counts"],
                                         name="uq", **attrs)],
                       [vi("x", et, list(shape))],
                       [vi("y", et, None), vi("indices", TensorProto.INT64, None),
                        vi("inverse", TensorProto.INT64, None),
                        vi("counts", TensorProto.INT64, None)], opset=11),
              unique_case(shape, axis, sorted_, dtype))

    # NonMaxSuppression with run-time max_output_boxes_per_class and thresholds.
    def nms_case(center):
        def make():
            b, c, s = 2, 2, 7
            xy = rng.random((b, s, 2)).astype(np.float32) * 4
            wh = rng.random((b, s, 2)).astype(np.float32) * 2 + 0.5
            boxes = (np.concatenate([xy, wh], 2) if center else
                     np.concatenate([xy, xy + wh], 2)).astype(np.float32)
            scores = rng.random((b, c, s)).astype(np.float32)
            max_out = np.array([rng.integers(0, 5)], np.int64)
            iou = np.array([rng.random() * 0.6 + 0.2], np.float32)
            thr = np.array([rng.random() * 0.5], np.float32)
            ref = nms_reference(boxes, scores, int(max_out[0]), float(iou[0]), float(thr[0]),
                                center)
            return [("boxes", boxes), ("scores", scores), ("max_out", max_out), ("iou", iou),
                    ("thr", thr)], [("sel", ref)], f"max_out={max_out[0]} selected={len(ref)}"
        return make
    for center in (0, 1):
        check(f"nms_center{center}",
              model_of([helper.make_node("NonMaxSuppression",
                                         ["boxes", "scores", "max_out", "iou", "thr"], ["sel"],
                                         center_point_box=center, name="nms")],
                       [vi("boxes", TensorProto.FLOAT, [2, 7, 4]),
                        vi("scores", TensorProto.FLOAT, [2, 2, 7]),
                        vi("max_out", TensorProto.INT64, [1]), vi("iou", TensorProto.FLOAT, [1]),
                        vi("thr", TensorProto.FLOAT, [1])],
                       [vi("sel", TensorProto.INT64, [None, 3])], opset=11),
              nms_case(center))

    no_bound_cases(h)
    if_cases(h)
    slice_cases(h)
    shape_slice_cases(h)
    loop_cases(h)
    loop_runtime_dims_cases(h)
    loop_grows_cases(h)
    loop_check_frees_cases(h)
    if_slice_reshape_cases(h)
    if_two_outputs_cases(h)

    # The typed C API of a data-dependent model without run-time input dims.
    src = os.path.join(a.work, "dd_api.c")
    with open(src, "w") as f:
        f.write(C_PROGRAM)
    h.check_c_program(src, os.path.join(a.work, "nonzero_static.so"),
                      "dd_api (header entry, bounds, dims, refusals)")
    return h.finish()


if __name__ == "__main__":
    sys.exit(main())
