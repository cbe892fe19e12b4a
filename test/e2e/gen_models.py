#!/usr/bin/python3
"""Generates the end-to-end op test cases for onnx-compile.

    gen_models.py OUT_DIR [--filter SUBSTRING]

writes one folder per case:

    OUT_DIR/<case>/model.onnx
    OUT_DIR/<case>/test_data_set_0/input_<i>.pb, output_<i>.pb
    OUT_DIR/<case>/case.json      tolerances, extra onnx-compile flags, notes

The expected outputs come from the small numpy reference implementations below, never from
another ONNX runtime: the point is to check the compiler against the ONNX specification, not
against a second implementation that may share its mistakes. Only python3-onnx (1.12, no
onnx.reference) and numpy are needed.

Every generator function gets its own random generator, seeded from the function's name, so
adding or reordering cases elsewhere never changes the data of existing ones.
"""

import argparse
import itertools
import json
import math
import os
import shutil
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Floats are compared with |got - want| <= ATOL + RTOL * |want|; integer and bool outputs are
# always compared exactly by onnx-run.
RTOL, ATOL = 1e-4, 1e-5
# For transcendental functions: the compiled code may use its own polynomial approximations
# (or a libm with a different rounding) where the reference uses float64 numpy, so allow a
# few float32 ulps more.
LOOSE = dict(rtol=1e-3, atol=1e-4)

SEED = 20240611


# ---------------------------------------------------------------------------------------------
# Case description and serialization
# ---------------------------------------------------------------------------------------------

