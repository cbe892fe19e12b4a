#!/usr/bin/python3
"""Models test: small models of the families real exports have, generated here with onnx's
helper API, compiled with onnx-compile, run with onnx-run, compared with references that
numpy computes independently (never with ONNX Runtime or the compiler itself).

    run_models.py --onnx-compile BIN --onnx-run BIN --work DIR [--filter SUBSTRING]

Families: a transformer block (LayerNormalization, attention Softmax, Erf GELU), an LSTM
with its initial states as model inputs and its final states as outputs, a model with If
(condition computed at run time, both branches exercised), a model with a local function
(attribute references, a nested call), a CNN with a Loop (carried feature map, scan output)
and a Scan (reverse, output axis 1), a Loop that ends on a computed condition with carried
values that swap, an opset 9 export with weights in Constant nodes
and the old attribute forms of Slice, Pad and Upsample, an OCR-style CRNN (CNN over images
of run-time width, bidirectional LSTM over the width, LogSoftmax) and a speech-style model
(strided Conv1D over a run-time time dim, GRU), each compiled once and run for several
sizes drawn at random.
"""
import argparse
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(20261122)
F = TensorProto.FLOAT


def rand(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def info(name, arr_or_shape, elem=F):
    shape = arr_or_shape.shape if hasattr(arr_or_shape, "shape") else arr_or_shape
    return helper.make_tensor_value_info(name, elem, list(shape))


def const(name, arr):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(arr, name))


