#!/usr/bin/python3
"""Models with dims known only at run time (docs/dynamic-shapes.md), compiled once and run for
sizes drawn at random on every run, against numpy references:

  - a CNN with symbolic batch, height and width (Conv, Relu, MaxPool, GlobalAveragePool,
    Flatten, Gemm);
  - a tiny transformer block with symbolic batch and sequence length (LayerNormalization,
    MatMul, multi-head Reshape/Transpose, Softmax, Erf GELU, embedding Gather, Concat);
  - a model of the ops whose sizes or loops meet an empty run-time dim (Reshape -1, Flatten,
    Gather, ReduceSum/ReduceMax, MatMul with K = n, Concat, Softmax), and the cases that have no
    meaning at 0 (Reshape [0, -1] of an empty tensor, Gather from an empty axis), refused;
  - every reduction and Gemm over a run-time axis that may be empty (ONNX's identities);
  - Expand and Reshape to shapes computed from run-time dims (Shape, Gather, Slice, Concat,
    arithmetic), with a run-time 1 that broadcasts and dims that do not, refused;
  - a C program (dyn_api.c) that checks the header's workspace-size function, the entry's
    dim checks (out of range -> ONNXC_ERROR_DIMS_OUT_OF_RANGE) and the context API.

Every run-time dim that may be empty is drawn from a range that includes 0 (0 with
probability 1/4, `dim()`): a dim of 0 gives empty tensors (docs/dynamic-shapes.md).

    run_dynamic.py --onnx-compile BIN --onnx-run BIN --work DIR [--cc CC] [--seed S] [--runs N]
"""

import math
import os
import sys
import warnings

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from e2e_harness import Harness, run, save

# The references' means over empty dims are NaN, as intended: numpy's warning is noise.
warnings.filterwarnings("ignore", "Mean of empty slice")
warnings.filterwarnings("ignore", "invalid value encountered")


def i64s(name, v):
    """An int64 initializer."""
    v = np.array(v, np.int64)
    return helper.make_tensor(name, TensorProto.INT64, list(v.shape), v.reshape(-1).tolist())


