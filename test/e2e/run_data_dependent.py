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
    written by the run, run() refused through the generic descriptor).

    run_data_dependent.py --onnx-compile BIN --onnx-run BIN --work DIR --cc CC --include DIR
                          [--seed S] [--runs N]
"""

import os
import sys

import numpy as np
from onnx import TensorProto, helper

from e2e_harness import Harness, run


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

    # The typed C API of a data-dependent model without run-time input dims.
    if os.path.exists(os.path.join(a.work, "nonzero_static.so")):
        src, exe = os.path.join(a.work, "dd_api.c"), os.path.join(a.work, "dd_api")
        with open(src, "w") as f:
            f.write(C_PROGRAM)
        rc, out = run([a.cc, "-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror",
                       "-I", a.work, "-I", a.include, src,
                       os.path.join(a.work, "nonzero_static.so"),
                       "-Wl,-rpath," + os.path.abspath(a.work), "-o", exe])
        if rc == 0:
            rc, out = run([exe])
        h.report(rc == 0, "dd_api (header entry, bounds, dims, refusals)", out)
    return h.finish()


if __name__ == "__main__":
    sys.exit(main())
