#!/usr/bin/python3
"""Latency of onnx-compile's libraries against ONNX Runtime, in one invocation.

    bench/bench.py [MODEL.onnx ...] [--mcpu CPU] [--threads 1,2] [--rounds R] [--batch K]
                   [--min-runs N] [--micro] [--convs MODEL.onnx ...] [--json OUT.json] [--build DIR]

For each model: compile it with onnx-compile (--mcpu, default native), then keep three
servers loaded: our library (onnx-run --serve), ONNX Runtime on the model, and ONNX Runtime on
a *binding model*: the same inputs and outputs of the same shapes, without computing anything
(what Node's binding costs per session.run; see binding_model for why not an Identity of the
inputs). After a warm-up they run K times each, alternately, for R rounds (more rounds when
K * R < N, --min-runs, default 9: a model of ~50 ms runs once per batch, and a median of three
runs of a host that moves 10-20% between runs was resnet50's whole figure); every figure is the
median over all runs. Both ORT servers pass preallocated output tensors (outputs of static
shape), as our library writes into the caller's buffers. The table gives ours, ORT raw, ORT
less the binding model's time ("ORT-net"), and the ratios
ours/ORT and ours/ORT-net (below 1: we are faster); the geometric means close it. Inputs come
from <model dir>/testdata/<name>/test_data_set_0 when present, else are random (floats in
[-1, 1], integers 0), and both sides read the same files.

--micro adds single-op models (GEMMs and convolutions) and reports GFLOP/s against the FMA peak
measured in the same run (bench/fma_peak.c).

--convs MODEL.onnx (repeatable) benches every Conv of the model alone: shape inference gives
each its input shape, the node's own weights and bias go into a single-op model of the same
attributes (plain Conv: the Relu fused after it is left out on both sides), convs of the same
shapes and attributes are benched once and counted. A Conv whose weights or bias are not
initializers is skipped, and listed. Each configuration runs as a model does above; one row
per configuration and thread count: MFLOP (2 * N * Cout * OH * OW * Cin/group * KH * KW), ours
and ORT-net ms, our GFLOP/s and % of the FMA peak, ours/ORT-net, and what it loses to ORT in
the model (count * (ours - ORT)); then the FLOP-weighted total, sum(count * FLOPs) /
sum(count * ms), ours and ORT's, against the peak (issue 5's convolution goal). Runs 3 servers
per configuration and T: `--rounds 3` keeps resnet50's 23 configurations at T=1,2 to ~5 min.

The single-op models (--micro, --convs) run on ORT without its memory arena; binding models
have outputs of dims 1 (see ort_server.js --no-arena and binding_model for why).

ONNX Runtime comes from npm (onnxruntime-node 1.30.0), installed into <build>/bench/ort on first
use. Not a test: the machine is shared and noisy, so only ratios within one run mean anything.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORT_VERSION = "1.30.0"
# Pause between the alternating batches (see the loop in bench_model).
PAUSE_S = 0.2
# ORT runs single-op models (--micro, --convs) without its memory arena: a lone Conv took
# fresh pages from it every run (bench/ort_server.js --no-arena).
SINGLE_OP_ORT_FLAGS = ["--no-arena"]
NP_TO_ORT = {np.float32: "float32", np.float64: "float64", np.int8: "int8", np.uint8: "uint8",
             np.int16: "int16", np.uint16: "uint16", np.int32: "int32", np.uint32: "uint32",
             np.int64: "int64", np.uint64: "uint64", np.bool_: "bool"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def ensure_ort(build):
    ort = os.path.join(build, "bench", "ort")
    if not os.path.isdir(os.path.join(ort, "node_modules", "onnxruntime-node")):
        os.makedirs(ort, exist_ok=True)
        log(f"installing onnxruntime-node@{ORT_VERSION} into {ort}")
        subprocess.run(["npm", "init", "-y"], cwd=ort, check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ, ONNXRUNTIME_NODE_INSTALL="skip")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund",
                        f"onnxruntime-node@{ORT_VERSION}"], cwd=ort, check=True, env=env,
                       stdout=subprocess.DEVNULL)
    return os.path.join(ort, "node_modules")


def dims_or_1(tensor_type):
    """A tensor type's dims, the unknown ones 1 (as the bench feeds them)."""
    return [d.dim_value if d.HasField("dim_value") else 1 for d in tensor_type.shape.dim]