ERF = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x):
    x = x.astype(np.float64)
    return x * 0.5 * (1.0 + ERF(x / math.sqrt(2.0)))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def layer_norm(x, g, b, eps=1e-5):
    x = x.astype(np.float64)
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def conv2d(x, w, b=None, pad=0):
    """NCHW convolution, stride 1, symmetric zero padding."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    oh, ow = h - kh + 1, wd - kw + 1
    out = np.zeros((n, m, oh, ow))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nchw,mc->nmhw", x[:, :, i:i + oh, j:j + ow], w[:, :, i, j])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


class Case:
    def __init__(self, name, model, datasets, rtol=1e-4, atol=1e-5):
        self.name, self.model, self.datasets, self.rtol, self.atol = name, model, datasets, rtol, atol


def make_model(nodes, name, inputs, outputs, opset=17, initializers=(), functions=(),
               extra_opsets=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    kwargs = {"functions": list(functions)} if functions else {}
    model = helper.make_model(graph, producer_name="onnx-compile-models", opset_imports=opsets,
                              **kwargs)
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


# ------------------------------------------------------------------ transformer block
def transformer():
    S, D, H = 8, 16, 2
    dh = D // H
    x = rand(1, S, D)
    w = {k: rand(D, D, scale=0.3) for k in ("q", "k", "v", "o")}
    bq = rand(D, scale=0.1)
    g1, b1, g2, b2 = rand(D) * 0.2 + 1, rand(D, scale=0.1), rand(D) * 0.2 + 1, rand(D, scale=0.1)
    w1, w2 = rand(D, 4 * D, scale=0.3), rand(4 * D, D, scale=0.3)
    inits = [numpy_helper.from_array(a, n) for n, a in [
        ("Wq", w["q"]), ("Wk", w["k"]), ("Wv", w["v"]), ("Wo", w["o"]), ("bq", bq),
        ("g1", g1), ("b1", b1), ("g2", g2), ("b2", b2), ("W1", w1), ("W2", w2),
        ("heads", np.array([1, S, H, dh], np.int64)), ("flat", np.array([1, S, D], np.int64)),
        ("scale", np.array(1 / math.sqrt(dh), np.float32)),
        ("sqrt2", np.array(math.sqrt(2), np.float32)), ("one", np.array(1, np.float32)),
        ("half", np.array(0.5, np.float32))]]
    n = helper.make_node
    nodes = [
        n("LayerNormalization", ["x", "g1", "b1"], ["ln1"], axis=-1, epsilon=1e-5),
        n("MatMul", ["ln1", "Wq"], ["q0"]), n("Add", ["q0", "bq"], ["q1"]),
        n("MatMul", ["ln1", "Wk"], ["k1"]), n("MatMul", ["ln1", "Wv"], ["v1"]),
        n("Reshape", ["q1", "heads"], ["q2"]), n("Transpose", ["q2"], ["q"], perm=[0, 2, 1, 3]),
        n("Reshape", ["k1", "heads"], ["k2"]), n("Transpose", ["k2"], ["kt"], perm=[0, 2, 3, 1]),
        n("Reshape", ["v1", "heads"], ["v2"]), n("Transpose", ["v2"], ["v"], perm=[0, 2, 1, 3]),
        n("MatMul", ["q", "kt"], ["s0"]), n("Mul", ["s0", "scale"], ["s1"]),
        n("Softmax", ["s1"], ["p"], axis=-1), n("MatMul", ["p", "v"], ["a0"]),
        n("Transpose", ["a0"], ["a1"], perm=[0, 2, 1, 3]), n("Reshape", ["a1", "flat"], ["a2"]),
        n("MatMul", ["a2", "Wo"], ["a3"]), n("Add", ["x", "a3"], ["r1"]),
        n("LayerNormalization", ["r1", "g2", "b2"], ["ln2"], axis=-1, epsilon=1e-5),
        n("MatMul", ["ln2", "W1"], ["f0"]), n("Div", ["f0", "sqrt2"], ["f1"]),
        n("Erf", ["f1"], ["f2"]), n("Add", ["f2", "one"], ["f3"]), n("Mul", ["f0", "f3"], ["f4"]),
        n("Mul", ["f4", "half"], ["f5"]), n("MatMul", ["f5", "W2"], ["f6"]),
        n("Add", ["r1", "f6"], ["y"])]
    model = make_model(nodes, "transformer", [info("x", x)], [info("y", (1, S, D))],
                       initializers=inits)
    # Reference.
    ln1 = layer_norm(x, g1, b1)
    def split(t):
        return t.reshape(1, S, H, dh).transpose(0, 2, 1, 3)
    q, k, v = split(ln1 @ w["q"] + bq), split(ln1 @ w["k"]), split(ln1 @ w["v"])
    p = softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh))
    a = (p @ v).transpose(0, 2, 1, 3).reshape(1, S, D) @ w["o"]
    r1 = x + a
    y = r1 + gelu(layer_norm(r1, g2, b2) @ w1) @ w2
    return Case("transformer_block", model, [([("x", x)], [("y", y)])])


# ------------------------------------------------------------------ LSTM with states
def lstm():
    T, B, I, Hd = 6, 2, 5, 4
    x, h0, c0 = rand(T, B, I), rand(1, B, Hd, scale=0.5), rand(1, B, Hd, scale=0.5)
    W, R, Bb = rand(1, 4 * Hd, I, scale=0.4), rand(1, 4 * Hd, Hd, scale=0.4), rand(1, 8 * Hd, scale=0.1)
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(R, "R"),
             numpy_helper.from_array(Bb, "B")]
    node = helper.make_node("LSTM", ["x", "W", "R", "B", "", "h0", "c0"], ["Y", "Yh", "Yc"],
                            hidden_size=Hd)
    model = make_model([node], "lstm_states",
                       [info("x", x), info("h0", h0), info("c0", c0)],
                       [info("Y", (T, 1, B, Hd)), info("Yh", (1, B, Hd)), info("Yc", (1, B, Hd))],
                       opset=14, initializers=inits)
    h, c = h0[0].astype(np.float64), c0[0].astype(np.float64)
    Wb, Rb = Bb[0, :4 * Hd], Bb[0, 4 * Hd:]
    ys = []
    for t in range(T):
        g = x[t] @ W[0].T + h @ R[0].T + Wb + Rb
        i, o, f, cc = (g[:, k * Hd:(k + 1) * Hd] for k in range(4))
        i, o, f, cc = sigmoid(i), sigmoid(o), sigmoid(f), np.tanh(cc)
        c = f * c + i * cc
        h = o * np.tanh(c)
        ys.append(h)
    Y = np.stack(ys)[:, None]
    return Case("lstm_states", model, [([("x", x), ("h0", h0), ("c0", c0)],
                                        [("Y", Y), ("Yh", h[None]), ("Yc", c[None])])])


# ------------------------------------------------------------------ RNNs over run-time lengths
# The sequence lengths of these cases are drawn anew on every run (LEN_RNG, its seed printed),
# so the compiled loop meets lengths its author did not pick.
LEN_SEED = int.from_bytes(os.urandom(4), "little")
LEN_RNG = np.random.default_rng(LEN_SEED)

ACTS = {"Sigmoid": sigmoid, "Tanh": np.tanh, "Relu": lambda v: np.maximum(v, 0),
        "LeakyRelu0.2": lambda v: np.where(v < 0, 0.2 * v, v)}


def rnn_reference(cell, x, W, R, B=None, lens=None, h0=None, c0=None, direction="forward",
                  layout=0, clip=None, acts=None, lbr=0):
    """ONNX RNN/GRU/LSTM in float64, step by step as the operator's definition reads."""
    x = x.astype(np.float64)
    if layout:
        x = x.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    T, Bn, _ = x.shape
    dirs = 2 if direction == "bidirectional" else 1
    Hd = R.shape[-1]
    G = {"RNN": 1, "GRU": 3, "LSTM": 4}[cell]
    per = {"RNN": 1, "GRU": 2, "LSTM": 3}[cell]
    if acts is None:
        acts = (["Tanh"] if cell == "RNN" else ["Sigmoid", "Tanh", "Tanh"][:per]) * dirs
    lens = np.full(Bn, T) if lens is None else lens
    cl = (lambda v: np.clip(v, -clip, clip)) if clip else (lambda v: v)
    Y = np.zeros((T, dirs, Bn, Hd))
    Hs, Cs = [], []
    for d in range(dirs):
        f = [ACTS[a] for a in acts[d * per:(d + 1) * per]]
        Wb = np.zeros(G * Hd) if B is None else B[d, :G * Hd]
        Rb = np.zeros(G * Hd) if B is None else B[d, G * Hd:]
        gs = lambda v, k: v[:, k * Hd:(k + 1) * Hd]
        h = np.zeros((Bn, Hd)) if h0 is None else h0[d].astype(np.float64)
        c = np.zeros((Bn, Hd)) if c0 is None else c0[d].astype(np.float64)
        reverse = direction == "reverse" or d == 1
        for b in range(Bn):
            hb, cb = h[b:b + 1].copy(), c[b:b + 1].copy()
            steps = range(lens[b] - 1, -1, -1) if reverse else range(lens[b])
            for t in steps:
                xt = x[t, b:b + 1]
                xw, hr = xt @ W[d].T + Wb, hb @ R[d].T + Rb
                if cell == "RNN":
                    hb = f[0](cl(xw + hr))
                elif cell == "GRU":
                    z = f[0](cl(gs(xw, 0) + gs(hr, 0)))
                    r = f[0](cl(gs(xw, 1) + gs(hr, 1)))
                    if lbr:
                        hh = f[1](cl(gs(xw, 2) + r * gs(hr, 2)))
                    else:
                        hh = f[1](cl(gs(xw, 2) + (r * hb) @ gs(R[d].T, 2) + gs(Rb[None], 2)))
                    hb = (1 - z) * hh + z * hb
                else:
                    g = xw + hr
                    i, o, fg, cc = (gs(g, k) for k in range(4))
                    i, fg, cc = f[0](cl(i)), f[0](cl(fg)), f[1](cl(cc))
                    cb = fg * cb + i * cc
                    hb = f[0](cl(o)) * f[2](cb)
                Y[t, d, b] = hb[0]
            h[b], c[b] = hb[0], cb[0]
        Hs.append(h)
        Cs.append(c)
    Hs, Cs = np.stack(Hs), np.stack(Cs)
    if layout:
        return Y.transpose(2, 0, 1, 3), Hs.transpose(1, 0, 2), Cs.transpose(1, 0, 2)
    return Y, Hs, Cs


