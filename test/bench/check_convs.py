#!/usr/bin/python3
"""bench/bench.py --convs without timing anything: the conv extraction and the FLOP formula on
a small generated model (no compiler, no ONNX Runtime; well under a second).

    check_convs.py --work DIR

The model has: two convs of one configuration, one of them spelling out the defaults (merged,
count 2); a grouped, strided, dilated conv with a bias, on a symbolic batch (taken as 1, as
the bench feeds it); a conv whose weights are computed (skipped, and said so). Each single-op
model must pass the ONNX checker with shape inference, keep the node's attributes and carry the
node's own weights and bias. Also the binding model's outputs (the model's ranks, dims 1) and
the FLOP-weighted total of a made-up sweep.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "bench"))
sys.dont_write_bytecode = True
import bench  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}")


def make_model(work):
    rng = np.random.default_rng(0)

    def init(name, shape):
        return numpy_helper.from_array(rng.uniform(-1, 1, shape).astype(np.float32), name)

    inits = [init("w1", [8, 4, 3, 3]), init("w2", [8, 4, 3, 3]), init("wg", [16, 4, 3, 3]),
             init("bg", [16]), init("w0", [16, 16, 1, 1])]
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["a"], name="plain", pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["x", "w2"], ["b"], name="explicit", pads=[1, 1, 1, 1],
                         strides=[1, 1], dilations=[1, 1], group=1, kernel_shape=[3, 3]),
        helper.make_node("Add", ["a", "b"], ["s"]),
        # 8 channels in 2 groups of 4, stride 2, dilation 2, pads 2: 10x12 -> 5x6.
        helper.make_node("Conv", ["s", "wg", "bg"], ["g"], name="grouped", group=2,
                         strides=[2, 2], dilations=[2, 2], pads=[2, 2, 2, 2]),
        helper.make_node("Relu", ["w0"], ["w0r"]),
        helper.make_node("Conv", ["g", "w0r"], ["y"], name="computed_weights"),
    ]
    graph = helper.make_graph(
        nodes, "convs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4, 10, 12])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    path = os.path.join(work, "convs.onnx")
    onnx.save(model, path)
    return path, {t.name: numpy_helper.to_array(t) for t in inits}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)

    # The formula, by hand: 2 * N * Cout * OH * OW * (Cin / group) * KH * KW.
    check(bench.conv_flops([1, 64, 56, 56], [64, 64, 3, 3], [1, 64, 56, 56])
          == 2 * 64 * 56 * 56 * 64 * 9, "conv_flops of a 3x3 conv")
    check(bench.conv_flops([2, 8, 10, 12], [16, 4, 3, 3], [2, 16, 5, 6])
          == 2 * 2 * 16 * 5 * 6 * 4 * 9, "conv_flops of a grouped conv, batch 2")

    path, weights = make_model(args.work)
    configs, skipped = bench.conv_configs(path, args.work)
    check([c["desc"] for c in configs] == ["4x10x12 k3 s1 g1 -> 8", "8x10x12 k3 s2 d2 g2 -> 16"],
          f"configurations: {[c['desc'] for c in configs]}")
    check([c["count"] for c in configs] == [2, 1], f"counts: {[c['count'] for c in configs]}")
    check(configs and configs[0]["nodes"] == ["plain", "explicit"], "merged nodes")
    check(len(skipped) == 1 and skipped[0].startswith("computed_weights:")
          and "not an initializer" in skipped[0], f"skipped: {skipped}")
    check([c["flops"] for c in configs] == [2 * 8 * 10 * 12 * 4 * 9, 2 * 16 * 5 * 6 * 4 * 9],
          f"flops: {[c['flops'] for c in configs]}")

    want = [({"pads": [1, 1, 1, 1]}, [1, 4, 10, 12], [1, 8, 10, 12], ["w1"]),
            ({"group": 2, "strides": [2, 2], "dilations": [2, 2], "pads": [2, 2, 2, 2]},
             [1, 8, 10, 12], [1, 16, 5, 6], ["wg", "bg"])]
    for c, (attrs, x_dims, y_dims, tensors) in zip(configs, want):
        m = onnx.load(c["path"])
        onnx.checker.check_model(m, full_check=True)
        node, = m.graph.node
        got = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        check(all(got.get(k) == v for k, v in attrs.items()), f"{c['desc']}: attributes {got}")
        dims = [[d.dim_value for d in v.type.tensor_type.shape.dim]
                for v in (m.graph.input[0], m.graph.output[0])]
        check(dims == [x_dims, y_dims], f"{c['desc']}: input/output dims {dims}")
        check(len(m.graph.initializer) == len(tensors) and all(
            np.array_equal(numpy_helper.to_array(t), weights[w])
            for t, w in zip(m.graph.initializer, tensors)), f"{c['desc']}: weights and bias")

        bind = bench.binding_model([("X", np.zeros(x_dims, np.float32))], m.graph, 13)
        onnx.checker.check_model(bind, full_check=True)
        check([[d.dim_value for d in o.type.tensor_type.shape.dim] for o in bind.graph.output]
              == [[1, 1, 1, 1]], f"{c['desc']}: binding model outputs")

    # The FLOP-weighted total: sum(count * FLOPs) / sum(count * ms), not a mean of the rates.
    # Here 2 x 1 GFLOP in 10 ms each and 1 x 4 GFLOP in 10 ms: 6 GFLOP / 30 ms = 200 GFLOP/s
    # (the mean of the configurations' rates would be 250).
    sweep = {"flops": 2 * 10**9 + 4 * 10**9, "configs": [
        {"count": 2, "flops": 10**9, "t1": {"ours_ms": 10.0, "ort_net_ms": 5.0}},
        {"count": 1, "flops": 4 * 10**9, "t1": {"ours_ms": 10.0, "ort_net_ms": 20.0}}]}
    bench.conv_totals(sweep, {1: 400.0})
    total = sweep["total"]["t1"]
    check(abs(total["ours_gflops"] - 200) < 1e-9 and abs(total["ours_pct_peak"] - 50) < 1e-9,
          f"FLOP-weighted total, ours: {total}")
    check(abs(total["ort_gflops"] - 200) < 1e-9 and total["ort_net_ms"] == 30.0,
          f"FLOP-weighted total, ORT: {total}")
    check(sweep["configs"][1]["t1"]["ours_gflops"] == 400.0, "a configuration's GFLOP/s")

    print(f"{len(failures)} failures" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