def model_inputs(model_path, model):
    """name -> numpy array: the model's test data if it has some, else random."""
    name = os.path.splitext(os.path.basename(model_path))[0]
    data_dir = os.path.join(os.path.dirname(model_path), "testdata", name, "test_data_set_0")
    init = {i.name for i in model.graph.initializer}
    graph_inputs = [i for i in model.graph.input if i.name not in init]
    arrays = {}
    if os.path.isdir(data_dir):
        for i, gi in enumerate(graph_inputs):
            f = os.path.join(data_dir, f"input_{i}.pb")
            if os.path.exists(f):
                t = onnx.load_tensor(f)
                arrays[gi.name] = numpy_helper.to_array(t)
    rng = np.random.default_rng(0)
    for gi in graph_inputs:
        if gi.name in arrays:
            continue
        tt = gi.type.tensor_type
        dims = dims_or_1(tt)
        dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[tt.elem_type]
        if np.issubdtype(dtype, np.floating):
            arrays[gi.name] = rng.uniform(-1, 1, dims).astype(dtype)
        else:
            arrays[gi.name] = np.zeros(dims, dtype)
    return [(gi.name, arrays[gi.name]) for gi in graph_inputs]


def static_outputs(graph):
    """[{name, type, dims}] of the graph outputs whose shape is static (ORT's preallocated
    outputs, see bench/ort_server.js)."""
    out = []
    for o in graph.output:
        tt = o.type.tensor_type
        dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE.get(tt.elem_type)
        if (not o.type.HasField("tensor_type") or dtype is None or dtype.type not in NP_TO_ORT
                or not tt.HasField("shape")
                or not all(d.HasField("dim_value") for d in tt.shape.dim)):
            continue
        out.append({"name": o.name, "type": NP_TO_ORT[dtype.type],
                    "dims": [d.dim_value for d in tt.shape.dim]})
    return out


def model_opset(model):
    """The model's default-domain opset (13 when it names none)."""
    return max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
               default=13)


def binding_model(inputs, graph, opset):
    """The cost of Node's binding for this model: the same inputs, unread, and outputs of the
    model's types and ranks, every dim 1, filled by ConstantOfShape.

    Not an Identity of the inputs: its output is as large as the input, and ORT's Identity of
    a 600 KB image ran at 1.6-1.8 ms per call in streaks of ~100 calls (fresh memory, page
    faults on this VM), 25x what binding a model's inputs and its 4 KB of logits costs (a
    model like this one: 14-28 us). Subtracting it made ORT look 1.8 ms faster on every CNN
    (docs/perf.md, session 10).

    Not outputs of the model's shapes either: filling them is work, not binding. For a conv's
    1x256x56x56 output (3.2 MB, preallocated) ConstantOfShape took 0.5-12.6 ms per call,
    1x1x1x1 15 us; the size of a tensor does not change what binding it costs (a 3.2 MB input: 14-16
    us, a 4-byte one: 14-15 us; Node hands ORT the buffers without copying). A model's 4 KB of
    logits made no difference; a single conv's output was most of its time (docs/perf.md,
    session 11)."""
    ins, outs, nodes = [], [], []
    for name, a in inputs:
        ins.append(helper.make_tensor_value_info(name, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[
            a.dtype], list(a.shape)))
    for i, o in enumerate(graph.output):
        tt = o.type.tensor_type
        dims = [1] * len(tt.shape.dim)
        shape = helper.make_tensor(f"shape{i}", TensorProto.INT64, [len(dims)], dims)
        zero = helper.make_tensor(f"zero{i}", tt.elem_type, [1], [0])
        nodes.append(helper.make_node("Constant", [], [f"shape{i}"], value=shape))
        nodes.append(helper.make_node("ConstantOfShape", [f"shape{i}"], [f"out{i}"], value=zero))
        outs.append(helper.make_tensor_value_info(f"out{i}", tt.elem_type, dims))
    g = helper.make_graph(nodes, "binding", ins, outs)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", max(opset, 9))])