def lstm_runtime_seq():
    """LSTM with a symbolic sequence dim, two layers' worth of states as inputs: compiled once,
    run at three sequence lengths drawn at random."""
    B, I, Hd = 2, 5, 8
    W, R = rand(1, 4 * Hd, I, scale=0.4), rand(1, 4 * Hd, Hd, scale=0.4)
    Bb = rand(1, 8 * Hd, scale=0.1)
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(R, "R"),
             numpy_helper.from_array(Bb, "B")]
    node = helper.make_node("LSTM", ["x", "W", "R", "B", "", "h0", "c0"], ["Y", "Yh", "Yc"],
                            hidden_size=Hd)
    model = make_model([node], "lstm_runtime_seq",
                       [info("x", ("seq", B, I)), info("h0", (1, B, Hd)), info("c0", (1, B, Hd))],
                       [info("Y", ("seq", 1, B, Hd)), info("Yh", (1, B, Hd)),
                        info("Yc", (1, B, Hd))], opset=14, initializers=inits)
    sets = []
    for T in LEN_RNG.integers(1, 40, size=3):
        x, h0, c0 = rand(T, B, I), rand(1, B, Hd, scale=0.5), rand(1, B, Hd, scale=0.5)
        Y, H, C = rnn_reference("LSTM", x, W, R, Bb, h0=h0, c0=c0)
        sets.append(([("x", x), ("h0", h0), ("c0", c0)], [("Y", Y), ("Yh", H), ("Yc", C)]))
    return Case("lstm_runtime_seq", model, sets)