def graph_model(name, opset, nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def dim(rng, lo, hi, zero=0.25):
    """A run-time dim: 0 with probability `zero`, else drawn from [lo, hi)."""
    return 0 if rng.random() < zero else int(rng.integers(lo, hi))


def f32(rng, *shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x.astype(np.float64)).astype(np.float32)


def avg_pool2d(x, kernel, strides, pads, count_include_pad):
    """ONNX AveragePool (no ceil_mode) in float64: the sum over the window divided by the
    number of its positions inside the input (or the explicitly padded input)."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph0, pw0, ph1, pw1) = kernel, strides, pads
    oh, ow = (h + ph0 + ph1 - kh) // sh + 1, (w + pw0 + pw1 - kw) // sw + 1
    out = np.zeros((n, c, oh, ow), np.float64)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - ph0, j * sw - pw0
            rows = [r for r in range(r0, r0 + kh) if 0 <= r < h]
            cols = [q for q in range(c0, c0 + kw) if 0 <= q < w]
            total = x[:, :, rows][:, :, :, cols].sum(axis=(2, 3)) if rows and cols else 0
            if count_include_pad:
                count = (len([r for r in range(r0, r0 + kh) if -ph0 <= r < h + ph1]) *
                         len([q for q in range(c0, c0 + kw) if -pw0 <= q < w + pw1]))
            else:
                count = len(rows) * len(cols)
            out[:, :, i, j] = total / count if count else 0
    return out.astype(np.float32)


# --- CNN: image [N, 3, H, W] -> logits [N, 5] ---------------------------------------------

def cnn_model(rng):
    w1, b1 = f32(rng, 4, 3, 3, 3), f32(rng, 4)
    w2, b2 = f32(rng, 6, 4, 3, 3), f32(rng, 6)
    wf, bf = f32(rng, 6, 5), f32(rng, 5)
    inits = [numpy_helper.from_array(a, n) for a, n in
             [(w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"), (wf, "wf"), (bf, "bf")]]
    nodes = [
        helper.make_node("Conv", ["image", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2],
                         name="pool1"),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], strides=[2, 1], name="conv2"),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["logits"], name="fc"),
    ]
    graph = helper.make_graph(
        nodes, "cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 5])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return model, (w1, b1, w2, b2, wf, bf)


def conv2d(x, w, b, pad, stride):
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (x.shape[2] - kh) // stride[0] + 1
    ow = (x.shape[3] - kw) // stride[1] + 1
    out = np.zeros((n, m, oh, ow), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i:i + stride[0] * oh:stride[0], j:j + stride[1] * ow:stride[1]]
            out += np.einsum("nchw,mc->nmhw", patch, w[:, :, i, j])
    return (out + b[None, :, None, None]).astype(np.float32)


def cnn_reference(params, image):
    w1, b1, w2, b2, wf, bf = params
    r1 = np.maximum(conv2d(image, w1, b1, 1, (1, 1)), 0)
    n, c, h, w = r1.shape
    p1 = r1[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))
    r2 = np.maximum(conv2d(p1, w2, b2, 0, (2, 1)), 0)
    g = r2.mean(axis=(2, 3))
    return g @ wf + bf


# --- Transformer block: tokens [B, S] int64, x [B, S, 8] -> y [B, S, 8] --------------------

D, HEADS, VOCAB = 8, 2, 11


def transformer_model(rng):
    emb = f32(rng, VOCAB, D)
    gamma, beta = f32(rng, D) + 1, f32(rng, D)
    wq, wk, wv, wo = (f32(rng, D, D) for _ in range(4))
    w1, w2 = f32(rng, D, 16), f32(rng, 16, D)
    dh = D // HEADS
    consts = {
        "emb": emb, "gamma": gamma, "beta": beta, "wq": wq, "wk": wk, "wv": wv, "wo": wo,
        "w1": w1, "w2": w2,
        "heads_shape": np.array([0, 0, HEADS, dh], np.int64),
        "merge_shape": np.array([0, 0, D], np.int64),
        "scale": np.array(1 / math.sqrt(dh), np.float32),
        "half": np.array(0.5, np.float32), "one": np.array(1.0, np.float32),
        "rsqrt2": np.array(1 / math.sqrt(2), np.float32),
    }
    inits = [numpy_helper.from_array(v, k) for k, v in consts.items()]
    N = helper.make_node
    nodes = [
        N("Gather", ["emb", "tokens"], ["e"], name="embed"),
        N("Add", ["x", "e"], ["h0"], name="add_embed"),
        N("LayerNormalization", ["h0", "gamma", "beta"], ["ln"], axis=-1, epsilon=1e-5,
          name="ln1"),
        N("MatMul", ["ln", "wq"], ["q"], name="q"),
        N("MatMul", ["ln", "wk"], ["k"], name="k"),
        N("MatMul", ["ln", "wv"], ["v"], name="v"),
        N("Reshape", ["q", "heads_shape"], ["qh"], name="q_heads"),
        N("Reshape", ["k", "heads_shape"], ["kh"], name="k_heads"),
        N("Reshape", ["v", "heads_shape"], ["vh"], name="v_heads"),
        N("Transpose", ["qh"], ["qt"], perm=[0, 2, 1, 3], name="q_t"),
        N("Transpose", ["kh"], ["kt"], perm=[0, 2, 3, 1], name="k_t"),
        N("Transpose", ["vh"], ["vt"], perm=[0, 2, 1, 3], name="v_t"),
        N("MatMul", ["qt", "kt"], ["s0"], name="scores"),
        N("Mul", ["s0", "scale"], ["s"], name="scale_scores"),
        N("Softmax", ["s"], ["p"], axis=-1, name="softmax"),
        N("MatMul", ["p", "vt"], ["a"], name="attend"),
        N("Transpose", ["a"], ["at"], perm=[0, 2, 1, 3], name="merge_t"),
        N("Reshape", ["at", "merge_shape"], ["am"], name="merge"),
        N("MatMul", ["am", "wo"], ["o"], name="out_proj"),
        N("Add", ["h0", "o"], ["h1"], name="residual1"),
        N("MatMul", ["h1", "w1"], ["f1"], name="ffn1"),
        N("Mul", ["f1", "rsqrt2"], ["g0"], name="gelu_scale"),
        N("Erf", ["g0"], ["g1"], name="gelu_erf"),
        N("Add", ["g1", "one"], ["g2"], name="gelu_add"),
        N("Mul", ["f1", "g2"], ["g3"], name="gelu_mul"),
        N("Mul", ["g3", "half"], ["g4"], name="gelu_half"),
        N("MatMul", ["g4", "w2"], ["f2"], name="ffn2"),
        N("Add", ["h1", "f2"], ["y"], name="residual2"),
        # A second output with a run-time dim on another axis: [B, 2S, 8].
        N("Concat", ["h0", "y"], ["both"], axis=1, name="concat"),
    ]
    graph = helper.make_graph(
        nodes, "tiny_transformer",
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", D])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "seq", D]),
         helper.make_tensor_value_info("both", TensorProto.FLOAT, ["batch", None, D])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return model, consts


def transformer_reference(c, tokens, x):
    h0 = x + c["emb"][tokens]
    mu = h0.mean(-1, keepdims=True)
    var = ((h0 - mu) ** 2).mean(-1, keepdims=True)
    ln = (h0 - mu) / np.sqrt(var + 1e-5) * c["gamma"] + c["beta"]
    b, s, _ = x.shape
    dh = D // HEADS
    def heads(t):
        return t.reshape(b, s, HEADS, dh).transpose(0, 2, 1, 3)
    q, k, v = heads(ln @ c["wq"]), heads(ln @ c["wk"]), heads(ln @ c["wv"])
    sc = q @ k.transpose(0, 1, 3, 2) * c["scale"]
    p = np.exp(sc - sc.max(-1, keepdims=True, initial=-np.inf))
    p /= p.sum(-1, keepdims=True)
    a = (p @ v).transpose(0, 2, 1, 3).reshape(b, s, D)
    h1 = h0 + a @ c["wo"]
    f1 = h1 @ c["w1"]
    g = f1 * (erf(f1 * c["rsqrt2"]) + 1) * 0.5
    y = h1 + g @ c["w2"]
    return y.astype(np.float32), np.concatenate([h0, y], axis=1).astype(np.float32)




def reshape_cases(h):
    """Reshape to a shape computed from run-time dims (docs/dynamic-shapes.md, "Reshape to a
    shape computed from run-time dims"): `reshape_shape_of` x [b, 4, w] to
    Concat(Shape(x)[0], -1) and, transposed to [w, b, 4], to Concat(Shape(x)[2], Shape(x)[0],
    -1) (the exports of view(b, -1) and a sequence reshape); `reshape_like` x [n, 6] to
    Concat(Slice(Shape(y [m, 2]), 0, 1), [2, 3]) (no -1: m * 6 must be 6n, else refused
    before the run)."""
    a, rng, check = h.args, h.rng, h.check
    F = TensorProto.FLOAT
    N = helper.make_node
    vi = helper.make_tensor_value_info

    def model(nodes, inputs, outputs, inits=()):
        return graph_model("reshape", 14, nodes, inputs, outputs, inits)

    def shape_of_case():
        b, w = int(rng.integers(1, 4)), int(rng.integers(1, 6))
        x = f32(rng, b, 4, w)
        return [("x", x)], [("y", x.reshape(b, -1)),
                            ("z", x.transpose(2, 0, 1).reshape(w, b, -1))], f"b={b} w={w}"
    check("reshape_shape_of",
          model([N("Shape", ["x"], ["s"], name="shape"),
                 N("Gather", ["s", "i0"], ["b"], axis=0, name="b"),
                 N("Gather", ["s", "i2"], ["w"], axis=0, name="w"),
                 N("Concat", ["b", "m1"], ["t"], axis=0, name="t"),
                 N("Reshape", ["x", "t"], ["y"], name="flatten"),
                 N("Transpose", ["x"], ["xt"], perm=[2, 0, 1], name="to_seq"),
                 N("Concat", ["w", "b", "m1"], ["t2"], axis=0, name="t2"),
                 N("Reshape", ["xt", "t2"], ["z"], name="seq")],
                [vi("x", F, ["b", 4, "w"])], [vi("y", F, ["b", None]), vi("z", F, ["w", "b", 4])],
                [i64s("i0", [0]), i64s("i2", [2]), i64s("m1", [-1])]),
          shape_of_case)

    def like_case():
        n = dim(rng, 1, 4)
        x = f32(rng, n, 6)
        return [("x", x), ("y", f32(rng, n, 2))], [("z", x.reshape(n, 2, 3))], f"n=m={n}"
    check("reshape_like",
          model([N("Shape", ["y"], ["s"], name="shape"),
                 N("Slice", ["s", "i0", "one"], ["m"], name="m"),
                 N("Concat", ["m", "two_three"], ["t"], axis=0, name="t"),
                 N("Reshape", ["x", "t"], ["z"], name="like")],
                [vi("x", F, ["n", 6]), vi("y", F, ["m", 2])], [vi("z", F, ["m", 2, 3])],
                [i64s("i0", [0]), i64s("one", [1]), i64s("two_three", [2, 3])]),
          like_case)
    lib = os.path.join(a.work, "reshape_like.so")
    if os.path.exists(lib):
        case = os.path.join(a.work, "reshape_like_mismatch")
        save(case, [("x", f32(rng, 2, 6)), ("y", f32(rng, 3, 2))], "input")
        rc, out = run([a.onnx_run, lib, "--inputs", case])
        h.report(rc != 0 and "out of range" in out.lower(),
                 "reshape_like x [2, 6] to [3, 2, 3] refused (dims out of range)", out)


def expand_cases(h):
    """Expand to a shape computed from run-time dims (docs/dynamic-shapes.md, "Expand"):
    `expand_shape_of` Expand(x [1, 4], Shape(y [n, 4])) + y; `expand_mask` an attention
    mask [mb, 1, mt] to Shape(scores [b, s, t]) (mb, mt equal to b, t or a run-time 1 that
    broadcasts; other dims refused before the run, dims out of range); `expand_concat` x [t]
    to Concat(Unsqueeze(Gather(Shape(y), 0) * 2), [1], Shape(x)), [2n, 1, t];
    `expand_data_shape` a shape read from an input tensor (sizes from data: the result
    allocated per run, an entry that does not broadcast refused at run time)."""
    a, rng, check = h.args, h.rng, h.check
    F, I64 = TensorProto.FLOAT, TensorProto.INT64
    N = helper.make_node
    vi = helper.make_tensor_value_info

    def model(nodes, inputs, outputs, inits=()):
        return graph_model("expand", 17, nodes, inputs, outputs, inits)

    check("expand_shape_of",
          model([N("Shape", ["y"], ["sy"], name="shape"),
                 N("Expand", ["x", "sy"], ["e"], name="expand"),
                 N("Add", ["e", "y"], ["z"], name="add")],
                [vi("x", F, [1, 4]), vi("y", F, ["n", 4])], [vi("z", F, ["n", 4])]),
          lambda: (lambda n: (lambda x, y: ([("x", x), ("y", y)], [("z", x + y)], f"n={n}"))(
              f32(rng, 1, 4), f32(rng, n, 4)))(dim(rng, 1, 6)))

    # The mask's dims are symbols of their own: whether they broadcast is checked at run time.
    mask_model = model([N("Shape", ["scores"], ["ss"], name="shape"),
                        N("Expand", ["mask", "ss"], ["m"], name="expand"),
                        N("Mul", ["scores", "m"], ["y"], name="masked")],
                       [vi("mask", F, ["mb", 1, "mt"]), vi("scores", F, ["b", "s", "t"])],
                       [vi("y", F, ["b", "s", "t"])])

    def mask_case():
        b, s, t = dim(rng, 1, 4), dim(rng, 1, 5), dim(rng, 1, 6)
        # A run-time 1 of the mask broadcasts (ONNX's Expand), as in numpy.
        mb = 1 if rng.random() < 0.3 else b
        mt = 1 if rng.random() < 0.3 else t
        mask, scores = f32(rng, mb, 1, mt), f32(rng, b, s, t)
        return [("mask", mask), ("scores", scores)], \
            [("y", scores * np.broadcast_to(mask, (b, s, t)))], \
            f"mask [{mb}, 1, {mt}] scores [{b}, {s}, {t}]"
    check("expand_mask", mask_model, mask_case)
    lib = os.path.join(a.work, "expand_mask.so")
    if os.path.exists(lib):
        for (b, t), (b2, s, t2) in (((2, 3), (3, 2, 3)), ((2, 3), (2, 2, 4)),
                                    ((2, 0), (2, 2, 3))):
            case = os.path.join(a.work, f"expand_mask_mismatch_{b}_{t}_{b2}_{t2}")
            save(case, [("mask", f32(rng, b, 1, t)), ("scores", f32(rng, b2, s, t2))], "input")
            rc, out = run([a.onnx_run, lib, "--inputs", case])
            ok = rc != 0 and "out of range" in out.lower()
            h.report(ok, f"expand_mask mask [{b}, 1, {t}] scores [{b2}, {s}, {t2}] refused "
                     "(dims out of range)", out)

    check("expand_concat",
          model([N("Shape", ["y"], ["sy"], name="shape_y"),
                 N("Shape", ["x"], ["sx"], name="shape_x"),
                 N("Gather", ["sy", "zero"], ["n"], axis=0, name="n"),
                 N("Mul", ["n", "two"], ["n2"], name="twice"),
                 N("Unsqueeze", ["n2", "axes0"], ["n2v"], name="n2v"),
                 N("Concat", ["n2v", "one", "sx"], ["target"], axis=0, name="target"),
                 N("Expand", ["x", "target"], ["z"], name="expand")],
                [vi("x", F, ["t"]), vi("y", F, ["n", 2])], [vi("z", F, [None, 1, "t"])],
                [i64s("zero", 0), i64s("two", 2), i64s("axes0", [0]), i64s("one", [1])]),
          lambda: (lambda n, t: (lambda x: (
              [("x", x), ("y", f32(rng, n, 2))],
              [("z", np.broadcast_to(x, (2 * n, 1, t)).copy())], f"n={n} t={t}"))(
                  f32(rng, t)))(dim(rng, 1, 4), dim(rng, 1, 5)))

    def data_case():
        n = dim(rng, 1, 5)
        x = f32(rng, int(rng.choice([1, 3])), 3)
        shape = np.array([n, x.shape[0], 1] if x.shape[0] == 3 else [n, int(rng.integers(1, 4)), 3],
                         np.int64)
        return [("x", x), ("shape", shape)], \
            [("z", np.broadcast_to(x, np.broadcast_shapes(x.shape, tuple(shape))).copy())], \
            f"x={list(x.shape)} shape={shape.tolist()}"
    check("expand_data_shape",
          model([N("Expand", ["x", "shape"], ["z"], name="expand")],
                [vi("x", F, [None, 3]), vi("shape", I64, [3])], [vi("z", F, [None, None, 3])]),
          data_case)
    lib = os.path.join(a.work, "expand_data_shape.so")
    if os.path.exists(lib):
        case = os.path.join(a.work, "expand_data_shape_mismatch")
        save(case, [("x", f32(rng, 2, 3)), ("shape", np.array([1, 4, 3], np.int64))], "input")
        rc, out = run([a.onnx_run, lib, "--inputs", case])
        h.report(rc != 0 and "invalid" in out.lower(),
                 "expand_data_shape x [2, 3] to [1, 4, 3] refused at run time", out)


def main():
    h = Harness(__doc__, rtol=1e-4, atol=1e-4)
    a, rng, check = h.args, h.rng, h.check

    model, params = cnn_model(rng)

    def cnn_case():
        # The window must fit in H and W; the batch may be empty.
        n, h, w = dim(rng, 1, 4), int(rng.integers(6, 20)), int(rng.integers(6, 40))
        image = f32(rng, n, 3, h, w, scale=1.0)
        return [("image", image)], [("logits", cnn_reference(params, image))], \
            f"N={n} H={h} W={w}"
    check("cnn_dyn", model, cnn_case)

    model, consts = transformer_model(rng)

    def transformer_case():
        b, s = dim(rng, 1, 4), dim(rng, 1, 12)
        tokens = rng.integers(0, VOCAB, (b, s)).astype(np.int64)
        x = f32(rng, b, s, D, scale=1.0)
        y, both = transformer_reference(consts, tokens, x)
        return [("tokens", tokens), ("x", x)], [("y", y), ("both", both)], f"batch={b} seq={s}"
    check("transformer_dyn", model, transformer_case)

    # Two run-time dims that meet in a broadcast must be equal at run time: [n, 4] + [m, 4]
    # runs for n == m and is refused (ONNXC_ERROR_DIMS_OUT_OF_RANGE) for n != m, a run-time 1
    # against a larger dim included.
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["y"])], "bcast",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["n", 4]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["m", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    def bcast_case():
        n = dim(rng, 1, 6)
        x, y = f32(rng, n, 4), f32(rng, n, 4)
        return [("a", x), ("b", y)], [("y", x + y)], f"n=m={n}"
    check("bcast_dyn", model, bcast_case)
    lib = os.path.join(a.work, "bcast_dyn.so")
    if os.path.exists(lib):
        for n, m in ((3, 2), (1, 4), (4, 1)):
            case = os.path.join(a.work, f"bcast_dyn_mismatch_{n}_{m}")
            save(case, [("a", f32(rng, n, 4)), ("b", f32(rng, m, 4))], "input")
            rc, out = run([a.onnx_run, lib, "--inputs", case])
            ok = rc != 0 and "out of range" in out.lower()
            h.report(ok, f"bcast_dyn n={n} m={m} refused (dims out of range)", out)

    # The same for MatMul's K ([3, k] x [j, 4]) and Concat's other dims ([k, 2] and [j, 1] on
    # axis 1): two run-time dims read as one must be equal, else dims out of range.
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["y"]),
         helper.make_node("Concat", ["c", "d"], ["z"], axis=1)], "inner",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [3, "k"]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["j", 4]),
         helper.make_tensor_value_info("c", TensorProto.FLOAT, ["k", 2]),
         helper.make_tensor_value_info("d", TensorProto.FLOAT, ["j", 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [None, 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    def inner_case():
        k = dim(rng, 1, 7)
        x, y, c, d = f32(rng, 3, k), f32(rng, k, 4), f32(rng, k, 2), f32(rng, k, 1)
        return [("a", x), ("b", y), ("c", c), ("d", d)], \
            [("y", x @ y), ("z", np.concatenate([c, d], 1))], f"k=j={k}"
    check("inner_dyn", model, inner_case)
    lib = os.path.join(a.work, "inner_dyn.so")
    if os.path.exists(lib):
        for k, j in ((3, 2), (1, 4)):
            case = os.path.join(a.work, f"inner_dyn_mismatch_{k}_{j}")
            save(case, [("a", f32(rng, 3, k)), ("b", f32(rng, j, 4)), ("c", f32(rng, k, 2)),
                        ("d", f32(rng, j, 1))], "input")
            rc, out = run([a.onnx_run, lib, "--inputs", case])
            ok = rc != 0 and "out of range" in out.lower()
            h.report(ok, f"inner_dyn k={k} j={j} refused (dims out of range)", out)

    # Slice with constant bounds over run-time dims: x[:, 1:] and x[:, -2:, 1:3:1].
    i64 = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)
    graph = helper.make_graph(
        [helper.make_node("Slice", ["x", "s1", "e1", "a1"], ["y1"]),
         helper.make_node("Slice", ["x", "s2", "e2", "a2", "st2"], ["y2"])], "slice",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", "s", 4])],
        [helper.make_tensor_value_info("y1", TensorProto.FLOAT, ["n", None, 4]),
         helper.make_tensor_value_info("y2", TensorProto.FLOAT, ["n", None, 2])],
        [i64("s1", [1]), i64("e1", [2**63 - 1]), i64("a1", [1]), i64("s2", [-2, 1]),
         i64("e2", [2**63 - 1, 3]), i64("a2", [1, 2]), i64("st2", [1, 1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    def slice_case():
        n, sl = dim(rng, 1, 4), dim(rng, 2, 9)
        x = f32(rng, n, sl, 4)
        return [("x", x)], [("y1", x[:, 1:]), ("y2", x[:, -2:, 1:3])], f"n={n} s={sl}"
    check("slice_dyn", model, slice_case)

    # A mean over the run-time sequence dim, a constant Pad of it, AveragePools over a
    # run-time batch, height and width (the divisor counted at run time), with and without
    # count_include_pad.
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["x"], ["mean"], axes=[1], keepdims=0),
         helper.make_node("Pad", ["x", "pads", "half"], ["padded"]),
         helper.make_node("AveragePool", ["img"], ["pool"], kernel_shape=[2, 2],
                          strides=[2, 2], pads=[0, 0, 1, 1]),
         helper.make_node("AveragePool", ["img"], ["pool_inc"], kernel_shape=[3, 2],
                          strides=[2, 1], pads=[1, 1, 1, 0], count_include_pad=1)], "reduce_pad",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", "s", 4]),
         helper.make_tensor_value_info("img", TensorProto.FLOAT, ["n", 2, "h", "w"])],
        [helper.make_tensor_value_info("mean", TensorProto.FLOAT, ["n", 4]),
         helper.make_tensor_value_info("padded", TensorProto.FLOAT, ["n", None, 4]),
         helper.make_tensor_value_info("pool", TensorProto.FLOAT, ["n", 2, None, None]),
         helper.make_tensor_value_info("pool_inc", TensorProto.FLOAT, ["n", 2, None, None])],
        [i64("pads", [0, 1, 0, 0, 2, 0]),
         numpy_helper.from_array(np.array(0.5, np.float32), "half")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    def reduce_pad_case():
        # A mean over an empty s is NaN (numpy's, and ONNX's 0 / 0); the pools' windows
        # need h, w >= 1.
        n, sl = dim(rng, 1, 4), dim(rng, 1, 9)
        hh, ww = int(rng.integers(1, 12)), int(rng.integers(1, 12))
        x, img = f32(rng, n, sl, 4), f32(rng, n, 2, hh, ww)
        padded = np.pad(x, ((0, 0), (1, 2), (0, 0)), constant_values=0.5)
        return [("x", x), ("img", img)], \
            [("mean", x.mean(axis=1)), ("padded", padded),
             ("pool", avg_pool2d(img, (2, 2), (2, 2), (0, 0, 1, 1), False)),
             ("pool_inc", avg_pool2d(img, (3, 2), (2, 1), (1, 1, 1, 0), True))], \
            f"n={n} s={sl} h={hh} w={ww}"
    check("reduce_pad_dyn", model, reduce_pad_case)

    # Ops meeting empty run-time dims: n may be 0 (always in the first case), m is 0 when n
    # is (the gathered indices must be in range). Reshape -1 of [n, 4] to [2n, 2]; Flatten
    # of [2, n, 3] at axis 2 ([2n, 3]: the product of the leading dims is 0) and 1; Gather
    # from the run-time axis with run-time indices; ReduceSum (0) and ReduceMax (-inf, the
    # ONNX identity) over n; MatMul [4, n] x [n, 3] (K = n: zeros); Concat of [n, 4] and
    # [m, 4]; Softmax along n and across it.
    i64s = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)
    N = helper.make_node
    graph = helper.make_graph(
        [N("Reshape", ["x", "shape_m1"], ["r"], name="reshape"),
         N("Flatten", ["p"], ["fl2"], axis=2, name="flatten2"),
         N("Flatten", ["p"], ["fl1"], axis=1, name="flatten1"),
         N("Gather", ["x", "idx"], ["g"], axis=0, name="gather"),
         N("ReduceSum", ["x", "axes0"], ["rsum"], keepdims=0, name="rsum"),
         N("ReduceMax", ["x"], ["rmax"], axes=[0], keepdims=0, name="rmax"),
         N("Transpose", ["x"], ["xt"], perm=[1, 0], name="xt"),
         N("MatMul", ["xt", "z"], ["mm"], name="matmul"),
         N("Concat", ["x", "w"], ["cat"], axis=0, name="concat"),
         N("Softmax", ["x"], ["sm0"], axis=0, name="softmax0"),
         N("Softmax", ["xt"], ["sm1"], axis=-1, name="softmax1")], "zero_dims",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4]),
         helper.make_tensor_value_info("p", TensorProto.FLOAT, [2, "n", 3]),
         helper.make_tensor_value_info("idx", TensorProto.INT64, ["m"]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, ["n", 3]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, ["m", 4])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None)
         for o in ("r", "fl2", "fl1", "g", "rsum", "rmax", "mm", "cat", "sm0", "sm1")],
        [i64s("shape_m1", [-1, 2]), i64s("axes0", [0])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    zero_cases = iter(range(1 << 30))

    def softmax(t, axis):
        e = np.exp(t - t.max(axis, keepdims=True, initial=-np.inf))
        return e / e.sum(axis, keepdims=True)

    def zero_case():
        first = next(zero_cases) == 0
        n = 0 if first else dim(rng, 1, 6, zero=0.4)
        m = 0 if n == 0 else dim(rng, 1, 5)
        x, p, z, w = f32(rng, n, 4), f32(rng, 2, n, 3), f32(rng, n, 3), f32(rng, m, 4)
        idx = rng.integers(-n, n, m).astype(np.int64) if n else np.zeros(0, np.int64)
        xt = x.T
        return [("x", x), ("p", p), ("idx", idx), ("z", z), ("w", w)], \
            [("r", x.reshape(-1, 2)), ("fl2", p.reshape(2 * n, 3)), ("fl1", p.reshape(2, 3 * n)),
             ("g", x[idx]), ("rsum", x.sum(axis=0)),
             ("rmax", x.max(axis=0, initial=-np.inf).astype(np.float32)),
             ("mm", (xt.astype(np.float64) @ z).astype(np.float32)),
             ("cat", np.concatenate([x, w])), ("sm0", softmax(x, 0)), ("sm1", softmax(xt, -1))], \
            f"n={n} m={m}"
    check("zero_dyn", model, zero_case)

    # Reductions over a run-time axis that may be empty give ONNX's identities there (1, +inf,
    # 0, -inf = log 0, NaN = 0 / 0 for the mean, the lowest int32 for ReduceMax), and Gemm
    # with K = n gives C.
    red_ops = ["ReduceProd", "ReduceMin", "ReduceL2", "ReduceL1", "ReduceLogSumExp",
               "ReduceLogSum", "ReduceSumSquare", "ReduceMean"]
    graph = helper.make_graph(
        [N(o, ["x"], [o], axes=[0], keepdims=0) for o in red_ops] +
        [N("Gemm", ["a", "b", "c"], ["gemm"]),
         N("ReduceMax", ["xi"], ["maxi"], axes=[0], keepdims=0)], "reduce_empty",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3]),
         helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, "n"]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["n", 3]),
         helper.make_tensor_value_info("c", TensorProto.FLOAT, [3]),
         helper.make_tensor_value_info("xi", TensorProto.INT32, ["n", 3])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, [3]) for o in red_ops] +
        [helper.make_tensor_value_info("gemm", TensorProto.FLOAT, [2, 3]),
         helper.make_tensor_value_info("maxi", TensorProto.INT32, [3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    red_cases = iter(range(1 << 30))

    def reduce_empty_case():
        n = 0 if next(red_cases) == 0 else dim(rng, 1, 5, zero=0.4)
        x, a_, b, c = f32(rng, n, 3), f32(rng, 2, n), f32(rng, n, 3), f32(rng, 3)
        xi = rng.integers(-100, 100, (n, 3)).astype(np.int32)
        x64 = x.astype(np.float64)
        with np.errstate(divide="ignore"):
            ref = {"ReduceProd": x64.prod(0), "ReduceMin": x64.min(0, initial=np.inf),
                   "ReduceL2": np.sqrt((x64 ** 2).sum(0)), "ReduceL1": np.abs(x64).sum(0),
                   "ReduceLogSumExp": np.log(np.exp(x64).sum(0)),
                   "ReduceLogSum": np.log(x64.sum(0)), "ReduceSumSquare": (x64 ** 2).sum(0),
                   "ReduceMean": x64.mean(0)}
        outs = [(o, ref[o].astype(np.float32)) for o in red_ops]
        outs += [("gemm", (a_.astype(np.float64) @ b + c).astype(np.float32)),
                 ("maxi", xi.max(0, initial=np.iinfo(np.int32).min).astype(np.int32))]
        return [("x", x), ("a", a_), ("b", b), ("c", c), ("xi", xi)], outs, f"n={n}"
    check("reduce_empty_dyn", model, reduce_empty_case)

    # What has no meaning at 0 is refused before the run (ONNXC_ERROR_DIMS_OUT_OF_RANGE):
    # Reshape [0, -1] of an empty [n, k] (numpy refuses it too), Gather of the last step of an
    # empty sequence. Both run for n >= 1.
    graph = helper.make_graph(
        [N("Reshape", ["y", "copy_m1"], ["r"], name="reshape"),
         N("Gather", ["s", "last"], ["g"], axis=1, name="last_step")], "zero_refused",
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "k"]),
         helper.make_tensor_value_info("s", TensorProto.FLOAT, [2, "t", 3])],
        [helper.make_tensor_value_info("r", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("g", TensorProto.FLOAT, [2, 3])],
        [i64s("copy_m1", [0, -1]), i64s("last", -1)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    def refused_case():
        n, k, t = int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 6))
        y, sq = f32(rng, n, k), f32(rng, 2, t, 3)
        return [("y", y), ("s", sq)], [("r", y.reshape(n, -1)), ("g", sq[:, -1])], \
            f"n={n} k={k} t={t}"
    check("zero_refused_dyn", model, refused_case)
    lib = os.path.join(a.work, "zero_refused_dyn.so")
    if os.path.exists(lib):
        for n, k, t in ((0, 3, 2), (0, 0, 2), (2, 3, 0)):
            case = os.path.join(a.work, f"zero_refused_{n}_{k}_{t}")
            save(case, [("y", f32(rng, n, k)), ("s", f32(rng, 2, t, 3))], "input")
            rc, out = run([a.onnx_run, lib, "--inputs", case])
            ok = rc != 0 and "out of range" in out.lower()
            h.report(ok, f"zero_refused_dyn n={n} k={k} t={t} refused (dims out of range)", out)

    expand_cases(h)
    reshape_cases(h)

    # The C API: the header's workspace-size function, dim checks, the context.
    h.check_c_program(os.path.join(os.path.dirname(os.path.abspath(__file__)), "dyn_api.c"),
                      os.path.join(a.work, "cnn_dyn.so"),
                      "dyn_api (header workspace size, dim checks)")
    return h.finish()


if __name__ == "__main__":
    sys.exit(main())