class Server:
    """A process that answers 'run K' with 'us t1 ... tK'."""

    def __init__(self, argv, env=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env)
        self.times = []

    def run(self, k, keep=True):
        self.proc.stdin.write(f"run {k}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        while line and not line.startswith("us"):  # onnx-run's banner
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.proc.args[0]} stopped answering")
        t = [float(x) for x in line.split()[1:]]
        if keep:
            self.times += t
        return t

    def median_ms(self):
        return statistics.median(self.times) / 1000

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.wait()


def text_bytes(so):
    """Size of the .text section of an ELF64 little-endian shared object."""
    import struct
    with open(so, "rb") as f:
        elf = f.read()
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    def section(i):
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        return name, off, size
    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, _, size = section(i)
        if elf[stroff + name:elf.index(b"\0", stroff + name)] == b".text":
            return size
    return 0


def weight_bytes(model):
    """Bytes of the model's initializers and Constant tensors as ONNX stores them."""
    total = 0
    tensors = list(model.graph.initializer)
    for n in model.graph.node:
        tensors += [a.t for a in n.attribute if a.type == onnx.AttributeProto.TENSOR]
    for t in tensors:
        total += len(t.raw_data) if t.raw_data else numpy_helper.to_array(t).nbytes
    return total


def compile_model(args, model_path, out_dir):
    """Compiles the model; returns (library, {compile_s, compile_peak_rss_mb}) or None."""
    name = os.path.splitext(os.path.basename(model_path))[0]
    so = os.path.join(out_dir, name + ".so")
    cmd = [os.path.join(args.build, "bin", "onnx-compile"), model_path, "-o", so, "-q",
           "--mcpu", args.mcpu]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        log(f"{name}: compile failed: {err.strip().splitlines()[0] if err else ''}")
        return None
    return so, {"compile_s": seconds, "compile_peak_rss_mb": usage.ru_maxrss / 1024}