def gru_bidirectional_lens():
    """Bidirectional GRU with sequence_lens, symbolic sequence and batch dims: entries shorter
    than the sequence output zeros past their length and keep their last valid state."""
    I, Hd = 3, 6
    W, R = rand(2, 3 * Hd, I, scale=0.5), rand(2, 3 * Hd, Hd, scale=0.5)
    Bb = rand(2, 6 * Hd, scale=0.2)
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(R, "R"),
             numpy_helper.from_array(Bb, "B")]
    node = helper.make_node("GRU", ["x", "W", "R", "B", "lens"], ["Y", "Yh"], hidden_size=Hd,
                            direction="bidirectional")
    model = make_model([node], "gru_bidirectional_lens",
                       [info("x", ("seq", "batch", I)), info("lens", ("batch",), TensorProto.INT32)],
                       [info("Y", ("seq", 2, "batch", Hd)), info("Yh", (2, "batch", Hd))],
                       opset=14, initializers=inits)
    sets = []
    for T, Bn in zip(LEN_RNG.integers(2, 30, size=3), LEN_RNG.integers(1, 5, size=3)):
        x = rand(T, Bn, I)
        lens = LEN_RNG.integers(1, T + 1, size=Bn).astype(np.int32)
        lens[0] = T  # One entry spans the whole sequence.
        Y, H, _ = rnn_reference("GRU", x, W, R, Bb, lens=lens, direction="bidirectional")
        sets.append(([("x", x), ("lens", lens)], [("Y", Y), ("Yh", H)]))
    return Case("gru_bidirectional_lens", model, sets)


def rnn_layout_reverse():
    """RNN, batch-major layout, reverse direction, clip and a LeakyRelu with its alpha; GRU with
    linear_before_reset in the same model, symbolic sequence dim."""
    B, I, Hd = 3, 4, 5
    W, R = rand(1, Hd, I, scale=0.6), rand(1, Hd, Hd, scale=0.6)
    Bb = rand(1, 2 * Hd, scale=0.3)
    Wg, Rg = rand(1, 3 * Hd, I, scale=0.5), rand(1, 3 * Hd, Hd, scale=0.5)
    Bg = rand(1, 6 * Hd, scale=0.3)
    inits = [numpy_helper.from_array(a, nm) for nm, a in
             [("W", W), ("R", R), ("B", Bb), ("Wg", Wg), ("Rg", Rg), ("Bg", Bg)]]
    n = helper.make_node
    nodes = [n("RNN", ["x", "W", "R", "B", "", "h0"], ["Y", "Yh"], hidden_size=Hd, layout=1,
               direction="reverse", clip=0.9, activations=["LeakyRelu"], activation_alpha=[0.2]),
             n("GRU", ["x", "Wg", "Rg", "Bg"], ["Yg"], hidden_size=Hd, layout=1,
               linear_before_reset=1)]
    model = make_model(nodes, "rnn_layout_reverse",
                       [info("x", (B, "seq", I)), info("h0", (B, 1, Hd))],
                       [info("Y", (B, "seq", 1, Hd)), info("Yh", (B, 1, Hd)),
                        info("Yg", (B, "seq", 1, Hd))], opset=14, initializers=inits)
    sets = []
    for T in LEN_RNG.integers(1, 25, size=2):
        x, h0 = rand(B, T, I), rand(B, 1, Hd, scale=0.5)
        Y, H, _ = rnn_reference("RNN", x, W, R, Bb, h0=h0, direction="reverse", layout=1,
                                clip=0.9, acts=["LeakyRelu0.2"])
        Yg, _, _ = rnn_reference("GRU", x, Wg, Rg, Bg, layout=1, lbr=1)
        sets.append(([("x", x), ("h0", h0)], [("Y", Y), ("Yh", H), ("Yg", Yg)]))
    return Case("rnn_layout_reverse", model, sets)


# ------------------------------------------------------------------ If
def if_model():
    D = 6
    W = rand(D, D, scale=0.5)
    n = helper.make_node
    then_g = helper.make_graph([n("MatMul", ["x", "W"], ["t0"]), n("Relu", ["t0"], ["t"])],
                               "then", [], [info("t", (1, D))])
    else_g = helper.make_graph([n("Neg", ["x"], ["e0"]), n("Sigmoid", ["e0"], ["e"])],
                               "else", [], [info("e", (1, D))])
    nodes = [n("ReduceSum", ["x"], ["s"], keepdims=0), n("Greater", ["s", "zero"], ["c"]),
             n("If", ["c"], ["y0"], then_branch=then_g, else_branch=else_g),
             n("Add", ["y0", "x"], ["y"])]
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(np.array(0, np.float32), "zero")]
    model = make_model(nodes, "if_model", [info("x", (1, D))], [info("y", (1, D))], opset=13,
                       initializers=inits)
    sets = []
    for sign in (1, -1):
        x = np.abs(rand(1, D)) * sign
        y = (np.maximum(x @ W, 0) if x.sum() > 0 else sigmoid(-x.astype(np.float64))) + x
        sets.append(([("x", x)], [("y", y)]))
    return Case("if_runtime", model, sets)