class Case:
    """One model with one set of inputs and the reference outputs.

    inputs/outputs/initializers are lists of (name, ndarray). Graph inputs and outputs are
    declared with the arrays' exact dtypes and shapes. `dims` overrides a graph input's
    declared dims (e.g. a symbolic batch) and `compile_args` adds onnx-compile flags.

    `unsupported` names a valid ONNX feature the compiler deliberately refuses today: the case
    then checks for a clean refusal (exit 1 with a diagnostic, no crash) and, should the
    compiler start accepting the model, still checks its results.
    """

    def __init__(self, name, nodes, inputs, outputs, *, opset=13, initializers=(),
                 rtol=RTOL, atol=ATOL, note="", dims=None, compile_args=(), unsupported="",
                 domains=()):
        self.name = name
        self.nodes = nodes
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.opset = opset
        self.initializers = list(initializers)
        self.rtol, self.atol = rtol, atol
        self.note = note
        self.dims = dims or {}
        self.compile_args = list(compile_args)
        self.unsupported = unsupported
        self.domains = list(domains)  # (domain, version) imported besides the default one.

    def model(self):
        def info(name, arr):
            dims = self.dims.get(name, list(arr.shape))
            return helper.make_tensor_value_info(
                name, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[arr.dtype], dims)

        graph = helper.make_graph(
            self.nodes, self.name,
            [info(n, a) for n, a in self.inputs],
            [info(n, a) for n, a in self.outputs],
            initializer=[numpy_helper.from_array(a, n) for n, a in self.initializers])
        model = helper.make_model(graph, producer_name="onnx-compile-e2e",
                                  opset_imports=[helper.make_opsetid("", self.opset)] +
                                  [helper.make_opsetid(d, v) for d, v in self.domains])
        # Validates the node signatures against the declared opset and runs ONNX's own shape
        # inference strictly, which catches a reference output with the wrong shape or dtype.
        try:
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:
            raise SystemExit(f"case {self.name}: the generated model is invalid: {e}")
        return model

    def write(self, root):
        folder = os.path.join(root, self.name)
        if os.path.exists(folder):
            shutil.rmtree(folder)  # No stale model.so from an earlier run.
        data = os.path.join(folder, "test_data_set_0")
        os.makedirs(data)
        onnx.save(self.model(), os.path.join(folder, "model.onnx"))
        for kind, tensors in (("input", self.inputs), ("output", self.outputs)):
            for i, (name, arr) in enumerate(tensors):
                with open(os.path.join(data, f"{kind}_{i}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(arr, name).SerializeToString())
        meta = {"rtol": self.rtol, "atol": self.atol, "compile_args": self.compile_args,
                "note": self.note, "opset": self.opset, "unsupported": self.unsupported}
        with open(os.path.join(folder, "case.json"), "w") as f:
            json.dump(meta, f, indent=1)


CASES = []


def case(fn):
    """Registers a generator function; it gets an RNG seeded from its name and returns one Case
    or a list of them."""
    CASES.append(fn)
    return fn


def rng_for(name):
    return np.random.default_rng(SEED ^ zlib.crc32(name.encode()))


def f32(rng, *shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def small_ints(rng, *shape, lo=-2, hi=2, dtype=np.float32):
    """Values from a tiny integer range, so that comparisons see many ties."""
    return rng.integers(lo, hi + 1, size=shape).astype(dtype)


def node(op, inputs, outputs=("y",), **attrs):
    return helper.make_node(op, list(inputs), list(outputs), **attrs)


def as_f32(x):
    return np.asarray(x).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# numpy reference implementations
# ---------------------------------------------------------------------------------------------

def ref_erf(x):
    return np.vectorize(math.erf)(x.astype(np.float64))


def ref_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def ref_log_softmax(x, axis):
    m = x - x.max(axis=axis, keepdims=True)
    return m - np.log(np.exp(m).sum(axis=axis, keepdims=True))


def ref_coerced_2d(fn, x, axis):
    """Opsets < 13 (Log)Softmax: flatten to [prod(dims[:axis]), prod(dims[axis:])], normalize
    each row, reshape back."""
    axis = axis % x.ndim
    rows = int(np.prod(x.shape[:axis]))
    return fn(x.reshape(rows, -1), 1).reshape(x.shape)


def ref_flatten(x, axis):
    axis = axis + x.ndim if axis < 0 else axis
    return x.reshape(int(np.prod(x.shape[:axis])), -1)


def ref_reshape(x, shape):
    """ONNX Reshape (allowzero=0): 0 copies the input dim, -1 is inferred."""
    out = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
    return x.reshape(out)


def ref_matmul(a, b):
    return np.matmul(a.astype(np.float64), b.astype(np.float64))


def ref_gemm(a, b, c, alpha=1.0, beta=1.0, trans_a=0, trans_b=0):
    a = a.astype(np.float64).T if trans_a else a.astype(np.float64)
    b = b.astype(np.float64).T if trans_b else b.astype(np.float64)
    y = alpha * (a @ b)
    if c is not None:
        y = y + beta * c.astype(np.float64)
    return y


def resolve_window(in_sizes, kernel, strides, dilations, pads, auto_pad, ceil_mode):
    """ONNX window geometry for one input: returns (out_sizes, pad_begin, pad_end).

    SAME_* pads so that out = ceil(in / stride); the odd unit of padding goes to the end for
    SAME_UPPER and to the beginning for SAME_LOWER. ceil_mode rounds the output size up but,
    as the current ONNX spec (and PyTorch/onnxruntime) say, drops a last window that would
    start in the right padding.
    """
    n = len(in_sizes)
    strides = strides or [1] * n
    dilations = dilations or [1] * n
    pads = pads or [0] * (2 * n)
    outs, pb, pe = [], list(pads[:n]), list(pads[n:])
    for i in range(n):
        eff_k = (kernel[i] - 1) * dilations[i] + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            out = -(-in_sizes[i] // strides[i])
            total = max(0, (out - 1) * strides[i] + eff_k - in_sizes[i])
            small = total // 2
            pb[i] = small if auto_pad == "SAME_UPPER" else total - small
            pe[i] = total - pb[i]
            outs.append(out)
            continue
        if auto_pad == "VALID":
            pb[i] = pe[i] = 0
        span = in_sizes[i] + pb[i] + pe[i] - eff_k
        if ceil_mode:
            out = -(-span // strides[i]) + 1
            if (out - 1) * strides[i] >= in_sizes[i] + pb[i]:
                out -= 1
        else:
            out = span // strides[i] + 1
        outs.append(out)
    return outs, pb, pe


def ref_conv(x, w, b=None, *, strides=None, dilations=None, pads=None, auto_pad="NOTSET",
             group=1):
    """N-d grouped convolution: zero-pad, then for every kernel offset take the strided slice
    of the input it multiplies and contract over the group's input channels."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    nsp = x.ndim - 2
    kernel = list(w.shape[2:])
    strides = strides or [1] * nsp
    dilations = dilations or [1] * nsp
    outs, pb, pe = resolve_window(list(x.shape[2:]), kernel, strides, dilations, pads,
                                  auto_pad, False)
    xp = np.pad(x, [(0, 0), (0, 0)] + list(zip(pb, pe)))
    n, c = x.shape[:2]
    m = w.shape[0]
    cg, mg = c // group, m // group
    y = np.zeros([n, m] + outs)
    for koff in itertools.product(*[range(k) for k in kernel]):
        sl = tuple(slice(k * d, k * d + (o - 1) * s + 1, s)
                   for k, d, o, s in zip(koff, dilations, outs, strides))
        patch = xp[(slice(None), slice(None)) + sl]  # [N, C, *out]
        for g in range(group):
            wk = w[(slice(g * mg, (g + 1) * mg), slice(None)) + koff]  # [M/G, C/G]
            y[:, g * mg:(g + 1) * mg] += np.einsum("nc...,mc->nm...",
                                                   patch[:, g * cg:(g + 1) * cg], wk)
    if b is not None:
        y += b.astype(np.float64).reshape([1, m] + [1] * nsp)
    return y


def ref_pool(x, mode, kernel, *, strides=None, dilations=None, pads=None, auto_pad="NOTSET",
             ceil_mode=0, count_include_pad=0):
    """Max/average pooling by visiting every output position.

    Window positions fall in three zones: inside the input, in the explicit (or auto_pad)
    padding, and past it (only with ceil_mode). Max ignores everything outside the input.
    Average divides by the positions inside the input, plus, with count_include_pad=1, those
    in the explicit padding; the ceil_mode overhang is never counted (onnxruntime and PyTorch
    behave the same way).
    """
    x = x.astype(np.float64)
    nsp = x.ndim - 2
    in_sizes = list(x.shape[2:])
    strides = strides or [1] * nsp
    dilations = dilations or [1] * nsp
    outs, pb, pe = resolve_window(in_sizes, kernel, strides, dilations, pads, auto_pad,
                                  ceil_mode)
    y = np.zeros(list(x.shape[:2]) + outs)
    for o in itertools.product(*[range(v) for v in outs]):
        inside, padded = [], 1
        for i in range(nsp):
            pos = [o[i] * strides[i] - pb[i] + k * dilations[i] for k in range(kernel[i])]
            inside.append([p for p in pos if 0 <= p < in_sizes[i]])
            padded *= sum(1 for p in pos if -pb[i] <= p < in_sizes[i] + pe[i])
        win = x[(slice(None), slice(None)) + np.ix_(*inside)]
        win = win.reshape(x.shape[0], x.shape[1], -1)
        if mode == "max":
            y[(slice(None), slice(None)) + o] = win.max(axis=2)
        else:
            count = padded if count_include_pad else win.shape[2]
            y[(slice(None), slice(None)) + o] = win.sum(axis=2) / count
    return y


def ref_batchnorm(x, scale, bias, mean, var, eps):
    shape = [1, -1] + [1] * (x.ndim - 2)
    x = x.astype(np.float64)
    r = lambda v: v.astype(np.float64).reshape(shape)
    return r(scale) * (x - r(mean)) / np.sqrt(r(var) + eps) + r(bias)


# ---------------------------------------------------------------------------------------------
# Elementwise unary
# ---------------------------------------------------------------------------------------------

def hard_sigmoid(x, alpha=0.2, beta=0.5):
    return np.clip(alpha * x + beta, 0, 1)


# name -> (op, attrs, input range or fixed values, reference, tolerance overrides, note)
UNARY = [
    ("relu", "Relu", {}, (-2, 2), lambda x: np.maximum(x, 0), {}, ""),
    ("sigmoid", "Sigmoid", {}, (-6, 6), lambda x: 1 / (1 + np.exp(-x)), LOOSE, "exp"),
    ("tanh", "Tanh", {}, (-3, 3), np.tanh, LOOSE, "libm tanh vs numpy"),
    ("exp", "Exp", {}, (-3, 3), np.exp, LOOSE, "libm exp vs numpy"),
    ("log", "Log", {}, (0.05, 5), np.log, LOOSE, "positive inputs only; libm log"),
    ("sqrt", "Sqrt", {}, (0.0, 5), np.sqrt, {}, "non-negative inputs"),
    ("neg", "Neg", {}, (-2, 2), np.negative, {}, ""),
    ("abs", "Abs", {}, (-2, 2), np.abs, {}, ""),
    ("erf", "Erf", {}, (-3, 3), ref_erf, LOOSE, "math.erf in float64 vs a float32 erf"),
    ("reciprocal", "Reciprocal", {}, None, lambda x: 1 / x, {}, "|x| in [0.5, 2]"),
    ("floor", "Floor", {}, None, np.floor, {}, "negatives, integers and halves"),
    ("ceil", "Ceil", {}, None, np.ceil, {}, "negatives, integers and halves"),
    ("sin", "Sin", {}, (-4, 4), np.sin, LOOSE, "libm sin"),
    ("cos", "Cos", {}, (-4, 4), np.cos, LOOSE, "libm cos"),
    ("softsign", "Softsign", {}, (-4, 4), lambda x: x / (1 + np.abs(x)), {}, ""),
    ("softplus", "Softplus", {}, (-5, 5), lambda x: np.log1p(np.exp(x)), LOOSE, "exp/log"),
    ("sign", "Sign", {}, None, np.sign, {}, "includes zeros"),
    ("round", "Round", {}, None, np.round, {}, "halves round to even"),
    ("hardswish", "HardSwish", {}, (-5, 5), lambda x: x * hard_sigmoid(x, 1 / 6, 0.5), {},
     "includes the kinks at -3 and 3"),
    ("leakyrelu_default", "LeakyRelu", {}, (-2, 2), lambda x: np.where(x < 0, 0.01 * x, x),
     {}, "alpha defaults to 0.01"),
    ("leakyrelu_alpha", "LeakyRelu", {"alpha": 0.2}, (-2, 2),
     lambda x: np.where(x < 0, 0.2 * x, x), {}, ""),
    ("elu_default", "Elu", {}, (-3, 3), lambda x: np.where(x < 0, np.expm1(x), x), LOOSE,
     "alpha defaults to 1; exp"),
    ("elu_alpha", "Elu", {"alpha": 0.5}, (-3, 3), lambda x: np.where(x < 0, 0.5 * np.expm1(x), x),
     LOOSE, "exp"),
    ("hardsigmoid_default", "HardSigmoid", {}, (-4, 4), hard_sigmoid, {},
     "alpha 0.2, beta 0.5 by default"),
    ("hardsigmoid_attrs", "HardSigmoid", {"alpha": 0.3, "beta": 0.4}, (-4, 4),
     lambda x: hard_sigmoid(x, 0.3, 0.4), {}, ""),
]


def unary_input(rng, name, rng_range):
    shape = (2, 3, 4)
    if rng_range is not None:
        x = f32(rng, *shape, lo=rng_range[0], hi=rng_range[1])
        if name == "hardswish":
            x.flat[:2] = [-3.0, 3.0]  # Where the clamp switches on and off.
        return x
    if name == "reciprocal":
        mag = rng.uniform(0.5, 2, size=shape)
        return as_f32(mag * rng.choice([-1, 1], size=shape))
    # Edge values first (integers, halves on both sides of zero), random fill after.
    edges = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -2.0, 0.0, 3.0, -0.0, 0.49, -0.51]
    x = f32(rng, *shape, lo=-3, hi=3).reshape(-1)
    x[:len(edges)] = edges
    return x.reshape(shape)


@case
def unary_cases(rng):
    out = []
    for name, op, attrs, rng_range, ref, tol, note in UNARY:
        x = unary_input(rng, name, rng_range)
        y = as_f32(ref(x.astype(np.float64)))
        out.append(Case(f"unary_{name}", [node(op, ["x"], **attrs)], [("x", x)], [("y", y)],
                        opset=14 if op == "HardSwish" else 13, note=note, **tol))
    return out


@case
def softplus_large(rng):
    # Naive log(exp(x) + 1) overflows float32 for x > ~88; the spec's function is ~x there.
    x = as_f32([[-100.0, -20.0, 0.0, 20.0, 50.0, 100.0]])
    return Case("unary_softplus_large_inputs", [node("Softplus", ["x"])], [("x", x)],
                [("y", as_f32(np.logaddexp(0, x.astype(np.float64))))], **LOOSE,
                note="numerical robustness: softplus must not overflow for large |x|")


@case
def not_bool(rng):
    x = rng.integers(0, 2, size=(3, 4)).astype(bool)
    return Case("unary_not", [node("Not", ["x"])], [("x", x)], [("y", ~x)])


# ---------------------------------------------------------------------------------------------
# Clip
# ---------------------------------------------------------------------------------------------

@case
def clip_cases(rng):
    x = f32(rng, 3, 4, lo=-2, hi=2)
    lo, hi = np.float32(-0.5), np.float32(0.7)
    return [
        Case("clip_13_min_max", [node("Clip", ["x", "min", "max"])], [("x", x)],
             [("y", np.clip(x, lo, hi))],
             initializers=[("min", np.array(lo)), ("max", np.array(hi))]),
        Case("clip_13_only_max", [node("Clip", ["x", "", "max"])], [("x", x)],
             [("y", np.minimum(x, hi))], initializers=[("max", np.array(hi))],
             note="min omitted with an empty input name"),
        Case("clip_13_only_min", [node("Clip", ["x", "min"])], [("x", x)],
             [("y", np.maximum(x, lo))], initializers=[("min", np.array(lo))]),
        Case("clip_13_no_bounds", [node("Clip", ["x"])], [("x", x)], [("y", x.copy())]),
        Case("clip_13_runtime_bounds", [node("Clip", ["x", "min", "max"])],
             [("x", x), ("min", np.array(lo)), ("max", np.array(hi))],
             [("y", np.clip(x, lo, hi))], note="min/max are graph inputs, not constants"),
        Case("clip_11_min_max", [node("Clip", ["x", "min", "max"])], [("x", x)],
             [("y", np.clip(x, lo, hi))], opset=11,
             initializers=[("min", np.array(lo)), ("max", np.array(hi))]),
        Case("clip_6_attrs", [node("Clip", ["x"], min=-0.5, max=0.7)], [("x", x)],
             [("y", np.clip(x, lo, hi))], opset=6),
        Case("clip_6_only_max_attr", [node("Clip", ["x"], max=0.7)], [("x", x)],
             [("y", np.minimum(x, hi))], opset=6),
    ]


# ---------------------------------------------------------------------------------------------
# Binary elementwise with broadcasting
# ---------------------------------------------------------------------------------------------

BROADCASTS = [  # suffix, shape of A, shape of B
    ("same", (2, 3, 4), (2, 3, 4)),
    ("bcast_last", (2, 3, 4), (4,)),
    ("bcast_both", (2, 1, 4), (3, 1)),
    ("scalar", (), (2, 3)),
]

BINARY = {
    "Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
    "Pow": np.power, "Max": np.maximum, "Min": np.minimum,
}


@case
def binary_cases(rng):
    out = []
    for op, fn in BINARY.items():
        for suffix, sa, sb in BROADCASTS:
            a = f32(rng, *sa, lo=-2, hi=2)
            b = f32(rng, *sb, lo=-2, hi=2)
            tol, note = {}, ""
            if op == "Div":
                b = as_f32(np.sign(b) * (np.abs(b) + 0.5))  # Keep away from 0.
            if op == "Pow":
                a = as_f32(np.abs(a) + 0.1)  # Non-integer exponents need a positive base.
                tol, note = LOOSE, "libm pow"
            y = as_f32(fn(a.astype(np.float64), b.astype(np.float64)))
            out.append(Case(f"{op.lower()}_{suffix}", [node(op, ["a", "b"])],
                            [("a", a), ("b", b)], [("y", y)], note=note, **tol))
    return out


@case
def pow_extra(rng):
    a = f32(rng, 3, 4, lo=-3, hi=3)
    e = as_f32([[2.0, 3.0, 0.0, 1.0]])
    return [
        Case("pow_negative_base_integer_exponents", [node("Pow", ["a", "e"])],
             [("a", a), ("e", e)], [("y", as_f32(np.power(a.astype(np.float64), e)))],
             **LOOSE, note="negative bases with integral float exponents are defined"),
        Case("pow_int64_exponent", [node("Pow", ["a", "e"])], [("a", a)],
             [("y", as_f32(np.power(a.astype(np.float64), 3)))],
             initializers=[("e", np.array(3, dtype=np.int64))], **LOOSE,
             note="opset 13 lets the exponent have an integer type (T1=float, T2=int64)"),
    ]


@case
def variadic_cases(rng):
    a = f32(rng, 2, 3, 4)
    b = f32(rng, 4)
    c = f32(rng, 3, 1)
    abc = [a, b, c]
    ins = [("a", a), ("b", b), ("c", c)]
    out = []
    for op, fn in (("Sum", lambda v: v[0] + v[1] + v[2]),
                   ("Mean", lambda v: (v[0] + v[1] + v[2]) / 3),
                   ("Max", lambda v: np.maximum(np.maximum(v[0], v[1]), v[2])),
                   ("Min", lambda v: np.minimum(np.minimum(v[0], v[1]), v[2]))):
        y = as_f32(fn([v.astype(np.float64) for v in abc]))
        out.append(Case(f"{op.lower()}_three_inputs_bcast", [node(op, ["a", "b", "c"])], ins,
                        [("y", y)]))
        out.append(Case(f"{op.lower()}_single_input", [node(op, ["a"])], [("a", a)],
                        [("y", a.copy())]))
    a2 = f32(rng, 2, 3)
    b2 = f32(rng, 2, 3)
    out.append(Case("mean_two_inputs", [node("Mean", ["a", "b"])], [("a", a2), ("b", b2)],
                    [("y", as_f32((a2.astype(np.float64) + b2) / 2))]))
    return out


# ---------------------------------------------------------------------------------------------
# Comparisons, Where, logical
# ---------------------------------------------------------------------------------------------

COMPARE = {"Equal": np.equal, "Less": np.less, "Greater": np.greater,
           "LessOrEqual": np.less_equal, "GreaterOrEqual": np.greater_equal}


@case
def compare_cases(rng):
    out = []
    for op, fn in COMPARE.items():
        a = small_ints(rng, 2, 3, 4)
        b = small_ints(rng, 2, 3, 4)
        out.append(Case(f"{op.lower()}_same", [node(op, ["a", "b"])], [("a", a), ("b", b)],
                        [("y", fn(a, b))], opset=16 if "Or" in op else 13,
                        note="small integer values so that ties occur"))
        b = small_ints(rng, 4)
        out.append(Case(f"{op.lower()}_bcast", [node(op, ["a", "b"])], [("a", a), ("b", b)],
                        [("y", fn(a, b))], opset=16 if "Or" in op else 13))
    for op in ("Equal", "Greater"):
        a = small_ints(rng, 3, 4, dtype=np.int64)
        b = small_ints(rng, 4, dtype=np.int64)
        out.append(Case(f"{op.lower()}_int64", [node(op, ["a", "b"])], [("a", a), ("b", b)],
                        [("y", COMPARE[op](a, b))]))
    return out


@case
def where_cases(rng):
    cond = rng.integers(0, 2, size=(3, 1)).astype(bool)
    x = f32(rng, 2, 3, 4)
    yv = f32(rng, 4)
    xi = rng.integers(-50, 50, size=(3, 4)).astype(np.int64)
    yi = np.array(7, dtype=np.int64)
    c2 = rng.integers(0, 2, size=(3, 4)).astype(bool)
    return [
        Case("where_bcast", [node("Where", ["c", "x", "z"])],
             [("c", cond), ("x", x), ("z", yv)], [("y", np.where(cond, x, yv))],
             note="[3,1] cond, [2,3,4] x, [4] y"),
        Case("where_int64", [node("Where", ["c", "x", "z"])],
             [("c", c2), ("x", xi), ("z", yi)], [("y", np.where(c2, xi, yi))]),
    ]


# ---------------------------------------------------------------------------------------------
# Cast
# ---------------------------------------------------------------------------------------------

@case
def cast_cases(rng):
    xf = as_f32(np.concatenate([[-2.7, -2.5, -0.5, -0.0, 0.0, 0.5, 2.5, 2.7, 99.9, -99.9],
                                rng.uniform(-100, 100, 14)]).reshape(4, 6))
    xi64 = np.concatenate([[0, -1, 1, 123456789, -(2 ** 40) - 1, 2 ** 31],
                           rng.integers(-1000, 1000, 6)]).astype(np.int64).reshape(3, 4)
    xb = as_f32([[0.0, -0.0, 1.0, -1.0, 1e-30, -3.5], [0.25, 0.0, 2.0, 0.0, -1e-3, 7.0]])
    xnan = as_f32([[np.nan, 0.0, -np.nan, 1.0]])
    xi32 = rng.integers(-1000, 1000, size=(3, 4)).astype(np.int32)
    xbool = rng.integers(0, 2, size=(3, 4)).astype(bool)
    T = TensorProto
    return [
        Case("cast_float_to_int32", [node("Cast", ["x"], to=T.INT32)], [("x", xf)],
             [("y", xf.astype(np.int32))], note="truncation toward zero"),
        Case("cast_float_to_int64", [node("Cast", ["x"], to=T.INT64)], [("x", xf)],
             [("y", xf.astype(np.int64))], note="truncation toward zero"),
        Case("cast_int64_to_float", [node("Cast", ["x"], to=T.FLOAT)], [("x", xi64)],
             [("y", xi64.astype(np.float32))], rtol=0, atol=0,
             note="exact: both round to nearest even"),
        Case("cast_int32_to_float", [node("Cast", ["x"], to=T.FLOAT)], [("x", xi32)],
             [("y", xi32.astype(np.float32))], rtol=0, atol=0),
        Case("cast_int32_to_int64", [node("Cast", ["x"], to=T.INT64)], [("x", xi32)],
             [("y", xi32.astype(np.int64))]),
        Case("cast_float_to_bool", [node("Cast", ["x"], to=T.BOOL)], [("x", xb)],
             [("y", xb.astype(bool))], note="any non-zero (even 1e-30) is true, -0.0 false"),
        Case("cast_float_nan_to_bool", [node("Cast", ["x"], to=T.BOOL)], [("x", xnan)],
             [("y", xnan.astype(bool))], note="NaN is non-zero, so true (numpy/C++ semantics)"),
        Case("cast_bool_to_float", [node("Cast", ["x"], to=T.FLOAT)], [("x", xbool)],
             [("y", xbool.astype(np.float32))]),
    ]


# ---------------------------------------------------------------------------------------------
# MatMul / Gemm
# ---------------------------------------------------------------------------------------------

@case
def matmul_cases(rng):
    shapes = [
        ("2d", (3, 4), (4, 5)),
        ("batched_same", (2, 3, 4), (2, 4, 5)),
        ("batched_bcast", (2, 1, 3, 4), (3, 4, 5)),
        ("batched_by_2d", (2, 3, 4), (4, 5)),
        ("1d_by_2d", (4,), (4, 5)),
        ("2d_by_1d", (3, 4), (4,)),
        ("1d_by_1d", (4,), (4,)),
        ("1d_by_batched", (4,), (2, 4, 5)),
    ]
    out = []
    for suffix, sa, sb in shapes:
        a, b = f32(rng, *sa), f32(rng, *sb)
        out.append(Case(f"matmul_{suffix}", [node("MatMul", ["a", "b"])],
                        [("a", a), ("b", b)], [("y", as_f32(ref_matmul(a, b)))]))
    # A long K with few outputs: the CUDA backend splits K in 4 slices, the last step partial.
    a, b = f32(rng, 5, 700), f32(rng, 700, 18)
    out.append(Case("matmul_deep_k", [node("MatMul", ["a", "b"])], [("a", a), ("b", b)],
                    [("y", as_f32(ref_matmul(a, b)))], rtol=1e-4, atol=1e-4))
    a, b = f32(rng, 3, 4), f32(rng, 4, 5)
    out.append(Case("matmul_weight_initializer", [node("MatMul", ["a", "b"])], [("a", a)],
                    [("y", as_f32(ref_matmul(a, b)))], initializers=[("b", b)]))
    return out


@case
def gemm_cases(rng):
    M, K, N = 3, 4, 5
    variants = [
        # suffix, transA, transB, alpha, beta, shape of C (None: no C), C as initializer
        ("c_vector", 0, 0, 1.0, 1.0, (N,), True),
        ("c_matrix", 0, 0, 1.0, 1.0, (M, N), False),
        ("c_scalar", 0, 0, 1.0, 1.0, (), True),
        ("c_column", 0, 0, 1.0, 1.0, (M, 1), True),
        ("c_one", 0, 0, 1.0, 1.0, (1,), True),
        ("no_c", 0, 0, 1.0, 1.0, None, True),
        ("transA", 1, 0, 1.0, 1.0, (N,), True),
        ("transB", 0, 1, 1.0, 1.0, (M, N), True),
        ("transAB_alpha_beta", 1, 1, 0.5, 2.0, (M, N), True),
        ("alpha_beta_no_c", 0, 0, 1.5, 3.0, None, True),
        ("beta_zero", 0, 0, 1.0, 0.0, (M, N), True),
    ]
    out = []
    for suffix, ta, tb, alpha, beta, c_shape, c_init in variants:
        a = f32(rng, *((K, M) if ta else (M, K)))
        b = f32(rng, *((N, K) if tb else (K, N)))
        c = f32(rng, *c_shape) if c_shape is not None else None
        attrs = {}
        if ta:
            attrs["transA"] = 1
        if tb:
            attrs["transB"] = 1
        if alpha != 1.0:
            attrs["alpha"] = alpha
        if beta != 1.0:
            attrs["beta"] = beta
        ins, inits = [("a", a)], [("b", b)]
        names = ["a", "b"]
        if c is not None:
            (inits if c_init else ins).append(("c", c))
            names.append("c")
        y = as_f32(ref_gemm(a, b, c, alpha, beta, ta, tb))
        out.append(Case(f"gemm_{suffix}", [node("Gemm", names, **attrs)], ins, [("y", y)],
                        initializers=inits))
    return out


@case
def blocked_gemm_cases(rng):
    """Weights larger than half of L2 (1 MB): the vector kernels block the columns and the
    reduction and pack the weights into panels at compile time (VectorizeContractions'
    chooseBlocking). Ragged everywhere (37 rows, 500 columns, 300 steps), with a bias and a
    Relu fused as epilogue on the last reduction block and transB (weights transposed then
    packed). Small integers: every sum is exact, so any misplaced element shows."""
    m, k, n = 37, 300, 500
    a, w, c = small_ints(rng, m, k), small_ints(rng, k, n), small_ints(rng, n)
    wt = np.ascontiguousarray(w.T)
    return [
        Case("blocked_matmul_add_relu_37x300x500",
             [node("MatMul", ["a", "w"], ["t"]), node("Add", ["t", "c"], ["u"]),
              node("Relu", ["u"], ["y"])], [("a", a)],
             [("y", as_f32(np.maximum(ref_matmul(a, w) + c, 0)))],
             initializers=[("w", w), ("c", c)]),
        Case("blocked_gemm_transB_37x300x500", [node("Gemm", ["a", "wt", "c"], transB=1)],
             [("a", a)], [("y", as_f32(ref_gemm(a, wt, c, trans_b=1)))],
             initializers=[("wt", wt), ("c", c)]),
    ]


@case
def blocked_computed_cases(rng):
    """A computed vector operand larger than half of L2: blocked the same way without packing,
    in blocks one tile wide shared by the threads, the last, shorter one under an scf.if
    (chooseBlocking). A MatMul of two inputs (ragged: 37 x 300 x 500) with a fused Relu, and
    a pointwise Conv on a 29x29 map (841 columns, 300 channels -> 37), the shape of
    resnet50's 512x28x28 -> 128 convs that motivated it. Small integers: exact sums."""
    m, k, n = 37, 300, 500
    a, b = small_ints(rng, m, k), small_ints(rng, k, n)
    x = small_ints(rng, 1, k, 29, 29)
    w = small_ints(rng, m, k, 1, 1)
    bias = small_ints(rng, m)
    return [
        Case("blocked_computed_matmul_relu_37x300x500",
             [node("MatMul", ["a", "b"], ["t"]), node("Relu", ["t"], ["y"])],
             [("a", a), ("b", b)], [("y", as_f32(np.maximum(ref_matmul(a, b), 0)))]),
        Case("blocked_computed_pointwise_conv_300x29x29_37",
             [node("Conv", ["x", "w", "bias"], ["y"])], [("x", x)],
             [("y", as_f32(ref_conv(x, w, bias)))], initializers=[("w", w), ("bias", bias)]),
    ]


# ---------------------------------------------------------------------------------------------
# Conv
# ---------------------------------------------------------------------------------------------

def conv_case(rng, name, x_shape, w_shape, bias=True, w_input=False, tol=None, **attrs):
    x = f32(rng, *x_shape)
    w = f32(rng, *w_shape)
    b = f32(rng, w_shape[0]) if bias else None
    y = ref_conv(x, w, b, strides=attrs.get("strides"), dilations=attrs.get("dilations"),
                 pads=attrs.get("pads"), auto_pad=attrs.get("auto_pad", "NOTSET"),
                 group=attrs.get("group", 1))
    names = ["x", "w"] + (["b"] if bias else [])
    inits = [("w", w)] if not w_input else []
    ins = [("x", x)] + ([("w", w)] if w_input else [])
    if bias:
        inits.append(("b", b))
    return Case(name, [node("Conv", names, **attrs)], ins, [("y", as_f32(y))],
                initializers=inits, **(tol or {}))


@case
def conv_cases(rng):
    return [
        conv_case(rng, "conv1d_pads_bias", (1, 2, 7), (3, 2, 3), pads=[1, 1]),
        conv_case(rng, "conv1d_stride_dilation", (2, 2, 11), (3, 2, 3), bias=False,
                  strides=[2], dilations=[2]),
        conv_case(rng, "conv2d_basic", (1, 3, 6, 6), (4, 3, 3, 3), kernel_shape=[3, 3]),
        conv_case(rng, "conv2d_no_bias", (1, 3, 5, 5), (2, 3, 3, 3), bias=False),
        conv_case(rng, "conv2d_pads_asym", (1, 2, 5, 6), (3, 2, 3, 3), pads=[1, 0, 2, 1]),
        conv_case(rng, "conv2d_strides_pads", (1, 2, 7, 7), (3, 2, 3, 3), strides=[2, 2],
                  pads=[1, 1, 1, 1]),
        conv_case(rng, "conv2d_strides_nonuniform", (2, 2, 7, 8), (3, 2, 2, 3),
                  strides=[1, 2]),
        conv_case(rng, "conv2d_dilations", (1, 2, 7, 7), (2, 2, 3, 3), dilations=[2, 2]),
        conv_case(rng, "conv2d_dilations_pads_strides", (1, 2, 8, 9), (2, 2, 3, 2),
                  dilations=[2, 3], pads=[2, 1, 1, 2], strides=[2, 1]),
        conv_case(rng, "conv2d_groups", (1, 4, 5, 5), (6, 2, 3, 3), group=2),
        conv_case(rng, "conv2d_depthwise", (1, 3, 6, 6), (3, 1, 3, 3), group=3,
                  pads=[1, 1, 1, 1]),
        conv_case(rng, "conv2d_depthwise_multiplier2", (1, 3, 5, 5), (6, 1, 3, 3), group=3),
        conv_case(rng, "conv2d_1x1", (2, 4, 3, 3), (5, 4, 1, 1)),
        # Strided 1x1 without padding: the input is subsampled, then the conv is pointwise
        # (odd sizes: the last row and column are read; non-uniform strides; 1-D and 3-D).
        conv_case(rng, "conv2d_1x1_strided", (2, 6, 9, 7), (5, 6, 1, 1), strides=[2, 2]),
        conv_case(rng, "conv2d_1x1_strides_3_1", (1, 4, 8, 5), (3, 4, 1, 1), strides=[3, 1],
                  bias=False),
        conv_case(rng, "conv1d_1x1_strided", (1, 3, 10), (4, 3, 1), strides=[4]),
        conv_case(rng, "conv3d_1x1_strided", (1, 2, 5, 4, 6), (3, 2, 1, 1, 1),
                  strides=[2, 3, 2]),
        conv_case(rng, "conv2d_1x1_strided_long_rows", (1, 3, 30, 29), (4, 3, 1, 1), strides=[2, 2]),
        conv_case(rng, "conv2d_1x1_strided_grouped", (1, 4, 6, 6), (6, 2, 1, 1), strides=[2, 2],
                  group=2),
        # in 6, k 3, s 2: out 3, total padding 1 (odd), so UPPER and LOWER differ.
        conv_case(rng, "conv2d_same_upper", (1, 2, 6, 6), (3, 2, 3, 3), strides=[2, 2],
                  auto_pad="SAME_UPPER"),
        conv_case(rng, "conv2d_same_lower", (1, 2, 6, 6), (3, 2, 3, 3), strides=[2, 2],
                  auto_pad="SAME_LOWER"),
        conv_case(rng, "conv2d_same_upper_k2", (1, 2, 5, 5), (2, 2, 2, 2),
                  auto_pad="SAME_UPPER"),
        conv_case(rng, "conv2d_same_lower_k2", (1, 2, 5, 5), (2, 2, 2, 2),
                  auto_pad="SAME_LOWER"),
        # k 2, dilation 3: effective kernel 4, total SAME padding 3 (odd) at stride 1.
        conv_case(rng, "conv2d_same_lower_dilated", (1, 2, 7, 7), (2, 2, 2, 2), dilations=[3, 3],
                  auto_pad="SAME_LOWER"),
        conv_case(rng, "conv2d_valid", (1, 2, 8, 7), (2, 2, 3, 3), strides=[2, 2],
                  auto_pad="VALID"),
        conv_case(rng, "conv2d_weights_as_input", (1, 2, 5, 5), (3, 2, 3, 3), w_input=True),
        # Small maps with many channels: tiles along the output channels (36: the last
        # vector masked), stored across channels.
        conv_case(rng, "conv2d_small_map_channel_vectors", (1, 16, 5, 5), (36, 16, 3, 3)),
        conv_case(rng, "conv2d_small_map_strided", (2, 8, 7, 7), (20, 8, 3, 3), strides=[2, 2],
                  pads=[1, 1, 1, 1]),
        # Few outputs and a long reduction (K = 1440 and 2 x 576): the CUDA backend splits K
        # across the block (8 and 4 slices, partial tiles and a partial last step of K).
        conv_case(rng, "conv2d_deep_small_map", (1, 160, 5, 5), (24, 160, 3, 3),
                  pads=[1, 1, 1, 1], tol=dict(rtol=1e-4, atol=1e-4)),
        conv_case(rng, "conv2d_deep_groups", (1, 128, 3, 3), (20, 64, 3, 3), group=2,
                  pads=[1, 1, 1, 1], tol=dict(rtol=1e-4, atol=1e-4)),
        conv_case(rng, "conv3d_pads_bias", (1, 2, 4, 5, 5), (3, 2, 2, 3, 3),
                  pads=[0, 1, 1, 1, 1, 1]),
        conv_case(rng, "conv3d_groups_strides", (1, 4, 5, 5, 5), (4, 2, 3, 3, 3), group=2,
                  strides=[2, 2, 2], bias=False),
    ]


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------

def pool_case(rng, name, op, x_shape, negative=False, **attrs):
    # All-negative inputs show whether padding leaks in as 0 instead of being ignored.
    x = f32(rng, *x_shape, lo=-3, hi=-0.5) if negative else f32(rng, *x_shape, lo=-2, hi=2)
    mode = "max" if op == "MaxPool" else "avg"
    y = ref_pool(x, mode, attrs["kernel_shape"], strides=attrs.get("strides"),
                 dilations=attrs.get("dilations"), pads=attrs.get("pads"),
                 auto_pad=attrs.get("auto_pad", "NOTSET"), ceil_mode=attrs.get("ceil_mode", 0),
                 count_include_pad=attrs.get("count_include_pad", 0))
    return Case(name, [node(op, ["x"], **attrs)], [("x", x)], [("y", as_f32(y))])


@case
def maxpool_cases(rng):
    M = "MaxPool"
    return [
        pool_case(rng, "maxpool2d_basic", M, (1, 2, 6, 6), kernel_shape=[2, 2], strides=[2, 2]),
        pool_case(rng, "maxpool2d_pads_negative_inputs", M, (1, 2, 5, 5), negative=True,
                  kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        pool_case(rng, "maxpool2d_pads_asym_strides", M, (2, 2, 7, 6), negative=True,
                  kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 0, 1]),
        # in 6, k 3, s 2: floor gives 2, ceil 3; the last window hangs one past the input.
        pool_case(rng, "maxpool2d_ceil", M, (1, 2, 6, 6), kernel_shape=[3, 3], strides=[2, 2],
                  ceil_mode=1),
        pool_case(rng, "maxpool2d_ceil_pads", M, (1, 1, 6, 7), negative=True,
                  kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1),
        pool_case(rng, "maxpool2d_dilations", M, (1, 2, 7, 7), kernel_shape=[2, 2],
                  dilations=[2, 2]),
        pool_case(rng, "maxpool2d_dilations_strides_pads", M, (1, 2, 8, 8), negative=True,
                  kernel_shape=[3, 2], dilations=[2, 3], strides=[2, 1], pads=[1, 2, 2, 1]),
        pool_case(rng, "maxpool2d_same_upper", M, (1, 2, 6, 6), negative=True,
                  kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"),
        pool_case(rng, "maxpool2d_same_lower", M, (1, 2, 6, 6), negative=True,
                  kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_LOWER"),
        pool_case(rng, "maxpool1d_pads_strides", M, (2, 3, 9), negative=True,
                  kernel_shape=[3], strides=[2], pads=[1, 1]),
        pool_case(rng, "maxpool1d_ceil_dilations", M, (1, 2, 10), kernel_shape=[2],
                  strides=[3], dilations=[2], ceil_mode=1),
        pool_case(rng, "maxpool3d_basic", M, (1, 2, 4, 4, 4), kernel_shape=[2, 2, 2],
                  strides=[2, 2, 2]),
    ] + [maxpool_int8(rng)]


def maxpool_int8(rng):
    # Integer MaxPool (opset 12+) must pad with the type's minimum, not 0.
    x = rng.integers(-128, 0, size=(1, 2, 5, 5)).astype(np.int8)
    y = ref_pool(x, "max", [3, 3], strides=[2, 2], pads=[1, 1, 1, 1]).astype(np.int8)
    return Case("maxpool2d_int8_pads", [node("MaxPool", ["x"], kernel_shape=[3, 3],
                                             strides=[2, 2], pads=[1, 1, 1, 1])],
                [("x", x)], [("y", y)], opset=12, note="all-negative int8 input")


@case
def avgpool_cases(rng):
    A = "AveragePool"
    return [
        pool_case(rng, "avgpool2d_basic", A, (1, 2, 6, 6), kernel_shape=[2, 2], strides=[2, 2]),
        pool_case(rng, "avgpool2d_pads_exclude", A, (1, 2, 5, 5), kernel_shape=[3, 3],
                  pads=[1, 1, 1, 1], count_include_pad=0),
        pool_case(rng, "avgpool2d_pads_include", A, (1, 2, 5, 5), kernel_shape=[3, 3],
                  pads=[1, 1, 1, 1], count_include_pad=1),
        pool_case(rng, "avgpool2d_pads_asym_strides_include", A, (1, 2, 7, 6),
                  kernel_shape=[3, 2], strides=[2, 2], pads=[2, 0, 0, 1], count_include_pad=1),
        pool_case(rng, "avgpool2d_ceil", A, (1, 2, 6, 6), kernel_shape=[3, 3], strides=[2, 2],
                  ceil_mode=1),
        pool_case(rng, "avgpool2d_ceil_pads_exclude", A, (1, 1, 6, 7), kernel_shape=[3, 3],
                  strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=0),
        # Explicit padding counts, the ceil_mode overhang does not (onnxruntime/PyTorch).
        pool_case(rng, "avgpool2d_ceil_pads_include", A, (1, 1, 6, 7), kernel_shape=[3, 3],
                  strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1),
        pool_case(rng, "avgpool2d_same_upper_exclude", A, (1, 2, 6, 6), kernel_shape=[3, 3],
                  strides=[2, 2], auto_pad="SAME_UPPER"),
        pool_case(rng, "avgpool1d_pads_exclude", A, (2, 3, 8), kernel_shape=[3], strides=[2],
                  pads=[1, 1]),
        pool_case(rng, "avgpool1d_pads_include", A, (2, 3, 8), kernel_shape=[3], strides=[2],
                  pads=[1, 1], count_include_pad=1),
        pool_case(rng, "avgpool3d_basic", A, (1, 2, 4, 4, 4), kernel_shape=[2, 2, 2],
                  strides=[2, 2, 2]),
    ]


@case
def global_pool_cases(rng):
    out = []
    for shape in ((2, 3, 4, 5), (2, 3, 7), (1, 2, 3, 3, 4)):
        x = f32(rng, *shape, lo=-3, hi=-0.5)
        axes = tuple(range(2, len(shape)))
        tag = f"{len(shape) - 2}d"
        out.append(Case(f"globalavgpool_{tag}", [node("GlobalAveragePool", ["x"])], [("x", x)],
                        [("y", as_f32(x.astype(np.float64).mean(axis=axes, keepdims=True)))]))
        out.append(Case(f"globalmaxpool_{tag}", [node("GlobalMaxPool", ["x"])], [("x", x)],
                        [("y", x.max(axis=axes, keepdims=True))],
                        note="all-negative input: the max must not start at 0"))
    return out


# ---------------------------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------------------------

@case
def batchnorm_cases(rng):
    out = []
    for name, opset, shape, eps, extra in (
            ("batchnorm_15_4d_eps", 15, (2, 3, 4, 5), 1e-3, {}),
            ("batchnorm_15_2d", 15, (4, 3), 1e-5, {}),
            ("batchnorm_9_3d", 9, (2, 3, 5), 1e-5, {}),
            ("batchnorm_7_spatial", 7, (2, 3, 4, 4), 1e-4, {"spatial": 1})):
        c = shape[1]
        x = f32(rng, *shape, lo=-3, hi=3)
        scale, bias, mean = f32(rng, c), f32(rng, c), f32(rng, c)
        var = f32(rng, c, lo=0.2, hi=2.0)
        attrs = dict(extra)
        if eps != 1e-5:
            attrs["epsilon"] = eps
        y = ref_batchnorm(x, scale, bias, mean, var, np.float32(eps))
        out.append(Case(name, [node("BatchNormalization", ["x", "s", "b", "m", "v"], **attrs)],
                        [("x", x)], [("y", as_f32(y))], opset=opset,
                        initializers=[("s", scale), ("b", bias), ("m", mean), ("v", var)]))
    return out


@case
def softmax_cases(rng):
    x = f32(rng, 2, 3, 4, lo=-3, hi=3)
    x64 = x.astype(np.float64)
    out = []
    for op, fn in (("Softmax", ref_softmax), ("LogSoftmax", ref_log_softmax)):
        low = op.lower()
        variants = [
            (f"{low}_13_axis1", 13, {"axis": 1}, fn(x64, 1), "normalizes along axis 1 only"),
            (f"{low}_13_default_axis", 13, {}, fn(x64, -1), "default axis is -1"),
            (f"{low}_11_axis1", 11, {"axis": 1}, ref_coerced_2d(fn, x64, 1),
             "coerce to [2, 12] and normalize each row"),
            (f"{low}_11_default_axis", 11, {}, ref_coerced_2d(fn, x64, 1),
             "default axis is 1, coerced to 2-D"),
            (f"{low}_11_axis0", 11, {"axis": 0}, ref_coerced_2d(fn, x64, 0),
             "coerce to [1, 24]: one softmax over everything"),
            (f"{low}_11_last_axis", 11, {"axis": 2}, fn(x64, 2),
             "last axis: same as the opset-13 form"),
            (f"{low}_11_axis_neg2", 11, {"axis": -2}, ref_coerced_2d(fn, x64, -2),
             "negative axis -2 is axis 1: coerced to [2, 12]"),
        ]
        for name, opset, attrs, y, note in variants:
            out.append(Case(name, [node(op, ["x"], **attrs)], [("x", x)], [("y", as_f32(y))],
                            opset=opset, note=note + "; exp/log", **LOOSE))
    # Attention-style masking: -inf entries get probability exactly 0.
    xm = f32(rng, 2, 5, lo=-3, hi=3)
    xm[0, 1] = xm[1, 3] = xm[1, 4] = -np.inf
    out.append(Case("softmax_13_masked_neg_inf", [node("Softmax", ["x"])], [("x", xm)],
                    [("y", as_f32(ref_softmax(xm.astype(np.float64), -1)))], **LOOSE,
                    note="-inf inputs give exact zeros"))
    return out


# ---------------------------------------------------------------------------------------------
# Data movement
# ---------------------------------------------------------------------------------------------

@case
def flatten_cases(rng):
    x = f32(rng, 2, 3, 4, 5)
    return [Case(f"flatten_axis{str(a).replace('-', 'm')}", [node("Flatten", ["x"], axis=a)],
                 [("x", x)], [("y", ref_flatten(x, a))])
            for a in (0, 1, 2, 4, -1)] + [
        Case("flatten_default_axis", [node("Flatten", ["x"])], [("x", x)],
             [("y", ref_flatten(x, 1))])]


@case
def reshape_cases(rng):
    x = f32(rng, 2, 3, 4)
    x4 = f32(rng, 2, 3, 4, 5)
    i64 = lambda v: np.array(v, dtype=np.int64)
    return [
        Case("reshape_13_zero_neg1", [node("Reshape", ["x", "s"])], [("x", x)],
             [("y", ref_reshape(x, [0, -1]))], initializers=[("s", i64([0, -1]))]),
        Case("reshape_13_neg1_middle", [node("Reshape", ["x", "s"])], [("x", x)],
             [("y", ref_reshape(x, [2, -1, 2]))], initializers=[("s", i64([2, -1, 2]))]),
        Case("reshape_13_zeros_keep_prefix", [node("Reshape", ["x", "s"])], [("x", x4)],
             [("y", ref_reshape(x4, [0, 0, -1]))], initializers=[("s", i64([0, 0, -1]))]),
        Case("reshape_13_to_1d", [node("Reshape", ["x", "s"])], [("x", x)],
             [("y", x.reshape(-1))], initializers=[("s", i64([-1]))]),
        Case("reshape_13_add_dims", [node("Reshape", ["x", "s"])], [("x", x)],
             [("y", x.reshape(1, 6, 1, 4))], initializers=[("s", i64([1, 6, 1, 4]))]),
        Case("reshape_5_shape_input", [node("Reshape", ["x", "s"])], [("x", x)],
             [("y", ref_reshape(x, [4, 0, -1]))], initializers=[("s", i64([4, 0, -1]))],
             opset=5, note="first opset with the shape as an input; 0 copies dim 1 (3)"),
        Case("reshape_1_shape_attr", [node("Reshape", ["x"], shape=[3, -1])], [("x", x)],
             [("y", x.reshape(3, -1))], opset=1, note="opset < 5 form: shape is an attribute"),
    ]


@case
def concat_cases(rng):
    a, b, c, d = f32(rng, 2, 1, 4), f32(rng, 2, 3, 4), f32(rng, 2, 2, 4), f32(rng, 2, 3, 2)
    ai = rng.integers(-9, 9, (2, 3)).astype(np.int64)
    bi = rng.integers(-9, 9, (1, 3)).astype(np.int64)
    return [
        Case("concat_axis1_three", [node("Concat", ["a", "b", "c"], axis=1)],
             [("a", a), ("b", b), ("c", c)], [("y", np.concatenate([a, b, c], 1))]),
        Case("concat_negative_axis", [node("Concat", ["a", "b"], axis=-1)],
             [("a", b), ("b", d)], [("y", np.concatenate([b, d], -1))]),
        Case("concat_axis0_initializer", [node("Concat", ["a", "w"], axis=0)], [("a", a)],
             [("y", np.concatenate([a, c[:, :1]], 0))], initializers=[("w", c[:, :1].copy())]),
        Case("concat_int64", [node("Concat", ["a", "b"], axis=0)], [("a", ai), ("b", bi)],
             [("y", np.concatenate([ai, bi], 0))]),
        Case("concat_4_axis1", [node("Concat", ["a", "b"], axis=1)], [("a", a), ("b", b)],
             [("y", np.concatenate([a, b], 1))], opset=4),
    ]


@case
def transpose_cases(rng):
    x3 = f32(rng, 2, 3, 4)
    x4 = f32(rng, 2, 3, 4, 5)
    return [
        Case("transpose_default_3d", [node("Transpose", ["x"])], [("x", x3)],
             [("y", x3.transpose().copy())], note="no perm: reverse the dims"),
        Case("transpose_perm_nchw_to_nhwc", [node("Transpose", ["x"], perm=[0, 2, 3, 1])],
             [("x", x4)], [("y", x4.transpose(0, 2, 3, 1).copy())]),
        Case("transpose_perm_201", [node("Transpose", ["x"], perm=[2, 0, 1])], [("x", x3)],
             [("y", x3.transpose(2, 0, 1).copy())]),
        Case("transpose_2d_default", [node("Transpose", ["x"])], [("x", x3[0].copy())],
             [("y", x3[0].T.copy())]),
    ]


@case
def identity_dropout_cases(rng):
    x = f32(rng, 2, 3, 4)
    return [
        Case("identity", [node("Identity", ["x"])], [("x", x)], [("y", x.copy())]),
        Case("dropout_13_inference", [node("Dropout", ["x"])], [("x", x)], [("y", x.copy())]),
        Case("dropout_13_ratio_training_false", [node("Dropout", ["x", "r", "t"])], [("x", x)],
             [("y", x.copy())], initializers=[("r", np.array(0.5, dtype=np.float32)),
                                              ("t", np.array(False))],
             note="training_mode is a constant false: identity"),
        Case("dropout_10_ratio_attr", [node("Dropout", ["x"], ratio=0.3)], [("x", x)],
             [("y", x.copy())], opset=10),
    ]


@case
def constant_cases(rng):
    x = f32(rng, 2, 3)
    cval = f32(rng, 2, 3)
    return [
        Case("constant_tensor_add",
             [node("Constant", [], ["c"], value=numpy_helper.from_array(cval)),
              node("Add", ["x", "c"])], [("x", x)], [("y", x + cval)]),
        Case("constant_value_float_mul",
             [node("Constant", [], ["c"], value_float=2.5), node("Mul", ["x", "c"])],
             [("x", x)], [("y", as_f32(x * np.float32(2.5)))]),
        Case("constant_value_ints_reshape",
             [node("Constant", [], ["s"], value_ints=[3, 2]), node("Reshape", ["x", "s"])],
             [("x", x)], [("y", x.reshape(3, 2))]),
        Case("constant_only_output",
             [node("Constant", [], ["c"], value=numpy_helper.from_array(cval)),
              node("Identity", ["c"]), node("Add", ["x", "x"], ["z"])], [("x", x)],
             [("y", cval.copy()), ("z", x + x)],
             note="an output that depends on no input"),
    ]


# ---------------------------------------------------------------------------------------------
# Integer arithmetic and legacy broadcasting
# ---------------------------------------------------------------------------------------------

@case
def integer_cases(rng):
    a = rng.integers(-1000, 1000, size=(2, 3, 4)).astype(np.int64)
    b = rng.integers(-1000, 1000, size=(4,)).astype(np.int64)
    big = np.array([[2 ** 40, -(2 ** 40) + 3, 7]], dtype=np.int64)
    a32 = rng.integers(-1000, 1000, size=(3, 4)).astype(np.int32)
    b32 = rng.integers(-1000, 1000, size=(3, 1)).astype(np.int32)
    pa = rng.integers(1, 1000, size=(3, 4)).astype(np.int64)
    pb = rng.integers(1, 20, size=(4,)).astype(np.int64)
    return [
        Case("add_int64_bcast", [node("Add", ["a", "b"])], [("a", a), ("b", b)],
             [("y", a + b)]),
        Case("mul_int64_bcast", [node("Mul", ["a", "b"])], [("a", a), ("b", b)],
             [("y", a * b)]),
        Case("add_int64_wide_values", [node("Add", ["a", "b"])], [("a", big), ("b", big)],
             [("y", big + big)], note="values beyond 32 bits"),
        Case("sub_int64", [node("Sub", ["a", "b"])], [("a", a), ("b", b)], [("y", a - b)]),
        Case("div_int64_positive", [node("Div", ["a", "b"])], [("a", pa), ("b", pb)],
             [("y", pa // pb)], note="positive operands only: floor and truncating "
                                     "division agree there"),
        Case("max_int64", [node("Max", ["a", "b"])], [("a", a), ("b", b)],
             [("y", np.maximum(a, b))]),
        Case("neg_int64", [node("Neg", ["a"])], [("a", a)], [("y", -a)]),
        Case("abs_int32", [node("Abs", ["a"])], [("a", a32)], [("y", np.abs(a32))]),
        Case("add_int32_bcast", [node("Add", ["a", "b"])], [("a", a32), ("b", b32)],
             [("y", a32 + b32)]),
    ]


@case
def legacy_broadcast_cases(rng):
    a = f32(rng, 2, 3, 4, 5)
    b34 = f32(rng, 3, 4)
    b5 = f32(rng, 5)
    b2 = f32(rng, 2)
    return [
        Case("add_6_broadcast_axis1", [node("Add", ["a", "b"], broadcast=1, axis=1)],
             [("a", a), ("b", b34)], [("y", a + b34.reshape(1, 3, 4, 1))], opset=6,
             note="B [3,4] aligned with A's dims 1..2"),
        Case("add_6_broadcast_suffix", [node("Add", ["a", "b"], broadcast=1)],
             [("a", a), ("b", b5)], [("y", a + b5)], opset=6,
             note="no axis: B matches A's trailing dims"),
        Case("sub_6_broadcast_axis0", [node("Sub", ["a", "b"], broadcast=1, axis=0)],
             [("a", a), ("b", b2)], [("y", a - b2.reshape(2, 1, 1, 1))], opset=6),
        Case("mul_6_same_shape", [node("Mul", ["a", "b"])], [("a", b34), ("b", b34 * 2)],
             [("y", b34 * (b34 * 2))], opset=6),
    ]


@case
def integer_op_cases(rng):
    """Integer variants the ops accept besides plain arithmetic: each takes a different
    lowering path (integer min/max, integer pow, integer matmul)."""
    a = rng.integers(-20, 20, size=(3, 4)).astype(np.int64)
    b = rng.integers(-20, 20, size=(4, 5)).astype(np.int64)
    base = rng.integers(-4, 5, size=(3, 4)).astype(np.int64)
    exp = rng.integers(0, 4, size=(4,)).astype(np.int64)
    i32 = rng.integers(-10, 10, size=(3, 4)).astype(np.int32)
    lo, hi = np.array(-5, dtype=np.int64), np.array(7, dtype=np.int64)
    return [
        Case("clip_int64", [node("Clip", ["x", "lo", "hi"])], [("x", a)],
             [("y", np.clip(a, lo, hi))], initializers=[("lo", lo), ("hi", hi)]),
        Case("pow_int64", [node("Pow", ["a", "e"])], [("a", base), ("e", exp)],
             [("y", np.power(base, exp))], note="non-negative integer exponents"),
        Case("matmul_int64", [node("MatMul", ["a", "b"])], [("a", a), ("b", b)],
             [("y", a @ b)]),
        Case("gemm_int64_c_vector", [node("Gemm", ["a", "b", "c"])], [("a", a), ("b", b)],
             [("y", a @ b + b[0])], initializers=[("c", b[0].copy())], opset=11),
        Case("relu_int32", [node("Relu", ["x"])], [("x", i32)], [("y", np.maximum(i32, 0))],
             opset=14, note="Relu takes integers since opset 14"),
        Case("sign_int64", [node("Sign", ["x"])], [("x", a)], [("y", np.sign(a))]),
        Case("equal_bool", [node("Equal", ["a", "b"])],
             [("a", a > 0), ("b", np.zeros((4,), dtype=bool))], [("y", ~(a > 0))],
             opset=11),
    ]


@case
def narrow_and_unsigned_cases(rng):
    """Unsigned types must be zero-extended and compared/divided unsigned; narrow signed types
    must be sign-extended. Values are chosen past the signed range of each type."""
    u8 = np.concatenate([[0, 1, 127, 128, 200, 255], rng.integers(0, 256, 6)]).astype(
        np.uint8).reshape(3, 4)
    u8b = rng.integers(0, 256, size=(4,)).astype(np.uint8)
    i8 = np.concatenate([[-128, -1, 0, 127], rng.integers(-128, 128, 8)]).astype(
        np.int8).reshape(3, 4)
    u16 = np.array([[0, 1, 40000, 65535]], dtype=np.uint16)
    u32 = np.array([[3_000_000_000, 4_000_000_000, 7, 2_147_483_648]], dtype=np.uint32)
    u32d = np.array([7, 3, 2, 1_000_000], dtype=np.uint32)
    f_u8 = as_f32([[0.0, 1.7, 127.9, 128.2, 200.5, 255.0]])
    T = TensorProto
    return [
        Case("cast_uint8_to_float", [node("Cast", ["x"], to=T.FLOAT)], [("x", u8)],
             [("y", u8.astype(np.float32))]),
        Case("cast_float_to_uint8", [node("Cast", ["x"], to=T.UINT8)], [("x", f_u8)],
             [("y", f_u8.astype(np.uint8))], note="in-range values, truncation"),
        Case("cast_int8_to_int32", [node("Cast", ["x"], to=T.INT32)], [("x", i8)],
             [("y", i8.astype(np.int32))]),
        Case("cast_uint16_to_int64", [node("Cast", ["x"], to=T.INT64)], [("x", u16)],
             [("y", u16.astype(np.int64))]),
        Case("greater_uint8", [node("Greater", ["a", "b"])], [("a", u8), ("b", u8b)],
             [("y", u8 > u8b)]),
        Case("max_uint8", [node("Max", ["a", "b"])], [("a", u8), ("b", u8b)],
             [("y", np.maximum(u8, u8b))]),
        Case("div_uint32", [node("Div", ["a", "b"])], [("a", u32), ("b", u32d)],
             [("y", u32 // u32d)], note="dividends >= 2^31: signed division would differ"),
        Case("concat_transpose_uint8",
             [node("Concat", ["a", "a"], ["c"], axis=0), node("Transpose", ["c"], perm=[1, 0])],
             [("a", u8)], [("y", np.concatenate([u8, u8], axis=0).T)],
             note="data movement only: ui8 is carried as i8"),
        Case("pad_uint8", [node("Pad", ["x", "p", "v"])], [("x", u8)],
             [("y", np.pad(u8, ((1, 0), (0, 2)), constant_values=200))],
             initializers=[("p", np.array([1, 0, 0, 2], dtype=np.int64)),
                           ("v", np.array(200, dtype=np.uint8))],
             note="pad value past the signed range"),
        Case("add_int8", [node("Add", ["a", "b"])], [("a", i8 // 2), ("b", i8 // 4)],
             [("y", i8 // 2 + i8 // 4)], opset=14,
             note="sums stay within int8; Add takes int8 since opset 14"),
    ]


@case
def float64_float16_cases(rng):
    a = rng.uniform(-2, 2, size=(3, 4))
    b = rng.uniform(-2, 2, size=(4, 5))
    x = f32(rng, 3, 4, lo=-100, hi=100)
    h = f32(rng, 3, 4, lo=-4, hi=4).astype(np.float16)
    T = TensorProto
    return [
        Case("add_float64", [node("Add", ["a", "b"])], [("a", a), ("b", a[0] * 3)],
             [("y", a + a[0] * 3)], rtol=1e-12, atol=1e-12, note="double precision kept"),
        Case("matmul_float64", [node("MatMul", ["a", "b"])], [("a", a), ("b", b)],
             [("y", a @ b)], rtol=1e-12, atol=1e-12),
        Case("exp_float64", [node("Exp", ["a"])], [("a", a)], [("y", np.exp(a))],
             rtol=1e-10, atol=1e-12, note="must not go through float32"),
        Case("cast_float_to_double", [node("Cast", ["x"], to=T.DOUBLE)], [("x", x)],
             [("y", x.astype(np.float64))], rtol=0, atol=0),
        Case("cast_double_to_float", [node("Cast", ["x"], to=T.FLOAT)], [("x", a)],
             [("y", a.astype(np.float32))], rtol=0, atol=0, note="round to nearest"),
        Case("cast_float_to_float16", [node("Cast", ["x"], to=T.FLOAT16)], [("x", x)],
             [("y", x.astype(np.float16))], rtol=0, atol=0, note="round to nearest even"),
        Case("add_float16", [node("Add", ["a", "b"])], [("a", h), ("b", h[::-1].copy())],
             [("y", (h + h[::-1]).astype(np.float16))], rtol=1e-3, atol=1e-3,
             note="half precision: one f16 rounding"),
    ]


# ---------------------------------------------------------------------------------------------
# Small graphs
# ---------------------------------------------------------------------------------------------

@case
def graph_cases(rng):
    x = f32(rng, 2, 3, 8, 8)
    w = f32(rng, 4, 3, 3, 3, lo=-0.5, hi=0.5)
    b = f32(rng, 4)
    fc = f32(rng, 10, 4 * 4 * 4, lo=-0.3, hi=0.3)
    fcb = f32(rng, 10)
    h = np.maximum(ref_conv(x, w, b, pads=[1, 1, 1, 1]), 0)
    h = ref_pool(h, "max", [2, 2], strides=[2, 2])
    h = h.reshape(2, -1)
    logits = ref_gemm(h, fc, fcb, trans_b=1)
    probs = ref_softmax(logits, 1)

    xm = f32(rng, 3, 4)
    dyn = f32(rng, 2, 5)
    res_x, res_w, res_b = f32(rng, 1, 24, 3, 3), f32(rng, 40, 24, 3, 3), f32(rng, 40)
    res_r = f32(rng, 1, 40, 3, 3)
    res_y = np.maximum(ref_conv(res_x, res_w, res_b, pads=[1, 1, 1, 1]) + res_r, 0)
    return [
        Case("graph_small_cnn",
             [node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
              node("Relu", ["c"], ["r"]),
              node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
              node("Flatten", ["p"], ["f"]),
              node("Gemm", ["f", "fc", "fcb"], ["g"], transB=1),
              node("Softmax", ["g"], ["y"], axis=1)],
             [("x", x)], [("y", as_f32(probs))],
             initializers=[("w", w), ("b", b), ("fc", fc), ("fcb", fcb)], **LOOSE,
             note="Conv-Relu-MaxPool-Flatten-Gemm-Softmax; exp"),
        Case("graph_conv_residual_relu_small_map",
             [node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
              node("Add", ["c", "r"], ["a"]),
              node("Relu", ["a"], ["y"])],
             [("x", res_x), ("r", res_r)], [("y", as_f32(res_y))],
             initializers=[("w", res_w), ("b", res_b)],
             note="residual epilogue read and stored across channels"),
        Case("graph_two_outputs_shared_input",
             [node("Relu", ["x"], ["y"]), node("Neg", ["x"], ["z"])],
             [("x", xm)], [("y", np.maximum(xm, 0)), ("z", -xm)]),
        Case("graph_output_is_input_of_next",
             [node("Mul", ["x", "x"], ["y"]), node("Add", ["y", "x"], ["z"])],
             [("x", xm)], [("y", xm * xm), ("z", xm * xm + xm)],
             note="an intermediate value that is also a graph output"),
        Case("graph_symbolic_batch_with_shape_flag", [node("Relu", ["x"])], [("x", dyn)],
             [("y", np.maximum(dyn, 0))], dims={"x": ["N", 5], "y": ["N", 5]},
             compile_args=["--shape", "x=2x5"],
             note="symbolic batch fixed at compile time with --shape"),
    ]


@case
def layout_and_aliasing_cases(rng):
    """Graphs that break buffer-reuse and layout shortcuts: reshaping a transposed tensor,
    reading a value both directly and transposed, concatenating a value with itself."""
    x = f32(rng, 2, 3, 4)
    sq = f32(rng, 4, 4)
    w = f32(rng, 6, 5)
    i64 = lambda v: np.array(v, dtype=np.int64)
    t = x.transpose(0, 2, 1)  # [2,4,3]
    r = np.maximum(sq, 0)
    s = r + r.T
    return [
        Case("graph_transpose_reshape_matmul",
             [node("Transpose", ["x"], ["t"], perm=[0, 2, 1]),
              node("Reshape", ["t", "s"], ["r"]),
              node("MatMul", ["r", "w"])],
             [("x", x)], [("y", as_f32(ref_matmul(t.reshape(4, 6), w)))],
             initializers=[("s", i64([4, 6])), ("w", w)],
             note="Reshape must see the transposed element order"),
        Case("graph_transpose_flatten", [node("Transpose", ["x"], ["t"], perm=[2, 0, 1]),
                                         node("Flatten", ["t"], axis=1)],
             [("x", x)], [("y", x.transpose(2, 0, 1).reshape(4, 6))]),
        Case("graph_value_read_direct_and_transposed",
             [node("Relu", ["x"], ["r"]), node("Transpose", ["r"], ["t"]),
              node("Add", ["r", "t"], ["s"]), node("Mul", ["s", "r"])],
             [("x", sq)], [("y", s * r)],
             note="an in-place Add into r's buffer would corrupt the transposed read"),
        Case("graph_concat_self", [node("Concat", ["x", "x"], axis=1)], [("x", x)],
             [("y", np.concatenate([x, x], 1))]),
        Case("graph_two_identity_outputs_of_input",
             [node("Identity", ["x"], ["y"]), node("Identity", ["x"], ["z"])],
             [("x", x)], [("y", x.copy()), ("z", x.copy())],
             note="two outputs that both alias the input"),
        Case("graph_unused_input", [node("Relu", ["x"])], [("x", sq), ("unused", x)],
             [("y", r.copy())], note="an input no node reads still binds by name"),
        residual_block(rng),
    ]


def residual_block(rng):
    # The block input stays live across two convs, so the memory plan must not reuse its
    # buffer before the final Add.
    x = f32(rng, 1, 4, 6, 6)
    w1, w2 = f32(rng, 4, 4, 3, 3, lo=-0.3, hi=0.3), f32(rng, 4, 4, 3, 3, lo=-0.3, hi=0.3)
    b1, b2 = f32(rng, 4), f32(rng, 4)
    h = np.maximum(ref_conv(x, w1, b1, pads=[1] * 4), 0)
    y = np.maximum(ref_conv(h, w2, b2, pads=[1] * 4) + x, 0)
    return Case("graph_residual_block",
                [node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1] * 4),
                 node("Relu", ["c1"], ["r1"]),
                 node("Conv", ["r1", "w2", "b2"], ["c2"], pads=[1] * 4),
                 node("Add", ["c2", "x"], ["s"]), node("Relu", ["s"])],
                [("x", x)], [("y", as_f32(y))],
                initializers=[("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)])


@case
def fusion_cases(rng):
    """Elementwise chains that a fusion pass merges: broadcasting at different points of the
    chain, values with several consumers, type changes and compare/select in the middle."""
    a = f32(rng, 2, 3, 4)
    b = f32(rng, 4)
    c = f32(rng, 3, 1)
    d = np.array(0.25, dtype=np.float32)
    x = f32(rng, 3, 5, lo=-2, hi=2)
    xf = f32(rng, 3, 4, lo=-50, hi=50)
    a64, b64, c64 = (v.astype(np.float64) for v in (a, b, c))
    chain = 1 / (1 + np.exp(-(np.maximum((a64 + b64) * c64, 0) - 0.25)))
    e = np.exp(x.astype(np.float64))
    return [
        Case("fusion_chain_with_broadcasts",
             [node("Add", ["a", "b"], ["t1"]), node("Mul", ["t1", "c"], ["t2"]),
              node("Relu", ["t2"], ["t3"]), node("Sub", ["t3", "d"], ["t4"]),
              node("Sigmoid", ["t4"])],
             [("a", a), ("b", b), ("c", c), ("d", d)], [("y", as_f32(chain))], **LOOSE,
             note="[2,3,4] + [4], * [3,1], - scalar; exp"),
        Case("fusion_fanout",
             [node("Exp", ["x"], ["t"]), node("Add", ["t", "one"], ["u"]),
              node("Mul", ["t", "t"], ["v"]), node("Sub", ["u", "v"])],
             [("x", x)], [("y", as_f32((e + 1) - e * e))],
             initializers=[("one", np.array(1.0, dtype=np.float32))], **LOOSE,
             note="t has three uses; exp"),
        Case("fusion_small_producer_broadcast_consumer",
             [node("Neg", ["b"], ["s"]), node("Mul", ["a", "s"])],
             [("a", a), ("b", b)], [("y", a * -b)],
             note="producer on [4], consumer on [2,3,4]"),
        Case("fusion_cast_roundtrip",
             [node("Cast", ["x"], ["i"], to=TensorProto.INT32),
              node("Add", ["i", "k"], ["j"]), node("Cast", ["j"], to=TensorProto.FLOAT)],
             [("x", xf)], [("y", (xf.astype(np.int32) + 3).astype(np.float32))],
             initializers=[("k", np.array(3, dtype=np.int32))]),
        Case("fusion_compare_where",
             [node("Greater", ["x", "z"], ["c"]), node("Mul", ["x", "two"], ["p"]),
              node("Neg", ["x"], ["n"]), node("Where", ["c", "p", "n"])],
             [("x", x)], [("y", np.where(x > 0, x * 2, -x))],
             initializers=[("z", np.array(0.0, dtype=np.float32)),
                           ("two", np.array(2.0, dtype=np.float32))]),
        Case("fusion_intermediate_also_output",
             [node("Add", ["a", "b"], ["s"]), node("Relu", ["s"], ["y"])],
             [("a", a), ("b", b)], [("s", a + b), ("y", np.maximum(a + b, 0))],
             note="a fused-away intermediate is still a graph output"),
    ]


@case
def odd_size_cases(rng):
    """Sizes that are not multiples of any vector width, plus rank-0 and one-element tensors,
    so vectorized loops must handle their remainders."""
    a, b = f32(rng, 5, 37), f32(rng, 37)
    ma, mb = f32(rng, 17, 33), f32(rng, 33, 19)
    xc = f32(rng, 1, 3, 13, 11)
    wc = f32(rng, 5, 3, 3, 3)
    xs = f32(rng, 3, 37, lo=-3, hi=3)
    xp = f32(rng, 1, 3, 11, 13)
    scalar = np.array(-1.5, dtype=np.float32)
    one = f32(rng, 1, 1, 1)
    return [
        Case("odd_add_5x37", [node("Add", ["a", "b"])], [("a", a), ("b", b)],
             [("y", a + b)]),
        Case("odd_matmul_17x33x19", [node("MatMul", ["a", "b"])], [("a", ma), ("b", mb)],
             [("y", as_f32(ref_matmul(ma, mb)))]),
        Case("odd_conv2d_13x11", [node("Conv", ["x", "w"], pads=[1, 1, 1, 1])],
             [("x", xc)], [("y", as_f32(ref_conv(xc, wc, pads=[1, 1, 1, 1])))],
             initializers=[("w", wc)]),
        Case("odd_softmax_37", [node("Softmax", ["x"])], [("x", xs)],
             [("y", as_f32(ref_softmax(xs.astype(np.float64), -1)))], **LOOSE, note="exp"),
        Case("odd_maxpool_11x13", [node("MaxPool", ["x"], kernel_shape=[3, 3], strides=[2, 2])],
             [("x", xp)], [("y", as_f32(ref_pool(xp, "max", [3, 3], strides=[2, 2])))]),
        Case("scalar_relu", [node("Relu", ["x"])], [("x", scalar)],
             [("y", as_f32(np.maximum(scalar, 0)))], note="rank-0 input and output"),
        Case("scalar_add_to_one_element", [node("Add", ["x", "s"])], [("x", one), ("s", scalar)],
             [("y", one + scalar)]),
    ]


# ---------------------------------------------------------------------------------------------
# Vision ops: ConvTranspose, MaxPool's Indices, Resize with constant scales / sizes
# ---------------------------------------------------------------------------------------------

def ref_conv_transpose(x, w, b=None, *, strides=None, dilations=None, pads=None,
                       output_padding=None, output_shape=None, auto_pad="NOTSET", group=1):
    """The scatter definition: every input element adds its weighted kernel into the full
    output at stride steps; the result is that output cropped by the pads (extended with
    zeros where the pads are negative), as the ONNX spec computes them."""
    n, c = x.shape[:2]
    sp = x.ndim - 2
    k = w.shape[2:]
    m_per_group = w.shape[1]
    strides = strides or [1] * sp
    dilations = dilations or [1] * sp
    output_padding = output_padding or [0] * sp
    pads = list(pads or [0] * (2 * sp))
    full = [(x.shape[2 + i] - 1) * strides[i] + (k[i] - 1) * dilations[i] + 1 for i in range(sp)]
    out = []
    for i in range(sp):
        if output_shape or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            o = output_shape[i] if output_shape else x.shape[2 + i] * strides[i]
            total = full[i] + output_padding[i] - o
            if total < 0:
                pads[i], pads[i + sp] = 0, total
            else:
                begin = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
                pads[i], pads[i + sp] = begin, total - begin
        else:
            if auto_pad == "VALID":
                pads[i] = pads[i + sp] = 0
            o = full[i] + output_padding[i] - pads[i] - pads[i + sp]
        out.append(o)
    big = np.zeros([n, m_per_group * group] + [max(full[i], pads[i] + out[i]) for i in range(sp)])
    c_per_group = c // group
    for idx in np.ndindex(*x.shape):
        ni, ci, pos = idx[0], idx[1], idx[2:]
        g = ci // c_per_group
        for mi in range(m_per_group):
            for kk in np.ndindex(*k):
                at = tuple(pos[i] * strides[i] + kk[i] * dilations[i] for i in range(sp))
                big[(ni, g * m_per_group + mi) + at] += x[idx] * w[(ci, mi) + kk]
    y = big[(slice(None), slice(None)) + tuple(slice(pads[i], pads[i] + out[i])
                                               for i in range(sp))]
    if b is not None:
        y = y + b.reshape([1, -1] + [1] * sp)
    return y


def conv_transpose_case(rng, name, x_shape, w_shape, bias=True, **attrs):
    x = f32(rng, *x_shape)
    w = f32(rng, *w_shape)
    b = f32(rng, w_shape[1] * attrs.get("group", 1)) if bias else None
    y = ref_conv_transpose(x, w, b, **attrs)
    inits = [("w", w)] + ([("b", b)] if bias else [])
    return Case(name, [node("ConvTranspose", ["x", "w"] + (["b"] if bias else []), **attrs)],
                [("x", x)], [("y", as_f32(y))], initializers=inits, opset=11)


@case
def conv_transpose_cases(rng):
    C = conv_transpose_case
    return [
        C(rng, "convtranspose1d_basic", (1, 2, 5), (2, 3, 3)),
        C(rng, "convtranspose1d_stride_pads", (2, 2, 6), (2, 2, 4), strides=[3], pads=[2, 1]),
        C(rng, "convtranspose2d_strides_output_padding", (1, 3, 4, 3), (3, 2, 3, 3),
          strides=[2, 3], output_padding=[1, 2]),
        C(rng, "convtranspose2d_groups_dilations", (1, 4, 4, 4), (4, 3, 2, 3), group=2,
          dilations=[2, 1], pads=[1, 0, 0, 1], bias=False),
        C(rng, "convtranspose2d_depthwise_stride2", (1, 3, 5, 5), (3, 1, 4, 4), group=3,
          strides=[2, 2], pads=[1, 1, 1, 1]),
        # in 3, k 3, s 2: full 7; output_shape 8 extends by one zero row, 5 crops two.
        C(rng, "convtranspose2d_output_shape", (1, 2, 3, 3), (2, 2, 3, 3), strides=[2, 2],
          output_shape=[8, 5]),
        # in 3, k 4, s 2: full 8, SAME output 6, total padding 2 (even); k 3 gives 1 (odd).
        C(rng, "convtranspose2d_same_upper", (1, 2, 3, 3), (2, 2, 3, 3), strides=[2, 2],
          auto_pad="SAME_UPPER"),
        C(rng, "convtranspose2d_same_lower", (1, 2, 3, 3), (2, 2, 3, 3), strides=[2, 2],
          auto_pad="SAME_LOWER"),
        C(rng, "convtranspose3d", (1, 2, 3, 2, 3), (2, 2, 2, 3, 2), strides=[1, 2, 2],
          pads=[0, 1, 0, 1, 0, 1]),
    ]


def ref_maxpool_indices(x, kernel, strides=None, pads=None, storage_order=0):
    """Max and the flat index (batch and channel included) of the first maximum of each
    window, in row-major window order; column-major spatial indices with storage_order 1."""
    sp = x.ndim - 2
    strides = strides or [1] * sp
    pads = pads or [0] * (2 * sp)
    out_sizes = [(x.shape[2 + i] + pads[i] + pads[i + sp] - kernel[i]) // strides[i] + 1
                 for i in range(sp)]
    y = np.zeros(x.shape[:2] + tuple(out_sizes), np.float32)
    ind = np.zeros(y.shape, np.int64)
    for idx in np.ndindex(*y.shape):
        best, best_pos = None, None
        for kk in np.ndindex(*kernel):
            pos = [idx[2 + i] * strides[i] + kk[i] - pads[i] for i in range(sp)]
            if any(p < 0 or p >= x.shape[2 + i] for i, p in enumerate(pos)):
                continue
            v = x[tuple(idx[:2]) + tuple(pos)]
            if best is None or v > best:
                best, best_pos = v, pos
        dims = list(x.shape[2:])
        order = list(reversed(range(sp))) if storage_order else list(range(sp))
        flat = idx[0] * x.shape[1] + idx[1]
        for i in order:
            flat = flat * dims[i] + best_pos[i]
        y[idx], ind[idx] = best, flat
    return y, ind


@case
def maxpool_indices_cases(rng):
    def c(name, x_shape, **attrs):
        x = small_ints(rng, *x_shape, lo=-4, hi=4)  # Ties: the first maximum wins.
        y, ind = ref_maxpool_indices(x, attrs["kernel_shape"], attrs.get("strides"),
                                     attrs.get("pads"), attrs.get("storage_order", 0))
        return Case(name, [node("MaxPool", ["x"], ["y", "i"], **attrs)], [("x", x)],
                    [("y", y), ("i", ind)], opset=12)
    return [
        c("maxpool_indices_2d_pads_strides", (2, 2, 5, 6), kernel_shape=[3, 2],
          strides=[2, 2], pads=[1, 0, 1, 1]),
        c("maxpool_indices_2d_storage_order", (1, 2, 4, 5), kernel_shape=[2, 2],
          storage_order=1),
        c("maxpool_indices_1d", (2, 3, 7), kernel_shape=[3], strides=[2]),
        c("maxpool_indices_3d", (1, 1, 3, 4, 4), kernel_shape=[2, 2, 2], strides=[1, 2, 2]),
    ]


def ref_resize(x, out_sizes, scales, *, mode, coord="half_pixel", nearest="round_prefer_floor",
               cubic_a=-0.75, exclude_outside=0):
    """Resize from the spec's formulas, one output element at a time, dims independent
    (taps of every dim combined), edge values outside the input."""
    def source(d, o):
        s, n, length = scales[d], x.shape[d], scales[d] * x.shape[d]
        if coord == "asymmetric":
            return o / s
        if coord == "align_corners":
            return 0.0 if length == 1 else o * (n - 1) / (length - 1)
        if coord == "pytorch_half_pixel":
            return -0.5 if length == 1 else (o + 0.5) / s - 0.5
        if coord == "half_pixel_symmetric":
            offset = n / 2 * (1 - out_sizes[d] / length)
            return offset + (o + 0.5) / s - 0.5
        return (o + 0.5) / s - 0.5

    def taps(d, o):
        pos = source(d, o)
        f = math.floor(pos)
        r = pos - f
        n = x.shape[d]
        clamp = lambda i: min(max(i, 0), n - 1)
        if mode == "nearest":
            up = {"round_prefer_floor": r > 0.5, "round_prefer_ceil": r >= 0.5, "floor": False,
                  "ceil": r > 0}[nearest]
            return [(clamp(f + up), 1.0)]
        if mode == "linear":
            return [(clamp(f), 1 - r), (clamp(f + 1), r)]
        a = cubic_a
        def w(t):
            t = abs(t)
            if t <= 1:
                return (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1
            return a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a
        pts = [(f + k, w(r - k)) for k in (-1, 0, 1, 2)]
        if exclude_outside:
            pts = [(i, wt if 0 <= i < n else 0.0) for i, wt in pts]
            total = sum(wt for _, wt in pts)
            pts = [(i, wt / total) for i, wt in pts]
        return [(clamp(i), wt) for i, wt in pts]

    y = np.zeros(out_sizes, np.float64)
    for idx in np.ndindex(*out_sizes):
        acc = 0.0
        for combo in itertools.product(*[taps(d, o) for d, o in enumerate(idx)]):
            wt = np.prod([c[1] for c in combo])
            acc += wt * x[tuple(c[0] for c in combo)]
        y[idx] = acc
    return y


@case
def resize_cases(rng):
    def c(name, x_shape, scales=None, sizes=None, **attrs):
        x = f32(rng, *x_shape)
        if sizes is not None:
            out = list(sizes)
            sc = [o / i for o, i in zip(sizes, x_shape)]
            inits = [("sizes", np.array(sizes, np.int64))]
            ins = ["x", "", "", "sizes"]
        else:
            sc = [float(np.float32(s)) for s in scales]
            out = [int(math.floor(s * i)) for s, i in zip(sc, x_shape)]
            inits = [("scales", np.array(scales, np.float32))]
            ins = ["x", "", "scales"]
        y = ref_resize(x.astype(np.float64), out, sc, mode=attrs.get("mode", "nearest"),
                       coord=attrs.get("coordinate_transformation_mode", "half_pixel"),
                       nearest=attrs.get("nearest_mode", "round_prefer_floor"),
                       cubic_a=attrs.get("cubic_coeff_a", -0.75),
                       exclude_outside=attrs.get("exclude_outside", 0))
        return Case(name, [node("Resize", ins, **attrs)], [("x", x)], [("y", as_f32(y))],
                    initializers=inits)
    return [
        c("resize_nearest_upsample2x", (1, 2, 3, 4), scales=[1, 1, 2, 2]),
        c("resize_nearest_sizes_asymmetric_floor", (1, 1, 5, 4), sizes=[1, 1, 3, 7],
          coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        c("resize_linear_half_pixel", (2, 3, 4, 5), scales=[1, 1, 1.5, 0.6], mode="linear"),
        c("resize_linear_align_corners_sizes", (1, 2, 4, 4), sizes=[1, 2, 7, 3], mode="linear",
          coordinate_transformation_mode="align_corners"),
        c("resize_linear_pytorch_half_pixel", (1, 1, 6, 5), sizes=[1, 1, 4, 1], mode="linear",
          coordinate_transformation_mode="pytorch_half_pixel"),
        c("resize_cubic_half_pixel", (1, 2, 5, 5), scales=[1, 1, 1.6, 0.8], mode="cubic"),
        c("resize_cubic_exclude_outside", (1, 1, 4, 6), sizes=[1, 1, 7, 4], mode="cubic",
          cubic_coeff_a=-0.5, exclude_outside=1),
        c("resize_linear_1d", (7,), scales=[1.7], mode="linear"),
        c("resize_linear_5d", (1, 2, 3, 4, 3), sizes=[1, 2, 5, 2, 6], mode="linear"),
    ]


# ---------------------------------------------------------------------------------------------

TRAINING = "ai.onnx.preview.training"


@case
def training_cases(rng):
    """The optimizers past their first step (T > 0: Adam's bias correction, Momentum's beta)
    and BatchNormalization's training mode on 4-D input."""
    def f(*shape):
        return f32(rng, *shape)
    out = []
    r = np.array(0.1, np.float32)
    x, g, v, h = f(4), f(4), f(4), np.abs(f(4))
    a, b, eps, nc, ncp = 0.9, 0.8, 1e-3, 0.01, 0.1
    gr = nc * x + g
    vn = a * v + (1 - a) * gr
    hn = b * h + (1 - b) * gr * gr
    ra = r * np.sqrt(1 - b ** 3) / (1 - a ** 3)
    xn = (1 - ncp) * (x - ra * vn / (np.sqrt(hn) + eps))
    out.append(Case("adam_t3", [helper.make_node(
        "Adam", ["R", "T", "X", "G", "V", "H"], ["XN", "VN", "HN"], domain=TRAINING, alpha=a,
        beta=b, epsilon=eps, norm_coefficient=nc, norm_coefficient_post=ncp)],
        [("R", r), ("T", np.array(3, np.int64)), ("X", x), ("G", g), ("V", v), ("H", h)],
        [("XN", as_f32(xn)), ("VN", as_f32(vn)), ("HN", as_f32(hn))], domains=[(TRAINING, 1)]))
    x, g, v = f(3), f(3), f(3)
    a, b, nc = 0.9, 0.5, 0.01
    gr = nc * x + g
    vn = a * v + b * gr
    out.append(Case("momentum_t2", [helper.make_node(
        "Momentum", ["R", "T", "X", "G", "V"], ["XN", "VN"], domain=TRAINING, alpha=a, beta=b,
        mode="standard", norm_coefficient=nc)],
        [("R", r), ("T", np.array(2, np.int64)), ("X", x), ("G", g), ("V", v)],
        [("XN", as_f32(x - r * vn)), ("VN", as_f32(vn))], domains=[(TRAINING, 1)]))
    x, g, h = f(3), f(3), np.abs(f(3))
    dec, eps, nc = 0.1, 1e-4, 0.01
    gr = nc * x + g
    hn = h + gr * gr
    xn = x - r / (1 + 5 * dec) * gr / (np.sqrt(hn) + eps)
    out.append(Case("adagrad_t5", [helper.make_node(
        "Adagrad", ["R", "T", "X", "G", "H"], ["XN", "HN"], domain=TRAINING, decay_factor=dec,
        epsilon=eps, norm_coefficient=nc)],
        [("R", r), ("T", np.array(5, np.int64)), ("X", x), ("G", g), ("H", h)],
        [("XN", as_f32(xn)), ("HN", as_f32(hn))], domains=[(TRAINING, 1)]))
    x, s, bias, m, var = f(2, 3, 2, 2), f(3), f(3), f(3), np.abs(f(3))
    axes = (0, 2, 3)
    mu, bvar = x.mean(axis=axes), x.var(axis=axes)
    y = ref_batchnorm(x, s, bias, mu, bvar, 1e-5)
    out.append(Case("batchnorm_training_4d", [node(
        "BatchNormalization", ["x", "s", "b", "m", "v"], ["y", "rm", "rv"], training_mode=1,
        momentum=0.7)], [("x", x), ("s", s), ("b", bias), ("m", m), ("v", var)],
        [("y", as_f32(y)), ("rm", as_f32(m * 0.7 + mu * 0.3)),
         ("rv", as_f32(var * 0.7 + bvar * 0.3))], opset=15))
    return out


def numeric_gradient(fn, args, wrt):
    """d(sum(fn(*args)))/d(args[wrt]) by central differences in float64: a reference that
    shares nothing with the compiler's derivative rules. With the seed ones(y), Gradient's
    dY/dX is exactly this vector-Jacobian product."""
    args = [np.asarray(a, np.float64) for a in args]
    x = args[wrt]
    grad = np.zeros_like(x)
    h = 1e-6
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        up = np.sum(fn(*args))
        x[idx] = saved - h
        down = np.sum(fn(*args))
        x[idx] = saved
        grad[idx] = (up - down) / (2 * h)
    return grad


@case
def gradient_cases(rng):
    """Gradient (ai.onnx.preview.training): reverse-mode differentiation at import, checked
    against central differences in float64. Numpy broadcasting (adjoints summed back to
    [3] and [2,1]), a MatMul chain with 2-D and 1-D operands through Relu/Sigmoid/Tanh/Exp/
    Log/Sqrt, a name used twice, an X that Y does not depend on (zeros), and a Gradient fed
    other values than the graph's (the sub-graph evaluated again on them)."""
    out = []
    tr = [(TRAINING, 1)]
    # Broadcasting: y = ((a + b - w) / b) * a - (-a), a [2,3], b [3] (away from 0), w [2,1].
    a, w = f32(rng, 2, 3), f32(rng, 2, 1)
    b = (f32(rng, 3, lo=0.5, hi=1.5) * np.array([1, -1, 1], np.float32)).astype(np.float32)

    def fwd(a, b, w):
        return ((a + b - w) / b) * a - (-a)
    nodes = [node("Add", ["a", "b"], ["c"]), node("Sub", ["c", "w"], ["e"]),
             node("Div", ["e", "b"], ["f"]), node("Mul", ["f", "a"], ["m"]),
             node("Neg", ["a"], ["n"]), node("Sub", ["m", "n"], ["y"]),
             helper.make_node("Gradient", ["a", "b", "w"], ["ga", "gb", "gw"], domain=TRAINING,
                              xs=["a", "b", "w"], y="y")]
    out.append(Case(
        "gradient_broadcast", nodes, [("a", a), ("b", b), ("w", w)],
        [("y", as_f32(fwd(a, b, w)))] +
        [(n, as_f32(numeric_gradient(fwd, [a, b, w], i))) for i, n in
         enumerate(["ga", "gb", "gw"])], domains=tr))

    # A chain through MatMul (2-D x, 1-D v) and the unary rules.
    x, wm, bias, v = f32(rng, 2, 4), f32(rng, 4, 3), f32(rng, 3), f32(rng, 4)

    def chain(x, wm, bias, v):
        lz = np.log(np.sqrt(x * x + 1.0))
        h = np.maximum(lz @ wm + bias, 0.0) + 0.5
        s = np.exp(np.tanh(1.0 / (1.0 + np.exp(-h))))
        return s * (v @ wm)
    one = helper.make_node("Constant", [], ["one"], value=numpy_helper.from_array(
        np.array(1.0, np.float32)))
    half = helper.make_node("Constant", [], ["half"], value=numpy_helper.from_array(
        np.array(0.5, np.float32)))
    nodes = [one, half, node("Mul", ["x", "x"], ["xx"]), node("Add", ["xx", "one"], ["xx1"]),
             node("Sqrt", ["xx1"], ["sq"]), node("Log", ["sq"], ["lz"]),
             node("MatMul", ["lz", "wm"], ["h0"]), node("Add", ["h0", "bias"], ["h1"]),
             node("Relu", ["h1"], ["h2"]), node("Add", ["h2", "half"], ["h"]),
             node("Sigmoid", ["h"], ["sg"]), node("Tanh", ["sg"], ["th"]),
             node("Exp", ["th"], ["ex"]), node("MatMul", ["v", "wm"], ["vw"]),
             node("Mul", ["ex", "vw"], ["y"]),
             helper.make_node("Gradient", ["x", "wm", "bias", "v"], ["gx", "gwm", "gbias", "gv"],
                              domain=TRAINING, xs=["x", "wm", "bias", "v"], y="y")]
    args = [x, wm, bias, v]
    out.append(Case(
        "gradient_matmul_chain", nodes, [("x", x), ("wm", wm), ("bias", bias), ("v", v)],
        [("y", as_f32(chain(*args)))] +
        [(n, as_f32(numeric_gradient(chain, args, i))) for i, n in
         enumerate(["gx", "gwm", "gbias", "gv"])], domains=tr, rtol=1e-3, atol=1e-4))

    # Fed values: Gradient(p, q) for xs [a, q], y = a * a * k: the sub-graph is evaluated at
    # a = p, giving 2 p k; q does not reach y (zeros); k is a constant of the differentiation.
    a, p, q, k = f32(rng, 3), f32(rng, 3), f32(rng, 2), f32(rng, 3)
    nodes = [node("Mul", ["a", "a"], ["aa"]), node("Mul", ["aa", "k"], ["y"]),
             helper.make_node("Gradient", ["p", "q"], ["ga", "gq"], domain=TRAINING,
                              xs=["a", "q"], y="y")]
    out.append(Case(
        "gradient_fed_values", nodes, [("a", a), ("p", p), ("q", q), ("k", k)],
        [("y", as_f32(a * a * k)), ("ga", as_f32(2 * p.astype(np.float64) * k)),
         ("gq", np.zeros(2, np.float32))], domains=tr))
    return out


@case
def spectral_text_cases(rng):
    """DFT with zero padding + onesided and with truncation of a complex signal; TfIdf in its
    three modes with unigrams, skip-bigrams and weights (numpy's FFT and a direct count)."""
    out = []
    n8 = helper.make_node("Constant", [], ["n"], value=numpy_helper.from_array(
        np.array(8, np.int64)))
    x = f32(rng, 2, 5, 3, 1)
    y = np.fft.fft(x[..., 0], n=8, axis=1)[:, :5]
    out.append(Case("dft_pad_onesided", [n8, node("DFT", ["x", "n"], axis=1, onesided=1)],
                    [("x", x)], [("y", as_f32(np.stack([y.real, y.imag], -1)))], opset=17))
    n4 = helper.make_node("Constant", [], ["n"], value=numpy_helper.from_array(
        np.array(4, np.int64)))
    x = f32(rng, 2, 3, 6, 2)
    y = np.fft.fft(x[..., 0] + 1j * x[..., 1], n=4, axis=2)
    out.append(Case("dft_complex_truncated", [n4, node("DFT", ["x", "n"], axis=2)],
                    [("x", x)], [("y", as_f32(np.stack([y.real, y.imag], -1)))], opset=17))
    tokens = np.array([[5, 6, 5, 6, 7, 5], [6, 5, 7, 6, 5, 6]], np.int32)
    grams, idx, w = [(5,), (6,), (5, 6), (6, 7)], [2, 0, 1, 3], [0.5, 2.0, 3.0, 4.0]
    for mode in ("TF", "IDF", "TFIDF"):
        y = np.zeros((2, 4), np.float32)
        for row in range(2):
            for gi, gram in enumerate(grams):
                n = len(gram)
                count = 0
                for dist in ([1] if n == 1 else [1, 2]):  # max_skip_count 1
                    for st in range(len(tokens[row]) - (n - 1) * dist):
                        count += all(tokens[row][st + j * dist] == gram[j] for j in range(n))
                y[row, idx[gi]] = (count if mode == "TF" else
                                   w[gi] * (count > 0) if mode == "IDF" else w[gi] * count)
        out.append(Case(f"tfidf_{mode.lower()}", [node(
            "TfIdfVectorizer", ["x"], max_gram_length=2, min_gram_length=1, max_skip_count=1,
            mode=mode, ngram_counts=[0, 2], ngram_indexes=idx, pool_int64s=[5, 6, 5, 6, 6, 7],
            weights=w)], [("x", tokens)], [("y", y)], opset=9))
    return out


def all_cases():
    cases = []
    for fn in CASES:
        made = fn(rng_for(fn.__name__))
        cases.extend(made if isinstance(made, list) else [made])
    names = [c.name for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SystemExit(f"duplicate case names: {sorted(dup)}")
    return cases


def generate(out_dir, name_filter=None):
    """Writes the cases whose name contains `name_filter` (all without) and returns their
    names."""
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for c in all_cases():
        if name_filter and name_filter not in c.name:
            continue
        c.write(out_dir)
        written.append(c.name)
    return written


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out_dir")
    p.add_argument("--filter", help="only cases whose name contains this")
    args = p.parse_args()
    names = generate(args.out_dir, args.filter)
    print(f"{len(names)} cases written to {args.out_dir}")


if __name__ == "__main__":
    sys.exit(main())