def bench_model(args, node_path, model_path, work, ort_flags=()):
    """Compiles and benches one model (see the module's docstring); ort_flags go to both ORT
    servers (bench/ort_server.js). Returns its row, or None when it does not compile."""
    name = os.path.splitext(os.path.basename(model_path))[0]
    model = onnx.load(model_path, load_external_data=False)
    compiled = compile_model(args, model_path, work)
    if not compiled:
        return None
    so, compile_stats = compiled
    inputs = model_inputs(model_path, model)
    in_dir = os.path.join(work, name + "_inputs")
    os.makedirs(in_dir, exist_ok=True)
    meta = []
    for i, (n, a) in enumerate(inputs):
        t = numpy_helper.from_array(a, n)
        with open(os.path.join(in_dir, f"input_{i}.pb"), "wb") as f:
            f.write(t.SerializeToString())
        raw = os.path.join(in_dir, f"input_{i}.raw")
        np.ascontiguousarray(a).tofile(raw)
        meta.append({"name": n, "type": NP_TO_ORT[a.dtype.type], "dims": list(a.shape),
                     "file": raw})
    with open(os.path.join(in_dir, "inputs.json"), "w") as f:
        json.dump(meta, f)
    binding = os.path.join(work, name + "_binding.onnx")
    bind_model = binding_model(inputs, model.graph, model_opset(model))
    onnx.save(bind_model, binding)
    # Outputs allocated once on both ORT servers, as onnx-run --serve reuses its buffers.
    for path, graph in ((os.path.join(in_dir, "outputs.json"), model.graph),
                        (os.path.join(in_dir, "binding_outputs.json"), bind_model.graph)):
        with open(path, "w") as f:
            json.dump(static_outputs(graph), f)

    env = dict(os.environ, NODE_PATH=node_path)
    ort_js = os.path.join(ROOT, "bench", "ort_server.js")
    weights = weight_bytes(model)
    row = {"model": name, "mcpu": args.mcpu, **compile_stats, "so_bytes": os.path.getsize(so),
           "weight_bytes": weights, "so_minus_weights_bytes": os.path.getsize(so) - weights,
           "text_bytes": text_bytes(so)}
    log(f"{name}: compiled in {compile_stats['compile_s']:.1f} s, peak RSS "
        f"{compile_stats['compile_peak_rss_mb']:.0f} MB; .so {os.path.getsize(so) / 2**20:.2f} MiB, "
        f"less weights {(os.path.getsize(so) - weights) / 2**20:.2f} MiB, .text "
        f"{row['text_bytes'] / 2**20:.2f} MiB")
    for threads in args.threads:
        ours = Server([os.path.join(args.build, "bin", "onnx-run"), so, "--inputs", in_dir,
                       "--threads", str(threads), "--serve"])
        ort = Server(["node", ort_js, *ort_flags, model_path, str(threads),
                      f"{in_dir}/inputs.json", f"{in_dir}/outputs.json"], env)
        bnd = Server(["node", ort_js, *ort_flags, binding, str(threads),
                      f"{in_dir}/inputs.json", f"{in_dir}/binding_outputs.json"], env)
        servers = (ours, ort, bnd)
        try:
            # Warm-up: at least 3 runs and half a second each.
            for s in servers:
                spent, n = 0.0, 0
                while n < 3 or spent < 5e5:
                    spent += sum(s.run(1, keep=False))
                    n += 1
            # Runs per batch: about 50 ms of our library each.
            k = args.batch or max(1, min(50, int(5e4 / max(1.0, statistics.median(
                ours.run(3, keep=False))))))
            for _ in range(max(args.rounds, -(-args.min_runs // k))):
                for s in servers:
                    # ORT's intra-op workers spin after a batch; with T=2 on 2 cores they
                    # would hold the core our second worker needs (and ours theirs): let
                    # every server's workers go idle before the next one runs.
                    time.sleep(PAUSE_S)
                    # One untimed run first: on this VM memory left idle for a fraction of a
                    # second comes back slowly (kernel reclaim of cold pages; our weights are
                    # file-backed pages of the library), and with one run per batch for the
                    # big models every timed run was a cold one: resnet50 took 73 ms in the
                    # bench and 57 ms back to back (docs/perf.md, session 10).
                    s.run(1, keep=False)
                    s.run(k)
        finally:
            for s in servers:
                s.close()
        o, r, i = ours.median_ms(), ort.median_ms(), bnd.median_ms()
        # The binding model's time is noise-prone; when it is not clearly below the model's
        # (a noisy machine, a model as cheap as the binding), the net figure means nothing:
        # fall back to the raw ratio rather than divide by ~0.
        net = r - i if r - i > 0.5 * r else r
        row[f"t{threads}"] = {"ours_ms": o, "ort_ms": r, "ort_binding_ms": i,
                              "ort_net_ms": net, "ratio_raw": o / r, "ratio_net": o / net,
                              "net_valid": r - i > 0.5 * r, "runs": len(ours.times)}
        log(f"{name} T={threads}: ours {o:.3f} ms, ORT {r:.3f} ms (net {net:.3f}"
            f"{'' if r - i > 0.5 * r else ': binding overhead too close, raw used'}), "
            f"ours/ORT-net {o / net:.2f}")
    return row


def save_model(work, name, nodes, inputs, outputs, inits, opset=13):
    """Saves a one-graph model as work/name.onnx; returns its path."""
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    p = os.path.join(work, name + ".onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]), p)
    return p


def micro_models(work):
    """Single-op models: (path, flops, description)."""
    out = []
    rng = np.random.default_rng(1)
    for m, k, n in [(256, 256, 256), (1024, 1024, 1024), (128, 768, 3072)]:
        b = numpy_helper.from_array(rng.uniform(-1, 1, (k, n)).astype(np.float32), "B")
        p = save_model(work, f"matmul_{m}x{k}x{n}",
                       [helper.make_node("MatMul", ["A", "B"], ["C"])],
                       [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
                       [helper.make_tensor_value_info("C", TensorProto.FLOAT, [m, n])], [b])
        out.append((p, 2.0 * m * k * n, f"MatMul {m}x{k} * {k}x{n}"))
    for c, hw, oc, ks, s in [(64, 56, 64, 3, 1), (256, 14, 256, 3, 1), (64, 56, 256, 1, 1),
                             (128, 28, 256, 3, 2)]:
        w = numpy_helper.from_array(
            rng.uniform(-0.1, 0.1, (oc, c, ks, ks)).astype(np.float32), "W")
        o = (hw + 2 * (ks // 2) - ks) // s + 1
        p = save_model(work, f"conv_{c}x{hw}x{hw}_k{ks}s{s}_{oc}",
                       [helper.make_node("Conv", ["X", "W"], ["Y"], pads=[ks // 2] * 4,
                                         strides=[s, s])],
                       [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, c, hw, hw])],
                       [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, oc, o, o])],
                       [w])
        out.append((p, conv_flops([1, c, hw, hw], [oc, c, ks, ks], [1, oc, o, o]),
                    f"Conv {c}x{hw}x{hw} k{ks} s{s} -> {oc}"))
    return out


def conv_flops(x_dims, w_dims, y_dims):
    """2 * N * Cout * OH * OW * (Cin / group) * KH * KW, for any number of spatial dims:
    x [N, Cin, H, W], weights [Cout, Cin / group, KH, KW], y [N, Cout, OH, OW]."""
    n, cout = y_dims[0], y_dims[1]
    assert x_dims[1] % w_dims[1] == 0, (x_dims, w_dims)
    return 2 * n * cout * math.prod(y_dims[2:]) * w_dims[1] * math.prod(w_dims[2:])


def conv_attrs(node, w_dims):
    """A Conv's attributes with ONNX's defaults written out, so that two convs that differ
    only in spelling a default compare equal."""
    a = {x.name: helper.get_attribute_value(x) for x in node.attribute}
    spatial = len(w_dims) - 2
    auto_pad = a.get("auto_pad", b"NOTSET")
    out = {"kernel_shape": list(a.get("kernel_shape", w_dims[2:])),
           "strides": list(a.get("strides", [1] * spatial)),
           "dilations": list(a.get("dilations", [1] * spatial)),
           "group": a.get("group", 1)}
    if auto_pad in (b"NOTSET", "NOTSET"):
        out["pads"] = list(a.get("pads", [0] * 2 * spatial))
    else:
        out["auto_pad"] = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    return out


def conv_desc(x_dims, w_dims, attrs):
    """'Cin x H x W k3 s2 g1 -> Cout' (N first when not 1; a kernel, stride or dilation
    that differs along the axes spelled out: k1x7)."""
    def dims(v):
        return str(v[0]) if len(set(v)) == 1 else "x".join(map(str, v))
    d = "x".join(map(str, x_dims[1:]))
    if x_dims[0] != 1:
        d = f"{x_dims[0]}x{d}"
    d += f" k{dims(attrs['kernel_shape'])} s{dims(attrs['strides'])}"
    if any(v != 1 for v in attrs["dilations"]):
        d += f" d{dims(attrs['dilations'])}"
    return d + f" g{attrs['group']} -> {w_dims[0]}"


def conv_configs(model_path, work):
    """Every Conv of a model as a single-op model: the same attributes, the input shape shape
    inference gives it (a graph input's unknown dims taken as 1, as the bench feeds them), the
    node's own weights and bias; convs of the same shapes and attributes merged into one
    configuration, counted (their weights differ, their timings should not: the first one's
    are used). Plain Conv: the activation fused after it in the model (resnet's Relu) is left
    out, as both sides fuse one into the conv's output loop and the FLOPs are the conv's.
    Returns ([{path, desc, flops, count, nodes}] in the model's order, [skipped: why])."""
    name = os.path.splitext(os.path.basename(model_path))[0]
    model = onnx.load(model_path)
    for gi in model.graph.input:
        for d in gi.type.tensor_type.shape.dim:
            if not d.HasField("dim_value"):
                d.dim_value = 1
    graph = onnx.shape_inference.infer_shapes(model).graph
    types = {v.name: v.type.tensor_type for v in (*graph.input, *graph.value_info,
                                                    *graph.output)}
    inits = {t.name: t for t in model.graph.initializer}

    def static_dims(value):
        tt = types.get(value)
        if tt is None or not tt.HasField("shape") or not all(
                d.HasField("dim_value") for d in tt.shape.dim):
            return None
        return [d.dim_value for d in tt.shape.dim]

    configs, skipped = {}, []
    for node in model.graph.node:
        if node.op_type != "Conv" or node.domain not in ("", "ai.onnx"):
            continue
        label = node.name or node.output[0]
        operands = [v for v in node.input[1:] if v]
        why = next((f"{v} is not an initializer" for v in operands if v not in inits), None)
        x_dims, y_dims = static_dims(node.input[0]), static_dims(node.output[0])
        if why is None and (x_dims is None or y_dims is None):
            why = "shape inference left its input or output shape unknown"
        if why:
            log(f"{name}: {label}: skipped, {why}")
            skipped.append(f"{label}: {why}")
            continue
        w_dims = list(inits[node.input[1]].dims)
        attrs = conv_attrs(node, w_dims)
        elem = types[node.input[0]].elem_type
        key = json.dumps([x_dims, w_dims, y_dims, len(operands), elem, attrs], sort_keys=True)
        if key in configs:
            configs[key]["count"] += 1
            configs[key]["nodes"].append(label)
            continue
        tensors = []
        for new, old in zip(("W", "B"), operands):
            t = onnx.TensorProto()
            t.CopyFrom(inits[old])
            t.name = new
            tensors.append(t)
        path = save_model(
            work, f"{name}_conv{len(configs):02d}",
            [helper.make_node("Conv", ["X", *(t.name for t in tensors)], ["Y"], **attrs)],
            [helper.make_tensor_value_info("X", elem, x_dims)],
            [helper.make_tensor_value_info("Y", elem, y_dims)], tensors, model_opset(model))
        configs[key] = {"path": path, "desc": conv_desc(x_dims, w_dims, attrs),
                        "flops": conv_flops(x_dims, w_dims, y_dims), "count": 1,
                        "nodes": [label]}
    return list(configs.values()), skipped


def fma_peak(work, threads):
    """The FMA peak in GFLOP/s on `threads` threads: the best of three runs (another process
    can only make a run slower; the % of peak must not rise because the machine was busy)."""
    exe = os.path.join(work, "fma_peak")
    if not os.path.exists(exe):
        subprocess.run(["clang-22", "-O2", "-march=native", "-ffp-contract=fast", "-pthread",
                        os.path.join(ROOT, "bench", "fma_peak.c"), "-o", exe], check=True)
    return max(float(subprocess.run([exe, str(threads)], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(3))


def add_gflops(row, peaks):
    """Writes GFLOP/s and % of the FMA peak, ours and ORT-net's, into each thread count's
    figures of a single-op model's row (row["flops"] set); returns the row."""
    for t, peak in peaks.items():
        x = row[f"t{t}"]
        x["ours_gflops"] = row["flops"] / x["ours_ms"] / 1e6
        x["ort_gflops"] = row["flops"] / x["ort_net_ms"] / 1e6
        x["ours_pct_peak"] = 100 * x["ours_gflops"] / peak
        x["ort_pct_peak"] = 100 * x["ort_gflops"] / peak
    return row


def bench_convs(args, node_path, model_path, work):
    """The --convs sweep of one model: every Conv configuration (conv_configs) benched as
    bench_model does a model. conv_totals adds the rates once the peak is known."""
    name = os.path.splitext(os.path.basename(model_path))[0]
    configs, skipped = conv_configs(model_path, work)
    rows = []
    for c in configs:
        row = bench_model(args, node_path, c["path"], work, SINGLE_OP_ORT_FLAGS)
        if not row:
            skipped.append(f"{c['desc']} ({', '.join(c['nodes'])}): compile failed")
            continue
        row.update(desc=c["desc"], flops=c["flops"], count=c["count"], nodes=c["nodes"])
        rows.append(row)
    return {"model": name, "convs": sum(c["count"] for c in configs),
            "flops": sum(r["count"] * r["flops"] for r in rows), "configs": rows,
            "skipped": skipped}


def conv_totals(sweep, peaks):
    """Rates of a --convs sweep: each configuration's (add_gflops), and per thread count the
    FLOP-weighted total, sum(count * FLOPs) / sum(count * ms), ours and ORT-net's."""
    rows, flops = sweep["configs"], sweep["flops"]
    for r in rows:
        add_gflops(r, peaks)
    sweep["total"] = {}
    for t, peak in peaks.items():
        ours = sum(r["count"] * r[f"t{t}"]["ours_ms"] for r in rows)
        ort = sum(r["count"] * r[f"t{t}"]["ort_net_ms"] for r in rows)
        sweep["total"][f"t{t}"] = {
            "ours_ms": ours, "ort_net_ms": ort,
            "ours_gflops": flops / ours / 1e6, "ort_gflops": flops / ort / 1e6,
            "ours_pct_peak": 100 * flops / ours / 1e6 / peak,
            "ort_pct_peak": 100 * flops / ort / 1e6 / peak}


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="*")
    ap.add_argument("--mcpu", default="native")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--min-runs", type=int, default=9)
    ap.add_argument("--micro", action="store_true")
    ap.add_argument("--convs", action="append", default=[], metavar="MODEL.onnx")
    ap.add_argument("--json")
    ap.add_argument("--build", default=os.environ.get("ONNXC_BUILD", os.path.join(ROOT, "build")))
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.threads = [int(t) for t in args.threads.split(",")]
    models = args.models or ([] if args.micro or args.convs else [
        os.path.join(ROOT, "examples", "mlp", "mlp.onnx")])
    node_path = ensure_ort(args.build)
    results = {"mcpu": args.mcpu, "threads": args.threads, "models": [], "micro": [],
               "convs": []}
    with tempfile.TemporaryDirectory(prefix="onnxc-bench-") as work:
        for m in models:
            row = bench_model(args, node_path, os.path.abspath(m), work)
            if row:
                results["models"].append(row)
        if args.micro or args.convs:
            # The peak before and after the single-op models, the higher kept: on a shared
            # machine one measurement can fall in another job's burst, and a low peak would
            # inflate every % of it.
            peaks = {t: fma_peak(work, t) for t in args.threads}
        if args.micro:
            for path, flops, desc in micro_models(work):
                row = bench_model(args, node_path, path, work, SINGLE_OP_ORT_FLAGS)
                if row:
                    row["desc"], row["flops"] = desc, flops
                    results["micro"].append(row)
        for m in args.convs:
            results["convs"].append(bench_convs(args, node_path, os.path.abspath(m), work))
        if args.micro or args.convs:
            peaks = {t: max(p, fma_peak(work, t)) for t, p in peaks.items()}
            results["fma_peak_gflops"] = peaks
            for row in results["micro"]:
                add_gflops(row, peaks)
            for sweep in results["convs"]:
                conv_totals(sweep, peaks)

    def table(rows, title):
        print(f"\n{title} (--mcpu {args.mcpu}; medians; ratio < 1: onnx-compile is faster)")
        print(f"{'model':28} {'T':>2} {'ours ms':>9} {'ORT ms':>9} {'ORT-net':>9} "
              f"{'ours/ORT':>8} {'ours/net':>8}")
        for r in rows:
            for t in args.threads:
                x = r[f"t{t}"]
                print(f"{r['model']:28} {t:>2} {x['ours_ms']:9.3f} {x['ort_ms']:9.3f} "
                      f"{x['ort_net_ms']:9.3f} {x['ratio_raw']:8.2f} {x['ratio_net']:8.2f}")
        for t in args.threads:
            g_raw = geomean([r[f"t{t}"]["ratio_raw"] for r in rows])
            g_net = geomean([r[f"t{t}"]["ratio_net"] for r in rows])
            results.setdefault("geomean", {})[f"{title}_t{t}"] = {"raw": g_raw, "net": g_net}
            print(f"{'geometric mean':28} {t:>2} {'':9} {'':9} {'':9} {g_raw:8.2f} {g_net:8.2f}")

    if results["models"]:
        table(results["models"], "models")
        print(f"\ncompile (--mcpu {args.mcpu}): seconds, peak RSS, library size less the weights "
              f"(ONNX initializer bytes), .text")
        print(f"{'model':28} {'s':>7} {'RSS MB':>8} {'.so-w KiB':>10} {'.text KiB':>10}")
        for r in results["models"]:
            print(f"{r['model']:28} {r['compile_s']:7.1f} {r['compile_peak_rss_mb']:8.0f} "
                  f"{r['so_minus_weights_bytes'] / 1024:10.0f} {r['text_bytes'] / 1024:10.0f}")
    peak_line = "FMA peak measured: " + ", ".join(
        f"T={t}: {p:.0f}" for t, p in results.get("fma_peak_gflops", {}).items())
    if results["micro"]:
        table(results["micro"], "micro")
        print(f"\nGFLOP/s ({peak_line})")
        for r in results["micro"]:
            for t in args.threads:
                x = r[f"t{t}"]
                print(f"{r['desc']:36} T={t}: ours {x['ours_gflops']:7.1f} "
                      f"({x['ours_pct_peak']:5.1f}% of peak), ORT {x['ort_gflops']:7.1f} "
                      f"({x['ort_pct_peak']:5.1f}%)")
    for c in results["convs"]:
        print(f"\n{c['model']}: {c['convs']} convolutions, {len(c['configs'])} configurations "
              f"benched alone (--mcpu {args.mcpu}; medians; ORT = ORT-net; {peak_line} "
              f"GFLOP/s; lost = n * (ours - ORT))")
        print(f"{'conv':30} {'n':>2} {'MFLOP':>7} {'T':>2} {'ours ms':>8} {'ORT ms':>8} "
              f"{'GFLOP/s':>7} {'%peak':>6} {'ours/ORT':>8} {'lost ms':>8}")
        for r in c["configs"]:
            for t in args.threads:
                x = r[f"t{t}"]
                print(f"{r['desc']:30} {r['count']:>2} {r['flops'] / 1e6:7.1f} {t:>2} "
                      f"{x['ours_ms']:8.3f} {x['ort_net_ms']:8.3f} {x['ours_gflops']:7.1f} "
                      f"{x['ours_pct_peak']:6.1f} {x['ratio_net']:8.2f} "
                      f"{r['count'] * (x['ours_ms'] - x['ort_net_ms']):8.3f}")
        # The whole model, when this run benched it too: how much of it the convs are.
        whole = next((r for r in results["models"] if r["model"] == c["model"]), None)
        for t in args.threads:
            x = c["total"][f"t{t}"]
            print(f"FLOP-weighted, T={t}: {c['flops'] / 1e6:.0f} MFLOP; ours {x['ours_ms']:.2f} ms"
                  f", {x['ours_gflops']:.1f} GFLOP/s = {x['ours_pct_peak']:.1f}% of peak; ORT "
                  f"{x['ort_net_ms']:.2f} ms, {x['ort_gflops']:.1f} GFLOP/s = "
                  f"{x['ort_pct_peak']:.1f}%" + (
                      f" (the whole model: ours {whole[f't{t}']['ours_ms']:.2f} ms, ORT "
                      f"{whole[f't{t}']['ort_net_ms']:.2f} ms)" if whole else ""))
        for t in args.threads:
            def lost(r):
                return r["count"] * (r[f"t{t}"]["ours_ms"] - r[f"t{t}"]["ort_net_ms"])
            worst = sorted((r for r in c["configs"] if lost(r) > 0), key=lost, reverse=True)[:5]
            print(f"most lost to ORT, T={t}: "
                  + ("; ".join(f"{r['desc']} x{r['count']} {lost(r):.2f} ms" for r in worst)
                     or "none"))
        for s in c["skipped"]:
            print(f"skipped: {s}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