# ------------------------------------------------------------------ local function
def function_model():
    D = 5
    n = helper.make_node
    # local.affine_act(x, w) with attribute alpha: LeakyRelu(x @ w, alpha); a call without
    # alpha gets LeakyRelu's own default (0.01).
    alpha_ref = onnx.AttributeProto(name="alpha", ref_attr_name="alpha",
                                    type=onnx.AttributeProto.FLOAT)
    leaky = n("LeakyRelu", ["m"], ["y"])
    leaky.attribute.append(alpha_ref)
    affine = helper.make_function("local", "affine_act", ["x", "w"], ["y"],
                                  [n("MatMul", ["x", "w"], ["m"]), leaky],
                                  [helper.make_opsetid("", 13)], attributes=["alpha"])
    # local.block(x, w) calls affine_act twice (nested calls), the second with alpha=0.3.
    block = helper.make_function("local", "block", ["x", "w"], ["y"],
                                 [n("affine_act", ["x", "w"], ["a"], domain="local"),
                                  n("affine_act", ["a", "w"], ["b"], domain="local", alpha=0.3),
                                  n("Add", ["a", "b"], ["y"])],
                                 [helper.make_opsetid("", 13), helper.make_opsetid("local", 1)])
    W = rand(D, D, scale=0.6)
    x = rand(2, D)
    nodes = [n("block", ["x", "W"], ["y"], domain="local")]
    model = make_model(nodes, "function_model", [info("x", x)], [info("y", x)], opset=13,
                       initializers=[numpy_helper.from_array(W, "W")], functions=[affine, block],
                       extra_opsets=[("local", 1)])

    def lrelu(v, a):
        return np.where(v >= 0, v, a * v)
    a = lrelu(x.astype(np.float64) @ W, 0.01)
    b = lrelu(a @ W, 0.3)
    return Case("local_function", model, [([("x", x)], [("y", a + b)])])


# ------------------------------------------------------------------ CNN with Loop and Scan
def cnn_loop():
    C, Hh = 4, 6
    x = rand(1, 3, Hh, Hh)
    w0, b0 = rand(C, 3, 3, 3, scale=0.3), rand(C, scale=0.1)
    w1 = rand(C, C, 3, 3, scale=0.2)
    n = helper.make_node
    # Body: carried feature map f; f' = f + Relu(Conv(f, w1)); scan output: mean of f'.
    body = helper.make_graph(
        [n("Identity", ["cin"], ["cout"]),
         n("Conv", ["f", "W1"], ["g0"], pads=[1, 1, 1, 1]), n("Relu", ["g0"], ["g1"]),
         n("Add", ["f", "g1"], ["f2"]), n("ReduceMean", ["f2"], ["m"], axes=[2, 3], keepdims=0)],
        "body", [info("i", (), TensorProto.INT64), info("cin", (), TensorProto.BOOL),
                 info("f", (1, C, Hh, Hh))],
        [info("cout", (), TensorProto.BOOL), info("f2", (1, C, Hh, Hh)), info("m", (1, C))])
    # Scan body: running max over the loop's per-step means, read backwards, stacked on axis 1.
    scan_body = helper.make_graph(
        [n("Max", ["acc", "e"], ["acc2"]), n("Identity", ["acc2"], ["o"])],
        "scan_body", [info("acc", (1, C)), info("e", (1, C))],
        [info("acc2", (1, C)), info("o", (1, C))])
    nodes = [n("Conv", ["x", "W0", "B0"], ["c0"], pads=[1, 1, 1, 1]), n("Relu", ["c0"], ["f0"]),
             n("Loop", ["three", "", "f0"], ["fN", "means"], body=body),
             n("Scan", ["init", "means"], ["mx", "mxs"], body=scan_body, num_scan_inputs=1,
               scan_input_directions=[1], scan_output_axes=[1]),
             n("GlobalAveragePool", ["fN"], ["y"])]
    init = np.full((1, C), -1e9, np.float32)
    inits = [numpy_helper.from_array(a, nm) for nm, a in [
        ("W0", w0), ("B0", b0), ("W1", w1), ("three", np.array(3, np.int64)), ("init", init)]]
    model = make_model(nodes, "cnn_loop", [info("x", x)],
                       [info("y", (1, C, 1, 1)), info("means", (3, 1, C)), info("mx", (1, C)),
                        info("mxs", (1, 3, C))], opset=13, initializers=inits)
    f = np.maximum(conv2d(x, w0, b0, pad=1), 0)
    means = []
    for _ in range(3):
        f = f + np.maximum(conv2d(f, w1, pad=1), 0)
        means.append(f.mean(axis=(2, 3)))
    acc, outs = init.astype(np.float64), []
    for m in reversed(means):
        acc = np.maximum(acc, m)
        outs.append(acc)
    y = f.mean(axis=(2, 3), keepdims=True)
    return Case("cnn_loop_scan", model, [([("x", x)], [
        ("y", y), ("means", np.stack(means)), ("mx", acc), ("mxs", np.stack(outs, axis=1))])])


# ------------------------------------------------------------------ Loop ending on a condition
def loop_while():
    """Loop with a run-time trip count and a condition the body computes (scf.while), two
    carried values that swap places each step while one grows, and an outer value captured."""
    D = 4
    n = helper.make_node
    body = helper.make_graph(
        [n("Add", ["a", "step"], ["a2"]), n("Identity", ["b"], ["a_next"]),
         n("Identity", ["a2"], ["b_next"]),
         n("ReduceSum", ["a2"], ["s"], keepdims=0), n("Less", ["s", "limit"], ["cout"])],
        "body", [info("i", (), TensorProto.INT64), info("cin", (), TensorProto.BOOL),
                 info("a", (D,)), info("b", (D,))],
        [info("cout", (), TensorProto.BOOL), info("a_next", (D,)), info("b_next", (D,))])
    nodes = [n("Loop", ["m", "", "x", "y"], ["xa", "ya"], body=body)]
    step = np.abs(rand(D)) + 0.5
    limit = np.array(12.0, np.float32)
    inits = [numpy_helper.from_array(step, "step"), numpy_helper.from_array(limit, "limit")]
    model = make_model(nodes, "loop_while", [info("m", (), TensorProto.INT64), info("x", (D,)),
                                             info("y", (D,))],
                       [info("xa", (D,)), info("ya", (D,))], opset=13, initializers=inits)
    sets = []
    for trips in (7, 2):
        x, y = rand(D), rand(D)
        a, b = x.astype(np.float64), y.astype(np.float64)
        for _ in range(trips):
            a2 = a + step
            a, b = b, a2
            if not a2.sum() < limit:
                break
        sets.append(([("m", np.array(trips, np.int64)), ("x", x), ("y", y)],
                     [("xa", a), ("ya", b)]))
    return Case("loop_while_swap", model, sets)


# ------------------------------------------------------------------ opset 9 export
def opset9():
    x = rand(1, 2, 5, 5)
    w, b = rand(3, 2, 3, 3, scale=0.4), rand(3, scale=0.1)
    wf, bf = rand(3 * 4 * 4 * 4, 7, scale=0.1).T.copy(), rand(7, scale=0.1)
    n = helper.make_node
    nodes = [const("W", w), const("Bc", b), const("Wf", wf), const("Bf", bf),
             const("scales", np.array([1, 1, 2, 2], np.float32)),
             n("Conv", ["x", "W", "Bc"], ["c"]),                        # [1,3,3,3]
             n("Pad", ["c"], ["p"], pads=[0, 0, 1, 1, 0, 0, 1, 1], mode="constant", value=0.5),
             n("Slice", ["p"], ["s"], starts=[1, 1], ends=[5, 100], axes=[2, 3]),  # [1,3,4,4]
             n("Upsample", ["s", "scales"], ["u"], mode="nearest"),      # [1,3,8,8]
             n("MaxPool", ["u"], ["mp"], kernel_shape=[2, 2], strides=[2, 2]),  # [1,3,4,4]
             n("Unsqueeze", ["mp"], ["un"], axes=[0]),
             n("Squeeze", ["un"], ["sq"], axes=[0]),
             n("Concat", ["sq", "sq", "sq", "sq"], ["cat"], axis=1),    # [1,12,4,4]
             n("Flatten", ["cat"], ["fl"], axis=1),
             n("Gemm", ["fl", "Wf", "Bf"], ["y0"], transB=1),
             n("Softmax", ["y0"], ["y"], axis=1)]
    model = make_model(nodes, "opset9", [info("x", x)], [info("y", (1, 7))], opset=9)
    model.ir_version = 4
    c = conv2d(x, w, b)
    p = np.pad(c, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=0.5)
    s = p[:, :, 1:5, 1:]
    u = s.repeat(2, axis=2).repeat(2, axis=3)
    mp = u.reshape(1, 3, 4, 2, 4, 2).max(axis=(3, 5))
    cat = np.concatenate([mp] * 4, axis=1).reshape(1, -1)
    y = softmax(cat @ wf.T + bf, axis=1)
    return Case("opset9_constants", model, [([("x", x)], [("y", y)])])


# ------------------------------------------------------------------ OCR and speech (run-time width)
def max_pool(x, kh, kw):
    """NCHW max pooling, kernel = stride, no padding, floor (ONNX's default)."""
    n, c, h, w = x.shape
    oh, ow = h // kh, w // kw
    return x[:, :, :oh * kh, :ow * kw].reshape(n, c, oh, kh, ow, kw).max(axis=(3, 5))


def conv1d(x, w, b, pad, stride):
    """NCT convolution with symmetric zero padding."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad)))
    n, c, t = x.shape
    m, _, k = w.shape
    ot = (t - k) // stride + 1
    out = np.zeros((n, m, ot))
    for j in range(k):
        out += np.einsum("nct,mc->nmt", x[:, :, j:j + (ot - 1) * stride + 1:stride], w[:, :, j])
    return out + b.reshape(1, -1, 1)


def log_softmax(x, axis=-1):
    x = x.astype(np.float64)
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


def ocr_crnn():
    """An OCR-style CRNN over images of run-time width (and batch): Conv/Relu/MaxPool down to
    height 1, Squeeze + Transpose into a [width, batch, channels] sequence, a bidirectional
    LSTM over the width, the directions' outputs Transposed and Reshaped into features (to
    Concat(Shape(y)[0:2], [-1]), as exporters write view(T, B, -1)), MatMul + bias to the classes, LogSoftmax. Compiled once, run for several widths
    (and batches) drawn at random on every run."""
    H, C1, C2, Hd, K = 8, 4, 6, 5, 7
    w1, b1 = rand(C1, 1, 3, 3, scale=0.4), rand(C1, scale=0.1)
    w2, b2 = rand(C2, C1, 3, 3, scale=0.3), rand(C2, scale=0.1)
    W, R = rand(2, 4 * Hd, C2, scale=0.4), rand(2, 4 * Hd, Hd, scale=0.4)
    Bb = rand(2, 8 * Hd, scale=0.1)
    fc, fb = rand(2 * Hd, K, scale=0.5), rand(K, scale=0.1)
    n = helper.make_node
    nodes = [n("Conv", ["image", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
             n("Relu", ["c1"], ["r1"]),
             n("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2], name="pool1"),
             n("Conv", ["p1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], name="conv2"),
             n("Relu", ["c2"], ["r2"]),
             n("MaxPool", ["r2"], ["p2"], kernel_shape=[4, 1], strides=[4, 1], name="pool2"),
             n("Squeeze", ["p2", "axis2"], ["sq"], name="squeeze"),
             n("Transpose", ["sq"], ["seq"], perm=[2, 0, 1], name="to_seq"),
             n("LSTM", ["seq", "W", "R", "B"], ["Y"], hidden_size=Hd,
               direction="bidirectional", name="bilstm"),
             n("Transpose", ["Y"], ["Yt"], perm=[0, 2, 1, 3], name="dirs_last"),
             # The exporters' view(T, B, -1): the leading dims read back with Shape.
             n("Shape", ["Yt"], ["ys"], name="shape"),
             n("Slice", ["ys", "zero", "two"], ["tb"], name="lead_dims"),
             n("Concat", ["tb", "minus1"], ["flat"], axis=0, name="target"),
             n("Reshape", ["Yt", "flat"], ["feat"], name="features"),
             n("MatMul", ["feat", "fc"], ["logits0"], name="classifier"),
             n("Add", ["logits0", "fb"], ["logits"]),
             n("LogSoftmax", ["logits"], ["logp"], axis=-1, name="logp")]
    inits = [numpy_helper.from_array(a, nm) for nm, a in [
        ("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2), ("W", W), ("R", R), ("B", Bb),
        ("fc", fc), ("fb", fb), ("axis2", np.array([2], np.int64)),
        ("zero", np.array([0], np.int64)), ("two", np.array([2], np.int64)),
        ("minus1", np.array([-1], np.int64))]]
    model = make_model(nodes, "ocr_crnn", [info("image", ("batch", 1, H, "width"))],
                       [info("logp", (None, "batch", K))], opset=14, initializers=inits)
    sets = []
    for wd, bn in zip(LEN_RNG.integers(2, 48, size=3), LEN_RNG.integers(1, 3, size=3)):
        image = rand(bn, 1, H, wd)
        f = max_pool(np.maximum(conv2d(image, w1, b1, pad=1), 0), 2, 2)
        f = max_pool(np.maximum(conv2d(f, w2, b2, pad=1), 0), 4, 1)
        seq = f[:, :, 0, :].transpose(2, 0, 1)
        Y, _, _ = rnn_reference("LSTM", seq, W, R, Bb, direction="bidirectional")
        feat = Y.transpose(0, 2, 1, 3).reshape(Y.shape[0], bn, -1)
        sets.append(([("image", image)], [("logp", log_softmax(feat @ fc + fb))]))
    return Case("ocr_crnn", model, sets, rtol=1e-4, atol=2e-5)


def speech_conv_gru():
    """A speech-style model over a run-time time dim: features [batch, 8, time], a strided
    Conv1D (kernel 3, stride 2, pad 1) + Relu, Transpose to [time', batch, channels], a GRU,
    Squeeze of the direction axis, MatMul to the classes, Softmax. Compiled once, run for
    several lengths (and batches) drawn at random on every run."""
    Fe, C, Hd, K = 8, 6, 5, 4
    w, b = rand(C, Fe, 3, scale=0.3), rand(C, scale=0.1)
    W, R = rand(1, 3 * Hd, C, scale=0.5), rand(1, 3 * Hd, Hd, scale=0.5)
    Bb = rand(1, 6 * Hd, scale=0.2)
    fc = rand(Hd, K, scale=0.6)
    n = helper.make_node
    nodes = [n("Conv", ["feats", "w", "b"], ["c"], pads=[1, 1], strides=[2], name="conv1d"),
             n("Relu", ["c"], ["r"]),
             n("Transpose", ["r"], ["seq"], perm=[2, 0, 1], name="to_seq"),
             n("GRU", ["seq", "W", "R", "B"], ["Y", "Yh"], hidden_size=Hd, name="gru"),
             n("Squeeze", ["Y", "axis1"], ["h"], name="squeeze"),
             n("MatMul", ["h", "fc"], ["logits"], name="classifier"),
             n("Softmax", ["logits"], ["probs"], axis=-1, name="probs")]
    inits = [numpy_helper.from_array(a, nm) for nm, a in [
        ("w", w), ("b", b), ("W", W), ("R", R), ("B", Bb), ("fc", fc),
        ("axis1", np.array([1], np.int64))]]
    model = make_model(nodes, "speech_conv_gru", [info("feats", ("batch", Fe, "time"))],
                       [info("probs", (None, "batch", K)), info("Yh", (1, "batch", Hd))],
                       opset=14, initializers=inits)
    sets = []
    for t, bn in zip(LEN_RNG.integers(1, 60, size=3), LEN_RNG.integers(1, 4, size=3)):
        feats = rand(bn, Fe, t)
        r = np.maximum(conv1d(feats, w, b, pad=1, stride=2), 0)
        seq = r.transpose(2, 0, 1)
        Y, H, _ = rnn_reference("GRU", seq, W, R, Bb)
        sets.append(([("feats", feats)], [("probs", softmax(Y[:, 0] @ fc)), ("Yh", H)]))
    return Case("speech_conv_gru", model, sets)


CASES = [transformer, lstm, lstm_runtime_seq, gru_bidirectional_lens, rnn_layout_reverse,
         if_model, function_model, cnn_loop, loop_while, opset9,
         ocr_crnn, speech_conv_gru]


def write_case(case, root):
    folder = os.path.join(root, case.name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    onnx.save(case.model, os.path.join(folder, "model.onnx"))
    dirs = []
    for k, (ins, outs) in enumerate(case.datasets):
        d = os.path.join(folder, f"test_data_set_{k}")
        os.makedirs(d)
        for kind, tensors in (("input", ins), ("output", outs)):
            for i, (name, arr) in enumerate(tensors):
                arr = np.asarray(arr).astype(np.float32) if np.asarray(arr).dtype == np.float64 else arr
                with open(os.path.join(d, f"{kind}_{i}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(arr, name).SerializeToString())
        dirs.append(d)
    return folder, dirs


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--onnx-compile", required=True)
    p.add_argument("--onnx-run", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--filter", default="")
    args = p.parse_args()
    failed = 0
    ran = 0
    for make in CASES:
        case = make()
        if args.filter not in case.name:
            continue
        ran += 1
        folder, dirs = write_case(case, args.work)
        lib = os.path.join(folder, "model.so")
        r = subprocess.run([args.onnx_compile, "-q", os.path.join(folder, "model.onnx"), "-o", lib],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        if r.returncode != 0:
            print(f"FAIL {case.name}: compile failed (exit {r.returncode})\n{r.stdout.decode(errors='replace')}")
            failed += 1
            continue
        ok = True
        for d in dirs:
            r = subprocess.run([args.onnx_run, lib, "--inputs", d, "--expect", d,
                                "--rtol", repr(case.rtol), "--atol", repr(case.atol)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
            if r.returncode != 0:
                print(f"FAIL {case.name} ({os.path.basename(d)}): exit {r.returncode}\n"
                      f"{r.stdout.decode(errors='replace')}")
                ok = False
        if ok:
            print(f"PASS {case.name} ({len(dirs)} data set{'s' if len(dirs) > 1 else ''})")
        else:
            failed += 1
    print(f"{ran - failed} passed, {failed} failed (sequence lengths drawn with seed {LEN_SEED})")
    if ran == 0:
        print("no case matches the filter")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
